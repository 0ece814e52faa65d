"""A scan held on the phone that opened it, for a few minutes.

A venue code is good for half a minute. A volunteer who scans it logged out, then
logs in or registers, comes back after it has gone stale; so does one who reads the
page before tapping 签到. When the scan page opens with a code that is fresh, the
server says so in a cookie on that phone: the code and the instant it saw it,
signed with a key of its own. The check-in (or check-out) sent from that phone
within ``HELD_SCAN`` is then checked against the code at that instant
(``application.check_in(seen_at=...)``, ``domain.qr_token.held_scan_at``), and
recorded at now.

A cadre scanning a grassroots point's code (``/P/``) logged out meets the same, and
the start page holds the scan the same way, under ``/P/``.

The cookie goes only with ``/S/`` (or ``/P/``) requests, is HttpOnly, and is never in
the address:
a link or a photo sent on carries no held scan, so it still has only the code's
own half-minute.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any, TypeAlias

from litestar import Request
from litestar.datastructures import Cookie
from litestar.di import NamedDependency

from grassroots.domain.qr_token import HELD_SCAN, SCAN_PATH

__all__ = ["HeldScans", "HeldScansDep"]

SECURE_NAME = "__Secure-grassroots_held_scan"
PLAIN_NAME = "grassroots_held_scan"


class HeldScans:
    def __init__(self, service_secret: bytes, *, secure: bool) -> None:
        # A key of its own, so a held scan never verifies as anything else.
        self._key = hmac.new(service_secret, b"grassroots held scans", hashlib.sha256).digest()
        self.secure = secure
        self.cookie_name = SECURE_NAME if secure else PLAIN_NAME

    def _signature(self, token: str, millis: int) -> str:
        signed = f"{token}|{millis}".encode()
        return hmac.new(self._key, signed, hashlib.sha256).hexdigest()

    def cookie(self, token: str, seen_at: datetime, path: str = SCAN_PATH) -> Cookie:
        """The cookie saying the server saw ``token`` fresh on this phone at ``seen_at``,
        sent only with requests under ``path`` (a venue's ``/S/``, a point's ``/P/``)."""
        millis = round(seen_at.timestamp() * 1000)
        return Cookie(
            key=self.cookie_name,
            value=f"{millis}.{self._signature(token, millis)}",
            path=path,
            max_age=int(HELD_SCAN.total_seconds()),
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )

    def seen_at(self, request: Request[Any, Any, Any], token: str) -> datetime | None:
        """When the server saw ``token`` on this phone, if the request holds that scan."""
        value = request.cookies.get(self.cookie_name) or ""
        millis, _, signature = value.partition(".")
        if not millis.isdigit() or len(millis) > 16:
            return None
        if not hmac.compare_digest(signature, self._signature(token, int(millis))):
            return None
        return datetime.fromtimestamp(int(millis) / 1000, UTC)


# What a page handler declares to be given them (``held_scans: HeldScansDep``).
HeldScansDep: TypeAlias = NamedDependency[HeldScans]
