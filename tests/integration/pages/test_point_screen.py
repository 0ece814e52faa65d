"""A grassroots point's screen: the list of a supervisor's points and the point's code,
for supervisors of the point's unit (or above it) and administrators only."""

from __future__ import annotations

import io
from uuid import UUID

import pytest
import zxingcpp
from PIL import Image

from grassroots.domain.account import Grant, Role
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.qr_token import QrSubject, SubjectKind
from tests.integration.pages.conftest import Site
from tests.integration.pages.test_volunteer_pages import _eventually

SUPERVISOR_PHONE = "13700000001"
OTHER_SUPERVISOR_PHONE = "13700000002"
ADMINISTRATOR_PHONE = "13700000003"


def _old_point(site: Site) -> UUID:
    return site.app.designate_point(
        name="旧联系点", org_unit_id=site.world.village, center_id=site.world.center
    )


def _screen(site: Site) -> str:
    return f"/screens/points/{site.world.point}"


@pytest.fixture
def supervisor(site: Site) -> str:
    return site.account(
        SUPERVISOR_PHONE, Grant(Role.SUPERVISOR, site.world.township), name="周督导"
    )


def test_a_supervisor_finds_the_points_of_their_subtree_and_opens_one(
    site: Site, supervisor: str
) -> None:
    retired = _old_point(site)
    site.app.retire_point(retired, reason="合并到东风社区联系点")
    site.log_in(supervisor)

    listed = _eventually(site, "/screens/points", "东风社区联系点")
    screen = site.client.get(_screen(site))

    assert f'href="/screens/points/{site.world.point}"' in listed
    assert "东风社区" in listed
    assert "旧联系点" not in listed
    assert screen.status_code == 200
    assert "东风社区联系点" in screen.text
    assert "所属单位：东风社区" in screen.text
    assert "团干部请用手机相机扫码" in screen.text
    assert "每 15 秒自动更新" in screen.text
    assert 'data-code-header="X-Point-Code-Replaced-At"' in screen.text


def test_the_screens_code_is_the_apis_and_opens_the_cadres_visit_page(
    site: Site, supervisor: str
) -> None:
    site.log_in(supervisor)

    png = site.client.get(f"{_screen(site)}/code.png")

    assert png.status_code == 200
    assert "no-store" in png.headers["cache-control"]
    assert "x-point-code-replaced-at" in png.headers
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    now = site.app.rotating_code(QrSubject(SubjectKind.POINT, site.world.point))
    assert code.text == f"HTTP://127.0.0.1:8000/P/{now.token}"


def test_everyone_but_the_units_supervisors_and_administrators_finds_no_point_screen(
    site: Site, supervisor: str, cadre: str, volunteer: str
) -> None:
    elsewhere = site.app.create_org_unit(
        name="另一个街道", level=OrgLevel.TOWNSHIP, parent_id=site.world.county
    )
    other = site.account(OTHER_SUPERVISOR_PHONE, Grant(Role.SUPERVISOR, elsewhere), name="吴督导")
    admin = site.account(ADMINISTRATOR_PHONE, Grant(Role.ADMINISTRATOR, None), name="郑管理")
    paths = [
        _screen(site),
        f"{_screen(site)}/code.png",
        f"/screens/points?unit={site.world.village}",
    ]

    answers: dict[str, list[int]] = {}
    for phone in (supervisor, admin, other, cadre, volunteer):
        site.client.cookies.clear()
        site.log_in(phone)
        answers[phone] = [site.client.get(path).status_code for path in paths]

    assert answers == {
        supervisor: [200, 200, 200],
        admin: [200, 200, 200],
        other: [404, 404, 404],
        cadre: [404, 404, 404],
        volunteer: [404, 404, 404],
    }


def test_logged_out_the_point_screen_asks_for_a_log_in(site: Site) -> None:
    for path in (_screen(site), "/screens/points"):
        answer = site.client.get(path, follow_redirects=False)

        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/login?next=")
        assert path.split("?")[0] in answer.headers["location"].replace("%2F", "/")


def test_a_retired_point_and_an_unknown_one_are_missing_pages(site: Site, supervisor: str) -> None:
    retired = _old_point(site)
    site.app.retire_point(retired, reason="合并到东风社区联系点")
    site.log_in(supervisor)

    for point in (retired, site.world.region):
        assert site.client.get(f"/screens/points/{point}").status_code == 404
        assert site.client.get(f"/screens/points/{point}/code.png").status_code == 404


def test_the_point_screen_speaks_english_when_asked(site: Site, supervisor: str) -> None:
    site.log_in(supervisor)

    screen = site.client.get(f"{_screen(site)}?lang=en")

    assert "Cadres: scan with your phone&#39;s camera to start your visit" in screen.text
    assert "Unit: 东风社区" in screen.text


def test_the_dispatch_links_to_the_units_point_screens(site: Site, supervisor: str) -> None:
    site.log_in(supervisor)

    page = site.client.get("/dispatch/").text

    assert f'href="/screens/points?unit={site.world.township}"' in page


def test_the_points_code_image_says_how_long_the_code_is_still_accepted(
    site: Site, supervisor: str
) -> None:
    # As on the venue screen: past these seconds with no fresh code, the screen
    # hides the code and says scanning is paused.
    site.log_in(supervisor)

    screen = site.client.get(_screen(site))
    png = site.client.get(f"{_screen(site)}/code.png")

    now = site.app.rotating_code(QrSubject(SubjectKind.POINT, site.world.point))
    left = (now.expires_at - site.app.now()).total_seconds()
    assert png.headers["x-point-code-expires-in"] == f"{left:.3f}"
    assert 'data-expiry-header="X-Point-Code-Expires-In"' in screen.text
    assert "暂停扫码 · 正在重新连接" in screen.text
