"""An activity's roster through the API: who signed up, who waits and who came, by name,
with masked phone numbers only, for the staff of its center and the supervisors above."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from grassroots.domain.account import Grant, Role
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.domain.values import GeoPoint
from tests.integration.api.conftest import Server
from tests.integration.builders import World, build_world, post_activity

PHONES = {"陈静": "13912345678", "刘洋": "13787654321", "赵敏": "15011112222"}


@dataclass
class Roll:
    server: Server
    world: World
    activity: UUID
    volunteers: dict[str, UUID]
    staff: dict[str, str]

    @property
    def url(self) -> str:
        return f"/api/v1/activities/{self.activity}/attendance"

    def settle(self) -> None:
        read_side = self.server.client.app.state["read_side"]
        assert read_side.wait_for(read_side.log.last_position(), timeout=5)


@pytest.fixture
def roll(server: Server) -> Roll:
    app = server.app
    world = build_world(app)
    activity = post_activity(
        app, world, starts_at=server.clock.now + timedelta(hours=1), capacity=2
    )
    volunteers = {
        name: app.register_volunteer(
            name=name, phone=phone, birth_date=date(2000, 1, 2), org_unit_id=world.village
        )
        for name, phone in PHONES.items()
    }
    for volunteer in volunteers.values():
        app.sign_up(activity, volunteer)  # the third waits: two places
    server.clock.advance(hours=1, minutes=5)
    app.check_in(activity, volunteers["陈静"], token=app.venue_code(activity).token)
    server.clock.advance(hours=1)
    app.check_out(activity, volunteers["陈静"], token=app.venue_code(activity).token)
    app.adjust_attendance(
        activity, volunteers["陈静"], minutes=5, reason="提前到场布置", staff_id=world.county
    )
    server.account("13800000001", Grant(Role.CENTER_STAFF, world.center))
    return Roll(server, world, activity, volunteers, server.log_in("13800000001"))


def test_the_roster_names_each_volunteer_with_a_masked_phone(roll: Roll) -> None:
    roll.settle()
    answer = roll.server.client.get(roll.url, headers=roll.staff)

    assert answer.status_code == 200, answer.text
    lines = {line["name"]: line for line in answer.json()["items"]}
    assert {name: line["phone_masked"] for name, line in lines.items()} == {
        "陈静": "139****5678",
        "刘洋": "137****4321",
        "赵敏": "150****2222",
    }
    assert [lines[name]["sign_up"] for name in PHONES] == ["signed_up", "signed_up", "wait_listed"]
    came = lines["陈静"]
    assert came["checked_in_at"] is not None
    assert came["credited_minutes"] == came["scan_minutes"] + 5
    assert came["volunteer_id"] == str(roll.volunteers["陈静"])


def test_no_full_phone_number_leaves_the_server_on_the_roster(roll: Roll) -> None:
    roll.settle()
    client = roll.server.client
    supervisor = roll.server.account("13800000003", Grant(Role.SUPERVISOR, roll.world.county))
    for headers in (roll.staff, roll.server.log_in(supervisor), roll.server.administrator()):
        for query in ("", "?sign_up=signed_up", "?sign_up=wait_listed"):
            body = client.get(roll.url + query, headers=headers).text
            for phone in PHONES.values():
                assert phone not in body
                assert phone[3:7] not in body


def test_a_renamed_volunteer_is_called_by_the_new_name(roll: Roll) -> None:
    roll.server.app.change_volunteer_profile(roll.volunteers["刘洋"], name="刘阳")
    roll.settle()

    waiting = roll.server.client.get(roll.url + "?sign_up=signed_up", headers=roll.staff).json()

    assert [line["name"] for line in waiting["items"]] == ["陈静", "刘阳"]


def test_the_roster_is_only_for_the_centers_staff_and_the_supervisors_above_it(
    roll: Roll,
) -> None:
    app, server = roll.server.app, roll.server
    elsewhere = app.create_org_unit(name="北京市", level=OrgLevel.REGION)
    other_center = app.register_center(
        name="北京青年之家",
        org_unit_id=elsewhere,
        address="北京市东城区 1 号",
        location=GeoPoint(39.9042, 116.4074),
    )
    server.account("13800000002", Grant(Role.CENTER_STAFF, other_center))
    server.account("13800000004", Grant(Role.SUPERVISOR, elsewhere))
    server.account("13912345678", Grant(Role.VOLUNTEER, roll.volunteers["陈静"]))
    client = server.client

    other_staff = client.get(roll.url, headers=server.log_in("13800000002"))
    foreign_supervisor = client.get(roll.url, headers=server.log_in("13800000004"))
    volunteer = client.get(roll.url, headers=server.log_in("13912345678"))

    assert other_staff.status_code == 404
    assert foreign_supervisor.status_code == 404
    # On the roster herself, and still no reader of it: the role guard says no.
    assert volunteer.status_code == 403
    for refused in (other_staff, foreign_supervisor, volunteer):
        assert "陈静" not in refused.text


def _sheet(content: bytes) -> list[list[object]]:
    workbook = load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook["签到表"].iter_rows(values_only=True)]


def test_the_roster_downloads_as_a_spreadsheet_on_the_centers_clock(roll: Roll) -> None:
    roll.settle()
    xlsx = roll.server.client.get(f"{roll.url}.xlsx", headers=roll.staff)
    csv_file = roll.server.client.get(f"{roll.url}.csv", headers=roll.staff)

    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in xlsx.headers["content-disposition"]
    assert "%E7%AD%BE%E5%88%B0%E8%A1%A8.xlsx" in xlsx.headers["content-disposition"]  # 签到表
    header, *rows = _sheet(xlsx.content)
    by_name = {row[1]: row for row in rows}
    assert header[:4] == ["序号", "姓名", "手机号", "报名"]
    assert [row[0] for row in rows] == [1, 2, 3]
    came = by_name["陈静"]
    assert came[2] == "139****5678"
    assert came[3] == "已报名"
    # The scan came an hour and five minutes after "now" (UTC): on the center's clock.
    zone = ZoneInfo(roll.server.app.get(OrgUnit, roll.world.village).time_zone)
    scanned_at = roll.server.clock.now - timedelta(hours=1)
    assert came[5] == scanned_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    # An hour scanned plus the five minutes' correction, and the same as hours.
    assert (came[7], came[8], came[9], came[10]) == (60, 5, 65, "1小时5分钟")
    assert "时长调整1次" in came[11]
    assert by_name["赵敏"][3] == "候补"
    assert by_name["赵敏"][9] is None
    # The CSV holds the same first sheet, for spreadsheet programs (a byte-order mark).
    assert csv_file.content.startswith("\ufeff".encode())
    text_rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert text_rows[0] == header
    assert [r[1] for r in text_rows[1:]] == [r[1] for r in rows]


def test_only_its_centers_staff_and_supervisors_above_download_the_roster(roll: Roll) -> None:
    server = roll.server
    other = server.app.register_center(
        name="别的青年之家",
        org_unit_id=roll.world.township,
        address="别处 1 号",
        location=GeoPoint(40.84, 111.75),
    )
    server.account("13800000002", Grant(Role.CENTER_STAFF, other))
    server.account("13800000003", Grant(Role.SUPERVISOR, roll.world.county))
    elsewhere = server.log_in("13800000002")
    supervisor = server.log_in("13800000003")
    roll.settle()

    answers = {
        "elsewhere": server.client.get(f"{roll.url}.xlsx", headers=elsewhere),
        "supervisor": server.client.get(f"{roll.url}.csv", headers=supervisor),
        "nobody": server.client.get(f"{roll.url}.csv"),
    }

    assert {k: a.status_code for k, a in answers.items()} == {
        "elsewhere": 404,
        "supervisor": 200,
        "nobody": 401,
    }
