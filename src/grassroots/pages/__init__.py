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

from grassroots.pages import (
    cadre,
    certificates,
    controllers,
    desk,
    dispatch,
    my_certificate,
    point_screen,
    pwa,
    register,
    scan,
    sharing,
    surveys,
    venue,
    volunteer,
)
from grassroots.pages.sessions import PageSessions

__all__ = ["PageSessions", "page_routes", "template_config"]

HERE = Path(__file__).parent
STATIC = HERE / "static"


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine)


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
    service_secret: bytes, *, secure: bool, session_lifetime: timedelta
) -> list[Router]:
    sessions = PageSessions(service_secret, secure=secure, lifetime=session_lifetime)
    pages = Router(
        path="/",
        route_handlers=[
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
            *sharing.ROUTES,
            *surveys.ROUTES,
        ],
        dependencies={"sessions": Provide(lambda: sessions, sync_to_thread=False)},
        middleware=[
            DefineMiddleware(CSRFMiddleware, config=csrf_config(service_secret, secure=secure))
        ],
        exception_handlers={
            NotFoundException: controllers.unknown_page,
            PermissionDeniedException: controllers.refused_form,
        },
        # Pages carry a cookie, not a bearer token: the token check skips them.
        opt={"public": True},
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
        ),
        # Our own files are asked for with ?v=<release>.
        create_static_files_router(
            path=controllers.STATIC_URL,
            directories=[STATIC],
            cache_control=CacheControlHeader(max_age=86400),
            include_in_schema=False,
        ),
    ]
