"""Certificates of volunteer service: the period, the lines, the total, the serial."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from grassroots.domain.certificate import (
    Certificate,
    CertificateFacts,
    ServedMinutes,
    certificate_lines,
    check_period,
    display_hours,
    draw_up,
    normalise_serial,
    serial_from,
    total_minutes,
)
from grassroots.domain.errors import InvalidValue, NotAllowed
from grassroots.domain.values import mask_name

AT = datetime(2026, 4, 2, 3, 0, tzinfo=UTC)
TODAY = date(2026, 4, 2)
FIRST = UUID("11111111-1111-4111-8111-111111111111")
SECOND = UUID("22222222-2222-4222-8222-222222222222")
THIRD = UUID("33333333-3333-4333-8333-333333333333")
DIGEST = "ab" * 32


def served(attendance: UUID, day: date, minutes: int, title: str = "社区环境清洁") -> ServedMinutes:
    return ServedMinutes(attendance, day, title, "东风社区青年之家", minutes)


def facts(**overrides: object) -> CertificateFacts:
    fields: dict[str, object] = {
        "serial": serial_from(bytes(range(8))),
        "volunteer_name": "王小明",
        "from_day": date(2026, 3, 1),
        "to_day": date(2026, 3, 31),
        "served": [served(FIRST, date(2026, 3, 7), 90)],
        "today": TODAY,
        "at": AT,
    }
    return draw_up(**(fields | overrides))  # type: ignore[arg-type]


def test_a_period_may_end_today_and_last_a_leap_year() -> None:
    check_period(date(2025, 4, 3), TODAY, today=TODAY)
    check_period(date(2024, 1, 1), date(2024, 12, 31), today=TODAY)


@pytest.mark.parametrize(
    ("from_day", "to_day", "code"),
    [
        (date(2026, 3, 31), date(2026, 3, 1), "certificate-period-invalid"),
        (date(2025, 1, 1), date(2026, 1, 2), "certificate-period-too-long"),
        (date(2026, 3, 1), date(2026, 4, 3), "certificate-period-in-future"),
        (date(1999, 12, 31), date(2000, 1, 1), "instant-out-of-range"),
    ],
)
def test_a_period_backwards_over_a_year_unfinished_or_out_of_range_is_refused(
    from_day: date, to_day: date, code: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_period(from_day, to_day, today=TODAY)
    assert refused.value.code == code


def test_only_lines_served_in_the_period_count_both_ends_included() -> None:
    lines = certificate_lines(
        [
            served(FIRST, date(2026, 2, 28), 60),
            served(SECOND, date(2026, 3, 1), 30),
            served(THIRD, date(2026, 3, 31), 45),
            served(UUID(int=4), date(2026, 4, 1), 60),
        ],
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    assert [(line.day, line.minutes) for line in lines] == [
        (date(2026, 3, 1), 30),
        (date(2026, 3, 31), 45),
    ]


def test_corrections_of_an_attendance_are_summed_into_its_line_and_nothing_left_is_dropped() -> (
    None
):
    lines = certificate_lines(
        [
            served(FIRST, date(2026, 3, 7), 120),
            served(SECOND, date(2026, 3, 8), 60, title="敬老院探访"),
            served(FIRST, date(2026, 3, 7), -30),
            served(SECOND, date(2026, 3, 8), -60, title="敬老院探访"),
        ],
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    assert [(line.activity_title, line.minutes) for line in lines] == [("社区环境清洁", 90)]


def test_lines_are_ordered_by_day_then_title() -> None:
    lines = certificate_lines(
        [
            served(FIRST, date(2026, 3, 9), 60, title="乙"),
            served(SECOND, date(2026, 3, 2), 60, title="丙"),
            served(THIRD, date(2026, 3, 9), 60, title="甲"),
        ],
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    # Same day: by title in code-point order (乙 U+4E59 before 甲 U+7532).
    assert [line.activity_title for line in lines] == ["丙", "乙", "甲"]


def test_the_total_is_whole_minutes_and_hours_appear_only_when_shown() -> None:
    lines = certificate_lines(
        [served(FIRST, date(2026, 3, 7), 90), served(SECOND, date(2026, 3, 8), 50)],
        date(2026, 3, 1),
        date(2026, 3, 31),
    )
    assert total_minutes(lines) == 140
    assert [display_hours(m) for m in (750, 120, 50, 0, 1)] == ["12.5", "2", "0.83", "0", "0.02"]


def test_a_period_without_credited_service_is_refused() -> None:
    with pytest.raises(NotAllowed) as refused:
        facts(served=[served(FIRST, date(2026, 2, 7), 90)])
    assert refused.value.code == "certificate-empty"


def test_a_serial_is_twelve_crockford_characters_in_three_groups_safe_for_qr_alphanumeric() -> None:
    for seed in (bytes(8), b"\xff" * 8, bytes(range(8)), b"certific"):
        serial = serial_from(seed)
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}", serial)
    assert serial_from(bytes(8)) != serial_from(b"\x00" * 7 + b"\x10")


def test_a_serial_typed_in_lower_case_without_hyphens_or_with_look_alikes_is_the_same() -> None:
    serial = serial_from(b"certific")
    typed = serial.replace("-", "").lower().replace("1", "l").replace("0", "o")
    assert normalise_serial(typed) == serial
    assert Certificate.id_for(typed) == Certificate.id_for(serial)


@pytest.mark.parametrize("typed", ["", "ABCD-EFGH", "ABCD-EFGH-JKMNP", "ABCD-EFGH-JKMU", "../../x"])
def test_what_cannot_be_a_serial_is_refused(typed: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        normalise_serial(typed)
    assert refused.value.code == "certificate-serial-invalid"


def test_an_issued_certificate_keeps_its_facts_and_certifies_only_its_own_digest() -> None:
    drawn = facts()
    certificate = Certificate.issue(drawn, volunteer_id=FIRST, pdf_sha256=DIGEST)
    assert certificate.id == Certificate.id_for(certificate.serial)
    assert certificate.facts == drawn
    assert certificate.total_minutes == 90
    assert certificate.certifies(DIGEST)
    assert certificate.certifies(DIGEST.upper())
    assert not certificate.certifies("ab" * 31 + "ac")


def test_a_certificate_needs_a_real_digest() -> None:
    with pytest.raises(InvalidValue):
        Certificate.issue(facts(), volunteer_id=FIRST, pdf_sha256="not a digest")


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("王小明", "王**"), ("欧阳娜娜", "欧***"), ("李", "李*")]
)
def test_a_name_shown_to_the_public_keeps_only_its_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked
