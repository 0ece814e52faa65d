"""Signing up, scanning in and out, and reading the ledger: the ways they fail."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from grassroots.api.rate_limits import Rate
from grassroots.domain.account import Grant, Role
from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import GeoPoint
from tests.integration.api.conftest import PASSWORD, Server, problem
from tests.integration.builders import CENTER_PLACE, World, build_world, post_activity

# The domain's own codes for each failed scan; statuses only need to be a client's fault.
CLIENT_FAULTS = range(400, 500)


@dataclass
class Volunteer:
    volunteer_id: UUID
    account_id: UUID
    headers: dict[str, str]


def register(server: Server, world: World, phone: str = "13800138000") -> Volunteer:
    """A volunteer who registered and logged in through the API."""
    response = server.client.post(
        "/api/v1/volunteers",
        json={
            "name": "王小明",
            "phone": phone,
            "password": PASSWORD,
            "birth_date": "2004-05-04",
            "org_unit_id": str(world.village),
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Volunteer(UUID(body["volunteer_id"]), UUID(body["account_id"]), server.log_in(phone))


def activity_soon(server: Server, world: World, **options: Any) -> UUID:
    """An activity starting two hours from the server's now."""
    return post_activity(
        server.app, world, starts_at=server.clock.now + timedelta(hours=2), **options
    )


def open_window(server: Server, activity_id: UUID) -> None:
    """Move the clock to ten minutes before the activity starts (check-in is open)."""
    starts_at = server.app.get(Activity, activity_id).starts_at
    server.clock.set(starts_at - timedelta(minutes=10))


def sign_up(server: Server, volunteer: Volunteer, activity_id: UUID) -> dict[str, Any]:
    response = server.client.post(
        f"/api/v1/activities/{activity_id}/sign-ups", headers=volunteer.headers
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def scan(
    server: Server,
    volunteer: Volunteer,
    activity_id: UUID,
    action: str = "check-in",
    *,
    token: str | None = None,
    **extra: Any,
) -> Any:
    token = token if token is not None else server.app.venue_code(activity_id).token
    return server.client.post(
        f"/api/v1/activities/{activity_id}/{action}",
        json={"token": token, **extra},
        headers=volunteer.headers,
    )


def failed(response: Any, code: str) -> None:
    assert response.status_code in CLIENT_FAULTS, response.text
    assert problem(response)["code"] == code


def attendance_events(server: Server, volunteer: Volunteer, activity_id: UUID) -> list[Any]:
    attendance_id = Attendance.id_for(volunteer.volunteer_id, activity_id)
    return list(server.app.events.get(attendance_id))


@pytest.fixture
def world(server: Server) -> World:
    return build_world(server.app)


@pytest.fixture
def volunteer(server: Server, world: World) -> Volunteer:
    return register(server, world)


def test_signing_up_answers_the_place_and_the_waiting_list_gives_a_position(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world, capacity=1)
    other = register(server, world, phone="13800138001")

    first = sign_up(server, other, activity)
    second = sign_up(server, volunteer, activity)
    again = sign_up(server, volunteer, activity)

    assert first["status"] == "signed_up"
    assert first["waiting_position"] is None
    assert second == again
    assert second["status"] == "wait_listed"
    assert second["waiting_position"] == 1
    assert second["volunteer_id"] == str(volunteer.volunteer_id)


def test_withdrawing_frees_the_place_for_the_first_one_waiting(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world, capacity=1)
    other = register(server, world, phone="13800138001")
    sign_up(server, volunteer, activity)
    sign_up(server, other, activity)

    gone = server.client.delete(
        f"/api/v1/activities/{activity}/sign-ups/me", headers=volunteer.headers
    )
    again = server.client.delete(
        f"/api/v1/activities/{activity}/sign-ups/me", headers=volunteer.headers
    )

    assert gone.status_code == 204
    failed(again, "not-signed-up")
    assert sign_up(server, other, activity)["status"] == "signed_up"


def test_signing_up_for_an_unknown_activity_is_404(server: Server, volunteer: Volunteer) -> None:
    response = server.client.post(
        "/api/v1/activities/6f1c2a8e-4b7d-4e0f-9a51-2d3c4b5a6e7f/sign-ups",
        headers=volunteer.headers,
    )
    assert response.status_code == 404
    problem(response)


def test_a_repeated_check_in_answers_the_same_attendance_and_records_nothing(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)

    first = scan(server, volunteer, activity, device_id="phone-1")
    server.clock.advance(seconds=5)
    second = scan(server, volunteer, activity, device_id="phone-1")

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["checked_in_at"] is not None
    assert first.json()["checked_out_at"] is None
    assert len(attendance_events(server, volunteer, activity)) == 1


def test_a_repeated_check_out_answers_the_same_credit(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)
    scan(server, volunteer, activity)
    server.clock.advance(hours=1)

    first = scan(server, volunteer, activity, "check-out")
    server.clock.advance(seconds=5)
    second = scan(server, volunteer, activity, "check-out")

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    # Ten minutes early and fifty into the activity: the grace credits the early ten.
    assert first.json()["credited_minutes"] == 60
    assert len(attendance_events(server, volunteer, activity)) == 2


def test_a_code_older_than_two_rotations_is_stale(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)
    old = server.app.venue_code(activity).token

    server.clock.advance(seconds=2 * server.app.config.qr_rotation_seconds + 1)

    failed(scan(server, volunteer, activity, token=old), "token-stale")
    assert attendance_events(server, volunteer, activity) == []


def test_a_forged_code_is_refused(server: Server, world: World, volunteer: Volunteer) -> None:
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)
    token = server.app.venue_code(activity).token
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    failed(scan(server, volunteer, activity, token=forged), "token-forged")
    failed(scan(server, volunteer, activity, token="not a code"), "token-wrong-length")


def test_the_code_of_another_activity_is_refused(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world)
    elsewhere = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)

    response = scan(server, volunteer, activity, token=server.app.venue_code(elsewhere).token)

    failed(response, "token-other-activity")


def test_outside_the_check_in_window_is_refused(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)

    failed(scan(server, volunteer, activity), "check-in-too-early")


def test_a_location_is_required_where_the_activity_asks_and_must_be_inside_the_fence(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world, location_required=True)
    sign_up(server, volunteer, activity)
    open_window(server, activity)
    far = GeoPoint(CENTER_PLACE.lat + 0.05, CENTER_PLACE.lon)  # about 5.5 km north

    missing = scan(server, volunteer, activity)
    outside = scan(
        server, volunteer, activity, location={"lat": far.lat, "lon": far.lon}, accuracy_m=10
    )
    inside = scan(
        server,
        volunteer,
        activity,
        location={"lat": CENTER_PLACE.lat, "lon": CENTER_PLACE.lon},
        accuracy_m=10,
    )

    failed(missing, "location-required")
    failed(outside, "outside-geofence")
    assert inside.status_code == 200, inside.text


def test_a_location_out_of_range_is_bad_input(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)

    response = scan(server, volunteer, activity, location={"lat": 91, "lon": 0}, accuracy_m=5)

    assert response.status_code == 400
    assert problem(response)["code"] == "invalid-request"
    assert attendance_events(server, volunteer, activity) == []


def test_checking_in_without_signing_up_is_refused_where_sign_up_is_required(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world)
    walk_in = activity_soon(server, world, sign_up_required=False)
    open_window(server, activity)

    failed(scan(server, volunteer, activity), "not-signed-up")
    assert scan(server, volunteer, walk_in).status_code == 200


def test_checking_in_at_a_second_activity_while_checked_in_at_one_is_refused(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    first = activity_soon(server, world)
    second = activity_soon(server, world)
    sign_up(server, volunteer, first)
    sign_up(server, volunteer, second)
    open_window(server, first)
    assert scan(server, volunteer, first).status_code == 200

    response = scan(server, volunteer, second)

    failed(response, "checked-in-elsewhere")
    assert response.status_code == 409
    assert scan(server, volunteer, first, "check-out").status_code == 200
    assert scan(server, volunteer, second).status_code == 200


def test_checking_out_without_a_check_in_is_refused(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)

    failed(scan(server, volunteer, activity, "check-out"), "not-checked-in")


def test_scans_at_once_on_two_servers_give_one_attendance_and_one_event(
    server_factory: Callable[..., Server],
) -> None:
    one = server_factory()
    # A second API process on the same store; the first keeps the read models.
    two = server_factory(embedded=False)
    world = build_world(one.app)
    volunteer = register(one, world)
    activity = activity_soon(one, world)
    sign_up(one, volunteer, activity)
    open_window(one, activity)
    token = one.app.venue_code(activity).token
    answers: list[Any] = []
    start = threading.Barrier(6)

    def scan_on(server: Server) -> None:
        start.wait()
        answers.append(scan(server, volunteer, activity, token=token))

    threads = [threading.Thread(target=scan_on, args=(s,)) for s in (one, two) * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(answers) == 6
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    assert len({a.json()["checked_in_at"] for a in answers}) == 1
    events = attendance_events(one, volunteer, activity)
    assert [type(e).__name__ for e in events] == ["CheckedIn"]


def test_scans_beyond_the_rate_limit_answer_429_with_retry_after(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(rates={"scan": Rate(3, 60)})
    world = build_world(server.app)
    volunteer = register(server, world)
    activity = activity_soon(server, world)
    sign_up(server, volunteer, activity)
    open_window(server, activity)

    # Seven scans meet the limit of three even if a window boundary falls between them.
    answers = [scan(server, volunteer, activity) for _ in range(7)]

    assert all(a.status_code == 200 for a in answers[:3])
    limited = [a for a in answers if a.status_code == 429]
    assert limited
    assert int(limited[0].headers["retry-after"]) >= 1
    assert problem(limited[0])["code"] == "rate-limited"


def test_a_volunteer_reads_only_their_own_ledger_and_no_staff_routes(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    other = register(server, world, phone="13800138001")

    own = server.client.get(
        f"/api/v1/volunteers/{volunteer.volunteer_id}/ledger", headers=volunteer.headers
    )
    foreign = server.client.get(
        f"/api/v1/volunteers/{other.volunteer_id}/ledger", headers=volunteer.headers
    )
    staff_screen = server.client.get(
        f"/api/v1/centers/{world.center}/live", headers=volunteer.headers
    )

    assert own.status_code == 200
    assert foreign.status_code == 404
    problem(foreign)
    assert staff_screen.status_code == 403
    assert problem(staff_screen)["code"] == "forbidden"


def test_a_supervisor_reads_the_ledgers_of_their_subtree_only(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    county = server.log_in(server.account("13700000001", Grant(Role.SUPERVISOR, world.county)))
    elsewhere_unit = server.app.create_org_unit(
        name="赛罕区", level=OrgLevel.COUNTY, parent_id=world.city
    )
    other = server.log_in(server.account("13700000002", Grant(Role.SUPERVISOR, elsewhere_unit)))
    path = f"/api/v1/volunteers/{volunteer.volunteer_id}/ledger"

    assert server.client.get(path, headers=county).status_code == 200
    assert server.client.get(path, headers=other).status_code == 404
    assert server.client.get("/api/v1/me/ledger", headers=county).status_code == 403


def test_a_ledger_as_of_a_naive_time_is_bad_input(server: Server, volunteer: Volunteer) -> None:
    response = server.client.get(
        "/api/v1/me/ledger", params={"as_of": "2026-03-02T09:00:00"}, headers=volunteer.headers
    )
    assert response.status_code == 400
    problem(response)


def test_explaining_a_line_that_is_not_the_callers_is_404(
    server: Server, world: World, volunteer: Volunteer
) -> None:
    other = register(server, world, phone="13800138001")
    activity = activity_soon(server, world)
    sign_up(server, other, activity)
    open_window(server, activity)
    scan(server, other, activity)
    server.clock.advance(hours=1)
    assert scan(server, other, activity, "check-out").status_code == 200
    [line] = server.client.get("/api/v1/me/ledger", headers=other.headers).json()["items"]

    mine = server.client.get(
        f"/api/v1/me/ledger/lines/{line['position']}/explanation", headers=volunteer.headers
    )
    theirs = server.client.get(
        f"/api/v1/me/ledger/lines/{line['position']}/explanation", headers=other.headers
    )

    assert mine.status_code == 404
    problem(mine)
    assert theirs.status_code == 200
