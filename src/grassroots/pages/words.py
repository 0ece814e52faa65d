"""Every sentence a page shows, in Chinese (first) and English, in one place.

Templates call ``t("key")``; a key missing from either language is a test failure
(tests/unit/pages/test_words.py), so no page shows a bare key or half a translation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "WORDS",
    "Translate",
    "language_from",
    "period_label",
    "translator",
]

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
    "screen.admin": ("管理后台", "Administration"),
    "screen.admin.about": (
        "建立组织架构，登记青年之家，开设和管理工作人员账号。",
        "Build the organisation, register youth centers, open and manage staff accounts.",
    ),
    "screen.signed_in_as": ("已登录：{name}（{role}）", "Logged in as {name} ({role})"),
    "screen.coming": (
        "更多功能即将上线。",
        "More is on its way.",
    ),
    "nav.home": ("首页", "Home"),
    "nav.log_in": ("登录", "Log in"),
    "nav.log_out": ("退出登录", "Log out"),
    "home.register": ("注册成为志愿者", "Register as a volunteer"),
    "login.no_account": ("还没有账号？注册成为志愿者", "No account yet? Register as a volunteer"),
    "login.title": ("登录", "Log in"),
    "login.phone": ("手机号", "Mobile number"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.incomplete": ("请填写手机号和密码。", "Enter your mobile number and password."),
    "login.phone_invalid": (
        "手机号应为 11 位数字，例如 13800138000。",
        "A mobile number is 11 digits, such as 13800138000.",
    ),
    "login.rejected": ("手机号或密码不正确。", "The mobile number or password is not right."),
    "login.delayed": (
        "尝试次数过多，请稍后再试。",
        "Too many attempts: please wait a moment and try again.",
    ),
    "login.busy": ("系统繁忙，请稍后再试。", "The service is busy: please try again shortly."),
    "login.session_ended": ("登录已失效，请重新登录。", "Your session has ended: log in again."),
    "certificate.title": ("志愿服务证明核验", "Volunteer service certificate"),
    "certificate.issued_by_us": (
        "编号为 {serial} 的证明确由本平台出具，内容如下（姓名已部分隐去）：",
        "Certificate {serial} was issued by this platform. It shows (name partly hidden):",
    ),
    "certificate.volunteer": ("志愿者", "Volunteer"),
    "certificate.period": ("服务期间", "Period"),
    "certificate.period.value": ("{start} 至 {end}", "{start} to {end}"),
    "certificate.total": ("累计服务时长", "Total hours of service"),
    "certificate.hours": ("{hours} 小时", "{hours} hours"),
    "certificate.issued_on": ("出具日期", "Issued on"),
    "certificate.day": ("日期", "Date"),
    "certificate.activity": ("活动", "Activity"),
    "certificate.center": ("服务单位", "Center"),
    "certificate.line_hours": ("小时", "Hours"),
    "certificate.genuine": ("核验通过：", "Genuine:"),
    "certificate.genuine.text": (
        "所提交的 PDF 与平台出具的证明完全一致，未被改动。",
        "the PDF is the certificate this platform issued, unaltered.",
    ),
    "certificate.not_genuine": ("核验未通过：", "Not genuine:"),
    "certificate.not_genuine.text": (
        "所提交的文件不是平台出具的这份证明，或已被改动。",
        "the file is not the certificate this platform issued, or it was changed.",
    ),
    "certificate.check.label": (
        "核对手中的 PDF 是否为原件、未经改动",
        "Check that a PDF is the original, unaltered",
    ),
    "certificate.check.submit": ("核验", "Check"),
    "certificate.check.note": (
        "文件只用于核对，不会被保存。",
        "The file is only compared, never kept.",
    ),
    "missing.title": ("页面不存在", "Page not found"),
    "missing.text": (
        "没有这个页面，或者您没有权限查看。",
        "There is no such page, or it is not one you may see.",
    ),
    "wait.title": ("请稍候", "Please wait"),
    "wait.too_many": (
        "操作太频繁了（同一网络上的人多时也会这样）。请 {seconds} 秒后再试。",
        "Too many tries at once (this also happens when many people share one network). "
        "Please try again in {seconds} seconds.",
    ),
    "wait.busy": (
        "系统繁忙。请 {seconds} 秒后再试。",
        "The service is busy. Please try again in {seconds} seconds.",
    ),
    "wait.again": ("重试", "Try again"),
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
    "survey.not_open": ("问卷当前未开放", "The survey is not open now"),
    "survey.as_volunteer": (
        "将以您的志愿者身份提交，再次提交会替换上一份",
        "You answer as yourself; answering again replaces your answer",
    ),
    "survey.anonymous": ("匿名提交，每台设备每天一份", "Anonymous: one answer per device a day"),
    "survey.submit": ("提交", "Submit"),
    "survey.thanks": ("已提交，感谢参与！", "Thank you, your answer is in."),
    "survey.answers": ("共 {count} 份答卷", "{count} answers"),
    "survey.mean_median": ("平均 {mean}，中位数 {median}", "Mean {mean}, median {median}"),
    "survey.texts": ("{count} 条文字回答", "{count} text answers"),
    "survey.texts.read": ("逐条查看", "Read them"),
    "survey.texts.none": ("还没有文字回答。", "No text answers yet."),
    "survey.texts.newer": ("较新的", "Newer"),
    "survey.texts.older": ("较早的", "Older"),
    "survey.texts.back": ("返回结果", "Back to the results"),
    "survey.download": ("下载全部答卷：", "Download every answer:"),
    "survey.by_unit": ("按组织", "By unit"),
    "survey.no_unit": ("未填写组织", "No unit given"),
    "survey.fewer_than_five": ("少于5份", "fewer than 5"),
    "survey.live.reconnecting": (
        "实时更新已中断，正在重新连接……",
        "Live updates are down; reconnecting…",
    ),
    # --- designing surveys (pages/survey_design.py) ---
    "survey.list.title": ("调研问卷", "Surveys"),
    "survey.list.none": ("这个组织还没有问卷。", "This unit has no survey yet."),
    "survey.list.no_units": (
        "您没有可以发布问卷的组织。",
        "You have no unit to design surveys for.",
    ),
    "survey.list.window": ("{opens} 至 {closes}", "{opens} to {closes}"),
    "survey.state.draft": ("草稿", "Draft"),
    "survey.state.published": ("已发布", "Published"),
    "survey.state.open": ("收集中", "Open"),
    "survey.state.closed": ("已结束", "Closed"),
    "survey.design.new": ("设计新问卷", "Design a survey"),
    "survey.design.unit": ("面向组织（含下级）", "For the unit (and the units below)"),
    "survey.design.org_unit_id": ("组织", "Unit"),
    "survey.design.title": ("标题", "Title"),
    "survey.design.intro": ("说明（可不填）", "Introduction (optional)"),
    "survey.design.audience": ("谁可以填写", "Who may answer"),
    "survey.audience.anyone_with_link": (
        "任何人（扫码或打开链接即可，匿名）",
        "Anyone with the link or QR code (anonymous)",
    ),
    "survey.audience.subtree_volunteers": (
        "仅本组织及下级的注册志愿者（需登录）",
        "Registered volunteers of the unit and below only (logged in)",
    ),
    "survey.design.opens_at": ("开始时间", "Opens"),
    "survey.design.closes_at": ("结束时间", "Closes"),
    "survey.design.questions": ("题目", "Questions"),
    "survey.design.questions_hint": (
        "题目留空的行不会保存。选择题每行写一个选项（2 到 20 个）。",
        "A row without a question is left out. A choice takes one option a line (2 to 20).",
    ),
    "survey.design.prompt": ("第 {n} 题", "Question {n}"),
    "survey.design.kind": ("题型", "Kind"),
    "survey.design.required": ("必答", "Required"),
    "survey.design.options": ("选项（选择题）", "Options (choices)"),
    "survey.design.options_hint": ("每行一个选项", "One option a line"),
    "survey.design.min_value": ("最小值（数字题）", "Lowest (numbers)"),
    "survey.design.max_value": ("最大值（数字题）", "Highest (numbers)"),
    "survey.design.add": ("再加一题", "Add a question"),
    "survey.design.draft_hint": (
        "保存后是草稿，发布后才能填写；发布后题目不再改变，修改会成为新版本。",
        "Saved as a draft, answered once published; published questions stay as they are "
        "and a change becomes a new version.",
    ),
    "survey.design.save": ("保存", "Save"),
    "survey.design.unreadable": (
        "“{field}”填写得不对，请检查。",
        "Check “{field}”: it cannot be read.",
    ),
    "survey.design.invalid": ("“{field}”填写有误：{message}", "“{field}”: {message}"),
    "survey.design.refused": (
        "无法保存，请检查后再试。",
        "This cannot be saved; check and try again.",
    ),
    "survey.design.unit_refused": (
        "您不能为这个组织设计问卷。",
        "You may not design a survey for this unit.",
    ),
    "survey.kind.single_choice": ("单选", "Single choice"),
    "survey.kind.multiple_choice": ("多选", "Multiple choice"),
    "survey.kind.rating": ("评分（1–5）", "Rating (1–5)"),
    "survey.kind.text": ("简答", "Short text"),
    "survey.kind.number": ("数字", "Number"),
    "survey.done.designed": ("问卷已保存为草稿。", "The survey is saved as a draft."),
    "survey.done.revised": ("修改已保存。", "Your changes are saved."),
    "survey.done.published": ("问卷已发布，可以扫码填写了。", "Published: it can be answered now."),
    "survey.done.closed": ("问卷已结束，不再接受填写。", "Closed: it takes no more answers."),
    "survey.manage.version": ("第 {n} 版", "version {n}"),
    "survey.manage.unit": ("面向：{name}", "For: {name}"),
    "survey.manage.unpublished": (
        "有尚未发布的修改：发布后成为新版本。",
        "There are changes not published yet: publishing makes them a new version.",
    ),
    "survey.manage.results": ("查看结果", "Results"),
    "survey.manage.code": ("打印二维码", "Print the QR code"),
    "survey.manage.publish": ("发布", "Publish"),
    "survey.manage.publish_again": ("发布为新版本", "Publish as a new version"),
    "survey.manage.close": ("结束问卷", "Close the survey"),
    "survey.manage.revise": ("修改问卷", "Revise"),
    "survey.manage.revise_hint": (
        "已发布的题目不变；修改保存后需再次发布才生效。",
        "Published questions stay as they are; publish again for a change to count.",
    ),
    "survey.manage.questions": ("题目", "Questions"),
    "survey.manage.back": ("返回问卷", "Back to the survey"),
    "survey.code.scan": (
        "微信或手机相机扫码填写问卷",
        "Scan with WeChat or a phone camera to answer",
    ),
    "survey.code.unpublished": (
        "问卷发布后才有二维码。",
        "The survey has a QR code once it is published.",
    ),
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
    "scan.already_in": ("您已签到", "You are checked in"),
    "scan.already_in_at": (
        "您已于 {time} 签到「{title}」。",
        "You checked in to “{title}” at {time}.",
    ),
    "scan.stay_until": (
        "活动于 {end} 结束，结束后再扫码签退即可。",
        "The activity ends at {end}: scan the code again then to check out.",
    ),
    "scan.early.title": ("需要提前离开？", "Leaving early?"),
    "scan.early.explain": (
        "现在签退只记录 {minutes} 分钟服务时长（{end} 活动结束时签退可记录 {full} 分钟），"
        "签退后不能再次签到本活动。",
        "Checking out now records {minutes} minutes of service ({full} minutes if you "
        "check out when the activity ends at {end}), and you cannot check in to this "
        "activity again.",
    ),
    "scan.early.confirm": ("确认提前签退", "Check out early"),
    "scan.early.asked": (
        "活动尚未结束，您还没有签退。确需提前离开，请点击“确认提前签退”。",
        "The activity has not ended and you are still checked in. If you must leave "
        "early, press “Check out early”.",
    ),
    "scan.ended.explain": (
        "活动已结束，签退后记录服务时长 {minutes} 分钟。",
        "The activity has ended: checking out records {minutes} minutes of service.",
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
        "将活动现场屏幕上的签到码、联系点的走访码或调研问卷的二维码放入框内。",
        "Point the camera at a venue's check-in code, a point's visit code or a survey's code.",
    ),
    "scanner.starting": ("正在打开摄像头…", "Opening the camera…"),
    "scanner.camera_refused": (
        "无法使用摄像头。请在手机设置中允许浏览器（或微信）使用相机；也可以直接用手机相机或"
        "微信“扫一扫”扫描现场二维码。",
        "The camera cannot be used. Allow the browser (or WeChat) to use the camera in the "
        "phone's settings, or scan the venue's code with the phone's camera or WeChat.",
    ),
    "scanner.not_ours": (
        "这不是本平台的二维码，请扫描活动现场屏幕上的签到码、联系点的走访码或问卷二维码。",
        "This is not one of our codes: scan a venue's check-in code, a point's visit code "
        "or a survey's code.",
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
    # Over the code once it has expired with no fresh one: scanning it would fail.
    "venue.opens_at": (
        "签到尚未开放：{at} 起可以扫码签到（活动开始前 {margin} 分钟）。",
        "Check-in is not open yet: scanning works from {at} ({margin} minutes before the start).",
    ),
    "venue.closed": ("活动已结束，不再接受签到。", "The activity has ended: no more check-ins."),
    "venue.paused": ("暂停签到 · 正在重新连接", "Check-in paused · reconnecting"),
    "point_screen.paused": ("暂停扫码 · 正在重新连接", "Scanning paused · reconnecting"),
    "venue.code_failed": (
        "二维码刷新失败，正在重试…",
        "The code could not be refreshed: trying again…",
    ),
    "venue.refreshes": (
        "二维码每 {seconds} 秒自动更新，截图无效。",
        "The code changes every {seconds} seconds: a photo of it will not work.",
    ),
    "venue.full_screen": ("全屏", "Full screen"),
    "points.title": ("联系点二维码", "Point codes"),
    "points.choose_unit": ("请选择单位：", "Choose a unit:"),
    "points.no_units": ("您没有督导的单位。", "You supervise no unit."),
    "points.under": ("{unit}及下级的联系点", "Points of {unit} and the units below it"),
    "points.none": ("这里还没有联系点。", "There are no points here yet."),
    "points.open_screen": ("打开二维码屏幕", "Open the code screen"),
    "points.other_unit": ("其他单位", "Another unit"),
    "points.link": ("联系点二维码屏幕", "Point code screens"),
    "point_screen.title": ("联系点签到", "Visit check-in"),
    "point_screen.scan_prompt": (
        "团干部请用手机相机扫码，开始本次走访",
        "Cadres: scan with your phone's camera to start your visit",
    ),
    "point_screen.unit": ("所属单位：{unit}", "Unit: {unit}"),
    "point_screen.back": ("返回联系点列表", "Back to the points"),
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
    "register.invalid.name": (
        "请填写姓名（最多 50 个字）。",
        "Enter your name (up to 50 characters).",
    ),
    "register.invalid.phone": (
        "手机号应为 11 位数字，例如 13800138000。",
        "A mobile number is 11 digits, such as 13800138000.",
    ),
    "register.invalid.password": (
        "密码至少 8 位（最多 128 位）。",
        "The password needs at least 8 characters (at most 128).",
    ),
    "register.invalid.birth_date": (
        "请填写真实的出生日期（不能是今天以后）。",
        "Enter your real date of birth (not a day to come).",
    ),
    "register.invalid.org_unit_id": ("请选择所在社区（村）。", "Choose your community (village)."),
    "register.phone_taken": (
        "这个手机号已经注册过了，请直接登录。",
        "This mobile number is already registered: log in instead.",
    ),
    # --- volunteer's phone (/m/): my activities and my hours ---
    "m.tab.home": ("首页", "Home"),
    "m.tab.discover": ("找活动", "Discover"),
    "m.tab.sign_ups": ("我的报名", "My sign-ups"),
    "m.tab.hours": ("我的时长", "My hours"),
    "m.state.signed_up": ("已报名", "Signed up"),
    "m.state.wait_listed": ("候补中", "On the waiting list"),
    "m.state.wait_listed_place": ("候补第 {place} 位", "Waiting list: no. {place}"),
    "m.state.promoted": ("已递补", "Promoted: you have a place"),
    "m.state.withdrawn": ("已取消报名", "Withdrawn"),
    "m.state.checked_in": ("已签到", "Checked in"),
    "m.state.attended": ("已参加", "Attended"),
    "m.state.missed": ("未到场", "Did not come"),
    "m.state.no_place": ("未递补", "No place became free"),
    "m.promoted_at": ("{at} 由候补转为正式报名", "Given a place from the waiting list {at}"),
    "m.home.scan": ("扫码签到 / 签退", "Scan to check in or out"),
    "m.home.scan_hint": (
        "扫描活动现场屏幕上的二维码；也可以直接用手机相机或微信扫一扫。",
        "Scan the code on the venue's screen; the phone's camera or WeChat works too.",
    ),
    "m.home.next": ("我的下一个活动", "My next activity"),
    "m.home.nothing_next": (
        "还没有报名即将开始的活动。",
        "You are not signed up for anything coming up.",
    ),
    "m.home.this_month": ("本月时长", "This month"),
    "m.home.this_year": ("本年时长", "This year"),
    "m.home.discover_about": (
        "按时间、青年之家或附近查找活动。",
        "By time, by center or near you.",
    ),
    "m.home.sign_ups_about": (
        "报名状态、候补名次和递补提醒。",
        "Where you stand, your waiting-list place, promotions.",
    ),
    "m.home.hours_about": (
        "每周、每月、每年的服务时长和明细。",
        "Your hours per week, month and year, line by line.",
    ),
    "m.no_volunteer_record": (
        "这个账号没有志愿者档案，没有报名和服务时长。",
        "This account has no volunteer record: no sign-ups and no hours.",
    ),
    "m.discover.title": ("找活动", "Discover activities"),
    "m.discover.by_center": ("青年之家", "Youth center"),
    "m.discover.all_centers": ("全部青年之家", "All youth centers"),
    "m.discover.show": ("查看", "Show"),
    "m.discover.near_me": ("查找我附近的活动", "Find activities near me"),
    "m.discover.locating": ("正在获取位置…", "Finding where you are…"),
    "m.discover.location_refused": (
        "没有获得位置。请在手机设置中允许本网页使用位置，或按青年之家查找。",
        "Your location is not available. Allow this page to use it in the phone's "
        "settings, or look by youth center.",
    ),
    "m.discover.near_shown": ("您附近 {km} 公里内的活动", "Activities within {km} km of you"),
    "m.discover.all": ("查看全部", "Show all"),
    "m.discover.by_time": ("按开始时间排列，近两周。", "By start time, the next two weeks."),
    "m.discover.none": ("没有找到活动。", "No activities found."),
    "m.places.open": ("不限人数", "No limit"),
    "m.places.left": ("剩余 {n} 个名额", "{n} places left"),
    "m.places.full": ("已满，可候补", "Full: join the waiting list"),
    "m.done.signed_up": ("报名成功。", "You are signed up."),
    "m.done.wait_listed": (
        "名额已满，您已进入候补名单；有人取消时按顺序递补。",
        "The activity is full: you are on the waiting list and get a place in turn "
        "when someone withdraws.",
    ),
    "m.done.withdrawn": ("已取消报名。", "You have withdrawn."),
    "m.done.unchanged": (
        "没有变化：您已在本活动的名单上，无需再次报名。",
        "Nothing changed: you are already on this activity's list.",
    ),
    "m.activity.checked_in_line": (
        "您已于 {at} 签到，正在参加本活动。离开时请扫描现场二维码签退。",
        "You checked in at {at} and are taking part. Scan the venue's code when you leave.",
    ),
    "m.activity.attended_line": (
        "您已参加本活动，记录服务时长 {minutes}。",
        "You took part in this activity: {minutes} of service recorded.",
    ),
    "m.activity.when": ("时间", "When"),
    "m.activity.where": ("地点", "Where"),
    "m.activity.places": ("名额", "Places"),
    "m.activity.places_of": ("已报 {signed} / 共 {capacity}", "{signed} of {capacity} taken"),
    "m.activity.waiting": ("候补 {n} 人", "{n} waiting"),
    "m.activity.status": ("状态", "Status"),
    "m.activity.cancelled": ("活动已取消", "Cancelled"),
    "m.activity.mine": ("我的报名", "My sign-up"),
    "m.activity.sign_up": ("报名参加", "Sign up"),
    "m.activity.join_waiting": ("加入候补", "Join the waiting list"),
    "m.activity.withdraw": ("取消报名", "Withdraw"),
    "m.refused.activity-ended": (
        "活动已经结束，不能再报名。请看看其他活动。",
        "The activity has ended: you can no longer sign up. Look at other activities.",
    ),
    "m.refused.activity-started": (
        "活动已经开始，不能再取消报名。如不能到场，请联系青年之家。",
        "The activity has started: you can no longer withdraw. If you cannot come, "
        "tell the youth center.",
    ),
    "m.refused.activity-cancelled": (
        "活动已取消，不能报名或取消报名。",
        "The activity has been cancelled: there is nothing to sign up for or withdraw from.",
    ),
    "m.refused.not-signed-up": (
        "您没有报名这个活动，无需取消。",
        "You are not signed up for this activity: there is nothing to withdraw.",
    ),
    "m.refused.volunteer-suspended": (
        "您的志愿者资格已暂停，暂时不能报名。请联系青年之家。",
        "Your volunteering is suspended: you cannot sign up now. Contact the youth center.",
    ),
    "m.refused.other": (
        "没能完成，请刷新页面后再试。",
        "That did not work: reload the page and try again.",
    ),
    "m.sign_ups.none": ("您还没有报名活动。", "You have not signed up for anything yet."),
    "m.hours.this_week": ("本周时长", "This week"),
    "m.hours.balance": ("累计服务时长 {total}", "{total} in all"),
    "m.hours.by_period": ("按周、月、年查看", "Per week, month and year"),
    "m.hours.weeks": ("每周", "Weeks"),
    "m.hours.months": ("每月", "Months"),
    "m.hours.years": ("每年", "Years"),
    "m.hours.lines": ("时长明细", "Line by line"),
    "m.hours.none": ("还没有服务时长记录。", "No hours recorded yet."),
    "m.unknown_activity": ("（活动）", "(activity)"),
    "m.kind.credit": ("签到签退", "Scanned in and out"),
    "m.kind.auto_closed": ("未签退，按结束时间计", "No check-out: counted to the end"),
    "m.kind.added_by_staff": ("工作人员补录", "Added by staff"),
    "m.kind.adjustment": ("工作人员更正", "Corrected by staff"),
    "m.line.title": ("时长说明", "About this line"),
    "m.line.summary": (
        "{kind}：{minutes}，之后累计 {balance}。",
        "{kind}: {minutes}; {balance} in all after it.",
    ),
    "m.line.why": ("这条记录是怎么来的", "How this line came about"),
    "m.line.reason": ("原因：{reason}", "Reason: {reason}"),
    "m.line.back": ("返回我的时长", "Back to my hours"),
    "m.explain.checked_in": ("{at} 您扫码签到。", "{at} you scanned in."),
    "m.explain.checked_out": (
        "{at} 您扫码签退，计入 {minutes}（按活动时间计算，含宽限）。",
        "{at} you scanned out: {minutes} credited (within the activity's times, with the grace).",
    ),
    "m.explain.auto_closed": (
        "您没有签退，{at} 系统按活动结束时间自动结束，计入 {minutes}。",
        "You did not scan out: at {at} it was closed at the activity's end, {minutes} credited.",
    ),
    "m.explain.added_by_staff": (
        "{at} 工作人员 {staff} 为您补录 {minutes}，原因：{reason}",
        "{at} {staff} (staff) added {minutes} for you. Reason: {reason}",
    ),
    "m.explain.adjusted": (
        "{at} 工作人员 {staff} 更正 {minutes}，原因：{reason}",
        "{at} {staff} (staff) corrected it by {minutes}. Reason: {reason}",
    ),
    "m.explain.other": ("{at} 记录了一项变更。", "{at} a change was recorded."),
    "m.staff_unknown": ("（工作人员）", "(staff)"),
    "m.when": ("{month}{day}日 {weekday} {time}", "{weekday} {day} {month} {time}"),
    "m.day": ("{month}{day}日 {weekday}", "{weekday} {day} {month}"),
    "m.hours_minutes": ("{hours}小时{minutes}分", "{hours} h {minutes} min"),
    "m.hours": ("{hours}小时", "{hours} h"),
    "m.minutes": ("{minutes}分钟", "{minutes} min"),
    "m.weekday.0": ("周一", "Mon"),
    "m.weekday.1": ("周二", "Tue"),
    "m.weekday.2": ("周三", "Wed"),
    "m.weekday.3": ("周四", "Thu"),
    "m.weekday.4": ("周五", "Fri"),
    "m.weekday.5": ("周六", "Sat"),
    "m.weekday.6": ("周日", "Sun"),
    "m.month.1": ("1月", "Jan"),
    "m.month.2": ("2月", "Feb"),
    "m.month.3": ("3月", "Mar"),
    "m.month.4": ("4月", "Apr"),
    "m.month.5": ("5月", "May"),
    "m.month.6": ("6月", "Jun"),
    "m.month.7": ("7月", "Jul"),
    "m.month.8": ("8月", "Aug"),
    "m.month.9": ("9月", "Sep"),
    "m.month.10": ("10月", "Oct"),
    "m.month.11": ("11月", "Nov"),
    "m.month.12": ("12月", "Dec"),
    # --- center desk ---
    "desk.crumbs": ("位置", "You are here"),
    "desk.choose": ("请选择要管理的青年之家。", "Choose the youth center to work on."),
    "desk.no_center": (
        "您的账号还没有分配到任何青年之家。",
        "Your account is not assigned to any youth center yet.",
    ),
    "desk.post": ("发布活动", "Post an activity"),
    "desk.post_submit": ("发布", "Post"),
    "desk.at_center": (
        "活动在本青年之家举行，签到范围为青年之家的范围。",
        "The activity takes place at the center, within the center's check-in area.",
    ),
    "desk.done.posted": ("活动已发布。", "The activity has been posted."),
    "desk.done.changed": ("活动信息已修改。", "The activity has been changed."),
    "desk.done.cancelled": (
        "活动已取消，已报名的志愿者会看到取消原因。",
        "The activity has been cancelled; volunteers who signed up see the reason.",
    ),
    "desk.done.corrected": (
        "服务时长已更正，并记入志愿者的时长明细。",
        "The minutes have been corrected and added to the volunteer's ledger.",
    ),
    "desk.phase.running": ("进行中", "Running"),
    "desk.phase.upcoming": ("即将开始", "Upcoming"),
    "desk.phase.past": ("已结束", "Past"),
    "desk.none.running": ("现在没有进行中的活动。", "No activity is running now."),
    "desk.none.upcoming": ("还没有即将开始的活动。", "No activity is coming up."),
    "desk.none.past": ("最近六周没有已结束的活动。", "No activity ended in the last six weeks."),
    "desk.none.attended": ("还没有人签到。", "Nobody has checked in yet."),
    "desk.none.signed_up": ("还没有人报名。", "Nobody has signed up yet."),
    "desk.none.waiting": ("候补名单是空的。", "The waiting list is empty."),
    "desk.past_window": ("已结束的活动只列出最近六周的。", "Past activities: the last six weeks."),
    "desk.cancelled": ("已取消", "Cancelled"),
    "desk.figures": (
        "已报名 {signed_up} 人 · 候补 {waiting} 人",
        "{signed_up} signed up · {waiting} waiting",
    ),
    "desk.capacity_of": ("名额 {capacity}", "{capacity} places"),
    "desk.capacity_none": ("不限名额", "No limit"),
    "desk.field.title": ("活动名称", "Title"),
    "desk.field.category": ("类别", "Category"),
    "desk.field.starts_at": ("开始时间", "Starts"),
    "desk.field.ends_at": ("结束时间", "Ends"),
    "desk.field.capacity": ("名额（不填为不限）", "Places (empty: no limit)"),
    "desk.field.description": ("活动说明", "Description"),
    "desk.field.sign_up_required": ("须先报名才能签到", "Volunteers must sign up to check in"),
    "desk.field.location_required": (
        "签到时须在活动地点（定位）",
        "Check-in needs the phone's location at the venue",
    ),
    "desk.field.reason": ("原因", "Reason"),
    "desk.field.minutes": ("增减分钟数", "Minutes to add or remove"),
    "desk.change": ("修改或取消活动", "Change or cancel the activity"),
    "desk.change_note": (
        "只有改动过的内容会被提交。增加名额时，候补的志愿者按先后自动递补。",
        "Only what you change is sent. Raising the places moves volunteers up from the "
        "waiting list, first come first served.",
    ),
    "desk.change_submit": ("保存修改", "Save the changes"),
    "desk.change_or_cancel": ("修改 / 取消", "Change / cancel"),
    "desk.cancel": ("取消活动", "Cancel the activity"),
    "desk.cancel_note": (
        "取消后不能恢复；请写明原因，已报名的志愿者会看到。",
        "A cancellation cannot be undone. Give the reason: volunteers who signed up will see it.",
    ),
    "desk.cancel_submit": ("确认取消活动", "Cancel the activity"),
    "desk.already_cancelled": (
        "该活动已取消（原因：{reason}）。",
        "This activity was cancelled ({reason}).",
    ),
    "desk.cancel_reason": ("取消原因", "Why cancelled"),
    "desk.venue": ("打开现场签到屏", "Open the venue screen"),
    "desk.when": ("时间", "When"),
    "desk.places": ("报名", "Places"),
    "desk.roster_file": ("下载签到表：", "Download the roster:"),
    "desk.phones_masked": (
        "为保护个人信息，手机号只显示前三位和后四位。",
        "To protect personal data, phone numbers show only their first three and last four digits.",
    ),
    "desk.attended": ("到场签到", "Attendance"),
    "desk.signed_up": ("已报名", "Signed up"),
    "desk.waiting": ("候补名单", "Waiting list"),
    "desk.withdrawn": ("已取消报名", "Withdrew"),
    "desk.roster_cut": (
        "名单太长，只显示前 2000 人。",
        "The list is long: only the first 2,000 are shown.",
    ),
    "desk.unknown_name": ("（刚注册，姓名稍后显示）", "(just registered; name shown shortly)"),
    "desk.col.volunteer": ("志愿者", "Volunteer"),
    "desk.col.in": ("签到", "In"),
    "desk.col.out": ("签退", "Out"),
    "desk.col.minutes": ("计入时长（分钟）", "Credited (minutes)"),
    "desk.col.correct": ("更正", "Correct"),
    "desk.col.signed_up_at": ("报名时间", "Signed up at"),
    "desk.col.here": ("到场", "Came"),
    "desk.col.place": ("顺位", "Place"),
    "desk.here": ("已到场", "Came"),
    "desk.still_in": ("尚未签退", "Still in"),
    "desk.auto_closed": ("（未签退，按结束时间）", "(no check-out: closed at the end)"),
    "desk.added_by_staff": ("补录", "Added by staff"),
    "desk.minutes_split": (
        "扫码 {scan} · 更正 {adjusted}",
        "scans {scan} · corrections {adjusted}",
    ),
    "desk.correct": ("更正时长", "Correct minutes"),
    # A staff line on the roster: its minutes, then why, who and when.
    "desk.staff_line.adjustment": ("更正 {minutes} 分钟", "Corrected {minutes} min"),
    "desk.staff_line.added_by_staff": ("补录 {minutes} 分钟", "Added {minutes} min"),
    "desk.staff_line.by": ("{who}于 {when} 填写", "by {who}, {when}"),
    "desk.staff_line.colleague": ("其他工作人员", "another staff member"),
    "desk.staff_lines": ("更正记录", "Corrections"),
    "desk.correct_after_close": ("签退后可更正", "Can be corrected once closed"),
    "desk.add_minutes": ("补录时长", "Add minutes"),
    "desk.correct_submit": ("提交更正", "Save the correction"),
    "desk.minutes_hint": ("如 30 或 -15", "e.g. 30 or -15"),
    "desk.reason_hint": (
        "如：扫码时手机没电，现场核实到场",
        "e.g. phone battery was flat; seen on site",
    ),
    "desk.unreadable": (
        "“{field}”填写的格式不对，请重新填写。",
        "“{field}” is not in a form we can read: please fill it in again.",
    ),
    "desk.invalid": ("“{field}”填写有误：{message}", "“{field}”: {message}"),
    "desk.refused": ("操作未能完成。", "This could not be done."),
    # The categories activities are posted under so far (a category is free text:
    # one not named here is shown as it was typed).
    "desk.category.choose": ("请选择类别", "Choose a category"),
    "desk.category.other": ("其他（在下面填写）", "Other (type it below)"),
    "desk.category.other_label": ("其他类别", "Other category"),
    "desk.category.other_hint": ("选“其他”时填写，例如：体育健身", "When “Other”: e.g. sports"),
    "desk.category.environment": ("环境保护", "Environment"),
    "desk.category.elderly": ("扶老助残", "Elderly and disabled"),
    "desk.category.culture": ("文化阅读", "Culture and reading"),
    "desk.category.traffic": ("文明交通", "Traffic safety"),
    "desk.category.education": ("课业辅导", "Tutoring"),
    "desk.category.publicity": ("宣传教育", "Public awareness"),
    # --- weekly dispatch ---
    "dispatch.shared": ("{year} 年 {month} 月心得交流", "Posts shared in {year}-{month}"),
    "dispatch.shared_written": ("发布篇数", "Written"),
    "dispatch.shared_gone": ("其中撤回或隐藏", "Of them withdrawn or hidden"),
    "dispatch.no_shared": ("本月还没有人发布心得。", "Nobody has shared a post this month."),
    "dispatch.shared_read": ("查看辖区心得", "Read the posts of this unit and below"),
    "dispatch.choose_unit": ("请选择要查看的组织。", "Choose the unit to look at."),
    "dispatch.no_units": ("还没有可查看的组织。", "There is no unit to look at yet."),
    "dispatch.weeks": ("选择周次", "Choose the week"),
    "dispatch.previous_week": ("上一周", "Previous week"),
    "dispatch.next_week": ("下一周", "Next week"),
    "dispatch.this_week": ("回到本周", "Back to this week"),
    "dispatch.other_unit": ("换一个组织", "Another unit"),
    "dispatch.week_of": ("{week}（{first} 至 {last}）", "{week} ({first} to {last})"),
    "dispatch.week_label": ("{year}年第{number}周", "Week {number} of {year}"),
    "period.week": ("{year}年第{number}周", "Week {number} of {year}"),
    "period.month": ("{year}年{number}月", "{year}-{number:02d}"),
    "dispatch.cadres": ("团干部", "Cadres"),
    "dispatch.status": ("状态", "Status"),
    "dispatch.status.met": ("达标", "Met"),
    "dispatch.status.on_track": ("进行中", "On track"),
    "dispatch.status.behind": ("落后", "Behind"),
    "dispatch.status.missed": ("未达标", "Missed"),
    "dispatch.share_met": ("达标率", "Share met"),
    "dispatch.share_by_unit": ("各单位达标率", "Share met by unit"),
    "dispatch.trend": ("近 {weeks} 周达标率", "Share met over {weeks} weeks"),
    "dispatch.standings": ("“8+4”落实情况", '"8+4" standing'),
    "dispatch.cadre": ("团干部", "Cadre"),
    "dispatch.unit": ("单位", "Unit"),
    "dispatch.visits_days": ("走访·天数", "Visits · days"),
    "dispatch.reasons": ("原因", "Why"),
    "dispatch.still_needed": (
        "还需走访 {visits} 次、在岗 {days} 天",
        "to go: visits {visits}, days on site {days}",
    ),
    "dispatch.own_level": ("{name}（本级）", "{name} (own level)"),
    "dispatch.week_running": (
        "这一周尚未结束：达标率仍会上升，趋势图只画已结束的周。",
        "This week is not over: its share met will still rise; the trend plots finished "
        "weeks only.",
    ),
    "dispatch.still_needed_either": (
        "还需走访 {visits} 次或在岗 {days} 天（满足其一即可）",
        "to go: visits {visits} or days on site {days} (either will do)",
    ),
    "dispatch.workdays_left": ("剩余 {days} 个工作日", "{days} workdays left"),
    "dispatch.reason.not-ended": ("走访未结束", "visit not ended"),
    "dispatch.reason.not-proven-on-site": ("未证明在现场", "not proven on site"),
    "dispatch.reason.not-assigned-point": ("非联系点", "not an assigned point"),
    "dispatch.reason.too-short": ("时长不足", "too short"),
    "dispatch.reason.same-day": ("同日重复", "same day as another"),
    "dispatch.no_cadres": ("这里没有团干部。", "There are no cadres here."),
    "dispatch.centers": ("青年之家本周活动", "Youth centers this week"),
    "dispatch.center": ("青年之家", "Youth center"),
    "dispatch.held": ("举办", "Held"),
    "dispatch.check_ins": ("签到", "Check-ins"),
    "dispatch.volunteers": ("志愿者（人）", "Volunteers (people)"),
    "dispatch.volunteers_note": (
        "志愿者为到场的不同人数（含工作人员补录的），同一人多次到场只计一次："
        "合计不等于各行相加，也可能多于签到人次。",
        "Volunteers are the different people who came (those added by the staff too), each "
        "counted once however often they came: the total is not the sum of the rows, and "
        "may exceed the check-ins.",
    ),
    "dispatch.hours": ("时长（小时）", "Hours"),
    "dispatch.total": ("合计", "Total"),
    "dispatch.no_centers": ("这里没有青年之家。", "There are no youth centers here."),
    "dispatch.open_problems": ("待办问题（{count}）", "Open problems ({count})"),
    "dispatch.days_open": ("已 {days} 天", "{days} days open"),
    "dispatch.reopened": ("重开 {times} 次", "reopened {times} times"),
    "dispatch.no_problems": ("没有待办问题。", "No open problems."),
    "dispatch.bulletin": ("{year}年{month}月通报", "Bulletin for {year}-{month}"),
    "dispatch.download_xlsx": ("下载表格（XLSX）", "Download spreadsheet (XLSX)"),
    "dispatch.download_pdf": ("下载 PDF", "Download PDF"),
    "dispatch.kind.full_time": ("专职", "Full-time"),
    "dispatch.kind.seconded": ("挂职", "Seconded"),
    "dispatch.kind.part_time": ("兼职", "Part-time"),
    "dispatch.counted": (
        "本周计入走访 {visits} 次、在岗 {days} 天。",
        "This week: {visits} visits and {days} days on site counted.",
    ),
    "dispatch.visits": ("本周走访", "Visits this week"),
    "dispatch.a_point": ("联系点", "A grassroots point"),
    "dispatch.visit_counted": ("计入", "Counted"),
    "dispatch.youths_met": ("联系青年：{names}", "Youths met: {names}"),
    "dispatch.no_visits": ("本周没有走访。", "No visits this week."),
    "dispatch.problems": ("反映的问题", "Problems raised"),
    # The cadre's words (cadre.problem_state.*): both sides say the same.
    "dispatch.problem_state.open": ("待答复", "open"),
    "dispatch.problem_state.answered": ("已答复", "answered"),
    "dispatch.problem_state.closed": ("已办结", "closed"),
    "dispatch.no_cadre_problems": (
        "没有待办或本周反映的问题。",
        "No open problems and none raised this week.",
    ),
    "dispatch.back": ("返回周调度", "Back to the dispatch"),
    "dispatch.loading": ("正在加载…", "Loading…"),
    "dispatch.problem_cadre": ("提出人本周情况", "raiser's week"),
    # --- a problem's page (问题反馈) ---
    "problem.unit": ("交办单位", "Routed to"),
    "problem.raised_by": ("提出人", "Raised by"),
    "problem.raised_at": ("提出时间", "Raised"),
    "problem.visit": ("走访", "Visit"),
    "problem.visit_started": ("{at} 开始", "started {at}"),
    "problem.on_a_visit": ("走访中提出", "Raised on a visit"),
    "problem.no_visit": ("不是在走访中提出的", "Not raised on a visit"),
    "problem.description": ("具体情况", "What is wrong"),
    "problem.answers": ("答复（{count}）", "Answers ({count})"),
    "problem.reopenings": ("提出人重新打开", "Reopened by the one who raised it"),
    "problem.no_answers": ("还没有答复。", "No answer yet."),
    "problem.someone": ("（账号已删除）", "(account removed)"),
    "problem.answer_write": ("答复内容", "Your answer"),
    "problem.answer_save": ("提交答复", "Send the answer"),
    "problem.close_hint": (
        "问题已解决、答复已说清楚，就可以办结；提出人不满意时可以重新打开。",
        "Close it once it is dealt with and the answer says so; the raiser may reopen it.",
    ),
    "problem.close": ("办结", "Close it"),
    "problem.reopen_title": ("重新打开", "Reopen"),
    "problem.reopen_hint": (
        "问题没有解决？写明原因，问题会重新交给单位答复。",
        "Not solved? Say why, and the problem goes back to the unit to answer.",
    ),
    "problem.reopen_reason": ("原因", "Reason"),
    "problem.reopen": ("重新打开", "Reopen it"),
    "problem.done.answered": ("答复已提交。", "The answer was sent."),
    "problem.done.closed": ("问题已办结。", "The problem is closed."),
    "problem.done.reopened": (
        "问题已重新打开，等待答复。",
        "The problem is open again and awaits an answer.",
    ),
    "problem.back_dispatch": ("返回周调度", "Back to the dispatch"),
    "problem.back_visit": ("返回走访", "Back to the visit"),
    "problem.back_cadre": ("返回我的走访", "Back to my visits"),
    # --- the cadre's phone ---
    "share.title": ("心得交流", "Experience sharing"),
    "share.write": ("写心得", "Write a post"),
    "share.reaching_me": ("大家的心得", "Posts for me"),
    "share.mine": ("我的心得", "My posts"),
    "share.featured": ("精选", "Featured"),
    "share.withdrawn": ("已撤回", "Withdrawn"),
    "share.hidden": ("已隐藏", "Hidden"),
    "share.hidden_because": ("已被上级隐藏：{reason}", "Hidden by a supervisor: {reason}"),
    "share.counts": (
        "评论 {comments} · 点赞 {likes} · 图片 {photos}",
        "{comments} comments · {likes} likes · {photos} photos",
    ),
    "share.none": ("还没有心得，写下第一篇吧。", "No posts yet: write the first."),
    "share.none_mine": ("您还没有写过心得。", "You have not written a post yet."),
    "share.as": ("发布身份", "Write as"),
    "share.as_cadre": ("团干部本人", "Myself, as a cadre"),
    "share.as_center": ("所在青年之家", "For my youth center"),
    "share.post_title": ("标题", "Title"),
    "share.post_text": ("正文", "Text"),
    "share.text_hint": (
        "纯文字，空一行分段；发布后可以添加图片。",
        "Plain text; a blank line between paragraphs. Add photos once it is published.",
    ),
    "share.publish": ("发布", "Publish"),
    "share.edited": ("第 {versions} 版 · {at}", "version {versions} · {at}"),
    "share.photo_alt": ("图片 {n}", "Photo {n}"),
    "share.add_photo": (
        "添加图片（JPEG、PNG 或 WebP，2 MB 以内）",
        "Add a photo (JPEG, PNG or WebP, up to 2 MB)",
    ),
    "share.upload": ("上传", "Upload"),
    "share.like": ("点赞（{likes}）", "Like ({likes})"),
    "share.unlike": ("取消点赞（{likes}）", "Unlike ({likes})"),
    "share.comments": ("评论（{count}）", "Comments ({count})"),
    "share.comment_write": ("写评论", "Write a comment"),
    "share.comment_save": ("发表评论", "Comment"),
    "share.withdraw": ("撤回这篇心得", "Withdraw this post"),
    "share.edit": ("修改", "Edit"),
    "share.edit_title": ("修改心得", "Edit the post"),
    "share.edit_hint": (
        "保存后成为新的版本，原来的版本会保留。",
        "Saving makes a new version; the earlier ones are kept.",
    ),
    "share.save": ("保存修改", "Save"),
    "share.edited_mark": ("已编辑", "Edited"),
    "share.back_to_post": ("返回这篇心得", "Back to the post"),
    "share.subtree": ("{unit}及下级的心得", "Posts of {unit} and below"),
    "share.supervised": ("我所辖单位的心得：", "Posts of the units I supervise:"),
    "share.choose_unit": ("请选择要查看的单位。", "Choose the unit to look at."),
    "share.no_units": ("还没有可查看的单位。", "There is no unit to look at yet."),
    "share.none_unit": ("这里还没有心得。", "No posts here yet."),
    "share.back_dispatch": ("返回周调度", "Back to the dispatch"),
    "share.supervise": ("上级管理", "For supervisors"),
    "share.feature": ("设为精选", "Feature"),
    "share.unfeature": ("取消精选", "Stop featuring"),
    "share.feature_hint": (
        "精选的心得在您所辖单位的列表中排在最前。",
        "A featured post comes first in the lists of the units you supervise.",
    ),
    "share.hide_reason": ("隐藏原因（必填，会被记录）", "Why hide it (required, recorded)"),
    "share.hide": ("隐藏这篇心得", "Hide this post"),
    "share.hide_hint": (
        "隐藏后，除作者和上级外没人能看到；作者会看到原因。",
        "Once hidden only the author and supervisors see it; the author sees the reason.",
    ),
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
    "cadre.missed_either": (
        "这一期已结束，还差走访 {visits} 次或 {days} 天（满足其一即可）。",
        "This period is over: {visits} visit(s) or {days} day(s) short (either would have done).",
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
    "cadre.not_assigned_before": (
        "这个联系点不是分配给您的：可以开始走访并记录，但不计入“8+4”。请确认是否扫错了码。",
        "This point is not one of yours: the visit will be recorded but will not count toward "
        '"8+4". Check you scanned the right code.',
    ),
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
    "cadre.end_short": (
        "本次走访已进行 {elapsed} 分钟，不足 {minimum} 分钟：现在结束，这次走访不计入“8+4”。",
        "This visit has lasted {elapsed} minutes, under the {minimum} that count: ended now, "
        'it will not count toward "8+4".',
    ),
    "cadre.end_anyway": ("仍要结束走访", "End it anyway"),
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
    "cadre.go_to_under_way": ("去结束那次走访", "Go to that visit"),
    "cadre.refused.visit_under_way": (
        "您在另一个联系点的走访还未结束。请先回到“我的走访”结束它，再开始新的走访。",
        "Your visit at another point is still under way. End it first (My visits), then "
        "start a new one.",
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
    # --- the volunteer's certificate ---
    "m.certificate.title": ("开具志愿服务证明", "Certificate of service"),
    "m.certificate.about": (
        "选择期间，列出其间参加的活动和认定的服务时长。证明带有二维码，任何人扫码即可核验真伪。",
        "Choose a period: the certificate lists the activities you served in and the hours "
        "credited. Its QR code lets anyone check that it is genuine.",
    ),
    "m.certificate.from": ("开始日期", "From"),
    "m.certificate.to": ("结束日期", "To"),
    "m.certificate.issue": ("开具证明", "Issue the certificate"),
    "m.certificate.bad_dates": ("请填写开始和结束日期。", "Fill in both dates."),
    "m.certificate.issued": ("证明已开具，编号 {serial}", "Certificate {serial} issued"),
    "m.certificate.summary": (
        "{start} 至 {end}，共 {count} 项活动，{hours} 小时。",
        "{start} to {end}: {count} activities, {hours} hours.",
    ),
    "m.certificate.download": ("下载 PDF", "Download the PDF"),
    "m.certificate.verify_hint": ("核验页面：", "Check page:"),
    "m.certificate.list": ("已开具的证明", "Certificates issued"),
    "m.certificate.none": ("还没有开具过证明。", "No certificate issued yet."),
    "m.certificate.period": ("{start} 至 {end}", "{start} to {end}"),
    "m.certificate.totals": ("{count} 项活动，共 {total}", "{count} activities, {total} in all"),
    "m.certificate.issued_on": ("{day} 开具 · 编号 {serial}", "Issued {day} · {serial}"),
    "m.certificate.check": ("核验页面", "Check page"),
    "admin.crumbs": ("位置", "You are here"),
    "admin.organisation": ("组织架构", "Organisation"),
    "admin.accounts": ("账号", "Accounts"),
    "admin.regions": ("顶层单位", "Top-level units"),
    "admin.no_regions": (
        "还没有任何单位。先建立顶层单位（如自治区或省团委），再逐级添加下级单位。",
        "There is no unit yet. Start with the top-level unit (a region), then add the "
        "units below it level by level.",
    ),
    "admin.new_region": ("新建顶层单位", "New top-level unit"),
    "admin.new_region_submit": ("建立", "Create"),
    "admin.level.region": ("自治区/省", "Region"),
    "admin.level.city": ("市", "City"),
    "admin.level.county": ("县区", "County"),
    "admin.level.township": ("乡镇街道", "Township"),
    "admin.level.village": ("村社区", "Village or community"),
    "admin.time_zone_default": (
        "不填则使用本服务的时区 {zone}。",
        "Left empty, the server's time zone {zone} is used.",
    ),
    "admin.children": ("下级单位", "Units below"),
    "admin.no_children": ("还没有下级单位。", "No unit below yet."),
    "admin.more_children": (
        "只列出前 {count} 个下级单位。",
        "Only the first {count} units below are listed.",
    ),
    "admin.new_child": ("添加下级单位（{level}）", "Add a unit below ({level})"),
    "admin.new_child_submit": ("添加", "Add"),
    "admin.lowest": (
        "村社区是最低一级，下面不再设单位。",
        "A village or community is the lowest level: no unit goes below it.",
    ),
    "admin.centers": ("青年之家", "Youth centers"),
    "admin.no_centers": ("本单位还没有登记青年之家。", "No youth center is registered here yet."),
    "admin.more_centers": (
        "只列出前 {count} 个青年之家。",
        "Only the first {count} youth centers are listed.",
    ),
    "admin.center_closed": ("已关闭", "Closed"),
    "admin.new_center": ("登记青年之家", "Register a youth center"),
    "admin.new_center_submit": ("登记", "Register"),
    "admin.location_hint": (
        "经纬度用于签到时的位置核验（WGS-84，小数度数，例如 40.8426、111.7492）。",
        "The position is what check-ins are checked against (WGS-84 decimal degrees, "
        "e.g. 40.8426, 111.7492).",
    ),
    "admin.unit_accounts": ("本单位的账号", "Accounts here"),
    "admin.no_unit_accounts": (
        "还没有人在本单位或其青年之家担任工作人员或督导。",
        "No one is staff or supervisor here or at its youth centers yet.",
    ),
    "admin.give_role": ("添加工作人员或督导", "Add staff or a supervisor"),
    "admin.give_role_top": (
        "添加工作人员、督导或管理员",
        "Add staff, a supervisor or an administrator",
    ),
    "admin.give_role_hint": (
        "手机号已有账号的，直接为该账号添加所选身份，姓名和密码保持不变；"
        "没有账号的，用所填姓名和初始密码开设新账号，请当面告知本人并提醒其登录后修改密码。",
        "A number that has an account gets the role added, its name and password "
        "unchanged; a new number gets a new account with the name and first password "
        "given here: tell the person in person and ask them to change it.",
    ),
    "admin.give_role_submit": ("添加", "Add"),
    "admin.role_choose": ("请选择身份", "Choose a role"),
    "admin.role_of": ("{role}：{place}", "{role}: {place}"),
    "admin.role_everywhere": ("{role}（全部组织）", "{role} (every unit)"),
    "admin.unchosen.role": ("请选择要添加的身份。", "Choose the role to give."),
    "admin.unchosen.kind": ("请选择团干部类别。", "Choose the kind of cadre."),
    "admin.unchosen.point_ids": (
        "只能选择本单位正在使用的联系点。",
        "Choose only this unit's points in use.",
    ),
    "admin.unchosen.center_id": (
        "只能选择本单位正在开放的青年之家。",
        "Choose only one of this unit's open youth centers.",
    ),
    "admin.points": ("基层联系点", "Grassroots points"),
    "admin.no_points": ("本单位还没有设立联系点。", "No grassroots point here yet."),
    "admin.point_retired": ("已撤销", "Retired"),
    "admin.point_at": ("位于 {center}", "At {center}"),
    "admin.new_point": ("设立联系点", "Designate a grassroots point"),
    "admin.new_point_submit": ("设立", "Designate"),
    "admin.point_place_hint": (
        "设在青年之家的联系点沿用它的位置和签到范围；"
        "不在青年之家的，请填写经纬度（默认范围 300 米）。",
        "A point at a youth center takes the center's position and radius; elsewhere, "
        "give its position (radius 300 m unless given).",
    ),
    "admin.not_at_center": ("不在青年之家", "Not at a youth center"),
    "admin.cadres": ("团干部", "Cadres"),
    "admin.no_cadres": ("本单位还没有登记团干部。", "No cadre is registered here yet."),
    "admin.cadre_points": ("联系点：{points}", "Points: {points}"),
    "admin.cadre_no_points": ("未分配联系点", "No point assigned"),
    "admin.new_cadre": ("登记团干部", "Register a cadre"),
    "admin.new_cadre_submit": ("登记", "Register"),
    "admin.new_cadre_hint": (
        "团干部用手机号登录，扫联系点的码开始走访。手机号已有账号的，为该账号添加团干部身份；"
        "没有的，用所填姓名和初始密码开设新账号。",
        "A cadre logs in by phone number and scans a point's code to start a visit. A "
        "number that has an account gets the cadre role added; a new number gets a new "
        "account with the name and first password given here.",
    ),
    "admin.no_points_to_assign": (
        "本单位及下级单位还没有可分配的联系点。",
        "There is no active point in or below this unit to assign.",
    ),
    "admin.field.kind": ("类别", "Kind"),
    "admin.field.points": ("联系点", "Points"),
    "admin.field.at_center": ("所在青年之家", "At a youth center"),
    "admin.field.name": ("名称", "Name"),
    "admin.field.person": ("姓名", "Name"),
    "admin.field.address": ("地址", "Address"),
    "admin.field.location": ("位置（经纬度）", "Position"),
    "admin.field.lat": ("纬度", "Latitude"),
    "admin.field.lon": ("经度", "Longitude"),
    "admin.field.radius": ("签到范围（米）", "Check-in radius (metres)"),
    "admin.field.phone": ("手机号", "Phone number"),
    "admin.field.password": ("初始密码（至少 8 位）", "First password (8 or more characters)"),
    "admin.field.reason": ("原因", "Reason"),
    "admin.field.time_zone": ("时区", "Time zone"),
    "admin.field.role": ("身份", "Role"),
    "admin.invalid": ("{field}：{message}", "{field}: {message}"),
    "admin.done.region": ("顶层单位已建立。", "The top-level unit is created."),
    "admin.done.unit": ("下级单位已添加。", "The unit is added."),
    "admin.done.center": ("青年之家已登记。", "The youth center is registered."),
    "admin.done.point": ("联系点已设立。", "The grassroots point is designated."),
    "admin.done.created": (
        "账号已开设。请把初始密码当面告知本人。",
        "The account is opened. Give its first password to the person in person.",
    ),
    "admin.done.granted": (
        "该手机号已有账号，已为其添加身份。",
        "That number already had an account: the role is added to it.",
    ),
    "admin.done.revoked": ("已取消该身份。", "The role is taken away."),
    "admin.done.disabled": (
        "账号已停用，它的登录已全部失效。",
        "The account is disabled; every session of it has ended.",
    ),
    "admin.close_center": ("关闭", "Close"),
    "admin.close_center_submit": ("关闭青年之家", "Close the youth center"),
    "admin.close_center_hint": (
        "关闭后不能再发布新活动；已发布的活动照常进行（不办的请在工作台取消），已计入的志愿时长不变。",
        "It posts no new activity; those already posted go ahead (cancel them on the desk "
        "if they will not), and the hours served stay counted.",
    ),
    "admin.rename": ("改名", "Rename"),
    "admin.rename_submit": ("保存名称", "Save the name"),
    "admin.rename_hint": (
        "改名后，各处名单、报表和页面（包括以往各周）都显示新名称。",
        "Every list, report and page names it by the new name, also for the weeks before.",
    ),
    "admin.done.renamed": ("单位名称已修改。", "The unit is renamed."),
    "admin.change_center": ("修改", "Change"),
    "admin.change_center_submit": ("保存修改", "Save the changes"),
    "admin.change_center_hint": (
        "已发布的活动仍按发布时的地点和签到范围进行；之后发布的活动默认用新的。",
        "Activities already posted keep the place and range they were posted with; "
        "those posted from now on start from the new ones.",
    ),
    "admin.move_point": ("移动", "Move"),
    "admin.move_point_submit": ("移动联系点", "Move the point"),
    "admin.move_point_hint": (
        "填写联系点的新位置；已有的走访不受影响，之后按新位置核验。",
        "Give the point's new place: visits already made stay as they were; the next "
        "are checked against the new place.",
    ),
    "admin.radius_kept": ("不填则不变", "unchanged if left empty"),
    "admin.done.center_changed": ("青年之家信息已修改。", "The youth center is changed."),
    "admin.done.point_moved": ("联系点已移动。", "The grassroots point is moved."),
    "admin.retire_point": ("撤销", "Retire"),
    "admin.retire_point_submit": ("撤销联系点", "Retire the point"),
    "admin.retire_point_hint": (
        "撤销后扫它的码不能再开始走访；已有的走访照旧计入。",
        "Its code starts no more visits; the visits made there stay counted.",
    ),
    "admin.change_points": ("调整联系点", "Change points"),
    "admin.change_points_submit": ("保存联系点", "Save the points"),
    "admin.done.center_closed": ("青年之家已关闭。", "The youth center is closed."),
    "admin.done.point_retired": ("联系点已撤销。", "The grassroots point is retired."),
    "admin.done.points_changed": ("团干部的联系点已调整。", "The cadre's points are changed."),
    "admin.done.enabled": ("账号已恢复使用。", "The account is enabled again."),
    "admin.accounts_open": ("查看、查找账号", "See and find accounts"),
    "admin.find": ("按手机号查找", "Find by phone number"),
    "admin.find_submit": ("查找", "Find"),
    "admin.not_found": ("没有手机号为 {phone} 的账号。", "No account has the number {phone}."),
    "admin.accounts_made": (
        "工作人员、团干部、督导和管理员的账号，新开设的在前。志愿者自己注册的账号不在此列，可按手机号查找。",
        "Accounts of staff, cadres, supervisors and administrators, newest first. "
        "Volunteers' own accounts are not listed here; find one by phone number.",
    ),
    "admin.no_accounts": ("还没有账号。", "No account yet."),
    "admin.column.name": ("姓名", "Name"),
    "admin.column.phone": ("手机号", "Phone"),
    "admin.column.roles": ("身份", "Roles"),
    "admin.column.opened": ("开设时间", "Opened"),
    "admin.column.state": ("状态", "State"),
    "admin.state.enabled": ("正常", "In use"),
    "admin.state.disabled": ("已停用", "Disabled"),
    "admin.next_page": ("下一页", "Next page"),
    "admin.first_page": ("回到第一页", "First page"),
    "admin.account": ("账号", "Account"),
    "admin.roles": ("身份", "Roles"),
    "admin.revoke": ("取消此身份", "Take this role away"),
    "admin.revoke_last": (
        "账号至少保留一个身份；不再需要的账号请停用。",
        "An account keeps at least one role; disable one no longer needed.",
    ),
    "admin.manage_at": ("到所在单位管理", "Manage at its unit"),
    "admin.add_role_hint": (
        "要添加身份，请到相应单位的页面，用此手机号添加。",
        "To give a role, open the unit's page and add this phone number there.",
    ),
    "admin.disable": ("停用账号", "Disable the account"),
    "admin.disable_hint": (
        "停用后此账号立即无法登录，已登录的设备也会退出。记录会保留，可随时恢复。",
        "A disabled account cannot log in, and its open sessions end at once. Its "
        "records stay; it can be enabled again at any time.",
    ),
    "admin.disable_submit": ("停用", "Disable"),
    "admin.disabled_because": ("已停用，原因：{reason}", "Disabled: {reason}"),
    "admin.enable_submit": ("恢复使用", "Enable"),
    "admin.own_account": (
        "这是您自己的账号：不能在这里停用它或取消它的管理员身份。",
        "This is your own account: it cannot be disabled, or lose its administrator role, here.",
    ),
    "admin.opened_at": ("开设于 {at}", "Opened {at}"),
    "admin.unknown_place": ("（记录未找到）", "(record not found)"),
}


def language_from(query: str | None, cookie: str | None) -> str:
    """The page's language: ``?lang=`` first, then the ``lang`` cookie, else Chinese."""
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    return DEFAULT_LANGUAGE


def period_label(t: Translate, period: str) -> str:
    """A period as people say it ("2026年第50周", "2026年3月"), not as the API writes it
    ("2026-W50", "2026-03"); a year stays as it is, and anything else is left alone."""
    year, dash_w, week = period.partition("-W")
    if dash_w and year.isdigit() and week.isdigit():
        return t("period.week", year=year, number=int(week))
    year, dash, month = period.partition("-")
    if dash and year.isdigit() and month.isdigit() and len(month) == 2:
        return t("period.month", year=year, number=int(month))
    return period


def translator(language: str) -> Translate:
    """``t(key, **fields)`` in ``language``; an unknown key raises (a bug, not a blank)."""
    index = LANGUAGES.index(language)

    def t(key: str, /, **fields: object) -> str:
        text = WORDS[key][index]
        return text.format(**fields) if fields else text

    return t
