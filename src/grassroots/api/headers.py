"""What every answer says to the browser: security headers, caching, CORS.

Every response (problems, the framework's own 404/405 and CORS pre-flights
included) leaves through one hook, ``SecurityHeaders``, which adds:

- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``X-Frame-Options: DENY`` and a ``Content-Security-Policy`` that allows only
  this origin's own scripts (the API reference's script is served from here);
- ``Strict-Transport-Security`` when the request came over HTTPS (over plain
  HTTP a browser ignores it, and a development server must stay reachable);
- ``Cache-Control: no-store`` on every ``/api/`` answer: tokens, accounts,
  ledgers and every other per-caller record must not stay in a shared or
  browser cache;
- on an ``OPTIONS`` answer, the ``Allow`` header of the whole path (the
  framework's own answer names only the methods of the first handler
  registered for a path when several controllers share it).

CORS is the framework's (``CORSConfig``), for the origins listed in
``GRASSROOTS_CORS_ORIGINS`` only; with none listed there is no CORS at all, so
browsers allow same-origin pages only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.routes import HTTPRoute
from litestar.types import Message, Scope

__all__ = ["CONTENT_SECURITY_POLICY", "SecurityHeaders", "cors_config"]

# The API reference page (Scalar) injects its styles at run time, so styles may be
# inline; scripts may not. Nothing may frame any page of this server.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        # The in-app scanner's decoder (qr-scanner) runs in a worker made from a blob.
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000"
_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


def cors_config(origins: Iterable[str]) -> CORSConfig | None:
    """Cross-origin calls for the listed web origins; ``None`` (same origin only) for none."""
    allowed = sorted(set(origins))
    if not allowed:
        return None
    return CORSConfig(
        allow_origins=allowed,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "Accept-Language", "Last-Event-ID"],
        # Bearer tokens, never cookies: a page gets no ambient credentials.
        allow_credentials=False,
        expose_headers=["Retry-After", "Location", "Content-Language"],
        max_age=600,
    )


class SecurityHeaders:
    """A ``before_send`` hook adding the headers above to every response.

    ``async`` although it never waits: the framework runs a plain callable hook in a
    worker thread, and this one is called for every message a response sends.
    """

    def __init__(self) -> None:
        self._allow: dict[str, str] | None = None

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in _ALWAYS.items():
            headers[name] = value
        if scope.get("scheme") == "https":
            headers["Strict-Transport-Security"] = HSTS
        path: str = scope.get("path", "")
        if path.startswith("/api/"):
            headers["Cache-Control"] = "no-store"
        if scope.get("method") == "OPTIONS" and "allow" in headers:
            template = scope.get("path_template")
            allow = self._methods(scope["litestar_app"]).get(template or "")
            if allow is not None:
                headers["Allow"] = allow

    def _methods(self, app: Litestar) -> Mapping[str, str]:
        # Routes are fixed once the app is built; read them on the first OPTIONS.
        if self._allow is None:
            self._allow = _allowed_methods(app.routes)
        return self._allow


def _allowed_methods(routes: Iterable[Any]) -> dict[str, str]:
    return {
        route.path_format: ", ".join(sorted(route.methods))
        for route in routes
        if isinstance(route, HTTPRoute)
    }
