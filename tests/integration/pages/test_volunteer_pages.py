"""The volunteer's phone (/m/) through the whole app: discover, sign up by the form,
my sign-ups with the waiting list and 已递补, my hours and a line in words."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

import pytest

from grassroots.domain.account import Grant, Role
from grassroots.domain.activity import Activity
from tests.conftest import FakeClock
from tests.integration.builders import post_activity, register_volunteer
from tests.integration.pages.conftest import Site

PHONE = "13800000011"


@pytest.fixture
def me(site: Site) -> UUID:
    volunteer_id = register_volunteer(site.app, site.world, phone=PHONE)
    site.account(PHONE, Grant(Role.VOLUNTEER, volunteer_id))
    site.log_in(PHONE)
    return volunteer_id


def soon(site: Site, clock: FakeClock, **options: object) -> UUID:
    return post_activity(site.app, site.world, starts_at=clock.now + timedelta(hours=3), **options)


def form_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form"
    return found.group(1)


def sign_up_by_form(site: Site, activity: UUID) -> str:
    # Posted outside the pages a moment ago: shown once the read models have it.
    page = _eventually(site, f"/m/activities/{activity}", "社区环境清洁")
    answer = site.client.post(
        f"/m/activities/{activity}/sign-up",
        data={"_csrf_token": form_token(page)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_discover_lists_upcoming_activities_with_their_center_in_chinese_and_english(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    soon(site, clock)

    zh = _eventually(site, "/m/discover", "社区环境清洁")
    en = site.client.get("/m/discover?lang=en")

    assert "社区环境清洁" in zh
    assert "东风社区青年之家" in zh
    assert "按开始时间排列" in zh
    assert "Discover activities" in en.text
    assert "Find activities near me" in en.text


def test_signing_up_by_the_form_shows_it_under_my_sign_ups(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    activity = soon(site, clock)

    landing = sign_up_by_form(site, activity)
    shown = site.client.get(landing)
    mine = site.client.get("/m/sign-ups")
    home = site.client.get("/m/")

    assert landing == f"/m/activities/{activity}?done=signed_up"
    assert "报名成功" in shown.text
    assert site.app.get(Activity, activity).is_signed_up(me)
    assert "社区环境清洁" in mine.text
    assert "已报名" in mine.text
    # The next activity on the home screen is this one.
    assert f'href="/m/activities/{activity}"' in home.text


def test_a_form_without_its_token_is_refused_and_signs_nobody_up(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    activity = soon(site, clock)

    answer = site.client.post(f"/m/activities/{activity}/sign-up", data={})

    assert answer.status_code == 403
    assert not site.app.get(Activity, activity).is_signed_up(me)


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("zh", "活动已经开始，不能再取消报名"),
        ("en", "The activity has started: you can no longer withdraw."),
    ],
)
def test_a_refusal_is_a_sentence_saying_what_to_do(
    site: Site, me: UUID, clock: FakeClock, lang: str, sentence: str
) -> None:
    activity = soon(site, clock)
    sign_up_by_form(site, activity)
    page = site.client.get(f"/m/activities/{activity}?lang={lang}")
    clock.set(site.app.get(Activity, activity).starts_at + timedelta(minutes=5))

    answer = site.client.post(
        f"/m/activities/{activity}/withdraw", data={"_csrf_token": form_token(page.text)}
    )

    assert answer.status_code == 409
    assert sentence in answer.text
    assert site.app.get(Activity, activity).is_signed_up(me)


def test_my_sign_ups_show_my_waiting_list_place_then_a_clear_promotion(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    activity = soon(site, clock, capacity=1)
    other = register_volunteer(site.app, site.world, phone="13800000012")
    site.app.sign_up(activity, other)

    assert sign_up_by_form(site, activity).endswith("done=wait_listed")
    waiting = site.client.get("/m/sign-ups")
    site.app.withdraw(activity, other)
    promoted = _eventually(site, "/m/sign-ups", "已递补")

    assert "候补第 1 位" in waiting.text
    assert "已递补" not in waiting.text
    assert "由候补转为正式报名" in promoted


def test_my_hours_show_the_totals_and_lines_named_and_a_line_explained_in_words(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    activity = soon(site, clock, sign_up_required=False, hours=1)
    starts_at = site.app.get(Activity, activity).starts_at
    clock.set(starts_at)
    site.app.check_in(activity, me, token=site.app.venue_code(activity).token)
    clock.set(starts_at + timedelta(minutes=50))
    site.app.check_out(activity, me, token=site.app.venue_code(activity).token)

    hours = _eventually(site, "/m/hours", "社区环境清洁")
    position = re.search(r'href="/m/hours/lines/(\d+)"', hours)
    assert position
    line = site.client.get(f"/m/hours/lines/{position.group(1)}")
    english = site.client.get(f"/m/hours/lines/{position.group(1)}?lang=en")

    assert "东风社区青年之家" in hours
    assert "50分钟" in hours
    assert "本周时长" in hours
    assert "您扫码签到" in line.text
    assert "您扫码签退，计入 50分钟" in line.text
    assert "you scanned out: 50 min credited" in english.text


def test_signing_up_again_changes_nothing_and_does_not_say_it_succeeded(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    activity = soon(site, clock)
    page = _eventually(site, f"/m/activities/{activity}", "社区环境清洁")
    sign_up_by_form(site, activity)

    # The same form sent a second time (a second tap, a page left open).
    answer = site.client.post(
        f"/m/activities/{activity}/sign-up",
        data={"_csrf_token": form_token(page)},
        follow_redirects=False,
    )
    shown = site.client.get(answer.headers["location"]).text

    assert answer.headers["location"] == f"/m/activities/{activity}?done=unchanged"
    assert "报名成功" not in shown
    assert "没有变化：您已在本活动的名单上" in shown
    assert "已报名" in shown


def test_checked_in_the_activity_offers_no_sign_up_and_says_where_i_stand(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    activity = soon(site, clock)
    site.app.sign_up(activity, me)
    starts_at = site.app.get(Activity, activity).starts_at
    clock.set(starts_at - timedelta(minutes=10))
    site.app.check_in(activity, me, token=site.app.venue_code(activity).token)

    page = _eventually(site, f"/m/activities/{activity}", "已签到")

    assert f'action="/m/activities/{activity}/sign-up"' not in page
    assert "报名参加" not in page
    assert f'action="/m/activities/{activity}/withdraw"' not in page
    # 03:50 UTC is 11:50 in China.
    assert "您已于 3月2日 周一 11:50 签到，正在参加本活动" in page


def test_after_attending_the_activity_offers_no_sign_up_and_says_what_was_credited(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    activity = soon(site, clock, sign_up_required=False, hours=1)
    starts_at = site.app.get(Activity, activity).starts_at
    clock.set(starts_at)
    site.app.check_in(activity, me, token=site.app.venue_code(activity).token)
    clock.set(starts_at + timedelta(minutes=50))
    site.app.check_out(activity, me, token=site.app.venue_code(activity).token)

    page = _eventually(site, f"/m/activities/{activity}", "已参加")

    assert f'action="/m/activities/{activity}/sign-up"' not in page
    assert "报名参加" not in page
    assert "您已参加本活动，记录服务时长 50分钟" in page


def test_a_cancelled_activity_reads_cancelled_with_its_reason_never_did_not_come(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    activity = soon(site, clock)
    site.app.sign_up(activity, me)
    site.app.cancel_activity(activity, reason="天气原因")
    clock.set(site.app.get(Activity, activity).ends_at + timedelta(days=1))

    mine = _eventually(site, "/m/sign-ups", "活动已取消")
    page = site.client.get(f"/m/activities/{activity}").text

    assert "活动已取消" in mine
    assert "未到场" not in mine
    assert "活动已取消：天气原因" in page
    assert "未到场" not in page


def test_another_volunteers_line_and_the_screen_for_a_cadre_answer_like_missing_pages(
    site: Site, me: UUID, cadre: str
) -> None:
    assert site.client.get("/m/hours/lines/1").status_code == 404
    site.client.post("/logout", data={"_csrf_token": form_token(site.client.get("/m/").text)})
    site.log_in(cadre)

    for path in ("/m/", "/m/discover", "/m/sign-ups", "/m/hours"):
        answer = site.client.get(path)
        assert answer.status_code == 404, path
        assert "页面不存在" in answer.text


def test_a_logged_out_visitor_is_sent_to_log_in_and_back(site: Site) -> None:
    answer = site.client.get("/m/sign-ups", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/m/sign-ups"


def _eventually(site: Site, path: str, text: str) -> str:
    """The page once the read models have taken in a write made outside the page."""
    import time

    deadline = time.monotonic() + 10
    while True:
        body = site.client.get(path).text
        if text in body or time.monotonic() > deadline:
            return body
        time.sleep(0.05)
