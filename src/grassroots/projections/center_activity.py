"""Activity counts per youth center (青年之家), per ISO week and per month, rolled up the tree.

Updated asynchronously by a runner (batches, exactly once, see ``runner.py``);
read with a bounded wait for the caller's own write. The roll-up to a township,
county or city is computed when asked, by joining the org tree's ``org_closure``
(``subtree_of``): the tree is never copied here, so a moved unit takes its
centers' figures with it as soon as the org tree has caught up.

What is kept
    One row per activity (``center_activity_activities``) with its period and
    its own figures; a period's figures are the sum over its activities' rows,
    so moving an activity to another period is one update of its row, and the
    counts follow exactly. Beside it: each center's org unit and zone, each
    org unit's zone (from ``OrgUnit.Created``: this read model keeps its own
    copy instead of reading the org tree's table while handling, because that
    projection may be behind or ahead of this one and handlers must be
    deterministic), the places currently held per activity, an attendance →
    activity lookup, and the membership table of distinct volunteers.

How a batch is written
    Statements, not rows, are what a catch-up pays for, so the handlers never
    touch the database: ``begin_batch`` reads the few stored rows a batch's
    events need, the handlers work on those in memory, and ``flush_batch``
    writes the outcome with a handful of bulk statements. Figures are written
    as ``figure + delta`` and never read; the membership rows of the batch's
    attendances are written if absent, for the periods their activities are in
    once the batch's reschedules are applied.

Periods
    An activity belongs to the period of its scheduled start's local date in
    the zone of its center's org unit: ISO week ``"2026-W10"``, month
    ``"2026-03"``. A Sunday 23:30 start in Asia/Shanghai belongs to that Sunday's
    ISO week; a 00:10 start on the 1st belongs to the new month, though both
    are the previous day in UTC. ``Activity.DetailsChanged`` that moves the
    start into another period moves all of the activity's figures with it,
    its distinct volunteers included.

The figures
    posted
        Activities posted (``Activity.Posted``), counted in their period.
    cancelled
        Activities cancelled (``Activity.Cancelled``).
    held
        Activities not cancelled with at least one attendance opened (a
        ``Attendance.CheckedIn`` scan or an ``Attendance.AddedByStaff`` entry).
        The events carry no tick at the end of an activity, so "held" cannot
        be read off the clock and is derived from attendance facts: an
        activity counts as held from its first attendance on. One cancelled
        while under way, after volunteers had checked in, counts as cancelled
        and not as held, so held and cancelled never overlap (posted ≥ held +
        cancelled; the rest are upcoming or had nobody come). Its check-ins,
        volunteers and minutes still count: the service was given.
    sign_ups
        Places ever taken: ``Activity.SignedUp`` plus ``Activity.Promoted``
        (from the waiting list). A volunteer who withdraws and signs up again
        took two places. Joining the waiting list is not a sign-up.
    signed_up_now
        Places held now: places taken minus withdrawals of a place holder. A
        ``Withdrawn`` from the waiting list takes no place away (the event does
        not say which list it left, so the places held are kept per activity).
    check_ins
        ``Attendance.CheckedIn`` events.
    added_by_staff
        ``Attendance.AddedByStaff`` events (补录: came but never scanned).
    volunteers
        Distinct volunteers with an attendance (checked in or added by staff)
        at the center's activities in the period. Kept exact by a membership
        table (center, period kind, period, volunteer) written insert-if-absent,
        so the count never depends on the order events arrive in and a rebuild
        gives the same rows. Rolled up, it is counted distinct across the whole
        subtree at query time: a volunteer at two centers of a county counts
        once for the county.
    credited_minutes
        ``CheckedOut.credited_minutes`` + ``AutoClosed.credited_minutes`` +
        ``AddedByStaff.minutes`` + ``Adjusted.minutes`` (negative for a
        deduction), attributed to the activity's period, not to the day a
        correction was made. The later attendance events carry only the
        attendance's id, so ``center_activity_attendances`` maps it to its
        activity.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from itertools import product
from typing import Any, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance
from grassroots.domain.center import Center
from grassroots.domain.compliance import PeriodKind
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.values import DEFAULT_TIME_ZONE, iso_week_of
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import metadata
from grassroots.projections.engine import (
    BatchStart,
    EventContext,
    Projection,
    chunked,
    handles,
    missing,
)
from grassroots.projections.org_tree import subtree_of

__all__ = [
    "ActivityCounts",
    "CenterActivity",
    "CenterCounts",
    "OrgUnitCounts",
    "PeriodCounts",
    "center_activity_activities",
    "center_activity_attendances",
    "center_activity_centers",
    "center_activity_places",
    "center_activity_volunteers",
    "center_activity_zones",
    "center_counts",
    "month_of",
    "org_unit_counts",
    "week_of",
]


center_activity_zones = sa.Table(
    "center_activity_zones",
    metadata,
    sa.Column("org_unit_id", sa.Uuid, primary_key=True),
    sa.Column("time_zone", sa.String(64), nullable=False),
)

center_activity_centers = sa.Table(
    "center_activity_centers",
    metadata,
    sa.Column("center_id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("org_unit_id", sa.Uuid, nullable=False),
    sa.Column("time_zone", sa.String(64), nullable=False),
    sa.Index("ix_center_activity_centers_org_unit", "org_unit_id"),
)

center_activity_activities = sa.Table(
    "center_activity_activities",
    metadata,
    sa.Column("activity_id", sa.Uuid, primary_key=True),
    sa.Column("center_id", sa.Uuid, nullable=False),
    sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("local_date", sa.Date, nullable=False),
    sa.Column("iso_week", sa.String(8), nullable=False),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("cancelled", sa.Boolean, nullable=False),
    sa.Column("sign_ups", sa.Integer, nullable=False),
    sa.Column("signed_up_now", sa.Integer, nullable=False),
    sa.Column("check_ins", sa.Integer, nullable=False),
    sa.Column("added_by_staff", sa.Integer, nullable=False),
    sa.Column("credited_minutes", sa.Integer, nullable=False),
    sa.Index("ix_center_activity_activities_center_week", "center_id", "iso_week"),
    sa.Index("ix_center_activity_activities_center_month", "center_id", "month"),
)

# Who holds a place in an activity now: a Withdrawn event does not say whether
# the volunteer left a place or the waiting list.
center_activity_places = sa.Table(
    "center_activity_places",
    metadata,
    sa.Column("activity_id", sa.Uuid, primary_key=True),
    sa.Column("volunteer_id", sa.Uuid, primary_key=True),
)

# Attendance → activity: CheckedOut, AutoClosed and Adjusted carry only the attendance id.
center_activity_attendances = sa.Table(
    "center_activity_attendances",
    metadata,
    sa.Column("attendance_id", sa.Uuid, primary_key=True),
    sa.Column("activity_id", sa.Uuid, nullable=False),
    sa.Column("volunteer_id", sa.Uuid, nullable=False),
    sa.Index("ix_center_activity_attendances_activity", "activity_id"),
)

# The distinct volunteers of a center in a period: one row each, whatever the
# number of attendances, written insert-if-absent.
center_activity_volunteers = sa.Table(
    "center_activity_volunteers",
    metadata,
    sa.Column("center_id", sa.Uuid, primary_key=True),
    sa.Column("period_kind", sa.String(5), primary_key=True),
    sa.Column("period", sa.String(8), primary_key=True),
    sa.Column("volunteer_id", sa.Uuid, primary_key=True),
    # Every count names the center, which leads the key: no index by period (0009).
)

_activities = center_activity_activities
_volunteers = center_activity_volunteers


def week_of(day: date) -> str:
    """The ISO week a local date falls in: ``"2026-W10"``."""
    return str(iso_week_of(day))


def month_of(day: date) -> str:
    """The month a local date falls in: ``"2026-03"``."""
    return f"{day.year}-{day.month:02d}"


def _period_column(kind: PeriodKind) -> sa.Column[str]:
    if kind == "week":
        return _activities.c.iso_week
    if kind == "month":
        return _activities.c.month
    raise ValueError(f"unknown period kind {kind!r} (known: week, month)")


_OPENING = (Attendance.CheckedIn, Attendance.AddedByStaff)
_CLOSING = (Attendance.CheckedOut, Attendance.AutoClosed, Attendance.Adjusted)
_PERIOD_KEYS = {"week": "iso_week", "month": "month"}
_COUNTERS = ("sign_ups", "signed_up_now", "check_ins", "added_by_staff", "credited_minutes")
_SCHEDULE = ("starts_at", "local_date", "iso_week", "month")
_MEMBER_COLUMNS = ("center_id", "period_kind", "period", "volunteer_id")


class _Member(NamedTuple):
    """One row of the membership table, and its key."""

    center_id: UUID
    period_kind: str
    period: str
    volunteer_id: UUID


class _AttendanceRow(NamedTuple):
    """One row of ``center_activity_attendances``."""

    attendance_id: UUID
    activity_id: UUID
    volunteer_id: UUID


@dataclass
class _Batch:
    """What one batch reads and writes, kept in memory and flushed in bulk.

    Rows loaded from the database and rows made by the batch's own events sit in
    the same dicts, so each event sees what the events before it in the batch
    did, exactly as if every event had been written on its own.

    ``zones``, ``centers``, ``activities`` and ``attendances`` are also what this
    read model remembers for its next batch (see ``BatchStart.remembered``):
    after the flush they hold what the tables hold for those keys (of a stored
    activity, where it counts; an inserted one's other values are not read again).
    """

    zones: dict[UUID, str] = field(default_factory=dict)
    new_zones: list[dict[str, Any]] = field(default_factory=list)
    # Center → the zone its days are counted in.
    centers: dict[UUID, str] = field(default_factory=dict)
    new_centers: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    renamed: dict[UUID, str] = field(default_factory=dict)
    # A posted activity's row; of one already stored, only where it counts (center
    # and periods), loaded when a reschedule needs it.
    activities: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    new_activities: dict[UUID, None] = field(default_factory=dict)
    # What the batch adds to each activity's figures: a posted one is inserted
    # with them, a stored one updated to ``figure + delta``, never read.
    deltas: dict[UUID, dict[str, int]] = field(default_factory=dict)
    cancelled: set[UUID] = field(default_factory=set)
    rescheduled: set[UUID] = field(default_factory=set)
    # Places held: the stored ones of the volunteers who withdraw in the batch,
    # and those taken in it.
    stored_places: set[tuple[UUID, UUID]] = field(default_factory=set)
    places: set[tuple[UUID, UUID]] = field(default_factory=set)
    # Attendance → activity.
    attendances: dict[UUID, UUID] = field(default_factory=dict)
    # Rows of ``center_activity_attendances``: (attendance, activity, volunteer).
    new_attendances: list[_AttendanceRow] = field(default_factory=list)
    # For what a rescheduled activity needs: the volunteers with an attendance at
    # each activity rescheduled in the batch, and every activity of those
    # activities' centers each such volunteer attended. Complete for that alone,
    # unless the batch is ``complete``: then every activity's attendees and every
    # volunteer's visits, kept from batch to batch.
    attendees: dict[UUID, list[UUID]] = field(default_factory=dict)
    visits: dict[UUID, set[UUID]] = field(default_factory=dict)
    # Whether each membership row a reschedule decided on exists after it. The rows
    # of the batch's own attendances are written from the tables at the end.
    members: dict[_Member, bool] = field(default_factory=dict)

    # Whether ``zones``, ``centers``, ``activities`` and ``attendances`` hold every
    # row of their tables (see ``BatchState``): each handler making one keeps it.
    complete: bool = False

    def next_batch(self) -> _Batch:
        """A batch that starts from what this one leaves remembered."""
        return _Batch(
            zones=self.zones,
            centers=self.centers,
            activities=self.activities,
            attendances=self.attendances,
            attendees=self.attendees if self.complete else {},
            visits=self.visits if self.complete else {},
            complete=self.complete,
        )

    def remembered(self) -> int:
        return max(len(self.activities), len(self.attendances))


@dataclass
class _Needs:
    """What a batch's events refer to, found in one pass over them."""

    units: set[UUID] = field(default_factory=set)
    registered: set[UUID] = field(default_factory=set)
    posted: dict[UUID, UUID] = field(default_factory=dict)  # activity → center
    rescheduled: set[UUID] = field(default_factory=set)
    withdrawn: set[tuple[UUID, UUID]] = field(default_factory=set)
    opened: dict[UUID, tuple[UUID, UUID]] = field(default_factory=dict)  # → activity, volunteer
    closed: set[UUID] = field(default_factory=set)
    # Volunteers with an attendance opened in the batch at an activity the batch
    # reschedules after it: only their other visits matter to the move.
    opened_before_move: set[UUID] = field(default_factory=set)

    @classmethod
    def of(cls, batch: Sequence[tuple[EventContext, Any]]) -> _Needs:
        needs = cls()
        created: set[UUID] = set()
        # Each move, and how many attendances the batch had opened before it.
        moves: list[tuple[UUID, int]] = []
        for ctx, e in batch:
            kind = type(e)
            if kind in _OPENING:
                needs.opened[ctx.originator_id] = (e.activity_id, e.volunteer_id)
            elif kind in _CLOSING:
                needs.closed.add(ctx.originator_id)
            elif kind is Activity.Withdrawn:
                needs.withdrawn.add((ctx.originator_id, e.volunteer_id))
            elif kind is Activity.Posted:
                needs.posted[ctx.originator_id] = e.center_id
            elif kind is Activity.DetailsChanged:
                needs.rescheduled.add(ctx.originator_id)
                moves.append((ctx.originator_id, len(needs.opened)))
            elif kind is Center.Registered:
                needs.registered.add(ctx.originator_id)
                needs.units.add(e.org_unit_id)
            elif kind is OrgUnit.Created:
                created.add(ctx.originator_id)
        needs.units -= created
        needs.closed -= needs.opened.keys()
        if moves:
            openings = list(needs.opened.values())  # in the order they were opened
            for moved, before in moves:
                needs.opened_before_move.update(v for a, v in openings[:before] if a == moved)
        return needs


class CenterActivity(Projection):
    name = "center_activity"
    tables = (
        center_activity_zones,
        center_activity_centers,
        center_activity_activities,
        center_activity_places,
        center_activity_attendances,
        center_activity_volunteers,
    )

    def __init__(self) -> None:
        self._remembered = _Batch()

    # --- reading what a batch needs, writing what it did ----------------------

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> _Batch:
        """Read, in a few queries, every stored row the batch's events need and memory lacks."""
        state = self._remembered = self.carried_over(self._remembered, _Batch, start)
        if state.complete:
            # Every zone, center, activity and attendance is in memory, with who
            # attended what; only the places held are not kept from batch to batch.
            _load_places(conn, state, _withdrawals(batch), ())
            return state
        needs = _Needs.of(batch)
        zones = center_activity_zones
        units = missing(needs.units, state.zones)
        for row in _rows_in(conn, sa.select(zones), (zones.c.org_unit_id, units)):
            state.zones[row.org_unit_id] = row.time_zone

        attendances = center_activity_attendances
        query = sa.select(attendances.c.attendance_id, attendances.c.activity_id)
        closed = missing(needs.closed, state.attendances)
        for row in _rows_in(conn, query, (attendances.c.attendance_id, closed)):
            state.attendances[row.attendance_id] = row.activity_id

        if needs.rescheduled:
            self._load_for_reschedules(conn, state, needs)

        centers = set(needs.posted.values()) | {
            state.activities[a]["center_id"] for a in needs.rescheduled if a in state.activities
        }
        table = center_activity_centers
        query = sa.select(table.c.center_id, table.c.time_zone)
        centers = missing(centers - needs.registered, state.centers)
        for row in _rows_in(conn, query, (table.c.center_id, centers)):
            state.centers[row.center_id] = row.time_zone

        _load_places(conn, state, needs.withdrawn, needs.posted.keys())
        return state

    @staticmethod
    def _load_for_reschedules(conn: sa.Connection, state: _Batch, needs: _Needs) -> None:
        """What moving an activity and deciding its volunteers' membership needs.

        Whether a volunteer still belongs to the period an activity left depends
        on their other attendances at that center in that period, stored or made
        earlier in the batch; so for each volunteer who attended a rescheduled
        activity, every activity of its center they attended is loaded.
        """
        stored = needs.rescheduled - needs.posted.keys()
        _load_activities(conn, state, stored)
        attendances = center_activity_attendances
        for activity in needs.rescheduled:
            state.attendees[activity] = []
        query = sa.select(attendances.c.activity_id, attendances.c.volunteer_id)
        for row in _rows_in(conn, query, (attendances.c.activity_id, stored)):
            state.attendees[row.activity_id].append(row.volunteer_id)
        # A move decides the membership of the volunteers who attended before it:
        # those of earlier batches and those the batch opened before the move.
        # One who attends after the move counts where the activity then is.
        volunteers = {v for found in state.attendees.values() for v in found}
        volunteers |= needs.opened_before_move
        if not volunteers:
            return
        for volunteer in volunteers:
            state.visits[volunteer] = set()
        _load_activities(
            conn,
            state,
            {a for a, v in needs.opened.values() if v in volunteers} - needs.posted.keys(),
        )
        centers = {
            needs.posted[a] if a in needs.posted else state.activities[a]["center_id"]
            for a in needs.rescheduled
            if a in needs.posted or a in state.activities
        }
        query = sa.select(attendances.c.volunteer_id.label("visitor"), *_WHERE_IT_COUNTS).join(
            _activities, _activities.c.activity_id == attendances.c.activity_id
        )
        for row in _rows_in(
            conn,
            query,
            (_activities.c.center_id, centers),
            (attendances.c.volunteer_id, volunteers),
        ):
            visited = row._asdict()
            state.visits[visited.pop("visitor")].add(row.activity_id)
            state.activities.setdefault(row.activity_id, visited)

    def flush_batch(self, conn: sa.Connection, state: _Batch) -> None:
        if state.new_zones:
            conn.execute(center_activity_zones.insert(), state.new_zones)
        if state.new_centers:
            conn.execute(center_activity_centers.insert(), list(state.new_centers.values()))
        if state.renamed:
            centers = center_activity_centers
            conn.execute(
                centers.update()
                .where(centers.c.center_id == sa.bindparam("b_center_id"))
                .values(name=sa.bindparam("b_name")),
                [{"b_center_id": c, "b_name": n} for c, n in state.renamed.items()],
            )
        self._flush_activities(conn, state)
        places = center_activity_places
        left = state.stored_places - state.places
        if left:
            conn.execute(
                places.delete().where(
                    places.c.activity_id == sa.bindparam("b_activity_id"),
                    places.c.volunteer_id == sa.bindparam("b_volunteer_id"),
                ),
                [{"b_activity_id": a, "b_volunteer_id": v} for a, v in left],
            )
        taken = state.places - state.stored_places
        _INSERT_PLACES.insert_rows(conn, list(taken))
        _INSERT_ATTENDANCES.insert_rows(conn, state.new_attendances)
        # Last: membership is read off the activities and attendances just written.
        self._flush_members(conn, state)

    @staticmethod
    def _flush_activities(conn: sa.Connection, state: _Batch) -> None:
        if state.new_activities:
            zeros = dict.fromkeys(_COUNTERS, 0)
            _INSERT_ACTIVITIES.execute(
                conn,
                [
                    {**state.activities[a], **state.deltas.pop(a, zeros)}
                    for a in state.new_activities
                ],
            )
        by_id = _activities.c.activity_id == sa.bindparam("b_activity_id")
        _ADD_TO_FIGURES.execute(
            conn,
            [
                {"b_activity_id": a, **{f"b_{n}": d for n, d in delta.items()}}
                for a, delta in state.deltas.items()
            ],
        )
        if state.cancelled:
            conn.execute(
                _activities.update().where(by_id).values(cancelled=True),
                [{"b_activity_id": a} for a in state.cancelled],
            )
        if state.rescheduled:
            conn.execute(
                _activities.update()
                .where(by_id)
                .values({n: sa.bindparam(f"b_{n}") for n in _SCHEDULE}),
                [
                    {"b_activity_id": a, **{f"b_{n}": state.activities[a][n] for n in _SCHEDULE}}
                    for a in state.rescheduled
                ],
            )

    @staticmethod
    def _flush_members(conn: sa.Connection, state: _Batch) -> None:
        # What the batch's reschedules decided, first: a row one of them removed
        # may belong again to a volunteer who attended later in the batch.
        gone = [key for key, present in state.members.items() if not present]
        if gone:
            conn.execute(
                _volunteers.delete().where(
                    *(_volunteers.c[n] == sa.bindparam(f"b_{n}") for n in _MEMBER_COLUMNS)
                ),
                [dict(zip(_BOUND_MEMBER_COLUMNS, key, strict=True)) for key in gone],
            )
        members = {key for key, present in state.members.items() if present}
        # Then every volunteer who attended in the batch belongs to the periods their
        # activities are in now (after the batch's reschedules, written above).
        _load_activities(conn, state, (row.activity_id for row in state.new_attendances))
        for row in state.new_attendances:
            activity = state.activities.get(row.activity_id)  # None: never posted
            if activity is not None:
                center, volunteer = activity["center_id"], row.volunteer_id
                members.add(_Member(center, "week", activity["iso_week"], volunteer))
                members.add(_Member(center, "month", activity["month"], volunteer))
        # Written if absent: the row may be there from an earlier batch.
        bulk = _ADD_MEMBERS_POSTGRES if conn.dialect.name == "postgresql" else _ADD_MEMBERS
        bulk.insert_rows(conn, list(members))

    # --- where centers are and which zone they count days in -----------------

    @handles(OrgUnit.Created)
    def _org_unit_created(self, state: _Batch, e: OrgUnit.Created, ctx: EventContext) -> None:
        state.zones[ctx.originator_id] = e.time_zone
        state.new_zones.append({"org_unit_id": ctx.originator_id, "time_zone": e.time_zone})

    @handles(Center.Registered)
    def _center_registered(self, state: _Batch, e: Center.Registered, ctx: EventContext) -> None:
        zone = state.zones.get(e.org_unit_id) or DEFAULT_TIME_ZONE
        state.centers[ctx.originator_id] = zone
        state.new_centers[ctx.originator_id] = {
            "center_id": ctx.originator_id,
            "name": e.name,
            "org_unit_id": e.org_unit_id,
            "time_zone": zone,
        }

    @handles(Center.DetailsChanged)
    def _center_renamed(self, state: _Batch, e: Center.DetailsChanged, ctx: EventContext) -> None:
        if ctx.originator_id in state.new_centers:
            state.new_centers[ctx.originator_id]["name"] = e.name
        else:
            state.renamed[ctx.originator_id] = e.name

    # --- activities -----------------------------------------------------------

    @handles(Activity.Posted)
    def _posted(self, state: _Batch, e: Activity.Posted, ctx: EventContext) -> None:
        day = self._local_date(state, e.center_id, e.starts_at)
        state.activities[ctx.originator_id] = {
            "activity_id": ctx.originator_id,
            "center_id": e.center_id,
            "starts_at": e.starts_at,
            "local_date": day,
            "iso_week": week_of(day),
            "month": month_of(day),
            "cancelled": False,
        }
        state.new_activities[ctx.originator_id] = None

    @handles(Activity.DetailsChanged)
    def _details_changed(
        self, state: _Batch, e: Activity.DetailsChanged, ctx: EventContext
    ) -> None:
        activity = state.activities[ctx.originator_id]
        center = activity["center_id"]
        day = self._local_date(state, center, e.starts_at)
        week, month = week_of(day), month_of(day)
        moved: list[tuple[PeriodKind, str]] = []
        if week != activity["iso_week"]:
            moved += [("week", activity["iso_week"]), ("week", week)]
        if month != activity["month"]:
            moved += [("month", activity["month"]), ("month", month)]
        activity.update(starts_at=e.starts_at, local_date=day, iso_week=week, month=month)
        if ctx.originator_id not in state.new_activities:
            state.rescheduled.add(ctx.originator_id)
        # The domain freezes the schedule once check-in opens, so a moved activity
        # normally has no attendance yet; if it had, its volunteers move with it.
        for kind, period in moved:
            # Loading sets every rescheduled activity's list up front; complete
            # memory has one only for an activity someone attended.
            attendees = (
                state.attendees.get(ctx.originator_id, ())
                if state.complete
                else state.attendees[ctx.originator_id]
            )
            for volunteer in attendees:
                key = _Member(center, kind, period, volunteer)
                state.members[key] = self._attended(state, key)

    @handles(Activity.Cancelled)
    def _cancelled(self, state: _Batch, e: Activity.Cancelled, ctx: EventContext) -> None:
        if ctx.originator_id in state.new_activities:
            state.activities[ctx.originator_id]["cancelled"] = True
        else:
            state.cancelled.add(ctx.originator_id)

    @handles(Activity.SignedUp, Activity.Promoted)
    def _place_taken(
        self, state: _Batch, e: Activity.SignedUp | Activity.Promoted, ctx: EventContext
    ) -> None:
        state.places.add((ctx.originator_id, e.volunteer_id))
        deltas = self._deltas(state, ctx.originator_id)
        deltas["sign_ups"] += 1
        deltas["signed_up_now"] += 1

    @handles(Activity.Withdrawn)
    def _withdrawn(self, state: _Batch, e: Activity.Withdrawn, ctx: EventContext) -> None:
        place = (ctx.originator_id, e.volunteer_id)
        if place in state.places:
            state.places.discard(place)
            self._deltas(state, ctx.originator_id)["signed_up_now"] -= 1

    # --- attendance -----------------------------------------------------------

    @handles(Attendance.CheckedIn)
    def _checked_in(self, state: _Batch, e: Attendance.CheckedIn, ctx: EventContext) -> None:
        self._open(state, e, ctx)
        self._deltas(state, e.activity_id)["check_ins"] += 1

    @handles(Attendance.AddedByStaff)
    def _added_by_staff(self, state: _Batch, e: Attendance.AddedByStaff, ctx: EventContext) -> None:
        self._open(state, e, ctx)
        deltas = self._deltas(state, e.activity_id)
        deltas["added_by_staff"] += 1
        deltas["credited_minutes"] += e.minutes

    @handles(Attendance.CheckedOut, Attendance.AutoClosed)
    def _closed(
        self, state: _Batch, e: Attendance.CheckedOut | Attendance.AutoClosed, ctx: EventContext
    ) -> None:
        self._deltas(state, state.attendances[ctx.originator_id])["credited_minutes"] += (
            e.credited_minutes
        )

    @handles(Attendance.Adjusted)
    def _adjusted(self, state: _Batch, e: Attendance.Adjusted, ctx: EventContext) -> None:
        self._deltas(state, state.attendances[ctx.originator_id])["credited_minutes"] += e.minutes

    # --- helpers --------------------------------------------------------------

    def _open(
        self, state: _Batch, e: Attendance.CheckedIn | Attendance.AddedByStaff, ctx: EventContext
    ) -> None:
        state.attendances[ctx.originator_id] = e.activity_id
        state.new_attendances.append(
            _AttendanceRow(ctx.originator_id, e.activity_id, e.volunteer_id)
        )
        if state.complete:
            state.attendees.setdefault(e.activity_id, []).append(e.volunteer_id)
            state.visits.setdefault(e.volunteer_id, set()).add(e.activity_id)
            return
        if e.activity_id in state.attendees:
            state.attendees[e.activity_id].append(e.volunteer_id)
        if e.volunteer_id in state.visits:
            state.visits[e.volunteer_id].add(e.activity_id)

    @staticmethod
    def _attended(state: _Batch, key: _Member) -> bool:
        """Whether the volunteer has an attendance at any of the center's activities
        in the period (after an activity moved)."""
        center, kind, period, volunteer = key
        column = _PERIOD_KEYS[kind]
        for activity_id in state.visits[volunteer]:
            activity = state.activities.get(activity_id)  # None: never posted
            if activity and activity["center_id"] == center and activity[column] == period:
                return True
        return False

    @staticmethod
    def _deltas(state: _Batch, activity_id: UUID) -> dict[str, int]:
        """What the batch adds to the activity's figures so far."""
        deltas = state.deltas.get(activity_id)
        if deltas is None:
            # Kept even for an activity never posted: its update then matches no row.
            deltas = state.deltas[activity_id] = dict.fromkeys(_COUNTERS, 0)
        return deltas

    @staticmethod
    def _local_date(state: _Batch, center_id: UUID, starts_at: datetime) -> date:
        name = state.centers.get(center_id)
        return starts_at.astimezone(ZoneInfo(name or DEFAULT_TIME_ZONE)).date()


_WHERE_IT_COUNTS = (
    _activities.c.activity_id,
    _activities.c.center_id,
    _activities.c.iso_week,
    _activities.c.month,
)
_BOUND_MEMBER_COLUMNS = tuple(f"b_{n}" for n in _MEMBER_COLUMNS)


def _withdrawals(batch: Sequence[tuple[EventContext, Any]]) -> set[tuple[UUID, UUID]]:
    """The (activity, volunteer) of each withdrawal in the batch."""
    withdrawn = Activity.Withdrawn
    return {(ctx.originator_id, e.volunteer_id) for ctx, e in batch if type(e) is withdrawn}


def _load_places(
    conn: sa.Connection,
    state: _Batch,
    withdrawn: set[tuple[UUID, UUID]],
    posted: Collection[UUID],
) -> None:
    """The stored places of the volunteers who withdraw (none at an activity just posted)."""
    places = center_activity_places
    for row in _rows_in(
        conn,
        sa.select(places),
        (places.c.activity_id, {a for a, _ in withdrawn} - set(posted)),
        (places.c.volunteer_id, {v for _, v in withdrawn}),
    ):
        pair = (row.activity_id, row.volunteer_id)
        if pair in withdrawn:
            state.stored_places.add(pair)
    state.places = set(state.stored_places)


def _load_activities(conn: sa.Connection, state: _Batch, ids: Iterable[UUID]) -> None:
    """Where these stored activities count, unless the batch has them already."""
    if state.complete:
        # Every activity there is, is in memory.
        return
    query = sa.select(*_WHERE_IT_COUNTS)
    for row in _rows_in(conn, query, (_activities.c.activity_id, missing(ids, state.activities))):
        state.activities[row.activity_id] = row._asdict()


# The statements a catch-up runs most, compiled once (see ``bulk.py``); rows go in
# key order, so neighbouring rows land on the same pages.
_INSERT_ACTIVITIES = Bulk.insert_into(_activities, sort_by=["activity_id"])
_ADD_TO_FIGURES = Bulk(
    _activities.update()
    .where(_activities.c.activity_id == sa.bindparam("b_activity_id"))
    .values({n: _activities.c[n] + sa.bindparam(f"b_{n}") for n in _COUNTERS}),
    sort_by=["b_activity_id"],
)
_INSERT_PLACES = Bulk.insert_into(center_activity_places, sort_by=["activity_id", "volunteer_id"])
_INSERT_ATTENDANCES = Bulk.insert_into(center_activity_attendances, sort_by=["attendance_id"])
_ADD_MEMBERS = Bulk(
    sqlite_insert(_volunteers).on_conflict_do_nothing(),
    sort_by=list(_MEMBER_COLUMNS),
    rows_of=_volunteers,
)
_ADD_MEMBERS_POSTGRES = Bulk(
    postgresql_insert(_volunteers).on_conflict_do_nothing(), rows_of=_volunteers
)


def _rows_in(
    conn: sa.Connection,
    query: sa.Select[*tuple[Any, ...]],
    *filters: tuple[sa.ColumnElement[Any], set[Any]],
) -> list[sa.Row[Any]]:
    """The query's rows whose every filtered column holds one of its keys.

    One query per chunk of each key list: a superset of what is asked when there
    are several lists, which the caller narrows down. Plain per-column IN lists,
    not tuples, keep the SQL the same on every database.
    """
    if not filters or not all(keys for _, keys in filters):
        return []
    rows: list[sa.Row[Any]] = []
    for chunks in product(*(chunked(keys) for _, keys in filters)):
        where = [column.in_(chunk) for (column, _), chunk in zip(filters, chunks, strict=True)]
        rows.extend(conn.execute(query.where(*where)))
    return rows


# --- queries ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityCounts:
    """The figures of one center, or of a whole subtree, in one period."""

    posted: int = 0
    held: int = 0
    cancelled: int = 0
    sign_ups: int = 0
    signed_up_now: int = 0
    check_ins: int = 0
    added_by_staff: int = 0
    volunteers: int = 0
    credited_minutes: int = 0


@dataclass(frozen=True)
class PeriodCounts:
    period: str
    counts: ActivityCounts


@dataclass(frozen=True)
class CenterCounts:
    center_id: UUID
    name: str
    org_unit_id: UUID
    counts: ActivityCounts


@dataclass(frozen=True)
class OrgUnitCounts:
    """A unit's totals over every center in its subtree, and each center's own."""

    org_unit_id: UUID
    period_kind: PeriodKind
    period: str
    totals: ActivityCounts
    centers: list[CenterCounts]


_SUMMED = tuple(
    f.name
    for f in fields(ActivityCounts)
    if f.name not in ("posted", "held", "cancelled", "volunteers")
)


def _figures() -> list[sa.ColumnElement[Any]]:
    """Per-activity rows summed into a period's figures (all but the volunteers)."""
    opened = _activities.c.check_ins + _activities.c.added_by_staff
    return [
        sa.func.count().label("posted"),
        sa.func.sum(
            sa.case((sa.and_(sa.not_(_activities.c.cancelled), opened > 0), 1), else_=0)
        ).label("held"),
        sa.func.sum(sa.case((_activities.c.cancelled, 1), else_=0)).label("cancelled"),
        *(sa.func.sum(_activities.c[name]).label(name) for name in _SUMMED),
    ]


def _counts(row: Any, volunteers: int) -> ActivityCounts:
    if row is None:
        return ActivityCounts(volunteers=volunteers)
    return ActivityCounts(
        posted=int(row.posted),
        held=int(row.held),
        cancelled=int(row.cancelled),
        volunteers=volunteers,
        **{name: int(getattr(row, name)) for name in _SUMMED},
    )


def center_counts(
    conn: sa.Connection,
    center_id: UUID,
    period_kind: PeriodKind,
    periods: Iterable[str] | None = None,
) -> list[PeriodCounts]:
    """A center's figures per week or month, earliest first.

    Without ``periods``, every period the center has an activity in; with them,
    exactly those periods, zeros included.
    """
    column = _period_column(period_kind)
    wanted = None if periods is None else sorted(set(periods))
    activity_query = (
        sa.select(column.label("period"), *_figures())
        .where(_activities.c.center_id == center_id)
        .group_by(column)
    )
    member_query = (
        sa.select(_volunteers.c.period, sa.func.count().label("volunteers"))
        .where(_volunteers.c.center_id == center_id, _volunteers.c.period_kind == period_kind)
        .group_by(_volunteers.c.period)
    )
    if wanted is not None:
        activity_query = activity_query.where(column.in_(wanted))
        member_query = member_query.where(_volunteers.c.period.in_(wanted))
    by_period = {row.period: row for row in conn.execute(activity_query)}
    volunteers = {row.period: int(row.volunteers) for row in conn.execute(member_query)}
    names = wanted if wanted is not None else sorted(by_period.keys() | volunteers.keys())
    return [
        PeriodCounts(name, _counts(by_period.get(name), volunteers.get(name, 0))) for name in names
    ]


def org_unit_counts(
    conn: sa.Connection, org_unit_id: UUID, period_kind: PeriodKind, period: str
) -> OrgUnitCounts:
    """The figures of every center whose org unit lies in ``org_unit_id``'s subtree.

    ``totals`` sums the centers' figures, except ``volunteers``: that is the
    number of distinct volunteers across the subtree, counted from the
    membership table, so one who served at two centers counts once. ``centers``
    lists every center in the subtree (zeros included) by name, for a supervisor.
    Needs the org tree read model (``org_closure``) to know the subtree.
    """
    column = _period_column(period_kind)
    centers = center_activity_centers
    in_subtree = centers.c.org_unit_id.in_(subtree_of(org_unit_id))
    # Sorted here, not in SQL: the databases' collations order Chinese names differently.
    subtree_centers = sorted(
        conn.execute(
            sa.select(centers.c.center_id, centers.c.name, centers.c.org_unit_id).where(in_subtree)
        ),
        key=lambda row: (row.name, str(row.center_id)),
    )
    by_center = {
        row.center_id: row
        for row in conn.execute(
            sa.select(_activities.c.center_id, *_figures())
            .join(centers, centers.c.center_id == _activities.c.center_id)
            .where(in_subtree, column == period)
            .group_by(_activities.c.center_id)
        )
    }
    members = _volunteers.join(centers, centers.c.center_id == _volunteers.c.center_id)
    in_period = (
        in_subtree,
        _volunteers.c.period_kind == period_kind,
        _volunteers.c.period == period,
    )
    volunteers_by_center = {
        row.center_id: int(row.volunteers)
        for row in conn.execute(
            sa.select(_volunteers.c.center_id, sa.func.count().label("volunteers"))
            .select_from(members)
            .where(*in_period)
            .group_by(_volunteers.c.center_id)
        )
    }
    distinct_volunteers = conn.execute(
        sa.select(sa.func.count(sa.distinct(_volunteers.c.volunteer_id)))
        .select_from(members)
        .where(*in_period)
    ).scalar_one()
    breakdown = [
        CenterCounts(
            center_id=row.center_id,
            name=row.name,
            org_unit_id=row.org_unit_id,
            counts=_counts(
                by_center.get(row.center_id), volunteers_by_center.get(row.center_id, 0)
            ),
        )
        for row in subtree_centers
    ]
    totals = ActivityCounts(
        **{
            f.name: sum(getattr(c.counts, f.name) for c in breakdown)
            for f in fields(ActivityCounts)
            if f.name != "volunteers"
        },
        volunteers=int(distinct_volunteers),
    )
    return OrgUnitCounts(org_unit_id, period_kind, period, totals, breakdown)
