"""The cadre's phone: /P/<token> starts a visit, the visit page works it, /cadre/ shows
the standing. Every step is checked on the written records (the application) or the
read models, not only on the page's text."""

from __future__ import annotations

import contextlib
import html
import re
from datetime import timedelta
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

import pytest

from grassroots.application.errors import AlreadyTaken
from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import CadreKind
from grassroots.domain.compliance import REASONS
from grassroots.domain.problem import Problem, ProblemState
from grassroots.domain.visit import Visit
from grassroots.pages.cadre import REFUSALS, refusal_key
from grassroots.pages.words import WORDS
from grassroots.projections.compliance.verdicts import recent_visits
from tests.conftest import FakeClock
from tests.integration.builders import post_activity, register_cadre, register_volunteer
from tests.integration.pages.conftest import PASSWORD, VOLUNTEER_PHONE, Site

CADRE_PHONE = "13700000001"
OTHER_CADRE_PHONE = "13700000002"
SUPERVISOR_PHONE = "13700000009"


@pytest.fixture
def cadre_id(site: Site) -> UUID:
    cadre_id = register_cadre(site.app, site.world)
    site.account(CADRE_PHONE, Grant(Role.CADRE, cadre_id), name="李书记")
    return cadre_id


def _point_path(site: Site, point: UUID | None = None) -> str:
    """The path the point's screen code opens: the URL the API hands the point's
    screen (its supervisor asks), as a phone's camera would open it."""
    with contextlib.suppress(AlreadyTaken):
        site.account(SUPERVISOR_PHONE, Grant(Role.SUPERVISOR, site.world.county), name="县团委")
    session = site.client.post(
        "/api/v1/sessions", json={"phone": SUPERVISOR_PHONE, "password": PASSWORD}
    )
    assert session.status_code == 201, session.text
    code = site.client.get(
        f"/api/v1/points/{point or site.world.point}/code",
        headers={"Authorization": f"Bearer {session.json()['access_token']}"},
    )
    assert code.status_code == 200, code.text
    url = code.json()["url"]
    assert url == url.upper()
    return urlsplit(url).path


def _start(site: Site, point: UUID | None = None) -> UUID:
    path = _point_path(site, point)
    answer = site.client.post(
        path, data={"_csrf_token": site.csrf_token(path)}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/cadre/visits/([0-9a-f-]{36})", answer.headers["location"])
    assert found, answer.headers["location"]
    return UUID(found.group(1))


def _post(site: Site, visit_id: UUID, step: str, **fields: str) -> Any:
    page = f"/cadre/visits/{visit_id}"
    return site.client.post(
        f"{page}/{step}",
        data={"_csrf_token": site.csrf_token(page), **fields},
        follow_redirects=False,
    )


def test_a_cadre_starts_a_visit_from_the_points_code_works_it_and_ends_it(
    site: Site, cadre_id: UUID, clock: FakeClock
) -> None:
    contact_id = site.app.add_contact(
        cadre_id, name="赵青年", phone="13512345678", walk_of_life="外卖骑手"
    )
    site.log_in(CADRE_PHONE)
    path = _point_path(site)

    shown = site.client.get(path)
    assert shown.status_code == 200
    assert "东风社区联系点" in shown.text
    assert "开始走访" in shown.text
    assert "navigator.geolocation" not in shown.text

    visit_id = _start(site)
    visit = site.app.get(Visit, visit_id)
    assert (visit.cadre_id, visit.point_id, visit.proof) == (cadre_id, site.world.point, "qr")
    assert visit.ended_at is None

    clock.advance(minutes=5)
    assert (
        _post(site, visit_id, "log", text="走访社区青年之家，了解暑期活动需求").status_code == 303
    )
    assert (
        _post(site, visit_id, "youths", name="赵青年", contact_id=str(contact_id)).status_code
        == 303
    )
    assert _post(site, visit_id, "youths", name="钱同学").status_code == 303
    raised = _post(site, visit_id, "problems", title="篮球场照明坏了", description="灯不亮已两周")
    assert raised.status_code == 303

    visit = site.app.get(Visit, visit_id)
    assert [text for _, text in visit.log] == ["走访社区青年之家，了解暑期活动需求"]
    assert visit.youths_met == [(contact_id, "赵青年"), (None, "钱同学")]
    (problem_id,) = visit.problem_ids
    problem = site.app.get(Problem, problem_id)
    assert (problem.title, problem.visit_id, problem.org_unit_id) == (
        "篮球场照明坏了",
        visit_id,
        site.world.village,
    )
    assert problem.state is ProblemState.OPEN

    page = site.client.get(f"/cadre/visits/{visit_id}").text
    for shown_text in (
        "走访社区青年之家",
        "赵青年",
        "名单内",
        "钱同学",
        "篮球场照明坏了",
        "待答复",
    ):
        assert shown_text in page

    home = site.client.get("/cadre/").text
    assert "正在进行的走访" in home  # the visit under way leads the home page

    clock.advance(minutes=60)  # long enough to count (the preset asks for 60 minutes)
    ended = _post(site, visit_id, "end")
    assert ended.status_code == 303
    assert ended.headers["location"] == "/cadre/?ended=1"
    assert site.app.get(Visit, visit_id).ended_at == clock.now

    home = site.client.get("/cadre/?ended=1").text
    assert "走访已结束" in home
    assert "正在进行的走访" not in home
    # The read models have it: counted this week, listed among the recent visits.
    week = re.search(r"本周“8\+4”.*?</section>", home, re.S)
    assert week is not None
    assert "<strong>1</strong> / 1" in week.group(0), week.group(0)
    assert "已达标" in week.group(0)
    with site.client.app.state.read_side.engine.connect() as conn:  # type: ignore[attr-defined]
        (latest,) = recent_visits(conn, cadre_id)
    assert (latest.visit_id, latest.ended_at) == (visit_id, clock.now)
    assert "东风社区联系点" in home
    assert "已计入" in home  # the visit, judged by the read model, counted
    # An ended visit offers no more forms.
    assert "/end" not in site.client.get(f"/cadre/visits/{visit_id}").text


def test_the_standing_page_in_english_says_what_is_still_needed(site: Site, cadre_id: UUID) -> None:
    site.log_in(CADRE_PHONE)
    home = site.client.get("/cadre/?lang=en")
    assert home.status_code == 200
    text = html.unescape(home.text)
    assert '"8+4" this week' in text
    assert '"8+4" this month' in text
    assert '"1+100" youths in 2026' in text
    assert "Still needed: 1 more visit(s) or 1 more day(s) on site (either will do)" in text
    assert "Scan to start a visit" in text
    assert "本周" not in text


def test_logged_out_the_points_page_sends_to_the_log_in_and_comes_back(
    site: Site, cadre_id: UUID
) -> None:
    path = _point_path(site)
    answer = site.client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/login?next=")
    assert unquote(location.removeprefix("/login?next=")) == path

    site.log_in(CADRE_PHONE, next_path=path)
    assert "东风社区联系点" in site.client.get(path).text


def test_a_stale_code_says_scan_again_and_starts_nothing(
    site: Site, cadre_id: UUID, clock: FakeClock
) -> None:
    site.log_in(CADRE_PHONE)
    path = _point_path(site)
    token = site.csrf_token(path)  # opens the start page: the scan is held five minutes
    clock.advance(minutes=5, seconds=1)
    answer = site.client.post(path, data={"_csrf_token": token})
    assert answer.status_code == 409
    assert WORDS["cadre.refused.stale"][0] in answer.text
    assert "重新扫码" in answer.text
    assert "正在进行的走访" not in site.client.get("/cadre/").text


def test_an_activitys_code_opened_here_is_named_for_what_it_is(
    site: Site, cadre_id: UUID, clock: FakeClock
) -> None:
    activity = post_activity(site.app, site.world, starts_at=clock.now + timedelta(hours=1))
    site.log_in(CADRE_PHONE)
    answer = site.client.get(f"/P/{site.app.venue_code(activity).token}")
    assert answer.status_code == 400
    assert WORDS["cadre.refused.not_point"][0] in answer.text
    assert 'action="/P/' not in answer.text


def test_a_volunteer_and_another_cadre_find_no_such_page(
    site: Site, cadre_id: UUID, clock: FakeClock
) -> None:
    site.log_in(CADRE_PHONE)
    visit_id = _start(site)
    site.client.cookies.clear()

    volunteer_id = register_volunteer(site.app, site.world)
    site.account(VOLUNTEER_PHONE, Grant(Role.VOLUNTEER, volunteer_id))
    site.log_in(VOLUNTEER_PHONE)
    for path in ("/cadre/", f"/cadre/visits/{visit_id}", _point_path(site)):
        answer = site.client.get(path)
        assert answer.status_code == 404, path
        assert "页面不存在" in answer.text
    site.client.cookies.clear()

    other = site.app.register_cadre(
        name="赵干事", kind=CadreKind.FULL_TIME, org_unit_id=site.world.county
    )
    site.account(OTHER_CADRE_PHONE, Grant(Role.CADRE, other), name="赵干事")
    site.log_in(OTHER_CADRE_PHONE)
    assert site.client.get(f"/cadre/visits/{visit_id}").status_code == 404
    # Its own page's form token, posted at the first cadre's visit: still nothing.
    token = site.csrf_token("/cadre/")
    for step, fields in (("log", {"text": "不是我的走访"}), ("end", {})):
        answer = site.client.post(
            f"/cadre/visits/{visit_id}/{step}", data={"_csrf_token": token, **fields}
        )
        assert answer.status_code == 404
    visit = site.app.get(Visit, visit_id)
    assert (visit.log, visit.ended_at) == ([], None)


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_written(
    site: Site, cadre_id: UUID
) -> None:
    site.log_in(CADRE_PHONE)
    visit_id = _start(site)
    site.csrf_token(f"/cadre/visits/{visit_id}")  # the cookie half is there, the field is not
    for step, fields in (
        ("log", {"text": "没有令牌"}),
        ("youths", {"name": "孙青年"}),
        ("problems", {"title": "标题", "description": "内容"}),
        ("end", {}),
    ):
        answer = site.client.post(f"/cadre/visits/{visit_id}/{step}", data=fields)
        assert answer.status_code == 403, step
        assert "页面已过期" in answer.text
    refused = site.client.post(_point_path(site), data={})
    assert refused.status_code == 403
    visit = site.app.get(Visit, visit_id)
    assert (visit.log, visit.youths_met, visit.problem_ids, visit.ended_at) == ([], [], [], None)


def test_an_empty_log_entry_is_refused_in_words(site: Site, cadre_id: UUID) -> None:
    site.log_in(CADRE_PHONE)
    visit_id = _start(site)
    answer = _post(site, visit_id, "log", text="   ")
    assert answer.status_code == 400
    assert WORDS["cadre.refused.incomplete"][0] in answer.text
    assert site.app.get(Visit, visit_id).log == []


def test_a_visit_too_short_to_count_says_so(site: Site, cadre_id: UUID, clock: FakeClock) -> None:
    site.log_in(CADRE_PHONE)
    visit_id = _start(site)
    clock.advance(minutes=10)
    assert _post(site, visit_id, "end", short="confirmed").status_code == 303
    home = site.client.get("/cadre/").text
    assert "时长不足" in home
    assert "已计入" not in home


def test_a_visit_too_short_to_count_keeps_saying_so_after_its_month_is_over(
    site: Site, cadre_id: UUID, clock: FakeClock
) -> None:
    site.log_in(CADRE_PHONE)
    visit_id = _start(site)
    clock.advance(minutes=40)
    assert _post(site, visit_id, "end", short="confirmed").status_code == 303
    clock.advance(days=40)  # into another month, as a lagging cadre's old visits are
    site.log_in(CADRE_PHONE)  # the page session has lapsed meanwhile

    home = site.client.get("/cadre/").text
    recent = home.split("最近的走访", 1)[1]
    assert "时长不足" in recent, recent


def test_scanning_the_point_again_goes_back_to_the_visit_under_way(
    site: Site, cadre_id: UUID
) -> None:
    site.log_in(CADRE_PHONE)
    first = _start(site)

    assert _start(site) == first
    home = site.client.get("/cadre/").text
    assert home.count(f"/cadre/visits/{first}") >= 1
    assert len(set(re.findall(r"/cadre/visits/([0-9a-f-]{36})", home))) == 1


def test_a_start_at_another_point_while_a_visit_is_under_way_leads_to_that_visit(
    site: Site, cadre_id: UUID, clock: FakeClock
) -> None:
    site.log_in(CADRE_PHONE)
    first = _start(site)
    other = site.app.designate_point(
        name="前进村联系点", org_unit_id=site.world.village, center_id=site.world.center
    )
    path = _point_path(site, other)

    refused = site.client.post(
        path, data={"_csrf_token": site.csrf_token(path)}, follow_redirects=False
    )

    assert refused.status_code == 409
    assert WORDS["cadre.refused.visit_under_way"][0] in refused.text
    assert f'href="/cadre/visits/{first}"' in refused.text
    clock.advance(minutes=70)
    assert _post(site, first, "end").status_code == 303
    assert _start(site, other) != first


def test_the_start_page_names_the_points_place_and_warns_before_a_visit_that_wont_count(
    site: Site, cadre_id: UUID
) -> None:
    site.log_in(CADRE_PHONE)
    own = html.unescape(site.client.get(_point_path(site)).text)
    other = site.app.designate_point(
        name="东风社区联系点", org_unit_id=site.world.village, center_id=site.world.center
    )
    # Designated by another hand: the points read model names its place once caught up.
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)  # type: ignore[attr-defined]
    foreign = html.unescape(site.client.get(_point_path(site, other)).text)

    for page in (own, foreign):
        assert "海拉尔东路街道 / 东风社区" in page  # two points of one name tell apart
    assert WORDS["cadre.not_assigned_before"][0] not in own
    assert WORDS["cadre.not_assigned_before"][0] in foreign
    assert "开始走访" in foreign  # recorded all the same, if the cadre goes on


def test_the_standing_names_its_week_and_month_in_words_not_iso_codes(
    site: Site, cadre_id: UUID
) -> None:
    site.log_in(CADRE_PHONE)
    home = site.client.get("/cadre/").text

    assert re.search(r"\d{4}年第\d{1,2}周 · ", home), home
    assert re.search(r"\d{4}年\d{1,2}月 · ", home), home
    assert not re.search(r"\d{4}-W\d{2}", home)


def test_ending_a_visit_too_short_to_count_says_so_first_and_takes_the_button_that_says_it(
    site: Site, cadre_id: UUID, clock: FakeClock
) -> None:
    site.log_in(CADRE_PHONE)
    visit_id = _start(site)
    clock.advance(minutes=20)  # the preset asks for 60
    page = site.client.get(f"/cadre/visits/{visit_id}").text
    warning = "本次走访已进行 20 分钟，不足 60 分钟：现在结束，这次走访不计入“8+4”。"

    asked = _post(site, visit_id, "end")  # an end without the field, as from an old page

    assert warning in page
    assert 'name="short" value="confirmed"' in page
    assert "仍要结束走访" in page
    assert asked.status_code == 200
    assert warning in asked.text
    assert site.app.get(Visit, visit_id).ended_at is None
    assert _post(site, visit_id, "end", short="confirmed").status_code == 303
    assert site.app.get(Visit, visit_id).ended_at == clock.now


def test_a_visit_long_enough_ends_with_one_tap_and_no_warning(
    site: Site, cadre_id: UUID, clock: FakeClock
) -> None:
    site.log_in(CADRE_PHONE)
    visit_id = _start(site)
    clock.advance(minutes=60)  # exactly the minimum counts

    page = site.client.get(f"/cadre/visits/{visit_id}").text

    assert "不足" not in page
    assert 'name="short"' not in page
    assert _post(site, visit_id, "end").status_code == 303


def test_a_point_scanned_logged_out_still_starts_the_visit_after_logging_in(
    site: Site, cadre_id: UUID, clock: FakeClock
) -> None:
    path = _point_path(site)
    site.client.cookies.clear()  # logged out, as a cadre whose phone forgot the session
    sent_to_log_in = site.client.get(path, follow_redirects=False)
    held = [c for c in site.client.cookies.jar if c.name.endswith("grassroots_held_scan")]
    clock.advance(minutes=2)  # typing the password: the code on the screen has changed
    site.log_in(CADRE_PHONE)

    started = site.client.post(
        path, data={"_csrf_token": site.csrf_token(path)}, follow_redirects=False
    )

    assert sent_to_log_in.status_code == 303
    assert [c.path for c in held] == ["/P/"]
    assert started.status_code == 303, started.text
    visit_id = UUID(started.headers["location"].rsplit("/", 1)[1])
    assert site.app.get(Visit, visit_id).started_at == clock.now  # recorded when sent


def test_every_refusal_and_every_reason_has_words_in_both_languages() -> None:
    for key in {*REFUSALS.values(), refusal_key(RuntimeError())}:
        assert all(WORDS[key]), key
    for reason in REASONS:
        assert all(WORDS[f"cadre.reason.{reason}"]), reason


def test_an_administrator_without_a_cadre_record_is_told_so(site: Site) -> None:
    site.log_in(site.account("13900000000", Grant(Role.ADMINISTRATOR), name="管理员"))
    answer = site.client.get("/cadre/")
    assert answer.status_code == 200
    assert WORDS["cadre.no_record"][0] in answer.text
    assert site.client.get(_point_path(site)).status_code == 404
