"""Commands on the organisation: org units, youth centers and grassroots points."""

from __future__ import annotations

from uuid import UUID

from grassroots.application.core import Core
from grassroots.domain.center import Center
from grassroots.domain.errors import InvalidValue
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.domain.values import GeoPoint

__all__ = ["OrganisationCommands"]


class OrganisationCommands(Core):
    def create_org_unit(
        self,
        *,
        name: str,
        level: OrgLevel,
        parent_id: UUID | None = None,
        time_zone: str | None = None,
    ) -> UUID:
        parent = self.get(OrgUnit, parent_id) if parent_id is not None else None
        unit = OrgUnit.create(
            name=name,
            level=level,
            parent_id=parent_id,
            parent_level=parent.level if parent else None,
            at=self.now(),
            # A unit keeps its parent's zone unless told otherwise.
            time_zone_name=time_zone or (parent.time_zone if parent else self.config.time_zone),
        )
        self.commit(unit)
        return unit.id

    def rename_org_unit(self, org_unit_id: UUID, name: str) -> None:
        unit = self.get(OrgUnit, org_unit_id)
        unit.rename(name, at=self.now())
        self.commit(unit)

    def move_org_unit(self, org_unit_id: UUID, *, parent_id: UUID) -> None:
        unit = self.get(OrgUnit, org_unit_id)
        parent = self.get(OrgUnit, parent_id)
        unit.move(
            parent_id=parent.id,
            parent_level=parent.level,
            parent_ancestry=self.ancestry(parent.id),
            at=self.now(),
        )
        self.commit(unit)

    def ancestry(self, org_unit_id: UUID) -> list[UUID]:
        """The unit's ancestors, nearest first (at most four: the tree has five levels)."""
        chain: list[UUID] = []
        parent_id = self.get(OrgUnit, org_unit_id).parent_id
        while parent_id is not None and len(chain) < len(OrgLevel):
            chain.append(parent_id)
            parent_id = self.get(OrgUnit, parent_id).parent_id
        return chain

    def register_center(
        self,
        *,
        name: str,
        org_unit_id: UUID,
        address: str,
        location: GeoPoint,
        geofence_radius_m: float = 150.0,
    ) -> UUID:
        self.get(OrgUnit, org_unit_id)
        center = Center.register(
            name=name,
            org_unit_id=org_unit_id,
            address=address,
            location=location,
            geofence_radius_m=geofence_radius_m,
            at=self.now(),
        )
        self.commit(center)
        return center.id

    def change_center_details(
        self,
        center_id: UUID,
        *,
        name: str | None = None,
        address: str | None = None,
        location: GeoPoint | None = None,
        geofence_radius_m: float | None = None,
    ) -> None:
        center = self.get(Center, center_id)
        center.change_details(
            at=self.now(),
            name=name,
            address=address,
            location=location,
            geofence_radius_m=geofence_radius_m,
        )
        self.commit(center)

    def close_center(self, center_id: UUID, *, reason: str) -> None:
        center = self.get(Center, center_id)
        center.close(reason, at=self.now())
        self.commit(center)

    def designate_point(
        self,
        *,
        name: str,
        org_unit_id: UUID,
        location: GeoPoint | None = None,
        geofence_radius_m: float | None = None,
        center_id: UUID | None = None,
    ) -> UUID:
        """A grassroots point; one at a center takes the center's place and fence by default."""
        self.get(OrgUnit, org_unit_id)
        center = self.get(Center, center_id) if center_id is not None else None
        place = location or (center.location if center else None)
        if place is None:
            raise InvalidValue("a point needs a location", code="location-required")
        radius = geofence_radius_m or (center.geofence_radius_m if center else 300.0)
        point = GrassrootsPoint.designate(
            name=name,
            org_unit_id=org_unit_id,
            location=place,
            geofence_radius_m=radius,
            center_id=center_id,
            at=self.now(),
        )
        self.commit(point)
        return point.id

    def relocate_point(
        self, point_id: UUID, *, location: GeoPoint, geofence_radius_m: float | None = None
    ) -> None:
        """The point at a new place; its fence keeps its radius unless given another."""
        point = self.get(GrassrootsPoint, point_id)
        radius = point.geofence_radius_m if geofence_radius_m is None else geofence_radius_m
        point.relocate(location=location, geofence_radius_m=radius, at=self.now())
        self.commit(point)

    def retire_point(self, point_id: UUID, *, reason: str) -> None:
        point = self.get(GrassrootsPoint, point_id)
        point.retire(reason, at=self.now())
        self.commit(point)
