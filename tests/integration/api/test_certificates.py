"""Certificates of volunteer service over HTTP: issued from the ledger, downloaded as a
PDF whose QR code leads to the public check, refused when changed by one byte."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
import zxingcpp
from PIL import Image

from grassroots.domain.activity import Activity
from tests.integration.api.conftest import PASSWORD, Server, problem
from tests.integration.builders import World, build_world, post_activity

POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm) is not installed")
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
needs_font = pytest.mark.skipif(not FONT.is_file(), reason="fonts-noto-cjk is not installed")


@dataclass
class Volunteer:
    volunteer_id: UUID
    headers: dict[str, str]


def register(server: Server, world: World, phone: str, name: str) -> Volunteer:
    response = server.client.post(
        "/api/v1/volunteers",
        json={
            "name": name,
            "phone": phone,
            "password": PASSWORD,
            "birth_date": "2004-05-04",
            "org_unit_id": str(world.village),
        },
    )
    assert response.status_code == 201, response.text
    return Volunteer(UUID(response.json()["volunteer_id"]), server.log_in(phone))


def serve(server: Server, world: World, volunteer: Volunteer, title: str, hours: float) -> None:
    """The volunteer signs up, scans in before the start and out after the end."""
    activity = post_activity(
        server.app, world, starts_at=server.clock.now + timedelta(hours=1), hours=hours
    )
    server.app.change_activity_details(activity, title=title)
    client = server.client
    assert client.post(
        f"/api/v1/activities/{activity}/sign-ups", headers=volunteer.headers
    ).is_success
    starts_at = server.app.get(Activity, activity).starts_at
    for action, at in (
        ("check-in", starts_at - timedelta(minutes=5)),
        ("check-out", starts_at + timedelta(hours=hours)),
    ):
        server.clock.set(at)
        token = server.app.venue_code(activity).token
        response = client.post(
            f"/api/v1/activities/{activity}/{action}",
            json={"token": token},
            headers=volunteer.headers,
        )
        assert response.status_code == 200, response.text


@dataclass
class Issued:
    world: World
    volunteer: Volunteer
    body: dict[str, Any]
    pdf: bytes


@pytest.fixture
def issued(server: Server) -> Issued:
    world = build_world(server.app)
    volunteer = register(server, world, "13800138000", "王小明")
    # The clock starts on Monday 2 March 2026, 09:00 in Shanghai.
    serve(server, world, volunteer, "社区环境清洁", 2)
    serve(server, world, volunteer, "敬老院探访", 1.5)
    response = server.client.post(
        "/api/v1/me/certificates",
        json={"from": "2026-03-01", "to": "2026-03-02"},
        headers=volunteer.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    pdf = server.client.get(body["pdf_url"], headers=volunteer.headers)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    return Issued(world, volunteer, body, pdf.content)


def check(server: Server, serial: str, pdf: bytes) -> Any:
    return server.client.post(
        f"/api/v1/certificates/{serial}/check",
        content=pdf,
        headers={"Content-Type": "application/pdf"},
    )


@needs_font
def test_a_certificate_lists_the_activities_of_the_period_with_their_credited_hours(
    server: Server, issued: Issued
) -> None:
    body = issued.body
    assert body["volunteer_name"] == "王小明"
    # Both on the same day: by title (敬 U+656C before 社 U+793E).
    assert [(line["activity_title"], line["minutes"]) for line in body["lines"]] == [
        ("敬老院探访", 90),
        ("社区环境清洁", 120),
    ]
    assert all(line["center_name"] == "东风社区青年之家" for line in body["lines"])
    assert body["total_minutes"] == 210
    assert body["total_hours"] == "3.5"
    assert body["verification_url"] == f"HTTP://127.0.0.1:8000/V/{body['serial']}"
    assert issued.pdf.startswith(b"%PDF-")


@needs_font
@needs_poppler
def test_the_pdf_shows_the_title_and_name_and_its_qr_code_opens_the_verification_page(
    server: Server, issued: Issued, tmp_path: Path
) -> None:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(issued.pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "志愿服务证明" in text
    assert "王小明" in text
    assert issued.body["serial"] in text
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )
    barcodes = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [b.text for b in barcodes] == [issued.body["verification_url"]]

    # The URL's path, as a phone opening it would ask for it.
    page = server.client.get("/V/" + barcodes[0].text.rsplit("/V/", 1)[1])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert issued.body["serial"] in page.text
    assert "王**" in page.text
    assert "王小明" not in page.text


@needs_font
def test_the_original_pdf_is_confirmed_and_one_changed_byte_is_refused(
    server: Server, issued: Issued
) -> None:
    serial = issued.body["serial"]
    changed = bytearray(issued.pdf)
    # A byte inside the document (not its trailing newline), changed by one bit.
    changed[len(changed) // 2] ^= 0x01

    assert check(server, serial, issued.pdf).json() == {"serial": serial, "genuine": True}
    assert check(server, serial, bytes(changed)).json() == {"serial": serial, "genuine": False}
    assert check(server, serial, issued.pdf + b"\n").json()["genuine"] is False


@needs_font
def test_the_public_read_shows_what_the_certificate_shows_with_the_name_masked(
    server: Server, issued: Issued
) -> None:
    serial = issued.body["serial"]
    response = server.client.get(f"/api/v1/certificates/{serial.lower()}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["volunteer_name"] == "王**"
    assert "王小明" not in response.text
    assert body["lines"] == issued.body["lines"]
    assert body["total_minutes"] == 210
    assert "pdf_sha256" not in body


@needs_font
def test_another_volunteers_pdf_answers_as_if_there_were_none(
    server: Server, issued: Issued
) -> None:
    other = register(server, issued.world, "13800138001", "李四")
    foreign = server.client.get(issued.body["pdf_url"], headers=other.headers)
    unknown = server.client.get("/api/v1/me/certificates/0000-0000-0000.pdf", headers=other.headers)
    anonymous = server.client.get(issued.body["pdf_url"])

    assert foreign.status_code == unknown.status_code == 404
    assert problem(foreign)["code"] == problem(unknown)["code"] == "certificate-not-found"
    assert anonymous.status_code == 401


@needs_font
def test_the_callers_certificates_are_listed_newest_first_in_pages(
    server: Server, issued: Issued
) -> None:
    client, me = server.client, issued.volunteer
    other = register(server, issued.world, "13800138001", "李四")
    serve(server, issued.world, other, "读书会", 1)
    server.clock.set(server.clock.now + timedelta(minutes=1))
    theirs = client.post(
        "/api/v1/me/certificates", json={"from": "2026-03-02", "to": "2026-03-02"},
        headers=other.headers,
    )  # fmt: skip
    server.clock.set(server.clock.now + timedelta(minutes=1))
    second = client.post(
        "/api/v1/me/certificates", json={"from": "2026-03-02", "to": "2026-03-02"},
        headers=me.headers,
    )  # fmt: skip
    assert theirs.status_code == second.status_code == 201, second.text

    listed = client.get("/api/v1/me/certificates", headers=me.headers)
    first_page = client.get("/api/v1/me/certificates?limit=1", headers=me.headers)
    last_page = client.get("/api/v1/me/certificates?limit=1&offset=1", headers=me.headers)
    their_list = client.get("/api/v1/me/certificates", headers=other.headers)

    assert listed.status_code == 200, listed.text
    body = listed.json()
    serials = [second.json()["serial"], issued.body["serial"]]
    assert [item["serial"] for item in body["items"]] == serials
    assert (body["limit"], body["offset"], body["next_offset"]) == (50, 0, None)
    newest = body["items"][0]
    assert newest == {
        "serial": serials[0],
        "from": "2026-03-02",
        "to": "2026-03-02",
        "activities": 2,
        "total_minutes": 210,
        "total_hours": "3.5",
        "issued_at": second.json()["issued_at"],
        "verification_url": second.json()["verification_url"],
        "pdf_url": second.json()["pdf_url"],
    }
    assert [item["serial"] for item in first_page.json()["items"]] == serials[:1]
    assert first_page.json()["next_offset"] == 1
    assert [item["serial"] for item in last_page.json()["items"]] == serials[1:]
    assert last_page.json()["next_offset"] is None
    assert [item["serial"] for item in their_list.json()["items"]] == [theirs.json()["serial"]]
    # Each listed PDF downloads.
    assert client.get(newest["pdf_url"], headers=me.headers).status_code == 200
    assert client.get("/api/v1/me/certificates").status_code == 401


def test_an_unknown_serial_is_not_found_everywhere(server: Server) -> None:
    assert problem(server.client.get("/api/v1/certificates/0000-0000-0000"))["status"] == 404
    assert check(server, "not-a-serial", b"%PDF-1.4").status_code == 404
    assert server.client.get("/V/0000-0000-0000").status_code == 404


def test_a_check_must_send_a_pdf_and_not_a_large_one(server: Server) -> None:
    wrong_type = server.client.post(
        "/api/v1/certificates/0000-0000-0000/check",
        content=b"{}",
        headers={"Content-Type": "application/json"},
    )
    too_large = check(server, "0000-0000-0000", b"%PDF" + b"0" * 1_100_000)
    assert wrong_type.status_code == 415
    assert too_large.status_code == 413


def test_a_period_in_the_future_or_without_service_is_refused(server: Server) -> None:
    world = build_world(server.app)
    volunteer = register(server, world, "13800138000", "王小明")
    future = server.client.post(
        "/api/v1/me/certificates",
        json={"from": "2026-03-01", "to": "2026-03-31"},
        headers=volunteer.headers,
    )
    empty = server.client.post(
        "/api/v1/me/certificates",
        json={"from": "2026-02-01", "to": "2026-02-28"},
        headers=volunteer.headers,
    )
    assert problem(future)["code"] == "certificate-period-in-future"
    assert future.status_code == 422
    assert problem(empty)["code"] == "certificate-empty"
    assert empty.status_code == 409


def test_a_missing_font_answers_503_naming_the_package(server_factory: Any, tmp_path: Path) -> None:
    server = server_factory(cjk_font=tmp_path / "no-such-font.ttc")
    world = build_world(server.app)
    volunteer = register(server, world, "13800138000", "王小明")
    response = server.client.post(
        "/api/v1/me/certificates",
        json={"from": "2026-02-01", "to": "2026-02-28"},
        headers={**volunteer.headers, "Accept-Language": "en"},
    )
    assert response.status_code == 503
    body = problem(response)
    assert body["code"] == "cjk-font-missing"
    assert "fonts-noto-cjk" in body["detail"]
