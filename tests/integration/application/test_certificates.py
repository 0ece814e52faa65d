"""Issuing a certificate of volunteer service and reading it back by serial, on every store."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from grassroots.application.certificates import CertificateNotReproducible
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.certificate import CertificateFacts, ServedMinutes
from grassroots.domain.errors import InvalidValue, NotAllowed
from tests.conftest import DURABLE, FakeClock
from tests.integration.builders import build_world, register_volunteer

NOW = datetime(2026, 4, 2, 3, 0, tzinfo=UTC)


def fake_pdf(facts: CertificateFacts) -> bytes:
    """A stand-in renderer: the same facts give the same bytes, other facts others."""
    lines = ";".join(f"{line.day}|{line.activity_title}|{line.minutes}" for line in facts.lines)
    return f"%PDF {facts.serial} {facts.volunteer_name} {lines}".encode()


def served(day: date, minutes: int, attendance: UUID | None = None) -> ServedMinutes:
    return ServedMinutes(attendance or uuid4(), day, "社区环境清洁", "东风社区青年之家", minutes)


@pytest.fixture
def volunteer(app: Grassroots, clock: FakeClock) -> UUID:
    clock.set(NOW)
    return register_volunteer(app, build_world(app))


@DURABLE
def test_an_issued_certificate_is_read_back_by_its_serial_from_another_process(
    app: Grassroots, open_app: Callable[[], Grassroots], volunteer: UUID
) -> None:
    certificate, pdf = app.issue_certificate(
        volunteer,
        date(2026, 3, 1),
        date(2026, 3, 31),
        [served(date(2026, 3, 7), 90), served(date(2026, 3, 21), 60), served(date(2026, 4, 1), 30)],
        render=fake_pdf,
    )
    found = open_app().certificate(certificate.serial.lower().replace("-", ""))
    assert found.volunteer_id == volunteer
    assert found.facts.volunteer_name == "王小明"
    assert found.total_minutes == 150
    assert [line.day for line in found.facts.lines] == [date(2026, 3, 7), date(2026, 3, 21)]
    assert found.facts.issued_at == NOW
    assert found.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert found.certifies(hashlib.sha256(pdf).hexdigest())


def test_the_pdf_is_rendered_again_byte_for_byte_and_refused_when_it_no_longer_is(
    app: Grassroots, volunteer: UUID
) -> None:
    certificate, pdf = app.issue_certificate(
        volunteer,
        date(2026, 3, 1),
        date(2026, 3, 31),
        [served(date(2026, 3, 7), 90)],
        render=fake_pdf,
    )
    assert app.certificate_pdf(app.certificate(certificate.serial), render=fake_pdf) == pdf
    with pytest.raises(CertificateNotReproducible):
        app.certificate_pdf(certificate, render=lambda facts: fake_pdf(facts) + b" ")


def test_a_period_ending_after_today_in_the_volunteers_zone_is_refused(
    app: Grassroots, volunteer: UUID
) -> None:
    # 03:00 UTC on 2 April is 11:00 in Shanghai: the 2nd may end a period, the 3rd not.
    app.issue_certificate(
        volunteer,
        date(2026, 4, 1),
        date(2026, 4, 2),
        [served(date(2026, 4, 2), 60)],
        render=fake_pdf,
    )
    with pytest.raises(InvalidValue) as refused:
        app.issue_certificate(
            volunteer,
            date(2026, 4, 1),
            date(2026, 4, 3),
            [served(date(2026, 4, 2), 60)],
            render=fake_pdf,
        )
    assert refused.value.code == "certificate-period-in-future"


def test_nothing_is_recorded_for_a_period_without_service(app: Grassroots, volunteer: UUID) -> None:
    before = app.recorder.max_notification_id()
    with pytest.raises(NotAllowed):
        app.issue_certificate(volunteer, date(2026, 3, 1), date(2026, 3, 31), [], render=fake_pdf)
    assert app.recorder.max_notification_id() == before


def test_an_unknown_or_malformed_serial_is_not_found(app: Grassroots) -> None:
    with pytest.raises(NotFound):
        app.certificate("0000-0000-0000")
    with pytest.raises(NotFound):
        app.certificate("not a serial")
