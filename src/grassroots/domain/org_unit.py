"""The five-level organisation tree: region › city › county › township › village/community."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import InvalidValue, NotAllowed
from grassroots.domain.values import DEFAULT_TIME_ZONE, require_aware, require_text, time_zone

__all__ = ["OrgLevel", "OrgUnit"]


class OrgLevel(StrEnum):
    REGION = "region"
    CITY = "city"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"

    @property
    def depth(self) -> int:
        return _DEPTH[self]

    def parent_level(self) -> OrgLevel | None:
        return None if self is OrgLevel.REGION else _BY_DEPTH[self.depth - 1]

    def child_level(self) -> OrgLevel | None:
        """The level of a unit made under one of this level (none below a village)."""
        return _BY_DEPTH.get(self.depth + 1)


_DEPTH = {level: i for i, level in enumerate(OrgLevel)}
_BY_DEPTH = dict(enumerate(OrgLevel))


class OrgUnit(Aggregate):
    class Created(Aggregate.Created):
        name: str
        level: str
        parent_id: UUID | None
        time_zone: str
        at: datetime

    class Renamed(Aggregate.Event):
        name: str
        at: datetime

    class Moved(Aggregate.Event):
        parent_id: UUID
        at: datetime

    @classmethod
    def create(
        cls,
        *,
        name: str,
        level: OrgLevel,
        parent_id: UUID | None,
        parent_level: OrgLevel | None,
        at: datetime,
        time_zone_name: str = DEFAULT_TIME_ZONE,
    ) -> OrgUnit:
        """A new unit; the parent (if any) must sit exactly one level up."""
        _check_parent(level, parent_level, parent_id)
        time_zone(time_zone_name)
        return cls(
            name=require_text(name, "name"),
            level=level.value,
            parent_id=parent_id,
            time_zone=time_zone_name,
            at=require_aware(at),
        )

    @event(Created)
    def __init__(
        self, name: str, level: str, parent_id: UUID | None, time_zone: str, at: datetime
    ) -> None:
        self.name = name
        self.level = OrgLevel(level)
        self.parent_id = parent_id
        self.time_zone = time_zone

    def rename(self, name: str, *, at: datetime) -> None:
        new_name = require_text(name, "name")
        if new_name != self.name:
            self._renamed(name=new_name, at=require_aware(at))

    @event(Renamed)
    def _renamed(self, name: str, at: datetime) -> None:
        self.name = name

    def move(
        self,
        *,
        parent_id: UUID,
        parent_level: OrgLevel,
        parent_ancestry: Sequence[UUID],
        at: datetime,
    ) -> None:
        """Move under another parent one level up. ``parent_ancestry`` is the new
        parent's chain of ancestors, so a unit can't be moved under itself."""
        _check_parent(self.level, parent_level, parent_id)
        if parent_id == self.id or self.id in parent_ancestry:
            raise NotAllowed("a unit cannot be moved under itself", code="org-unit-cycle")
        if parent_id != self.parent_id:
            self._moved(parent_id=parent_id, at=require_aware(at))

    @event(Moved)
    def _moved(self, parent_id: UUID, at: datetime) -> None:
        self.parent_id = parent_id


def _check_parent(level: OrgLevel, parent_level: OrgLevel | None, parent_id: UUID | None) -> None:
    expected = level.parent_level()
    if expected is None:
        if parent_id is not None:
            raise InvalidValue("a region has no parent", code="org-unit-parent-invalid")
        return
    if parent_id is None or parent_level is not expected:
        raise InvalidValue(
            f"a {level.value} must sit under a {expected.value}", code="org-unit-parent-invalid"
        )
