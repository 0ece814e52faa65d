"""Every sentence a page shows, in Chinese (first) and English, in one place.

Templates call ``t("key")``; a key missing from either language is a test failure
(tests/unit/pages/test_words.py), so no page shows a bare key or half a translation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "WORDS", "Translate", "language_from", "translator"]

ZH: Final = "zh"
EN: Final = "en"
DEFAULT_LANGUAGE: Final = ZH
LANGUAGES: Final = (ZH, EN)
# What the <html lang> attribute says for each.
HTML_LANG: Final = {ZH: "zh-CN", EN: "en"}

Translate = Callable[..., str]

# key: (中文, English). Placeholders are str.format fields and must match in both.
WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "app.name": ("青年志愿", "Youth Volunteering"),
    "app.title": ("青年志愿服务与基层工作平台", "Youth volunteering and grassroots work"),
    "app.switch_language": ("English", "中文"),
    "home.what": (
        "志愿者报名参加活动，在现场扫码签到；青年之家发布活动；团干部记录下沉走访；"
        "上级督导查看落实情况。",
        "Volunteers sign up for activities and scan the venue's code to check in; youth "
        "centers post activities; cadres log their grassroots visits; supervisors review "
        "how the work is done.",
    ),
    "home.log_in_prompt": ("工作人员和志愿者请先登录。", "Staff and volunteers: please log in."),
    "home.you_are": ("您好，{name}", "Hello, {name}"),
    "home.your_roles": ("您的身份", "Your roles"),
    "home.what_you_can_do": ("您可以", "What you can do"),
    "home.no_role_screens": (
        "您的账号还没有可用的页面。",
        "There is no screen for your account yet.",
    ),
    "home.for_developers": ("开发者", "For developers"),
    "home.api_docs": ("接口文档（OpenAPI）", "API documentation (OpenAPI)"),
    "home.health": ("服务状态", "Service health"),
    "home.demo": ("演示组织：示例县（演示）", "Demo organisation: 示例县 (demo)"),
    "home.demo_password": (
        "这里的数据是演示用的。用下列任一账号登录，密码均为 {password}。",
        "The data here is for trying the screens. Log in with any account below; the "
        "password of each is {password}.",
    ),
    "home.demo_role": ("身份", "Role"),
    "home.demo_phone": ("手机号", "Phone"),
    "home.demo_shows": ("可以看到", "Shows"),
    "home.running": (
        "版本 {version} · 事件存储：{store}",
        "Version {version} · {store} event store",
    ),
    "role.volunteer": ("志愿者", "Volunteer"),
    "role.center_staff": ("青年之家工作人员", "Youth center staff"),
    "role.cadre": ("团干部", "Cadre"),
    "role.supervisor": ("上级督导", "Supervisor"),
    "role.administrator": ("管理员", "Administrator"),
    "screen.m": ("我的志愿服务", "My volunteering"),
    "screen.m.about": (
        "报名活动、扫码签到、查看服务时长。",
        "Sign up for activities, scan to check in, see your hours.",
    ),
    "screen.desk": ("青年之家工作台", "Center desk"),
    "screen.desk.about": (
        "发布和管理活动，查看报名和签到。",
        "Post and manage activities, see sign-ups and attendance.",
    ),
    "screen.cadre": ("下沉走访", "My visits"),
    "screen.cadre.about": (
        "扫码开始走访，记录工作日志，反馈问题。",
        "Scan to start a visit, write the log, raise problems.",
    ),
    "screen.dispatch": ("周调度", "Weekly dispatch"),
    "screen.dispatch.about": (
        "查看辖区内团干部“8+4”落实情况。",
        'See how the cadres of your area meet "8+4".',
    ),
    "screen.signed_in_as": ("已登录：{name}（{role}）", "Logged in as {name} ({role})"),
    "screen.coming": (
        "更多功能即将上线。",
        "More is on its way.",
    ),
    "nav.home": ("首页", "Home"),
    "nav.log_in": ("登录", "Log in"),
    "nav.log_out": ("退出登录", "Log out"),
    "login.title": ("登录", "Log in"),
    "login.phone": ("手机号", "Mobile number"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.incomplete": ("请填写手机号和密码。", "Enter your mobile number and password."),
    "login.rejected": ("手机号或密码不正确。", "The mobile number or password is not right."),
    "login.delayed": (
        "尝试次数过多，请稍后再试。",
        "Too many attempts: please wait a moment and try again.",
    ),
    "login.busy": ("系统繁忙，请稍后再试。", "The service is busy: please try again shortly."),
    "login.session_ended": ("登录已失效，请重新登录。", "Your session has ended: log in again."),
    "missing.title": ("页面不存在", "Page not found"),
    "missing.text": (
        "没有这个页面，或者您没有权限查看。",
        "There is no such page, or it is not one you may see.",
    ),
    "offline.title": ("没有网络连接", "No connection"),
    "offline.text": (
        "手机现在没有连上网络。请检查网络后再试。",
        "Your phone is not connected. Check the connection and try again.",
    ),
    "offline.retry": ("重试", "Try again"),
    "csrf.refused": (
        "页面已过期，请刷新后重试。",
        "This page has expired: reload it and try again.",
    ),
    # --- scan to check in, the in-app scanner and the venue screen ---
    "scan.title": ("扫码签到", "Check in"),
    "scan.when": ("{day} {start} 至 {end}", "{day}, {start}–{end}"),
    "scan.check_in": ("签到", "Check in"),
    "scan.check_out": ("签退", "Check out"),
    "scan.log_in_first": (
        "请先登录，登录后将自动为您签到，无需再次扫码。",
        "Log in first: you will be checked in straight after, without scanning again.",
    ),
    "scan.log_in": ("登录并签到", "Log in and check in"),
    "scan.register": ("还没有账号？注册志愿者", "No account yet? Register as a volunteer"),
    "scan.location_needed": (
        "本活动需要确认您在活动现场，点击后手机会询问是否允许获取位置，请选择“允许”。",
        "This activity checks that you are at the venue: your phone will ask to share "
        "your location; choose “Allow”.",
    ),
    "scan.locating": ("正在获取位置…", "Finding your location…"),
    "scan.sending": ("正在提交…", "Sending…"),
    "scan.location_refused": (
        "无法获取您的位置，本活动需要位置才能签到。请在手机设置中允许浏览器（或微信）"
        "使用位置信息，然后重试。",
        "Your location could not be read, and this activity needs it to check you in. "
        "Allow the browser (or WeChat) to use your location in the phone's settings, "
        "then try again.",
    ),
    "scan.location_unavailable": (
        "此浏览器不能获取位置。请换用手机自带浏览器或微信打开，或请工作人员为您补录。",
        "This browser cannot give your location. Open the page in the phone's own browser "
        "or WeChat, or ask the staff to add you.",
    ),
    "scan.checked_in": ("签到成功", "You are checked in"),
    "scan.checked_in_at": ("签到时间 {time}", "Checked in at {time}"),
    "scan.checked_out": ("签退成功", "You are checked out"),
    "scan.credited": (
        "本次记录服务时长 {minutes} 分钟。",
        "{minutes} minutes of service recorded.",
    ),
    "scan.check_out_hint": (
        "离开时请再次扫描现场二维码签退。",
        "Scan the venue's code again when you leave, to check out.",
    ),
    "scan.already_out": (
        "您已签退本活动，服务时长 {minutes} 分钟。",
        "You have checked out of this activity: {minutes} minutes recorded.",
    ),
    "scan.my_hours": ("查看我的志愿服务", "See my volunteering"),
    "scan.not_volunteer": (
        "当前登录的账号不是志愿者账号，不能签到。请退出后用志愿者账号登录。",
        "The account you are logged in with is not a volunteer's, so it cannot check in. "
        "Log out and log in as a volunteer.",
    ),
    "scan.not_activity": (
        "这是走访点的二维码，请在“下沉走访”中扫码开始走访。",
        "This is a grassroots point's code: scan it from “My visits” to start a visit.",
    ),
    "scan.refused.stale": ("扫码已过期，请重新扫码。", "The code has expired: scan it again."),
    "scan.refused.not_ours": (
        "这不是本平台的签到码。请扫描活动现场屏幕上的二维码。",
        "This is not one of our check-in codes. Scan the code on the venue's screen.",
    ),
    "scan.refused.not_signed_up": (
        "本活动需要先报名。请先在“我的志愿服务”中报名，再扫码签到。",
        "This activity asks you to sign up first. Sign up in “My volunteering”, then scan again.",
    ),
    "scan.refused.wait_listed": (
        "您还在候补名单上，暂时没有名额。有名额时会通知您，请联系现场工作人员。",
        "You are on the waiting list and have no place yet. Ask the staff at the venue.",
    ),
    "scan.refused.cancelled": (
        "本活动已取消，无法签到。",
        "This activity has been cancelled: there is nothing to check in to.",
    ),
    "scan.refused.too_early": (
        "活动还没开始签到（开始前 {minutes} 分钟开放）。请稍后再扫码。",
        "Check-in has not opened yet (it opens {minutes} minutes before the start). Scan "
        "again later.",
    ),
    "scan.refused.ended": (
        "活动已结束，不能再签到。如您确实参加了，请联系工作人员补录。",
        "The activity has ended, so check-in is closed. If you took part, ask the staff to "
        "add you.",
    ),
    "scan.refused.location_required": (
        "本活动需要您的位置才能签到。请允许获取位置后重试。",
        "This activity needs your location to check you in. Allow it and try again.",
    ),
    "scan.refused.outside": (
        "您不在活动现场范围内。请到达现场后再扫码；如定位不准，请到室外或靠近窗口重试。",
        "You are not at the venue. Scan again once you are there; if your location is off, "
        "try again outdoors or near a window.",
    ),
    "scan.refused.elsewhere": (
        "您正在另一项活动签到中。请先在那项活动签退，再来这里签到。",
        "You are checked in at another activity. Check out there first, then check in here.",
    ),
    "scan.refused.suspended": (
        "您的志愿者资格已暂停，不能签到。请联系青年之家工作人员。",
        "Your volunteering is suspended, so you cannot check in. Contact the youth center's staff.",
    ),
    "scan.refused.not_checked_in": (
        "您还没有签到，不能签退。请先签到。",
        "You have not checked in, so you cannot check out. Check in first.",
    ),
    "scan.refused.closed": (
        "您在本活动的签到记录已结束，不能再签退。如时长有误，请联系工作人员更正。",
        "Your attendance at this activity is already closed. If the minutes are wrong, ask "
        "the staff to correct them.",
    ),
    "scan.refused.missing": (
        "找不到这项活动，它可能已被删除。请联系现场工作人员。",
        "This activity cannot be found. Ask the staff at the venue.",
    ),
    "scan.refused.busy": (
        "扫码次数过多，请稍等片刻再试。",
        "Too many scans: wait a moment and try again.",
    ),
    "scan.refused.other": (
        "暂时无法签到，请稍后重试或联系现场工作人员。",
        "You could not be checked in just now: try again shortly or ask the staff.",
    ),
    "scan.try_again": ("重试", "Try again"),
    "scan.scan_again": ("重新扫码", "Scan again"),
    "scanner.title": ("扫一扫", "Scan"),
    "scanner.hint": (
        "将活动现场屏幕上的二维码放入框内。",
        "Point the camera at the code on the venue's screen.",
    ),
    "scanner.starting": ("正在打开摄像头…", "Opening the camera…"),
    "scanner.camera_refused": (
        "无法使用摄像头。请在手机设置中允许浏览器（或微信）使用相机；也可以直接用手机相机或"
        "微信“扫一扫”扫描现场二维码。",
        "The camera cannot be used. Allow the browser (or WeChat) to use the camera in the "
        "phone's settings, or scan the venue's code with the phone's camera or WeChat.",
    ),
    "scanner.not_ours": (
        "这不是本平台的签到码，请扫描活动现场屏幕上的二维码。",
        "This is not one of our check-in codes: scan the code on the venue's screen.",
    ),
    "venue.title": ("现场签到", "Venue check-in"),
    "venue.scan_prompt": (
        "请用手机相机或微信扫码签到",
        "Scan with your phone's camera or WeChat to check in",
    ),
    "venue.checked_in": ("已签到", "Checked in"),
    "venue.people": ("人", "so far"),
    "venue.latest": ("最新签到", "Latest arrivals"),
    "venue.nobody_yet": ("还没有人签到。", "Nobody has checked in yet."),
    "venue.reconnecting": ("正在重新连接…", "Reconnecting…"),
    "venue.code_failed": (
        "二维码刷新失败，正在重试…",
        "The code could not be refreshed: trying again…",
    ),
    "venue.refreshes": (
        "二维码每 {seconds} 秒自动更新，截图无效。",
        "The code changes every {seconds} seconds: a photo of it will not work.",
    ),
    "venue.full_screen": ("全屏", "Full screen"),
    "register.title": ("注册志愿者", "Register as a volunteer"),
    "register.name": ("姓名", "Name"),
    "register.password_hint": ("密码至少 8 位。", "At least 8 characters."),
    "register.birth_date": ("出生日期", "Date of birth"),
    "register.place": ("所在社区（村）", "Your community (village)"),
    "register.choose_place": ("请选择", "Choose"),
    "register.submit": ("注册并登录", "Register and log in"),
    "register.have_account": ("已有账号？直接登录", "Have an account? Log in"),
    "register.incomplete": (
        "请检查填写的内容：手机号 11 位，密码至少 8 位，并选择所在社区。",
        "Check the form: an 11-digit mobile number, a password of at least 8 characters, "
        "and your community.",
    ),
    "register.phone_taken": (
        "这个手机号已经注册过了，请直接登录。",
        "This mobile number is already registered: log in instead.",
    ),
    # --- the cadre's phone ---
    "cadre.no_record": (
        "这个账号没有团干部档案：这里显示团干部本人的走访和落实情况。",
        "This account has no cadre record: this screen shows a cadre's own visits and standing.",
    ),
    "cadre.scan": ("扫码开始走访", "Scan to start a visit"),
    "cadre.scan_hint": (
        "用手机相机或微信扫一扫联系点屏幕上的二维码，也可以点上面的按钮。",
        "Scan the code on the point's screen with the phone's camera or WeChat, or "
        "tap the button above.",
    ),
    "cadre.scan_again": ("重新扫码", "Scan again"),
    "cadre.this_week": ("本周“8+4”", '"8+4" this week'),
    "cadre.this_month": ("本月“8+4”", '"8+4" this month'),
    "cadre.period_days": ("{period} · {first} 至 {last}", "{period} · {first} to {last}"),
    "cadre.status.met": ("已达标", "Met"),
    "cadre.status.on_track": ("进度正常", "On track"),
    "cadre.status.behind": ("进度落后", "Behind"),
    "cadre.status.missed": ("未达标", "Missed"),
    "cadre.visits_counted": ("计入走访（次）", "Visits counted"),
    "cadre.visit_days": ("在岗天数", "Days on site"),
    "cadre.nothing_needed": ("已完成要求，继续保持。", "Done: keep it up."),
    "cadre.missed": (
        "这一期已结束，还差走访 {visits} 次、{days} 天。",
        "This period is over: {visits} visit(s) and {days} day(s) short.",
    ),
    "cadre.still_needed": (
        "还需走访 {visits} 次、在岗 {days} 天；剩余 {workdays} 个工作日。",
        "Still needed: {visits} more visit(s) and {days} more day(s) on site; "
        "{workdays} workday(s) left.",
    ),
    "cadre.still_needed_either": (
        "还需走访 {visits} 次或在岗 {days} 天（满足其一即可）；剩余 {workdays} 个工作日。",
        "Still needed: {visits} more visit(s) or {days} more day(s) on site (either will "
        "do); {workdays} workday(s) left.",
    ),
    "cadre.coverage": ("{year} 年“1+100”联系青年", '"1+100" youths in {year}'),
    "cadre.list_complete": ("名单已满", "List complete"),
    "cadre.list_incomplete": ("名单未满", "List incomplete"),
    "cadre.listed": ("名单人数", "On the list"),
    "cadre.met_face_to_face": ("今年见面", "Met in person"),
    "cadre.still_to_list": (
        "还需把 {count} 名青年列入名单。",
        "{count} more youths to put on the list.",
    ),
    "cadre.under_way": ("正在进行的走访", "Visit under way"),
    "cadre.continue": ("继续记录", "Continue"),
    "cadre.started_at": ("开始于 {at}", "Started {at}"),
    "cadre.ended_at": ("结束于 {at}", "Ended {at}"),
    "cadre.recent": ("最近的走访", "Recent visits"),
    "cadre.no_visits": ("还没有走访记录。", "No visits yet."),
    "cadre.visit_ended": (
        "走访已结束并保存。是否计入“8+4”，见下方最近的走访。",
        'The visit has ended and is saved. Whether it counts toward "8+4" is shown '
        "under recent visits below.",
    ),
    "cadre.counted": ("已计入", "counted"),
    "cadre.reason.not-ended": ("进行中", "under way"),
    "cadre.reason.not-proven-on-site": ("未证明到场", "not proven on site"),
    "cadre.reason.not-assigned-point": ("非分配联系点", "not an assigned point"),
    "cadre.reason.too-short": ("时长不足", "too short"),
    "cadre.reason.same-day": ("当天已计入", "same day as another"),
    "cadre.start_title": ("开始走访", "Start a visit"),
    "cadre.point": ("联系点", "Grassroots point"),
    "cadre.start": ("开始走访", "Start the visit"),
    "cadre.start_hint": (
        "二维码证明您在现场，不需要定位。",
        "The code proves you are there: no location is needed.",
    ),
    "cadre.visit_title": ("走访记录", "Visit"),
    "cadre.proof.qr": ("扫码到场", "On site by code"),
    "cadre.proof.geofence": ("定位到场", "On site by location"),
    "cadre.not_assigned": (
        "这个联系点不是分配给您的，本次走访会记录，但不计入“8+4”。",
        "This point is not one assigned to you: the visit is recorded but does not "
        'count toward "8+4".',
    ),
    "cadre.log": ("工作日志", "Work log"),
    "cadre.log_empty": ("还没有写日志。", "Nothing written yet."),
    "cadre.log_write": ("写一条日志", "Write a log entry"),
    "cadre.log_save": ("保存日志", "Save the entry"),
    "cadre.youths": ("见到的青年", "Youths met"),
    "cadre.youths_none": ("还没有记录见到的青年。", "No youth recorded yet."),
    "cadre.youth_name": ("青年姓名", "The youth's name"),
    "cadre.youth_contact": ("是否在“1+100”名单中", 'On your "1+100" list?'),
    "cadre.youth_not_listed": ("不在名单中", "Not on the list"),
    "cadre.youth_save": ("记录见面", "Record the meeting"),
    "cadre.on_list": ("名单内", "listed"),
    "cadre.problems": ("反馈的问题", "Problems raised"),
    "cadre.problems_none": ("本次走访还没有反馈问题。", "No problem raised on this visit."),
    "cadre.problem_raise": ("反馈一个问题", "Raise a problem"),
    "cadre.problem_title": ("问题标题", "Title"),
    "cadre.problem_description": ("具体情况", "What is wrong"),
    "cadre.problem_goes_to": (
        "问题会交给联系点所在的组织处理。",
        "The problem goes to the point's unit to answer.",
    ),
    "cadre.problem_save": ("提交问题", "Raise it"),
    "cadre.problem_state.open": ("待答复", "open"),
    "cadre.problem_state.answered": ("已答复", "answered"),
    "cadre.problem_state.closed": ("已办结", "closed"),
    "cadre.end": ("结束走访", "End the visit"),
    "cadre.refused.stale": (
        "二维码已过期，请重新扫描联系点屏幕上的二维码。",
        "The code has expired: scan the point's screen again.",
    ),
    "cadre.refused.not_ours": (
        "这不是本平台的二维码，请扫描联系点屏幕上的二维码。",
        "This is not one of our codes: scan the code on the point's screen.",
    ),
    "cadre.refused.not_point": (
        "这是活动签到码，不是联系点的二维码。请扫描联系点屏幕上的二维码。",
        "This is an activity's check-in code, not a point's: scan the code on the point's screen.",
    ),
    "cadre.refused.point_retired": (
        "这个联系点已撤销，不能再开始走访。",
        "This point has been retired: no visit can start there.",
    ),
    "cadre.refused.missing": ("没有找到这个联系点。", "There is no such point."),
    "cadre.refused.visit_ended": (
        "这次走访已经结束，不能再修改。",
        "This visit has ended and cannot be changed.",
    ),
    "cadre.refused.log_full": (
        "这次走访的日志已写满。",
        "This visit's log is full.",
    ),
    "cadre.refused.contact_not_listed": (
        "这名青年不在您的“1+100”名单中。",
        'This youth is not on your "1+100" list.',
    ),
    "cadre.refused.clock": (
        "时间不对：请检查手机时间后重试。",
        "The time is not right: check the phone's clock and try again.",
    ),
    "cadre.refused.incomplete": (
        "请把内容填写完整（不要超过字数限制）。",
        "Fill in every field (within its length).",
    ),
    "cadre.refused.busy": (
        "操作太频繁，请稍等片刻再试。",
        "Too many tries at once: wait a moment and try again.",
    ),
    "cadre.refused.other": (
        "没有成功，请稍后重试。",
        "That did not work: try again shortly.",
    ),
}


def language_from(query: str | None, cookie: str | None) -> str:
    """The page's language: ``?lang=`` first, then the ``lang`` cookie, else Chinese."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    return DEFAULT_LANGUAGE


def translator(language: str) -> Translate:
    """``t(key, **fields)`` in ``language``; an unknown key raises (a bug, not a blank)."""
    index = LANGUAGES.index(language)

    def t(key: str, /, **fields: object) -> str:
        text = WORDS[key][index]
        return text.format(**fields) if fields else text

    return t
