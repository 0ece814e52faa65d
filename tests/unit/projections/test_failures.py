"""How a failure is described to an operator and to ``/health``: one line, type, message, topic."""

from __future__ import annotations

from grassroots.projections.failures import describe


def test_a_failure_is_described_in_one_line_with_its_type_message_and_topic() -> None:
    error = ValueError("PostgreSQL text fields\ncannot contain NUL (0x00) bytes")

    text = describe(error, "grassroots.domain.activity:Activity.Posted")

    assert text == (
        "ValueError: PostgreSQL text fields cannot contain NUL (0x00) bytes"
        " (event grassroots.domain.activity:Activity.Posted)"
    )


def test_a_long_message_is_cut_short_but_keeps_the_topic() -> None:
    text = describe(RuntimeError("x" * 10_000), "t:E")

    assert "\n" not in text
    assert len(text) < 600
    assert text.endswith("… (event t:E)")


def test_an_error_without_a_message_is_named_by_its_type() -> None:
    assert describe(OverflowError(), "t:E") == "OverflowError (event t:E)"
