"""Grassroots points (联系点 / 引领区域): where cadres are assigned to go on visits.

A point is a township/street or village/community org unit, or a center. It has
a place and a geofence so a visit can be proven on site by location, and its
own rotating code so a visit can be proven by a scan.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import AlreadyClosed
from grassroots.domain.values import Geofence, GeoPoint, require_aware, require_reason, require_text

__all__ = ["GrassrootsPoint"]


class GrassrootsPoint(Aggregate):
    class Designated(Aggregate.Created):
        name: str
        org_unit_id: UUID
        center_id: UUID | None
        location_lat: float
        location_lon: float
        geofence_radius_m: float
        at: datetime

    class Relocated(Aggregate.Event):
        location_lat: float
        location_lon: float
        geofence_radius_m: float
        at: datetime

    class Retired(Aggregate.Event):
        reason: str
        at: datetime

    @classmethod
    def designate(
        cls,
        *,
        name: str,
        org_unit_id: UUID,
        location: GeoPoint,
        geofence_radius_m: float,
        at: datetime,
        center_id: UUID | None = None,
    ) -> GrassrootsPoint:
        Geofence(location, geofence_radius_m)
        return cls(
            name=require_text(name, "name"),
            org_unit_id=org_unit_id,
            center_id=center_id,
            location_lat=location.lat,
            location_lon=location.lon,
            geofence_radius_m=float(geofence_radius_m),
            at=require_aware(at),
        )

    @event(Designated)
    def __init__(
        self,
        name: str,
        org_unit_id: UUID,
        center_id: UUID | None,
        location_lat: float,
        location_lon: float,
        geofence_radius_m: float,
        at: datetime,
    ) -> None:
        self.name = name
        self.org_unit_id = org_unit_id
        self.center_id = center_id
        self.location = GeoPoint(location_lat, location_lon)
        self.geofence_radius_m = geofence_radius_m
        self.is_retired = False

    @property
    def geofence(self) -> Geofence:
        return Geofence(self.location, self.geofence_radius_m)

    def relocate(self, *, location: GeoPoint, geofence_radius_m: float, at: datetime) -> None:
        self.require_active()
        Geofence(location, geofence_radius_m)
        if (location, float(geofence_radius_m)) == (self.location, self.geofence_radius_m):
            return
        self._relocated(
            location_lat=location.lat,
            location_lon=location.lon,
            geofence_radius_m=float(geofence_radius_m),
            at=require_aware(at),
        )

    @event(Relocated)
    def _relocated(
        self, location_lat: float, location_lon: float, geofence_radius_m: float, at: datetime
    ) -> None:
        self.location = GeoPoint(location_lat, location_lon)
        self.geofence_radius_m = geofence_radius_m

    def retire(self, reason: str, *, at: datetime) -> None:
        self.require_active()
        self._retired(reason=require_reason(reason), at=require_aware(at))

    @event(Retired)
    def _retired(self, reason: str, at: datetime) -> None:
        self.is_retired = True

    def require_active(self) -> None:
        if self.is_retired:
            raise AlreadyClosed("the grassroots point is retired", code="point-retired")
