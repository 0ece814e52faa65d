"""心得交流 on the phone: a cadre writes a post, a colleague of the unit below reads it,
comments and likes it, the author adds a photo; a refusal shows its reason and writes
nothing; someone outside the unit finds no page."""

from __future__ import annotations

import io
import re
from typing import Any
from uuid import UUID

import pytest
from PIL import Image

from grassroots.domain.account import Grant, Role
from grassroots.domain.experience import ExperiencePost
from grassroots.domain.org_unit import OrgLevel
from tests.conftest import FakeClock
from tests.integration.builders import CENTER_PLACE, register_cadre, register_volunteer
from tests.integration.pages.conftest import Site

CADRE_PHONE = "13700000001"
STAFF_PHONE = "13700000002"
NEIGHBOUR_PHONE = "13700000003"
SUPERVISOR_PHONE = "13800000009"
TOWNSHIP_SUPERVISOR_PHONE = "13800000010"


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
    site.account(SUPERVISOR_PHONE, Grant(Role.SUPERVISOR, site.world.county), name="县团委")
    site.account(
        TOWNSHIP_SUPERVISOR_PHONE, Grant(Role.SUPERVISOR, site.world.township), name="街道团工委"
    )


def _log_out(site: Site) -> None:
    site.client.post("/logout", data={"_csrf_token": site.csrf_token("/")})


def _write(site: Site, title: str, text: str) -> object:
    return site.client.post(
        "/share/new",
        data={"title": title, "text": text, "_csrf_token": site.csrf_token("/share/new")},
        follow_redirects=False,
    )


def _written(site: Site, title: str = "入户走访的体会") -> UUID:
    answer = _write(site, title, "先听后说。\n\n带着问题去。")
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


@pytest.mark.usefixtures("people")
def test_a_new_post_too_long_is_refused_in_words_keeping_what_was_typed(site: Site) -> None:
    site.log_in(CADRE_PHONE)
    head = site.app.log_head()
    text = "字" * 10001  # past the schema's bound too, which must not answer first

    answer = _write(site, "标题", text)

    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert "心得正文太长" in answer.text  # type: ignore[attr-defined]
    assert f">{text}</textarea>" in answer.text  # type: ignore[attr-defined]
    assert site.app.log_head() == head


def test_a_volunteer_finds_no_sharing_page(site: Site) -> None:
    volunteer_id = register_volunteer(site.app, site.world)
    site.account("13800000008", Grant(Role.VOLUNTEER, volunteer_id))
    site.log_in("13800000008")
    assert site.client.get("/share/").status_code == 404
    assert site.client.get(f"/share/?unit={site.world.county}").status_code == 404


def test_an_administrator_reads_a_units_posts_having_no_home_of_their_own(site: Site) -> None:
    site.log_in(site.account("13900000000", Grant(Role.ADMINISTRATOR), name="管理员"))
    assert site.client.get(f"/share/?unit={site.world.county}").status_code == 200
    assert site.client.get("/share/").status_code == 200  # the units to choose from


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
    site.log_in(SUPERVISOR_PHONE)
    _caught_up(site)

    shown = site.client.get(f"/dispatch/?unit={site.world.county}").text

    rows = re.findall(r'<table class="grid shared">.*?</table>', shown, re.S)
    assert len(rows) == 1
    county = site.world.county
    assert re.search(
        rf'<td><a href="/share/\?unit={county}">新城区</a></td><td class="num">2</td>', rows[0]
    )
    assert f'<a class="back" href="/share/?unit={county}">查看辖区心得 ›</a>' in shown


def _caught_up(site: Site) -> None:
    """The read models have every write so far (another person's writes are not waited
    for by a page)."""
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5.0)


def _post_form(site: Site, path: str, form_page: str, **fields: str) -> Any:
    return site.client.post(
        path, data={**fields, "_csrf_token": site.csrf_token(form_page)}, follow_redirects=False
    )


def _titles(page: str) -> list[str]:
    """The posts' titles of a list page, in their order."""
    return re.findall(
        r"<li><a href=\"/share/[0-9a-f-]{36}\">\s*<span><strong>([^<]+)</strong>", page
    )


# --- editing --------------------------------------------------------------------------


@pytest.mark.usefixtures("people")
def test_the_author_edits_a_post_into_a_new_version_shown_as_edited(site: Site) -> None:
    site.log_in(CADRE_PHONE)
    post_id = _written(site)
    form = site.client.get(f"/share/{post_id}/edit")
    assert form.status_code == 200
    assert 'value="入户走访的体会"' in form.text
    assert "先听后说。\n\n带着问题去。</textarea>" in form.text

    saved = _post_form(
        site,
        f"/share/{post_id}/edit",
        f"/share/{post_id}/edit",
        title="入户走访的三点体会",
        text="先听后说。\n\n带着问题去。\n\n回头再看。",
    )

    assert saved.status_code == 303
    assert saved.headers["location"] == f"/share/{post_id}"
    post = site.app.get(ExperiencePost, post_id)
    assert [v[1] for v in post.versions] == ["入户走访的体会", "入户走访的三点体会"]
    shown = site.client.get(f"/share/{post_id}").text
    assert "<p>回头再看。</p>" in shown
    assert "已编辑" in shown
    assert "第 2 版" in shown
    mine = site.client.get("/share/?mine=1").text
    assert _titles(mine) == ["入户走访的三点体会"]
    assert "已编辑" in mine


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("title", "text", "said", "status"),
    [
        ("新标题", "   ", "请填写心得正文", 422),
        ("新标题", "字" * 5001, "心得正文太长", 422),
        ("题" * 101, "新的正文", "标题太长", 422),
        ("", "新的正文", "请填写标题", 422),
    ],
)
def test_a_refused_edit_says_why_keeps_what_was_typed_and_writes_nothing(
    site: Site, title: str, text: str, said: str, status: int
) -> None:
    site.log_in(CADRE_PHONE)
    post_id = _written(site)
    head = site.app.log_head()

    answer = _post_form(
        site, f"/share/{post_id}/edit", f"/share/{post_id}/edit", title=title, text=text
    )

    assert answer.status_code == status
    assert said in answer.text
    assert f'value="{title}"' in answer.text
    assert f">{text}</textarea>" in answer.text
    assert site.app.log_head() == head
    assert len(site.app.get(ExperiencePost, post_id).versions) == 1


@pytest.mark.usefixtures("people")
def test_only_the_author_may_edit_and_a_withdrawn_post_is_not_edited(site: Site) -> None:
    site.log_in(CADRE_PHONE)
    post_id = _written(site)
    _log_out(site)

    site.log_in(STAFF_PHONE)  # reads the post, did not write it
    assert site.client.get(f"/share/{post_id}").status_code == 200
    assert f"/share/{post_id}/edit" not in site.client.get(f"/share/{post_id}").text
    assert site.client.get(f"/share/{post_id}/edit").status_code == 404
    head = site.app.log_head()
    answer = _post_form(site, f"/share/{post_id}/edit", "/share/new", title="改", text="改")
    assert answer.status_code == 403
    assert "只有作者本人才能修改或撤回心得" in answer.text
    assert site.app.log_head() == head
    _log_out(site)

    site.log_in(SUPERVISOR_PHONE)
    assert site.client.get(f"/share/{post_id}/edit").status_code == 404
    _log_out(site)

    site.log_in(CADRE_PHONE)
    _post_form(site, f"/share/{post_id}/withdraw", f"/share/{post_id}")
    opened = site.client.get(f"/share/{post_id}/edit", follow_redirects=False)
    assert (opened.status_code, opened.headers["location"]) == (303, f"/share/{post_id}")
    head = site.app.log_head()
    refused = _post_form(site, f"/share/{post_id}/edit", "/share/new", title="改", text="改")
    assert refused.status_code == 409
    assert "该心得已撤回" in refused.text
    assert site.app.log_head() == head


# --- supervisors ----------------------------------------------------------------------


@pytest.mark.usefixtures("people")
def test_a_supervisor_reads_the_subtree_and_a_featured_post_comes_first(
    site: Site, clock: FakeClock
) -> None:
    site.log_in(CADRE_PHONE)
    first = _written(site, "第一篇")
    clock.advance(minutes=5)
    _written(site, "第二篇")
    _log_out(site)
    site.log_in(SUPERVISOR_PHONE)
    _caught_up(site)

    listed = site.client.get("/share/")
    assert listed.status_code == 200
    assert "新城区及下级的心得" in listed.text
    assert _titles(listed.text) == ["第二篇", "第一篇"]
    assert _titles(site.client.get(f"/share/?unit={site.world.county}").text) == [
        "第二篇",
        "第一篇",
    ]
    post_page = site.client.get(f"/share/{first}").text
    assert "设为精选" in post_page
    assert "隐藏这篇心得" in post_page

    featured = _post_form(site, f"/share/{first}/feature", f"/share/{first}")

    assert featured.status_code == 303
    assert site.app.get(ExperiencePost, first).featured_for == {site.world.county}
    listed = site.client.get("/share/").text
    assert _titles(listed) == ["第一篇", "第二篇"]
    assert listed.index("精选") < listed.index("第二篇")
    assert "取消精选" in site.client.get(f"/share/{first}").text
    english = site.client.get(f"/share/{first}?lang=en").text
    assert "Stop featuring" in english
    assert "Why hide it (required, recorded)" in english
    assert "Posts of 新城区 and below" in site.client.get("/share/?lang=en").text
    site.client.get("/share/?lang=zh")
    _log_out(site)

    site.log_in(STAFF_PHONE)  # a center below the county reads it first too
    _caught_up(site)
    assert _titles(site.client.get("/share/").text) == ["第一篇", "第二篇"]
    assert "设为精选" not in site.client.get(f"/share/{first}").text
    _log_out(site)

    site.log_in(SUPERVISOR_PHONE)
    undone = _post_form(site, f"/share/{first}/feature", f"/share/{first}", undo="1")
    assert undone.status_code == 303
    assert site.app.get(ExperiencePost, first).featured_for == set()
    assert _titles(site.client.get("/share/").text) == ["第二篇", "第一篇"]


@pytest.mark.usefixtures("people")
def test_hiding_needs_a_reason_and_the_author_sees_why(site: Site) -> None:
    site.log_in(CADRE_PHONE)
    post_id = _written(site, "要隐藏的")
    _written(site, "留下的")
    _log_out(site)
    site.log_in(SUPERVISOR_PHONE)
    page = f"/share/{post_id}"
    head = site.app.log_head()

    blank = _post_form(site, f"{page}/hide", page, reason="  ")
    long = _post_form(site, f"{page}/hide", page, reason="因" * 501)

    assert blank.status_code == 422
    assert "请填写原因" in blank.text
    assert long.status_code == 422
    assert "原因太长" in long.text
    assert ">" + "因" * 501 + "</textarea>" in long.text
    assert site.app.log_head() == head
    assert site.app.get(ExperiencePost, post_id).hidden is None

    hidden = _post_form(site, f"{page}/hide", page, reason="含有个人电话号码")

    assert hidden.status_code == 303
    post = site.app.get(ExperiencePost, post_id)
    assert post.hidden is not None
    assert post.hidden[2] == "含有个人电话号码"
    assert _titles(site.client.get("/share/").text) == ["留下的"]
    assert "已被上级隐藏：含有个人电话号码" in site.client.get(page).text
    _log_out(site)

    site.log_in(STAFF_PHONE)
    _caught_up(site)
    assert _titles(site.client.get("/share/").text) == ["留下的"]
    assert site.client.get(page).status_code == 404
    _log_out(site)

    site.log_in(CADRE_PHONE)
    shown = site.client.get(page).text
    assert "已被上级隐藏：含有个人电话号码" in shown
    assert f"{page}/edit" not in shown
    mine = site.client.get("/share/?mine=1").text
    assert "要隐藏的" in mine
    assert "已隐藏" in mine


@pytest.mark.usefixtures("people")
def test_feature_and_hide_are_missing_pages_for_those_not_supervising_the_post(
    site: Site,
) -> None:
    site.log_in(CADRE_PHONE)
    post_id = _written(site)
    page = f"/share/{post_id}"
    head = site.app.log_head()
    # The author, a cadre: the buttons are not there, and the forms find no page.
    assert "设为精选" not in site.client.get(page).text
    assert _post_form(site, f"{page}/feature", page).status_code == 404
    assert _post_form(site, f"{page}/hide", page, reason="试试").status_code == 404
    assert site.client.get(f"/share/?unit={site.world.county}").status_code == 404
    _log_out(site)

    # A supervisor below the post's unit neither reads it nor acts on it.
    site.log_in(TOWNSHIP_SUPERVISOR_PHONE)
    assert site.app.log_head() > head  # the log-in is written
    head = site.app.log_head()
    assert site.client.get(page).status_code == 404
    assert _post_form(site, f"{page}/feature", "/share/").status_code == 404
    assert _post_form(site, f"{page}/hide", "/share/", reason="试试").status_code == 404
    assert site.client.get(f"/share/?unit={site.world.county}").status_code == 404
    assert site.client.get("/share/?unit=not-a-unit").status_code == 404

    assert site.app.log_head() == head
    post = site.app.get(ExperiencePost, post_id)
    assert (post.featured_for, post.hidden) == (set(), None)


def test_a_supervisor_of_several_units_picks_one(site: Site) -> None:
    other = site.app.create_org_unit(
        name="回民区", level=OrgLevel.COUNTY, parent_id=site.world.city
    )
    site.account(
        "13800000011",
        Grant(Role.SUPERVISOR, site.world.county),
        Grant(Role.SUPERVISOR, other),
        name="市团委",
    )
    site.log_in("13800000011")

    shown = site.client.get("/share/").text

    assert f'href="/share/?unit={site.world.county}"' in shown
    assert f'href="/share/?unit={other}"' in shown
    assert site.client.get(f"/share/?unit={other}").status_code == 200
