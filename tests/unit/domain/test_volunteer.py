"""Volunteers: phone numbers, registration with its phone claim, profile and suspension."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed, ReasonRequired
from grassroots.domain.values import derived_id
from grassroots.domain.volunteer import PhoneClaim, Volunteer, normalise_phone

AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
MUCH_LATER = datetime(2026, 4, 1, 6, 0, tzinfo=UTC)
UNIT = UUID("55555555-5555-4555-8555-555555555555")
OTHER_UNIT = UUID("66666666-6666-4666-8666-666666666666")
BORN = date(2001, 5, 4)
ID_SECRET = b"a server secret of at least 32 bytes"

SPELLINGS = [
    "13800138000",
    "+86 138-0013-8000",
    "+8613800138000",
    "008613800138000",
    "0086 138 0013 8000",
    "8613800138000",
    "(138) 0013.8000",
]


def register(phone: str = "13800138000", **overrides: object) -> tuple[Volunteer, PhoneClaim]:
    fields: dict[str, object] = {
        "name": "张青",
        "phone": phone,
        "birth_date": BORN,
        "org_unit_id": UNIT,
        "at": AT,
        "id_secret": ID_SECRET,
    }
    fields.update(overrides)
    return Volunteer.register(**fields)  # type: ignore[arg-type]


@pytest.fixture
def volunteer() -> Volunteer:
    registered, _ = register()
    registered.collect_events()
    return registered


# phone numbers


@pytest.mark.parametrize("raw", SPELLINGS)
def test_every_spelling_of_a_mobile_number_normalises_to_its_11_digits(raw: str) -> None:
    assert normalise_phone(raw) == "13800138000"


@pytest.mark.parametrize(
    "raw",
    [
        "010-62345678",  # Beijing landline, 11 digits once the dash is gone
        "0471-6912345",  # Hohhot landline
        "+86 471 6912345",
        "1380013800",  # 10 digits
        "138001380001",  # 12 digits
        "12800138000",  # no mobile range starts with 12
        "1380013800a",
        "abcdefghijk",
        "+1 138 0013 8000",
        "",
    ],
)
def test_landlines_short_numbers_and_letters_are_refused(raw: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        normalise_phone(raw)

    assert caught.value.code == "phone-invalid"


@pytest.mark.parametrize(
    "raw",
    [
        "１３８００１３８０００",  # typed entirely with full-width digits
        "138００138000",  # a few full-width digits slipped in
    ],
)
def test_a_number_typed_with_full_width_digits_normalises_to_the_same_ascii_digits(
    raw: str,
) -> None:
    # Chinese input methods often produce full-width digits; they name the same
    # phone, so they must not yield a different number (and a second claim).
    assert normalise_phone(raw) == "13800138000"


def test_a_registration_typed_with_full_width_digits_claims_the_same_phone() -> None:
    _, claim = register("138００138000")

    assert claim.phone == "13800138000"
    assert claim.id == PhoneClaim.id_for("13800138000", ID_SECRET)


def test_digits_of_other_scripts_are_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        normalise_phone("138٠٠138000")  # Arabic-Indic zeros

    assert caught.value.code == "phone-invalid"


# registration and the phone claim


def test_registering_returns_the_volunteer_and_records_every_field() -> None:
    volunteer, _ = register("+86 138-0013-8000", name="  张青 ")

    events = volunteer.collect_events()

    assert [type(e) for e in events] == [Volunteer.Registered]
    registered = events[0]
    assert registered.originator_id == volunteer.id
    assert (
        registered.name,
        registered.phone,
        registered.birth_date,
        registered.org_unit_id,
        registered.at,
    ) == ("张青", "13800138000", "2001-05-04", UNIT, AT)
    assert (volunteer.name, volunteer.phone, volunteer.birth_date, volunteer.org_unit_id) == (
        "张青",
        "13800138000",
        BORN,
        UNIT,
    )
    assert volunteer.is_suspended is False
    assert volunteer.suspension_reason is None


def test_registering_returns_a_phone_claim_for_the_volunteer() -> None:
    volunteer, claim = register("+86 138-0013-8000")

    events = claim.collect_events()

    assert [type(e) for e in events] == [PhoneClaim.Claimed]
    claimed = events[0]
    assert (claimed.originator_id, claimed.originator_version) == (claim.id, 1)
    assert (claimed.phone, claimed.volunteer_id, claimed.at) == (
        "13800138000",
        volunteer.id,
        AT,
    )
    assert (claim.phone, claim.volunteer_id) == ("13800138000", volunteer.id)


@pytest.mark.parametrize("raw", SPELLINGS)
def test_the_phone_claim_id_is_the_same_for_every_spelling_of_the_number(raw: str) -> None:
    _, claim = register(raw)

    assert claim.id == PhoneClaim.id_for(raw, ID_SECRET)
    assert claim.id == PhoneClaim.id_for("13800138000", ID_SECRET)


def test_the_phone_claim_id_cannot_be_recomputed_from_the_phone_alone() -> None:
    _, claim = register("13800138000")

    assert claim.id != derived_id("phone", "13800138000")
    assert PhoneClaim.ids_for("13800138000", ID_SECRET) == (
        claim.id,
        derived_id("phone", "13800138000"),
    )


def test_different_numbers_get_different_claims_and_volunteers_get_fresh_ids() -> None:
    first, first_claim = register("13800138000")
    second, second_claim = register("13900139000")

    assert first_claim.id != second_claim.id
    assert first.id != second.id


def test_registering_with_an_invalid_phone_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        register("0471-6912345")

    assert caught.value.code == "phone-invalid"


@pytest.mark.parametrize(
    "birth_date",
    [date(2026, 3, 3), date(2026, 3, 2), date(2030, 1, 1)],
)
def test_a_birth_date_today_or_in_the_future_is_refused(birth_date: date) -> None:
    with pytest.raises(InvalidValue) as caught:
        register(birth_date=birth_date)

    assert caught.value.code == "birth-date-invalid"


def test_the_birth_date_is_judged_against_the_local_date_not_the_utc_date() -> None:
    # 2026-03-01 17:00 UTC is already 2026-03-02 01:00 in Shanghai.
    evening_utc = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)

    volunteer, _ = register(birth_date=date(2026, 3, 1), at=evening_utc)
    with pytest.raises(InvalidValue) as caught:
        register(birth_date=date(2026, 3, 2), at=evening_utc)

    assert volunteer.birth_date == date(2026, 3, 1)
    assert caught.value.code == "birth-date-invalid"


def test_an_implausibly_early_birth_date_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        register(birth_date=date(1900, 1, 1))

    assert caught.value.code == "birth-date-invalid"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"name": " "}, "name-empty"),
        ({"name": "张" * 51}, "name-too-long"),
        ({"at": datetime(2026, 3, 2, 9, 0)}, "naive-datetime"),
        ({"time_zone_name": "Mars/Olympus"}, "time-zone-unknown"),
    ],
)
def test_registering_with_an_invalid_value_is_refused(
    overrides: dict[str, object], code: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        register(**overrides)

    assert caught.value.code == code


# profile


def test_changing_the_profile_emits_profile_changed_with_all_the_new_values(
    volunteer: Volunteer,
) -> None:
    volunteer.change_profile(at=LATER, org_unit_id=OTHER_UNIT)

    events = volunteer.collect_events()
    assert [type(e) for e in events] == [Volunteer.ProfileChanged]
    changed = events[0]
    assert (
        changed.name,
        changed.birth_date,
        changed.org_unit_id,
        changed.at,
        changed.originator_version,
    ) == ("张青", "2001-05-04", OTHER_UNIT, LATER, 2)
    assert volunteer.org_unit_id == OTHER_UNIT


def test_changing_name_and_birth_date_together_emits_one_event(volunteer: Volunteer) -> None:
    volunteer.change_profile(at=LATER, name=" 张小青 ", birth_date=date(2001, 6, 4))

    events = volunteer.collect_events()
    assert [type(e) for e in events] == [Volunteer.ProfileChanged]
    assert (events[0].name, events[0].birth_date, events[0].org_unit_id) == (
        "张小青",
        "2001-06-04",
        UNIT,
    )
    assert (volunteer.name, volunteer.birth_date) == ("张小青", date(2001, 6, 4))


def test_changing_the_profile_to_the_current_values_emits_nothing(volunteer: Volunteer) -> None:
    volunteer.change_profile(at=LATER)
    volunteer.change_profile(at=LATER, name="张青", birth_date=BORN, org_unit_id=UNIT)

    assert volunteer.collect_events() == []
    assert volunteer.version == 1


def test_changing_the_birth_date_to_the_future_is_refused(volunteer: Volunteer) -> None:
    with pytest.raises(InvalidValue) as caught:
        volunteer.change_profile(at=LATER, birth_date=date(2026, 3, 11))

    assert caught.value.code == "birth-date-invalid"
    assert volunteer.collect_events() == []
    assert volunteer.birth_date == BORN


def test_changing_the_profile_at_a_naive_instant_is_refused(volunteer: Volunteer) -> None:
    with pytest.raises(InvalidValue) as caught:
        volunteer.change_profile(at=datetime(2026, 3, 10, 6, 0), name="张小青")

    assert caught.value.code == "naive-datetime"


# suspension


def test_suspending_records_the_reason(volunteer: Volunteer) -> None:
    volunteer.suspend("  多次爽约 ", at=LATER)

    events = volunteer.collect_events()
    assert [type(e) for e in events] == [Volunteer.Suspended]
    assert (events[0].reason, events[0].at) == ("多次爽约", LATER)
    assert volunteer.is_suspended is True
    assert volunteer.suspension_reason == "多次爽约"


def test_suspending_without_a_reason_is_refused(volunteer: Volunteer) -> None:
    with pytest.raises(ReasonRequired) as caught:
        volunteer.suspend(" ", at=LATER)

    assert caught.value.code == "reason-required"
    assert volunteer.is_suspended is False
    assert volunteer.collect_events() == []


def test_suspending_a_suspended_volunteer_is_refused(volunteer: Volunteer) -> None:
    volunteer.suspend("多次爽约", at=LATER)
    volunteer.collect_events()

    with pytest.raises(AlreadyClosed) as caught:
        volunteer.suspend("再次停用", at=MUCH_LATER)

    assert caught.value.code == "volunteer-suspended"
    assert volunteer.suspension_reason == "多次爽约"
    assert volunteer.collect_events() == []


def test_reinstating_a_suspended_volunteer_clears_the_suspension(volunteer: Volunteer) -> None:
    volunteer.suspend("多次爽约", at=LATER)
    volunteer.reinstate(at=MUCH_LATER)

    events = volunteer.collect_events()
    assert [type(e) for e in events] == [Volunteer.Suspended, Volunteer.Reinstated]
    assert events[1].at == MUCH_LATER
    assert volunteer.is_suspended is False
    assert volunteer.suspension_reason is None


def test_reinstating_a_volunteer_who_is_not_suspended_is_refused(volunteer: Volunteer) -> None:
    with pytest.raises(NotAllowed) as caught:
        volunteer.reinstate(at=LATER)

    assert type(caught.value) is NotAllowed
    assert caught.value.code == "volunteer-not-suspended"
    assert volunteer.collect_events() == []


def test_require_active_refuses_only_a_suspended_volunteer(volunteer: Volunteer) -> None:
    volunteer.require_active()
    volunteer.suspend("多次爽约", at=LATER)

    with pytest.raises(AlreadyClosed) as caught:
        volunteer.require_active()

    assert caught.value.code == "volunteer-suspended"


# replay


def test_replaying_the_events_rebuilds_the_same_volunteer() -> None:
    volunteer, _ = register("+86 138-0013-8000")
    volunteer.change_profile(at=LATER, name="张小青", org_unit_id=OTHER_UNIT)
    volunteer.suspend("多次爽约", at=LATER)
    volunteer.reinstate(at=MUCH_LATER)
    volunteer.suspend("再次爽约", at=MUCH_LATER)
    events = volunteer.collect_events()

    agg = None
    for e in events:
        agg = e.mutate(agg)

    assert [type(e) for e in events] == [
        Volunteer.Registered,
        Volunteer.ProfileChanged,
        Volunteer.Suspended,
        Volunteer.Reinstated,
        Volunteer.Suspended,
    ]
    assert isinstance(agg, Volunteer)
    assert (
        agg.id,
        agg.version,
        agg.name,
        agg.phone,
        agg.birth_date,
        agg.org_unit_id,
        agg.suspension_reason,
    ) == (
        volunteer.id,
        5,
        "张小青",
        "13800138000",
        BORN,
        OTHER_UNIT,
        "再次爽约",
    )
    assert agg.version == volunteer.version


def test_replaying_the_claim_rebuilds_it_under_the_same_id() -> None:
    volunteer, claim = register("008613800138000")
    events = claim.collect_events()

    agg = None
    for e in events:
        agg = e.mutate(agg)

    assert isinstance(agg, PhoneClaim)
    assert (agg.id, agg.phone, agg.volunteer_id) == (
        PhoneClaim.id_for("13800138000", ID_SECRET),
        "13800138000",
        volunteer.id,
    )
