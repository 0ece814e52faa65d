"""The people's screens: server-rendered pages over the same application as the API.

``page_routes`` gives every page route, the pages' static files and their
CSRF protection; ``template_config`` the Jinja templates (package data under
``templates/``). Both are registered in ``grassroots.api.app.create_app``.
Design, routes and conventions: docs/pages.md.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader
from litestar.di import Provide
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from grassroots.api.problems import ApiProblem
from grassroots.api.rate_limits import PAGE_OPT
from grassroots.pages import (
    action_addresses,
    admin_accounts,
    administration,
    cadre,
    certificates,
    controllers,
    desk,
    dispatch,
    my_certificate,
    point_screen,
    problem_page,
    pwa,
    register,
    scan,
    sharing,
    surveys,
    venue,
    volunteer,
    waiting,
)
from grassroots.pages.held_scans import HeldScans
from grassroots.pages.sessions import PageSessions
from grassroots.pages.words import period_label

__all__ = ["PageSessions", "page_routes", "template_config"]

HERE = Path(__file__).parent
STATIC = HERE / "static"


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(
        directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=_globals
    )


def _globals(engine: JinjaTemplateEngine) -> None:
    # Used as period_label(t, "2026-W50") in any template.
    engine.engine.globals["period_label"] = period_label


def csrf_config(service_secret: bytes, *, secure: bool) -> CSRFConfig:
    """Double-submit tokens for every form of the pages (the API takes bearer tokens
    and is outside this router, so it never meets this check)."""
    secret = hmac.new(service_secret, b"grassroots page forms", hashlib.sha256).hexdigest()
    return CSRFConfig(
        secret=secret,
        cookie_name="__Host-csrftoken" if secure else "csrftoken",
        cookie_secure=secure,
        cookie_httponly=True,
        cookie_samesite="lax",
        cookie_path="/",
    )


def page_routes(
    service_secret: bytes,
    *,
    secure: bool,
    session_lifetime: timedelta,
    sessions: PageSessions | None = None,
) -> list[Router]:
    """Every page route; ``sessions`` are the page sessions the app also gives its
    rate limits (made here from the same secret when not given)."""
    if sessions is None:
        sessions = PageSessions(service_secret, secure=secure, lifetime=session_lifetime)
    given = sessions
    held = HeldScans(service_secret, secure=secure)
    pages = Router(
        path="/",
        # A GET on a POST-only page path leads to its form's page (not a 405 in JSON).
        route_handlers=action_addresses.with_get_twins(
            [
                *controllers.ROUTES,
                *pwa.ROUTES,
                *certificates.ROUTES,
                *desk.ROUTES,
                *dispatch.ROUTES,
                *scan.ROUTES,
                *venue.ROUTES,
                *register.ROUTES,
                *cadre.ROUTES,
                *volunteer.ROUTES,
                *my_certificate.ROUTES,
                *point_screen.ROUTES,
                *problem_page.ROUTES,
                *sharing.ROUTES,
                *surveys.ROUTES,
                *administration.ROUTES,
                *admin_accounts.ROUTES,
            ]
        ),
        dependencies={
            "sessions": Provide(lambda: given, sync_to_thread=False),
            "held_scans": Provide(lambda: held, sync_to_thread=False),
        },
        middleware=[
            DefineMiddleware(CSRFMiddleware, config=csrf_config(service_secret, secure=secure))
        ],
        exception_handlers={
            NotFoundException: controllers.unknown_page,
            PermissionDeniedException: controllers.refused_form,
            # A limit checked before the handler (rate limits): a page saying how
            # long to wait, never the API's problem JSON.
            ApiProblem: waiting.wait_page,
        },
        # Pages carry a cookie, not a bearer token: the token check skips them, and
        # the rate limits count a well-signed one against its account.
        opt={"public": True, PAGE_OPT: True},
        include_in_schema=False,
    )
    # A list, not one more Router around them: the framework copies a router
    # with all it holds each time it is registered, and a wrapper cost each app
    # a second copy of every page route.
    return [
        pages,
        # Vendored files carry their version in their folder's name: kept long.
        create_static_files_router(
            path=f"{controllers.STATIC_URL}/vendor",
            directories=[STATIC / "vendor"],
            cache_control=CacheControlHeader(max_age=30 * 86400),
            include_in_schema=False,
            opt={PAGE_OPT: True},
        ),
        # Our own files are asked for with ?v=<release>.
        create_static_files_router(
            path=controllers.STATIC_URL,
            directories=[STATIC],
            cache_control=CacheControlHeader(max_age=86400),
            include_in_schema=False,
            opt={PAGE_OPT: True},
        ),
    ]
