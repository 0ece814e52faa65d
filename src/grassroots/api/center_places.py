"""Where a center sits in the org tree, remembered for ten seconds, for live updates.

Every scan is published to its center's unit and each of that unit's ancestors,
and a center's place is the same for nearly every scan of the day: two read-model
queries per scan for an answer that hardly ever changes. A center moved to
another unit (rare, and announced) routes its updates by the old place for at
most ``ttl_seconds``: kept short because those updates name volunteers, and the
unit it left should stop hearing them soon. Ten seconds still spares all but one
lookup per center in a busy minute; nothing else depends on this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

__all__ = ["CenterPlaces", "Place"]

# The center's unit, then that unit's ancestors, nearest first.
Place = tuple[UUID, tuple[UUID, ...]]


class CenterPlaces:
    def __init__(
        self,
        *,
        ttl_seconds: float = 10.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._clock = clock
        self._places: dict[UUID, tuple[float, Place]] = {}

    def get(self, center_id: UUID) -> Place | None:
        found = self._places.get(center_id)
        if found is None or self._clock() - found[0] > self.ttl_seconds:
            return None
        return found[1]

    def remember(self, center_id: UUID, place: Place) -> None:
        if len(self._places) >= self.max_entries:
            # Simpler than least-recently-used, and as good here: a county has a few
            # hundred centers, so the bound is only ever reached by a misuse.
            self._places.clear()
        self._places[center_id] = (self._clock(), place)
