"""The engine's one way of splitting keys into IN lists."""

from __future__ import annotations

from grassroots.projections.engine import IN_CHUNK, chunked


def test_keys_are_split_in_their_order_into_lists_no_longer_than_one_in_list() -> None:
    keys = list(range(2 * IN_CHUNK + 1))

    chunks = chunked(iter(keys))

    assert [len(chunk) for chunk in chunks] == [IN_CHUNK, IN_CHUNK, 1]
    assert [key for chunk in chunks for key in chunk] == keys


def test_no_keys_give_no_list_and_so_no_statement() -> None:
    assert chunked(set()) == []
