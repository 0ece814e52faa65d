"""Administrators building the organisation, and who may read it, through the API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import Cadre, CadreKind
from grassroots.domain.center import Center
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.values import GeoPoint
from tests.integration.api.conftest import Server, problem
from tests.integration.builders import build_world, register_volunteer

PLACE = {"lat": 40.8426, "lon": 111.7492}


def _created(response: Any) -> str:
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _settle(server: Server, headers: dict[str, str]) -> None:
    # A read with a token waits for that caller's own writes; the reads below send
    # none, and the set-up writes directly: wait for the whole log.
    assert server.client.get("/api/v1/centers?limit=1", headers=headers).status_code == 200
    read_side = server.client.app.state["read_side"]
    assert read_side.wait_for(read_side.log.last_position(), timeout=5)


def test_a_public_read_with_an_access_token_waits_for_that_callers_own_writes(
    server_factory: Callable[..., Server],
) -> None:
    # No catch-up runs in this server: the read models move only when the test says.
    server = server_factory(embedded=False)
    admin = server.administrator()
    client = server.client
    read_side = server.client.app.state["read_side"]
    read_side.catch_up()
    region = _created(
        client.post(
            "/api/v1/org-units", json={"name": "内蒙古自治区", "level": "region"}, headers=admin
        )
    )
    # Anyone else reads what the read models hold: not this unit yet.
    assert client.get(f"/api/v1/org-units/{region}").status_code == 404
    assert client.get("/api/v1/org-units").json()["items"] == []

    later = threading.Timer(0.3, read_side.catch_up)
    later.start()
    try:
        one = client.get(f"/api/v1/org-units/{region}", headers=admin)
    finally:
        later.join()
    listed = client.get("/api/v1/org-units", headers=admin)

    assert one.status_code == 200, one.text
    assert one.json()["name"] == "内蒙古自治区"
    assert [u["org_unit_id"] for u in listed.json()["items"]] == [region]


def test_an_administrator_builds_the_tree_and_anyone_can_list_it(server: Server) -> None:
    admin = server.administrator()
    client = server.client
    region = _created(
        client.post(
            "/api/v1/org-units", json={"name": "内蒙古自治区", "level": "region"}, headers=admin
        )
    )
    city = _created(
        client.post(
            "/api/v1/org-units",
            json={"name": "呼和浩特市", "level": "city", "parent_id": region},
            headers=admin,
        )
    )
    other_city = _created(
        client.post(
            "/api/v1/org-units",
            json={
                "name": "包头市",
                "level": "city",
                "parent_id": region,
                "time_zone": "Asia/Urumqi",
            },
            headers=admin,
        )
    )
    _settle(server, admin)

    everything = client.get("/api/v1/org-units")
    children = client.get("/api/v1/org-units", params={"parent_id": region})
    cities = client.get("/api/v1/org-units", params={"level": "city", "limit": 1})
    one = client.get(f"/api/v1/org-units/{other_city}")

    assert everything.status_code == 200
    assert {u["org_unit_id"] for u in everything.json()["items"]} == {region, city, other_city}
    assert [u["name"] for u in children.json()["items"]] == sorted(["呼和浩特市", "包头市"])
    assert len(cities.json()["items"]) == 1
    assert cities.json()["next_offset"] == 1
    assert one.json() == {
        "org_unit_id": other_city,
        "name": "包头市",
        "level": "city",
        "parent_id": region,
        "time_zone": "Asia/Urumqi",
    }
    assert client.get(f"/api/v1/org-units/{city}").json()["time_zone"] == "Asia/Shanghai"


def test_a_unit_must_sit_one_level_below_its_parent(server: Server) -> None:
    admin = server.administrator()
    client = server.client
    world = build_world(server.app)

    orphan = client.post("/api/v1/org-units", json={"name": "某市", "level": "city"}, headers=admin)
    skipping = client.post(
        "/api/v1/org-units",
        json={"name": "某村", "level": "village", "parent_id": str(world.county)},
        headers=admin,
    )
    unknown_parent = client.post(
        "/api/v1/org-units",
        json={"name": "某县", "level": "county", "parent_id": str(UUID(int=1))},
        headers=admin,
    )
    bad_level = client.post(
        "/api/v1/org-units", json={"name": "某省", "level": "planet"}, headers=admin
    )

    assert orphan.status_code == 422
    assert skipping.status_code == 422
    problem(orphan)
    problem(skipping)
    assert unknown_parent.status_code == 404
    assert bad_level.status_code == 400
    assert problem(bad_level)["code"] == "invalid-request"


def test_only_administrators_change_the_organisation(server: Server) -> None:
    client = server.client
    world = build_world(server.app)
    server.account("13800000001", Grant(Role.SUPERVISOR, world.region))
    supervisor = server.log_in("13800000001")
    unit = {"name": "某市", "level": "city", "parent_id": str(world.region)}
    center = {
        "name": "青年之家",
        "org_unit_id": str(world.village),
        "address": "东风路 2 号",
        "location": PLACE,
    }

    for path, body in (
        ("/api/v1/org-units", unit),
        ("/api/v1/centers", center),
        ("/api/v1/grassroots-points", {"name": "点", "org_unit_id": str(world.village)}),
        (
            "/api/v1/cadres",
            {"name": "李书记", "kind": "full_time", "org_unit_id": str(world.county)},
        ),
    ):
        assert client.post(path, json=body).status_code == 401
        refused = client.post(path, json=body, headers=supervisor)
        assert refused.status_code == 403
        assert problem(refused)["code"] == "forbidden"
    admin = server.administrator()
    _settle(server, admin)
    assert [
        u["name"] for u in client.get(f"/api/v1/org-units?parent_id={world.region}").json()["items"]
    ] == ["呼和浩特市"]


def test_centers_are_registered_by_administrators_and_listed_to_any_role(server: Server) -> None:
    admin = server.administrator()
    client = server.client
    world = build_world(server.app)
    volunteer_id = register_volunteer(server.app, world)
    server.account("13800138000", Grant(Role.VOLUNTEER, volunteer_id))
    volunteer = server.log_in("13800138000")
    center = _created(
        client.post(
            "/api/v1/centers",
            json={
                "name": "海拉尔东路街道青年之家",
                "org_unit_id": str(world.township),
                "address": "海拉尔东路 8 号",
                "location": PLACE,
                "geofence_radius_m": 200,
            },
            headers=admin,
        )
    )
    _settle(server, admin)

    everything = client.get("/api/v1/centers", headers=volunteer).json()["items"]
    in_village = client.get(
        "/api/v1/centers", params={"org_unit_id": str(world.village)}, headers=volunteer
    ).json()["items"]
    in_county = client.get(
        "/api/v1/centers", params={"org_unit_id": str(world.county)}, headers=volunteer
    ).json()["items"]
    one = client.get(f"/api/v1/centers/{center}", headers=volunteer)

    assert {c["center_id"] for c in everything} == {center, str(world.center)}
    assert [c["center_id"] for c in in_village] == [str(world.center)]
    assert {c["center_id"] for c in in_county} == {center, str(world.center)}
    assert one.status_code == 200
    assert one.json() == {
        "center_id": center,
        "name": "海拉尔东路街道青年之家",
        "org_unit_id": str(world.township),
        "address": "海拉尔东路 8 号",
        "location": PLACE,
        "geofence_radius_m": 200.0,
        "closed": False,
    }
    assert client.get("/api/v1/centers").status_code == 401
    missing = client.get(f"/api/v1/centers/{UUID(int=3)}", headers=volunteer)
    assert missing.status_code == 404
    problem(missing)


def test_bad_centers_are_refused(server: Server) -> None:
    admin = server.administrator()
    client = server.client
    world = build_world(server.app)
    good = {
        "name": "青年之家",
        "org_unit_id": str(world.village),
        "address": "东风路 2 号",
        "location": PLACE,
    }

    for changed, status in (
        ({"location": {"lat": 91, "lon": 0}}, 400),
        ({"geofence_radius_m": 1}, 400),
        ({"name": ""}, 400),
        ({"org_unit_id": str(UUID(int=9))}, 404),
    ):
        response = client.post("/api/v1/centers", json={**good, **changed}, headers=admin)
        assert response.status_code == status, (changed, response.text)
        problem(response)
    _settle(server, admin)
    assert len(client.get("/api/v1/centers", headers=admin).json()["items"]) == 1


def test_points_and_cadres_are_set_up_by_administrators(server: Server) -> None:
    admin = server.administrator()
    client = server.client
    world = build_world(server.app)

    at_center = _created(
        client.post(
            "/api/v1/grassroots-points",
            json={
                "name": "青年之家联系点",
                "org_unit_id": str(world.village),
                "center_id": str(world.center),
            },
            headers=admin,
        )
    )
    standalone = _created(
        client.post(
            "/api/v1/grassroots-points",
            json={
                "name": "东风社区广场",
                "org_unit_id": str(world.village),
                "location": PLACE,
                "geofence_radius_m": 300,
            },
            headers=admin,
        )
    )
    nowhere = client.post(
        "/api/v1/grassroots-points",
        json={"name": "无处", "org_unit_id": str(world.village)},
        headers=admin,
    )
    cadre = _created(
        client.post(
            "/api/v1/cadres",
            json={
                "name": "李书记",
                "kind": "seconded",
                "org_unit_id": str(world.county),
                "point_ids": [at_center, standalone],
            },
            headers=admin,
        )
    )
    unknown_point = client.post(
        "/api/v1/cadres",
        json={
            "name": "王书记",
            "kind": "full_time",
            "org_unit_id": str(world.county),
            "point_ids": [str(UUID(int=4))],
        },
        headers=admin,
    )
    bad_kind = client.post(
        "/api/v1/cadres",
        json={"name": "赵书记", "kind": "volunteer", "org_unit_id": str(world.county)},
        headers=admin,
    )

    assert nowhere.status_code == 422
    assert problem(nowhere)["code"] == "location-required"
    registered = server.app.get(Cadre, UUID(cadre))
    assert registered.kind is CadreKind.SECONDED
    assert set(registered.point_ids) == {UUID(at_center), UUID(standalone)}
    assert unknown_point.status_code == 404
    assert bad_kind.status_code == 400
    problem(unknown_point)
    problem(bad_kind)


def test_a_cadre_is_given_other_points_and_an_unknown_one_changes_nothing(server: Server) -> None:
    admin = server.administrator()
    world = build_world(server.app)
    other = server.app.designate_point(
        name="东风社区广场",
        org_unit_id=world.village,
        location=GeoPoint(PLACE["lat"], PLACE["lon"]),
    )
    cadre = server.app.register_cadre(
        name="李书记", kind=CadreKind.FULL_TIME, org_unit_id=world.county, point_ids=[world.point]
    )
    path = f"/api/v1/cadres/{cadre}/points"

    moved = server.client.put(path, json={"point_ids": [str(other), str(other)]}, headers=admin)
    after_move = server.app.get(Cadre, cadre).point_ids
    unknown = server.client.put(path, json={"point_ids": [str(UUID(int=4))]}, headers=admin)
    no_list = server.client.put(path, json={}, headers=admin)
    nobody = server.client.put(
        f"/api/v1/cadres/{UUID(int=5)}/points", json={"point_ids": [str(other)]}, headers=admin
    )

    assert moved.status_code == 204, moved.text
    assert after_move == [other]
    assert unknown.status_code == 404
    assert no_list.status_code == 400
    assert nobody.status_code == 404
    problem(unknown)
    problem(no_list)
    assert server.app.get(Cadre, cadre).point_ids == [other]


def test_a_retired_point_is_given_to_no_cadre_and_not_retired_twice(server: Server) -> None:
    admin = server.administrator()
    world = build_world(server.app)
    cadre = server.app.register_cadre(
        name="李书记", kind=CadreKind.FULL_TIME, org_unit_id=world.county, point_ids=[]
    )
    path = f"/api/v1/grassroots-points/{world.point}/retire"

    no_reason = server.client.post(path, json={"reason": ""}, headers=admin)
    retired = server.client.post(path, json={"reason": "合并到社区党群服务中心"}, headers=admin)
    again = server.client.post(path, json={"reason": "再次撤销"}, headers=admin)
    given = server.client.put(
        f"/api/v1/cadres/{cadre}/points", json={"point_ids": [str(world.point)]}, headers=admin
    )

    assert no_reason.status_code == 400
    assert retired.status_code == 204, retired.text
    assert server.app.get(GrassrootsPoint, world.point).is_retired
    assert again.status_code == 409
    assert problem(again)["code"] == "point-retired"
    # A retired point is given to no cadre.
    assert given.status_code == 409
    assert server.app.get(Cadre, cadre).point_ids == []


def test_a_closed_center_posts_no_more_activities(server: Server) -> None:
    admin = server.administrator()
    world = build_world(server.app)
    staff = server.log_in(server.account("13900000041", Grant(Role.CENTER_STAFF, world.center)))
    path = f"/api/v1/centers/{world.center}/close"

    closed = server.client.post(path, json={"reason": "场地收回"}, headers=admin)
    _settle(server, admin)
    shown = server.client.get(f"/api/v1/centers/{world.center}", headers=admin)
    posted = server.client.post(
        f"/api/v1/centers/{world.center}/activities",
        json={
            "title": "植树活动",
            "category": "environment",
            "starts_at": "2027-03-12T09:00:00+08:00",
            "ends_at": "2027-03-12T11:00:00+08:00",
        },
        headers=staff,
    )
    again = server.client.post(path, json={"reason": "场地收回"}, headers=admin)
    by_staff = server.client.post(path, json={"reason": "场地收回"}, headers=staff)

    assert closed.status_code == 204, closed.text
    assert shown.json()["closed"] is True
    assert posted.status_code == 409
    assert problem(posted)["code"] == "center-closed"
    assert again.status_code == 409
    assert by_staff.status_code == 403


def test_a_centers_details_change_and_what_is_left_out_stays(server: Server) -> None:
    admin = server.administrator()
    world = build_world(server.app)
    path = f"/api/v1/centers/{world.center}"
    _settle(server, admin)
    before = server.client.get(path, headers=admin).json()
    written = server.app.recorder.max_notification_id()

    refused = server.client.patch(path, json={"geofence_radius_m": 0}, headers=admin)
    unchanged = server.app.recorder.max_notification_id()
    changed = server.client.patch(
        path,
        json={"address": "新华大街 8 号", "location": {"lat": 40.85, "lon": 111.75}},
        headers=admin,
    )
    shown = server.client.get(path, headers=admin).json()

    assert refused.status_code == 400, refused.text
    assert unchanged == written
    assert changed.status_code == 200, changed.text
    assert changed.json() == shown
    assert shown["address"] == "新华大街 8 号"
    assert shown["location"] == {"lat": 40.85, "lon": 111.75}
    # Left out: the name and the fence.
    assert shown["name"] == before["name"]
    assert shown["geofence_radius_m"] == before["geofence_radius_m"]
    assert server.app.get(Center, world.center).address == "新华大街 8 号"


def test_a_closed_centers_details_are_not_changed(server: Server) -> None:
    admin = server.administrator()
    world = build_world(server.app)
    server.app.close_center(world.center, reason="场地收回")
    written = server.app.recorder.max_notification_id()

    changed = server.client.patch(
        f"/api/v1/centers/{world.center}", json={"name": "新名字"}, headers=admin
    )

    assert changed.status_code == 409
    assert problem(changed)["code"] == "center-closed"
    assert server.app.recorder.max_notification_id() == written


def test_a_unit_is_renamed_and_named_so_everywhere_and_the_same_name_writes_nothing(
    server: Server,
) -> None:
    admin = server.administrator()
    world = build_world(server.app)
    path = f"/api/v1/org-units/{world.village}"
    written = server.app.recorder.max_notification_id()

    empty = server.client.patch(path, json={"name": ""}, headers=admin)
    unknown = server.client.patch(
        "/api/v1/org-units/00000000-0000-4000-8000-000000000000",
        json={"name": "新华社区"},
        headers=admin,
    )
    assert server.app.recorder.max_notification_id() == written
    renamed = server.client.patch(path, json={"name": "新华社区"}, headers=admin)
    after_rename = server.app.recorder.max_notification_id()
    again = server.client.patch(path, json={"name": "新华社区"}, headers=admin)
    children = server.client.get(f"/api/v1/org-units?parent_id={world.township}", headers=admin)

    assert empty.status_code == 400
    assert unknown.status_code == 404
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "新华社区"
    assert again.status_code == 200
    assert server.app.recorder.max_notification_id() == after_rename
    assert [u["name"] for u in children.json()["items"]] == ["新华社区"]
