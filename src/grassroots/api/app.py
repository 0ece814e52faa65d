"""The Litestar application, built by ``create_app`` (nothing is built at import)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin

from grassroots import __version__
from grassroots.api.health import HealthController
from grassroots.api.home import home
from grassroots.application.service import Grassroots

__all__ = ["create_app"]


def create_app(application: Grassroots, *, event_store_kind: str) -> Litestar:
    """The HTTP interface over an already wired application (see ``grassroots.bootstrap``)."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            application.close()

    return Litestar(
        route_handlers=[home, HealthController],
        state=State({"grassroots": application, "event_store_kind": event_store_kind}),
        lifespan=[lifespan],
        openapi_config=OpenAPIConfig(
            title="Grassroots API",
            version=__version__,
            description="Volunteers, youth centers, cadres and supervisors of grassroots "
            "youth-league work.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        request_max_body_size=1_000_000,
    )
