"""Cadres through the API: visits proven by a point's code or its geofence, the
"1+100" list, and their "8+4" standing right after the work is done."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import pytest
import zxingcpp
from PIL import Image

from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import CadreKind
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import GeoPoint
from tests.integration.api.conftest import Server, problem
from tests.integration.builders import CENTER_PLACE, World, build_world, register_cadre

FAR_AWAY = GeoPoint(40.8600, 111.7492)  # about 2 km north of the point


@dataclass
class Field:
    world: World
    cadre_id: UUID
    cadre: dict[str, str]
    supervisor: dict[str, str]


def _field(server: Server) -> Field:
    world = build_world(server.app)
    cadre_id = register_cadre(server.app, world)
    server.account("13700000001", Grant(Role.CADRE, cadre_id), name="李书记")
    server.account("13700000002", Grant(Role.SUPERVISOR, world.county), name="县团委")
    return Field(
        world=world,
        cadre_id=cadre_id,
        cadre=server.log_in("13700000001"),
        supervisor=server.log_in("13700000002"),
    )


def _other_cadre(server: Server, world: World, phone: str = "13700000009") -> dict[str, str]:
    other = server.app.register_cadre(
        name="赵干事", kind=CadreKind.PART_TIME, org_unit_id=world.county, point_ids=[world.point]
    )
    server.account(phone, Grant(Role.CADRE, other), name="赵干事")
    return server.log_in(phone)


def _code(server: Server, field: Field) -> str:
    response = server.client.get(
        f"/api/v1/points/{field.world.point}/code", headers=field.supervisor
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return str(response.json()["token"])


def _code_url(server: Server, field: Field) -> str:
    response = server.client.get(
        f"/api/v1/points/{field.world.point}/code", headers=field.supervisor
    )
    return str(response.json()["url"])


def _start(server: Server, field: Field, **proof: Any) -> Any:
    return server.client.post(
        "/api/v1/visits",
        json={"point_id": str(field.world.point), **proof},
        headers=field.cadre,
    )


def _standing(server: Server, headers: dict[str, str], period: str = "week") -> dict[str, Any]:
    response = server.client.get(f"/api/v1/me/standing?period={period}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_visit_scanned_from_the_points_screen_counts_as_soon_as_it_ends(
    server: Server,
) -> None:
    field = _field(server)
    png = server.client.get(
        f"/api/v1/points/{field.world.point}/code.png", headers=field.supervisor
    )
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.headers["cache-control"] == "no-store"
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    # The code is the page a phone camera opens, upper case to stay alphanumeric.
    base, token = decoded.text.rsplit("/P/", 1)
    assert base == "HTTP://127.0.0.1:8000"
    assert decoded.text == _code_url(server, field)

    started = _start(server, field, token=token)
    assert started.status_code == 201, started.text
    visit = started.json()
    assert (visit["proof"], visit["point_was_assigned"], visit["ended_at"]) == ("qr", True, None)
    visit_id = visit["visit_id"]

    server.clock.advance(minutes=30)
    logged = server.client.post(
        f"/api/v1/visits/{visit_id}/log", json={"text": "走访社区青年之家"}, headers=field.cadre
    )
    met = server.client.post(
        f"/api/v1/visits/{visit_id}/youths-met", json={"name": "王小明"}, headers=field.cadre
    )
    assert logged.status_code == met.status_code == 200
    assert met.json()["log"][0]["text"] == "走访社区青年之家"
    assert met.json()["youths_met"] == [{"name": "王小明", "contact_id": None}]

    before = _standing(server, field.cadre)
    assert before["visits"] == [{"visit_id": visit_id, "counted": False, "reason": "not-ended"}]

    server.clock.advance(minutes=45)
    ended = server.client.post(f"/api/v1/visits/{visit_id}/end", headers=field.cadre)
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended_at"] is not None

    week = _standing(server, field.cadre)
    assert week["period"] == "2026-W10"
    assert (week["visits_counted"], week["visit_days"]) == (1, 1)
    assert week["visits"] == [{"visit_id": visit_id, "counted": True, "reason": None}]
    assert week["status"] == "met"
    assert week["rules"]["is_default"] is True
    month = _standing(server, field.cadre, "month")
    assert (month["period"], month["visits_counted"], month["required_visits"]) == (
        "2026-03",
        1,
        2,
    )
    assert month["still_needed"] == {"visits": 1, "days": 2}
    assert month["status"] == "on_track"


def test_a_short_visit_is_listed_with_the_reason_it_did_not_count(server: Server) -> None:
    field = _field(server)
    visit_id = _start(server, field, token=_code(server, field)).json()["visit_id"]
    server.clock.advance(minutes=20)
    server.client.post(f"/api/v1/visits/{visit_id}/end", headers=field.cadre)

    week = _standing(server, field.cadre)

    assert week["visits"] == [{"visit_id": visit_id, "counted": False, "reason": "too-short"}]
    assert week["visits_counted"] == 0


def test_one_visit_is_under_way_at_a_time_and_a_second_scan_there_answers_it(
    server: Server,
) -> None:
    field = _field(server)
    first = _start(server, field, token=_code(server, field))
    assert first.status_code == 201, first.text
    visit_id = first.json()["visit_id"]
    other_point = server.app.designate_point(
        name="另一个联系点", org_unit_id=field.world.township, center_id=field.world.center
    )
    other_code = server.client.get(f"/api/v1/points/{other_point}/code", headers=field.supervisor)

    again = _start(server, field, token=_code(server, field))
    elsewhere = server.client.post(
        "/api/v1/visits",
        json={"point_id": str(other_point), "token": other_code.json()["token"]},
        headers=field.cadre,
    )

    assert again.status_code == 201, again.text
    assert again.json()["visit_id"] == visit_id
    assert elsewhere.status_code == 409, elsewhere.text
    assert problem(elsewhere)["code"] == "visit-under-way"
    assert [v["visit_id"] for v in _standing(server, field.cadre)["visits"]] == [visit_id]


def test_a_visit_starts_by_location_inside_the_points_geofence(server: Server) -> None:
    field = _field(server)

    started = _start(
        server, field, lat=CENTER_PLACE.lat, lon=CENTER_PLACE.lon + 0.0005, accuracy_m=20
    )

    assert started.status_code == 201, started.text
    assert started.json()["proof"] == "geofence"


def test_a_moved_point_is_visited_at_its_new_place_and_no_longer_at_the_old(
    server: Server,
) -> None:
    field = _field(server)
    admin = server.administrator()
    path = f"/api/v1/grassroots-points/{field.world.point}/place"
    new_place = {"lat": FAR_AWAY.lat, "lon": FAR_AWAY.lon}

    too_small = server.client.put(
        path, json={"location": new_place, "geofence_radius_m": 1}, headers=admin
    )
    by_cadre = server.client.put(path, json={"location": new_place}, headers=field.cadre)
    at_old_before = _start(server, field, lat=CENTER_PLACE.lat, lon=CENTER_PLACE.lon, accuracy_m=20)
    assert at_old_before.status_code == 201, at_old_before.text
    server.clock.advance(minutes=40)
    ended = server.client.post(
        f"/api/v1/visits/{at_old_before.json()['visit_id']}/end", json={}, headers=field.cadre
    )
    assert ended.status_code == 200, ended.text
    moved = server.client.put(
        path, json={"location": new_place, "geofence_radius_m": 200}, headers=admin
    )
    at_old = _start(server, field, lat=CENTER_PLACE.lat, lon=CENTER_PLACE.lon, accuracy_m=20)
    at_new = _start(server, field, lat=FAR_AWAY.lat, lon=FAR_AWAY.lon, accuracy_m=20)

    assert too_small.status_code == 400, too_small.text
    assert by_cadre.status_code == 403
    assert moved.status_code == 204, moved.text
    assert problem(at_old)["code"] == "outside-geofence"
    assert at_new.status_code == 201, at_new.text
    assert at_new.json()["proof"] == "geofence"
    # Moved again without a radius: the fence keeps the one it had.
    nearby = {"lat": FAR_AWAY.lat + 0.001, "lon": FAR_AWAY.lon}
    again = server.client.put(path, json={"location": nearby}, headers=admin)
    assert again.status_code == 204, again.text
    point = server.app.get(GrassrootsPoint, field.world.point)
    assert (point.location, point.geofence_radius_m) == (GeoPoint(**nearby), 200)


def test_a_retired_point_is_not_moved(server: Server) -> None:
    field = _field(server)
    admin = server.administrator()
    server.app.retire_point(field.world.point, reason="合并")
    before = server.app.recorder.max_notification_id()

    moved = server.client.put(
        f"/api/v1/grassroots-points/{field.world.point}/place",
        json={"location": {"lat": FAR_AWAY.lat, "lon": FAR_AWAY.lon}},
        headers=admin,
    )

    assert moved.status_code == 409
    assert problem(moved)["code"] == "point-retired"
    assert server.app.recorder.max_notification_id() == before


def test_a_location_outside_the_geofence_starts_nothing(server: Server) -> None:
    field = _field(server)

    outside = _start(server, field, lat=FAR_AWAY.lat, lon=FAR_AWAY.lon, accuracy_m=20)
    imprecise = _start(server, field, lat=CENTER_PLACE.lat, lon=CENTER_PLACE.lon, accuracy_m=900)
    nothing = _start(server, field)

    assert problem(outside)["code"] == "outside-geofence"
    assert problem(imprecise)["code"] == "location-too-imprecise"
    assert problem(nothing)["code"] == "visit-proof-required"
    assert all(400 <= r.status_code < 500 for r in (outside, imprecise, nothing))
    assert _standing(server, field.cadre)["visits"] == []


def test_a_stale_or_foreign_code_starts_nothing(server: Server) -> None:
    field = _field(server)
    token = _code(server, field)
    other_point = server.app.designate_point(
        name="另一个联系点", org_unit_id=field.world.township, location=FAR_AWAY
    )

    foreign = server.client.post(
        "/api/v1/visits", json={"point_id": str(other_point), "token": token}, headers=field.cadre
    )
    server.clock.advance(seconds=31)
    stale = _start(server, field, token=token)
    forged = _start(server, field, token=token[:-1] + ("B" if token[-1] != "B" else "C"))

    assert problem(foreign)["code"] == "token-other-point"
    assert problem(stale)["code"] == "token-stale"
    assert problem(forged)["code"] == "token-forged"
    assert all(r.status_code == 422 for r in (foreign, stale, forged))
    assert _standing(server, field.cadre)["visits"] == []


def test_another_cadres_visit_answers_as_if_it_did_not_exist(server: Server) -> None:
    field = _field(server)
    visit_id = _start(server, field, token=_code(server, field)).json()["visit_id"]
    other = _other_cadre(server, field.world)

    for path, body in (
        ("log", {"text": "冒充"}),
        ("youths-met", {"name": "某某"}),
        ("problems", {"title": "冒充", "description": "冒充"}),
        ("end", None),
    ):
        response = server.client.post(f"/api/v1/visits/{visit_id}/{path}", json=body, headers=other)
        assert response.status_code == 404, (path, response.text)
        assert problem(response)["code"] == "visit-not-found"
    assert server.client.get(f"/api/v1/visits/{visit_id}", headers=other).status_code == 404
    # The supervisor of the cadre's county reads it; nothing was added by the other cadre.
    seen = server.client.get(f"/api/v1/visits/{visit_id}", headers=field.supervisor).json()
    assert (seen["log"], seen["youths_met"], seen["problem_ids"], seen["ended_at"]) == (
        [],
        [],
        [],
        None,
    )


def test_an_ended_visit_takes_no_more_entries(server: Server) -> None:
    field = _field(server)
    visit_id = _start(server, field, token=_code(server, field)).json()["visit_id"]
    server.client.post(f"/api/v1/visits/{visit_id}/end", headers=field.cadre)

    late = server.client.post(
        f"/api/v1/visits/{visit_id}/log", json={"text": "补记"}, headers=field.cadre
    )

    assert late.status_code == 409
    assert problem(late)["code"] == "visit-ended"


def test_the_contact_list_and_its_coverage(server: Server) -> None:
    field = _field(server)
    added = server.client.post(
        "/api/v1/me/contacts",
        json={"name": "王小明", "phone": "+86 138 0013 8000", "walk_of_life": "外卖骑手"},
        headers=field.cadre,
    )
    assert added.status_code == 201, added.text
    contact = added.json()
    assert contact["phone"] == "13800138000"
    again = server.client.post(
        "/api/v1/me/contacts",
        json={"name": "王小明", "phone": "13800138000", "walk_of_life": "外卖骑手"},
        headers=field.cadre,
    )
    assert problem(again)["code"] == "contact-already-listed"

    visit_id = _start(server, field, token=_code(server, field)).json()["visit_id"]
    met = server.client.post(
        f"/api/v1/visits/{visit_id}/youths-met",
        json={"name": "王小明", "contact_id": contact["contact_id"]},
        headers=field.cadre,
    )
    assert met.status_code == 200, met.text

    coverage = server.client.get("/api/v1/me/coverage", headers=field.cadre).json()
    assert (coverage["year"], coverage["listed"], coverage["met_face_to_face"]) == (2026, 1, 1)
    assert coverage["target"] == coverage["still_to_list"] + 1
    listed = server.client.get("/api/v1/me/contacts?limit=10", headers=field.cadre).json()
    assert [c["contact_id"] for c in listed["items"]] == [contact["contact_id"]]
    assert listed["next_offset"] is None

    no_reason = server.client.delete(
        f"/api/v1/me/contacts/{contact['contact_id']}", headers=field.cadre
    )
    assert no_reason.status_code == 400
    removed = server.client.delete(
        f"/api/v1/me/contacts/{contact['contact_id']}",
        params={"reason": "已迁往外地工作"},
        headers=field.cadre,
    )
    assert removed.status_code == 204, removed.text
    listed = server.client.get("/api/v1/me/contacts", headers=field.cadre).json()
    assert listed["items"] == []
    assert server.client.get("/api/v1/me/coverage", headers=field.cadre).json()["listed"] == 0


def test_volunteers_and_center_staff_may_not_use_cadre_routes(server: Server) -> None:
    field = _field(server)
    volunteer = server.app.register_volunteer(
        name="王小明",
        phone="13800138000",
        birth_date=date(2001, 5, 4),
        org_unit_id=field.world.village,
    )
    server.account("13800138000", Grant(Role.VOLUNTEER, volunteer))
    server.account("13600000001", Grant(Role.CENTER_STAFF, field.world.center))

    for phone in ("13800138000", "13600000001"):
        headers = server.log_in(phone)
        for method, path in (
            ("post", "/api/v1/visits"),
            ("get", "/api/v1/me/standing"),
            ("get", "/api/v1/me/coverage"),
            ("get", "/api/v1/me/contacts"),
            ("get", f"/api/v1/cadres/{field.cadre_id}/standing"),
            ("get", f"/api/v1/points/{field.world.point}/code"),
        ):
            response = server.client.request(method, path, json={}, headers=headers)
            assert response.status_code == 403, (phone, path, response.text)
            assert problem(response)["code"] == "forbidden"


def test_a_supervisor_reads_a_cadres_standing_only_in_their_subtree(server: Server) -> None:
    field = _field(server)
    elsewhere = server.app.create_org_unit(
        name="赛罕区", level=OrgLevel.COUNTY, parent_id=field.world.city
    )
    server.account("13700000003", Grant(Role.SUPERVISOR, elsewhere), name="赛罕区团委")
    outsider = server.log_in("13700000003")

    own = server.client.get(
        f"/api/v1/cadres/{field.cadre_id}/standing?period=month&date=2026-03-15",
        headers=field.supervisor,
    )
    foreign = server.client.get(f"/api/v1/cadres/{field.cadre_id}/standing", headers=outsider)
    code = server.client.get(f"/api/v1/points/{field.world.point}/code", headers=outsider)
    cadre_reads_self = server.client.get(
        f"/api/v1/cadres/{field.cadre_id}/coverage", headers=field.cadre
    )

    assert own.status_code == 200, own.text
    assert own.json()["period"] == "2026-03"
    assert problem(foreign)["code"] == "cadre-not-found"
    assert foreign.status_code == code.status_code == 404
    assert cadre_reads_self.status_code == 200


def test_a_cadre_may_not_fetch_the_code_of_their_own_point(server: Server) -> None:
    field = _field(server)

    response = server.client.get(f"/api/v1/points/{field.world.point}/code", headers=field.cadre)

    assert response.status_code == 403


@pytest.mark.parametrize("query", ["period=year", "date=2026-13-01", "period=month&date=x"])
def test_a_malformed_standing_query_is_refused(server: Server, query: str) -> None:
    field = _field(server)

    response = server.client.get(f"/api/v1/me/standing?{query}", headers=field.cadre)

    assert response.status_code == 400
    problem(response)
