"""Center staff running activities, and volunteers finding them, through the API."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import zxingcpp
from PIL import Image

from grassroots.domain.account import Grant, Role
from grassroots.domain.center import Center
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import GeoPoint
from tests.integration.api.conftest import Server, problem
from tests.integration.builders import World, build_world, register_volunteer

BEIJING = GeoPoint(39.9042, 116.4074)


@dataclass
class Setting:
    server: Server
    world: World
    other_center: UUID
    staff: dict[str, str]
    other_staff: dict[str, str]
    volunteer: dict[str, str]
    volunteer_id: UUID
    supervisor: dict[str, str]
    foreign_supervisor: dict[str, str]

    @property
    def now(self) -> datetime:
        return self.server.clock.now

    def post(self, center: UUID | None = None, **body: Any) -> str:
        starts = self.now + timedelta(days=1)
        payload = {
            "title": "社区环境清洁",
            "category": "environment",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            **body,
        }
        response = self.server.client.post(
            f"/api/v1/centers/{center or self.world.center}/activities",
            json=payload,
            headers=self.staff if center in (None, self.world.center) else self.other_staff,
        )
        assert response.status_code == 201, response.text
        return str(response.json()["activity_id"])


@pytest.fixture
def setting(server: Server) -> Setting:
    app = server.app
    world = build_world(app)
    other_center = app.register_center(
        name="北京青年之家",
        org_unit_id=app.create_org_unit(name="北京市", level=OrgLevel.REGION),
        address="北京市东城区 1 号",
        location=BEIJING,
    )
    volunteer_id = register_volunteer(app, world, phone="13800138000")
    server.account("13800000001", Grant(Role.CENTER_STAFF, world.center))
    server.account("13800000002", Grant(Role.CENTER_STAFF, other_center))
    server.account("13800138000", Grant(Role.VOLUNTEER, volunteer_id))
    server.account("13800000003", Grant(Role.SUPERVISOR, world.county))
    other_region = app.create_org_unit(name="河北省", level=OrgLevel.REGION)
    server.account("13800000004", Grant(Role.SUPERVISOR, other_region))
    return Setting(
        server=server,
        world=world,
        other_center=other_center,
        staff=server.log_in("13800000001"),
        other_staff=server.log_in("13800000002"),
        volunteer=server.log_in("13800138000"),
        volunteer_id=volunteer_id,
        supervisor=server.log_in("13800000003"),
        foreign_supervisor=server.log_in("13800000004"),
    )


def test_staff_post_change_and_cancel_an_activity_and_everyone_sees_it(setting: Setting) -> None:
    client = setting.server.client
    activity = setting.post(capacity=20, description="请穿运动鞋")

    seen = client.get(f"/api/v1/activities/{activity}", headers=setting.staff)
    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["title"] == "社区环境清洁"
    assert body["status"] == "posted"
    assert body["capacity"] == 20
    assert body["places_left"] == 20
    assert body["org_unit_id"] == str(setting.world.village)
    assert body["location"] == {"lat": 40.8426, "lon": 111.7492}

    changed = client.patch(
        f"/api/v1/activities/{activity}",
        json={"title": "社区环境大扫除", "capacity": 25},
        headers=setting.staff,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"promoted_volunteer_ids": []}
    listed = client.get(f"/api/v1/centers/{setting.world.center}/activities", headers=setting.staff)
    assert listed.status_code == 200
    [item] = listed.json()["items"]
    assert (item["title"], item["capacity"]) == ("社区环境大扫除", 25)

    cancelled = client.post(
        f"/api/v1/activities/{activity}/cancel",
        json={"reason": "暴雨预警"},
        headers=setting.staff,
    )
    assert cancelled.status_code == 204
    after = client.get(f"/api/v1/activities/{activity}", headers=setting.staff).json()
    assert (after["status"], after["cancel_reason"]) == ("cancelled", "暴雨预警")
    again = client.post(
        f"/api/v1/activities/{activity}/cancel", json={"reason": "重复"}, headers=setting.staff
    )
    assert again.status_code == 409
    assert problem(again)["code"] == "activity-cancelled"


def test_bad_activities_are_refused_and_nothing_is_posted(setting: Setting) -> None:
    client = setting.server.client
    url = f"/api/v1/centers/{setting.world.center}/activities"
    starts = setting.now + timedelta(days=1)
    base = {"title": "活动", "category": "culture", "starts_at": starts.isoformat()}

    backwards = client.post(
        url,
        json={**base, "ends_at": (starts - timedelta(hours=1)).isoformat()},
        headers=setting.staff,
    )
    naive = client.post(
        url,
        json={**base, "starts_at": "2026-03-05T09:00:00", "ends_at": "2026-03-05T10:00:00"},
        headers=setting.staff,
    )
    missing = client.post(url, json={"title": "活动"}, headers=setting.staff)
    past = client.post(
        url,
        json={
            **base,
            "starts_at": (setting.now - timedelta(hours=2)).isoformat(),
            "ends_at": (setting.now - timedelta(hours=1)).isoformat(),
        },
        headers=setting.staff,
    )

    assert backwards.status_code == 422
    assert problem(backwards)["code"] == "activity-end-before-start"
    assert naive.status_code == 400
    assert missing.status_code == 400
    assert past.status_code == 409
    assert problem(past)["code"] == "activity-starts-in-past"
    listed = client.get(url, headers=setting.staff).json()
    assert listed["items"] == []


def test_the_staff_routes_are_for_the_centers_own_staff(setting: Setting) -> None:
    client = setting.server.client
    activity = setting.post()
    url = f"/api/v1/activities/{activity}"

    # A volunteer and a supervisor are not staff: the role guard refuses them.
    assert (
        client.post(f"{url}/cancel", json={"reason": "x"}, headers=setting.volunteer).status_code
        == 403
    )
    assert client.get(f"{url}/attendance", headers=setting.volunteer).status_code == 403
    assert client.get(f"{url}/venue-code", headers=setting.volunteer).status_code == 403
    assert client.get(f"{url}/venue-code", headers=setting.supervisor).status_code == 403
    posted_by_volunteer = client.post(
        f"/api/v1/centers/{setting.world.center}/activities",
        json={},
        headers=setting.volunteer,
    )
    assert posted_by_volunteer.status_code == 403

    # Staff of another center: this center's activity does not exist for them.
    for response in (
        client.get(f"{url}/attendance", headers=setting.other_staff),
        client.get(f"{url}/venue-code", headers=setting.other_staff),
        client.get(f"{url}/venue-code.png", headers=setting.other_staff),
        client.patch(url, json={"title": "改"}, headers=setting.other_staff),
        client.post(f"{url}/cancel", json={"reason": "不办了"}, headers=setting.other_staff),
        client.post(
            f"{url}/attendance/{setting.volunteer_id}/adjustments",
            json={"minutes": 30, "reason": "补录"},
            headers=setting.other_staff,
        ),
        client.get(
            f"/api/v1/centers/{setting.world.center}/activities", headers=setting.other_staff
        ),
    ):
        assert response.status_code == 404, response.text
        assert problem(response)["code"].endswith("not-found")
    foreign_post = client.post(
        f"/api/v1/centers/{setting.world.center}/activities",
        json={
            "title": "活动",
            "category": "culture",
            "starts_at": (setting.now + timedelta(days=1)).isoformat(),
            "ends_at": (setting.now + timedelta(days=1, hours=1)).isoformat(),
        },
        headers=setting.other_staff,
    )
    assert foreign_post.status_code == 404

    # Supervisors read within their subtree only.
    assert client.get(f"{url}/attendance", headers=setting.supervisor).status_code == 200
    assert client.get(f"{url}/attendance", headers=setting.foreign_supervisor).status_code == 404
    assert (
        client.get(
            f"/api/v1/centers/{setting.world.center}/activities", headers=setting.supervisor
        ).status_code
        == 200
    )
    # Nothing was changed by the refused calls.
    body = client.get(url, headers=setting.staff).json()
    assert (body["status"], body["title"]) == ("posted", "社区环境清洁")


def test_the_venue_code_png_and_svg_carry_the_token_of_the_json_and_are_never_cached(
    setting: Setting,
) -> None:
    client = setting.server.client
    activity = setting.post()
    url = f"/api/v1/activities/{activity}/venue-code"

    as_json = client.get(url, headers=setting.staff)
    png = client.get(f"{url}.png", headers=setting.staff)
    svg = client.get(f"{url}.svg", headers=setting.staff)

    assert as_json.status_code == png.status_code == svg.status_code == 200
    code = as_json.json()
    assert set(code) == {"token", "url", "replaced_at", "expires_at"}
    # The page a phone's camera opens, upper case so the code stays small.
    assert code["url"] == f"HTTP://127.0.0.1:8000/S/{code['token']}"
    assert datetime.fromisoformat(code["expires_at"]) > datetime.fromisoformat(code["replaced_at"])
    assert png.headers["content-type"] == "image/png"
    assert svg.headers["content-type"].startswith("image/svg+xml")
    for response in (as_json, png, svg):
        assert "no-store" in response.headers["cache-control"]
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert decoded.text == code["url"]
    assert svg.text.lstrip().startswith(("<?xml", "<svg"))

    # The token scans in: it is the activity's own venue code.
    setting.server.app.sign_up(UUID(activity), setting.volunteer_id)
    setting.server.clock.advance(days=1)
    fresh = client.get(f"{url}.png", headers=setting.staff)
    [scanned] = zxingcpp.read_barcodes(Image.open(io.BytesIO(fresh.content)))
    attendance = setting.server.app.check_in(
        UUID(activity), setting.volunteer_id, token=scanned.text.rsplit("/S/", 1)[1]
    )
    assert attendance.is_open


def test_a_cancelled_activity_has_no_venue_code(setting: Setting) -> None:
    client = setting.server.client
    activity = setting.post()
    setting.server.app.cancel_activity(UUID(activity), reason="暴雨预警")

    response = client.get(f"/api/v1/activities/{activity}/venue-code.png", headers=setting.staff)

    assert response.status_code == 409
    assert problem(response)["code"] == "activity-cancelled"


def test_sign_ups_and_the_waiting_list_show_in_the_attendance_list(setting: Setting) -> None:
    app = setting.server.app
    client = setting.server.client
    activity = UUID(setting.post(capacity=1))
    second = register_volunteer(app, setting.world, phone="13800138001")
    third = register_volunteer(app, setting.world, phone="13800138002")
    app.sign_up(activity, setting.volunteer_id)
    app.sign_up(activity, second)
    app.sign_up(activity, third)
    app.withdraw(activity, third)
    url = f"/api/v1/activities/{activity}/attendance"

    # The set-up wrote directly, not through the staff's account.
    settle(setting.server)
    rows = client.get(url, headers=setting.staff).json()

    assert [(r["volunteer_id"], r["sign_up"]) for r in rows["items"]] == [
        (str(setting.volunteer_id), "signed_up"),
        (str(second), "wait_listed"),
        (str(third), "withdrawn"),
    ]
    waiting = client.get(f"{url}?sign_up=wait_listed", headers=setting.staff).json()
    assert [r["volunteer_id"] for r in waiting["items"]] == [str(second)]
    first_page = client.get(f"{url}?limit=2", headers=setting.staff).json()
    assert (len(first_page["items"]), first_page["next_offset"]) == (2, 2)
    assert client.get(f"{url}?sign_up=nobody", headers=setting.staff).status_code == 400
    assert client.get(f"{url}?limit=100000", headers=setting.staff).status_code == 400
    activity_body = client.get(f"/api/v1/activities/{activity}", headers=setting.staff).json()
    assert (activity_body["signed_up"], activity_body["waiting"]) == (1, 1)

    # Raising the capacity promotes the volunteer waiting.
    raised = client.patch(
        f"/api/v1/activities/{activity}", json={"capacity": 2}, headers=setting.staff
    )
    assert raised.json() == {"promoted_volunteer_ids": [str(second)]}
    after = client.get(f"/api/v1/activities/{activity}", headers=setting.staff).json()
    assert (after["signed_up"], after["waiting"], after["places_left"]) == (2, 0, 0)


def test_an_adjustment_is_a_line_of_its_own_and_shows_at_once(setting: Setting) -> None:
    client = setting.server.client
    activity = setting.post()
    url = f"/api/v1/activities/{activity}/attendance"
    adjust = f"{url}/{setting.volunteer_id}/adjustments"

    too_early = client.post(
        adjust, json={"minutes": 60, "reason": "现场核实到场"}, headers=setting.staff
    )
    assert too_early.status_code == 409
    assert problem(too_early)["code"] == "activity-not-started"

    setting.server.clock.advance(days=1, hours=3)
    added = client.post(
        adjust,
        json={"minutes": 90, "reason": "扫码时手机没电，现场核实到场"},
        headers=setting.staff,
    )
    assert added.status_code == 201, added.text
    assert added.json()["credited_minutes"] == 90
    first = client.get(url, headers=setting.staff).json()["items"]
    assert [(r["credited_minutes"], r["added_by_staff"], r["adjustments"]) for r in first] == [
        (90, True, 1)
    ]

    removed = client.post(
        adjust, json={"minutes": -30, "reason": "提前离开"}, headers=setting.staff
    )
    assert removed.status_code == 201, removed.text
    [row] = client.get(url, headers=setting.staff).json()["items"]
    assert (row["credited_minutes"], row["adjustment_minutes"], row["adjustments"]) == (60, 60, 2)

    for body, status, code in (
        ({"minutes": 0, "reason": "无"}, 422, "adjustment-zero"),
        ({"minutes": 30}, 400, "invalid-request"),
        ({"minutes": 30, "reason": ""}, 400, "invalid-request"),
        ({"minutes": 100000, "reason": "太多"}, 400, "invalid-request"),
        ({"minutes": 200, "reason": "超过活动时长"}, 422, "credit-above-scheduled-length"),
        ({"minutes": -61, "reason": "扣成负数"}, None, "credit-below-zero"),
    ):
        refused = client.post(adjust, json=body, headers=setting.staff)
        assert refused.status_code == (status or refused.status_code), (body, refused.text)
        assert 400 <= refused.status_code < 500
        assert problem(refused)["code"] == code
    unknown = client.post(
        f"{url}/{UUID(int=7)}/adjustments",
        json={"minutes": 30, "reason": "补录"},
        headers=setting.staff,
    )
    assert unknown.status_code == 404
    [unchanged] = client.get(url, headers=setting.staff).json()["items"]
    assert unchanged["credited_minutes"] == 60


def test_volunteers_discover_activities_by_time_center_category_and_place(
    setting: Setting,
) -> None:
    client = setting.server.client
    now = setting.now
    soon = setting.post(category="environment")
    later = setting.post(
        category="culture",
        starts_at=(now + timedelta(days=10)).isoformat(),
        ends_at=(now + timedelta(days=10, hours=1)).isoformat(),
    )
    far = setting.post(center=setting.other_center, category="environment")
    cancelled = setting.post(category="environment")
    client.post(
        f"/api/v1/activities/{cancelled}/cancel", json={"reason": "取消"}, headers=setting.staff
    )

    def found(**query: Any) -> list[str]:
        response = client.get("/api/v1/activities", params=query, headers=setting.volunteer)
        assert response.status_code == 200, response.text
        return [item["activity_id"] for item in response.json()["items"]]

    # The staff's writes are not the volunteer's: a read of the staff's waits for them.
    assert client.get("/api/v1/activities", headers=setting.staff).status_code == 200
    assert sorted(found()) == sorted([soon, far, later])
    assert found()[-1] == later
    assert sorted(found(to=(now + timedelta(days=2)).isoformat())) == sorted([soon, far])
    assert found(**{"from": (now + timedelta(days=5)).isoformat()}) == [later]
    assert sorted(found(center_id=str(setting.world.center))) == sorted([soon, later])
    assert found(category="culture") == [later]
    near_hohhot = {"near_lat": 40.8430, "near_lon": 111.7490, "radius_m": 1000}
    assert sorted(found(**near_hohhot)) == sorted([soon, later])
    assert found(near_lat=BEIJING.lat, near_lon=BEIJING.lon) == [far]
    assert found(near_lat=0, near_lon=0) == []
    paged = client.get("/api/v1/activities?limit=2", headers=setting.volunteer).json()
    assert (len(paged["items"]), paged["next_offset"]) == (2, 2)
    # A cancelled one is still there by its id.
    got = client.get(f"/api/v1/activities/{cancelled}", headers=setting.volunteer)
    assert got.json()["status"] == "cancelled"


@pytest.mark.parametrize(
    "query",
    [
        {"near_lat": "40.8"},
        {"radius_m": "100"},
        {"near_lat": "91", "near_lon": "0"},
        {"from": "2026-03-05T00:00:00+08:00", "to": "2026-03-04T00:00:00+08:00"},
        {"from": "2026-03-05T00:00:00+08:00", "to": "2028-03-04T00:00:00+08:00"},
        {"from": "2026-03-05T00:00:00"},
        {"from": "yesterday"},
        {"center_id": "not-a-uuid"},
    ],
)
def test_discovery_refuses_malformed_filters(setting: Setting, query: dict[str, str]) -> None:
    response = setting.server.client.get(
        "/api/v1/activities", params=query, headers=setting.volunteer
    )

    assert response.status_code == 400, response.text
    problem(response)


def test_discovery_and_an_activity_need_a_log_in_and_an_unknown_one_is_not_found(
    setting: Setting,
) -> None:
    client = setting.server.client

    assert client.get("/api/v1/activities").status_code == 401
    missing = client.get(f"/api/v1/activities/{UUID(int=5)}", headers=setting.volunteer)
    assert missing.status_code == 404
    assert problem(missing)["code"] == "activity-not-found"


def settle(server: Server) -> None:
    """Wait until the read models include every write so far (made directly, say)."""
    read_side = server.client.app.state["read_side"]
    assert read_side.wait_for(read_side.log.last_position(), timeout=5)


def test_staff_may_add_only_a_volunteer_on_the_list_or_of_the_centers_county(
    setting: Setting,
) -> None:
    client = setting.server.client
    app = setting.server.app
    activity = setting.post()
    # Registered in another city, never signed up for this activity.
    stranger = app.register_volunteer(
        name="赵远",
        phone="13600136000",
        birth_date=date(2000, 1, 1),
        org_unit_id=app.get(Center, setting.other_center).org_unit_id,
    )
    setting.server.clock.advance(days=1, hours=1)  # under way
    adjust = f"/api/v1/activities/{activity}/attendance/{stranger}/adjustments"
    before = app.recorder.max_notification_id()

    refused = client.post(
        adjust, json={"minutes": 60, "reason": "现场核实到场"}, headers=setting.staff
    )

    assert refused.status_code == 409
    assert problem(refused)["code"] == "not-on-activity-list"
    assert app.recorder.max_notification_id() == before

    app.sign_up(UUID(activity), stranger)
    added = client.post(
        adjust, json={"minutes": 60, "reason": "现场核实到场"}, headers=setting.staff
    )
    assert added.status_code == 201, added.text
