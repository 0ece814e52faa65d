"""The read side's decoder gives exactly the library's domain events."""

from __future__ import annotations

import copy
import dataclasses
import math
import pickle
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    StoredEvent,
    Transcoding,
    UUIDAsHex,
)

from grassroots.application.service import Grassroots
from grassroots.projections.decoding import EventDecoder
from grassroots.simulation import HistoryShape, generate_history


def _same(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    assert list(vars(a).items()) == list(vars(b).items())


def test_every_event_of_a_history_decodes_as_the_library_decodes_it(app: Grassroots) -> None:
    generate_history(app, seed=31, shape=HistoryShape(weeks=3, volunteers=30, cadres=4))
    notifications = app.recorder.select_notifications(start=1, limit=100_000)
    decode = EventDecoder(app.mapper)

    for notification in notifications:
        _same(decode(notification), app.mapper.to_domain_event(notification))
    assert len(notifications) > 500


@dataclass(frozen=True)
class Spot:
    """A value whose transcoding's data is an object, with an id inside."""

    lat: float
    by: UUID


class SpotAsDict(Transcoding):
    type = Spot
    name = "spot"

    def encode(self, obj: Spot) -> dict[str, Any]:
        return {"lat": obj.lat, "by": obj.by}

    def decode(self, data: dict[str, Any]) -> Spot:
        return Spot(data["lat"], data["by"])


class Thing(Aggregate):
    class Noted(Aggregate.Event):
        ids: list[UUID]
        nested: dict[str, Any]
        amount: Decimal
        ratio: float

    class Placed(Aggregate.Event):
        where: Spot
        spots: list[Spot]

    class Renamed(Aggregate.Event):
        class_version = 2
        name: str
        upper: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["upper"] = state["name"].upper()


@dataclass
class _Case:
    mapper: Mapper[UUID]
    decode: EventDecoder


@pytest.fixture
def case() -> _Case:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO(), DecimalAsStr(), SpotAsDict()):
        transcoder.register(transcoding)
    mapper: Mapper[UUID] = Mapper(transcoder)
    return _Case(mapper, EventDecoder(mapper))


def _stored(mapper: Mapper[UUID], event: Any) -> StoredEvent:
    return mapper.to_stored_event(event)


def test_nested_values_upcasting_and_nan_decode_as_the_library_decodes_them(case: _Case) -> None:
    thing = uuid4()
    now = datetime(2026, 3, 7, tzinfo=UTC)
    noted = Thing.Noted(  # type: ignore[call-arg]
        originator_id=thing,
        originator_version=2,
        timestamp=now,
        ids=[uuid4(), uuid4()],
        nested={"when": now, "deeper": [{"id": thing}], "_type_": "not a transcoding"},
        amount=Decimal("1.50"),
        ratio=math.inf,
    )
    stored = _stored(case.mapper, noted)
    _same(case.decode(stored), case.mapper.to_domain_event(stored))
    renamed_v1 = StoredEvent(
        originator_id=thing,
        originator_version=3,
        topic=stored.topic.replace("Noted", "Renamed"),
        state=b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-03-07T00:00:00+00:00"},'
        b'"name":"x"}',
    )
    upcast = case.decode(renamed_v1)
    _same(upcast, case.mapper.to_domain_event(renamed_v1))
    assert upcast.upper == "X"
    # Without the infinity the fast path decodes it; the same id twice is then the
    # same (immutable) object: the decoder reuses it.
    finite = _stored(case.mapper, dataclasses.replace(noted, ratio=0.5))
    _same(case.decode(finite), case.mapper.to_domain_event(finite))
    assert case.decode(finite).ids[0] is case.decode(finite).ids[0]


def test_an_unknown_transcoding_fails_as_the_library_fails(case: _Case) -> None:
    stored = StoredEvent(
        originator_id=uuid4(),
        originator_version=1,
        topic="tests.integration.projections.test_decoding:Thing.Renamed",
        state=b'{"name":{"_type_":"mystery","_data_":"1"}}',
    )
    with pytest.raises(MapperDeserialisationError):
        case.mapper.to_domain_event(stored)
    with pytest.raises(MapperDeserialisationError):
        case.decode(stored)


def test_values_whose_stored_data_is_an_object_decode_as_the_library_decodes_them(
    case: _Case,
) -> None:
    by = uuid4()
    placed = Thing.Placed(  # type: ignore[call-arg]
        originator_id=uuid4(),
        originator_version=2,
        timestamp=datetime(2026, 3, 7, tzinfo=UTC),
        where=Spot(40.8, by),
        spots=[Spot(41.0, by)],
    )
    stored = _stored(case.mapper, placed)
    assert b'"_type_":"spot"' in stored.state
    decoded = case.decode(stored)
    _same(decoded, case.mapper.to_domain_event(stored))
    assert decoded.where == Spot(40.8, by)
    assert decoded.where.by is decoded.spots[0].by  # the id inside, revived through the cache


@pytest.mark.parametrize(
    "where",
    [
        # A third key: not a transcoded value, whatever else it holds.
        b'{"_type_":"spot","_data_":{"lat":1.0,"by":"x"},"extra":1}',
        # One of the two keys alone.
        b'{"_type_":"spot"}',
        b'{"_data_":"x"}',
    ],
)
def test_objects_shaped_almost_like_a_transcoded_value_decode_as_the_library_decodes_them(
    case: _Case, where: bytes
) -> None:
    stored = StoredEvent(
        originator_id=uuid4(),
        originator_version=1,
        topic="tests.integration.projections.test_decoding:Thing.Renamed",
        state=b'{"name":"x","upper":"X","where":' + where + b"}",
    )
    _same(case.decode(stored), case.mapper.to_domain_event(stored))


_ID = uuid4()


@pytest.mark.parametrize(
    "text",
    [
        _ID.hex,  # as the library writes ids
        _ID.hex.upper(),
        str(_ID),
        "{" + str(_ID) + "}",
        "urn:uuid:" + str(_ID),
        "0x" + _ID.hex[2:],  # 32 characters, not 32 hex digits
        " " * 32,
        "g" * 32,
        _ID.hex[:31],
        "",
    ],
)
def test_an_id_is_read_from_its_text_as_uuid_reads_it(text: str) -> None:
    decoder = EventDecoder(Mapper(transcoder=JSONTranscoder()))
    try:
        expected = UUID(text)
    except ValueError as error:
        with pytest.raises(ValueError, match=re.escape(str(error))):
            decoder.uuid(text)
        return
    found = decoder.uuid(text)
    assert type(found) is UUID
    assert found == expected
    assert (found.int, found.hex, found.is_safe) == (expected.int, expected.hex, expected.is_safe)
    assert (hash(found), str(found), repr(found)) == (hash(expected), str(expected), repr(expected))
    for again in (copy.copy(found), copy.deepcopy(found), pickle.loads(pickle.dumps(found))):
        assert (type(again), again) == (UUID, expected)


def test_ids_in_decoded_events_are_plain_uuids_shared_while_cached(app: Grassroots) -> None:
    generate_history(app, seed=32, shape=HistoryShape(weeks=1, volunteers=10, cadres=2))
    decode = EventDecoder(app.mapper)
    # The ids in the events' state: the originator's comes from the recorder as it is.
    ids = [
        value
        for notification in app.recorder.select_notifications(start=1, limit=10_000)
        for name, value in vars(decode(notification)).items()
        if isinstance(value, UUID) and name != "originator_id"
    ]
    assert len(ids) > 100
    assert {type(found) for found in ids} == {UUID}
    # The same volunteers and activities recur: one object per id.
    assert len({id(found) for found in ids}) == len(set(ids)) < len(ids)
