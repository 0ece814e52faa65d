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
        "See how the cadres of your area meet “8+4”.",
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
