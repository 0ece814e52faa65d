"""Activities: posting, changing details, cancelling, places and the waiting list."""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex

from grassroots.domain.activity import Activity, SignUpStatus
from grassroots.domain.crediting import CreditPolicy
from grassroots.domain.errors import (
    AlreadyClosed,
    InvalidValue,
    NotAllowed,
    OutsideWindow,
    ReasonRequired,
)
from grassroots.domain.values import Geofence, GeoPoint

POSTED_AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
START = datetime(2026, 3, 7, 1, 0, tzinfo=UTC)  # Saturday 09:00 in Asia/Shanghai
END = START + timedelta(hours=2)
BEFORE_START = START - timedelta(days=1)
CENTER = UUID("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
PLACE = GeoPoint(40.8426, 111.7492)
V1, V2, V3, V4, V5 = (UUID(f"0000000{i}-0000-4000-8000-000000000000") for i in range(1, 6))


def post(**overrides: Any) -> Activity:
    fields: dict[str, Any] = {
        "center_id": CENTER,
        "title": "社区环境清洁",
        "description": "清理社区公共区域",
        "category": "environment",
        "starts_at": START,
        "ends_at": END,
        "capacity": 2,
        "location": PLACE,
        "geofence_radius_m": 150.0,
        "location_required": False,
        "sign_up_required": True,
        "at": POSTED_AT,
    }
    fields.update(overrides)
    return Activity.post(**fields)


def posted(**overrides: Any) -> Activity:
    activity = post(**overrides)
    activity.collect_events()
    return activity


def full_with_waiting(capacity: int = 2, waiting: Sequence[UUID] = (V3, V4)) -> Activity:
    """An activity whose places went to V1 and V2, with ``waiting`` in line."""
    activity = posted(capacity=capacity)
    for volunteer in (V1, V2, *waiting):
        activity.sign_up(volunteer, at=BEFORE_START)
    activity.collect_events()
    return activity


def kinds(events: Sequence[object]) -> list[type]:
    return [type(e) for e in events]


def stored_and_loaded(events: Sequence[DomainEventProtocol[UUID]]) -> list[Any]:
    """The events as they come back from the event store's JSON encoding."""
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DatetimeAsISO()):
        transcoder.register(transcoding)
    mapper: Mapper[UUID] = Mapper(transcoder=transcoder)
    return [mapper.to_domain_event(mapper.to_stored_event(e)) for e in events]


# --- posting -------------------------------------------------------------------


def test_posting_records_every_detail_in_one_posted_event() -> None:
    activity = post(description="  清理社区公共区域  ", location_required=True)

    events = activity.collect_events()

    assert kinds(events) == [Activity.Posted]
    e = events[0]
    assert e.originator_id == activity.id
    assert (e.center_id, e.title, e.description, e.category) == (
        CENTER,
        "社区环境清洁",
        "清理社区公共区域",
        "environment",
    )
    assert (e.starts_at, e.ends_at, e.capacity) == (START, END, 2)
    assert (e.location_lat, e.location_lon, e.geofence_radius_m) == (40.8426, 111.7492, 150.0)
    assert (e.location_required, e.sign_up_required, e.at) == (True, True, POSTED_AT)
    assert (activity.starts_at, activity.ends_at, activity.capacity) == (START, END, 2)
    assert activity.location == PLACE
    assert (activity.signed_up, activity.waiting, activity.is_cancelled) == ([], [], False)


def test_times_given_in_another_zone_are_stored_as_the_same_instants_in_utc() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")

    activity = post(starts_at=START.astimezone(shanghai), ends_at=END.astimezone(shanghai))

    event = activity.collect_events()[0]
    assert (event.starts_at, event.ends_at) == (START, END)
    assert event.starts_at.utcoffset() == timedelta(0)


def test_an_overnight_activity_across_midnight_can_be_posted() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    starts = datetime(2026, 3, 7, 22, 0, tzinfo=shanghai)

    activity = post(starts_at=starts, ends_at=starts + timedelta(hours=4))

    assert activity.ends_at - activity.starts_at == timedelta(hours=4)


def test_an_activity_may_last_a_whole_day_but_no_longer() -> None:
    post(ends_at=START + timedelta(hours=24))

    with pytest.raises(InvalidValue) as caught:
        post(ends_at=START + timedelta(hours=24, minutes=1))

    assert caught.value.code == "activity-too-long"


def test_an_activity_without_a_capacity_takes_anyone() -> None:
    activity = posted(capacity=None)

    statuses = [activity.sign_up(v, at=BEFORE_START) for v in (V1, V2, V3, V4, V5)]

    assert set(statuses) == {SignUpStatus.SIGNED_UP}
    assert (activity.capacity, activity.places_left, activity.is_full) == (None, None, False)
    assert kinds(activity.collect_events()) == [Activity.SignedUp] * 5


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": "   "}, "title-empty"),
        ({"title": "x" * 201}, "title-too-long"),
        ({"category": ""}, "category-empty"),
        ({"description": "x" * 4001}, "description-too-long"),
        ({"ends_at": START}, "activity-end-before-start"),
        ({"ends_at": START - timedelta(minutes=1)}, "activity-end-before-start"),
        ({"capacity": 0}, "capacity-invalid"),
        ({"capacity": -3}, "capacity-invalid"),
        ({"capacity": True}, "capacity-invalid"),
        ({"capacity": 10_001}, "capacity-invalid"),
        ({"starts_at": START.replace(tzinfo=None)}, "naive-datetime"),
        ({"at": POSTED_AT.replace(tzinfo=None)}, "naive-datetime"),
        ({"location": GeoPoint(40.0, 111.0), "geofence_radius_m": 5.0}, "geofence-radius-invalid"),
    ],
)
def test_posting_refuses_malformed_details(overrides: dict[str, Any], code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        post(**overrides)

    assert caught.value.code == code


@pytest.mark.parametrize("at", [START, START + timedelta(minutes=5)])
def test_an_activity_cannot_be_posted_once_its_start_has_come(at: datetime) -> None:
    with pytest.raises(OutsideWindow) as caught:
        post(at=at)

    assert caught.value.code == "activity-starts-in-past"


def test_the_geofence_is_drawn_around_the_activity_location() -> None:
    assert posted().geofence == Geofence(PLACE, 150.0)


def test_check_in_opens_the_margin_before_the_start_and_closes_at_the_end() -> None:
    activity = posted()

    assert activity.check_in_window(CreditPolicy()) == (START - timedelta(minutes=30), END)
    assert activity.check_in_window(CreditPolicy(check_in_margin_minutes=0)) == (START, END)


# --- signing up ------------------------------------------------------------------


def test_places_go_in_order_and_a_full_activity_puts_newcomers_on_the_waiting_list() -> None:
    activity = posted(capacity=2)

    statuses = [activity.sign_up(v, at=BEFORE_START) for v in (V1, V2, V3, V4)]

    events = activity.collect_events()
    assert statuses == [
        SignUpStatus.SIGNED_UP,
        SignUpStatus.SIGNED_UP,
        SignUpStatus.WAIT_LISTED,
        SignUpStatus.WAIT_LISTED,
    ]
    assert kinds(events) == [
        Activity.SignedUp,
        Activity.SignedUp,
        Activity.WaitListed,
        Activity.WaitListed,
    ]
    assert [(e.volunteer_id, e.at) for e in events] == [(v, BEFORE_START) for v in (V1, V2, V3, V4)]
    assert (activity.signed_up, activity.waiting) == ([V1, V2], [V3, V4])
    assert (activity.is_full, activity.places_left) == (True, 0)
    assert (activity.status_of(V1), activity.status_of(V3), activity.status_of(V5)) == (
        SignUpStatus.SIGNED_UP,
        SignUpStatus.WAIT_LISTED,
        None,
    )
    assert (activity.is_signed_up(V2), activity.is_signed_up(V3)) == (True, False)


def test_signing_up_again_records_nothing_and_answers_where_the_volunteer_stands() -> None:
    activity = full_with_waiting(waiting=[V3])

    again = (activity.sign_up(V1, at=BEFORE_START), activity.sign_up(V3, at=BEFORE_START))

    assert again == (SignUpStatus.SIGNED_UP, SignUpStatus.WAIT_LISTED)
    assert activity.collect_events() == []
    assert (activity.signed_up, activity.waiting) == ([V1, V2], [V3])


def test_the_lists_handed_out_are_copies_that_cannot_change_the_activity() -> None:
    activity = full_with_waiting(waiting=[V3])

    activity.signed_up.append(V5)
    activity.waiting.clear()

    assert (activity.signed_up, activity.waiting) == ([V1, V2], [V3])


def test_a_copy_as_the_cache_hands_out_changes_apart_from_the_original() -> None:
    original = full_with_waiting(capacity=3, waiting=[])
    copy = deepcopy(original)

    copy.sign_up(V3, at=BEFORE_START)
    copy.sign_up(V4, at=BEFORE_START)
    copy.withdraw(V1, at=BEFORE_START)

    assert (original.signed_up, original.waiting) == ([V1, V2], [])
    assert original.collect_events() == []
    assert (copy.signed_up, copy.waiting) == ([V2, V3, V4], [])
    assert kinds(copy.collect_events()) == [
        Activity.SignedUp,
        Activity.WaitListed,
        Activity.Withdrawn,
        Activity.Promoted,
    ]


def test_a_copy_shares_only_immutable_values_with_the_original() -> None:
    # The copy copies lists only: an attribute of another mutable kind added later
    # would be shared between the cache and every command, and must fail here.
    original = full_with_waiting()
    copy = deepcopy(original)
    immutable = (str, int, float, bool, type(None), UUID, datetime, GeoPoint, tuple, frozenset)

    for name, value in vars(original).items():
        if isinstance(value, list):
            assert vars(copy)[name] is not value, name
            assert vars(copy)[name] == value, name
        else:
            assert isinstance(value, immutable), (name, type(value))


def test_a_volunteer_may_still_sign_up_while_the_activity_is_under_way() -> None:
    activity = posted()

    status = activity.sign_up(V1, at=END - timedelta(seconds=1))

    assert status is SignUpStatus.SIGNED_UP
    assert kinds(activity.collect_events()) == [Activity.SignedUp]


@pytest.mark.parametrize("at", [END, END + timedelta(days=1)])
def test_signing_up_once_the_activity_has_ended_is_refused(at: datetime) -> None:
    activity = posted()

    with pytest.raises(OutsideWindow) as caught:
        activity.sign_up(V1, at=at)

    assert caught.value.code == "activity-ended"
    assert activity.collect_events() == []


def test_signing_up_to_a_cancelled_activity_is_refused() -> None:
    activity = posted()
    activity.cancel("场地临时征用", at=BEFORE_START)

    with pytest.raises(AlreadyClosed) as caught:
        activity.sign_up(V1, at=BEFORE_START)

    assert caught.value.code == "activity-cancelled"
    assert kinds(activity.collect_events()) == [Activity.Cancelled]


# --- withdrawing -------------------------------------------------------------------


def test_a_withdrawal_from_a_full_activity_promotes_the_first_in_line() -> None:
    activity = full_with_waiting(waiting=[V3, V4])
    at = START - timedelta(hours=1)

    promoted = activity.withdraw(V1, at=at)

    events = activity.collect_events()
    assert kinds(events) == [Activity.Withdrawn, Activity.Promoted]
    assert [(e.volunteer_id, e.at) for e in events] == [(V1, at), (V3, at)]
    assert promoted == V3
    assert (activity.signed_up, activity.waiting) == ([V2, V3], [V4])
    assert activity.status_of(V1) is None


def test_successive_withdrawals_promote_in_the_order_volunteers_joined_the_list() -> None:
    activity = full_with_waiting(waiting=[V3, V4, V5])

    promoted = [activity.withdraw(v, at=BEFORE_START) for v in (V2, V1, V3)]

    assert promoted == [V3, V4, V5]
    assert (activity.signed_up, activity.waiting) == ([V4, V5], [])


def test_leaving_the_waiting_list_promotes_nobody() -> None:
    activity = full_with_waiting(waiting=[V3, V4])

    promoted = activity.withdraw(V3, at=BEFORE_START)

    events = activity.collect_events()
    assert kinds(events) == [Activity.Withdrawn]
    assert events[0].volunteer_id == V3
    assert promoted is None
    assert (activity.signed_up, activity.waiting) == ([V1, V2], [V4])


def test_a_withdrawal_with_nobody_waiting_just_frees_the_place() -> None:
    activity = full_with_waiting(waiting=[])

    promoted = activity.withdraw(V2, at=BEFORE_START)

    assert kinds(activity.collect_events()) == [Activity.Withdrawn]
    assert promoted is None
    assert (activity.signed_up, activity.places_left) == ([V1], 1)


def test_withdrawing_without_a_place_or_a_waiting_spot_is_refused() -> None:
    activity = full_with_waiting(waiting=[])

    with pytest.raises(NotAllowed) as caught:
        activity.withdraw(V5, at=BEFORE_START)

    assert caught.value.code == "not-signed-up"
    assert activity.collect_events() == []


def test_withdrawing_is_possible_until_the_start_but_not_from_it() -> None:
    activity = full_with_waiting(waiting=[V3])

    activity.withdraw(V1, at=START - timedelta(microseconds=1))
    with pytest.raises(OutsideWindow) as caught:
        activity.withdraw(V2, at=START)

    assert caught.value.code == "activity-started"
    assert kinds(activity.collect_events()) == [Activity.Withdrawn, Activity.Promoted]


def test_withdrawing_from_a_cancelled_activity_is_refused() -> None:
    activity = full_with_waiting(waiting=[V3])
    activity.cancel("天气原因", at=BEFORE_START)
    activity.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        activity.withdraw(V1, at=BEFORE_START)

    assert caught.value.code == "activity-cancelled"
    assert activity.collect_events() == []


# --- changing details -----------------------------------------------------------------


def test_a_details_change_before_the_start_records_the_full_new_details() -> None:
    activity = posted()
    new_start = START + timedelta(days=1)
    new_place = GeoPoint(40.85, 111.75)

    promoted = activity.change_details(
        at=BEFORE_START,
        title="社区环境清洁（改期）",
        starts_at=new_start,
        ends_at=new_start + timedelta(hours=3),
        location=new_place,
        geofence_radius_m=200,
        location_required=True,
    )

    events = activity.collect_events()
    assert kinds(events) == [Activity.DetailsChanged]
    e = events[0]
    assert (e.title, e.description, e.category) == (
        "社区环境清洁（改期）",
        "清理社区公共区域",
        "environment",
    )
    assert (e.starts_at, e.ends_at, e.capacity) == (new_start, new_start + timedelta(hours=3), 2)
    assert (e.location_lat, e.location_lon, e.geofence_radius_m) == (40.85, 111.75, 200.0)
    assert (e.location_required, e.sign_up_required, e.at) == (True, True, BEFORE_START)
    assert promoted == []
    assert (activity.title, activity.starts_at, activity.location) == (
        "社区环境清洁（改期）",
        new_start,
        new_place,
    )
    assert activity.geofence == Geofence(new_place, 200.0)


def test_a_details_change_that_changes_nothing_records_nothing() -> None:
    activity = posted()

    activity.change_details(at=BEFORE_START, title=" 社区环境清洁 ", capacity=2, starts_at=START)

    assert activity.collect_events() == []


@pytest.mark.parametrize("at", [START, START + timedelta(minutes=30), END + timedelta(hours=1)])
def test_details_cannot_change_once_the_activity_has_started(at: datetime) -> None:
    activity = posted()

    with pytest.raises(OutsideWindow) as caught:
        activity.change_details(at=at, title="新标题")

    assert caught.value.code == "activity-started"
    assert activity.title == "社区环境清洁"


def test_details_of_a_cancelled_activity_cannot_change() -> None:
    activity = posted()
    activity.cancel("场地临时征用", at=BEFORE_START)

    with pytest.raises(AlreadyClosed) as caught:
        activity.change_details(at=BEFORE_START, title="新标题")

    assert caught.value.code == "activity-cancelled"


@pytest.mark.parametrize(
    ("changes", "error", "code"),
    [
        ({"ends_at": START}, InvalidValue, "activity-end-before-start"),
        ({"starts_at": END}, InvalidValue, "activity-end-before-start"),
        ({"ends_at": START + timedelta(days=2)}, InvalidValue, "activity-too-long"),
        (
            {"starts_at": BEFORE_START - timedelta(hours=1), "ends_at": BEFORE_START},
            OutsideWindow,
            "activity-starts-in-past",
        ),
        ({"title": " "}, InvalidValue, "title-empty"),
        ({"capacity": 0}, InvalidValue, "capacity-invalid"),
        ({"capacity": 3, "capacity_unlimited": True}, InvalidValue, "capacity-conflicting"),
        ({"geofence_radius_m": 9000}, InvalidValue, "geofence-radius-invalid"),
    ],
)
def test_a_details_change_refuses_malformed_details(
    changes: dict[str, Any], error: type[Exception], code: str
) -> None:
    activity = posted()

    with pytest.raises(error) as caught:
        activity.change_details(at=BEFORE_START, **changes)

    assert getattr(caught.value, "code", None) == code
    assert activity.collect_events() == []


def test_capacity_cannot_drop_below_the_volunteers_already_holding_a_place() -> None:
    activity = posted(capacity=3)
    for volunteer in (V1, V2, V3):
        activity.sign_up(volunteer, at=BEFORE_START)
    activity.collect_events()

    with pytest.raises(NotAllowed) as caught:
        activity.change_details(at=BEFORE_START, capacity=2)
    activity.change_details(at=BEFORE_START, capacity=3)

    assert caught.value.code == "capacity-below-signed-up"
    assert activity.capacity == 3
    assert activity.collect_events() == []


def test_lowering_capacity_to_the_places_taken_fills_the_activity() -> None:
    activity = posted(capacity=5)
    for volunteer in (V1, V2):
        activity.sign_up(volunteer, at=BEFORE_START)

    activity.change_details(at=BEFORE_START, capacity=2)
    status = activity.sign_up(V3, at=BEFORE_START)

    assert status is SignUpStatus.WAIT_LISTED
    assert (activity.capacity, activity.is_full) == (2, True)


def test_raising_capacity_promotes_from_the_waiting_list_in_order() -> None:
    activity = full_with_waiting(waiting=[V3, V4, V5])

    promoted = activity.change_details(at=BEFORE_START, capacity=4)

    events = activity.collect_events()
    assert kinds(events) == [Activity.DetailsChanged, Activity.Promoted, Activity.Promoted]
    assert events[0].capacity == 4
    assert [e.volunteer_id for e in events[1:]] == [V3, V4]
    assert promoted == [V3, V4]
    assert (activity.signed_up, activity.waiting) == ([V1, V2, V3, V4], [V5])


def test_lifting_the_capacity_limit_promotes_everyone_waiting() -> None:
    activity = full_with_waiting(waiting=[V3, V4])

    promoted = activity.change_details(at=BEFORE_START, capacity_unlimited=True)

    events = activity.collect_events()
    assert kinds(events) == [Activity.DetailsChanged, Activity.Promoted, Activity.Promoted]
    assert events[0].capacity is None
    assert promoted == [V3, V4]
    assert (activity.capacity, activity.signed_up, activity.waiting) == (
        None,
        [V1, V2, V3, V4],
        [],
    )


# --- cancelling ------------------------------------------------------------------


def test_cancelling_records_the_reason() -> None:
    activity = posted()

    activity.cancel("  场地临时征用  ", at=BEFORE_START)

    events = activity.collect_events()
    assert kinds(events) == [Activity.Cancelled]
    assert (events[0].reason, events[0].at) == ("场地临时征用", BEFORE_START)
    assert (activity.is_cancelled, activity.cancel_reason) == (True, "场地临时征用")


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(reason: str) -> None:
    activity = posted()

    with pytest.raises(ReasonRequired) as caught:
        activity.cancel(reason, at=BEFORE_START)

    assert caught.value.code == "reason-required"
    assert activity.collect_events() == []
    assert not activity.is_cancelled


def test_an_activity_under_way_can_still_be_cancelled() -> None:
    activity = posted()

    activity.cancel("突降暴雨", at=START + timedelta(minutes=20))

    assert kinds(activity.collect_events()) == [Activity.Cancelled]


def test_an_activity_that_has_ended_cannot_be_cancelled() -> None:
    activity = posted()

    with pytest.raises(OutsideWindow) as caught:
        activity.cancel("补取消", at=END)

    assert caught.value.code == "activity-ended"
    assert activity.collect_events() == []


def test_cancelling_twice_is_refused() -> None:
    activity = posted()
    activity.cancel("场地临时征用", at=BEFORE_START)
    activity.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        activity.cancel("再次取消", at=BEFORE_START)

    assert caught.value.code == "activity-cancelled"
    assert activity.cancel_reason == "场地临时征用"
    assert activity.collect_events() == []


# --- who may check in ---------------------------------------------------------------


def test_check_in_needs_a_place_when_the_activity_asks_for_a_sign_up() -> None:
    activity = full_with_waiting(waiting=[V3])

    activity.require_check_in_allowed(V1)
    with pytest.raises(NotAllowed) as waiting:
        activity.require_check_in_allowed(V3)
    with pytest.raises(NotAllowed) as unknown:
        activity.require_check_in_allowed(V5)

    assert (waiting.value.code, unknown.value.code) == ("still-wait-listed", "not-signed-up")


def test_anyone_may_check_in_when_the_activity_asks_for_no_sign_up() -> None:
    activity = posted(sign_up_required=False)

    activity.require_check_in_allowed(V5)

    assert activity.status_of(V5) is None


def test_nobody_may_check_in_to_a_cancelled_activity() -> None:
    activity = full_with_waiting(waiting=[])
    activity.cancel("天气原因", at=BEFORE_START)

    with pytest.raises(AlreadyClosed) as caught:
        activity.require_check_in_allowed(V1)

    assert caught.value.code == "activity-cancelled"


# --- replay ------------------------------------------------------------------------


def a_busy_history() -> tuple[Activity, list[Any]]:
    activity = post(capacity=2)
    for volunteer in (V1, V2, V3, V4, V5):
        activity.sign_up(volunteer, at=BEFORE_START)
    activity.withdraw(V1, at=BEFORE_START)
    activity.withdraw(V4, at=BEFORE_START)
    activity.change_details(at=BEFORE_START, capacity=3, title="社区环境清洁（扩招）")
    activity.cancel("场地临时征用", at=START + timedelta(minutes=10))
    return activity, activity.collect_events()


def state_of(activity: Activity) -> tuple[object, ...]:
    return (
        activity.id,
        activity.version,
        activity.center_id,
        activity.title,
        activity.description,
        activity.category,
        activity.starts_at,
        activity.ends_at,
        activity.capacity,
        activity.location,
        activity.geofence_radius_m,
        activity.location_required,
        activity.sign_up_required,
        activity.signed_up,
        activity.waiting,
        activity.is_cancelled,
        activity.cancel_reason,
    )


def test_replaying_the_events_rebuilds_the_same_activity() -> None:
    activity, events = a_busy_history()

    replayed = None
    for e in events:
        replayed = e.mutate(replayed)

    assert isinstance(replayed, Activity)
    assert state_of(replayed) == state_of(activity)
    assert (replayed.signed_up, replayed.waiting) == ([V2, V3, V5], [])


def test_the_events_survive_the_event_store_encoding_and_replay_to_the_same_activity() -> None:
    activity, events = a_busy_history()

    replayed = None
    for e in stored_and_loaded(events):
        replayed = e.mutate(replayed)

    assert isinstance(replayed, Activity)
    assert state_of(replayed) == state_of(activity)
    assert kinds(stored_and_loaded(events)) == kinds(events)


def test_the_schedule_is_frozen_once_check_in_opens_but_the_title_is_not() -> None:
    policy = CreditPolicy(check_in_margin_minutes=30)
    activity = posted()
    opened = activity.starts_at - timedelta(minutes=30)

    with pytest.raises(OutsideWindow) as caught:
        activity.change_details(
            starts_at=activity.starts_at + timedelta(hours=1), policy=policy, at=opened
        )
    activity.change_details(title="改名后的活动", policy=policy, at=opened)

    assert caught.value.code == "activity-check-in-open"
    assert activity.title == "改名后的活动"
    earlier = posted()
    earlier.change_details(
        starts_at=earlier.starts_at + timedelta(hours=1),
        ends_at=earlier.ends_at + timedelta(hours=1),
        policy=policy,
        at=opened - timedelta(seconds=1),
    )
    assert earlier.starts_at == activity.starts_at + timedelta(hours=1)


# --- the text rule and the range of instants -------------------------------------


@pytest.mark.parametrize("description", ["a\x00b", "a\x85b", "a\u202eb", "a\ud800b"])
def test_a_description_keeps_to_the_text_rule_like_every_other_field(description: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        post(description=description)
    assert refused.value.code == "text-control-character"
    with pytest.raises(InvalidValue):
        posted().change_details(at=POSTED_AT, description=description)


def test_a_description_may_run_over_lines_and_be_left_empty() -> None:
    assert post(description="第一行\r\n第二行\t完").description == "第一行\n第二行\t完"
    assert post(description="").description == ""


@pytest.mark.parametrize("title", ["社区\n清洁", "a\x9bb"])
def test_a_title_is_one_line(title: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        post(title=title)
    assert refused.value.code == "text-control-character"


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        (datetime(9999, 12, 31, 22, tzinfo=UTC), datetime(9999, 12, 31, 23, tzinfo=UTC)),
        (
            datetime(9999, 12, 31, 21, tzinfo=timezone(timedelta(hours=-14))),
            datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-14))),
        ),
        (datetime(2100, 12, 31, 23, tzinfo=UTC), datetime(2101, 1, 1, 1, tzinfo=UTC)),
    ],
)
def test_an_activity_outside_the_range_of_instants_is_refused(
    starts_at: datetime, ends_at: datetime
) -> None:
    with pytest.raises(InvalidValue) as refused:
        post(starts_at=starts_at, ends_at=ends_at)
    assert refused.value.code == "instant-out-of-range"
    with pytest.raises(InvalidValue):
        posted().change_details(at=POSTED_AT, starts_at=starts_at, ends_at=ends_at)


def test_an_activity_ending_at_the_last_instant_of_the_range_is_accepted() -> None:
    end = datetime(2100, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    assert post(starts_at=end - timedelta(hours=2), ends_at=end).ends_at == end
