"""Cadres: kind, assigned grassroots points and the "1+100" direct-contact list."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from grassroots.domain.cadre import MAX_ASSIGNED_POINTS, Cadre, CadreKind, Contact
from grassroots.domain.errors import InvalidValue, NotAllowed, ReasonRequired
from grassroots.domain.values import derived_id

ID_SECRET = b"a server secret of at least 32 bytes"

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
UNIT = UUID("77777777-7777-4777-8777-777777777777")
TOWNSHIP_POINT = UUID("88888888-8888-4888-8888-888888888888")
VILLAGE_POINT = UUID("99999999-9999-4999-8999-999999999999")


def register(**overrides: object) -> Cadre:
    fields: dict[str, object] = {
        "name": "王干部",
        "kind": CadreKind.FULL_TIME,
        "org_unit_id": UNIT,
        "point_ids": [TOWNSHIP_POINT, VILLAGE_POINT],
        "at": AT,
    }
    fields.update(overrides)
    return Cadre.register(**fields)  # type: ignore[arg-type]


@pytest.fixture
def cadre() -> Cadre:
    registered = register()
    registered.collect_events()
    return registered


# registration


def test_registering_records_the_kind_and_the_assigned_points() -> None:
    cadre = register(name=" 王干部 ", kind=CadreKind.SECONDED)

    events = cadre.collect_events()

    assert [type(e) for e in events] == [Cadre.Registered]
    registered = events[0]
    assert registered.originator_id == cadre.id
    assert (
        registered.name,
        registered.kind,
        registered.org_unit_id,
        registered.point_ids,
        registered.at,
    ) == ("王干部", "seconded", UNIT, [TOWNSHIP_POINT, VILLAGE_POINT], AT)
    assert (cadre.name, cadre.kind, cadre.point_ids, cadre.contacts) == (
        "王干部",
        CadreKind.SECONDED,
        [TOWNSHIP_POINT, VILLAGE_POINT],
        {},
    )


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (CadreKind.FULL_TIME, "full_time"),
        (CadreKind.SECONDED, "seconded"),
        (CadreKind.PART_TIME, "part_time"),
        ("part_time", "part_time"),
    ],
)
def test_every_kind_of_cadre_can_be_registered(kind: CadreKind | str, value: str) -> None:
    cadre = register(kind=kind)

    (registered,) = cadre.collect_events()

    assert registered.kind == value
    assert cadre.kind is CadreKind(value)


def test_a_cadre_may_be_registered_without_points_yet() -> None:
    cadre = register(point_ids=[])

    (registered,) = cadre.collect_events()

    assert registered.point_ids == []
    assert cadre.is_assigned_to(TOWNSHIP_POINT) is False


def test_a_cadre_is_assigned_to_its_points_only(cadre: Cadre) -> None:
    assert cadre.is_assigned_to(TOWNSHIP_POINT) is True
    assert cadre.is_assigned_to(VILLAGE_POINT) is True
    assert cadre.is_assigned_to(uuid4()) is False


def test_registering_with_the_most_points_allowed_is_accepted() -> None:
    points = [uuid4() for _ in range(MAX_ASSIGNED_POINTS)]

    cadre = register(point_ids=points)

    assert MAX_ASSIGNED_POINTS == 5
    assert cadre.point_ids == points


def test_registering_with_too_many_points_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        register(point_ids=[uuid4() for _ in range(MAX_ASSIGNED_POINTS + 1)])

    assert caught.value.code == "points-too-many"


def test_registering_with_a_point_listed_twice_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        register(point_ids=[TOWNSHIP_POINT, VILLAGE_POINT, TOWNSHIP_POINT])

    assert caught.value.code == "points-duplicated"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": ""}, "name-empty"),
        ({"name": "王" * 51}, "name-too-long"),
        ({"at": datetime(2026, 3, 2, 9, 0)}, "naive-datetime"),
    ],
)
def test_registering_with_an_invalid_value_is_refused(
    overrides: dict[str, object], code: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        register(**overrides)

    assert caught.value.code == code


# reassigning points


def test_reassigning_to_other_points_emits_points_reassigned(cadre: Cadre) -> None:
    new_village = uuid4()

    cadre.reassign_points([TOWNSHIP_POINT, new_village], at=LATER)

    events = cadre.collect_events()
    assert [type(e) for e in events] == [Cadre.PointsReassigned]
    assert (events[0].point_ids, events[0].at, events[0].originator_version) == (
        [TOWNSHIP_POINT, new_village],
        LATER,
        2,
    )
    assert cadre.point_ids == [TOWNSHIP_POINT, new_village]
    assert cadre.is_assigned_to(VILLAGE_POINT) is False


def test_reassigning_to_the_same_points_emits_nothing(cadre: Cadre) -> None:
    cadre.reassign_points([TOWNSHIP_POINT, VILLAGE_POINT], at=LATER)

    assert cadre.collect_events() == []
    assert cadre.version == 1


def test_reassigning_to_no_points_is_a_change(cadre: Cadre) -> None:
    cadre.reassign_points([], at=LATER)

    events = cadre.collect_events()
    assert [type(e) for e in events] == [Cadre.PointsReassigned]
    assert events[0].point_ids == []


def test_reassigning_to_too_many_or_duplicated_points_is_refused(cadre: Cadre) -> None:
    with pytest.raises(InvalidValue) as too_many:
        cadre.reassign_points([uuid4() for _ in range(6)], at=LATER)
    with pytest.raises(InvalidValue) as duplicated:
        cadre.reassign_points([VILLAGE_POINT, VILLAGE_POINT], at=LATER)

    assert too_many.value.code == "points-too-many"
    assert duplicated.value.code == "points-duplicated"
    assert cadre.collect_events() == []
    assert cadre.point_ids == [TOWNSHIP_POINT, VILLAGE_POINT]


# the direct-contact list


def test_adding_a_contact_records_it_under_an_id_derived_from_the_phone(cadre: Cadre) -> None:
    contact_id = cadre.add_contact(
        id_secret=ID_SECRET,
        name=" 李青年 ",
        phone="+86 139-0013-9000",
        walk_of_life=" 外卖骑手 ",
        at=LATER,
    )

    events = cadre.collect_events()
    assert [type(e) for e in events] == [Cadre.ContactAdded]
    added = events[0]
    assert (added.contact_id, added.name, added.phone, added.walk_of_life, added.at) == (
        contact_id,
        "李青年",
        "13900139000",
        "外卖骑手",
        LATER,
    )
    # Keyed by the secret: a supervisor who sees the id cannot try phones against it.
    assert contact_id != derived_id("contact", cadre.id, "13900139000")
    assert contact_id == cadre.contact_id_for("13900139000", ID_SECRET)
    assert cadre.contacts == {contact_id: Contact(contact_id, "李青年", "13900139000", "外卖骑手")}


def test_the_same_phone_gets_different_contact_ids_on_different_cadres(cadre: Cadre) -> None:
    other = register()

    assert cadre.contact_id_for("13900139000", ID_SECRET) != other.contact_id_for(
        "13900139000", ID_SECRET
    )


def test_adding_the_same_phone_twice_is_refused(cadre: Cadre) -> None:
    cadre.add_contact(
        id_secret=ID_SECRET, name="李青年", phone="13900139000", walk_of_life="外卖骑手", at=LATER
    )
    cadre.collect_events()

    with pytest.raises(NotAllowed) as caught:
        cadre.add_contact(
            id_secret=ID_SECRET,
            name="李青年",
            phone="13900139000",
            walk_of_life="外卖骑手",
            at=LATER,
        )

    assert caught.value.code == "contact-already-listed"
    assert cadre.collect_events() == []
    assert len(cadre.contacts) == 1


@pytest.mark.parametrize("spelling", ["+86 139-0013-9000", "008613900139000", "139 0013 9000"])
def test_another_spelling_of_a_listed_phone_is_refused_too(cadre: Cadre, spelling: str) -> None:
    cadre.add_contact(
        id_secret=ID_SECRET, name="李青年", phone="13900139000", walk_of_life="外卖骑手", at=LATER
    )
    cadre.collect_events()

    with pytest.raises(NotAllowed) as caught:
        cadre.add_contact(
            id_secret=ID_SECRET, name="李小青", phone=spelling, walk_of_life="教师", at=LATER
        )

    assert caught.value.code == "contact-already-listed"
    assert cadre.collect_events() == []


def test_adding_a_contact_with_an_invalid_phone_is_refused(cadre: Cadre) -> None:
    with pytest.raises(InvalidValue) as caught:
        cadre.add_contact(
            id_secret=ID_SECRET, name="李青年", phone="0471-6912345", walk_of_life="教师", at=LATER
        )

    assert caught.value.code == "phone-invalid"
    assert cadre.collect_events() == []


def test_adding_a_contact_without_a_walk_of_life_is_refused(cadre: Cadre) -> None:
    with pytest.raises(InvalidValue) as caught:
        cadre.add_contact(
            id_secret=ID_SECRET, name="李青年", phone="13900139000", walk_of_life=" ", at=LATER
        )

    assert caught.value.code == "walk_of_life-empty"
    assert cadre.contacts == {}


def test_removing_a_contact_records_the_reason(cadre: Cadre) -> None:
    contact_id = cadre.add_contact(
        id_secret=ID_SECRET, name="李青年", phone="13900139000", walk_of_life="外卖骑手", at=AT
    )
    cadre.collect_events()

    cadre.remove_contact(contact_id, reason=" 已迁居外地 ", at=LATER)

    events = cadre.collect_events()
    assert [type(e) for e in events] == [Cadre.ContactRemoved]
    assert (events[0].contact_id, events[0].reason, events[0].at) == (
        contact_id,
        "已迁居外地",
        LATER,
    )
    assert cadre.contacts == {}


def test_removing_a_contact_without_a_reason_is_refused(cadre: Cadre) -> None:
    contact_id = cadre.add_contact(
        id_secret=ID_SECRET, name="李青年", phone="13900139000", walk_of_life="外卖骑手", at=AT
    )
    cadre.collect_events()

    with pytest.raises(ReasonRequired) as caught:
        cadre.remove_contact(contact_id, reason="  ", at=LATER)

    assert caught.value.code == "reason-required"
    assert contact_id in cadre.contacts
    assert cadre.collect_events() == []


def test_removing_a_youth_who_is_not_listed_is_refused(cadre: Cadre) -> None:
    with pytest.raises(NotAllowed) as caught:
        cadre.remove_contact(
            cadre.contact_id_for("13900139000", ID_SECRET), reason="已迁居", at=LATER
        )

    assert caught.value.code == "contact-not-listed"
    assert cadre.collect_events() == []


def test_removing_a_contact_at_a_naive_instant_is_refused(cadre: Cadre) -> None:
    contact_id = cadre.add_contact(
        id_secret=ID_SECRET, name="李青年", phone="13900139000", walk_of_life="外卖骑手", at=AT
    )
    cadre.collect_events()

    with pytest.raises(InvalidValue) as caught:
        cadre.remove_contact(contact_id, reason="已迁居", at=datetime(2026, 3, 9, 10, 0))

    assert caught.value.code == "naive-datetime"
    assert contact_id in cadre.contacts
    assert cadre.collect_events() == []


def test_a_removed_youth_can_be_listed_again_under_the_same_id(cadre: Cadre) -> None:
    first_id = cadre.add_contact(
        id_secret=ID_SECRET, name="李青年", phone="13900139000", walk_of_life="外卖骑手", at=AT
    )
    cadre.remove_contact(first_id, reason="误删", at=LATER)

    second_id = cadre.add_contact(
        id_secret=ID_SECRET,
        name="李青年",
        phone="+86 13900139000",
        walk_of_life="外卖骑手",
        at=LATER,
    )

    assert second_id == first_id
    assert [type(e) for e in cadre.collect_events()] == [
        Cadre.ContactAdded,
        Cadre.ContactRemoved,
        Cadre.ContactAdded,
    ]
    assert list(cadre.contacts) == [first_id]


def test_replaying_the_events_rebuilds_the_cadre() -> None:
    cadre = register()
    kept = cadre.add_contact(
        id_secret=ID_SECRET, name="李青年", phone="13900139000", walk_of_life="外卖骑手", at=AT
    )
    dropped = cadre.add_contact(
        id_secret=ID_SECRET, name="赵青年", phone="13700137000", walk_of_life="教师", at=AT
    )
    cadre.remove_contact(dropped, reason="已迁居", at=LATER)
    cadre.reassign_points([VILLAGE_POINT], at=LATER)
    events = cadre.collect_events()

    replayed = None
    for e in events:
        replayed = e.mutate(replayed)

    assert isinstance(replayed, Cadre)
    assert (replayed.id, replayed.version, replayed.kind, replayed.point_ids) == (
        cadre.id,
        5,
        CadreKind.FULL_TIME,
        [VILLAGE_POINT],
    )
    assert replayed.contacts == {kept: Contact(kept, "李青年", "13900139000", "外卖骑手")}


def test_reassigning_the_same_points_in_another_order_emits_nothing(cadre: Cadre) -> None:
    cadre.reassign_points(list(reversed(cadre.point_ids)), at=LATER)

    assert cadre.collect_events() == []


def test_an_unknown_kind_is_an_invalid_value_with_a_code() -> None:
    with pytest.raises(InvalidValue) as caught:
        register(kind="volunteer")
    assert caught.value.code == "cadre-kind-invalid"


def _list_as_before_keyed_ids(cadre: Cadre, phone: str) -> UUID:
    """A youth listed before contact ids were keyed: the id a uuid5 of cadre and phone."""
    contact_id = derived_id("contact", cadre.id, phone)
    cadre._contact_added(
        contact_id=contact_id, name="李青年", phone=phone, walk_of_life="外卖骑手", at=AT
    )
    return contact_id


def test_a_youth_listed_before_ids_were_keyed_is_still_listed_once(cadre: Cadre) -> None:
    _list_as_before_keyed_ids(cadre, "13900139000")
    cadre.collect_events()

    with pytest.raises(NotAllowed) as caught:
        cadre.add_contact(
            id_secret=ID_SECRET, name="李青年", phone="13900139000", walk_of_life="教师", at=LATER
        )

    assert caught.value.code == "contact-already-listed"
    assert cadre.collect_events() == []


def test_a_youth_listed_before_ids_were_keyed_gets_the_earlier_id_back(cadre: Cadre) -> None:
    earlier = _list_as_before_keyed_ids(cadre, "13900139000")
    cadre.remove_contact(earlier, reason="误删", at=LATER)

    again = cadre.add_contact(
        id_secret=ID_SECRET, name="李青年", phone="13900139000", walk_of_life="教师", at=LATER
    )

    assert again == earlier
