"""What readiness says of each part, from stand-ins for the stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa

from grassroots.api.health import check
from grassroots.application.service import Grassroots
from grassroots.projections.read_side import ReadSide


@dataclass(frozen=True)
class _Status:
    """A read model's status as the read side gives it, with the failure fields."""

    name: str
    position: int
    last_position: int
    failed_at: int | None = None
    error: str | None = None

    @property
    def lag(self) -> int:
        return self.last_position - self.position


class _Recorder:
    def __init__(self, *, down: bool = False) -> None:
        self.down = down

    def max_notification_id(self) -> int:
        if self.down:
            raise ConnectionRefusedError("no event store")
        return 12


class _Application:
    def __init__(self, recorder: _Recorder) -> None:
        self._recorder = recorder

    def log_head(self) -> int:
        return self._recorder.max_notification_id()


class _ReadSide:
    def __init__(self, statuses: list[_Status]) -> None:
        # /health asks the engine queries go through, never the runners' own.
        self.reader = sa.create_engine("sqlite://")
        self._statuses = statuses

    def status(self) -> list[_Status]:
        return self._statuses


async def _check(recorder: _Recorder, read_side: _ReadSide) -> Any:
    return await check(
        cast(Grassroots, _Application(recorder)),
        cast(ReadSide, read_side),
        None,
        event_store_kind="sqlite",
    )


async def test_a_failing_read_model_makes_the_service_degraded_not_down() -> None:
    read_side = _ReadSide(
        [
            _Status("org_tree", 12, 12),
            _Status(
                "center_activity",
                7,
                12,
                failed_at=8,
                error="OverflowError: 13800138000 out of range (event grassroots.Activity.Posted)",
            ),
        ]
    )

    health = await _check(_Recorder(), read_side)

    assert health.status == "degraded"
    parts = {part.name: (part.status, part.detail) for part in health.parts}
    assert parts["read-models"] == ("degraded", "center_activity")
    assert parts["event-store"] == ("up", None)
    failing = {p.name: (p.failed_at, p.error) for p in health.projections}
    assert failing == {
        "org_tree": (None, None),
        # The public page names the kind of error only, never its message's values.
        "center_activity": (8, "OverflowError"),
    }


async def test_an_event_store_out_of_reach_makes_the_service_unavailable() -> None:
    health = await _check(_Recorder(down=True), _ReadSide([_Status("org_tree", 12, 12)]))

    assert health.status == "unavailable"
    assert health.last_event_position is None
    parts = {part.name: part.status for part in health.parts}
    assert parts == {
        "event-store": "down",
        "read-database": "up",
        "read-models": "up",
        "redis": "off",
    }
