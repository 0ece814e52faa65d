"""The center desk through the whole app: activities, posting, the roster, corrections, access."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from grassroots.application.errors import NotFound
from grassroots.domain.account import Grant, Role
from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import GeoPoint
from tests.conftest import FakeClock
from tests.integration.builders import post_activity
from tests.integration.pages.conftest import PASSWORD, VOLUNTEER_PHONE, Site

SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF_PHONE = "13800000010"
FULL_PHONE = "13912345678"


@dataclass
class Desk:
    site: Site
    clock: FakeClock
    activity: UUID
    volunteer: UUID

    @property
    def center(self) -> UUID:
        return self.site.world.center

    def settle(self) -> None:
        read_side = self.site.client.app.state["read_side"]
        assert read_side.wait_for(read_side.log.last_position(), timeout=5)

    def events(self) -> int:
        return self.site.app.recorder.max_notification_id() or 0


@pytest.fixture
def desk(site: Site, clock: FakeClock) -> Desk:
    app = site.app
    activity = post_activity(app, site.world, starts_at=clock.now + timedelta(days=1), capacity=5)
    volunteer = app.register_volunteer(
        name="陈静", phone=FULL_PHONE, birth_date=date(2000, 1, 2), org_unit_id=site.world.village
    )
    app.sign_up(activity, volunteer)
    site.account(STAFF_PHONE, Grant(Role.CENTER_STAFF, site.world.center), name="李老师")
    return Desk(site, clock, activity, volunteer)


def _form_token(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)


def test_the_desk_lists_the_centers_activities_in_chinese_and_in_english(desk: Desk) -> None:
    desk.site.log_in(STAFF_PHONE)
    desk.settle()

    opened = desk.site.client.get("/desk/", follow_redirects=False)
    zh = desk.site.client.get(f"/desk/centers/{desk.center}")
    en = desk.site.client.get(f"/desk/centers/{desk.center}?lang=en")

    # One center: the desk opens on it.
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/desk/centers/{desk.center}"
    assert zh.status_code == 200
    assert '<html lang="zh-CN">' in zh.text
    for words in ("东风社区青年之家", "进行中", "即将开始", "已结束", "社区环境清洁", "发布活动"):
        assert words in zh.text
    assert f'href="/desk/activities/{desk.activity}"' in zh.text
    assert '<html lang="en">' in en.text
    for words in ("Running", "Upcoming", "Past", "Post an activity", "1 signed up"):
        assert words in en.text


def test_an_activity_runs_then_is_past_on_the_desk(desk: Desk) -> None:
    desk.site.log_in(STAFF_PHONE)
    desk.settle()
    desk.clock.advance(days=1, minutes=30)
    running = desk.site.client.get(f"/desk/centers/{desk.center}?lang=en").text
    desk.clock.advance(hours=3)
    past = desk.site.client.get(f"/desk/centers/{desk.center}?lang=en").text

    def section(html: str, phase: str) -> str:
        return html.split(f'phase-{phase}"', 1)[1].split("</section>", 1)[0]

    assert "社区环境清洁" in section(running, "running")
    assert "社区环境清洁" not in section(running, "upcoming")
    assert "社区环境清洁" in section(past, "past")
    assert "社区环境清洁" not in section(past, "running")


def test_staff_post_an_activity_through_the_form(desk: Desk) -> None:
    desk.site.log_in(STAFF_PHONE)
    form = desk.site.client.get(f"/desk/centers/{desk.center}/new")
    starts = (desk.clock.now + timedelta(days=3)).astimezone(SHANGHAI).replace(hour=9, minute=0)

    answer = desk.site.client.post(
        f"/desk/centers/{desk.center}/activities",
        data={
            "_csrf_token": _form_token(form.text),
            "title": "敬老院探访",
            "category": "扶老助残",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "capacity": "12",
            "description": "陪老人聊天",
            "sign_up_required": "1",
        },
        follow_redirects=False,
    )

    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    posted = desk.site.app.get(Activity, UUID(location.split("/")[3].split("?")[0]))
    # The name of an offered category is that category, not a second one beside it.
    assert (posted.title, posted.category, posted.capacity) == ("敬老院探访", "elderly", 12)
    # Typed as local time at the center: 09:00 in Shanghai.
    assert posted.starts_at == starts
    assert posted.sign_up_required
    assert not posted.location_required
    shown = desk.site.client.get(location)
    assert "活动已发布" in shown.text
    assert "敬老院探访" in shown.text


def test_a_refused_time_marks_the_field_it_is_about_and_says_the_limit(desk: Desk) -> None:
    desk.site.log_in(STAFF_PHONE)
    token = _form_token(desk.site.client.get(f"/desk/centers/{desk.center}/new").text)
    starts = (desk.clock.now + timedelta(days=3)).astimezone(SHANGHAI)

    def post(ends: timedelta, begins: timedelta = timedelta(0)) -> str:
        return desk.site.client.post(
            f"/desk/centers/{desk.center}/activities",
            data={
                "_csrf_token": token,
                "title": "时间不对的活动",
                "category": "culture",
                "starts_at": (starts + begins).strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (starts + ends).strftime("%Y-%m-%dT%H:%M"),
            },
        ).text

    def invalid(page: str) -> list[str]:
        return re.findall(r'<input id="(\w+)"[^>]*aria-invalid="true"', page)

    backwards = post(-timedelta(hours=1))
    too_long = post(timedelta(hours=30))
    past = post(-timedelta(days=4) + timedelta(hours=1), begins=-timedelta(days=4))

    assert invalid(backwards) == ["ends_at"]
    assert invalid(too_long) == ["ends_at"]
    assert "活动时长不能超过 24 小时" in too_long
    assert invalid(past) == ["starts_at"]


def test_the_category_is_chosen_by_its_chinese_name_or_typed_under_other(desk: Desk) -> None:
    desk.site.log_in(STAFF_PHONE)
    form = desk.site.client.get(f"/desk/centers/{desk.center}/new").text
    starts = (desk.clock.now + timedelta(days=3)).astimezone(SHANGHAI).replace(hour=9, minute=0)

    def post(**category: str) -> Activity:
        answer = desk.site.client.post(
            f"/desk/centers/{desk.center}/activities",
            data={
                "_csrf_token": _form_token(form),
                "title": "分类测试",
                "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                **category,
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        created = answer.headers["location"].split("/")[3].split("?")[0]
        return desk.site.app.get(Activity, UUID(created))

    assert '<option value="environment">环境保护</option>' in form
    assert '<option value="__other__">其他（在下面填写）</option>' in form
    assert "list=" not in form  # no free-text box offering the codes
    assert post(category="culture").category == "culture"
    assert post(category="__other__", category_other="体育健身").category == "体育健身"
    assert post(category="__other__", category_other="文化阅读").category == "culture"
    edit = desk.site.client.get(
        f"/desk/activities/{post(category='__other__', category_other='体育健身').id}/edit"
    ).text
    assert '<option value="__other__" selected>' in edit
    assert 'value="体育健身"' in edit


def test_a_refused_activity_says_why_keeps_what_was_typed_and_writes_nothing(
    desk: Desk,
) -> None:
    desk.site.log_in(STAFF_PHONE)
    token = _form_token(desk.site.client.get(f"/desk/centers/{desk.center}/new").text)
    starts = (desk.clock.now + timedelta(days=3)).astimezone(SHANGHAI)
    before = desk.events()

    backwards = desk.site.client.post(
        f"/desk/centers/{desk.center}/activities",
        data={
            "_csrf_token": token,
            "title": "倒着走的活动",
            "category": "社区服务",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    untitled = desk.site.client.post(
        f"/desk/centers/{desk.center}/activities?lang=en",
        data={
            "_csrf_token": token,
            "title": "",
            "category": "社区服务",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )

    assert backwards.status_code == 422
    assert "结束时间须晚于开始时间" in backwards.text
    assert 'value="倒着走的活动"' in backwards.text
    assert untitled.status_code == 400
    assert "“Title”" in untitled.text
    assert desk.events() == before


def test_staff_correct_minutes_with_a_reason(desk: Desk) -> None:
    desk.site.log_in(STAFF_PHONE)
    desk.clock.advance(days=1, hours=3)
    page = desk.site.client.get(f"/desk/activities/{desk.activity}")
    url = f"/desk/activities/{desk.activity}/attendance/{desk.volunteer}/adjustments"

    answer = desk.site.client.post(
        url,
        data={
            "_csrf_token": _form_token(page.text),
            "minutes": "90",
            "reason": "手机没电，现场核实",
        },
        follow_redirects=False,
    )

    assert answer.status_code == 303, answer.text
    attendance = desk.site.app.get(Attendance, Attendance.id_for(desk.volunteer, desk.activity))
    assert attendance.total_minutes == 90
    shown = desk.site.client.get(answer.headers["location"])
    assert "服务时长已更正" in shown.text
    attended = shown.text.split("到场签到", 1)[1].split("</section>", 1)[0]
    assert "陈静" in attended
    assert "<strong>90</strong>" in attended


def _correction_cell(page: str, volunteer: UUID) -> str:
    row = page.split(f'<tr id="v-{volunteer}">', 1)[1].split("</tr>", 1)[0]
    return row.rsplit("<td", 1)[1]


def test_an_attendee_still_in_is_offered_no_correction_until_the_attendance_closes(
    desk: Desk,
) -> None:
    # Its credit is not known while it is open, so a form there could only be refused.
    app = desk.site.app
    desk.clock.advance(days=1, minutes=5)
    app.check_in(desk.activity, desk.volunteer, token=app.venue_code(desk.activity).token)
    desk.settle()
    desk.site.log_in(STAFF_PHONE)

    cell = _correction_cell(
        desk.site.client.get(f"/desk/activities/{desk.activity}").text, desk.volunteer
    )
    assert "签退后可更正" in cell
    assert "<form" not in cell

    desk.clock.advance(minutes=80)
    app.check_out(desk.activity, desk.volunteer, token=app.venue_code(desk.activity).token)
    desk.settle()
    cell = _correction_cell(
        desk.site.client.get(f"/desk/activities/{desk.activity}").text, desk.volunteer
    )
    assert "签退后可更正" not in cell
    assert "/adjustments" in cell


def test_a_correction_without_a_reason_is_refused_with_a_sentence_and_writes_nothing(
    desk: Desk,
) -> None:
    desk.site.log_in(STAFF_PHONE)
    desk.clock.advance(days=1, hours=3)
    # The sign-up was written by the fixture, not by this caller: nothing makes the
    # refused page wait for it, and without it the volunteer's row is not there yet.
    desk.settle()
    token = _form_token(desk.site.client.get(f"/desk/activities/{desk.activity}").text)
    url = f"/desk/activities/{desk.activity}/attendance/{desk.volunteer}/adjustments"
    before = desk.events()

    answer = desk.site.client.post(url, data={"_csrf_token": token, "minutes": "30", "reason": ""})
    spaces = desk.site.client.post(
        url + "?lang=en", data={"_csrf_token": token, "minutes": "30", "reason": "   "}
    )

    assert answer.status_code == 422
    # The domain's sentence, not msgspec's "at least 1 character".
    assert "请填写原因" in _correction_cell(answer.text, desk.volunteer)
    assert "长度不能少于" not in answer.text
    assert "A reason is required" in spaces.text
    # The form it came from is open again with the minutes typed.
    assert 'value="30"' in answer.text
    assert desk.events() == before


def test_a_refused_correction_comes_back_at_the_row_it_was_made_in(desk: Desk) -> None:
    # The form's action names the row: a browser keeps the fragment of a POST's
    # address, so the page with the refusal opens scrolled to it.
    desk.site.log_in(STAFF_PHONE)
    desk.clock.advance(days=1, hours=3)
    desk.settle()  # the sign-ups were written by the fixture, not by this caller
    page = desk.site.client.get(f"/desk/activities/{desk.activity}").text
    action = f"/desk/activities/{desk.activity}/attendance/{desk.volunteer}/adjustments"

    assert f'action="{action}#v-{desk.volunteer}"' in _correction_cell(page, desk.volunteer)
    refused = desk.site.client.post(
        action, data={"_csrf_token": _form_token(page), "minutes": "9999", "reason": "核实"}
    )
    assert refused.status_code == 400
    cell = _correction_cell(refused.text, desk.volunteer)
    assert "“增减分钟数”" in cell
    assert f'action="{action}#v-{desk.volunteer}"' in cell


def test_the_roster_shows_names_and_masked_phones_never_the_full_number(desk: Desk) -> None:
    desk.site.log_in(STAFF_PHONE)
    desk.settle()

    page = desk.site.client.get(f"/desk/activities/{desk.activity}")

    assert page.status_code == 200
    assert "陈静" in page.text
    assert "139****5678" in page.text
    assert FULL_PHONE not in page.text
    assert f'href="/desk/activities/{desk.activity}/venue"' in page.text


def test_staff_change_and_cancel_an_activity_through_the_forms(desk: Desk) -> None:
    desk.site.log_in(STAFF_PHONE)
    edit = desk.site.client.get(f"/desk/activities/{desk.activity}/edit")
    token = _form_token(edit.text)
    fields = dict(
        re.findall(
            r'name="(\w+)" type="(?:text|datetime-local|number)"[^>]*value="([^"]*)"', edit.text
        )
    )
    # The category is a choice, sent as the browser would: the option selected.
    chosen = re.search(
        r'<select id="category".*?<option value="([^"]+)" selected>', edit.text, re.S
    )
    assert chosen
    fields["category"] = chosen.group(1)

    changed = desk.site.client.post(
        f"/desk/activities/{desk.activity}/edit",
        data={
            **fields,
            "_csrf_token": token,
            "title": "社区环境清洁（改期）",
            "capacity": "8",
            "sign_up_required": "1",
        },
        follow_redirects=False,
    )
    cancelled = desk.site.client.post(
        f"/desk/activities/{desk.activity}/cancel",
        data={"_csrf_token": token, "reason": "暴雨预警"},
        follow_redirects=False,
    )

    assert changed.status_code == 303, changed.text
    assert cancelled.status_code == 303, cancelled.text
    activity = desk.site.app.get(Activity, desk.activity)
    assert (activity.title, activity.capacity) == ("社区环境清洁（改期）", 8)
    assert activity.is_cancelled
    assert activity.cancel_reason == "暴雨预警"


def test_a_desk_form_without_its_csrf_token_is_refused_and_nothing_is_written(
    desk: Desk,
) -> None:
    desk.site.log_in(STAFF_PHONE)
    desk.clock.advance(days=1, hours=3)
    before = desk.events()

    answers = [
        desk.site.client.post(
            f"/desk/activities/{desk.activity}/attendance/{desk.volunteer}/adjustments",
            data={"minutes": "30", "reason": "补录"},
        ),
        desk.site.client.post(
            f"/desk/activities/{desk.activity}/cancel", data={"reason": "不办了"}
        ),
        desk.site.client.post(
            f"/desk/activities/{desk.activity}/attendance/{desk.volunteer}/adjustments",
            data={"minutes": "30", "reason": "补录", "_csrf_token": "made-up"},
        ),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert desk.events() == before
    with pytest.raises(NotFound):
        desk.site.app.get(Attendance, Attendance.id_for(desk.volunteer, desk.activity))


def test_a_volunteer_cannot_open_the_desk_nor_any_roster(desk: Desk, volunteer: str) -> None:
    desk.site.log_in(volunteer)

    for path in (
        "/desk/",
        f"/desk/centers/{desk.center}",
        f"/desk/centers/{desk.center}/new",
        f"/desk/activities/{desk.activity}",
        f"/desk/activities/{desk.activity}/edit",
    ):
        answer = desk.site.client.get(path)
        assert answer.status_code == 404, path
        assert "陈静" not in answer.text
        assert "139****5678" not in answer.text
    assert VOLUNTEER_PHONE  # the volunteer fixture's account is the one logged in


def test_the_roster_downloads_from_its_page_as_a_spreadsheet(desk: Desk) -> None:
    desk.site.log_in(STAFF_PHONE)
    desk.settle()

    page = desk.site.client.get(f"/desk/activities/{desk.activity}")
    xlsx = desk.site.client.get(f"/desk/activities/{desk.activity}/roster.xlsx")
    csv_file = desk.site.client.get(f"/desk/activities/{desk.activity}/roster.csv")

    assert f'href="/desk/activities/{desk.activity}/roster.xlsx"' in page.text
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content))["签到表"]
    assert [c.value for c in sheet[2]][1:4] == ["陈静", "139****5678", "已报名"]
    assert csv_file.headers["content-type"].startswith("text/csv")
    assert "陈静" in csv_file.content.decode("utf-8-sig")
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row]
    assert not any(FULL_PHONE in c for c in cells)
    assert FULL_PHONE not in csv_file.content.decode("utf-8-sig")


def test_staff_of_another_center_get_nothing_of_this_one(desk: Desk) -> None:
    app = desk.site.app
    elsewhere = app.create_org_unit(name="北京市", level=OrgLevel.REGION)
    other = app.register_center(
        name="北京青年之家",
        org_unit_id=elsewhere,
        address="北京市东城区 1 号",
        location=GeoPoint(39.9042, 116.4074),
    )
    desk.site.account("13800000011", Grant(Role.CENTER_STAFF, other), name="外站老师")
    desk.site.log_in("13800000011")
    desk.clock.advance(days=1, hours=3)
    token = _form_token(desk.site.client.get(f"/desk/centers/{other}/new").text)
    before = desk.events()

    pages = [
        desk.site.client.get(f"/desk/centers/{desk.center}"),
        desk.site.client.get(f"/desk/activities/{desk.activity}"),
        desk.site.client.post(
            f"/desk/activities/{desk.activity}/attendance/{desk.volunteer}/adjustments",
            data={"minutes": "30", "reason": "补录", "_csrf_token": token},
        ),
        desk.site.client.post(
            f"/desk/activities/{desk.activity}/cancel",
            data={"reason": "不办了", "_csrf_token": token},
        ),
    ]

    roster = desk.site.client.get(f"/desk/activities/{desk.activity}/roster.xlsx")

    assert [p.status_code for p in pages] == [404, 404, 404, 404]
    assert roster.status_code == 404
    assert all("陈静" not in p.text for p in pages)
    assert desk.events() == before


def test_a_visitor_is_sent_to_log_in_and_back(desk: Desk) -> None:
    answer = desk.site.client.get(f"/desk/activities/{desk.activity}", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=/desk/activities/{desk.activity}"


def test_staff_of_two_centers_pick_one_and_the_activity_names_its_category(desk: Desk) -> None:
    app = desk.site.app
    second = app.register_center(
        name="阳光社区青年之家",
        org_unit_id=desk.site.world.village,
        address="呼和浩特市新城区阳光路 2 号",
        location=GeoPoint(40.85, 111.75),
    )
    desk.site.account(
        "13800000012",
        Grant(Role.CENTER_STAFF, desk.center),
        Grant(Role.CENTER_STAFF, second),
        name="两站老师",
    )
    desk.site.log_in("13800000012")
    desk.settle()

    chooser = desk.site.client.get("/desk/", follow_redirects=False)
    activity = desk.site.client.get(f"/desk/activities/{desk.activity}")

    assert chooser.status_code == 200
    assert f'href="/desk/centers/{desk.center}"' in chooser.text
    assert f'href="/desk/centers/{second}"' in chooser.text
    assert chooser.text.index("东风社区青年之家") < chooser.text.index("阳光社区青年之家")
    # Posted under the code "environment": shown by its name.
    assert "<dd>环境保护</dd>" in activity.text


def test_each_correction_on_the_roster_says_why_who_and_when(desk: Desk) -> None:
    app = desk.site.app
    desk.clock.advance(days=1, minutes=5)
    app.check_in(desk.activity, desk.volunteer, token=app.venue_code(desk.activity).token)
    desk.clock.advance(minutes=54)
    app.check_out(desk.activity, desk.volunteer, token=app.venue_code(desk.activity).token)
    desk.site.log_in(STAFF_PHONE)
    desk.clock.advance(hours=2)
    token = _form_token(desk.site.client.get(f"/desk/activities/{desk.activity}").text)
    url = f"/desk/activities/{desk.activity}/attendance/{desk.volunteer}/adjustments"
    answer = desk.site.client.post(
        url,
        data={"_csrf_token": token, "minutes": "30", "reason": "迟到是因为帮忙搬运图书"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    when = desk.clock.now.astimezone(SHANGHAI).strftime("%m-%d %H:%M")

    zh = desk.site.client.get(f"/desk/activities/{desk.activity}").text
    en = desk.site.client.get(f"/desk/activities/{desk.activity}?lang=en").text

    row = zh.split(f'<tr id="v-{desk.volunteer}">', 1)[1].split("</tr>", 1)[0]
    assert "扫码 54 · 更正 +30" in row
    assert "更正 +30 分钟" in row
    assert "迟到是因为帮忙搬运图书" in row
    assert f"李老师于 {when} 填写" in row
    assert "Corrected +30 min" in en


def test_a_colleagues_correction_names_the_colleague(desk: Desk) -> None:
    app = desk.site.app
    desk.clock.advance(days=1, hours=3)
    # Written by another account (the API's staff command, as a colleague's form would).
    other = app.open_account(
        phone="13800000011",
        name="周老师",
        password=PASSWORD,
        grants=[Grant(Role.CENTER_STAFF, desk.center)],
    )
    app.adjust_attendance(
        desk.activity, desk.volunteer, minutes=60, reason="忘带手机，现场核实", staff_id=other
    )
    desk.site.log_in(STAFF_PHONE)
    desk.settle()  # written by a colleague, not by this caller: nothing makes the page wait

    row = (
        desk.site.client.get(f"/desk/activities/{desk.activity}")
        .text.split(f'<tr id="v-{desk.volunteer}">', 1)[1]
        .split("</tr>", 1)[0]
    )

    assert "补录 60 分钟" in row
    assert "忘带手机，现场核实" in row
    assert "周老师于" in row  # the colleague, by name
    assert "其他工作人员" not in row


def test_a_get_on_a_refused_forms_address_leads_to_the_forms_page(desk: Desk) -> None:
    # A refusal is shown at the address the form was posted to; the language switch,
    # a reload or opening the address again asks for it with GET.
    desk.site.log_in(STAFF_PHONE)
    token = _form_token(desk.site.client.get(f"/desk/centers/{desk.center}/new").text)
    starts = (desk.clock.now + timedelta(days=3)).astimezone(SHANGHAI)
    posted_to = f"/desk/centers/{desk.center}/activities"
    refused = desk.site.client.post(
        posted_to,
        data={
            "_csrf_token": token,
            "title": "倒着走的活动",
            "category": "社区服务",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert refused.status_code == 422
    assert f'href="{posted_to}?lang=en"' in refused.text

    switched = desk.site.client.get(f"{posted_to}?lang=en", follow_redirects=False)
    again = desk.site.client.get(posted_to, follow_redirects=False)
    adjust = f"/desk/activities/{desk.activity}/attendance/{desk.volunteer}/adjustments"
    adjusted = desk.site.client.get(adjust, follow_redirects=False)
    cancel = desk.site.client.get(
        f"/desk/activities/{desk.activity}/cancel?lang=en", follow_redirects=False
    )

    assert switched.status_code == 303
    assert switched.headers["location"] == f"/desk/centers/{desk.center}/new?lang=en"
    assert again.headers["location"] == f"/desk/centers/{desk.center}/new"
    assert adjusted.status_code == 303
    assert adjusted.headers["location"] == (f"/desk/activities/{desk.activity}#v-{desk.volunteer}")
    assert cancel.headers["location"] == f"/desk/activities/{desk.activity}/edit?lang=en"
    form = desk.site.client.get(switched.headers["location"])
    assert form.status_code == 200
    assert '<html lang="en">' in form.text
    assert "json" not in form.headers["content-type"]


def test_a_get_on_a_desk_forms_address_shows_another_centers_staff_nothing(desk: Desk) -> None:
    # The GET leads on without reading anything; the page it leads to checks who asks.
    app = desk.site.app
    elsewhere = app.create_org_unit(name="北京市", level=OrgLevel.REGION)
    other = app.register_center(
        name="北京青年之家",
        org_unit_id=elsewhere,
        address="北京市东城区 1 号",
        location=GeoPoint(39.9042, 116.4074),
    )
    desk.site.account("13800000012", Grant(Role.CENTER_STAFF, other), name="吴老师")
    desk.site.log_in("13800000012")

    led = desk.site.client.get(f"/desk/activities/{desk.activity}/cancel")

    assert led.status_code == 404
