"""Experience sharing (心得交流) through the API: written by cadres and center staff,
read by their unit and the supervisors above, commented and liked, featured and hidden;
photos uploaded as multipart and fetched scoped like their post; bad input refused."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from PIL import Image

from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import CadreKind
from grassroots.domain.experience import MAX_PHOTO_BYTES, TEXT_MAX_LENGTH
from grassroots.domain.org_unit import OrgLevel
from tests.integration.api.conftest import Server, problem
from tests.integration.builders import CENTER_PLACE, World, build_world


@dataclass
class Office:
    world: World
    other_village: UUID
    cadre: dict[str, str]
    staff: dict[str, str]
    neighbour: dict[str, str]
    township: dict[str, str]
    county: dict[str, str]
    volunteer: dict[str, str]


def _office(server: Server) -> Office:
    app = server.app
    world = build_world(app)
    other_village = app.create_org_unit(
        name="西风社区", level=OrgLevel.VILLAGE, parent_id=world.township
    )
    neighbour_center = app.register_center(
        name="西风社区青年之家",
        org_unit_id=other_village,
        address="呼和浩特市新城区西风路 1 号",
        location=CENTER_PLACE,
        geofence_radius_m=150,
    )
    cadre = app.register_cadre(name="李书记", kind=CadreKind.FULL_TIME, org_unit_id=world.village)
    server.account("13700000001", Grant(Role.CADRE, cadre), name="李书记")
    server.account("13700000002", Grant(Role.CENTER_STAFF, world.center), name="王老师")
    server.account("13700000003", Grant(Role.CENTER_STAFF, neighbour_center), name="邻居")
    server.account("13700000004", Grant(Role.SUPERVISOR, world.township), name="街道团工委")
    server.account("13700000005", Grant(Role.SUPERVISOR, world.county), name="县团委")
    app.register_volunteer_account(
        name="小明",
        phone="13700000006",
        password="grassroots-pw-1",
        birth_date=date(2001, 5, 4),
        org_unit_id=world.village,
    )
    return Office(
        world=world,
        other_village=other_village,
        cadre=server.log_in("13700000001"),
        staff=server.log_in("13700000002"),
        neighbour=server.log_in("13700000003"),
        township=server.log_in("13700000004"),
        county=server.log_in("13700000005"),
        volunteer=server.log_in("13700000006", "grassroots-pw-1"),
    )


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 140, 90)).save(out, format="PNG")
    return out.getvalue()


def _write(server: Server, headers: dict[str, str], **body: object) -> Any:
    sent = {"title": "入户走访的体会", "text": "第一段\n\n\n第二段", **body}
    response = server.client.post("/api/v1/experiences", json=sent, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _caught_up(server: Server) -> None:
    head = server.app.recorder.max_notification_id() or 0
    assert server.client.app.state.read_side.wait_for(head, 5.0)


def _titles(server: Server, path: str, headers: dict[str, str]) -> list[tuple[str, bool]]:
    _caught_up(server)
    response = server.client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return [(p["title"], p["featured"]) for p in response.json()["items"]]


def test_a_cadre_writes_a_post_kept_as_plain_paragraphs(server: Server) -> None:
    office = _office(server)
    written = _write(server, office.cadre, text="<p>第一段</p>\n\n\n第二段  ")

    assert written["paragraphs"] == ["<p>第一段</p>", "第二段"]
    assert (written["author_name"], written["author_kind"], written["mine"]) == (
        "李书记",
        "cadre",
        True,
    )
    assert written["org_unit_id"] == str(office.world.village)


def test_the_post_reaches_its_unit_and_the_supervisors_above_but_not_a_neighbour(
    server: Server,
) -> None:
    office = _office(server)
    post = _write(server, office.cadre)
    path = f"/api/v1/experiences/{post['post_id']}"

    assert server.client.get(path, headers=office.staff).status_code == 200
    assert server.client.get(path, headers=office.township).status_code == 200
    assert server.client.get(path, headers=office.county).status_code == 200
    assert server.client.get(path, headers=office.neighbour).status_code == 404
    assert server.client.get(path, headers=office.volunteer).status_code == 403


def test_lists_put_featured_first_and_count_comments_and_likes(server: Server) -> None:
    office = _office(server)
    first = _write(server, office.cadre, title="第一篇")
    server.clock.advance(minutes=5)
    _write(server, office.staff, title="第二篇", center_id=str(office.world.center))
    client = server.client
    post_path = f"/api/v1/experiences/{first['post_id']}"
    assert (
        client.post(
            f"{post_path}/comments", json={"text": "学习了"}, headers=office.staff
        ).status_code
        == 201
    )
    assert client.put(f"{post_path}/like", headers=office.staff).status_code == 204
    assert client.put(f"{post_path}/like", headers=office.staff).status_code == 204
    featured = client.post(f"{post_path}/feature", headers=office.county)
    assert featured.status_code == 200, featured.text

    assert _titles(server, "/api/v1/experiences", office.staff) == [
        ("第一篇", True),
        ("第二篇", False),
    ]
    unit_path = f"/api/v1/org-units/{office.world.township}/experiences"
    assert _titles(server, unit_path, office.township) == [("第一篇", True), ("第二篇", False)]
    listed = client.get(unit_path, headers=office.township).json()["items"][0]
    assert (listed["comments"], listed["likes"]) == (1, 1)
    assert _titles(server, "/api/v1/experiences", office.neighbour) == []
    page = client.get(f"{unit_path}?limit=1", headers=office.township).json()
    assert (len(page["items"]), page["next_offset"]) == (1, 1)


def test_only_the_author_edits_and_the_versions_are_counted(server: Server) -> None:
    office = _office(server)
    post = _write(server, office.cadre)
    path = f"/api/v1/experiences/{post['post_id']}"

    by_other = server.client.put(path, json={"title": "改", "text": "改"}, headers=office.staff)
    edited = server.client.put(path, json={"title": "改", "text": "改后"}, headers=office.cadre)

    assert problem(by_other)["code"] == "experience-not-yours"
    assert by_other.status_code == 403
    assert edited.status_code == 200, edited.text
    assert (edited.json()["versions"], edited.json()["text"]) == (2, "改后")


def test_a_comment_on_a_withdrawn_post_is_refused_and_nothing_is_written(
    server: Server,
) -> None:
    office = _office(server)
    post = _write(server, office.cadre)
    path = f"/api/v1/experiences/{post['post_id']}"
    assert server.client.post(f"{path}/withdraw", headers=office.cadre).status_code == 200
    head = server.app.log_head()

    refused = server.client.post(f"{path}/comments", json={"text": "好"}, headers=office.county)

    assert refused.status_code == 409
    assert problem(refused)["code"] == "experience-withdrawn"
    assert server.app.log_head() == head
    # Withdrawn, it is no longer shown to colleagues; the author still has it.
    assert server.client.get(path, headers=office.staff).status_code == 404
    mine = server.client.get("/api/v1/experiences/mine", headers=office.cadre).json()["items"]
    assert [p["withdrawn"] for p in mine] == [True]


def test_bad_text_is_refused_with_its_own_problem_type(server: Server) -> None:
    office = _office(server)
    head = server.app.log_head()
    client = server.client

    empty = client.post(
        "/api/v1/experiences", json={"title": "题", "text": "  \n "}, headers=office.cadre
    )
    too_long = client.post(
        "/api/v1/experiences",
        json={"title": "题", "text": "字" * (TEXT_MAX_LENGTH + 1)},
        headers=office.cadre,
    )
    not_their_center = client.post(
        "/api/v1/experiences",
        json={"title": "题", "text": "文", "center_id": str(office.world.center)},
        headers=office.neighbour,
    )

    assert (empty.status_code, problem(empty)["code"]) == (422, "experience-text-empty")
    assert (too_long.status_code, problem(too_long)["code"]) == (422, "experience-text-too-long")
    assert not_their_center.status_code == 404
    assert server.app.log_head() == head


def test_a_photo_is_uploaded_as_multipart_and_fetched_like_its_post(server: Server) -> None:
    office = _office(server)
    post = _write(server, office.cadre)
    path = f"/api/v1/experiences/{post['post_id']}"
    data = png()

    uploaded = server.client.post(
        f"{path}/photos", files={"photo": ("a.png", data, "image/png")}, headers=office.cadre
    )

    assert uploaded.status_code == 201, uploaded.text
    photo = uploaded.json()
    assert (photo["media_type"], photo["size"], photo["width"]) == ("image/png", len(data), 40)
    fetched = server.client.get(photo["url"], headers=office.county)
    assert fetched.status_code == 200
    assert fetched.content == data
    assert fetched.headers["content-type"].startswith("image/png")
    assert server.client.get(photo["url"], headers=office.neighbour).status_code == 404
    listed = server.client.get(path, headers=office.staff).json()["photos"]
    assert [p["sha256"] for p in listed] == [photo["sha256"]]


def test_a_file_that_is_no_image_or_too_big_is_refused(server: Server) -> None:
    office = _office(server)
    post = _write(server, office.cadre)
    path = f"/api/v1/experiences/{post['post_id']}/photos"
    head = server.app.log_head()
    client = server.client

    fake = client.post(
        path, files={"photo": ("a.png", b"<svg/>", "image/png")}, headers=office.cadre
    )
    big = client.post(
        path,
        files={"photo": ("a.png", png() + b"\0" * MAX_PHOTO_BYTES, "image/png")},
        headers=office.cadre,
    )
    missing = client.post(
        path, files={"other": ("a.png", png(), "image/png")}, headers=office.cadre
    )

    assert (fake.status_code, problem(fake)["code"]) == (422, "photo-not-an-image")
    assert (big.status_code, problem(big)["code"]) == (413, "photo-too-large")
    assert missing.status_code == 400
    assert server.app.log_head() == head


def test_a_supervisor_hides_a_post_with_a_reason_shown_to_the_author(server: Server) -> None:
    office = _office(server)
    post = _write(server, office.cadre)
    path = f"/api/v1/experiences/{post['post_id']}"

    no_reason = server.client.post(f"{path}/hide", json={"reason": " "}, headers=office.township)
    hidden = server.client.post(
        f"{path}/hide", json={"reason": "含青年个人电话"}, headers=office.township
    )

    assert problem(no_reason)["code"] == "reason-required"
    assert hidden.status_code == 200, hidden.text
    assert (
        server.client.get(path, headers=office.cadre).json()["hidden"]["reason"] == "含青年个人电话"
    )
    assert server.client.get(path, headers=office.staff).status_code == 404
    assert _titles(server, "/api/v1/experiences", office.staff) == []


def test_a_supervisor_counts_posts_per_unit_per_month(server: Server) -> None:
    office = _office(server)
    _write(server, office.cadre)
    _write(server, office.staff, center_id=str(office.world.center))
    month = server.app.now().strftime("%Y-%m")
    _caught_up(server)

    response = server.client.get(
        f"/api/v1/org-units/{office.world.county}/experience-counts",
        params={"from": month, "to": month},
        headers=office.county,
    )
    bad = server.client.get(
        f"/api/v1/org-units/{office.world.county}/experience-counts",
        params={"from": "2026-13"},
        headers=office.county,
    )

    assert response.status_code == 200, response.text
    assert [(c["unit_name"], c["written"]) for c in response.json()["counts"]] == [("东风社区", 2)]
    assert bad.status_code == 400
