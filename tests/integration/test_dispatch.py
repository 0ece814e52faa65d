"""The supervisor's weekly dispatch, trend, a cadre's week and the monthly bulletin, read
from the demo county: the same verdicts and figures as the read models, files that open."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook

from grassroots.api.app import create_app
from grassroots.application.accounts import password_hasher
from grassroots.application.service import Grassroots
from grassroots.bootstrap import api_config, build_application, build_read_side, shared_stores
from grassroots.demo import DEMO_COUNTY_NAME, DEMO_PASSWORD, DemoLoaded, load_demo
from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import Cadre
from grassroots.domain.compliance import Month
from grassroots.domain.values import IsoWeek
from grassroots.projections.center_activity import org_unit_counts
from grassroots.projections.compliance.verdicts import compliance_trend, unit_compliance
from grassroots.projections.monthly_bulletin import monthly_bulletin
from grassroots.projections.org_tree import subtree_units
from grassroots.projections.problems import count_open_problems, problem_figures
from grassroots.projections.read_side import ReadSide
from grassroots.projections.shared_experiences import posts_per_unit_month
from grassroots.reports.bulletin_xlsx import HEADER_ROW
from grassroots.reports.labels import COLUMNS, TOTAL_LABEL
from grassroots.settings import Settings
from tests.conftest import FakeClock
from tests.databases import migrated

ENV = {"GRASSROOTS_SECRET_KEY": "d" * 48}
# A Thursday noon in Hohhot, as the demo's own tests use.
NOW = datetime(2026, 3, 26, 4, 0, tzinfo=UTC)
THIS_WEEK = IsoWeek(2026, 13)
SUPERVISOR_PHONE = "19900000002"
VOLUNTEER_PHONE = "19900000006"


@dataclass
class Demo:
    app: Grassroots
    read_side: ReadSide
    loaded: DemoLoaded
    client: TestClient[Litestar]
    settings: Settings
    tmp: Path
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)

    def headers(self, phone: str = SUPERVISOR_PHONE) -> dict[str, str]:
        """A session per phone, kept: log-ins are rate limited."""
        if phone not in self.sessions:
            answer = self.client.post(
                "/api/v1/sessions", json={"phone": phone, "password": DEMO_PASSWORD}
            )
            assert answer.status_code == 201, answer.text
            self.sessions[phone] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return self.sessions[phone]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    tmp = tmp_path_factory.mktemp("dispatch")
    settings = Settings.from_env({**ENV, "GRASSROOTS_DATA_DIR": str(tmp)})
    migrated(settings.database_url, schema=settings.database_schema)
    app = build_application(settings, clock=FakeClock(NOW))
    app.use_password_hasher(password_hasher(fast=True))
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
    with TestClient(app=web) as client:
        yield Demo(app, read_side, loaded, client, settings, tmp)


def _get(demo: Demo, path: str, **params: object) -> dict[str, object]:
    answer = demo.client.get(path, params=params, headers=demo.headers())
    assert answer.status_code == 200, answer.text
    found: dict[str, object] = answer.json()
    return found


# --- the weekly dispatch -------------------------------------------------------------


def test_the_dispatch_shows_each_cadre_with_the_compliance_read_models_verdict(
    demo: Demo,
) -> None:
    county = demo.loaded.county_id
    with demo.read_side.engine.connect() as conn:
        judged = unit_compliance(conn, county, THIS_WEEK, NOW)

    dispatch = _get(demo, f"/api/v1/org-units/{county}/dispatch", week="2026-W13")

    statuses = {c["cadre_id"]: c["status"] for c in dispatch["cadres"]}  # type: ignore[union-attr,index]
    assert statuses == {str(s.cadre_id): s.status.value for s in judged.cadres}
    assert set(statuses.values()) - {"met"}, "the demo week has cadres who lag"
    assert dispatch["week"] == "2026-W13"
    assert dispatch["met"] == judged.met
    assert dispatch["cadres_total"] == judged.total == len(statuses)


def test_the_dispatch_lists_those_needing_attention_first_with_their_reasons(
    demo: Demo,
) -> None:
    dispatch = _get(demo, f"/api/v1/org-units/{demo.loaded.county_id}/dispatch", week="2026-W12")

    order = {"missed": 3, "behind": 2, "on_track": 1, "met": 0}
    severities = [order[c["status"]] for c in dispatch["cadres"]]  # type: ignore[union-attr,index]
    assert severities == sorted(severities, reverse=True)
    lagging = [c for c in dispatch["cadres"] if c["status"] != "met"]  # type: ignore[union-attr,index]
    assert lagging
    assert all(c["still_needed"]["visits"] > 0 or c["still_needed"]["days"] > 0 for c in lagging)


def test_the_dispatch_rolls_shares_up_the_tree(demo: Demo) -> None:
    county = demo.loaded.county_id
    dispatch = _get(demo, f"/api/v1/org-units/{county}/dispatch", week="2026-W12")

    units = dispatch["units"]
    root = units[0]  # type: ignore[index]
    townships = [u for u in units if u["depth"] == 1]  # type: ignore[union-attr]
    own = sum(1 for c in dispatch["cadres"] if c["org_unit_id"] == str(county))  # type: ignore[union-attr,index]
    assert root["org_unit_id"] == str(county)
    assert root["cadres_total"] == dispatch["cadres_total"]
    assert root["met"] == dispatch["met"]
    assert sum(t["cadres_total"] for t in townships) + own == root["cadres_total"]
    assert own > 0, "the demo's full-time cadres sit at the county"
    for unit in units:  # type: ignore[union-attr]
        if unit["cadres_total"]:
            assert unit["met_share"] == pytest.approx(unit["met"] / unit["cadres_total"])


def test_the_dispatch_lists_centers_and_open_problems_oldest_first(demo: Demo) -> None:
    county = demo.loaded.county_id
    with demo.read_side.engine.connect() as conn:
        counts = org_unit_counts(conn, county, "week", "2026-W12")
        still_open = count_open_problems(conn, county)

    dispatch = _get(demo, f"/api/v1/org-units/{county}/dispatch", week="2026-W12")

    assert [c["center_id"] for c in dispatch["centers"]] == [  # type: ignore[union-attr,index]
        str(c.center_id) for c in counts.centers
    ]
    assert dispatch["center_totals"]["posted"] == counts.totals.posted > 0  # type: ignore[index]
    assert dispatch["open_problems_total"] == still_open > 0
    raised = [p["raised_at"] for p in dispatch["open_problems"]]  # type: ignore[union-attr,index]
    assert raised == sorted(raised)
    assert all(p["org_unit_name"] for p in dispatch["open_problems"])  # type: ignore[union-attr,index]


def _demo_cadre(demo: Demo) -> tuple[UUID, UUID]:
    """The first demo cadre's account and cadre record."""
    app = demo.app
    grant, account_id = next(
        (grant, issued.account.id)
        for account in demo.loaded.accounts
        for issued in [
            app.log_in(phone=account.phone, password=DEMO_PASSWORD, lifetime=timedelta(hours=1))
        ]
        for grant in issued.account.grants
        if grant.role is Role.CADRE
    )
    assert grant.subject_id is not None
    return account_id, grant.subject_id


def test_the_dispatch_counts_the_months_experience_posts_per_unit(demo: Demo) -> None:
    # Every post written here is withdrawn again: still written (and counted so), but
    # no longer one to read, which the bulletin's test below counts.
    county = demo.loaded.county_id
    path = f"/api/v1/org-units/{county}/dispatch"
    before = _get(demo, path, week="2026-W13")["experiences"]
    author, cadre_id = _demo_cadre(demo)
    cadre_unit = demo.app.get(Cadre, cadre_id).org_unit_id
    for title in ("走访有感", "草稿"):
        written = demo.app.write_experience(author, cadre_id=cadre_id, title=title, text="先听")
        demo.app.withdraw_experience(written, by=author)
    demo.read_side.catch_up()

    after = _get(demo, path, week="2026-W13")["experiences"]
    # The week of 23-29 March belongs to March; the week of 30 March - 5 April to April
    # (its Thursday is 2 April), so the posts written on 26 March are not counted there.
    following = _get(demo, path, week="2026-W14")["experiences"]

    def row(counts: object) -> dict[str, object]:
        found = [c for c in counts["counts"] if c["org_unit_id"] == str(cadre_unit)]  # type: ignore[index]
        return found[0] if found else {"written": 0, "withdrawn_or_hidden": 0}

    assert (after["from_month"], after["to_month"]) == ("2026-03", "2026-03")  # type: ignore[index]
    assert row(after)["written"] == row(before)["written"] + 2  # type: ignore[operator]
    assert row(after)["withdrawn_or_hidden"] == row(before)["withdrawn_or_hidden"] + 2  # type: ignore[operator]
    assert following["from_month"] == "2026-04"  # type: ignore[index]
    assert row(following)["written"] == 0
    with demo.read_side.reader.connect() as conn:
        counted = posts_per_unit_month(conn, county, first=date(2026, 3, 1), last=date(2026, 3, 1))
    assert after["counts"] == [  # type: ignore[index]
        {
            "org_unit_id": str(c.org_unit_id),
            "unit_name": c.unit_name,
            "month": c.month,
            "written": c.written,
            "withdrawn_or_hidden": c.withdrawn_or_hidden,
        }
        for c in counted
    ]


def test_the_trend_gives_each_weeks_share_as_the_compliance_read_model_judges_it(
    demo: Demo,
) -> None:
    county = demo.loaded.county_id
    trend = _get(demo, f"/api/v1/org-units/{county}/compliance-trend", weeks=12, week="2026-W13")

    weeks = trend["weeks"]
    assert [w["week"] for w in weeks][-3:] == ["2026-W11", "2026-W12", "2026-W13"]  # type: ignore[union-attr,index]
    assert len(weeks) == 12  # type: ignore[arg-type]
    with demo.read_side.engine.connect() as conn:
        for shown in weeks:  # type: ignore[union-attr]
            year, week = shown["week"].split("-W")
            judged = unit_compliance(conn, county, IsoWeek(int(year), int(week)), NOW)
            assert (shown["cadres_total"], shown["met"]) == (judged.total, judged.met), shown
    assert len({w["met_share"] for w in weeks if w["cadres_total"]}) > 1  # type: ignore[union-attr]


def test_the_trend_read_judges_every_period_like_the_single_period_read(demo: Demo) -> None:
    county = demo.loaded.county_id
    months = [Month(2026, 1), Month(2026, 2), Month(2026, 3)]
    with demo.read_side.engine.connect() as conn:
        trend = compliance_trend(conn, county, months, NOW)
        single = [unit_compliance(conn, county, m, NOW) for m in months]

    assert [(t.total, t.met) for t in trend] == [(s.total, s.met) for s in single]


def test_a_cadres_week_shows_the_standing_visits_and_problems(demo: Demo) -> None:
    county = demo.loaded.county_id
    dispatch = _get(demo, f"/api/v1/org-units/{county}/dispatch", week="2026-W12")
    cadre = next(c for c in dispatch["cadres"] if c["status"] == "met")  # type: ignore[union-attr,index]

    week = _get(
        demo, f"/api/v1/org-units/{county}/dispatch/cadres/{cadre['cadre_id']}", week="2026-W12"
    )

    assert week["standing"]["status"] == "met"  # type: ignore[index]
    assert week["standing"]["counted_visits"] == cadre["counted_visits"]  # type: ignore[index]
    counted = [v for v in week["visits"] if v["counted"]]  # type: ignore[union-attr]
    assert len(counted) == cadre["counted_visits"] > 0
    assert all(v["started_at"][:10] >= "2026-03-15" for v in week["visits"])  # type: ignore[union-attr]


def test_a_week_not_written_as_an_iso_week_is_refused(demo: Demo) -> None:
    answer = demo.client.get(
        f"/api/v1/org-units/{demo.loaded.county_id}/dispatch",
        params={"week": "2026-W54"},
        headers=demo.headers(),
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "period-invalid"


# --- the monthly bulletin ----------------------------------------------------------


def _bulletin_file(demo: Demo, name: str) -> bytes:
    answer = demo.client.get(
        f"/api/v1/org-units/{demo.loaded.county_id}/bulletins/{name}", headers=demo.headers()
    )
    assert answer.status_code == 200, answer.text
    month = name.split(".")[0]
    year, number = month.split("-")
    expected = quote(f"{DEMO_COUNTY_NAME}{year}年{int(number)}月通报.{name.split('.')[1]}")
    assert f"filename*=UTF-8''{expected}" in answer.headers["content-disposition"]
    return answer.content


def _sheet_rows(sheet: object) -> tuple[list[list[object]], list[object]]:
    values = [list(r) for r in sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]  # type: ignore[attr-defined]
    assert values[-1][0] == TOTAL_LABEL
    return values[:-1], values[-1]


def test_the_bulletin_xlsx_has_a_sheet_per_level_whose_totals_agree_and_add_up(
    demo: Demo,
) -> None:
    workbook = load_workbook(io.BytesIO(_bulletin_file(demo, "2026-02.xlsx")))

    assert workbook.sheetnames == ["县", "乡镇", "村（社区）"]
    totals = []
    for sheet in workbook.worksheets:
        assert sheet.cell(HEADER_ROW, 2).value == COLUMNS[0][0]
        rows, total = _sheet_rows(sheet)
        totals.append(total[1:])
        for column in range(1, len(COLUMNS) + 1):
            if COLUMNS[column - 1][0] == "达标率":
                continue
            assert sum(int(r[column]) for r in rows) == total[column], (sheet.title, column)  # type: ignore[call-overload]
    assert totals[0] == totals[1] == totals[2]
    county_row = _sheet_rows(workbook["县"])[0][0]
    assert county_row[0] == DEMO_COUNTY_NAME


def test_the_bulletin_totals_equal_the_read_models(demo: Demo) -> None:
    county = demo.loaded.county_id
    february = Month(2026, 2)
    with demo.read_side.engine.connect() as conn:
        judged = unit_compliance(conn, county, february, NOW)
        problems = problem_figures(conn, county, "month", "2026-02", NOW)
        counts = org_unit_counts(conn, county, "month", "2026-02")

    workbook = load_workbook(io.BytesIO(_bulletin_file(demo, "2026-02.xlsx")))
    _, total = _sheet_rows(workbook["村（社区）"])
    by_header = dict(zip(["单位", *(h for h, _ in COLUMNS)], total, strict=True))

    assert by_header["干部数"] == judged.total > 0
    assert by_header["达标人数"] == judged.met > 0
    assert by_header["达标率"] == pytest.approx(judged.share)
    assert by_header["计入走访"] == sum(c.judgement.counted_visits for c in judged.cadres)
    assert by_header["新增问题"] == problems.raised
    assert by_header["办结问题"] == problems.closed
    assert by_header["发布活动"] == counts.totals.posted > 0
    assert by_header["开展活动"] == counts.totals.held
    assert by_header["服务分钟数"] == counts.totals.credited_minutes


@pytest.mark.parametrize(
    ("month", "running"),
    [
        ("2026-02", ""),
        ("2026-03", "    本月尚未结束，数字仍会增加"),
        ("2026-04", "    该月尚未开始"),
    ],
)
def test_the_bulletin_says_when_its_figures_hold_in_beijing_time_and_whether_the_month_is_over(
    demo: Demo, month: str, running: str
) -> None:
    # NOW is 04:00 UTC on 26 March: noon in Beijing, March still running.
    expected = f"统计月份：{month}    数据截至：2026-03-26 12:00（北京时间）{running}"
    workbook = load_workbook(io.BytesIO(_bulletin_file(demo, f"{month}.xlsx")))
    assert {sheet.cell(2, 1).value for sheet in workbook.worksheets} == {expected}
    assert "UTC" not in expected


def test_each_township_row_is_the_sum_of_its_villages_and_its_own(demo: Demo) -> None:
    county = demo.loaded.county_id
    with demo.read_side.engine.connect() as conn:
        bulletin = monthly_bulletin(conn, county, Month(2026, 2), NOW)
        units = {u.unit.org_unit_id: u for u in subtree_units(conn, county)}

    _, townships, villages = bulletin.sheets
    for township in (r for r in townships.rows if not r.own_only):
        inside = [
            r.figures for r in villages.rows if r.org_unit_id in units[township.org_unit_id].members
        ]
        assert sum(inside[1:], inside[0]) == township.figures
    assert any(r.own_only for r in villages.rows), "the county's own cadres get a row"


def test_the_bulletin_counts_each_units_experience_posts_still_to_be_read(demo: Demo) -> None:
    # March, the demo's clock month: the other bulletin tests read February.
    app = demo.app
    author, cadre_id = _demo_cadre(demo)
    cadre_unit = app.get(Cadre, cadre_id).org_unit_id
    kept = app.write_experience(author, cadre_id=cadre_id, title="走访体会", text="先听")
    withdrawn = app.write_experience(author, cadre_id=cadre_id, title="草稿", text="x")
    app.withdraw_experience(withdrawn, by=author)
    demo.read_side.catch_up()

    with demo.read_side.reader.connect() as conn:
        bulletin = monthly_bulletin(conn, demo.loaded.county_id, Month(2026, 3), NOW)
        february = monthly_bulletin(conn, demo.loaded.county_id, Month(2026, 2), NOW)

    assert kept != withdrawn
    assert bulletin.totals.experiences_shared == 1
    assert february.totals.experiences_shared == 0
    deepest = bulletin.sheets[-1]
    (row,) = [r for r in deepest.rows if r.org_unit_id == cadre_unit]
    assert row.figures.experiences_shared == 1
    assert deepest.totals.experiences_shared == 1
    header = [h for h, _ in COLUMNS]
    assert "心得交流" in header


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_bulletin_pdf_renders_with_its_chinese_title_and_the_county(
    demo: Demo, tmp_path: Path
) -> None:
    pdf = tmp_path / "bulletin.pdf"
    pdf.write_bytes(_bulletin_file(demo, "2026-02.pdf"))

    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, tmp_path / "page"], check=True
    )
    text = subprocess.run(
        ["pdftotext", "-layout", pdf, "-"], check=True, capture_output=True, text=True
    ).stdout

    pages = list(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    assert pages[0].stat().st_size > 10_000
    assert "月通报" in text
    assert DEMO_COUNTY_NAME in text
    assert "东风镇" in text
    assert "合计" in text


def test_without_the_chinese_font_the_pdf_answers_503_naming_the_package(demo: Demo) -> None:
    config = replace(api_config(demo.settings), cjk_font=demo.tmp / "no-such-font.ttc")
    web = create_app(
        demo.app,
        event_store_kind="sqlite",
        stores=shared_stores(config),
        read_side=demo.read_side,
        config=config,
    )
    # Not entered as a context: leaving would end the lifespan, closing the shared store.
    client = TestClient(app=web)
    answer = client.get(
        f"/api/v1/org-units/{demo.loaded.county_id}/bulletins/2026-02.pdf",
        headers=demo.headers(),
    )

    assert answer.status_code == 503
    assert answer.json()["code"] == "cjk-font-missing"
    assert "fonts-noto-cjk" in answer.json()["detail"]


def test_a_month_that_does_not_exist_is_refused(demo: Demo) -> None:
    answer = demo.client.get(
        f"/api/v1/org-units/{demo.loaded.county_id}/bulletins/2026-13.xlsx",
        headers=demo.headers(),
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "period-invalid"


# --- who may read them ---------------------------------------------------------------


def test_a_supervisor_of_another_subtree_meets_404_and_a_volunteer_403(demo: Demo) -> None:
    county = demo.loaded.county_id
    with demo.read_side.engine.connect() as conn:
        township = subtree_units(conn, county)[1].unit.org_unit_id
    demo.app.open_account(
        phone="13712345678",
        name="乡镇督导",
        password=DEMO_PASSWORD,
        grants=[Grant(Role.SUPERVISOR, township)],
    )
    other = demo.headers("13712345678")
    volunteer = demo.headers(VOLUNTEER_PHONE)
    paths = [
        f"/api/v1/org-units/{county}/dispatch",
        f"/api/v1/org-units/{county}/compliance-trend",
        f"/api/v1/org-units/{county}/bulletins/2026-02.xlsx",
        f"/api/v1/org-units/{county}/bulletins/2026-02.pdf",
    ]

    for path in paths:
        assert demo.client.get(path, headers=other).status_code == 404, path
        assert demo.client.get(path, headers=volunteer).status_code == 403, path
    # The township's own supervisor reads their own subtree.
    own = demo.client.get(f"/api/v1/org-units/{township}/dispatch", headers=other)
    assert own.status_code == 200, own.text
    assert own.json()["cadres_total"] < demo.loaded.cadres


def test_a_cadre_outside_the_unit_asked_about_is_not_found(demo: Demo) -> None:
    county = demo.loaded.county_id
    dispatch = _get(demo, f"/api/v1/org-units/{county}/dispatch", week="2026-W12")
    at_county = next(c for c in dispatch["cadres"] if c["org_unit_id"] == str(county))  # type: ignore[union-attr,index]
    township = next(u for u in dispatch["units"] if u["depth"] == 1)  # type: ignore[union-attr]

    answer = demo.client.get(
        f"/api/v1/org-units/{township['org_unit_id']}/dispatch/cadres/{at_county['cadre_id']}",
        headers=demo.headers(),
    )

    assert answer.status_code == 404
