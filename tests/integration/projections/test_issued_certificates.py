"""The issued certificates read model, fed from the real application's log, on SQLite
and PostgreSQL: a volunteer's certificates newest first, paged in SQL, another's left
out; a rebuild equal to the incremental run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.domain.certificate import CertificateFacts, ServedMinutes
from grassroots.projections.certificates import (
    IssuedCertificates,
    certificates_of,
    issued_certificates,
)
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from tests.conftest import FakeClock
from tests.integration.builders import World, build_world, register_volunteer

NOW = datetime(2026, 4, 2, 3, 0, tzinfo=UTC)


def fake_pdf(facts: CertificateFacts) -> bytes:
    return f"%PDF {facts.serial} {facts.total_minutes}".encode()


def served(day: date, minutes: int) -> ServedMinutes:
    return ServedMinutes(uuid4(), day, "社区环境清洁", "东风社区青年之家", minutes)


@pytest.fixture
def world(app: Grassroots, clock: FakeClock) -> World:
    clock.set(NOW)
    return build_world(app)


def _read_side(app: Grassroots, read_engine: Engine, batch_size: int) -> ReadSide:
    log = EventLog(app.recorder, app.mapper)
    return ReadSide(read_engine, log, projections=[IssuedCertificates], batch_size=batch_size)


def _issue(app: Grassroots, volunteer: UUID, start: date, lines: list[ServedMinutes]) -> str:
    certificate, _pdf = app.issue_certificate(
        volunteer, start, date(2026, 3, 31), lines, render=fake_pdf
    )
    return certificate.serial


def test_a_volunteers_certificates_are_listed_newest_first_and_paged(
    app: Grassroots, world: World, clock: FakeClock, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=2)
    me = register_volunteer(app, world, phone="13800138000")
    other = register_volunteer(app, world, phone="13800138001")
    first = _issue(app, me, date(2026, 3, 1), [served(date(2026, 3, 7), 90)])
    clock.set(NOW + timedelta(minutes=5))
    _issue(app, other, date(2026, 3, 1), [served(date(2026, 3, 7), 30)])
    read_side.catch_up()
    clock.set(NOW + timedelta(minutes=10))
    second = _issue(
        app, me, date(2026, 3, 10), [served(date(2026, 3, 14), 60), served(date(2026, 3, 21), 45)]
    )
    # A third at the same instant as the second: the later write comes first.
    third = _issue(app, me, date(2026, 3, 20), [served(date(2026, 3, 21), 50)])
    read_side.catch_up()

    with read_engine.connect() as conn:
        mine = certificates_of(conn, me, limit=10)
        first_page = certificates_of(conn, me, limit=2)
        second_page = certificates_of(conn, me, limit=2, offset=2)
        nobodys = certificates_of(conn, uuid4(), limit=10)

    assert [c.serial for c in mine] == [third, second, first]
    assert [c.serial for c in first_page + second_page] == [third, second, first]
    assert nobodys == []
    newest = mine[1]
    assert (newest.volunteer_id, newest.from_day, newest.to_day) == (
        me,
        date(2026, 3, 10),
        date(2026, 3, 31),
    )
    assert (newest.line_count, newest.total_minutes) == (2, 105)
    assert newest.issued_at == NOW + timedelta(minutes=10)
    assert newest.issued_at.tzinfo is UTC


def test_rebuilding_from_the_log_gives_the_rows_of_the_incremental_run(
    app: Grassroots, world: World, clock: FakeClock, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=1)
    volunteers = [register_volunteer(app, world, phone=f"1380013800{n}") for n in range(3)]
    for n, volunteer in enumerate(volunteers):
        clock.set(NOW + timedelta(minutes=n))
        _issue(app, volunteer, date(2026, 3, 1), [served(date(2026, 3, 2 + n), 30 + n)])
        if n == 1:
            read_side.catch_up()
    _issue(app, volunteers[0], date(2026, 3, 5), [served(date(2026, 3, 9), 120)])
    read_side.catch_up()

    def rows() -> list[tuple[object, ...]]:
        with read_engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(
                    sa.select(issued_certificates).order_by(issued_certificates.c.serial)
                )
            ]

    incremental = rows()
    for runner in read_side.runners.values():
        runner.rebuild()

    assert len(incremental) == 4
    assert rows() == incremental
