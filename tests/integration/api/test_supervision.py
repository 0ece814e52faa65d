"""Supervisors: compliance, activity counts, problem figures and rule sets over their subtree."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from grassroots.domain import rules
from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import CadreKind
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.qr_token import QrSubject, SubjectKind, mint_token
from grassroots.domain.rules import COUNTY_1_PLUS_3_TERMS, RuleSetCandidate
from tests.integration.api.conftest import Server, problem
from tests.integration.builders import World, build_world, post_activity

MARCH = "period=month&date=2026-03-15"
INNER_MONGOLIA = {"kind": "preset", "preset": "inner-mongolia"}


def shanghai(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A wall-clock time in Asia/Shanghai (UTC+8), as a UTC instant."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@dataclass(frozen=True)
class Township:
    world: World
    sibling: UUID
    sibling_rule_set: UUID
    met: UUID
    short: UUID
    once: UUID
    supervisor: dict[str, str]


def visit(server: Server, cadre: UUID, point: UUID, start: datetime, minutes: int = 90) -> UUID:
    """A visit proven by the point's code, ended ``minutes`` later."""
    app = server.app
    server.clock.set(start)
    token = mint_token(
        secret=app.config.secret_key,
        subject=QrSubject(SubjectKind.POINT, point),
        at=app.now(),
        rotation_seconds=app.config.qr_rotation_seconds,
    )
    visit_id = app.start_visit(cadre, point, token=token)
    server.clock.advance(minutes=minutes)
    app.end_visit(visit_id)
    return visit_id


def settle(server: Server) -> None:
    """Wait for the read models to include what the test wrote through ``server.app``."""
    read_side = server.client.app.state.read_side
    assert read_side.wait_for(server.app.last_write_position(), 10)


def township(server: Server) -> Township:
    """A township with three cadres judged on March 2026, and a sibling township.

    Under the default preset (2 visits or 3 days a month): 李四 met (two visits),
    王五 made one visit only, 赵六 made two visits too short to count.
    """
    app = server.app
    world = build_world(app)
    sibling = app.create_org_unit(name="另一街道", level=OrgLevel.TOWNSHIP, parent_id=world.county)
    sibling_rule_set = app.define_rule_set(
        name="另一街道规则",
        org_unit_id=sibling,
        effective_from=shanghai(1, 1).date(),
        terms=COUNTY_1_PLUS_3_TERMS,
    )

    def cadre(name: str) -> UUID:
        return app.register_cadre(
            name=name, kind=CadreKind.FULL_TIME, org_unit_id=world.village, point_ids=[world.point]
        )

    met, short, once = cadre("李四"), cadre("赵六"), cadre("王五")
    visit(server, met, world.point, shanghai(3, 3))
    visit(server, met, world.point, shanghai(3, 10))
    visit(server, short, world.point, shanghai(3, 4), minutes=30)
    visit(server, short, world.point, shanghai(3, 11), minutes=30)
    visit(server, once, world.point, shanghai(3, 5))
    # 1 April, 10:00 in Shanghai: March is over.
    server.clock.set(shanghai(4, 1, 10))
    server.account("13700000001", Grant(Role.SUPERVISOR, world.township), name="街道督导")
    supervisor = server.log_in("13700000001")
    settle(server)
    return Township(world, sibling, sibling_rule_set, met, short, once, supervisor)


@pytest.fixture
def town(server: Server) -> Township:
    return township(server)


def compliance_path(unit: UUID, suffix: str = "") -> str:
    return f"/api/v1/org-units/{unit}/compliance{suffix}"


def test_a_supervisor_sees_who_met_and_who_is_behind_and_why(
    server: Server, town: Township
) -> None:
    response = server.client.get(
        f"{compliance_path(town.world.township)}?{MARCH}", headers=town.supervisor
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["period_kind"], body["period"]) == ("month", "2026-03")
    assert (body["first_day"], body["last_day"]) == ("2026-03-01", "2026-03-31")
    assert body["what_if"] is False
    assert (body["cadres_total"], body["met"], body["missed"]) == (3, 1, 2)
    assert body["met_share"] == pytest.approx(1 / 3)
    rows = {row["name"]: row for row in body["cadres"]}
    # Those who missed come first, the one who met last.
    assert [row["status"] for row in body["cadres"]] == ["missed", "missed", "met"]
    assert body["cadres"][-1]["name"] == "李四"
    met = rows["李四"]
    assert (met["counted_visits"], met["required_visits"]) == (2, 2)
    assert (met["visit_days"], met["required_days"]) == (2, 3)
    assert met["still_needed"] == {"visits": 0, "days": 0}
    assert met["rules"]["preset"] == "inner-mongolia"
    once = rows["王五"]
    assert once["counted_visits"] == 1
    assert once["still_needed"]["visits"] == 1
    assert once["uncounted_visits"] == []
    short = rows["赵六"]
    assert short["counted_visits"] == 0
    assert [v["reason"] for v in short["uncounted_visits"]] == ["too-short", "too-short"]


def test_the_cadre_list_is_paginated_while_the_figures_cover_everyone(
    server: Server, town: Township
) -> None:
    url = f"{compliance_path(town.world.township)}?{MARCH}"
    first = server.client.get(f"{url}&limit=2", headers=town.supervisor).json()
    second = server.client.get(f"{url}&limit=2&offset=2", headers=town.supervisor).json()

    assert first["cadres_total"] == second["cadres_total"] == 3
    assert (len(first["cadres"]), first["next_offset"]) == (2, 2)
    assert (len(second["cadres"]), second["next_offset"]) == (1, None)
    names = [row["name"] for row in first["cadres"] + second["cadres"]]
    assert sorted(names) == ["李四", "王五", "赵六"]
    too_many = server.client.get(f"{url}&limit=100000", headers=town.supervisor)
    assert too_many.status_code == 400


def _csv_rows(response: Any) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_compliance_export_is_a_whole_csv_file_a_spreadsheet_opens(
    server: Server, town: Township
) -> None:
    response = server.client.get(
        f"{compliance_path(town.world.township, '.csv')}?{MARCH}&limit=1",
        headers=town.supervisor,
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="compliance-2026-03.csv"')
    assert "filename*=UTF-8''" in disposition
    rows = _csv_rows(response)
    header, body = rows[0], rows[1:]
    assert header[:5] == ["姓名", "干部编号", "类别", "所属组织", "状态"]
    # Whole, whatever the page size: every cadre, the missed ones first.
    assert [row[0] for row in body][-1] == "李四"
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    assert set(by_name) == {"李四", "王五", "赵六"}
    assert by_name["李四"]["状态"] == "已达标"
    assert by_name["李四"]["所属组织"] == "东风社区"
    assert by_name["王五"]["状态"] == "未达标"
    assert by_name["王五"]["尚差次数"] == "1"
    assert by_name["赵六"]["未计入的走访"] == "时长不足 ×2"

    english = server.client.get(
        f"{compliance_path(town.world.township, '.csv')}?{MARCH}",
        headers={**town.supervisor, "Accept-Language": "en"},
    )
    english_rows = _csv_rows(english)
    assert english_rows[0][:5] == ["name", "cadre id", "kind", "org unit", "status"]
    assert {row[4] for row in english_rows[1:]} == {"met", "missed"}


def test_only_supervisors_of_the_subtree_see_it(server: Server, town: Township) -> None:
    world = town.world
    server.account("13700000002", Grant(Role.SUPERVISOR, town.sibling), name="邻街督导")
    neighbour = server.log_in("13700000002")
    volunteer_id = server.app.register_volunteer(
        name="王小明",
        phone="13800138000",
        birth_date=shanghai(1, 1).date().replace(year=2001),
        org_unit_id=world.village,
    )
    server.account("13800138000", Grant(Role.VOLUNTEER, volunteer_id))
    volunteer = server.log_in("13800138000")
    server.account("13600000001", Grant(Role.CENTER_STAFF, world.center))
    staff = server.log_in("13600000001")
    # The county's supervisor reaches the township below it.
    server.account("13700000003", Grant(Role.SUPERVISOR, world.county), name="区督导")
    county = server.log_in("13700000003")
    paths = [
        compliance_path(world.township),
        compliance_path(world.township, ".csv"),
        f"/api/v1/org-units/{world.township}/activity-counts",
        f"/api/v1/org-units/{world.township}/activity-counts.csv",
        f"/api/v1/org-units/{world.township}/problem-figures",
        f"/api/v1/org-units/{world.township}/rule-sets",
    ]
    for path in paths:
        assert server.client.get(path, headers=town.supervisor).status_code == 200, path
        assert server.client.get(path, headers=county).status_code == 200, path
        assert server.client.get(path, headers=server.administrator()).status_code == 200, path
        foreign = server.client.get(path, headers=neighbour)
        assert foreign.status_code == 404, path
        assert problem(foreign)["code"] == "org-unit-not-found"
        for caller in (volunteer, staff):
            assert problem(server.client.get(path, headers=caller))["code"] == "forbidden"
    what_if = server.client.post(
        compliance_path(world.township, "/what-if"),
        json={"rules": {"kind": "preset", "preset": "county-1-plus-3"}},
        headers=neighbour,
    )
    assert what_if.status_code == 404
    # Going up the tree is not supervising it.
    assert server.client.get(
        compliance_path(world.county), headers=town.supervisor
    ).status_code == (404)
    missing = server.client.get(compliance_path(UUID(int=7)), headers=server.administrator())
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "query",
    ["period=year", "period=", "date=2026-13-01", "date=yesterday", "period=month&limit=0"],
)
def test_bad_query_parameters_answer_400(server: Server, town: Township, query: str) -> None:
    response = server.client.get(
        f"{compliance_path(town.world.township)}?{query}", headers=town.supervisor
    )
    assert response.status_code == 400, response.text
    assert problem(response)["code"] == "invalid-request"


def test_a_week_is_judged_on_its_share_of_the_month(server: Server, town: Township) -> None:
    # 2–8 March 2026: 李四 and 王五 each made one visit of the week's pro-rated one.
    response = server.client.get(
        f"{compliance_path(town.world.township)}?period=week&date=2026-03-04",
        headers=town.supervisor,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["period"], body["first_day"], body["last_day"]) == (
        "2026-W10",
        "2026-03-02",
        "2026-03-08",
    )
    statuses = {row["name"]: row["status"] for row in body["cadres"]}
    assert statuses["李四"] == statuses["王五"] == "met"
    assert statuses["赵六"] == "missed"


def test_a_what_if_under_stricter_rules_changes_the_status_and_writes_nothing(
    server: Server, town: Township
) -> None:
    before = server.app.recorder.max_notification_id()
    url = compliance_path(town.world.township, "/what-if")

    stricter = server.client.post(
        url,
        json={
            "period": "month",
            "date": "2026-03-15",
            "rules": {"kind": "preset", "preset": "county-1-plus-3"},
        },
        headers=town.supervisor,
    )
    by_terms = server.client.post(
        url,
        json={
            "date": "2026-03-15",
            "rules": {"kind": "terms", "min_visits_per_month": 1, "min_visit_minutes": 30},
        },
        headers=town.supervisor,
    )

    assert stricter.status_code == 200, stricter.text
    body = stricter.json()
    assert body["what_if"] is True
    assert body["what_if_terms"]["min_visits_per_month"] == 3
    assert (body["cadres_total"], body["met"], body["missed"]) == (3, 0, 3)
    met_before = next(row for row in body["cadres"] if row["name"] == "李四")
    assert met_before["status"] == "missed"
    assert met_before["still_needed"]["visits"] == 1
    assert met_before["required_visits"] == 3
    # Looser: one visit of 30 minutes is enough, so everyone met.
    assert by_terms.status_code == 200, by_terms.text
    assert by_terms.json()["met"] == 3
    assert all(row["uncounted_visits"] == [] for row in by_terms.json()["cadres"])
    # The real judgement is as it was, and nothing was written.
    assert server.app.recorder.max_notification_id() == before
    actual = server.client.get(
        f"{compliance_path(town.world.township)}?{MARCH}", headers=town.supervisor
    )
    assert actual.json()["met"] == 1


def test_a_what_if_names_one_valid_source_of_rules(server: Server, town: Township) -> None:
    url = compliance_path(town.world.township, "/what-if")

    def post(rules: object) -> Any:
        return server.client.post(url, json={"rules": rules}, headers=town.supervisor)

    untagged = post({"preset": "county-1-plus-3"})
    unknown_preset = post({"kind": "preset", "preset": "lenient"})
    no_minimum = post({"kind": "terms"})
    missing_rule_set = post({"kind": "rule_set", "rule_set_id": str(UUID(int=5))})
    assert untagged.status_code == unknown_preset.status_code == 400
    assert problem(no_minimum)["code"] == "rule-terms-no-requirement"
    assert no_minimum.status_code == 422
    assert problem(missing_rule_set)["code"] == "rule-set-not-found"
    far = server.client.post(
        url, json={"date": "0001-01-01", "rules": INNER_MONGOLIA}, headers=town.supervisor
    )
    assert far.status_code == 400
    assert problem(far)["code"] == "invalid-request"


def test_a_supervisor_defines_and_revises_rule_sets_for_the_subtree(
    server: Server, town: Township
) -> None:
    world = town.world
    defined = server.client.post(
        f"/api/v1/org-units/{world.township}/rule-sets",
        json={
            "name": "街道“1+3”",
            "effective_from": "2026-03-01",
            "rules": {"kind": "preset", "preset": "county-1-plus-3"},
        },
        headers=town.supervisor,
    )
    assert defined.status_code == 201, defined.text
    rule_set_id = defined.json()["rule_set_id"]
    assert defined.json()["version"] == 1

    listed = server.client.get(
        f"/api/v1/org-units/{world.village}/rule-sets?date=2026-03-15", headers=town.supervisor
    )
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["governing_rule_set_id"] == rule_set_id
    (rule_set,) = body["rule_sets"]
    assert (rule_set["levels_up"], rule_set["governs"]) == (1, True)
    assert rule_set["versions"][0]["terms"]["min_visits_per_month"] == 3
    # The new rule set governs March: the cadre who met under the preset now misses.
    judged = server.client.get(
        f"{compliance_path(world.township)}?{MARCH}", headers=town.supervisor
    ).json()
    assert judged["met"] == 0
    assert judged["cadres"][0]["rules"]["rule_set_id"] == rule_set_id

    revised = server.client.post(
        f"/api/v1/rule-sets/{rule_set_id}/versions",
        json={
            "effective_from": "2026-03-15",
            "rules": {
                "kind": "terms",
                "min_visits_per_month": 2,
                "min_days_per_month": 3,
                "monthly_mode": "either",
            },
        },
        headers=town.supervisor,
    )
    assert revised.status_code == 201, revised.text
    assert revised.json() == {"rule_set_id": rule_set_id, "version": 2}
    versions = server.client.get(
        f"/api/v1/org-units/{world.township}/rule-sets?date=2026-03-15", headers=town.supervisor
    ).json()["rule_sets"][0]["versions"]
    assert [(v["version"], v["effective_from"]) for v in versions] == [
        (1, "2026-03-01"),
        (2, "2026-03-15"),
    ]
    # The last day of March falls under version 2: 李四 meets again.
    judged = server.client.get(
        f"{compliance_path(world.township)}?{MARCH}", headers=town.supervisor
    ).json()
    assert judged["met"] == 1

    # A what-if under version 1 of the rule set, named by id.
    what_if = server.client.post(
        compliance_path(world.township, "/what-if"),
        json={
            "date": "2026-03-15",
            "rules": {"kind": "rule_set", "rule_set_id": rule_set_id, "version": 1},
        },
        headers=town.supervisor,
    ).json()
    assert what_if["met"] == 0
    assert what_if["cadres"][0]["rules"]["version"] == 1

    out_of_order = server.client.post(
        f"/api/v1/rule-sets/{rule_set_id}/versions",
        json={"effective_from": "2026-03-10", "rules": INNER_MONGOLIA},
        headers=town.supervisor,
    )
    assert out_of_order.status_code == 409
    assert problem(out_of_order)["code"] == "rule-set-revision-out-of-order"


def test_the_supervisor_and_the_cadre_read_verdicts_of_the_one_domain_choice_of_rules(
    server: Server, town: Township, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = town.world
    rule_set_id = server.app.define_rule_set(
        name="街道“1+3”",
        org_unit_id=world.township,
        effective_from=shanghai(3, 1).date(),
        terms=COUNTY_1_PLUS_3_TERMS,
    )
    server.account("13700000005", Grant(Role.CADRE, town.met), name="李四")
    cadre = server.log_in("13700000005")
    settle(server)

    def verdicts() -> tuple[str, str, str | None, Any]:
        judged = server.client.get(
            f"{compliance_path(world.township)}?{MARCH}", headers=town.supervisor
        )
        own = server.client.get(f"/api/v1/me/standing?{MARCH}", headers=cadre)
        listed = server.client.get(
            f"/api/v1/org-units/{world.village}/rule-sets?date=2026-03-15",
            headers=town.supervisor,
        )
        assert judged.status_code == own.status_code == listed.status_code == 200
        (row,) = [row for row in judged.json()["cadres"] if row["name"] == "李四"]
        return (
            row["status"],
            own.json()["status"],
            own.json()["rules"]["rule_set_id"],
            listed.json()["governing_rule_set_id"],
        )

    # Two visits meet the preset but not "1+3": both readers see the township's rules.
    assert verdicts() == ("missed", "missed", str(rule_set_id), str(rule_set_id))

    # Replace the domain's choice wherever it is used: if a read had a copy of
    # its own, its answer would not follow.
    asked: list[date] = []

    def nothing_governs(candidates: Iterable[RuleSetCandidate[Any]], day: date) -> None:
        assert list(candidates)
        asked.append(day)
        return

    original = rules.governing_choice
    holders = [m for m in list(sys.modules.values()) if vars(m).get("governing_choice") is original]
    # The compliance verdicts and the rule-set listing both read through the verdicts.
    assert {m.__name__ for m in holders} >= {
        "grassroots.domain.rules",
        "grassroots.projections.compliance.verdicts",
    }
    for module in holders:
        monkeypatch.setattr(module, "governing_choice", nothing_governs)

    assert verdicts() == ("met", "met", None, None)
    assert date(2026, 3, 31) in asked  # the month judged, for both readers
    assert date(2026, 3, 15) in asked  # the day the rule sets are listed for


def test_rule_sets_outside_the_subtree_cannot_be_changed(server: Server, town: Township) -> None:
    world = town.world
    before = server.app.recorder.max_notification_id()
    foreign = server.client.post(
        f"/api/v1/rule-sets/{town.sibling_rule_set}/versions",
        json={"effective_from": "2026-05-01", "rules": INNER_MONGOLIA},
        headers=town.supervisor,
    )
    assert foreign.status_code == 404
    assert problem(foreign)["code"] == "rule-set-not-found"
    missing = server.client.post(
        f"/api/v1/rule-sets/{UUID(int=9)}/versions",
        json={"effective_from": "2026-05-01", "rules": INNER_MONGOLIA},
        headers=town.supervisor,
    )
    assert missing.status_code == 404
    elsewhere = server.client.post(
        f"/api/v1/org-units/{town.sibling}/rule-sets",
        json={"name": "越界规则", "effective_from": "2026-05-01", "rules": INNER_MONGOLIA},
        headers=town.supervisor,
    )
    assert elsewhere.status_code == 404
    # A what-if may not borrow a rule set that neither governs the unit nor lies below it.
    borrowed = server.client.post(
        compliance_path(world.township, "/what-if"),
        json={"rules": {"kind": "rule_set", "rule_set_id": str(town.sibling_rule_set)}},
        headers=town.supervisor,
    )
    assert borrowed.status_code == 404
    assert server.app.recorder.max_notification_id() == before
    # A supervisor of the village is governed by the township's rules, not in charge of them.
    defined = server.client.post(
        f"/api/v1/org-units/{world.township}/rule-sets",
        json={"name": "街道规则", "effective_from": "2026-05-01", "rules": INNER_MONGOLIA},
        headers=town.supervisor,
    )
    assert defined.status_code == 201
    server.account("13700000004", Grant(Role.SUPERVISOR, world.village), name="社区督导")
    village = server.log_in("13700000004")
    before = server.app.recorder.max_notification_id()
    below = server.client.post(
        f"/api/v1/rule-sets/{defined.json()['rule_set_id']}/versions",
        json={"effective_from": "2026-06-01", "rules": INNER_MONGOLIA},
        headers=village,
    )
    assert below.status_code == 404
    bad_terms = server.client.post(
        f"/api/v1/org-units/{world.township}/rule-sets",
        json={
            "name": "坏规则",
            "effective_from": "2026-05-01",
            "rules": {"kind": "terms", "min_visits_per_month": 500},
        },
        headers=town.supervisor,
    )
    assert bad_terms.status_code == 400
    assert server.app.recorder.max_notification_id() == before


def test_activity_counts_per_center_and_rolled_up(server: Server, town: Township) -> None:
    world = town.world
    server.clock.set(shanghai(3, 1))
    post_activity(server.app, world, starts_at=shanghai(3, 20, 14))
    cancelled = post_activity(server.app, world, starts_at=shanghai(3, 21, 14))
    server.app.cancel_activity(cancelled, reason="天气原因")
    server.clock.set(shanghai(4, 1, 10))
    settle(server)

    response = server.client.get(
        f"/api/v1/org-units/{world.township}/activity-counts?{MARCH}", headers=town.supervisor
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"] == "2026-03"
    assert (body["totals"]["posted"], body["totals"]["cancelled"]) == (2, 1)
    (center,) = body["centers"]
    assert center["center_id"] == str(world.center)
    assert center["counts"]["posted"] == 2
    other_week = server.client.get(
        f"/api/v1/org-units/{world.township}/activity-counts?period=week&date=2026-03-04",
        headers=town.supervisor,
    )
    assert other_week.json()["totals"]["posted"] == 0

    export = server.client.get(
        f"/api/v1/org-units/{world.township}/activity-counts.csv?{MARCH}",
        headers=town.supervisor,
    )
    assert export.status_code == 200
    assert export.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="activity-counts-2026-03.csv"' in export.headers["content-disposition"]
    rows = _csv_rows(export)
    assert rows[0][:4] == ["青年之家", "青年之家编号", "所属组织", "发布活动数"]
    assert rows[1][:4] == ["东风社区青年之家", str(world.center), "东风社区", "2"]
    assert rows[-1][0] == "合计"
    assert rows[-1][3] == "2"


def test_problem_figures_of_the_subtree(server: Server, town: Township) -> None:
    world = town.world
    server.clock.set(shanghai(3, 20))
    server.app.raise_problem(
        town.met, title="活动场地漏雨", description="青年之家屋顶漏雨", org_unit_id=world.village
    )
    server.clock.set(shanghai(4, 1, 10))
    settle(server)

    response = server.client.get(
        f"/api/v1/org-units/{world.township}/problem-figures?{MARCH}", headers=town.supervisor
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["raised"], body["closed"], body["open_at_end"]) == (1, 0, 1)
    assert body["oldest_open_age_seconds"] > 0
    assert body["median_time_to_close_seconds"] is None
