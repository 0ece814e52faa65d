"""The engine's one way of splitting keys into IN lists, and what it asks of handlers."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import pytest

from grassroots.bootstrap import ALL_PROJECTIONS
from grassroots.domain.attendance import Attendance
from grassroots.projections.engine import IN_CHUNK, EventContext, Projection, chunked, handles


def test_keys_are_split_in_their_order_into_lists_no_longer_than_one_in_list() -> None:
    keys = list(range(2 * IN_CHUNK + 1))

    chunks = chunked(iter(keys))

    assert [len(chunk) for chunk in chunks] == [IN_CHUNK, IN_CHUNK, 1]
    assert [key for chunk in chunks for key in chunk] == keys


def test_no_keys_give_no_list_and_so_no_statement() -> None:
    assert chunked(set()) == []


def _event_parameter_types(handler: Callable[..., None]) -> set[type]:
    """The event classes a handler's event parameter (its third) is annotated with."""
    name = list(inspect.signature(handler).parameters)[2]
    annotation = get_type_hints(handler)[name]
    return (
        set(get_args(annotation)) if get_origin(annotation) in (Union, UnionType) else {annotation}
    )


@pytest.mark.parametrize("projection", ALL_PROJECTIONS, ids=lambda p: p.name)
def test_every_handler_names_the_event_classes_it_handles(projection: type[Projection]) -> None:
    assert projection._handlers
    for event_class, handler in projection._handlers.items():
        assert event_class in _event_parameter_types(handler), handler.__qualname__


def test_an_untyped_event_parameter_is_caught() -> None:
    class Loose(Projection):
        @handles(Attendance.CheckedIn)
        def _checked_in(self, conn: object, e: Any, ctx: EventContext) -> None:
            return None

    assert Attendance.CheckedIn not in _event_parameter_types(Loose._handlers[Attendance.CheckedIn])
