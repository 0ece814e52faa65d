"""What lets the volunteer's app be added to the home screen and open offline.

``/manifest.webmanifest`` names the app (青年志愿) and its icons; ``/sw.js`` is a
service worker for ``/m/`` that keeps the offline page and the core assets from
its install, answers a page request from the network, and shows the offline page
(没有网络连接) when there is none. Its cache is named after the release, so a new
release replaces it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.response import Template

from grassroots import __version__
from grassroots.pages.controllers import STATIC_URL, page
from grassroots.pages.words import translator

__all__ = ["CORE_ASSETS", "OFFLINE_PATH", "ROUTES"]

OFFLINE_PATH = "/m/offline"
ICONS = (192, 512)
CORE_ASSETS = (
    OFFLINE_PATH,
    f"{STATIC_URL}/app.css?v={__version__}",
    f"{STATIC_URL}/app.js?v={__version__}",
    *(f"{STATIC_URL}/icons/icon-{size}.png" for size in ICONS),
)
_WORKER = Path(__file__).parent / "sw.js"


@get("/manifest.webmanifest", name="web-app-manifest", sync_to_thread=False)
def manifest() -> Response[bytes]:
    body = {
        "name": "青年志愿",
        "short_name": "青年志愿",
        "lang": "zh-CN",
        "start_url": "/m/",
        "scope": "/m/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#c62828",
        "icons": [
            {"src": f"{STATIC_URL}/icons/icon-{s}.png", "sizes": f"{s}x{s}", "type": "image/png"}
            for s in ICONS
        ],
    }
    return Response(
        json.dumps(body, ensure_ascii=False).encode(),
        media_type="application/manifest+json",
        headers={"Cache-Control": "max-age=3600"},
    )


@cache
def _worker_source() -> bytes:
    source = _WORKER.read_text()
    source = source.replace("__CACHE__", json.dumps(f"grassroots-{__version__}"))
    source = source.replace("__OFFLINE__", json.dumps(OFFLINE_PATH))
    return source.replace("__ASSETS__", json.dumps(list(CORE_ASSETS))).encode()


@get("/sw.js", name="service-worker", sync_to_thread=False)
def service_worker() -> Response[bytes]:
    # Browsers look for a new worker on each visit; no-cache makes them ask us.
    return Response(
        _worker_source(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache"},
    )


@get(OFFLINE_PATH, name="offline", sync_to_thread=False)
def offline(request: Request[Any, Any, Any]) -> Template:
    # Kept by the service worker at install: it shows both languages, whichever
    # was chosen then, and names no one.
    response = page(request, "offline.html", zh=translator("zh"), en=translator("en"))
    response.headers["Cache-Control"] = "no-cache"
    return response


ROUTES = [manifest, service_worker, offline]
