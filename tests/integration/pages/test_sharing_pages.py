"""心得交流 on the phone: a cadre writes a post, a colleague of the unit below reads it,
comments and likes it, the author adds a photo; a refusal shows its reason and writes
nothing; someone outside the unit finds no page."""

from __future__ import annotations

import io
import re
from uuid import UUID

import pytest
from PIL import Image

from grassroots.domain.account import Grant, Role
from grassroots.domain.experience import ExperiencePost
from grassroots.domain.org_unit import OrgLevel
from tests.integration.builders import CENTER_PLACE, register_cadre
from tests.integration.pages.conftest import Site

CADRE_PHONE = "13700000001"
STAFF_PHONE = "13700000002"
NEIGHBOUR_PHONE = "13700000003"


@pytest.fixture
def people(site: Site) -> None:
    cadre_id = register_cadre(site.app, site.world)  # at the county, above the center
    site.account(CADRE_PHONE, Grant(Role.CADRE, cadre_id), name="李书记")
    site.account(STAFF_PHONE, Grant(Role.CENTER_STAFF, site.world.center), name="王老师")
    other_county = site.app.create_org_unit(
        name="回民区", level=OrgLevel.COUNTY, parent_id=site.world.city
    )
    other_center = site.app.register_center(
        name="回民区青年之家",
        org_unit_id=other_county,
        address="呼和浩特市回民区中山西路 1 号",
        location=CENTER_PLACE,
        geofence_radius_m=150,
    )
    site.account(NEIGHBOUR_PHONE, Grant(Role.CENTER_STAFF, other_center), name="邻居")


def _log_out(site: Site) -> None:
    site.client.post("/logout", data={"_csrf_token": site.csrf_token("/")})


def _write(site: Site, title: str, text: str) -> object:
    return site.client.post(
        "/share/new",
        data={"title": title, "text": text, "_csrf_token": site.csrf_token("/share/new")},
        follow_redirects=False,
    )


def _written(site: Site) -> UUID:
    answer = _write(site, "入户走访的体会", "先听后说。\n\n带着问题去。")
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    found = re.fullmatch(r"/share/([0-9a-f-]{36})", answer.headers["location"])  # type: ignore[attr-defined]
    assert found
    return UUID(found.group(1))


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (24, 16), (200, 40, 40)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.usefixtures("people")
def test_a_post_written_on_the_phone_is_read_commented_and_liked_below(site: Site) -> None:
    site.log_in(CADRE_PHONE)
    assert 'href="/share/"' in site.client.get("/cadre/").text
    post_id = _written(site)
    page = f"/share/{post_id}"
    shown = site.client.get(page).text
    assert "<p>先听后说。</p>" in shown
    assert "<p>带着问题去。</p>" in shown
    photo = site.client.post(
        f"{page}/photos",
        data={"_csrf_token": site.csrf_token(page)},
        files={"photo": ("a.png", _png(), "image/png")},
        follow_redirects=False,
    )
    assert photo.status_code == 303, photo.text
    _log_out(site)

    site.log_in(STAFF_PHONE)
    listed = site.client.get("/share/").text
    commented = site.client.post(
        f"{page}/comments",
        data={"text": "学习了", "_csrf_token": site.csrf_token(page)},
        follow_redirects=False,
    )
    liked = site.client.post(
        f"{page}/like", data={"_csrf_token": site.csrf_token(page)}, follow_redirects=False
    )

    assert "入户走访的体会" in listed
    assert (commented.status_code, liked.status_code) == (303, 303)
    post = site.app.get(ExperiencePost, post_id)
    assert [c[3:] for c in post.comments] == [("王老师", "学习了")]
    assert len(post.likers) == 1
    (facts,) = post.photos
    image = site.client.get(f"{page}/photos/{facts.sha256}")
    assert (image.status_code, image.content) == (200, _png())
    _log_out(site)

    site.log_in(NEIGHBOUR_PHONE)
    assert site.client.get(page).status_code == 404
    assert site.client.get(f"{page}/photos/{facts.sha256}").status_code == 404


@pytest.mark.usefixtures("people")
def test_an_empty_text_is_refused_on_the_form_and_nothing_is_written(site: Site) -> None:
    site.log_in(CADRE_PHONE)
    head = site.app.log_head()

    answer = _write(site, "标题", "   ")

    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert "请填写心得正文" in answer.text  # type: ignore[attr-defined]
    assert site.app.log_head() == head


def test_a_supervisor_with_no_cadre_or_center_record_finds_no_sharing_page(site: Site) -> None:
    site.account("13800000009", Grant(Role.SUPERVISOR, site.world.county), name="县团委")
    site.log_in("13800000009")
    assert site.client.get("/share/").status_code == 404


@pytest.mark.usefixtures("people")
def test_markup_in_a_post_is_shown_as_the_letters_typed(site: Site) -> None:
    site.log_in(CADRE_PHONE)
    answer = _write(site, "<b>标题</b>", "<script>alert(1)</script>")
    shown = site.client.get(answer.headers["location"]).text  # type: ignore[attr-defined]

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "<script>alert(1)" not in shown


@pytest.mark.usefixtures("people")
def test_the_weekly_dispatch_counts_the_months_posts_per_unit(site: Site) -> None:
    site.log_in(CADRE_PHONE)
    _written(site)
    _written(site)
    _log_out(site)
    site.account("13800000009", Grant(Role.SUPERVISOR, site.world.county), name="县团委")
    site.log_in("13800000009")
    head = site.app.log_head()
    assert site.client.app.state.read_side.wait_for(head, 5.0)

    shown = site.client.get(f"/dispatch/?unit={site.world.county}").text

    rows = re.findall(r'<table class="grid shared">.*?</table>', shown, re.S)
    assert len(rows) == 1
    assert re.search(r"<td>新城区</td><td class=\"num\">2</td>", rows[0])
