"""Ids as the read side reads them from the log: UUIDs that keep their hex text.

The library writes every id into the log as its 32 hex digits, and SQLite keeps
ids as that text, so a catch-up turns each id it read back into the text it came
from: ``UUID.hex`` formats the 128-bit number anew each time, about a third of the
cost of writing an id (the commonest value a read model writes). A ``LoggedId``
keeps the text it was read from in place of that property. It is equal to the
UUID it names, with its hash, ``str`` and ``repr``, and a copy or a pickle of one
is a plain ``UUID``. It is for the read side only: the library's transcoder
knows ``UUID`` by its exact type and refuses a subclass, so a ``LoggedId`` never
goes into an event.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, SafeUUID

__all__ = ["LoggedId", "id_of_text"]


class LoggedId(UUID):
    """A UUID read from its hex text, which ``hex`` gives back without formatting."""

    __slots__ = ("hex",)  # stands in for UUID's property

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Made the way a UUID is (``id_of_text`` is the quick way): the text follows.
        super().__init__(*args, **kwargs)
        _set_attribute(self, "hex", f"{self.int:032x}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (UUID, (self.hex,))

    def __repr__(self) -> str:
        return f"UUID({str(self)!r})"


_new = object.__new__
_set_attribute = object.__setattr__
_SAFETY_UNKNOWN = SafeUUID.unknown


def id_of_text(text: str) -> UUID:
    """``UUID(text)``; a ``LoggedId`` keeping ``text`` for the library's own spelling.

    Made straight from the 32 hex digits, without ``UUID()`` trying first every
    spelling it accepts (braces, hyphens, a URN); any other spelling goes to it
    and comes back a plain ``UUID``.
    """
    try:
        raw = bytes.fromhex(text) if len(text) == 32 else b""
    except ValueError:
        raw = b""
    if len(raw) != 16:
        return UUID(text)
    made = _new(LoggedId)
    _set_attribute(made, "int", int.from_bytes(raw))
    _set_attribute(made, "is_safe", _SAFETY_UNKNOWN)
    # The text itself when it is already as ``hex`` spells it: the id cache keys
    # ids by it, so no second copy is kept.
    _set_attribute(made, "hex", text if text.islower() or text.isdecimal() else text.lower())
    return made
