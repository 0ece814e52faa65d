"""The weekly dispatch page over the demo county: the read model's verdicts, in words,
for supervisors of the unit only; a cadre's week; the month's bulletin files."""

from __future__ import annotations

import html
import io
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook

from grassroots.api.app import create_app
from grassroots.application.accounts import password_hasher
from grassroots.application.service import Grassroots
from grassroots.bootstrap import api_config, build_application, build_read_side, shared_stores
from grassroots.cjk_font import DEFAULT_CJK_FONT
from grassroots.demo import DEMO_PASSWORD, DemoLoaded, load_demo
from grassroots.domain.account import Grant, Role
from grassroots.domain.compliance import Status
from grassroots.domain.values import IsoWeek
from grassroots.pages.words import translator
from grassroots.projections.compliance.verdicts import unit_compliance
from grassroots.projections.org_tree import subtree_units
from grassroots.projections.problems import count_open_problems
from grassroots.projections.read_side import ReadSide
from grassroots.settings import Settings
from tests.conftest import FakeClock
from tests.databases import migrated

# A Thursday noon in Hohhot, as the demo's own tests use.
NOW = datetime(2026, 3, 26, 4, 0, tzinfo=UTC)
WEEK = IsoWeek(2026, 12)
SUPERVISOR_PHONE = "19900000002"
VOLUNTEER_PHONE = "19900000006"
ADMINISTRATOR_PHONE = "19900000001"
OTHER_SUPERVISOR_PHONE = "13700000009"


@dataclass
class Demo:
    app: Grassroots
    read_side: ReadSide
    loaded: DemoLoaded
    client: TestClient[Litestar]
    jars: dict[str | None, httpx.Cookies] = field(default_factory=dict)

    def as_(self, phone: str | None) -> TestClient[Litestar]:
        """The client with ``phone``'s page session (logged out for None); one log-in per
        phone, kept: log-ins are rate limited."""
        if phone not in self.jars:
            self.client.cookies = httpx.Cookies()
            if phone is not None:
                form = self.client.get("/login").text
                token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
                assert token
                answer = self.client.post(
                    "/login",
                    data={
                        "phone": phone,
                        "password": DEMO_PASSWORD,
                        "_csrf_token": token.group(1),
                    },
                    follow_redirects=False,
                )
                assert answer.status_code == 303, answer.text
            self.jars[phone] = httpx.Cookies(self.client.cookies)
        self.client.cookies = httpx.Cookies(self.jars[phone])
        return self.client


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp: Path = tmp_path_factory.mktemp("dispatch-page")
    settings = Settings.from_env(
        {"GRASSROOTS_SECRET_KEY": "q" * 48, "GRASSROOTS_DATA_DIR": str(tmp)}
    )
    migrated(settings.database_url, schema=settings.database_schema)
    app = build_application(settings, clock=FakeClock(NOW))
    app.use_password_hasher(password_hasher(fast=True))
    loaded = load_demo(app)
    read_side = build_read_side(settings, app)
    read_side.catch_up()
    with read_side.engine.connect() as conn:
        township = next(u for u in subtree_units(conn, loaded.county_id) if u.depth == 1)
    app.open_account(
        phone=OTHER_SUPERVISOR_PHONE,
        name="郑乡督",
        password=DEMO_PASSWORD,
        grants=[Grant(Role.SUPERVISOR, township.unit.org_unit_id)],
    )
    read_side.catch_up()
    config = api_config(settings)
    web = create_app(
        app,
        event_store_kind="sqlite",
        stores=shared_stores(config),
        read_side=read_side,
        run_projections=True,
        config=config,
    )
    with TestClient(app=web, base_url="https://testserver.local") as client:
        yield Demo(app, read_side, loaded, client)


@pytest.fixture
def supervisor(demo: Demo) -> TestClient[Litestar]:
    return demo.as_(SUPERVISOR_PHONE)


def _rows(page: str) -> dict[str, str]:
    """Each cadre's row of the page: cadre id -> status shown."""
    return dict(re.findall(r'<tr data-cadre="([0-9a-f-]+)" data-status="([a-z_]+)">', page))


def test_the_dispatch_shows_each_cadre_with_the_compliance_read_models_verdict(
    demo: Demo, supervisor: TestClient[Litestar]
) -> None:
    with demo.read_side.engine.connect() as conn:
        judged = unit_compliance(conn, demo.loaded.county_id, WEEK, NOW)

    page = supervisor.get("/dispatch/", params={"week": str(WEEK)})

    assert page.status_code == 200, page.text
    shown = _rows(page.text)
    assert shown == {str(s.cadre_id): s.status.value for s in judged.cadres}
    assert set(shown.values()) - {"met"}, "the demo week has cadres who lag"
    severities = [Status(s).severity for s in shown.values()]
    assert severities == sorted(severities, reverse=True), "worst first"
    assert "落后" in page.text or "未达标" in page.text
    assert "还需走访" in page.text


def test_what_a_lagging_cadre_still_needs_reads_as_their_rules_count_it(
    demo: Demo, supervisor: TestClient[Litestar]
) -> None:
    """Under "either" terms one of the two is enough, and the row must not ask for both."""
    with demo.read_side.engine.connect() as conn:
        judged = unit_compliance(conn, demo.loaded.county_id, WEEK, NOW)
    page = html.unescape(supervisor.get("/dispatch/", params={"week": str(WEEK)}).text)
    rows = dict(re.findall(r'<tr data-cadre="([0-9a-f-]+)".*?<td class="reasons">(.*?)</td>', page))

    lagging = [c for c in judged.cadres if c.status is not Status.MET]
    assert lagging
    for c in lagging:
        needed = c.judgement.still_needed
        either = f"还需走访 {needed.visits} 次或在岗 {needed.days} 天（满足其一即可）"
        both = f"还需走访 {needed.visits} 次、在岗 {needed.days} 天"
        shown = rows[str(c.cadre_id)]
        if c.judgement.mode == "either":
            assert either in shown, shown
            assert both not in shown, shown
        else:
            assert both in shown, shown
            assert "满足其一" not in shown, shown
    assert {c.judgement.mode for c in lagging} == {"either"}, "the demo's preset"


def test_the_dispatch_carries_the_units_chart_data_and_no_inline_script(
    supervisor: TestClient[Litestar],
) -> None:
    page = supervisor.get("/dispatch/", params={"week": str(WEEK)}).text

    block = re.search(
        r'<script type="application/json" id="dispatch-chart-data">(.*?)</script>', page, re.S
    )
    assert block
    assert json.loads(block.group(1))["units"]["names"]
    assert "echarts-6.0.0/echarts.min.js" in page
    assert "/static/pages/dispatch.js" in page
    assert not re.search(r"<script>|<script\s+(?!src=|type=\"application/json\")", page)


def test_the_trend_gives_the_share_met_of_the_twelve_weeks_ending_with_the_pages_week(
    demo: Demo, supervisor: TestClient[Litestar]
) -> None:
    page = html.unescape(supervisor.get("/dispatch/", params={"week": str(WEEK)}).text)
    source = re.search(r'data-source="([^"]+)"', page)
    assert source

    trend = supervisor.get(source.group(1)).json()

    with demo.read_side.engine.connect() as conn:
        judged = unit_compliance(conn, demo.loaded.county_id, WEEK, NOW)
    assert len(trend["weeks"]) == 12
    assert trend["weeks"][-1] == str(WEEK)
    assert judged.share is not None
    assert trend["shares"][-1] == round(100 * judged.share)


def test_a_cadres_village_is_named_with_its_township_so_two_of_one_name_differ(
    demo: Demo, supervisor: TestClient[Litestar]
) -> None:
    county = demo.loaded.county_id
    with demo.read_side.engine.connect() as conn:
        judged = unit_compliance(conn, county, WEEK, NOW)
        units = {u.unit.org_unit_id: u for u in subtree_units(conn, county)}
    page = html.unescape(supervisor.get("/dispatch/", params={"week": str(WEEK)}).text)
    cells = dict(re.findall(r'<tr data-cadre="([0-9a-f-]+)".*?</a></td><td>([^<]*)</td>', page))

    in_villages = [c for c in judged.cadres if units[c.org_unit_id].depth == 2]
    assert in_villages
    for c in in_villages:
        village = units[c.org_unit_id].unit
        township = units[village.parent_id].unit  # type: ignore[index]
        assert cells[str(c.cadre_id)] == f"{township.name} / {village.name}"
    names = [units[c.org_unit_id].unit.name for c in in_villages]
    assert len(set(names)) < len(names), "the demo has two villages of one name"


def test_the_trend_leaves_out_a_week_not_yet_over_and_the_page_says_so(
    supervisor: TestClient[Litestar],
) -> None:
    running = IsoWeek(2026, 13)  # NOW is its Thursday
    page = html.unescape(supervisor.get("/dispatch/", params={"week": str(running)}).text)
    source = re.search(r'data-source="([^"]+)"', page)
    assert source
    trend = supervisor.get(source.group(1)).json()

    assert trend["weeks"][-1] == str(running)
    assert trend["shares"][-1] is None, "a running week is no point at 0 %"
    assert trend["shares"][-2] is not None, "the week before is over and plotted"
    assert "这一周尚未结束" in page
    finished = html.unescape(supervisor.get("/dispatch/", params={"week": str(WEEK)}).text)
    assert "这一周尚未结束" not in finished


def test_the_units_chart_gives_the_units_own_cadres_a_bar_so_the_bars_cover_every_cadre(
    demo: Demo, supervisor: TestClient[Litestar]
) -> None:
    county = demo.loaded.county_id
    with demo.read_side.engine.connect() as conn:
        judged = unit_compliance(conn, county, WEEK, NOW)
        units = subtree_units(conn, county)
    own = [c for c in judged.cadres if c.org_unit_id == county]
    assert own, "the demo county has cadres of its own"
    county_name = next(u.unit.name for u in units if u.depth == 0)
    townships = [u for u in units if u.depth == 1]

    page = supervisor.get("/dispatch/", params={"week": str(WEEK)}).text
    block = re.search(
        r'<script type="application/json" id="dispatch-chart-data">(.*?)</script>', page, re.S
    )
    assert block
    chart = json.loads(block.group(1))["units"]

    assert chart["names"][-1] == f"{county_name}（本级）"
    met = sum(1 for c in own if c.status is Status.MET)
    assert chart["shares"][-1] == round(100 * met / len(own))
    assert len(chart["names"]) == len(townships) + 1


def test_the_week_links_go_to_the_weeks_before_and_after(supervisor: TestClient[Litestar]) -> None:
    page = html.unescape(supervisor.get("/dispatch/", params={"week": "2026-W01"}).text)

    assert "week=2025-W52" in page
    assert "week=2026-W02" in page


def test_without_a_week_the_dispatch_shows_this_week(
    demo: Demo, supervisor: TestClient[Litestar]
) -> None:
    page = supervisor.get("/dispatch/").text

    assert "2026-W13" in page
    with demo.read_side.engine.connect() as conn:
        assert f"待办问题（{count_open_problems(conn, demo.loaded.county_id)}）" in page


def test_the_dispatch_renders_in_english(supervisor: TestClient[Litestar]) -> None:
    page = supervisor.get("/dispatch/", params={"week": str(WEEK), "lang": "en"}).text
    supervisor.get("/?lang=zh")

    t = translator("en")
    assert '<html lang="en">' in page
    assert t("dispatch.share_by_unit") in page
    assert "Weekly dispatch" in page


def test_a_cadres_week_lists_their_visits_and_standing(
    demo: Demo, supervisor: TestClient[Litestar]
) -> None:
    with demo.read_side.engine.connect() as conn:
        judged = unit_compliance(conn, demo.loaded.county_id, WEEK, NOW)
    busy = next(s for s in judged.cadres if s.judgement.visits)

    page = supervisor.get(f"/dispatch/cadres/{busy.cadre_id}", params={"week": str(WEEK)})

    assert page.status_code == 200, page.text
    assert busy.name in page.text
    assert translator("zh")(f"dispatch.status.{busy.status.value}") in page.text
    assert page.text.count('<li class="card">') == len(busy.judgement.visits)


def test_the_months_bulletin_downloads_from_the_page(supervisor: TestClient[Litestar]) -> None:
    page = supervisor.get("/dispatch/", params={"week": str(WEEK)}).text
    link = re.search(r'href="(/dispatch/bulletins/[^"]+\.xlsx)"', page)
    assert link
    assert link.group(1).endswith("/2026-03.xlsx")

    answer = supervisor.get(link.group(1))

    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    assert load_workbook(io.BytesIO(answer.content)).sheetnames


@pytest.mark.skipif(
    not DEFAULT_CJK_FONT.is_file() and os.environ.get("CI") != "true",
    reason="apt-get install -y fonts-noto-cjk (the bulletin PDF's font)",
)
def test_the_months_bulletin_pdf_downloads_from_the_page(supervisor: TestClient[Litestar]) -> None:
    page = supervisor.get("/dispatch/", params={"week": str(WEEK)}).text
    link = re.search(r'href="(/dispatch/bulletins/[^"]+\.pdf)"', page)
    assert link

    answer = supervisor.get(link.group(1))

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/pdf")
    assert answer.content.startswith(b"%PDF")


def test_a_supervisor_of_another_subtree_gets_a_missing_page(demo: Demo) -> None:
    county = demo.loaded.county_id
    other = demo.as_(OTHER_SUPERVISOR_PHONE)
    own = other.get("/dispatch/")
    dispatch = other.get("/dispatch/", params={"unit": str(county)})
    bulletin = other.get(f"/dispatch/bulletins/{county}/2026-03.xlsx")

    assert own.status_code == 200
    assert dispatch.status_code == 404
    assert bulletin.status_code == 404
    assert other.get("/dispatch/trend", params={"unit": str(county)}).status_code == 404
    assert "页面不存在" in dispatch.text


def test_an_administrator_opens_the_county_at_the_top_of_the_tree(demo: Demo) -> None:
    page = demo.as_(ADMINISTRATOR_PHONE).get("/dispatch/", params={"week": str(WEEK)})

    assert page.status_code == 200
    assert _rows(page.text)


def test_a_volunteer_gets_a_missing_page(demo: Demo) -> None:
    county = demo.loaded.county_id
    volunteer = demo.as_(VOLUNTEER_PHONE)
    assert volunteer.get("/dispatch/").status_code == 404
    assert volunteer.get(f"/dispatch/?unit={county}").status_code == 404
    assert volunteer.get(f"/dispatch/bulletins/{county}/2026-03.xlsx").status_code == 404


def test_logged_out_the_dispatch_asks_for_a_log_in(demo: Demo) -> None:
    answer = demo.as_(None).get("/dispatch/", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


def test_a_week_that_is_no_week_is_a_missing_page(supervisor: TestClient[Litestar]) -> None:
    assert supervisor.get("/dispatch/", params={"week": "2026-W60"}).status_code == 404


def test_the_centers_volunteers_say_they_are_people_counted_once(
    supervisor: TestClient[Litestar],
) -> None:
    page = supervisor.get("/dispatch/", params={"week": str(WEEK)}).text
    table = page.split('<table class="grid centers">', 1)[1].split("</table>", 1)[0]

    assert "志愿者（人）" in table
    assert "同一人多次到场只计一次" in page
