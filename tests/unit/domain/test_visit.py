"""A cadre's visit to a grassroots point: how it starts, what it records, and its end."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed
from grassroots.domain.values import Geofence, GeoPoint
from grassroots.domain.visit import MAX_LOG_ENTRIES, LocationProof, QrProof, Visit

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CADRE = UUID("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa")
POINT = UUID("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb")
PLACE = GeoPoint(40.6574, 109.8403)
FENCE = Geofence(PLACE, 200.0)
METRES_PER_DEGREE_LAT = math.pi * 6_371_008.8 / 180

Action = Callable[[Visit, datetime], None]


def north_of(point: GeoPoint, metres: float) -> GeoPoint:
    return GeoPoint(point.lat + metres / METRES_PER_DEGREE_LAT, point.lon)


def minutes(n: int) -> datetime:
    return START + timedelta(minutes=n)


def start(
    proof: QrProof | LocationProof | None = None,
    *,
    point_was_assigned: bool = True,
    at: datetime = START,
) -> Visit:
    return Visit.start(
        cadre_id=CADRE,
        point_id=POINT,
        point_was_assigned=point_was_assigned,
        point_geofence=FENCE,
        proof=QrProof(token_step=29_470_000) if proof is None else proof,
        at=at,
    )


@pytest.fixture
def visit() -> Visit:
    started = start()
    started.collect_events()
    return started


@pytest.fixture
def ended_visit(visit: Visit) -> Visit:
    visit.end(at=minutes(90))
    visit.collect_events()
    return visit


# starting


def test_a_visit_started_by_scanning_records_qr_proof_and_the_token_step() -> None:
    visit = start(QrProof(token_step=29_470_123))

    events = visit.collect_events()

    assert [type(e) for e in events] == [Visit.Started]
    started = events[0]
    assert started.originator_id == visit.id
    assert (
        started.cadre_id,
        started.point_id,
        started.point_was_assigned,
        started.proof,
        started.token_step,
        started.location_lat,
        started.location_lon,
        started.location_accuracy_m,
        started.at,
    ) == (CADRE, POINT, True, "qr", 29_470_123, None, None, None, START)
    assert (visit.proof, visit.started_at, visit.ended_at, visit.is_ended) == (
        "qr",
        START,
        None,
        False,
    )


def test_a_visit_started_inside_the_fence_records_geofence_proof_and_the_position() -> None:
    position = north_of(PLACE, 120)

    visit = start(LocationProof(position=position, accuracy_m=25))

    events = visit.collect_events()
    assert [type(e) for e in events] == [Visit.Started]
    started = events[0]
    assert (
        started.proof,
        started.token_step,
        started.location_lat,
        started.location_lon,
        started.location_accuracy_m,
    ) == ("geofence", None, position.lat, position.lon, 25.0)
    assert isinstance(started.location_accuracy_m, float)
    assert visit.proof == "geofence"


def test_a_position_just_outside_whose_accuracy_touches_the_fence_starts_a_visit() -> None:
    visit = start(LocationProof(position=north_of(PLACE, 240), accuracy_m=50))

    (started,) = visit.collect_events()

    assert started.proof == "geofence"


def test_a_position_outside_the_fence_is_refused() -> None:
    with pytest.raises(NotAllowed) as caught:
        start(LocationProof(position=north_of(PLACE, 400), accuracy_m=20))

    assert type(caught.value) is NotAllowed
    assert caught.value.code == "outside-geofence"


def test_a_location_too_imprecise_to_prove_presence_is_refused_even_at_the_centre() -> None:
    with pytest.raises(NotAllowed) as caught:
        start(LocationProof(position=PLACE, accuracy_m=FENCE.max_accuracy_m + 1))

    assert type(caught.value) is NotAllowed
    assert caught.value.code == "location-too-imprecise"


def test_a_location_exactly_as_precise_as_the_maximum_is_accepted() -> None:
    visit = start(LocationProof(position=PLACE, accuracy_m=FENCE.max_accuracy_m))

    (started,) = visit.collect_events()

    assert started.location_accuracy_m == 100.0


def test_a_negative_accuracy_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        start(LocationProof(position=PLACE, accuracy_m=-1))

    assert caught.value.code == "accuracy-invalid"


@pytest.mark.parametrize("assigned", [True, False])
def test_whether_the_point_was_assigned_is_recorded_as_given(assigned: bool) -> None:
    visit = start(point_was_assigned=assigned)

    (started,) = visit.collect_events()

    assert started.point_was_assigned is assigned
    assert visit.point_was_assigned is assigned


def test_starting_at_a_naive_instant_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        start(at=datetime(2026, 3, 2, 9, 0))

    assert caught.value.code == "naive-datetime"


# during the visit


def test_log_entries_youths_met_and_problems_are_recorded_in_order(visit: Visit) -> None:
    problem_id, contact_id = uuid4(), uuid4()

    visit.write_log("  走访嘎查青年之家 ", at=minutes(10))
    visit.meet_youth(name=" 巴特尔 ", contact_id=contact_id, at=minutes(20))
    visit.meet_youth(name="其其格", at=minutes(25))
    visit.note_problem(problem_id=problem_id, title=" 活动场地不足 ", at=minutes(30))
    visit.write_log("座谈结束", at=minutes(40))

    events = visit.collect_events()
    assert [type(e) for e in events] == [
        Visit.LogWritten,
        Visit.YouthMet,
        Visit.YouthMet,
        Visit.ProblemRaised,
        Visit.LogWritten,
    ]
    assert [e.originator_version for e in events] == [2, 3, 4, 5, 6]
    assert (events[0].text, events[0].at) == ("走访嘎查青年之家", minutes(10))
    assert (events[1].contact_id, events[1].name, events[1].at) == (
        contact_id,
        "巴特尔",
        minutes(20),
    )
    assert (events[2].contact_id, events[2].name) == (None, "其其格")
    assert (events[3].problem_id, events[3].title, events[3].at) == (
        problem_id,
        "活动场地不足",
        minutes(30),
    )
    assert visit.log == [(minutes(10), "走访嘎查青年之家"), (minutes(40), "座谈结束")]
    assert visit.youths_met == [(contact_id, "巴特尔"), (None, "其其格")]
    assert visit.problem_ids == [problem_id]


def test_a_log_entry_at_the_very_start_is_accepted(visit: Visit) -> None:
    visit.write_log("到达", at=START)

    assert [type(e) for e in visit.collect_events()] == [Visit.LogWritten]


def test_a_log_entry_dated_before_the_start_is_refused(visit: Visit) -> None:
    with pytest.raises(InvalidValue) as caught:
        visit.write_log("提前写的", at=START - timedelta(seconds=1))

    assert caught.value.code == "before-visit-start"
    assert visit.collect_events() == []
    assert visit.log == []


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(lambda v, at: v.meet_youth(name="巴特尔", at=at), id="meet_youth"),
        pytest.param(
            lambda v, at: v.note_problem(problem_id=uuid4(), title="活动场地不足", at=at),
            id="note_problem",
        ),
        pytest.param(lambda v, at: v.end(at=at), id="end"),
    ],
)
def test_other_records_dated_before_the_start_are_refused(visit: Visit, act: Action) -> None:
    with pytest.raises(InvalidValue) as caught:
        act(visit, START - timedelta(minutes=5))

    assert caught.value.code == "before-visit-start"
    assert visit.collect_events() == []


def test_a_log_entry_at_a_naive_instant_is_refused(visit: Visit) -> None:
    with pytest.raises(InvalidValue) as caught:
        visit.write_log("无时区", at=datetime(2026, 3, 2, 10, 0))

    assert caught.value.code == "naive-datetime"


def test_an_empty_log_entry_is_refused(visit: Visit) -> None:
    with pytest.raises(InvalidValue) as caught:
        visit.write_log("   ", at=minutes(5))

    assert caught.value.code == "text-empty"


def test_noting_the_same_problem_twice_emits_one_event(visit: Visit) -> None:
    problem_id = uuid4()

    visit.note_problem(problem_id=problem_id, title="活动场地不足", at=minutes(10))
    visit.note_problem(problem_id=problem_id, title="活动场地不足", at=minutes(20))

    events = visit.collect_events()
    assert [type(e) for e in events] == [Visit.ProblemRaised]
    assert visit.problem_ids == [problem_id]


def test_the_work_log_is_full_after_the_maximum_number_of_entries(visit: Visit) -> None:
    for i in range(MAX_LOG_ENTRIES):
        visit.write_log(f"第{i}条", at=minutes(1))
    visit.collect_events()

    with pytest.raises(NotAllowed) as caught:
        visit.write_log("再写一条", at=minutes(2))

    assert MAX_LOG_ENTRIES == 200
    assert caught.value.code == "visit-log-full"
    assert len(visit.log) == MAX_LOG_ENTRIES


# ending


def test_ending_records_the_end(visit: Visit) -> None:
    visit.end(at=minutes(75))

    events = visit.collect_events()
    assert [type(e) for e in events] == [Visit.Ended]
    assert (events[0].at, events[0].originator_version) == (minutes(75), 2)
    assert (visit.ended_at, visit.is_ended) == (minutes(75), True)


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(lambda v, at: v.write_log("补记", at=at), id="write_log"),
        pytest.param(lambda v, at: v.meet_youth(name="巴特尔", at=at), id="meet_youth"),
        pytest.param(
            lambda v, at: v.note_problem(problem_id=uuid4(), title="活动场地不足", at=at),
            id="note_problem",
        ),
        pytest.param(lambda v, at: v.end(at=at), id="end"),
    ],
)
def test_everything_after_the_end_is_refused(ended_visit: Visit, act: Action) -> None:
    with pytest.raises(AlreadyClosed) as caught:
        act(ended_visit, minutes(100))

    assert caught.value.code == "visit-ended"
    assert ended_visit.collect_events() == []


def test_a_problem_already_noted_is_refused_after_the_end_too(visit: Visit) -> None:
    problem_id = uuid4()
    visit.note_problem(problem_id=problem_id, title="活动场地不足", at=minutes(10))
    visit.end(at=minutes(60))
    visit.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        visit.note_problem(problem_id=problem_id, title="活动场地不足", at=minutes(70))

    assert caught.value.code == "visit-ended"


def test_replaying_the_events_rebuilds_the_visit() -> None:
    problem_id = uuid4()
    visit = start(LocationProof(position=north_of(PLACE, 50), accuracy_m=10))
    visit.write_log("走访", at=minutes(10))
    visit.meet_youth(name="巴特尔", at=minutes(20))
    visit.note_problem(problem_id=problem_id, title="活动场地不足", at=minutes(30))
    visit.end(at=minutes(80))
    events = visit.collect_events()

    replayed = None
    for e in events:
        replayed = e.mutate(replayed)

    assert isinstance(replayed, Visit)
    assert (
        replayed.id,
        replayed.version,
        replayed.proof,
        replayed.started_at,
        replayed.ended_at,
        replayed.log,
        replayed.youths_met,
        replayed.problem_ids,
    ) == (
        visit.id,
        5,
        "geofence",
        START,
        minutes(80),
        [(minutes(10), "走访")],
        [(None, "巴特尔")],
        [problem_id],
    )


def test_a_visit_cannot_end_before_its_last_log_entry(visit: Visit) -> None:
    visit.write_log("走访三户青年家庭", at=minutes(90))
    visit.collect_events()

    with pytest.raises(InvalidValue) as caught:
        visit.end(at=minutes(60))

    assert caught.value.code == "end-before-last-entry"
    assert visit.collect_events() == []
    visit.end(at=minutes(90))
    assert [type(e) for e in visit.collect_events()] == [Visit.Ended]
