"""Service-hour ledger (服务时长): one line per credit or correction, per volunteer.

Updated asynchronously by a runner (batches, exactly once); read with a bounded
wait for the caller's own write. Every line names the attendance, activity and
center it belongs to, the events it came from, its minutes and, for a
correction, the reason and the staff member. Lines are keyed by their position
in the log, so a rebuild gives the identical rows.

A line shows its activity's title and its center's name as they are now: the
ledger keeps both from the activity's and the center's events
(``ledger_activities``, ``ledger_centers``) and a read joins them, so a renamed
activity is renamed on every line and an app needs no call per line to name it.

A line counts toward the day (week, month, year) its activity was scheduled to
start on, in the volunteer's org unit's zone: hours served in March stay in
March even when a correction is made in April. ``recorded_at`` (when the event
was recorded) is what "as of" reads go by: what the ledger said at that instant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance
from grassroots.domain.center import Center
from grassroots.domain.certificate import ServedMinutes
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.values import DEFAULT_TIME_ZONE
from grassroots.domain.volunteer import Volunteer
from grassroots.projections.activity_catalogue import (
    activity_catalogue_activities,
    activity_catalogue_centers,
)
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import JsonList, metadata
from grassroots.projections.engine import (
    BatchStart,
    EventContext,
    Projection,
    chunked,
    handles,
    missing,
    rows_where_in,
)
from grassroots.projections.instants import as_utc

__all__ = [
    "LedgerLine",
    "ServiceLedger",
    "StaffLineRow",
    "explain_line",
    "ledger_lines",
    "periods_of",
    "read_ledger",
    "read_ledger_page",
    "read_totals",
    "served_between",
    "staff_lines_at",
]

ledger_zones = sa.Table(
    "ledger_zones",
    metadata,
    sa.Column("org_unit_id", sa.Uuid, primary_key=True),
    sa.Column("time_zone", sa.String(64), nullable=False),
)

ledger_volunteers = sa.Table(
    "ledger_volunteers",
    metadata,
    sa.Column("volunteer_id", sa.Uuid, primary_key=True),
    sa.Column("org_unit_id", sa.Uuid, nullable=False),
)

ledger_attendances = sa.Table(
    "ledger_attendances",
    metadata,
    sa.Column("attendance_id", sa.Uuid, primary_key=True),
    sa.Column("volunteer_id", sa.Uuid, nullable=False),
    sa.Column("activity_id", sa.Uuid, nullable=False),
    sa.Column("center_id", sa.Uuid, nullable=False),
    sa.Column("service_date", sa.Date, nullable=False),
    sa.Column("opened_by", sa.String(80), nullable=False),
)

ledger_activities = sa.Table(
    "ledger_activities",
    metadata,
    sa.Column("activity_id", sa.Uuid, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
)

ledger_centers = sa.Table(
    "ledger_centers",
    metadata,
    sa.Column("center_id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
)

ledger_lines = sa.Table(
    "ledger_lines",
    metadata,
    sa.Column("volunteer_id", sa.Uuid, primary_key=True),
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("line_no", sa.Integer, nullable=False),
    sa.Column("attendance_id", sa.Uuid, nullable=False),
    sa.Column("activity_id", sa.Uuid, nullable=False),
    sa.Column("center_id", sa.Uuid, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("balance_after", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("staff_id", sa.Uuid, nullable=True),
    sa.Column("source_events", JsonList, nullable=False),
    sa.Column("service_date", sa.Date, nullable=False),
    sa.Column("iso_week", sa.String(8), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    # No index on (volunteer, recorded_at): an "as of" read takes the volunteer's
    # lines by the key and keeps those recorded by then (see migration 0009).
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)


class _Line(NamedTuple):
    """A row of ``ledger_lines``, its fields in the table's column order.

    Written once and never read back in a batch: a named tuple costs no dict to
    build, and the bulk writer takes it as the table's row.
    """

    volunteer_id: UUID
    position: int
    line_no: int
    attendance_id: UUID
    activity_id: UUID
    center_id: UUID
    kind: str
    minutes: int
    balance_after: int
    reason: str | None
    staff_id: UUID | None
    source_events: list[str]
    service_date: date
    iso_week: str
    month: str
    year: int
    occurred_at: datetime
    recorded_at: datetime


_INSERT_ATTENDANCES = Bulk.insert_into(ledger_attendances, sort_by=["attendance_id"])
_INSERT_LINES = Bulk.insert_into(ledger_lines, sort_by=["volunteer_id", "position"])


class LineKind:
    CREDIT = "credit"  # checked out
    AUTO_CLOSED = "auto_closed"  # no check-out: credited up to the scheduled end
    ADDED_BY_STAFF = "added_by_staff"  # 补录: came but never scanned
    ADJUSTMENT = "adjustment"  # a correction, positive or negative


_OPENING = (Attendance.CheckedIn, Attendance.AddedByStaff)
_CLOSING = (Attendance.CheckedOut, Attendance.AutoClosed, Attendance.Adjusted)
_PLACED = (Volunteer.Registered, Volunteer.ProfileChanged)


@dataclass
class _Batch:
    """What one batch reads and writes, kept in memory and flushed in bulk.

    The first four hold stored rows, loaded or made by the batch. They are also
    what the ledger remembers for its next batch (see ``BatchStart.remembered``):
    after the flush they hold exactly what the tables hold for those keys. A
    balance of ``(0, 0)`` stands for a volunteer known to have no lines yet.
    """

    zones: dict[UUID, str] = field(default_factory=dict)
    placements: dict[UUID, UUID] = field(default_factory=dict)
    attendances: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    balances: dict[UUID, tuple[int, int]] = field(default_factory=dict)
    new_zones: list[dict[str, Any]] = field(default_factory=list)
    placed: dict[UUID, UUID] = field(default_factory=dict)
    new_attendances: list[dict[str, Any]] = field(default_factory=list)
    new_lines: list[_Line] = field(default_factory=list)
    # Titles and names to write (the latest of the batch), and which of them are
    # new: only the others can have a stored row to replace.
    titles: dict[UUID, str] = field(default_factory=dict)
    names: dict[UUID, str] = field(default_factory=dict)
    first_named: set[UUID] = field(default_factory=set)

    # Whether the first three hold every row of their tables, and ``balances``
    # every volunteer's last line (see ``BatchState``): each handler that writes
    # such a row, or a line, puts it there.
    complete: bool = False

    def next_batch(self) -> _Batch:
        return _Batch(
            self.zones, self.placements, self.attendances, self.balances, complete=self.complete
        )

    def remembered(self) -> int:
        return max(len(self.placements), len(self.attendances))


class ServiceLedger(Projection):
    name = "service_ledger"
    tables = (
        ledger_zones,
        ledger_volunteers,
        ledger_attendances,
        ledger_lines,
        ledger_activities,
        ledger_centers,
    )

    def __init__(self) -> None:
        self._remembered = _Batch()

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> _Batch:
        """Read, in a few queries, every stored row the batch's events need and memory lacks."""
        state = self._remembered = self.carried_over(self._remembered, _Batch, start)
        if state.complete:
            # Memory holds every row there is: nothing to look for.
            return state
        volunteers: set[UUID] = set()
        closed: set[UUID] = set()
        units: set[UUID] = set()
        opened: set[UUID] = set()
        # By exact type, as ``apply_batch`` picks handlers.
        for ctx, e in batch:
            kind = type(e)
            if kind in _CLOSING:
                closed.add(ctx.originator_id)
            elif kind in _OPENING:
                volunteers.add(e.volunteer_id)
                opened.add(ctx.originator_id)
            elif kind in _PLACED:
                units.add(e.org_unit_id)
        # An attendance opened in the batch is made by it; only earlier ones are looked for.
        closed -= opened
        table = ledger_attendances
        for row in _rows_in(conn, table, table.c.attendance_id, missing(closed, state.attendances)):
            state.attendances[row["attendance_id"]] = row
        volunteers |= {
            state.attendances[a]["volunteer_id"] for a in closed if a in state.attendances
        }
        table = ledger_volunteers
        for row in _rows_in(
            conn, table, table.c.volunteer_id, missing(volunteers, state.placements)
        ):
            state.placements[row["volunteer_id"]] = row["org_unit_id"]
        units |= {state.placements[v] for v in volunteers if v in state.placements}
        table = ledger_zones
        for row in _rows_in(conn, table, table.c.org_unit_id, missing(units, state.zones)):
            state.zones[row["org_unit_id"]] = row["time_zone"]
        unknown = missing(volunteers, state.balances)
        state.balances.update(_last_balances(conn, unknown))
        for volunteer in missing(unknown, state.balances):
            state.balances[volunteer] = (0, 0)
        return state

    def flush_batch(self, conn: sa.Connection, state: _Batch) -> None:
        if state.new_zones:
            conn.execute(ledger_zones.insert(), state.new_zones)
        if state.placed:
            key = ledger_volunteers.c.volunteer_id
            for chunk in chunked(state.placed):
                conn.execute(ledger_volunteers.delete().where(key.in_(chunk)))
            conn.execute(
                ledger_volunteers.insert(),
                [{"volunteer_id": v, "org_unit_id": u} for v, u in state.placed.items()],
            )
        _INSERT_ATTENDANCES.execute(conn, state.new_attendances)
        _INSERT_LINES.insert_rows(conn, state.new_lines)
        _replace(conn, ledger_activities, "title", state.titles, state.first_named)
        _replace(conn, ledger_centers, "name", state.names, state.first_named)

    @handles(Activity.Posted)
    def _activity_posted(self, state: _Batch, e: Activity.Posted, ctx: EventContext) -> None:
        state.titles[ctx.originator_id] = e.title
        state.first_named.add(ctx.originator_id)

    @handles(Activity.DetailsChanged)
    def _activity_changed(
        self, state: _Batch, e: Activity.DetailsChanged, ctx: EventContext
    ) -> None:
        state.titles[ctx.originator_id] = e.title

    @handles(Center.Registered)
    def _center_registered(self, state: _Batch, e: Center.Registered, ctx: EventContext) -> None:
        state.names[ctx.originator_id] = e.name
        state.first_named.add(ctx.originator_id)

    @handles(Center.DetailsChanged)
    def _center_changed(self, state: _Batch, e: Center.DetailsChanged, ctx: EventContext) -> None:
        state.names[ctx.originator_id] = e.name

    @handles(OrgUnit.Created)
    def _org_unit_created(self, state: _Batch, e: OrgUnit.Created, ctx: EventContext) -> None:
        state.zones[ctx.originator_id] = e.time_zone
        state.new_zones.append({"org_unit_id": ctx.originator_id, "time_zone": e.time_zone})

    @handles(Volunteer.Registered, Volunteer.ProfileChanged)
    def _volunteer_placed(
        self, state: _Batch, e: Volunteer.Registered | Volunteer.ProfileChanged, ctx: EventContext
    ) -> None:
        state.placements[ctx.originator_id] = e.org_unit_id
        state.placed[ctx.originator_id] = e.org_unit_id

    @handles(Attendance.CheckedIn)
    def _checked_in(self, state: _Batch, e: Attendance.CheckedIn, ctx: EventContext) -> None:
        self._open(state, e, ctx)

    @handles(Attendance.AddedByStaff)
    def _added_by_staff(self, state: _Batch, e: Attendance.AddedByStaff, ctx: EventContext) -> None:
        self._open(state, e, ctx)
        self._line(state, ctx, LineKind.ADDED_BY_STAFF, e.minutes, e.at, e.reason, e.staff_id)

    @handles(Attendance.CheckedOut)
    def _checked_out(self, state: _Batch, e: Attendance.CheckedOut, ctx: EventContext) -> None:
        self._line(state, ctx, LineKind.CREDIT, e.credited_minutes, e.at)

    @handles(Attendance.AutoClosed)
    def _auto_closed(self, state: _Batch, e: Attendance.AutoClosed, ctx: EventContext) -> None:
        self._line(state, ctx, LineKind.AUTO_CLOSED, e.credited_minutes, e.closed_at)

    @handles(Attendance.Adjusted)
    def _adjusted(self, state: _Batch, e: Attendance.Adjusted, ctx: EventContext) -> None:
        self._line(state, ctx, LineKind.ADJUSTMENT, e.minutes, e.at, e.reason, e.staff_id)

    def _open(
        self, state: _Batch, e: Attendance.CheckedIn | Attendance.AddedByStaff, ctx: EventContext
    ) -> None:
        unit = state.placements.get(e.volunteer_id)
        zone = ZoneInfo(state.zones.get(unit, DEFAULT_TIME_ZONE) if unit else DEFAULT_TIME_ZONE)
        row = {
            "attendance_id": ctx.originator_id,
            "volunteer_id": e.volunteer_id,
            "activity_id": e.activity_id,
            "center_id": e.center_id,
            "service_date": e.scheduled_start.astimezone(zone).date(),
            "opened_by": ctx.event_ref,
        }
        state.attendances[ctx.originator_id] = row
        state.new_attendances.append(row)

    def _line(
        self,
        state: _Batch,
        ctx: EventContext,
        kind: str,
        minutes: int,
        occurred_at: datetime,
        reason: str | None = None,
        staff_id: UUID | None = None,
    ) -> None:
        attendance = state.attendances[ctx.originator_id]
        volunteer = attendance["volunteer_id"]
        line_no, balance = state.balances.get(volunteer, (0, 0))
        state.balances[volunteer] = (line_no + 1, balance + minutes)
        # A credit explains itself with the scan that opened the attendance and
        # the event that closed it; a staff line with its own event.
        sources = [ctx.event_ref]
        if kind in (LineKind.CREDIT, LineKind.AUTO_CLOSED):
            sources.insert(0, attendance["opened_by"])
        day: date = attendance["service_date"]
        week, month = _periods(day)
        state.new_lines.append(
            _Line(
                volunteer_id=volunteer,
                position=ctx.position,
                line_no=line_no + 1,
                attendance_id=ctx.originator_id,
                activity_id=attendance["activity_id"],
                center_id=attendance["center_id"],
                kind=kind,
                minutes=minutes,
                balance_after=balance + minutes,
                reason=reason,
                staff_id=staff_id,
                source_events=sources,
                service_date=day,
                iso_week=week,
                month=month,
                year=day.year,
                occurred_at=as_utc(occurred_at),
                recorded_at=as_utc(ctx.recorded_at),
            )
        )


@lru_cache(maxsize=4096)
def _periods(day: date) -> tuple[str, str]:
    """The ISO week and the month a service date falls in ("2026-W10", "2026-03").

    Kept for the days in use: a catch-up writes many lines for each day.
    """
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}", f"{day.year}-{day.month:02d}"


def _replace(
    conn: sa.Connection,
    table: sa.Table,
    column: str,
    values: dict[UUID, str],
    first_named: set[UUID],
) -> None:
    """Write each id's latest value, replacing the stored one of an id named before."""
    if not values:
        return
    key = table.primary_key.columns.values()[0]
    for chunk in chunked(values.keys() - first_named):
        conn.execute(table.delete().where(key.in_(chunk)))
    conn.execute(table.insert(), [{key.name: k, column: v} for k, v in sorted(values.items())])


def periods_of(day: date) -> tuple[str, str, str]:
    """The names of the week, month and year a day counts toward in ``read_totals``."""
    week, month = _periods(day)
    return week, month, str(day.year)


def _rows_in(
    conn: sa.Connection, table: sa.Table, column: sa.Column[Any], keys: set[UUID]
) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in rows_where_in(conn, sa.select(table), column, keys)]


def _last_balances(conn: sa.Connection, volunteers: set[UUID]) -> dict[UUID, tuple[int, int]]:
    """Each volunteer's last line number and balance, in one query per 500 volunteers."""
    balances: dict[UUID, tuple[int, int]] = {}
    for chunk in chunked(volunteers):
        last = (
            sa.select(ledger_lines.c.volunteer_id, sa.func.max(ledger_lines.c.position).label("p"))
            .where(ledger_lines.c.volunteer_id.in_(chunk))
            .group_by(ledger_lines.c.volunteer_id)
            .subquery()
        )
        query = sa.select(
            ledger_lines.c.volunteer_id, ledger_lines.c.line_no, ledger_lines.c.balance_after
        ).join(
            last,
            sa.and_(
                ledger_lines.c.volunteer_id == last.c.volunteer_id,
                ledger_lines.c.position == last.c.p,
            ),
        )
        for volunteer, line_no, balance in conn.execute(query):
            balances[volunteer] = (line_no, balance)
    return balances


@dataclass(frozen=True)
class LedgerLine:
    position: int
    line_no: int
    kind: str
    minutes: int
    balance_after: int
    attendance_id: UUID
    activity_id: UUID
    center_id: UUID
    reason: str | None
    staff_id: UUID | None
    source_events: list[str]
    service_date: date
    recorded_at: datetime
    # None only for an activity or center whose first event this ledger never saw.
    activity_title: str | None = None
    center_name: str | None = None


def _lines_query(volunteer_id: UUID, as_of: datetime | None) -> sa.Select[Any]:
    query = (
        sa.select(ledger_lines, ledger_activities.c.title, ledger_centers.c.name)
        .outerjoin(ledger_activities, ledger_activities.c.activity_id == ledger_lines.c.activity_id)
        .outerjoin(ledger_centers, ledger_centers.c.center_id == ledger_lines.c.center_id)
        .where(ledger_lines.c.volunteer_id == volunteer_id)
    )
    if as_of is not None:
        query = query.where(ledger_lines.c.recorded_at <= as_of)
    return query.order_by(ledger_lines.c.position)


def read_ledger(
    conn: sa.Connection, volunteer_id: UUID, *, as_of: datetime | None = None
) -> list[LedgerLine]:
    """The volunteer's lines in order; with ``as_of``, only what was recorded by then."""
    return _ledger_lines_of(conn, _lines_query(volunteer_id, as_of))


def read_ledger_page(
    conn: sa.Connection,
    volunteer_id: UUID,
    *,
    limit: int,
    offset: int = 0,
    after: int | None = None,
    as_of: datetime | None = None,
) -> list[LedgerLine]:
    """At most ``limit`` of the volunteer's lines in order, read in SQL off the key.

    The lines are those ``read_ledger`` gives, from the ``offset``-th on or, with
    ``after``, those whose position comes after it (a keyset page: the key
    ``(volunteer_id, position)`` leads straight to it, however long the ledger).
    Ask for ``limit + 1`` to learn whether another page follows.
    """
    query = _lines_query(volunteer_id, as_of)
    if after is not None:
        query = query.where(ledger_lines.c.position > after)
    return _ledger_lines_of(conn, query.limit(limit).offset(offset))


def _ledger_lines_of(conn: sa.Connection, query: sa.Select[Any]) -> list[LedgerLine]:
    return [
        LedgerLine(
            position=row.position,
            line_no=row.line_no,
            kind=row.kind,
            minutes=row.minutes,
            balance_after=row.balance_after,
            attendance_id=row.attendance_id,
            activity_id=row.activity_id,
            center_id=row.center_id,
            reason=row.reason,
            staff_id=row.staff_id,
            source_events=row.source_events,
            service_date=row.service_date,
            recorded_at=as_utc(row.recorded_at),
            activity_title=row.title,
            center_name=row.name,
        )
        for row in conn.execute(query)
    ]


@dataclass(frozen=True)
class StaffLineRow:
    """A staff member's line at an activity (补录 or a correction): its minutes, why,
    who wrote it (an account id) and when."""

    volunteer_id: UUID
    position: int
    kind: str
    minutes: int
    reason: str
    staff_id: UUID
    occurred_at: datetime


_STAFF_KINDS = (LineKind.ADDED_BY_STAFF, LineKind.ADJUSTMENT)


def staff_lines_at(
    conn: sa.Connection, activity_id: UUID, volunteer_ids: Iterable[UUID]
) -> dict[UUID, list[StaffLineRow]]:
    """The staff lines of these volunteers at one activity, each volunteer's in the
    order they were written; a volunteer without any is absent. Read off the key
    (volunteer first), so a roster asks only for those it counts staff lines for."""
    c = ledger_lines.c
    query = sa.select(
        c.volunteer_id, c.position, c.kind, c.minutes, c.reason, c.staff_id, c.occurred_at
    ).where(c.activity_id == activity_id, c.kind.in_(_STAFF_KINDS))
    found: dict[UUID, list[StaffLineRow]] = {}
    for row in sorted(
        rows_where_in(conn, query, c.volunteer_id, set(volunteer_ids)), key=_by_position
    ):
        found.setdefault(row.volunteer_id, []).append(
            StaffLineRow(
                volunteer_id=row.volunteer_id,
                position=row.position,
                kind=row.kind,
                minutes=row.minutes,
                reason=row.reason or "",
                staff_id=row.staff_id,
                occurred_at=as_utc(row.occurred_at),
            )
        )
    return found


def _by_position(row: sa.Row[Any]) -> int:
    return int(row.position)


def explain_line(conn: sa.Connection, volunteer_id: UUID, position: int) -> list[str] | None:
    """The events behind one line, in order (``"<aggregate id>:<version>"``), or None."""
    found = conn.execute(
        sa.select(ledger_lines.c.source_events).where(
            ledger_lines.c.volunteer_id == volunteer_id, ledger_lines.c.position == position
        )
    ).scalar()
    return None if found is None else list(found)


def read_totals(
    conn: sa.Connection, volunteer_id: UUID, period: str, *, as_of: datetime | None = None
) -> dict[str, int]:
    """Credited minutes per ISO week ("2026-W10"), month ("2026-03") or year ("2026")."""
    column = {
        "week": ledger_lines.c.iso_week,
        "month": ledger_lines.c.month,
        "year": sa.cast(ledger_lines.c.year, sa.String),
    }[period]
    query = (
        sa.select(column.label("period"), sa.func.sum(ledger_lines.c.minutes))
        .where(ledger_lines.c.volunteer_id == volunteer_id)
        .group_by(column)
        .order_by(column)
    )
    if as_of is not None:
        query = query.where(ledger_lines.c.recorded_at <= as_of)
    return {str(period_name): int(total) for period_name, total in conn.execute(query)}


def served_between(
    conn: sa.Connection, volunteer_id: UUID, from_day: date, to_day: date
) -> list[ServedMinutes]:
    """The volunteer's lines served from ``from_day`` to ``to_day`` (both included, by
    the day the activity was scheduled on), oldest first, with the activity's title
    and the center's name as the activity catalogue has them now."""
    activities = activity_catalogue_activities
    centers = activity_catalogue_centers
    query = (
        sa.select(
            ledger_lines.c.attendance_id,
            ledger_lines.c.service_date,
            sa.func.coalesce(activities.c.title, "").label("title"),
            sa.func.coalesce(centers.c.name, "").label("center_name"),
            ledger_lines.c.minutes,
        )
        .select_from(ledger_lines)
        .outerjoin(activities, activities.c.activity_id == ledger_lines.c.activity_id)
        .outerjoin(centers, centers.c.center_id == ledger_lines.c.center_id)
        .where(
            ledger_lines.c.volunteer_id == volunteer_id,
            ledger_lines.c.service_date >= from_day,
            ledger_lines.c.service_date <= to_day,
        )
        .order_by(ledger_lines.c.position)
    )
    return [
        ServedMinutes(
            attendance_id=row.attendance_id,
            service_date=row.service_date,
            activity_title=row.title,
            center_name=row.center_name,
            minutes=row.minutes,
        )
        for row in conn.execute(query)
    ]
