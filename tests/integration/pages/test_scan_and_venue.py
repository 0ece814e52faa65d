"""The check-in page a scanned venue code opens (/S/<token>) and the venue screen."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from urllib.parse import unquote
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from grassroots.domain.account import Grant, Role
from grassroots.domain.attendance import Attendance
from grassroots.pages.scan import REFUSALS, refusal_key
from grassroots.pages.words import WORDS
from tests.conftest import FakeClock
from tests.integration.builders import CENTER_PLACE, post_activity, register_volunteer
from tests.integration.pages.conftest import VOLUNTEER_PHONE, Site
from tests.integration.pages.test_volunteer_pages import _eventually

STAFF_PHONE = "13600000001"


@pytest.fixture
def volunteer_id(site: Site) -> UUID:
    volunteer_id = register_volunteer(site.app, site.world)
    site.account(VOLUNTEER_PHONE, Grant(Role.VOLUNTEER, volunteer_id), name="张小红")
    return volunteer_id


@pytest.fixture
def activity(site: Site, clock: FakeClock) -> UUID:
    """An activity whose check-in window is open now."""
    starts = clock.now + timedelta(hours=2)
    activity_id = post_activity(site.app, site.world, starts_at=starts)
    clock.set(starts - timedelta(minutes=10))
    return activity_id


def _token(site: Site, activity: UUID) -> str:
    return site.app.venue_code(activity).token


def _tap(site: Site, path: str, action: str = "check-in", **fields: str) -> str:
    """Press the page's button: the one POST the check-in takes."""
    answer = site.client.post(
        path, data={"action": action, "_csrf_token": site.csrf_token(path), **fields}
    )
    return answer.text


def test_a_volunteer_checks_in_and_once_the_activity_ended_out_with_one_tap_each(
    site: Site, volunteer_id: UUID, activity: UUID, clock: FakeClock
) -> None:
    site.app.sign_up(activity, volunteer_id)
    site.log_in(VOLUNTEER_PHONE)
    path = f"/S/{_token(site, activity)}"

    page = site.client.get(path)
    assert page.status_code == 200
    assert "社区环境清洁" in page.text
    assert 'value="check-in"' in page.text
    assert "data-location" not in page.text  # this activity asks for no location

    assert "签到成功" in _tap(site, path)
    assert site.app.get(Attendance, Attendance.id_for(volunteer_id, activity)).is_open

    clock.advance(hours=2, minutes=20)  # ten minutes past the scheduled end
    path = f"/S/{_token(site, activity)}"
    page = site.client.get(path)
    assert "您已于 10:50 签到「社区环境清洁」" in page.text
    assert "活动已结束，签退后记录服务时长 120 分钟" in page.text
    assert 'value="check-out"' in page.text
    assert "确认提前签退" not in page.text
    answer = _tap(site, path, "check-out")
    assert "签退成功" in answer
    assert "本次记录服务时长 120 分钟" in answer
    assert not site.app.get(Attendance, Attendance.id_for(volunteer_id, activity)).is_open


def test_scanning_again_right_after_checking_in_says_so_and_offers_no_one_tap_check_out(
    site: Site, volunteer_id: UUID, activity: UUID, clock: FakeClock
) -> None:
    site.app.sign_up(activity, volunteer_id)
    site.log_in(VOLUNTEER_PHONE)
    assert "签到成功" in _tap(site, f"/S/{_token(site, activity)}")

    clock.advance(minutes=1)
    page = site.client.get(f"/S/{_token(site, activity)}").text

    # In China time: checked in at 02:50 UTC; the activity ends at 13:00 there.
    assert "您已签到" in page
    assert "您已于 10:50 签到「社区环境清洁」" in page
    assert "活动于 13:00 结束" in page
    # The only check-out is the early one, which says what it costs.
    assert "button-big" not in page
    assert page.count('value="check-out"') == 1
    assert 'name="early" value="confirmed"' in page
    assert "确认提前签退" in page
    assert "现在签退只记录 1 分钟服务时长（13:00 活动结束时签退可记录 120 分钟）" in page


def test_a_check_out_before_the_end_without_the_confirmation_asks_for_it_and_writes_nothing(
    site: Site, volunteer_id: UUID, activity: UUID, clock: FakeClock
) -> None:
    site.app.sign_up(activity, volunteer_id)
    site.log_in(VOLUNTEER_PHONE)
    assert "签到成功" in _tap(site, f"/S/{_token(site, activity)}")
    clock.advance(minutes=1)
    path = f"/S/{_token(site, activity)}"

    asked = _tap(site, path, "check-out")

    assert "活动尚未结束，您还没有签退" in asked
    assert "签退成功" not in asked
    assert 'name="early" value="confirmed"' in asked
    assert site.app.get(Attendance, Attendance.id_for(volunteer_id, activity)).is_open


def test_the_confirmed_early_check_out_checks_out_with_the_credit_it_announced(
    site: Site, volunteer_id: UUID, activity: UUID, clock: FakeClock
) -> None:
    site.app.sign_up(activity, volunteer_id)
    site.log_in(VOLUNTEER_PHONE)
    assert "签到成功" in _tap(site, f"/S/{_token(site, activity)}")
    clock.advance(minutes=40)
    path = f"/S/{_token(site, activity)}"
    assert "现在签退只记录 40 分钟服务时长" in site.client.get(path).text

    answer = _tap(site, path, "check-out", early="confirmed")

    assert "签退成功" in answer
    assert "本次记录服务时长 40 分钟" in answer
    attendance = site.app.get(Attendance, Attendance.id_for(volunteer_id, activity))
    assert (attendance.is_open, attendance.total_minutes) == (False, 40)


def test_a_code_held_longer_than_five_minutes_before_the_tap_says_scan_again(
    site: Site, volunteer_id: UUID, activity: UUID, clock: FakeClock
) -> None:
    site.app.sign_up(activity, volunteer_id)
    site.log_in(VOLUNTEER_PHONE)
    path = f"/S/{_token(site, activity)}"
    token_form = site.csrf_token(path)  # opens the page: the scan is held

    clock.advance(minutes=5, seconds=1)
    answer = site.client.post(path, data={"action": "check-in", "_csrf_token": token_form})

    assert answer.status_code == 409
    assert "扫码已过期，请重新扫码" in answer.text
    assert not site.app.exists(Attendance.id_for(volunteer_id, activity))


def _held_cookie(site: Site) -> str:
    (name,) = [c for c in site.client.cookies if c.endswith("grassroots_held_scan")]
    return name


def test_a_scan_opened_logged_out_still_checks_in_after_logging_in_minutes_later(
    site: Site, volunteer_id: UUID, activity: UUID, clock: FakeClock
) -> None:
    site.app.sign_up(activity, volunteer_id)
    path = f"/S/{_token(site, activity)}"
    assert "登录" in site.client.get(path).text  # logged out: the scan is held
    clock.advance(minutes=3)  # the code on the screen has changed six times since
    site.log_in(VOLUNTEER_PHONE)

    answer = _tap(site, path)

    assert "签到成功" in answer, answer
    attendance = site.app.get(Attendance, Attendance.id_for(volunteer_id, activity))
    assert attendance.checked_in_at == clock.now  # recorded when sent, not when held


def test_a_stale_code_without_the_phones_held_scan_is_refused(
    site: Site, volunteer_id: UUID, activity: UUID, clock: FakeClock
) -> None:
    """Held on the phone that opened it, in a cookie: a link sent on carries nothing,
    and a cookie not signed here, or signed for another code, holds nothing."""
    site.app.sign_up(activity, volunteer_id)
    site.log_in(VOLUNTEER_PHONE)
    path = f"/S/{_token(site, activity)}"
    form = site.csrf_token(path)  # opens the page: the scan is held
    name = _held_cookie(site)
    held = site.client.cookies[name]
    clock.advance(minutes=1)
    later = f"/S/{_token(site, activity)}"  # the next code, never opened on this phone
    clock.advance(minutes=1)

    def tap(target: str, cookie: str | None) -> object:
        site.client.cookies.delete(name)
        if cookie is not None:
            site.client.cookies.set(name, cookie, path="/S/")
        return site.client.post(target, data={"action": "check-in", "_csrf_token": form})

    millis, _, signature = held.partition(".")
    moved = f"{int(millis) + 60_000}.{signature}"  # "seen" a minute later than it was
    refused = [tap(path, None), tap(path, moved), tap(later, held)]

    assert [r.status_code for r in refused] == [409, 409, 409]  # type: ignore[attr-defined]
    assert all("扫码已过期" in r.text for r in refused)  # type: ignore[attr-defined]
    assert not site.app.exists(Attendance.id_for(volunteer_id, activity))
    assert "签到成功" in tap(path, held).text  # type: ignore[attr-defined]


def test_a_volunteer_not_signed_up_is_told_to_sign_up_first(
    site: Site, volunteer_id: UUID, activity: UUID
) -> None:
    site.log_in(VOLUNTEER_PHONE)

    answer = _tap(site, f"/S/{_token(site, activity)}")

    assert "本活动需要先报名" in answer


def test_an_activity_asking_for_a_location_asks_the_phone_and_refuses_without_one(
    site: Site, volunteer_id: UUID, clock: FakeClock
) -> None:
    starts = clock.now + timedelta(hours=2)
    activity = post_activity(site.app, site.world, starts_at=starts, location_required=True)
    clock.set(starts - timedelta(minutes=10))
    site.app.sign_up(activity, volunteer_id)
    site.log_in(VOLUNTEER_PHONE)
    path = f"/S/{_token(site, activity)}"

    assert "data-location" in site.client.get(path).text
    assert "本活动需要您的位置才能签到" in _tap(site, path)
    far = _tap(site, path, lat="39.9042", lon="116.4074", accuracy="10")
    assert "您不在活动现场范围内" in far


def test_a_text_that_is_not_our_code_says_so(site: Site, volunteer_id: UUID) -> None:
    site.log_in(VOLUNTEER_PHONE)

    answer = site.client.get("/S/" + "A" * 56)

    assert answer.status_code == 400
    assert "这不是本平台的签到码" in answer.text


def test_a_logged_out_volunteer_logs_in_and_comes_back_to_send_the_same_check_in(
    site: Site, volunteer_id: UUID, activity: UUID
) -> None:
    site.app.sign_up(activity, volunteer_id)
    path = f"/S/{_token(site, activity)}"

    page = site.client.get(path)
    found = re.search(r'href="(/login\?next=[^"]+)"', page.text)
    assert found
    next_path = unquote(found.group(1).removeprefix("/login?next="))
    assert next_path == f"{path}?go=1"

    answer = site.client.post(
        "/login",
        data={
            "phone": VOLUNTEER_PHONE,
            "password": "correct horse 42",
            "next": next_path,
            "_csrf_token": site.csrf_token(),
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == next_path
    back = site.client.get(next_path)
    # The page sends its own form once back (scan.js): the form is there, marked.
    assert "data-go" in back.text
    assert 'value="check-in"' in back.text


def test_every_refusal_code_has_a_sentence_in_both_languages() -> None:
    for key in {*REFUSALS.values(), "scan.refused.other", "scan.refused.missing"}:
        assert key in WORDS
    assert refusal_key(ValueError("no code")) == "scan.refused.other"


# --- the venue screen ---------------------------------------------------------------


def test_the_venue_screen_shows_the_code_the_count_and_masked_latest_arrivals(
    site: Site, volunteer_id: UUID, activity: UUID
) -> None:
    site.account(STAFF_PHONE, Grant(Role.CENTER_STAFF, site.world.center), name="赵老师")
    site.app.sign_up(activity, volunteer_id)
    site.app.check_in(activity, volunteer_id, token=_token(site, activity))
    # Written straight through the application, not by this caller: nothing makes
    # the page wait for the read models, so the test does.
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)
    site.log_in(STAFF_PHONE)
    base = f"/desk/activities/{activity}/venue"

    screen = site.client.get(base)
    png = site.client.get(f"{base}/code.png")

    assert screen.status_code == 200
    assert "社区环境清洁" in screen.text
    assert re.search(r"data-count>1<", screen.text)
    assert "王*" in screen.text
    assert "王小明" not in screen.text
    assert png.status_code == 200
    assert "no-store" in png.headers["cache-control"]
    assert "x-venue-code-replaced-at" in png.headers
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert code.text == f"HTTP://127.0.0.1:8000/S/{_token(site, activity)}"


def test_the_venue_screen_says_when_check_in_opens_and_when_it_has_closed(
    site: Site, activity: UUID, clock: FakeClock
) -> None:
    site.account(STAFF_PHONE, Grant(Role.CENTER_STAFF, site.world.center), name="赵老师")
    site.log_in(STAFF_PHONE)
    base = f"/desk/activities/{activity}/venue"
    starts = clock.now + timedelta(minutes=10)  # the fixture's activity, 10 minutes ahead

    clock.set(starts - timedelta(days=2))
    early = site.client.get(base).text
    clock.set(starts - timedelta(minutes=10))
    open_now = site.client.get(base).text
    clock.set(starts + timedelta(hours=3))  # past its two-hour end
    ended = site.client.get(base).text

    # Opens 30 minutes before the start (the policy's margin), in China time.
    opens = (starts - timedelta(minutes=30)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert f"签到尚未开放：{opens:%m-%d %H:%M} 起可以扫码签到（活动开始前 30 分钟）" in early
    assert f'data-opens-in="{2 * 86400 - 30 * 60}"' in early
    assert "签到尚未开放" not in open_now
    assert "活动已结束" not in open_now
    assert "活动已结束，不再接受签到" in ended


def test_the_venue_screen_is_missing_for_a_volunteer_and_for_another_centers_staff(
    site: Site, volunteer_id: UUID, activity: UUID
) -> None:
    other = site.app.register_center(
        name="另一个青年之家",
        org_unit_id=site.world.village,
        address="呼和浩特市新城区东风路 2 号",
        location=CENTER_PLACE,
        geofence_radius_m=150,
    )
    site.account(STAFF_PHONE, Grant(Role.CENTER_STAFF, other), name="钱老师")
    base = f"/desk/activities/{activity}/venue"

    site.log_in(VOLUNTEER_PHONE)
    as_volunteer = [site.client.get(base + tail).status_code for tail in ("", "/code.png")]
    site.client.cookies.clear()
    site.log_in(STAFF_PHONE)
    as_other_staff = [
        site.client.get(base + tail).status_code for tail in ("", "/code.png", "/arrivals")
    ]

    assert as_volunteer == [404, 404]
    assert as_other_staff == [404, 404, 404]


# --- registering on the way to a check-in ---------------------------------------------


def test_a_newcomer_registers_and_goes_on_logged_in_to_the_check_in_page(
    site: Site, activity: UUID
) -> None:
    path = f"/S/{_token(site, activity)}"
    # The units to choose come from the org tree read model, which the world's
    # registration reaches only once the projections have caught up.
    form = _eventually(site, f"/register?next={path}%3Fgo%3D1", "东风社区")
    assert "东风社区" in form  # the village to choose, under its township

    answer = site.client.post(
        "/register",
        data={
            "name": "李新人",
            "phone": "13900001111",
            "password": "a long enough password",
            "birth_date": "2003-04-05",
            "org_unit_id": str(site.world.village),
            "next": f"{path}?go=1",
            "_csrf_token": site.csrf_token("/register"),
        },
        follow_redirects=False,
    )

    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"{path}?go=1"
    back = site.client.get(f"{path}?go=1")
    # Not signed up, and this activity asks for it: the page says so, logged in.
    assert "退出登录" in back.text
    assert 'value="check-in"' in back.text


def test_a_phone_already_registered_is_told_to_log_in(site: Site, volunteer_id: UUID) -> None:
    answer = site.client.post(
        "/register",
        data={
            "name": "王小明",
            "phone": "13800138000",
            "password": "a long enough password",
            "birth_date": "2003-04-05",
            "org_unit_id": str(site.world.village),
            "_csrf_token": site.csrf_token("/register"),
        },
    )

    assert answer.status_code == 409
    assert "这个手机号已经注册过了，请直接登录" in answer.text


def test_back_from_the_log_in_the_page_sends_itself_only_to_check_in_never_out(
    site: Site, volunteer_id: UUID, activity: UUID
) -> None:
    site.app.sign_up(activity, volunteer_id)
    site.app.check_in(activity, volunteer_id, token=_token(site, activity))
    site.log_in(VOLUNTEER_PHONE)

    back = site.client.get(f"/S/{_token(site, activity)}?go=1")

    assert 'value="check-out"' in back.text
    assert "data-go" not in back.text


def test_the_check_in_page_and_the_venue_screen_speak_english_when_asked(
    site: Site, volunteer_id: UUID, activity: UUID
) -> None:
    site.account(STAFF_PHONE, Grant(Role.CENTER_STAFF, site.world.center), name="赵老师")
    site.app.sign_up(activity, volunteer_id)
    site.log_in(VOLUNTEER_PHONE)
    scan = site.client.get(f"/S/{_token(site, activity)}?lang=en")
    site.client.cookies.clear()
    site.log_in(STAFF_PHONE)
    screen = site.client.get(f"/desk/activities/{activity}/venue?lang=en")

    assert '<html lang="en">' in scan.text
    assert ">Check in</button>" in scan.text
    assert '<html lang="en">' in screen.text
    assert "Scan with your phone's camera or WeChat to check in" in screen.text.replace(
        "&#39;", "'"
    )


def test_the_venue_codes_image_says_how_long_the_code_is_still_accepted(
    site: Site, activity: UUID, clock: FakeClock
) -> None:
    # The screen counts these seconds down on its own timer, then hides the code
    # and says check-in is paused (static/venue.js): no comparison of clocks.
    site.account(STAFF_PHONE, Grant(Role.CENTER_STAFF, site.world.center), name="赵老师")
    site.log_in(STAFF_PHONE)
    base = f"/desk/activities/{activity}/venue"

    screen = site.client.get(base)
    png = site.client.get(f"{base}/code.png")

    left = (site.app.venue_code(activity).expires_at - clock.now).total_seconds()
    assert png.headers["x-venue-code-expires-in"] == f"{left:.3f}"
    assert 0 < left <= 2 * site.app.config.qr_rotation_seconds
    notice = re.search(r"<p[^>]*data-code-paused[^>]*>([^<]*)</p>", screen.text)
    assert notice is not None
    assert " hidden" in notice.group(0)
    assert notice.group(1) == "暂停签到 · 正在重新连接"
