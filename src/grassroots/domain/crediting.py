"""How many minutes of service an attendance is credited (服务时长).

Credited minutes are the overlap of the attended interval [check-in, check-out]
with the activity's scheduled interval widened by a grace period on each side,
capped at the scheduled length, in whole minutes. This module is pure: every
instant is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from grassroots.domain.errors import InvalidValue
from grassroots.domain.values import in_utc

__all__ = ["CreditPolicy", "credited_minutes"]

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class CreditPolicy:
    """The tunable parts of crediting and of the check-in window.

    ``grace_minutes`` widens the scheduled interval on each side, so a volunteer
    who helps set up or clear away a little outside the schedule is not cut
    short; ``check_in_margin_minutes`` is how long before the scheduled start a
    check-in is accepted at all.
    """

    grace_minutes: int = 15
    check_in_margin_minutes: int = 30

    def __post_init__(self) -> None:
        if self.grace_minutes < 0:
            raise InvalidValue("the grace period must not be negative", code="grace-negative")
        if self.check_in_margin_minutes < 0:
            raise InvalidValue(
                "the check-in margin must not be negative", code="check-in-margin-negative"
            )


def credited_minutes(
    *,
    checked_in_at: datetime,
    checked_out_at: datetime,
    scheduled_start: datetime,
    scheduled_end: datetime,
    grace_minutes: int,
) -> int:
    """The whole minutes of [check-in, check-out] inside [start − grace, end + grace],
    never more than the scheduled length (end − start) and never negative.

    The result is floored: only fully served minutes count, so a scan pair a few
    seconds apart credits nothing, and rounding can never credit time that was
    not served. Integer minutes also keep every ledger line exact when summed.
    """
    check_in = in_utc(checked_in_at, "checked_in_at")
    check_out = in_utc(checked_out_at, "checked_out_at")
    start = in_utc(scheduled_start, "scheduled_start")
    end = in_utc(scheduled_end, "scheduled_end")
    if end <= start:
        raise InvalidValue(
            "the scheduled end must come after the start", code="activity-end-before-start"
        )
    if check_out < check_in:
        raise InvalidValue(
            "a check-out cannot come before the check-in", code="check-out-before-check-in"
        )
    if grace_minutes < 0:
        raise InvalidValue("the grace period must not be negative", code="grace-negative")
    grace = timedelta(minutes=grace_minutes)
    overlap = min(check_out, end + grace) - max(check_in, start - grace)
    credited = min(max(overlap, timedelta(0)), end - start)
    return credited // _MINUTE
