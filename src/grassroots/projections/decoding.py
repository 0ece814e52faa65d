"""Turning the log's stored events back into domain events, fast enough for a catch-up.

The result is what eventsourcing's ``Mapper.to_domain_event`` gives, equal in
every value and type, and nothing about how events are stored changes: this
only reads. The library's JSON transcoder calls a Python hook for every JSON
object it parses and builds a new ``UUID`` for every id, which is most of a
catch-up's time. Here the JSON
is parsed without hooks (msgspec, already installed with the web framework),
the ``{"_type_": ..., "_data_": ...}`` objects are revived afterwards through
the same registered transcodings, and ids seen before are reused (a ``UUID``
is immutable, and the same volunteers and activities recur all through the log).
At an event's top level, where most of them are, msgspec parses each such
object straight into a small struct rather than a dict; deeper ones are dicts.

Anything the fast path does not know for certain is handed to the library's
own mapper: a cipher or compressor, a transcoder other than the library's JSON
one, JSON that msgspec refuses (the library's encoder writes ``NaN``).

Old events are upcast here exactly as the mapper upcasts them. Stored events
are never rewritten; when an event class gains a field, it says so with the
library's versioning: ``class_version = 2`` on the class (an event written from
then on stores ``"class_version": 2`` in its state; one without it is version
1) and a static method ``upcast_v1_v2(state)`` that fills in the new field's
value for a version 1 state (``upcast_v2_v3`` for the next change, and so on).
The application reads events through the library's mapper and the read side
through this decoder; both run the same ``upcast_v*`` chain on the decoded
state before the event is made, so an aggregate and a read model see the same
event. ``Attendance.CheckedOut`` is the first such class (version 2 added
``device_id``); ``tests/integration/projections/test_upcasting.py`` stores a
version 1 event and reads it back both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, Union, cast
from uuid import UUID, SafeUUID

import msgspec
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    Mapper,
    Notification,
    StoredEvent,
    UUIDAsHex,
    find_id_convertor,
    str_to_uuid_convertor,
)
from eventsourcing.utils import resolve_topic

__all__ = ["EventDecoder"]

# Enough for every id a large deployment's catch-up keeps meeting; past it the
# cache starts again rather than grow without bound.
_MAX_CACHED_IDS = 200_000


class _Wrapped(
    msgspec.Struct, forbid_unknown_fields=True, rename={"name": "_type_", "data": "_data_"}
):
    """A transcoded value as stored: ``{"_type_": name, "_data_": data}``, no other key."""

    name: str
    data: Any


# An event's state: each top-level value plain JSON or a transcoded value. A
# state with any other object there (a rule set's terms, say) is parsed again
# into plain dicts.
_State = dict[str, Union[_Wrapped, str, int, float, bool, list[Any], None]]  # noqa: UP007


class EventDecoder:
    """Decodes stored events as ``mapper.to_domain_event`` would, reusing repeated ids."""

    def __init__(self, mapper: Mapper[UUID]) -> None:
        self._mapper = mapper
        transcoder = mapper.transcoder
        # A subclass may decode differently; only the library's own class is known here.
        self._fast = (
            type(transcoder) is JSONTranscoder
            and mapper.cipher is None
            and mapper.compressor is None
        )
        self._names = transcoder.names if isinstance(transcoder, JSONTranscoder) else {}
        # The names the library's own id and instant transcodings go by.
        self._id_names = {n for n, t in self._names.items() if type(t) is UUIDAsHex}
        self._instant_names = {n for n, t in self._names.items() if type(t) is DatetimeAsISO}
        # Typed loosely: values are revived in place, into whatever each becomes.
        self._json: msgspec.json.Decoder[Any] = msgspec.json.Decoder(_State)
        self._plain_json = msgspec.json.Decoder()
        self._ids: dict[str, UUID] = {}
        # Per topic: see ``_class``.
        self._classes: dict[str, tuple[type[Any], int, Callable[[Any], Any] | None, type[Any]]] = {}

    def __call__(self, stored: Notification | StoredEvent) -> Any:
        return self.decode(
            stored.originator_id, stored.originator_version, stored.topic, stored.state
        )

    def decode(
        self, originator_id: UUID | str, originator_version: int, topic: str, state: bytes
    ) -> Any:
        """The domain event stored as these values (a stored event's four fields).

        A catch-up decodes every event of the log, so the common path is written
        out here with no call of a method of this class: in Python a call costs
        about as much as any one step of decoding. Ids and instants, the commonest
        values by far, are revived in the loop; any other value (or one nested
        deeper) goes through ``_revive`` and ``_transcode`` as the library's hook
        would meet it.
        """
        if not self._fast:
            return self._mapper.to_domain_event(
                _stored(originator_id, originator_version, topic, state)
            )
        ids = self._ids
        values: dict[str, Any]
        try:
            try:
                values = self._json.decode(state)
            except msgspec.ValidationError:
                values = self._plain_json.decode(state)
                if type(values) is not dict:
                    raise TypeError("an event's state is a JSON object") from None
            id_names, instant_names = self._id_names, self._instant_names
            for key, value in values.items():
                kind = type(value)
                if kind is _Wrapped:
                    name, data = value.name, value.data
                    if type(data) is not str:
                        # Innermost objects first, as the library's hook meets them.
                        values[key] = self._transcode(name, self._revive(data))
                    elif name in id_names:
                        values[key] = ids.get(data) or self.uuid(data)
                    elif name in instant_names:
                        values[key] = _from_iso(data)
                    else:
                        values[key] = self._transcode(name, data)
                elif kind is dict or kind is list:
                    values[key] = self._revive(value)
        except Exception:
            # The library's own path either manages (NaN, say) or raises its own error.
            return self._mapper.to_domain_event(
                _stored(originator_id, originator_version, topic, state)
            )
        found = self._classes.get(topic)
        if found is None or found[3] is not type(originator_id):
            found = self._class(topic, type(originator_id))
        cls, class_version, convert_id, _ = found
        if convert_id is None:
            # An id read as text (SQLite's recorder): the same, through the cache.
            text = cast(str, originator_id)
            values["originator_id"] = ids.get(text) or self.uuid(text)
        else:
            values["originator_id"] = convert_id(originator_id)
        values["originator_version"] = originator_version
        from_version = values.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(values)
            from_version += 1
        event = _new(cls)
        _set_attribute(event, "__dict__", values)
        return event

    def uuid(self, text: str) -> UUID:
        """The id written as ``text``; the same object for the same text while it is cached."""
        found = self._ids.get(text)
        if found is None:
            if len(self._ids) >= _MAX_CACHED_IDS:
                self._ids.clear()
            found = self._ids[text] = _id_of_text(text)
        return found

    def _class(
        self, topic: str, id_type: type[Any]
    ) -> tuple[type[Any], int, Callable[[Any], Any] | None, type[Any]]:
        """The event class of ``topic``, its version, and how its originator id is read
        (None: hex text, through the id cache), for ids read as ``id_type``."""
        cls = resolve_topic(topic)
        convert_id: Callable[[Any], Any] | None = find_id_convertor(cls, cast(Hashable, id_type))
        if convert_id is str_to_uuid_convertor:
            convert_id = None
        found = self._classes[topic] = (cls, getattr(cls, "class_version", 1), convert_id, id_type)
        return found

    def _revive(self, value: Any) -> Any:
        """What the library's JSON object hook makes of ``value``, innermost objects first."""
        kind = type(value)
        if kind is list:
            for i, item in enumerate(value):
                if type(item) is dict or type(item) is list:
                    value[i] = self._revive(item)
            return value
        if kind is dict:
            for key, item in value.items():
                if type(item) is dict or type(item) is list:
                    value[key] = self._revive(item)
            if len(value) == 2 and "_type_" in value and "_data_" in value:
                return self._transcode(value["_type_"], value["_data_"])
        return value

    def _transcode(self, name: str, data: Any) -> Any:
        transcoding = self._names[name]  # unknown: the library's path reports it
        kind = type(transcoding)
        if kind is UUIDAsHex and type(data) is str:
            return self.uuid(data)
        if kind is DatetimeAsISO and type(data) is str:
            return datetime.fromisoformat(data)
        return transcoding.decode(data)


_from_iso = datetime.fromisoformat
_new = object.__new__
_set_attribute = object.__setattr__
_SAFETY_UNKNOWN = SafeUUID.unknown


def _id_of_text(text: str) -> UUID:
    """``UUID(text)``, made straight from the 32 hex digits the library writes.

    ``UUID()`` first tries every spelling it accepts (braces, hyphens, a URN);
    any text other than 32 hex digits goes to it.
    """
    try:
        raw = bytes.fromhex(text) if len(text) == 32 else b""
    except ValueError:
        raw = b""
    if len(raw) != 16:
        return UUID(text)
    made = _new(UUID)
    _set_attribute(made, "int", int.from_bytes(raw))
    _set_attribute(made, "is_safe", _SAFETY_UNKNOWN)
    return made


def _stored(
    originator_id: UUID | str, originator_version: int, topic: str, state: bytes
) -> StoredEvent:
    return StoredEvent(
        originator_id=originator_id,
        originator_version=originator_version,
        topic=topic,
        state=state,
    )
