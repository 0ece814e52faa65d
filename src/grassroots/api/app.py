"""The Litestar application, built by ``create_app`` (nothing is built at import)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, Request, Response
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Reference,
)
from litestar.stores.base import Store
from litestar.types import ControllerRouterHandler
from redis.asyncio import Redis

from grassroots import __version__
from grassroots.api import (
    activity_counts,
    cadres,
    centers,
    certificates,
    compliance,
    dispatch,
    organisation,
    problem_figures,
    roster_files,
    rule_sets,
    sharing,
    surveys,
    volunteering,
)
from grassroots.api.accounts import AccountController, SessionController
from grassroots.api.admin import AdminController
from grassroots.api.auth import jwt_auth, jwt_secret
from grassroots.api.bodies import (
    StrictRequest,
    document_closed_bodies,
    document_unsupported_media_type,
)
from grassroots.api.consistency import WrittenPositions
from grassroots.api.context import Api, ApiConfig
from grassroots.api.degrading import REDIS_ERRORS, RedisBreaker, redacted
from grassroots.api.document import operations
from grassroots.api.headers import SecurityHeaders, cors_config
from grassroots.api.health import HealthController
from grassroots.api.links import document_links
from grassroots.api.problems import (
    PROBLEM_MEDIA_TYPE,
    ApiProblem,
    describe_problem,
    exception_handlers,
)
from grassroots.api.rate_limits import HashingSlots, LogInGuesses, RateLimits, WindowCounter
from grassroots.api.reference import LocalScalarRenderPlugin, static_files
from grassroots.api.threads import configure_threads
from grassroots.application.service import Grassroots
from grassroots.domain.values import has_control_characters
from grassroots.pages import PageSessions, page_routes, template_config
from grassroots.pages.controllers import unknown_page
from grassroots.projections.read_side import ReadSide

__all__ = ["API_ROUTES", "SharedStores", "create_app"]

log = logging.getLogger(__name__)

# Every controller of the versioned API; the access-matrix test walks these.
API_ROUTES: list[ControllerRouterHandler] = [
    SessionController,
    AccountController,
    AdminController,
    *organisation.ROUTES,
    *centers.ROUTES,
    *roster_files.ROUTES,
    *volunteering.ROUTES,
    *cadres.ROUTES,
    *compliance.ROUTES,
    *dispatch.ROUTES,
    *activity_counts.ROUTES,
    *problem_figures.ROUTES,
    *rule_sets.ROUTES,
    *certificates.ROUTES,
    *sharing.ROUTES,
    *surveys.ROUTES,
]


@dataclass(frozen=True)
class SharedStores:
    """What API processes share through Redis, or each keeps in memory without it.

    Built by ``grassroots.bootstrap.shared_stores``; the app closes ``redis`` when it stops.
    """

    redis: Redis | None
    # For the start-up warning only (the password is left out when it is logged).
    redis_url: str | None
    # One breaker for every use of Redis: when it is away, it is away for all of
    # them, and each goes on without it (see degrading.py).
    breaker: RedisBreaker
    counter: WindowCounter
    positions: Store
    channels: ChannelsBackend


_PUBLIC_PATHS = ["^/$", "^/health", "^/schema", "^/static/", "^/problems/"]


class _FinishedDocument(OpenAPIPlugin):
    """The framework's API document, finished by ours in the same step it is built.

    The document is built when first asked for (the reference page, ``/schema``),
    not at start-up: building it takes a third of a second, which every API process
    and every test's server paid at start whether or not anyone read it. The
    framework keeps the finished document, so the steps run once per process.
    """

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        document = super()._build_openapi()
        for finish in _FINISHING_STEPS:
            finish(self.app, document)
        return document


def _public_operations_need_no_token(app: Litestar, document: OpenAPI) -> None:
    """The token requirement is declared once for the whole document; routes anyone
    may call (log-in, registration, health) say in the document that they need none."""
    public = {
        handler.operation_id
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("public")
    }
    for _path, _method, operation in operations(document):
        if operation.operation_id in public:
            operation.security = []
        _failures_are_problem_details(operation)


def _failures_are_problem_details(operation: Operation) -> None:
    """The framework documents its own 400 with its default body; ours is a problem."""
    for status, response in (operation.responses or {}).items():
        if not status.isdigit() or int(status) < 400 or not isinstance(response, OpenAPIResponse):
            continue
        if response.content is None or PROBLEM_MEDIA_TYPE not in response.content:
            response.content = {
                PROBLEM_MEDIA_TYPE: OpenAPIMediaType(
                    schema=Reference(ref="#/components/schemas/Problem")
                )
            }


async def _refuse_control_characters(request: Request[Any, Any, Any]) -> None:
    """Query strings reach database filters; a NUL there is nothing a person typed
    and PostgreSQL refuses it in text, so the domain's one text rule (single-line)
    refuses it here as bad input, names and values alike."""
    for key, value in request.query_params.multi_items():
        if has_control_characters(key) or has_control_characters(value):
            raise ApiProblem(
                400, "invalid-request", "a query parameter contains control characters"
            )


async def _check_redis(redis: Redis, url: str, breaker: RedisBreaker) -> None:
    """Say at start-up, in one clear line, that Redis is out of reach; start degraded."""
    try:
        await redis.ping()
    except REDIS_ERRORS as error:
        log.warning(
            "GRASSROOTS_REDIS_URL=%s does not answer (%s: %s); starting without it: "
            "rate limits are counted per process and live updates are paused until it does",
            redacted(url),
            type(error).__name__,
            error,
        )
        breaker.failed(error, announce=False)


_FINISHING_STEPS: tuple[Callable[[Litestar, OpenAPI], None], ...] = (
    _public_operations_need_no_token,
    document_unsupported_media_type,
    document_closed_bodies,
    document_links,
)


def _no_route(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    """A path no route serves. A person's browser (asking for HTML, outside the API)
    gets the pages' missing page, in their language; a client of the API its problem."""
    api_path = request.url.path.startswith(("/api/", "/health", "/schema", "/problems/"))
    if not api_path and "text/html" in request.headers.get("accept", ""):
        return unknown_page(request, error)
    answer: Response[Any] = exception_handlers[HTTPException](request, error)
    return answer


def create_app(
    application: Grassroots,
    *,
    event_store_kind: str,
    stores: SharedStores,
    read_side: ReadSide | None = None,
    run_projections: bool = False,
    config: ApiConfig | None = None,
) -> Litestar:
    """The HTTP interface over a wired application and its stores (see ``grassroots.bootstrap``).

    With ``run_projections`` the read models' runners live in this process (the
    embedded default); otherwise separate workers keep them up to date.
    """
    config = config or ApiConfig(jwt_secret=jwt_secret(application.config.secret_key))
    configure_threads(config.threads)
    redis, breaker, counter = stores.redis, stores.breaker, stores.counter
    # Live updates (check-ins as they happen) go through the backend given: in
    # process, or Redis pub/sub so a screen on one API process sees scans
    # answered by another.
    channels = ChannelsPlugin(backend=stores.channels, arbitrary_channels_allowed=True)
    auth = jwt_auth(
        application,
        secret=config.jwt_secret,
        lifetime=config.access_token_lifetime,
        exclude=_PUBLIC_PATHS,
    )
    api = Api(
        app=application,
        read_side=read_side,
        auth=auth,
        positions=WrittenPositions(stores.positions, read_side, config.read_wait_seconds),
        config=config,
        channels=channels,
        guesses=LogInGuesses(
            counter,
            config.log_in_guesses,
            clock=lambda: application.now().timestamp(),
            key=config.jwt_secret.encode(),
        ),
        hashing=HashingSlots(
            config.password_hashing_slots, config.password_hashing_wait.total_seconds()
        ),
    )
    page_sessions = PageSessions(
        application.config.secret_key,
        secure=config.page_cookie_secure,
        lifetime=config.session_lifetime,
    )
    # A page-session cookie counts against its account, as a bearer token does.
    rate_limits = RateLimits(
        counter, config.rates, config.trusted_proxies, page_account=page_sessions.account_of
    )

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        if redis is not None and stores.redis_url:
            await _check_redis(redis, stores.redis_url, breaker)
        if read_side is not None and run_projections:
            read_side.start()
        try:
            yield
        finally:
            if read_side is not None:
                read_side.close()
            application.close()
            if redis is not None:
                await redis.aclose()

    def provide_api() -> Api:
        return api

    pages = page_routes(
        application.config.secret_key,
        secure=config.page_cookie_secure,
        session_lifetime=config.session_lifetime,
        sessions=page_sessions,
    )
    handlers: list[Any] = [*pages, HealthController, describe_problem, static_files(), *API_ROUTES]
    app = Litestar(
        route_handlers=handlers,
        state=State(
            {
                "grassroots": application,
                "read_side": read_side,
                "event_store_kind": event_store_kind,
                "api": api,
                "redis": redis,
                # The missing page reads it: logged in, it still offers to log out.
                "page_sessions": page_sessions,
            }
        ),
        dependencies={"api": Provide(provide_api, sync_to_thread=False, use_cache=True)},
        guards=[rate_limits.guard],
        before_request=_refuse_control_characters,
        # Bodies are decoded strictly into each route's type (see ``bodies``).
        request_class=StrictRequest,
        before_send=[SecurityHeaders()],
        cors_config=cors_config(config.cors_origins),
        # Pages and their scripts reach phones over poor connections: gzip what is
        # text. Live streams are left alone (each event must leave at once), and
        # PNGs are compressed already.
        compression_config=CompressionConfig(
            backend="gzip", gzip_compress_level=6, exclude=[r"/live$", r"\.png$"]
        ),
        exception_handlers={**exception_handlers, NotFoundException: _no_route},
        lifespan=[lifespan],
        on_app_init=[auth.on_app_init],
        plugins=[channels],
        openapi_config=OpenAPIConfig(
            title="Grassroots API",
            version=__version__,
            description="Volunteers, youth centers, cadres and supervisors of grassroots "
            "youth-league work. Errors are RFC 9457 problem details "
            "(`application/problem+json`) with a stable `code`; `Accept-Language: en` "
            "gives English messages, Chinese otherwise. Every instant in an answer is UTC "
            "(`Z`); screens show it in the org unit's time zone.",
            path="/schema",
            render_plugins=[LocalScalarRenderPlugin()],
        ),
        request_max_body_size=config.max_body_bytes,
        template_config=template_config(),
    )
    # The framework makes its document builder itself and offers no hook after the
    # build; the builder's class is swapped for one whose build also finishes it.
    # (The class is the framework's own, from a private module: a version that
    # renames it fails at import, not quietly.)
    app.plugins.get(OpenAPIPlugin).__class__ = _FinishedDocument
    return app
