"""Shared value objects: derived ids, aware instants, local days and weeks, places and fences."""

from __future__ import annotations

import json
import math
import random
import re
from datetime import UTC, date, datetime, timedelta, timezone
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

import jsonschema_rs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grassroots.domain.errors import InvalidValue, ReasonRequired
from grassroots.domain.values import (
    FIRST_DAY,
    FIRST_INSTANT,
    ID_NAMESPACE,
    LAST_DAY,
    LAST_INSTANT,
    Geofence,
    GeoPoint,
    IsoWeek,
    derived_id,
    in_utc,
    iso_week_of,
    local_date,
    mask_name,
    require_aware,
    require_day,
    require_instant,
    require_reason,
    require_text,
    require_year,
    text_rule_pattern,
    time_zone,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOHHOT = GeoPoint(40.8426, 111.7492)
BAOTOU = GeoPoint(40.6574, 109.8403)
CADRE = UUID("11111111-1111-4111-8111-111111111111")

# About 111.2 km per degree of latitude: 0.001° north is roughly 111 m.
METRES_PER_DEGREE_LAT = math.pi * 6_371_008.8 / 180


def north_of(point: GeoPoint, metres: float) -> GeoPoint:
    return GeoPoint(point.lat + metres / METRES_PER_DEGREE_LAT, point.lon)


# derived ids


def test_a_derived_id_is_the_same_for_the_same_kind_and_parts() -> None:
    first = derived_id("contact", CADRE, "13800138000")
    second = derived_id("contact", UUID(str(CADRE)), "13800138000")

    assert first == second
    assert first == uuid5(ID_NAMESPACE, f'["contact", "{CADRE}", "13800138000"]')
    assert first.version == 5


def test_ids_named_by_ids_are_those_the_json_name_gives() -> None:
    # Ids already stored were derived from the JSON text; the shortcut for
    # names made only of ids must give the very same ids.
    rng = random.Random(7)
    for _ in range(200):
        parts = [UUID(int=rng.getrandbits(128), version=4) for _ in range(rng.randint(0, 3))]
        name = json.dumps(["attendance", *(str(p) for p in parts)], ensure_ascii=False)
        assert derived_id("attendance", *parts) == uuid5(ID_NAMESPACE, name)
    # A kind the shortcut does not take is still named through JSON.
    assert derived_id('we"ird', CADRE) == uuid5(
        ID_NAMESPACE, json.dumps(['we"ird', str(CADRE)], ensure_ascii=False)
    )


def test_parts_that_contain_the_separator_do_not_collide_with_split_parts() -> None:
    assert derived_id("k", "a/b") != derived_id("k", "a", "b")


def test_derived_ids_of_different_kinds_differ_for_the_same_parts() -> None:
    assert derived_id("phone", "13800138000") != derived_id("contact", "13800138000")


def test_derived_ids_differ_when_a_part_differs_or_the_parts_are_reordered() -> None:
    base = derived_id("attendance", "a", "b")

    assert derived_id("attendance", "a", "c") != base
    assert derived_id("attendance", "b", "a") != base
    assert derived_id("attendance", "a") != base


# aware instants


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        require_aware(datetime(2026, 3, 2, 9, 0), "starts_at")

    assert caught.value.code == "naive-datetime"
    assert "starts_at" in caught.value.message


def test_an_aware_datetime_is_returned_unchanged() -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))

    assert require_aware(at) is at


def test_in_utc_gives_the_same_instant_with_utc_as_its_zone() -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)

    utc = in_utc(at)

    assert utc == at
    assert utc.tzinfo is UTC
    assert utc.hour == 1


def test_in_utc_subtracts_across_a_daylight_saving_change_by_the_clock_of_instants() -> None:
    # Berlin's clocks went forward at 02:00 on 29 March 2026: 01:30 to 03:30 is one hour.
    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2026, 3, 29, 1, 30, tzinfo=berlin)
    after = datetime(2026, 3, 29, 3, 30, tzinfo=berlin)

    assert after - before == timedelta(hours=2)  # the wall clock's answer
    assert in_utc(after) - in_utc(before) == timedelta(hours=1)


def test_in_utc_refuses_a_naive_datetime_by_its_name() -> None:
    with pytest.raises(InvalidValue) as caught:
        in_utc(datetime(2026, 3, 2, 9, 0), "checked_in_at")

    assert caught.value.code == "naive-datetime"
    assert "checked_in_at" in caught.value.message


def test_local_date_refuses_a_naive_datetime() -> None:
    with pytest.raises(InvalidValue) as caught:
        local_date(datetime(2026, 3, 2, 9, 0), SHANGHAI)

    assert caught.value.code == "naive-datetime"


# text and reasons


def test_text_is_stripped_and_empty_or_overlong_text_is_refused() -> None:
    assert require_text("  青年之家  ", "name") == "青年之家"

    with pytest.raises(InvalidValue) as empty:
        require_text("   ", "name")
    with pytest.raises(InvalidValue) as too_long:
        require_text("x" * 11, "title", max_length=10)

    assert empty.value.code == "name-empty"
    assert too_long.value.code == "title-too-long"
    assert require_text("x" * 10, "title", max_length=10) == "x" * 10


def test_a_blank_reason_is_refused_as_reason_required() -> None:
    with pytest.raises(ReasonRequired) as caught:
        require_reason(" \n ")

    assert caught.value.code == "reason-required"
    assert require_reason("  moved away ") == "moved away"


def test_an_overlong_reason_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        require_reason("x" * 501)

    assert caught.value.code == "reason-too-long"


# time zones, local days and ISO weeks


def test_an_unknown_time_zone_is_refused() -> None:
    with pytest.raises(InvalidValue) as caught:
        time_zone("Asia/Atlantis")

    assert caught.value.code == "time-zone-unknown"


def test_a_known_time_zone_is_returned() -> None:
    assert time_zone("Asia/Shanghai") == SHANGHAI


def test_the_local_date_in_shanghai_turns_at_16_00_utc() -> None:
    assert local_date(datetime(2026, 3, 2, 15, 59, 59, tzinfo=UTC), SHANGHAI) == date(2026, 3, 2)
    assert local_date(datetime(2026, 3, 2, 16, 0, tzinfo=UTC), SHANGHAI) == date(2026, 3, 3)


def test_an_early_morning_in_shanghai_is_still_the_previous_day_in_utc() -> None:
    at = datetime(2026, 3, 2, 7, 30, tzinfo=SHANGHAI)

    assert local_date(at, SHANGHAI) == date(2026, 3, 2)
    assert local_date(at, ZoneInfo("UTC")) == date(2026, 3, 1)


def test_sunday_23_30_in_shanghai_still_belongs_to_that_iso_week() -> None:
    sunday_late = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai

    day = local_date(sunday_late, SHANGHAI)

    assert day == date(2026, 3, 8)
    assert iso_week_of(day) == IsoWeek(2026, 10)


def test_monday_00_30_in_shanghai_starts_the_next_iso_week_though_utc_is_still_sunday() -> None:
    monday_early = datetime(2026, 3, 8, 16, 30, tzinfo=UTC)  # 00:30 Monday in Shanghai

    day = local_date(monday_early, SHANGHAI)

    assert day == date(2026, 3, 9)
    assert iso_week_of(day) == IsoWeek(2026, 11)


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2026, 12, 28), IsoWeek(2026, 53)),
        (date(2026, 12, 31), IsoWeek(2026, 53)),
        (date(2027, 1, 1), IsoWeek(2026, 53)),
        (date(2027, 1, 3), IsoWeek(2026, 53)),
        (date(2027, 1, 4), IsoWeek(2027, 1)),
        (date(2025, 12, 29), IsoWeek(2026, 1)),
        (date(2026, 1, 1), IsoWeek(2026, 1)),
    ],
)
def test_days_at_the_turn_of_the_year_belong_to_their_iso_week(day: date, week: IsoWeek) -> None:
    assert iso_week_of(day) == week


def test_new_years_eve_2026_late_evening_in_shanghai_is_in_2026_w53() -> None:
    new_year_utc = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)  # 2027-01-01 00:30 in Shanghai

    day = local_date(new_year_utc, SHANGHAI)

    assert day == date(2027, 1, 1)
    assert iso_week_of(day) == IsoWeek(2026, 53)


def test_an_iso_week_knows_its_monday_its_days_and_its_name() -> None:
    week = IsoWeek(2026, 53)

    assert week.monday == date(2026, 12, 28)
    assert week.days() == [date(2026, 12, 28) + timedelta(days=i) for i in range(7)]
    assert week.days()[-1] == date(2027, 1, 3)
    assert str(week) == "2026-W53"
    assert str(IsoWeek(2027, 1)) == "2027-W01"


def test_iso_weeks_order_by_year_then_week() -> None:
    assert IsoWeek(2026, 53) < IsoWeek(2027, 1) < IsoWeek(2027, 2)


# geographic points


@pytest.mark.parametrize(("lat", "lon"), [(90.0, 180.0), (-90.0, -180.0), (0.0, 0.0)])
def test_a_point_on_the_edge_of_the_valid_range_is_accepted(lat: float, lon: float) -> None:
    point = GeoPoint(lat, lon)

    assert (point.lat, point.lon) == (lat, lon)


@pytest.mark.parametrize("lat", [90.0001, -90.0001, math.nan, math.inf, -math.inf])
def test_a_latitude_out_of_range_is_refused(lat: float) -> None:
    with pytest.raises(InvalidValue) as caught:
        GeoPoint(lat, 111.0)

    assert caught.value.code == "latitude-invalid"


@pytest.mark.parametrize("lon", [180.0001, -180.0001, math.nan, math.inf])
def test_a_longitude_out_of_range_is_refused(lon: float) -> None:
    with pytest.raises(InvalidValue) as caught:
        GeoPoint(40.0, lon)

    assert caught.value.code == "longitude-invalid"


def test_hohhot_to_baotou_is_about_162_km() -> None:
    distance = HOHHOT.distance_m(BAOTOU)

    assert distance == pytest.approx(162_000, rel=0.01)


def test_distance_is_symmetric_and_zero_to_itself() -> None:
    assert HOHHOT.distance_m(BAOTOU) == pytest.approx(BAOTOU.distance_m(HOHHOT))
    assert HOHHOT.distance_m(HOHHOT) == 0.0


def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert GeoPoint(40.0, 111.0).distance_m(GeoPoint(41.0, 111.0)) == pytest.approx(
        111_195, rel=0.001
    )


# geofences


def test_a_position_inside_the_fence_is_admitted() -> None:
    fence = Geofence(HOHHOT, 200.0)

    assert fence.admits(north_of(HOHHOT, 150), accuracy_m=0.0) is True


def test_a_position_outside_the_fence_with_a_precise_fix_is_not_admitted() -> None:
    fence = Geofence(HOHHOT, 200.0)

    assert fence.admits(north_of(HOHHOT, 260), accuracy_m=10.0) is False


def test_a_position_just_outside_is_admitted_when_its_accuracy_circle_touches_the_fence() -> None:
    fence = Geofence(HOHHOT, 200.0)
    position = north_of(HOHHOT, 260)

    assert fence.admits(position, accuracy_m=70.0) is True
    assert fence.admits(position, accuracy_m=50.0) is False


def test_a_fix_less_accurate_than_the_maximum_is_not_admitted_even_at_the_centre() -> None:
    fence = Geofence(HOHHOT, 200.0, max_accuracy_m=100.0)

    assert fence.admits(HOHHOT, accuracy_m=100.0) is True
    assert fence.admits(HOHHOT, accuracy_m=100.5) is False
    assert fence.admits(HOHHOT, accuracy_m=5_000.0) is False


@pytest.mark.parametrize("accuracy", [-1.0, math.nan, math.inf])
def test_a_negative_or_non_finite_accuracy_is_refused(accuracy: float) -> None:
    fence = Geofence(HOHHOT, 200.0)

    with pytest.raises(InvalidValue) as caught:
        fence.admits(HOHHOT, accuracy_m=accuracy)

    assert caught.value.code == "accuracy-invalid"


@pytest.mark.parametrize("radius", [9.99, 5_000.01, 0.0, -50.0, math.nan, math.inf])
def test_a_geofence_radius_outside_10_to_5000_metres_is_refused(radius: float) -> None:
    with pytest.raises(InvalidValue) as caught:
        Geofence(HOHHOT, radius)

    assert caught.value.code == "geofence-radius-invalid"


@pytest.mark.parametrize("radius", [10.0, 5_000.0])
def test_a_geofence_radius_at_the_limits_is_accepted(radius: float) -> None:
    assert Geofence(HOHHOT, radius).radius_m == radius


@pytest.mark.parametrize(
    "text",
    [
        "a\x00b",
        "title\x07",
        "\x1bname",
        "x\x7f",
        "line\x85next",  # C1 "next line"
        "csi\x9b31m",  # C1 escape introducer
        "\x80",
        "abc\u202edcba",  # right-to-left override
        "a\u202ab",
        "\u2066isolate\u2069",
        "lone \ud800 surrogate",
        "\udfff",
        # str.strip() would drop these at the ends: refused there too.
        "name\x1f",
        "\x85name",
    ],
)
def test_text_with_control_characters_is_refused(text: str) -> None:
    for multiline in (False, True):
        with pytest.raises(InvalidValue) as refused:
            require_text(text, "title", multiline=multiline)
        assert refused.value.code == "text-control-character"


@pytest.mark.parametrize("text", ["第一行\n第二行", "a\tb", "a\r\nb", "a\rb"])
def test_a_single_line_text_refuses_tabs_and_line_breaks(text: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        require_text(text, "title")
    assert refused.value.code == "text-control-character"


def test_a_multi_line_text_keeps_tabs_and_line_feeds_and_reads_cr_lf_as_a_line_feed() -> None:
    assert require_text("第一行\n第二行\tend", "description", multiline=True) == (
        "第一行\n第二行\tend"
    )
    assert require_text("一\r\n二", "description", multiline=True) == "一\n二"


def test_a_lone_carriage_return_is_refused_even_in_multi_line_text() -> None:
    with pytest.raises(InvalidValue):
        require_text("overwrite\rme", "description", multiline=True)


def test_a_reason_keeps_to_the_text_rule() -> None:
    with pytest.raises(InvalidValue) as refused:
        require_reason("a\u202eb")
    assert refused.value.code == "text-control-character"
    assert require_reason("第一行\n第二行") == "第一行\n第二行"


@pytest.mark.parametrize(
    "text",
    [
        "青年之家 😀",
        "ᠮᠣᠩᠭᠣᠯ\u180eᠪᠢᠴᠢᠭ",  # Mongolian script with its vowel separator
        "שלום\u200fעולם",  # right-to-left mark
        "𠀀𪚥",  # beyond the basic plane, as surrogate pairs in JSON
        "\u00a0non-breaking",
    ],
)
def test_ordinary_text_of_any_script_is_accepted(text: str) -> None:
    assert require_text(text, "name") == text.strip()


# the one range of instants and days


@pytest.mark.parametrize(
    "at",
    [
        FIRST_INSTANT,
        LAST_INSTANT,
        datetime(2000, 1, 1, 14, tzinfo=timezone(timedelta(hours=14))),
        datetime(2100, 12, 31, 9, 59, tzinfo=timezone(timedelta(hours=-14))),
    ],
)
def test_instants_at_the_ends_of_the_range_are_accepted(at: datetime) -> None:
    assert require_instant(at, "starts_at") is at


@pytest.mark.parametrize(
    "at",
    [
        FIRST_INSTANT - timedelta(microseconds=1),
        LAST_INSTANT + timedelta(microseconds=1),
        datetime(2000, 1, 1, 13, 59, tzinfo=timezone(timedelta(hours=14))),
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-14))),
        datetime(9999, 12, 31, 22, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
        datetime.max.replace(tzinfo=UTC),
    ],
)
def test_instants_outside_the_range_are_refused_without_overflowing(at: datetime) -> None:
    with pytest.raises(InvalidValue) as refused:
        require_instant(at, "starts_at")
    assert refused.value.code == "instant-out-of-range"


def test_a_naive_instant_is_refused_before_its_range_is_checked() -> None:
    with pytest.raises(InvalidValue) as refused:
        require_instant(datetime(2026, 3, 7, 9), "starts_at")
    assert refused.value.code == "naive-datetime"


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1999, 12, 31), date(2101, 1, 1), date.max])
def test_days_outside_the_range_are_refused(day: date) -> None:
    with pytest.raises(InvalidValue) as refused:
        require_day(day)
    assert refused.value.code == "instant-out-of-range"


@pytest.mark.parametrize("year", [1, 1999, 2101, 9999, True])
def test_years_outside_the_range_are_refused(year: int) -> None:
    with pytest.raises(InvalidValue):
        require_year(year)


@pytest.mark.parametrize("zone", ["Etc/GMT+12", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
def test_every_day_week_and_month_derived_at_the_ends_of_the_range_is_representable(
    zone: str,
) -> None:
    """The range's point: local days and their periods' bounds never overflow."""
    for at in (FIRST_INSTANT, LAST_INSTANT):
        day = local_date(at, ZoneInfo(zone))
        week = iso_week_of(day)
        assert week.days()[-1] + timedelta(days=1) > week.monday - timedelta(days=1)
        month_after = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        assert month_after > day
        assert FIRST_DAY - timedelta(days=7) < day < LAST_DAY + timedelta(days=7)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("张三", "张*"),
        ("张", "张*"),
        ("李小明", "李**"),
        ("欧阳娜娜", "欧***"),
        ("爱新觉罗溥仪", "爱*****"),
        ("  王五 ", "王*"),
        ("Alice", "A****"),
        ("", "*"),
    ],
)
def test_a_masked_name_keeps_only_its_first_character_and_a_star_for_each_other(
    name: str, shown: str
) -> None:
    assert mask_name(name) == shown


def _kept(text: str, *, multiline: bool, required: bool) -> bool:
    try:
        require_text(text, "title", multiline=multiline, required=required, max_length=10_000)
    except InvalidValue:
        return False
    return True


# Texts near the rule's edges: every refused range, the kept marks, white space only.
# No surrogates: a schema's pattern runs over Unicode scalar values, which hold none.
_EDGY = st.text(
    alphabet=st.sampled_from(
        "a青 \t\n\r\u3000\x00\x08\x0b\x1f\x7f\x85\x9f\u200e\u200f\u202a\u202e\u2066\u2069\U00020000"
    ),
    max_size=6,
)


@given(text=_EDGY, multiline=st.booleans(), required=st.booleans())
@example(text="一\r\n二", multiline=True, required=True)
@example(text="一\r二", multiline=True, required=False)
@example(text="\u3000 \t", multiline=True, required=True)
@example(text="名字\n", multiline=False, required=True)
def test_the_rules_pattern_matches_exactly_the_texts_the_rule_keeps(
    text: str, multiline: bool, required: bool
) -> None:
    pattern = re.compile(text_rule_pattern(multiline=multiline, required=required))

    assert (pattern.fullmatch(text) is not None) == _kept(
        text, multiline=multiline, required=required
    )


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize("required", [False, True])
def test_a_json_schema_validator_takes_the_rules_pattern_and_applies_it(
    multiline: bool, required: bool
) -> None:
    # A validator that cannot compile a pattern drops it, and the document would
    # state a rule nobody checks (a surrogate range did that).
    schema = {
        "type": "string",
        "pattern": text_rule_pattern(multiline=multiline, required=required),
    }
    validator = jsonschema_rs.validator_for(schema)

    assert validator.is_valid("东风社区 青年之家")
    assert not validator.is_valid("名字\u202e")
    assert validator.is_valid("") is not required
    assert validator.is_valid("第一行\n第二行") is multiline
