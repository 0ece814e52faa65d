"""Youth centers (青年之家 / 青年爱里): they post activities and show the venue code."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import AlreadyClosed
from grassroots.domain.values import (
    Geofence,
    GeoPoint,
    require_aware,
    require_reason,
    require_text,
)

__all__ = ["Center"]


class Center(Aggregate):
    class Registered(Aggregate.Created):
        name: str
        org_unit_id: UUID
        address: str
        location_lat: float
        location_lon: float
        geofence_radius_m: float
        at: datetime

    class DetailsChanged(Aggregate.Event):
        name: str
        address: str
        location_lat: float
        location_lon: float
        geofence_radius_m: float
        at: datetime

    class Closed(Aggregate.Event):
        reason: str
        at: datetime

    @classmethod
    def register(
        cls,
        *,
        name: str,
        org_unit_id: UUID,
        address: str,
        location: GeoPoint,
        geofence_radius_m: float,
        at: datetime,
    ) -> Center:
        Geofence(location, geofence_radius_m)
        return cls(
            name=require_text(name, "name"),
            org_unit_id=org_unit_id,
            address=require_text(address, "address", max_length=300),
            location_lat=location.lat,
            location_lon=location.lon,
            geofence_radius_m=float(geofence_radius_m),
            at=require_aware(at),
        )

    @event(Registered)
    def __init__(
        self,
        name: str,
        org_unit_id: UUID,
        address: str,
        location_lat: float,
        location_lon: float,
        geofence_radius_m: float,
        at: datetime,
    ) -> None:
        self.name = name
        self.org_unit_id = org_unit_id
        self.address = address
        self.location = GeoPoint(location_lat, location_lon)
        self.geofence_radius_m = geofence_radius_m
        self.is_closed = False

    @property
    def geofence(self) -> Geofence:
        return Geofence(self.location, self.geofence_radius_m)

    def change_details(
        self,
        *,
        at: datetime,
        name: str | None = None,
        address: str | None = None,
        location: GeoPoint | None = None,
        geofence_radius_m: float | None = None,
    ) -> None:
        self.require_open()
        new_location = location or self.location
        new_radius = self.geofence_radius_m if geofence_radius_m is None else geofence_radius_m
        Geofence(new_location, new_radius)
        new_name = self.name if name is None else require_text(name, "name")
        new_address = (
            self.address if address is None else require_text(address, "address", max_length=300)
        )
        current = (self.name, self.address, self.location, self.geofence_radius_m)
        if (new_name, new_address, new_location, float(new_radius)) == current:
            return
        self._details_changed(
            name=new_name,
            address=new_address,
            location_lat=new_location.lat,
            location_lon=new_location.lon,
            geofence_radius_m=float(new_radius),
            at=require_aware(at),
        )

    @event(DetailsChanged)
    def _details_changed(
        self,
        name: str,
        address: str,
        location_lat: float,
        location_lon: float,
        geofence_radius_m: float,
        at: datetime,
    ) -> None:
        self.name = name
        self.address = address
        self.location = GeoPoint(location_lat, location_lon)
        self.geofence_radius_m = geofence_radius_m

    def close(self, reason: str, *, at: datetime) -> None:
        self.require_open()
        self._closed(reason=require_reason(reason), at=require_aware(at))

    @event(Closed)
    def _closed(self, reason: str, at: datetime) -> None:
        self.is_closed = True

    def require_open(self) -> None:
        if self.is_closed:
            raise AlreadyClosed("the center is closed", code="center-closed")
