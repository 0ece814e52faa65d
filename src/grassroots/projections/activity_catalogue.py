"""The activity catalogue: what volunteers discover and what center staff see of each activity.

Three tables, kept by one batched projection (see ``engine.py`` and ``runner.py``):

* ``activity_catalogue_centers``: each youth center as it is now (name, org
  unit, place, whether closed). An activity's org unit is copied from here when
  it is posted, so discovery never joins another read model while handling.
* ``activity_catalogue_activities``: one row per activity with its details as
  they are now, ``posted`` or ``cancelled``, and the number of volunteers
  holding a place and waiting for one.
* ``activity_catalogue_attendance``: one row per volunteer who ever signed up
  for an activity or has an attendance there, keyed by the activity and the
  volunteer. Once the attendance opens (a scan or 补录) the row also holds the
  attendance's own id, which is all the later attendance events (check-out,
  automatic close, adjustment) carry. The opening event names it, so the model
  never derives it (a name-based id costs a hash, and most rows are sign-ups
  that need none). The row says where the volunteer stands on the lists
  (signed up, wait-listed, withdrawn, or none for a walk-in), the scans, and
  the minutes credited: scan credit plus every staff line (补录 and
  adjustments), each line counted, never overwritten.

How a batch is written: the handlers never touch the database. ``begin_batch``
loads the stored rows the batch's events need, the handlers change them in
memory, and ``flush_batch`` writes them back with one bulk statement per table
and kind of write.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance, still_open
from grassroots.domain.center import Center
from grassroots.domain.values import EARTH_RADIUS_M, GeoPoint
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import metadata
from grassroots.projections.engine import (
    BatchStart,
    EventContext,
    Projection,
    handles,
    missing,
    rows_where_in,
)
from grassroots.projections.instants import as_utc
from grassroots.projections.org_tree import subtree_of

__all__ = [
    "ActivityCatalogue",
    "ActivityRow",
    "ActivityStatus",
    "Arrivals",
    "AttendanceRow",
    "CenterRow",
    "MySignUp",
    "MyState",
    "Near",
    "SignUpState",
    "activities_of_center",
    "activity_catalogue_activities",
    "activity_catalogue_attendance",
    "activity_catalogue_centers",
    "activity_row",
    "arrivals",
    "attendance_of",
    "center_row",
    "centers",
    "discover",
    "sign_ups_of",
]

activity_catalogue_centers = sa.Table(
    "activity_catalogue_centers",
    metadata,
    sa.Column("center_id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("org_unit_id", sa.Uuid, nullable=False),
    sa.Column("address", sa.String(300), nullable=False),
    sa.Column("location_lat", sa.Float, nullable=False),
    sa.Column("location_lon", sa.Float, nullable=False),
    sa.Column("geofence_radius_m", sa.Float, nullable=False),
    sa.Column("closed", sa.Boolean, nullable=False),
    sa.Index("ix_activity_catalogue_centers_org_unit", "org_unit_id", "name"),
)

activity_catalogue_activities = sa.Table(
    "activity_catalogue_activities",
    metadata,
    sa.Column("activity_id", sa.Uuid, primary_key=True),
    sa.Column("center_id", sa.Uuid, nullable=False),
    # Null only for an activity of a center this model never saw registered.
    sa.Column("org_unit_id", sa.Uuid, nullable=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("category", sa.String(50), nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("capacity", sa.Integer, nullable=True),
    sa.Column("sign_up_required", sa.Boolean, nullable=False),
    sa.Column("location_required", sa.Boolean, nullable=False),
    sa.Column("location_lat", sa.Float, nullable=True),
    sa.Column("location_lon", sa.Float, nullable=True),
    sa.Column("geofence_radius_m", sa.Float, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("cancel_reason", sa.String(500), nullable=True),
    sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("signed_up", sa.Integer, nullable=False),
    sa.Column("waiting", sa.Integer, nullable=False),
    sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_activity_catalogue_activities_starts", "starts_at"),
    sa.Index("ix_activity_catalogue_activities_center_starts", "center_id", "starts_at"),
    sa.Index("ix_activity_catalogue_activities_category_starts", "category", "starts_at"),
)

activity_catalogue_attendance = sa.Table(
    "activity_catalogue_attendance",
    metadata,
    sa.Column("activity_id", sa.Uuid, primary_key=True),
    sa.Column("volunteer_id", sa.Uuid, primary_key=True),
    # Null until the attendance opens: only then does an event name it.
    sa.Column("attendance_id", sa.Uuid, nullable=True),
    # The log position of the row's first event: lists keep the order volunteers came in.
    sa.Column("first_position", sa.BigInteger, nullable=False),
    sa.Column("sign_up", sa.String(16), nullable=True),
    sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("auto_closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("added_by_staff", sa.Boolean, nullable=False),
    sa.Column("scan_minutes", sa.Integer, nullable=False),
    sa.Column("adjustment_minutes", sa.Integer, nullable=False),
    sa.Column("adjustments", sa.Integer, nullable=False),
    sa.Column("credited_minutes", sa.Integer, nullable=False),
    # When the volunteer got a place from the waiting list (cleared by a new sign-up).
    sa.Column("promoted_at", sa.DateTime(timezone=True), nullable=True),
    # The log position of the volunteer's joining the waiting list: places on it
    # go by this, not by ``first_position`` (one who withdrew and came back waits last).
    sa.Column("wait_listed_position", sa.BigInteger, nullable=True),
    # An activity's lists are its rows by the key's first column, sorted among
    # themselves: no index by (activity, first position) to write (0009).
    sa.Index(
        "ix_activity_catalogue_attendance_attendance",
        "attendance_id",
        unique=True,
        sqlite_where=sa.text("attendance_id IS NOT NULL"),
        postgresql_where=sa.text("attendance_id IS NOT NULL"),
    ),
    # "My sign-ups": a volunteer's rows. Its column is part of the key, which no
    # update sets, so only an insert writes this index (see ``_Rows``).
    sa.Index("ix_activity_catalogue_attendance_volunteer", "volunteer_id"),
)


class ActivityStatus:
    POSTED = "posted"
    CANCELLED = "cancelled"


class SignUpState:
    SIGNED_UP = "signed_up"
    WAIT_LISTED = "wait_listed"
    WITHDRAWN = "withdrawn"


_INSTANTS = {
    "starts_at",
    "ends_at",
    "cancelled_at",
    "posted_at",
    "signed_up_at",
    "checked_in_at",
    "checked_out_at",
    "auto_closed_at",
    "promoted_at",
}


@dataclass
class _Rows:
    """One table's rows as the batch leaves them: loaded or made here, and which to write.

    Rows are found by their key's value: the id itself for a one-column key, the
    tuple of the columns' values for a longer one. What to write, and what a row
    held as stored, are kept by the same key.

    A stored row is written back with an update of the columns no index holds,
    unless the batch changed an indexed one: SQLite rewrites an index's entry
    for every indexed column an UPDATE sets, changed or not, which doubled the
    pages a batch of sign-up moves dirtied. What the row's indexed columns held
    when loaded is kept to tell the two apart at the flush, so a handler may
    change a row any way it likes.

    ``rows`` and ``indexed_as_stored`` are also what the catalogue remembers for
    its next batch (see ``BatchStart.remembered``): after the flush they hold what
    the table holds for those keys. ``new`` and ``changed`` are the batch's own.
    """

    table: sa.Table
    key: tuple[str, ...]
    rows: dict[Any, dict[str, Any]] = field(default_factory=dict)
    new: dict[Any, dict[str, Any]] = field(default_factory=dict)
    changed: dict[Any, dict[str, Any]] = field(default_factory=dict)
    # A stored row's indexed values as stored (see ``_statements``).
    indexed_as_stored: dict[Any, Any] = field(default_factory=dict)

    def next_batch(self) -> _Rows:
        """The same rows, for a next batch that starts with nothing to write."""
        return _Rows(self.table, self.key, self.rows, indexed_as_stored=self.indexed_as_stored)

    def key_of(self, row: dict[str, Any]) -> Any:
        if len(self.key) == 1:
            return row[self.key[0]]
        return tuple(row[name] for name in self.key)

    def load(self, conn: sa.Connection, keys: Iterable[Any]) -> list[dict[str, Any]]:
        """Load the stored rows with these keys; those found, as the batch holds them."""
        wanted = missing(keys, self.rows)
        columns = [self.table.c[name] for name in self.key]
        where = columns[0] if len(columns) == 1 else sa.tuple_(*columns)
        return self._keep(rows_where_in(conn, sa.select(self.table), where, wanted))

    def load_where(
        self, conn: sa.Connection, column: str, values: Iterable[Any]
    ) -> list[dict[str, Any]]:
        """Load the stored rows whose ``column`` holds one of ``values`` (a unique column)."""
        rows = rows_where_in(conn, sa.select(self.table), self.table.c[column], set(values))
        return self._keep(rows)

    def _keep(self, found: Iterable[sa.Row[Any]]) -> list[dict[str, Any]]:
        kept = []
        indexed_values = _statements(self.table, self.key).indexed_values
        for stored in found:
            row = _aware(dict(stored._mapping))
            key = self.key_of(row)
            # A row the batch already holds may have changed since: the batch's wins.
            if key not in self.rows:
                self.rows[key] = row
                self.indexed_as_stored[key] = indexed_values(row)
            kept.append(self.rows[key])
        return kept

    def add(self, row: dict[str, Any], key: Any = None) -> None:
        """Hold a new row, to be inserted; ``key``, if given, is its key, known to be
        held by no other row (it saves working the key out and looking for one)."""
        if key is None:
            key = self.key_of(row)
            if key in self.rows:
                # The row it replaces is written no more, and was never stored as this one.
                for noted in (self.new, self.changed, self.indexed_as_stored):
                    noted.pop(key, None)
        self.rows[key] = row
        self.new[key] = row

    def touch(self, key: Any, row: dict[str, Any]) -> None:
        """Note that this row (``rows[key]``) was changed in place: it is written back."""
        if key not in self.new:
            self.changed[key] = row

    def change(self, key: Any, **values: Any) -> dict[str, Any] | None:
        """Update a row; None (nothing done) for a row this model never saw created."""
        row = self.rows.get(key)
        if row is None:
            return None
        row.update(values)
        self.touch(key, row)
        return row

    def flush(self, conn: sa.Connection) -> None:
        statements = _statements(self.table, self.key)
        statements.insert.execute(conn, list(self.new.values()))
        indexed_values = statements.indexed_values
        whole: list[dict[str, Any]] = []
        unindexed: list[dict[str, Any]] = []
        for key, row in self.changed.items():
            # The update's parameters are named apart from the columns (``b_``): a
            # parameter may not share a column's name in an UPDATE's WHERE.
            bound = {f"b_{name}": value for name, value in row.items()}
            as_stored = self.indexed_as_stored.get(key)
            if as_stored is None or as_stored != indexed_values(row):
                whole.append(bound)
            else:
                unindexed.append(bound)
        statements.update_unindexed.execute(conn, unindexed)
        statements.update_whole.execute(conn, whole)
        for written in (self.new, self.changed):
            for key, row in written.items():
                self.indexed_as_stored[key] = indexed_values(row)


@dataclass(frozen=True)
class _Statements:
    """A table's writes, compiled once: whole rows inserted, stored rows updated."""

    insert: Bulk
    # Every column but the key's.
    update_whole: Bulk
    # Only the columns no index holds (nor the key).
    update_unindexed: Bulk
    # The values a row holds in the columns some index other than the key's holds.
    indexed_values: Callable[[dict[str, Any]], Any]


@cache
def _statements(table: sa.Table, key: tuple[str, ...]) -> _Statements:
    indexed = tuple(sorted({c.name for index in table.indexes for c in index.columns} - set(key)))

    def update(names: list[str]) -> Bulk:
        statement = (
            table.update()
            .where(*(table.c[k] == sa.bindparam(f"b_{k}") for k in key))
            .values({name: sa.bindparam(f"b_{name}") for name in names})
        )
        return Bulk(statement, sort_by=[f"b_{k}" for k in key])

    columns = [c.name for c in table.columns if c.name not in key]
    return _Statements(
        insert=Bulk.insert_into(table, sort_by=key),
        update_whole=update(columns),
        update_unindexed=update([name for name in columns if name not in indexed]),
        indexed_values=itemgetter(*indexed) if indexed else lambda row: (),
    )


@dataclass
class _Batch:
    centers: _Rows = field(
        default_factory=lambda: _Rows(activity_catalogue_centers, ("center_id",))
    )
    activities: _Rows = field(
        default_factory=lambda: _Rows(activity_catalogue_activities, ("activity_id",))
    )
    attendance: _Rows = field(
        default_factory=lambda: _Rows(
            activity_catalogue_attendance, ("activity_id", "volunteer_id")
        )
    )
    # An open attendance's id → its row's key, for the events that carry only the id.
    opened: dict[UUID, tuple[UUID, UUID]] = field(default_factory=dict)
    # The activities whose every row (its own, its attendance) is in ``activities``
    # and ``attendance``: those posted in this batch or while it was remembered.
    whole: set[UUID] = field(default_factory=set)
    # Whether the three tables' every row is in memory (see ``BatchState``), and so
    # every open attendance in ``opened``: each handler that makes a row keeps it.
    complete: bool = False

    def next_batch(self) -> _Batch:
        """What this batch leaves remembered, for the next one (see ``_Rows``)."""
        return _Batch(
            self.centers.next_batch(),
            self.activities.next_batch(),
            self.attendance.next_batch(),
            self.opened,
            self.whole,
            self.complete,
        )

    def remembered(self) -> int:
        return max(len(self.activities.rows), len(self.attendance.rows))

    def opened_row(self, attendance_id: UUID) -> dict[str, Any] | None:
        """The row of an open attendance, noted as changed; None if never seen open."""
        key = self.opened.get(attendance_id)
        if key is None or (row := self.attendance.rows.get(key)) is None:
            return None
        self.attendance.touch(key, row)
        return row


# Tuples made once: a union written in the loop would be made anew for every event.
_CENTER_EVENTS = (Center.Registered, Center.DetailsChanged, Center.Closed)
_ACTIVITY_CHANGES = (Activity.DetailsChanged, Activity.Cancelled)
_SIGN_UPS = (Activity.SignedUp, Activity.WaitListed, Activity.Withdrawn, Activity.Promoted)
_OPENING = (Attendance.CheckedIn, Attendance.AddedByStaff)
_CLOSING = (Attendance.CheckedOut, Attendance.AutoClosed, Attendance.Adjusted)


class ActivityCatalogue(Projection):
    name = "activity_catalogue"
    tables = (
        activity_catalogue_centers,
        activity_catalogue_activities,
        activity_catalogue_attendance,
    )

    def __init__(self) -> None:
        self._remembered = _Batch()

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> _Batch:
        state = self._remembered = self.carried_over(self._remembered, _Batch, start)
        if state.complete:
            # Memory holds every row there is (and so every activity is whole).
            return state
        center_ids: set[UUID] = set()
        activity_ids: set[UUID] = set()
        places: set[tuple[UUID, UUID]] = set()
        attendance_ids: set[UUID] = set()
        # An activity posted in this batch has no stored rows, nor have its
        # attendances, nor has an attendance opened in it: only rows made before
        # the batch are looked for. Nor are those of an activity posted while the
        # catalogue remembered: every row it has is in memory.
        posted = state.whole
        opened: set[UUID] = set()
        # By exact type, as ``apply_batch`` picks handlers; the commonest kinds first.
        for ctx, e in batch:
            kind = type(e)
            if kind in _SIGN_UPS:
                if ctx.originator_id not in posted:
                    activity_ids.add(ctx.originator_id)
                    places.add((ctx.originator_id, e.volunteer_id))
            elif kind in _OPENING:
                # Signed up for before the batch, the volunteer has a row already.
                opened.add(ctx.originator_id)
                if e.activity_id not in posted:
                    places.add((e.activity_id, e.volunteer_id))
            elif kind in _CLOSING:
                if ctx.originator_id not in opened:
                    attendance_ids.add(ctx.originator_id)
            elif kind is Activity.Posted:
                center_ids.add(e.center_id)
                # Added before the handler makes the row: a failed batch forgets it all.
                posted.add(ctx.originator_id)
            elif kind in _CENTER_EVENTS:
                center_ids.add(ctx.originator_id)
            elif kind in _ACTIVITY_CHANGES and ctx.originator_id not in posted:
                activity_ids.add(ctx.originator_id)
        state.centers.load(conn, center_ids)
        state.activities.load(conn, activity_ids)
        found = state.attendance.load(conn, places)
        found += state.attendance.load_where(
            conn, "attendance_id", missing(attendance_ids, state.opened)
        )
        for row in found:
            if row["attendance_id"] is not None:
                state.opened[row["attendance_id"]] = (row["activity_id"], row["volunteer_id"])
        return state

    def flush_batch(self, conn: sa.Connection, state: _Batch) -> None:
        state.centers.flush(conn)
        state.activities.flush(conn)
        state.attendance.flush(conn)

    # --- centers -------------------------------------------------------------------

    @handles(Center.Registered)
    def _center_registered(self, state: _Batch, e: Center.Registered, ctx: EventContext) -> None:
        state.centers.add(
            {
                "center_id": ctx.originator_id,
                "name": e.name,
                "org_unit_id": e.org_unit_id,
                "address": e.address,
                "location_lat": e.location_lat,
                "location_lon": e.location_lon,
                "geofence_radius_m": e.geofence_radius_m,
                "closed": False,
            }
        )

    @handles(Center.DetailsChanged)
    def _center_changed(self, state: _Batch, e: Center.DetailsChanged, ctx: EventContext) -> None:
        state.centers.change(
            ctx.originator_id,
            name=e.name,
            address=e.address,
            location_lat=e.location_lat,
            location_lon=e.location_lon,
            geofence_radius_m=e.geofence_radius_m,
        )

    @handles(Center.Closed)
    def _center_closed(self, state: _Batch, e: Center.Closed, ctx: EventContext) -> None:
        state.centers.change(ctx.originator_id, closed=True)

    # --- activities ------------------------------------------------------------------

    @handles(Activity.Posted)
    def _posted(self, state: _Batch, e: Activity.Posted, ctx: EventContext) -> None:
        center = state.centers.rows.get(e.center_id)
        state.activities.add(
            {
                "activity_id": ctx.originator_id,
                "center_id": e.center_id,
                "org_unit_id": None if center is None else center["org_unit_id"],
                **_details(e),
                "status": ActivityStatus.POSTED,
                "cancel_reason": None,
                "cancelled_at": None,
                "signed_up": 0,
                "waiting": 0,
                "posted_at": as_utc(e.at),
                "version": ctx.originator_version,
            }
        )

    @handles(Activity.DetailsChanged)
    def _details_changed(
        self, state: _Batch, e: Activity.DetailsChanged, ctx: EventContext
    ) -> None:
        state.activities.change(ctx.originator_id, **_details(e), version=ctx.originator_version)

    @handles(Activity.Cancelled)
    def _cancelled(self, state: _Batch, e: Activity.Cancelled, ctx: EventContext) -> None:
        state.activities.change(
            ctx.originator_id,
            status=ActivityStatus.CANCELLED,
            cancel_reason=e.reason,
            cancelled_at=as_utc(e.at),
            version=ctx.originator_version,
        )

    @handles(Activity.SignedUp)
    def _signed_up(self, state: _Batch, e: Activity.SignedUp, ctx: EventContext) -> None:
        row = self._move(state, e, ctx, SignUpState.SIGNED_UP, as_utc(e.at))
        row["promoted_at"] = None

    @handles(Activity.WaitListed)
    def _wait_listed(self, state: _Batch, e: Activity.WaitListed, ctx: EventContext) -> None:
        row = self._move(state, e, ctx, SignUpState.WAIT_LISTED, as_utc(e.at))
        row["promoted_at"] = None
        row["wait_listed_position"] = ctx.position

    @handles(Activity.Promoted)
    def _promoted(self, state: _Batch, e: Activity.Promoted, ctx: EventContext) -> None:
        self._move(state, e, ctx, SignUpState.SIGNED_UP)["promoted_at"] = as_utc(e.at)

    @handles(Activity.Withdrawn)
    def _withdrawn(self, state: _Batch, e: Activity.Withdrawn, ctx: EventContext) -> None:
        self._move(state, e, ctx, SignUpState.WITHDRAWN)

    # The handlers below run for most of a catch-up's events: they change the
    # rows in place and note them as changed (``touch``), rather than through
    # ``change``, which builds a dict of keyword arguments per call.

    def _move(
        self,
        state: _Batch,
        e: Activity.SignedUp | Activity.WaitListed | Activity.Promoted | Activity.Withdrawn,
        ctx: EventContext,
        to: str,
        signed_up_at: datetime | None = None,
    ) -> dict[str, Any]:
        """Move a volunteer between the lists, keeping the activity's two counts; their row."""
        activity_id = ctx.originator_id
        row = self._attendance(state, activity_id, e.volunteer_id, ctx)
        before = row["sign_up"]
        row["sign_up"] = to
        if signed_up_at is not None:
            row["signed_up_at"] = signed_up_at
        activity = state.activities.rows.get(activity_id)
        if activity is None:
            return row
        left, joined = _COUNTED_IN.get(before), _COUNTED_IN.get(to)
        if left is not None:
            activity[left] -= 1
        if joined is not None:
            activity[joined] += 1
        activity["version"] = ctx.originator_version
        state.activities.touch(activity_id, activity)
        return row

    # --- attendance ---------------------------------------------------------------------

    @handles(Attendance.CheckedIn)
    def _checked_in(self, state: _Batch, e: Attendance.CheckedIn, ctx: EventContext) -> None:
        self._open(state, e, ctx)["checked_in_at"] = as_utc(e.at)

    @handles(Attendance.AddedByStaff)
    def _added(self, state: _Batch, e: Attendance.AddedByStaff, ctx: EventContext) -> None:
        row = self._open(state, e, ctx)
        row["added_by_staff"] = True
        self._adjust(row, e.minutes)

    @handles(Attendance.CheckedOut)
    def _checked_out(self, state: _Batch, e: Attendance.CheckedOut, ctx: EventContext) -> None:
        row = state.opened_row(ctx.originator_id)
        if row is not None:
            row["checked_out_at"] = as_utc(e.at)
            self._scanned(row, e.credited_minutes)

    @handles(Attendance.AutoClosed)
    def _auto_closed(self, state: _Batch, e: Attendance.AutoClosed, ctx: EventContext) -> None:
        row = state.opened_row(ctx.originator_id)
        if row is not None:
            row["auto_closed_at"] = as_utc(e.closed_at)
            self._scanned(row, e.credited_minutes)

    @handles(Attendance.Adjusted)
    def _adjusted(self, state: _Batch, e: Attendance.Adjusted, ctx: EventContext) -> None:
        row = state.opened_row(ctx.originator_id)
        if row is not None:
            self._adjust(row, e.minutes)

    def _open(
        self, state: _Batch, e: Attendance.CheckedIn | Attendance.AddedByStaff, ctx: EventContext
    ) -> dict[str, Any]:
        """The volunteer's row, now holding the attendance's id (the opening event's own)."""
        row = self._attendance(state, e.activity_id, e.volunteer_id, ctx)
        row["attendance_id"] = ctx.originator_id
        state.opened[ctx.originator_id] = (e.activity_id, e.volunteer_id)
        return row

    @staticmethod
    def _scanned(row: dict[str, Any], minutes: int) -> None:
        """The scans' credit, replacing any before (a close after a close)."""
        row["scan_minutes"] = minutes
        row["credited_minutes"] = minutes + row["adjustment_minutes"]

    @staticmethod
    def _adjust(row: dict[str, Any], minutes: int) -> None:
        """One more staff line (补录 or adjustment), counted on top of the others."""
        row["adjustment_minutes"] += minutes
        row["adjustments"] += 1
        row["credited_minutes"] = row["scan_minutes"] + row["adjustment_minutes"]

    @staticmethod
    def _attendance(
        state: _Batch, activity_id: UUID, volunteer_id: UUID, ctx: EventContext
    ) -> dict[str, Any]:
        """The volunteer's row at the activity, noted as changed; made empty on their
        first event there."""
        key = (activity_id, volunteer_id)
        rows = state.attendance
        row = rows.rows.get(key)
        if row is not None:
            rows.touch(key, row)
            return row
        row = {
            "activity_id": activity_id,
            "volunteer_id": volunteer_id,
            "attendance_id": None,
            "first_position": ctx.position,
            "sign_up": None,
            "signed_up_at": None,
            "checked_in_at": None,
            "checked_out_at": None,
            "auto_closed_at": None,
            "added_by_staff": False,
            "scan_minutes": 0,
            "adjustment_minutes": 0,
            "adjustments": 0,
            "credited_minutes": 0,
            "promoted_at": None,
            "wait_listed_position": None,
        }
        rows.add(row, key)
        return row


def _details(e: Activity.Posted | Activity.DetailsChanged) -> dict[str, Any]:
    return {
        "title": e.title,
        "description": e.description,
        "category": e.category,
        "starts_at": as_utc(e.starts_at),
        "ends_at": as_utc(e.ends_at),
        "capacity": e.capacity,
        "sign_up_required": e.sign_up_required,
        "location_required": e.location_required,
        "location_lat": e.location_lat,
        "location_lon": e.location_lon,
        "geofence_radius_m": e.geofence_radius_m,
    }


# The activity's count each place on the lists is counted in (none for withdrawn).
_COUNTED_IN: dict[str | None, str] = {
    SignUpState.SIGNED_UP: "signed_up",
    SignUpState.WAIT_LISTED: "waiting",
}


# --- Reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CenterRow:
    center_id: UUID
    name: str
    org_unit_id: UUID
    address: str
    location: GeoPoint
    geofence_radius_m: float
    closed: bool


@dataclass(frozen=True)
class ActivityRow:
    activity_id: UUID
    center_id: UUID
    org_unit_id: UUID | None
    title: str
    description: str
    category: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    sign_up_required: bool
    location_required: bool
    location: GeoPoint | None
    geofence_radius_m: float | None
    status: str
    cancel_reason: str | None
    cancelled_at: datetime | None
    signed_up: int
    waiting: int
    posted_at: datetime

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(0, self.capacity - self.signed_up)


@dataclass(frozen=True)
class AttendanceRow:
    activity_id: UUID
    volunteer_id: UUID
    sign_up: str | None
    signed_up_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    auto_closed_at: datetime | None
    added_by_staff: bool
    scan_minutes: int
    adjustment_minutes: int
    adjustments: int
    credited_minutes: int

    @property
    def is_open(self) -> bool:
        """Scanned in and not closed yet: staff can correct it only once it closes."""
        return still_open(
            checked_in_at=self.checked_in_at,
            closed_at=self.checked_out_at or self.auto_closed_at,
        )


@dataclass(frozen=True)
class Near:
    """Around a point: within ``radius_m`` metres of it."""

    point: GeoPoint
    radius_m: float


def discover(
    conn: sa.Connection,
    *,
    starts_from: datetime,
    starts_to: datetime,
    center_id: UUID | None = None,
    category: str | None = None,
    near: Near | None = None,
    include_cancelled: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> list[ActivityRow]:
    """Activities starting in [``starts_from``, ``starts_to``), soonest first (ties by id).

    With ``near``, only those whose place is within the radius: a bounding box
    narrows the rows in SQL, the exact great-circle distance decides in Python.
    """
    c = activity_catalogue_activities.c
    query = sa.select(activity_catalogue_activities).where(
        c.starts_at >= as_utc(starts_from), c.starts_at < as_utc(starts_to)
    )
    if not include_cancelled:
        query = query.where(c.status == ActivityStatus.POSTED)
    if center_id is not None:
        query = query.where(c.center_id == center_id)
    if category is not None:
        query = query.where(c.category == category)
    query = query.order_by(c.starts_at, c.activity_id)
    if near is None:
        return [_activity(r) for r in conn.execute(query.limit(limit).offset(offset))]
    south, north, west, east = _bounding_box(near)
    query = query.where(c.location_lat.between(south, north))
    if west <= east:
        query = query.where(c.location_lon.between(west, east))
    else:
        # The box crosses the antimeridian.
        query = query.where(sa.or_(c.location_lon >= west, c.location_lon <= east))
    found: list[ActivityRow] = []
    wanted = offset + limit
    for row in conn.execute(query):
        activity = _activity(row)
        if activity.location is not None and (
            activity.location.distance_m(near.point) <= near.radius_m
        ):
            found.append(activity)
            if len(found) >= wanted:
                break
    return found[offset:wanted]


def activity_row(conn: sa.Connection, activity_id: UUID) -> ActivityRow | None:
    row = conn.execute(
        sa.select(activity_catalogue_activities).where(
            activity_catalogue_activities.c.activity_id == activity_id
        )
    ).first()
    return None if row is None else _activity(row)


def activities_of_center(
    conn: sa.Connection,
    center_id: UUID,
    *,
    starts_from: datetime | None = None,
    starts_to: datetime | None = None,
    include_cancelled: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> list[ActivityRow]:
    """A center's activities by start time (ties by id), cancelled ones too unless told."""
    c = activity_catalogue_activities.c
    query = sa.select(activity_catalogue_activities).where(c.center_id == center_id)
    if starts_from is not None:
        query = query.where(c.starts_at >= as_utc(starts_from))
    if starts_to is not None:
        query = query.where(c.starts_at < as_utc(starts_to))
    if not include_cancelled:
        query = query.where(c.status == ActivityStatus.POSTED)
    query = query.order_by(c.starts_at, c.activity_id).limit(limit).offset(offset)
    return [_activity(r) for r in conn.execute(query)]


def attendance_of(
    conn: sa.Connection,
    activity_id: UUID,
    *,
    sign_up: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[AttendanceRow]:
    """Everyone on an activity's lists or with an attendance there, in the order they came.

    ``sign_up`` keeps those on one list (``SignUpState``).
    """
    c = activity_catalogue_attendance.c
    query = sa.select(activity_catalogue_attendance).where(c.activity_id == activity_id)
    if sign_up is not None:
        query = query.where(c.sign_up == sign_up)
    query = query.order_by(c.first_position, c.volunteer_id).limit(limit).offset(offset)
    return [
        AttendanceRow(
            activity_id=r.activity_id,
            volunteer_id=r.volunteer_id,
            sign_up=r.sign_up,
            signed_up_at=_maybe_utc(r.signed_up_at),
            checked_in_at=_maybe_utc(r.checked_in_at),
            checked_out_at=_maybe_utc(r.checked_out_at),
            auto_closed_at=_maybe_utc(r.auto_closed_at),
            added_by_staff=r.added_by_staff,
            scan_minutes=r.scan_minutes,
            adjustment_minutes=r.adjustment_minutes,
            adjustments=r.adjustments,
            credited_minutes=r.credited_minutes,
        )
        for r in conn.execute(query)
    ]


class MyState:
    """Where a volunteer stands at an activity, as "my sign-ups" shows it."""

    SIGNED_UP = "signed_up"
    WAIT_LISTED = "wait_listed"
    # Holding a place got from the waiting list (已递补).
    PROMOTED = "promoted"
    WITHDRAWN = "withdrawn"
    CHECKED_IN = "checked_in"
    # Checked out, closed at the end, or added by staff with minutes.
    ATTENDED = "attended"


@dataclass(frozen=True)
class MySignUp:
    """One activity on a volunteer's lists (or attended as a walk-in), with its details."""

    activity_id: UUID
    title: str
    center_id: UUID
    center_name: str | None
    starts_at: datetime
    ends_at: datetime
    activity_status: str
    sign_up: str | None
    signed_up_at: datetime | None
    waiting_place: int | None
    promoted_at: datetime | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    auto_closed_at: datetime | None
    added_by_staff: bool
    credited_minutes: int

    @property
    def state(self) -> str:
        if self.checked_out_at or self.auto_closed_at or self.added_by_staff:
            return MyState.ATTENDED
        if self.checked_in_at is not None:
            return MyState.CHECKED_IN
        if self.sign_up == SignUpState.SIGNED_UP and self.promoted_at is not None:
            return MyState.PROMOTED
        return self.sign_up or MyState.WITHDRAWN


def sign_ups_of(
    conn: sa.Connection,
    volunteer_id: UUID,
    *,
    now: datetime,
    activity_id: UUID | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[MySignUp]:
    """A volunteer's activities: those not yet ended first, soonest first, then the
    ended ones, latest first; each with the volunteer's place on the waiting list
    (1 = next to get a place) while they wait. ``activity_id`` keeps that one."""
    mine = activity_catalogue_attendance.alias("mine")
    others = activity_catalogue_attendance.alias("others")
    a = activity_catalogue_activities.c
    waiting = SignUpState.WAIT_LISTED
    ahead = (
        sa.select(sa.func.count())
        .where(
            others.c.activity_id == mine.c.activity_id,
            others.c.sign_up == waiting,
            others.c.wait_listed_position <= mine.c.wait_listed_position,
        )
        .scalar_subquery()
    )
    ended = a.ends_at < as_utc(now)
    query = (
        sa.select(
            mine,
            a.title,
            a.center_id,
            a.starts_at,
            a.ends_at,
            a.status,
            activity_catalogue_centers.c.name.label("center_name"),
            sa.case((mine.c.sign_up == waiting, ahead), else_=None).label("waiting_place"),
        )
        .join(activity_catalogue_activities, a.activity_id == mine.c.activity_id)
        .outerjoin(
            activity_catalogue_centers, activity_catalogue_centers.c.center_id == a.center_id
        )
        .where(
            mine.c.volunteer_id == volunteer_id,
            sa.true() if activity_id is None else mine.c.activity_id == activity_id,
        )
        .order_by(
            sa.case((ended, 1), else_=0),
            sa.case((ended, None), else_=a.starts_at),
            sa.case((ended, a.starts_at), else_=None).desc(),
            a.activity_id,
        )
        .limit(limit)
        .offset(offset)
    )
    return [
        MySignUp(
            activity_id=r.activity_id,
            title=r.title,
            center_id=r.center_id,
            center_name=r.center_name,
            starts_at=as_utc(r.starts_at),
            ends_at=as_utc(r.ends_at),
            activity_status=r.status,
            sign_up=r.sign_up,
            signed_up_at=_maybe_utc(r.signed_up_at),
            waiting_place=r.waiting_place,
            promoted_at=_maybe_utc(r.promoted_at),
            checked_in_at=_maybe_utc(r.checked_in_at),
            checked_out_at=_maybe_utc(r.checked_out_at),
            auto_closed_at=_maybe_utc(r.auto_closed_at),
            added_by_staff=r.added_by_staff,
            credited_minutes=r.credited_minutes,
        )
        for r in conn.execute(query)
    ]


def centers(
    conn: sa.Connection,
    *,
    org_unit_id: UUID | None = None,
    below: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> list[CenterRow]:
    """Youth centers by name (ties by id); with ``org_unit_id``, those in its subtree,
    or in the unit itself only when not ``below``."""
    c = activity_catalogue_centers.c
    query = sa.select(activity_catalogue_centers)
    if org_unit_id is not None and below:
        query = query.where(c.org_unit_id.in_(subtree_of(org_unit_id)))
    elif org_unit_id is not None:
        query = query.where(c.org_unit_id == org_unit_id)
    query = query.order_by(c.name, c.center_id).limit(limit).offset(offset)
    return [_center(r) for r in conn.execute(query)]


def center_row(conn: sa.Connection, center_id: UUID) -> CenterRow | None:
    c = activity_catalogue_centers.c
    row = conn.execute(
        sa.select(activity_catalogue_centers).where(c.center_id == center_id)
    ).first()
    return None if row is None else _center(row)


def center_names(conn: sa.Connection, center_ids: Iterable[UUID]) -> dict[UUID, str]:
    """The names of those centers the catalogue holds; the others are left out."""
    c = activity_catalogue_centers.c
    found = rows_where_in(conn, sa.select(c.center_id, c.name), c.center_id, set(center_ids))
    return {row.center_id: row.name for row in found}


def _center(r: Any) -> CenterRow:
    return CenterRow(
        center_id=r.center_id,
        name=r.name,
        org_unit_id=r.org_unit_id,
        address=r.address,
        location=GeoPoint(r.location_lat, r.location_lon),
        geofence_radius_m=r.geofence_radius_m,
        closed=r.closed,
    )


def _activity(r: Any) -> ActivityRow:
    has_place = r.location_lat is not None and r.location_lon is not None
    return ActivityRow(
        activity_id=r.activity_id,
        center_id=r.center_id,
        org_unit_id=r.org_unit_id,
        title=r.title,
        description=r.description,
        category=r.category,
        starts_at=as_utc(r.starts_at),
        ends_at=as_utc(r.ends_at),
        capacity=r.capacity,
        sign_up_required=r.sign_up_required,
        location_required=r.location_required,
        location=GeoPoint(r.location_lat, r.location_lon) if has_place else None,
        geofence_radius_m=r.geofence_radius_m,
        status=r.status,
        cancel_reason=r.cancel_reason,
        cancelled_at=_maybe_utc(r.cancelled_at),
        signed_up=r.signed_up,
        waiting=r.waiting,
        posted_at=as_utc(r.posted_at),
    )


def _bounding_box(near: Near) -> tuple[float, float, float, float]:
    """South, north, west, east edges of a box holding the circle (a little generous)."""
    radius = near.radius_m * 1.01
    dlat = math.degrees(radius / EARTH_RADIUS_M)
    south = max(-90.0, near.point.lat - dlat)
    north = min(90.0, near.point.lat + dlat)
    if south <= -90.0 or north >= 90.0:
        return south, north, -180.0, 180.0
    cos_lat = math.cos(math.radians(max(abs(south), abs(north))))
    dlon = math.degrees(radius / (EARTH_RADIUS_M * cos_lat)) if cos_lat > 1e-9 else 180.0
    if dlon >= 180.0:
        return south, north, -180.0, 180.0
    west = near.point.lon - dlon
    east = near.point.lon + dlon
    if west < -180.0:
        west += 360.0
    if east > 180.0:
        east -= 360.0
    return south, north, west, east


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    # SQLite hands instants back naive; handlers compare and write aware UTC ones.
    for name in _INSTANTS & row.keys():
        if row[name] is not None:
            row[name] = as_utc(row[name])
    return row


def _maybe_utc(at: datetime | None) -> datetime | None:
    return None if at is None else as_utc(at)


@dataclass(frozen=True)
class Arrivals:
    """Who has scanned in at an activity: how many, and the latest of them (newest
    first), as a venue screen shows them."""

    count: int
    latest: list[tuple[UUID, datetime]]


def arrivals(conn: sa.Connection, activity_id: UUID, *, latest: int = 5) -> Arrivals:
    """Volunteers who checked in at the activity by scanning (staff additions without
    a scan are not arrivals), counted once each whether or not they have left."""
    c = activity_catalogue_attendance.c
    scanned = sa.and_(c.activity_id == activity_id, c.checked_in_at.is_not(None))
    count = conn.execute(
        sa.select(sa.func.count()).select_from(activity_catalogue_attendance).where(scanned)
    ).scalar_one()
    rows = conn.execute(
        sa.select(c.volunteer_id, c.checked_in_at)
        .where(scanned)
        .order_by(c.checked_in_at.desc(), c.volunteer_id)
        .limit(latest)
    )
    return Arrivals(
        count=int(count), latest=[(r.volunteer_id, as_utc(r.checked_in_at)) for r in rows]
    )
