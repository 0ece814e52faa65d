"""Instants on a page: as the wall clock of a zone shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

__all__ = ["LocalClock", "local_clock"]

# ``local(at)`` or ``local(at, "%H:%M")``: "" for no instant.
LocalClock = Callable[..., str]


def local_clock(zone: ZoneInfo, default_format: str) -> LocalClock:
    """What templates call ``local``: an instant written on ``zone``'s wall clock, in
    ``default_format`` unless the template names another; no instant, no text."""

    def local(at: datetime | None, fmt: str = default_format) -> str:
        return "" if at is None else at.astimezone(zone).strftime(fmt)

    return local
