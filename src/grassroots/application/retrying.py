"""A scan's command run again, reading afresh, when its write loses a version race."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from grassroots.application.errors import ConcurrentChange

__all__ = ["SCAN_ATTEMPTS", "retried"]

# Each lost race means another scan's write landed, and the next attempt reads
# it; identical scans agree after one round, so a few attempts are plenty.
SCAN_ATTEMPTS = 5

T = TypeVar("T")


def retried(command: Callable[[], T]) -> T:
    """``command()``, run again when its write loses a version race to another scan's."""
    for _ in range(SCAN_ATTEMPTS - 1):
        try:
            return command()
        except ConcurrentChange:
            continue
    try:
        return command()
    except ConcurrentChange:
        raise ConcurrentChange("several scans at once; scan again") from None
