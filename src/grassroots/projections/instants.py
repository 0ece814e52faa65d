"""Instants as the read models keep them: aware, in UTC.

The read side's own helper, not the domain's ``in_utc``: that one refuses a
naive instant, and SQLite hands every stored instant back naive (they were
stored in UTC). Events' instants, which are always aware, go through ``in_utc``.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["as_utc"]


def as_utc(at: datetime) -> datetime:
    """``at`` as an aware UTC instant.

    SQLite hands stored instants back naive; they were stored in UTC.
    PostgreSQL hands them back in its session's zone.
    """
    if at.tzinfo is UTC:
        # The events' own instants mostly are: no new object for each.
        return at
    if at.tzinfo is None:
        return at.replace(tzinfo=UTC)
    return at.astimezone(UTC)
