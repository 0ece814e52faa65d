"""The pages' routes: the first screen, log-in and log-out, and each role's screen."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots import __version__
from grassroots.api.accounts import LogIn, log_in_guarded
from grassroots.api.auth import Caller
from grassroots.api.context import ApiDep
from grassroots.api.problems import ApiProblem
from grassroots.application.errors import CredentialsRejected
from grassroots.demo import DEMO_PASSWORD, demo_accounts
from grassroots.domain.account import Role
from grassroots.pages.screens import SCREENS, Screen, screens_for
from grassroots.pages.sessions import SessionsDep
from grassroots.pages.vendor import vendored_scripts
from grassroots.pages.words import HTML_LANG, language_from, translator

__all__ = ["ROUTES", "STATIC_URL", "page", "refused_form", "unit_param", "unknown_page"]

STATIC_URL = "/static/pages"
LANG_COOKIE = "lang"


def language_of(request: Request[Any, Any, Any]) -> str:
    return language_from(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


def language_switch(request: Request[Any, Any, Any], other: str) -> str:
    """The language switch's link: this page in the other language. A GET keeps its
    other parameters (a dispatch's unit and week); a page answering a form's POST
    links its own address, whose GET leads to the form's page
    (``pages/action_addresses.py``), so it never re-sends the form."""
    kept = (
        [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        if request.method == "GET"
        else []
    )
    return f"{request.url.path}?{urlencode([*kept, ('lang', other)])}"


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    caller: Caller | None = None,
    status: int = 200,
    **context: Any,
) -> Template:
    """A page in the request's language, with what every layout needs."""
    language = language_of(request)
    roles = sorted({grant.role for grant in caller.grants}) if caller else []
    other_lang = "en" if language == "zh" else "zh"
    response = Template(
        template_name=template,
        context={
            "t": translator(language),
            "lang": language,
            "html_lang": HTML_LANG[language],
            "other_lang": other_lang,
            "switch_language": language_switch(request, other_lang),
            "caller": caller,
            "roles": roles,
            "static": STATIC_URL,
            "version": __version__,
            "vendor": vendored_scripts(),
            **context,
        },
        status_code=status,
        # Pages show a person's own records: no cache may keep them.
        headers={"Cache-Control": "no-store"},
    )
    if request.query_params.get("lang") == language:
        # The switch is remembered: the next page opens in the language chosen.
        response.set_cookie(
            LANG_COOKIE,
            language,
            max_age=365 * 86400,
            path="/",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="lax",
        )
    return response


def _safe_next(target: str | None) -> str:
    """Only a path on this server: never another site, not even ``//elsewhere``."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@get("/", name="home")
async def home(request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep) -> Template:
    caller = await sessions.caller(request, api.app)
    screens = screens_for(caller) if caller else []
    store = request.app.state.event_store_kind
    # A store loaded by `grassroots demo` says so, and offers its accounts; a real one
    # has no demo marker and lists nothing.
    demo = [] if caller else await api.read(None, demo_accounts, api.app)
    return page(
        request,
        "home.html",
        caller=caller,
        screens=screens,
        store=store,
        demo_accounts=demo,
        demo_password=DEMO_PASSWORD,
    )


@get("/login", name="log-in-form")
async def log_in_form(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    target = _safe_next(request.query_params.get("next"))
    if await sessions.caller(request, api.app) is not None:
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)
    # The first screen's demo list links here with the number filled in.
    hint = request.query_params.get("phone", "")
    phone = hint if hint.isdigit() and len(hint) <= 20 else ""
    return page(request, "login.html", next=target, phone=phone)


_REFUSALS = {429: "login.delayed", 503: "login.busy"}


@post("/login", name="log-in", opt={"rate": "log-in"})
async def log_in(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    target = _safe_next(form.get("next"))
    phone = str(form.get("phone", "")).strip()

    def again(error: str, status: int) -> Template:
        return page(request, "login.html", next=target, phone=phone, error=error, status=status)

    try:
        given = msgspec.convert({"phone": phone, "password": form.get("password", "")}, LogIn)
    except msgspec.ValidationError:
        # Both given, yet refused: the number is not a mobile number (too short, letters).
        filled = phone and str(form.get("password", ""))
        return again("login.phone_invalid" if filled else "login.incomplete", 400)
    try:
        issued = await log_in_guarded(api, given)
    except CredentialsRejected:
        return again("login.rejected", 401)
    except ApiProblem as refused:
        if refused.status_code not in _REFUSALS:
            raise
        return again(_REFUSALS[refused.status_code], refused.status_code)
    response = Redirect(target, status_code=HTTP_303_SEE_OTHER)
    response.set_cookie(sessions.cookie_for(issued.account.id, issued.session.id))
    return response


@post("/logout", name="log-out")
async def log_out(request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep) -> Redirect:
    caller = await sessions.caller(request, api.app)
    if caller is not None:
        # The same session record the API would end: its tokens stop working too.
        await api.write(caller.account_id, api.app.log_out, caller.session_id)
    response = Redirect("/", status_code=HTTP_303_SEE_OTHER)
    response.set_cookie(sessions.ended_cookie())
    return response


def _screen_route(screen: Screen) -> HTTPRouteHandler:
    async def show(
        request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
    ) -> Template | Redirect:
        caller = await sessions.caller(request, api.app)
        if caller is None:
            return Redirect(f"/login?next={quote(screen.path)}", status_code=HTTP_303_SEE_OTHER)
        if screen not in screens_for(caller):
            # Answered like a page that does not exist: a caller learns nothing
            # about screens that are not theirs.
            raise NotFoundException()
        role = screen.role if caller.has(screen.role) else Role.ADMINISTRATOR
        return page(request, f"screens/{screen.key}.html", caller=caller, screen=screen, role=role)

    show.__name__ = f"screen_{screen.key}"
    return get(screen.path, name=f"screen-{screen.key}")(show)


def unit_param(request: Request[Any, Any, Any]) -> UUID | None:
    """The org unit a page was asked for (``?unit=<id>``), or None; a malformed id is
    the missing page, as an unknown one is."""
    text = request.query_params.get("unit")
    if not text:
        return None
    try:
        return UUID(text)
    except ValueError:
        raise NotFoundException() from None


def unknown_page(request: Request[Any, Any, Any], _error: Exception) -> Response[Any]:
    # No session is read here (a handler of errors does not wait on the store): a
    # cookie this server signed is enough to offer the log-out it would need.
    sessions = request.app.state.get("page_sessions")
    signed_in = sessions is not None and sessions.account_of(request) is not None
    return page(request, "missing.html", status=404, signed_in=signed_in)


def refused_form(request: Request[Any, Any, Any], _error: Exception) -> Response[Any]:
    return page(request, "refused.html", status=403)


# Screens served by a module of their own (``pages/desk.py`` ...), not by the stand-in.
OWN_MODULE = frozenset({"admin", "cadre", "desk", "dispatch", "m"})

ROUTES = [
    home,
    log_in_form,
    log_in,
    log_out,
    *(_screen_route(s) for s in SCREENS if s.key not in OWN_MODULE),
]
