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
from grassroots.projections.read_side import ReadSide

__all__ = ["create_app"]


def create_app(
    application: Grassroots,
    *,
    event_store_kind: str,
    read_side: ReadSide | None = None,
    run_projections: bool = False,
) -> Litestar:
    """The HTTP interface over an already wired application (see ``grassroots.bootstrap``).

    With ``run_projections`` the read models' runners live in this process (the
    embedded default); otherwise separate workers keep them up to date.
    """

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if read_side is not None and run_projections:
            read_side.start()
        try:
            yield
        finally:
            if read_side is not None:
                read_side.close()
            application.close()

    return Litestar(
        route_handlers=[home, HealthController],
        state=State(
            {
                "grassroots": application,
                "read_side": read_side,
                "event_store_kind": event_store_kind,
            }
        ),
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
