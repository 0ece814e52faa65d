"""``grassroots demo``: a marked demo county on an empty store, read through the
ordinary read models, with accounts that log in; never on a store with events,
never in production."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from grassroots.api.app import create_app
from grassroots.application.accounts import password_hasher
from grassroots.application.service import Grassroots
from grassroots.bootstrap import api_config, build_application, build_read_side, shared_stores
from grassroots.demo import (
    DEMO_COUNTY_NAME,
    DEMO_PASSWORD,
    DemoLoaded,
    DemoRefused,
    demo_accounts,
    is_demo,
    load_demo,
)
from grassroots.demo_cli import load
from grassroots.domain.compliance import Month
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import IsoWeek
from grassroots.projections.activity_catalogue import centers, discover
from grassroots.projections.compliance.verdicts import unit_compliance
from grassroots.projections.problems import count_open_problems
from grassroots.projections.read_side import ReadSide
from grassroots.settings import Settings
from tests.conftest import FakeClock
from tests.databases import migrated

ENV = {"GRASSROOTS_SECRET_KEY": "d" * 48}
# A Thursday noon in Hohhot: the month is well under way, February is over.
NOW = datetime(2026, 3, 26, 4, 0, tzinfo=UTC)


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({**ENV, "GRASSROOTS_DATA_DIR": str(tmp_path), **env})


def _application(settings: Settings) -> Grassroots:
    migrated(settings.database_url, schema=settings.database_schema)
    app = build_application(settings, clock=FakeClock(NOW))
    app.use_password_hasher(password_hasher(fast=True))
    return app


@dataclass
class Demo:
    app: Grassroots
    read_side: ReadSide
    loaded: DemoLoaded
    client: TestClient[Litestar]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    settings = _settings(tmp_path_factory.mktemp("demo"))
    app = _application(settings)
    loaded = load_demo(app)
    read_side = build_read_side(settings, app)
    read_side.catch_up()
    config = api_config(settings)
    web = create_app(
        app,
        event_store_kind="sqlite",
        stores=shared_stores(config),
        read_side=read_side,
        config=config,
    )
    # Leaving the client ends the app's lifespan, which closes the read side and the store.
    with TestClient(app=web) as client:
        yield Demo(app, read_side, loaded, client)


def test_the_demo_builds_a_marked_county_with_centers_and_volunteers(demo: Demo) -> None:
    with demo.read_side.engine.connect() as conn:
        youth_centers = centers(conn, org_unit_id=demo.loaded.county_id)

    assert DEMO_COUNTY_NAME.endswith("（演示）")
    assert len(youth_centers) >= 5
    assert all(c.name.endswith("青年之家") for c in youth_centers)
    assert demo.loaded.volunteers >= 300
    assert demo.loaded.events > 5_000
    assert is_demo(demo.app)


def test_the_read_models_show_compliant_and_lagging_cadres_of_every_kind(demo: Demo) -> None:
    with demo.read_side.engine.connect() as conn:
        february = unit_compliance(conn, demo.loaded.county_id, Month(2026, 2), NOW)
        this_week = unit_compliance(conn, demo.loaded.county_id, IsoWeek(2026, 13), NOW)

    february_statuses = Counter(c.judgement.status.value for c in february.cadres)
    assert {c.kind for c in february.cadres} == {"full_time", "seconded", "part_time"}
    assert february_statuses["met"] >= 3
    assert february_statuses["missed"] >= 2
    assert february.behind_or_missed
    assert {c.judgement.status.value for c in this_week.cadres} - {"met"}


def test_the_read_models_show_open_and_closed_problems(demo: Demo) -> None:
    with demo.read_side.engine.connect() as conn:
        still_open = count_open_problems(conn, demo.loaded.county_id)

    assert still_open > 0
    assert demo.loaded.problems > still_open


def test_past_activities_were_attended_and_coming_ones_have_sign_ups(demo: Demo) -> None:
    with demo.read_side.engine.connect() as conn:
        past = discover(conn, starts_from=NOW - timedelta(weeks=8), starts_to=NOW, limit=500)
        coming = discover(conn, starts_from=NOW, starts_to=NOW + timedelta(weeks=2), limit=500)

    assert len(past) >= 80
    assert len(coming) >= 10
    assert sum(a.signed_up for a in coming) > 0
    assert any(a.waiting for a in past + coming)


def test_the_demo_accounts_log_in_through_the_api_with_their_roles(demo: Demo) -> None:
    accounts = demo_accounts(demo.app)

    answers = {
        account.phone: demo.client.post(
            "/api/v1/sessions", json={"phone": account.phone, "password": DEMO_PASSWORD}
        )
        for account in accounts
    }

    assert {a.role for a in accounts} == {
        "administrator",
        "supervisor",
        "center_staff",
        "cadre",
        "volunteer",
    }
    for account in accounts:
        answer = answers[account.phone]
        assert answer.status_code == 201, answer.text
        roles = {g["role"] for g in answer.json()["account"]["grants"]}
        assert roles == {account.role}


def test_the_first_screen_of_a_demo_store_lists_its_accounts_and_their_password(
    demo: Demo,
) -> None:
    page = demo.client.get("/").text

    assert "示例县（演示）" in page
    assert DEMO_PASSWORD in page
    for account in demo_accounts(demo.app):
        assert f'href="/login?phone={account.phone}"' in page
        assert account.name in page


def test_the_supervisor_reads_the_demo_county_through_the_api(demo: Demo) -> None:
    county = demo.loaded.county_id
    session = demo.client.post(
        "/api/v1/sessions", json={"phone": "19900000002", "password": DEMO_PASSWORD}
    )
    headers = {"Authorization": f"Bearer {session.json()['access_token']}"}

    february = demo.client.get(
        f"/api/v1/org-units/{county}/compliance?period=month&date=2026-02-15", headers=headers
    )
    problems = demo.client.get(f"/api/v1/org-units/{county}/problems", headers=headers)

    assert february.status_code == 200, february.text
    assert february.json()["met"] >= 3
    assert february.json()["missed"] >= 2
    assert problems.status_code == 200, problems.text
    assert problems.json()["items"]


def test_a_store_that_is_not_a_demo_lists_no_demo_accounts(tmp_path: Path) -> None:
    app = _application(_settings(tmp_path))

    assert demo_accounts(app) == []
    assert not is_demo(app)


def test_the_demo_is_refused_on_a_store_with_events_and_writes_nothing(tmp_path: Path) -> None:
    app = _application(_settings(tmp_path))
    app.create_org_unit(name="真实的区", level=OrgLevel.REGION, parent_id=None)
    before = app.recorder.max_notification_id()

    with pytest.raises(DemoRefused, match="already has events"):
        load_demo(app)

    assert app.recorder.max_notification_id() == before
    assert not is_demo(app)


def test_the_command_refuses_production_mode_and_writes_nothing(tmp_path: Path) -> None:
    settings = _settings(tmp_path, GRASSROOTS_MODE="production")
    err = io.StringIO()

    code = load(settings, out=io.StringIO(), err=err)

    assert code == 1
    assert "production" in err.getvalue()
    assert not (tmp_path / "grassroots.sqlite3").exists()
    with pytest.raises(DemoRefused, match="production"):
        load_demo(_application(_settings(tmp_path)), production=True)


def test_the_command_loads_once_and_then_only_lists_the_accounts(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first, second = io.StringIO(), io.StringIO()

    assert load(settings, out=first, err=io.StringIO()) == 0
    written = _events(settings)
    assert load(settings, out=second, err=io.StringIO()) == 0

    assert "19900000001" in first.getvalue()
    assert DEMO_PASSWORD in first.getvalue()
    assert "already holds the demo" in second.getvalue()
    assert "19900000006" in second.getvalue()
    assert _events(settings) == written


def _events(settings: Settings) -> int:
    app = build_application(settings)
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()
