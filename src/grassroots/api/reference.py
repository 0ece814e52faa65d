"""The interactive API reference at ``/schema``: Scalar, served from this server.

The page's script is a pinned release vendored under ``static/scalar`` (its licence
and a manifest with its version and SHA-256 beside it), so the page runs no code
fetched from elsewhere and keeps to the Content-Security-Policy (``script-src
'self'``): no inline script, no web fonts from Scalar's servers. One renderer
only; Swagger UI is not served.
"""

from __future__ import annotations

import html
import json
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.static_files import create_static_files_router

__all__ = [
    "STATIC_PATH",
    "LocalScalarRenderPlugin",
    "ScalarRelease",
    "scalar_release",
    "static_files",
]

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"


class ScalarRelease:
    """The vendored release, as its manifest describes it."""

    def __init__(self, manifest: dict[str, Any]) -> None:
        self.version = str(manifest["version"])
        self.file = STATIC_DIR / "scalar" / str(manifest["file"])
        self.sha256 = str(manifest["sha256"])
        self.url = f"{STATIC_PATH}/scalar/{manifest['file']}"


@cache
def scalar_release() -> ScalarRelease:
    return ScalarRelease(json.loads((STATIC_DIR / "scalar" / "manifest.json").read_text()))


def static_files() -> Router:
    # The file names carry the release, so a browser may keep them a day.
    return create_static_files_router(
        path=f"{STATIC_PATH}/scalar",
        directories=[STATIC_DIR / "scalar"],
        cache_control=CacheControlHeader(max_age=86400),
        include_in_schema=False,
    )


class LocalScalarRenderPlugin(ScalarRenderPlugin):
    def __init__(self) -> None:
        release = scalar_release()
        super().__init__(js_url=release.url, css_url="", path="/scalar", favicon="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema["info"]["title"]))
        document = html.escape(self.get_openapi_json_route(request), quote=True)
        # A JSON data block, never run, tells the script where the document is.
        configuration = html.escape(json.dumps({"withDefaultFonts": False}), quote=True)
        return (
            "<!doctype html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title></head><body>"
            f'<script id="api-reference" type="application/json" data-url="{document}" '
            f'data-configuration="{configuration}"></script>'
            f'<script src="{html.escape(self.js_url, quote=True)}"></script>'
            "</body></html>\n"
        ).encode()
