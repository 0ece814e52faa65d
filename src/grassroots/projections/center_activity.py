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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance
from grassroots.domain.center import Center
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.values import DEFAULT_TIME_ZONE, iso_week_of
from grassroots.projections.database import metadata
from grassroots.projections.engine import EventContext, Projection, handles
from grassroots.projections.org_tree import subtree_of

__all__ = [
    "ActivityCounts",
    "CenterActivity",
    "CenterCounts",
    "OrgUnitCounts",
    "PeriodCounts",
    "PeriodKind",
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

PeriodKind = Literal["week", "month"]

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
    sa.Index("ix_center_activity_volunteers_period", "period_kind", "period"),
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

    # --- where centers are and which zone they count days in -----------------

    @handles(OrgUnit.Created)
    def _org_unit_created(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        conn.execute(
            center_activity_zones.insert().values(
                org_unit_id=ctx.originator_id, time_zone=e.time_zone
            )
        )

    @handles(Center.Registered)
    def _center_registered(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        zone = conn.execute(
            sa.select(center_activity_zones.c.time_zone).where(
                center_activity_zones.c.org_unit_id == e.org_unit_id
            )
        ).scalar()
        conn.execute(
            center_activity_centers.insert().values(
                center_id=ctx.originator_id,
                name=e.name,
                org_unit_id=e.org_unit_id,
                time_zone=zone or DEFAULT_TIME_ZONE,
            )
        )

    @handles(Center.DetailsChanged)
    def _center_renamed(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        conn.execute(
            center_activity_centers.update()
            .where(center_activity_centers.c.center_id == ctx.originator_id)
            .values(name=e.name)
        )

    # --- activities -----------------------------------------------------------

    @handles(Activity.Posted)
    def _posted(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        day = self._local_date(conn, e.center_id, e.starts_at)
        conn.execute(
            _activities.insert().values(
                activity_id=ctx.originator_id,
                center_id=e.center_id,
                starts_at=e.starts_at,
                local_date=day,
                iso_week=week_of(day),
                month=month_of(day),
                cancelled=False,
                sign_ups=0,
                signed_up_now=0,
                check_ins=0,
                added_by_staff=0,
                credited_minutes=0,
            )
        )

    @handles(Activity.DetailsChanged)
    def _details_changed(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        activity = self._activity(conn, ctx.originator_id)
        day = self._local_date(conn, activity.center_id, e.starts_at)
        week, month = week_of(day), month_of(day)
        conn.execute(
            _activities.update()
            .where(_activities.c.activity_id == ctx.originator_id)
            .values(starts_at=e.starts_at, local_date=day, iso_week=week, month=month)
        )
        moved: list[tuple[PeriodKind, str]] = []
        if week != activity.iso_week:
            moved += [("week", activity.iso_week), ("week", week)]
        if month != activity.month:
            moved += [("month", activity.month), ("month", month)]
        if not moved:
            return
        # The domain freezes the schedule once check-in opens, so a moved activity
        # normally has no attendance yet; if it had, its volunteers move with it.
        attendees = list(
            conn.execute(
                sa.select(center_activity_attendances.c.volunteer_id)
                .where(center_activity_attendances.c.activity_id == ctx.originator_id)
                .order_by(center_activity_attendances.c.volunteer_id)
            ).scalars()
        )
        for kind, period in moved:
            for volunteer_id in attendees:
                self._sync_member(conn, activity.center_id, kind, period, volunteer_id)

    @handles(Activity.Cancelled)
    def _cancelled(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        conn.execute(
            _activities.update()
            .where(_activities.c.activity_id == ctx.originator_id)
            .values(cancelled=True)
        )

    @handles(Activity.SignedUp, Activity.Promoted)
    def _place_taken(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        conn.execute(
            center_activity_places.insert().values(
                activity_id=ctx.originator_id, volunteer_id=e.volunteer_id
            )
        )
        self._add(conn, ctx.originator_id, sign_ups=1, signed_up_now=1)

    @handles(Activity.Withdrawn)
    def _withdrawn(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        held_a_place = conn.execute(
            center_activity_places.delete().where(
                center_activity_places.c.activity_id == ctx.originator_id,
                center_activity_places.c.volunteer_id == e.volunteer_id,
            )
        ).rowcount
        if held_a_place:
            self._add(conn, ctx.originator_id, signed_up_now=-1)

    # --- attendance -----------------------------------------------------------

    @handles(Attendance.CheckedIn)
    def _checked_in(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        self._open(conn, e, ctx)
        self._add(conn, e.activity_id, check_ins=1)

    @handles(Attendance.AddedByStaff)
    def _added_by_staff(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        self._open(conn, e, ctx)
        self._add(conn, e.activity_id, added_by_staff=1, credited_minutes=e.minutes)

    @handles(Attendance.CheckedOut, Attendance.AutoClosed)
    def _closed(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        self._add(
            conn, self._activity_of(conn, ctx.originator_id), credited_minutes=e.credited_minutes
        )

    @handles(Attendance.Adjusted)
    def _adjusted(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        self._add(conn, self._activity_of(conn, ctx.originator_id), credited_minutes=e.minutes)

    # --- helpers --------------------------------------------------------------

    def _open(self, conn: sa.Connection, e: Any, ctx: EventContext) -> None:
        conn.execute(
            center_activity_attendances.insert().values(
                attendance_id=ctx.originator_id,
                activity_id=e.activity_id,
                volunteer_id=e.volunteer_id,
            )
        )
        activity = self._activity(conn, e.activity_id)
        for kind, period in (("week", activity.iso_week), ("month", activity.month)):
            _insert_if_absent(
                conn,
                _volunteers,
                {
                    "center_id": activity.center_id,
                    "period_kind": kind,
                    "period": period,
                    "volunteer_id": e.volunteer_id,
                },
            )

    @staticmethod
    def _sync_member(
        conn: sa.Connection, center_id: UUID, kind: PeriodKind, period: str, volunteer_id: UUID
    ) -> None:
        """Make the membership row say whether the volunteer has an attendance at any
        of the center's activities in the period (after an activity moved)."""
        attended = conn.execute(
            sa.select(sa.literal(1))
            .select_from(
                center_activity_attendances.join(
                    _activities,
                    _activities.c.activity_id == center_activity_attendances.c.activity_id,
                )
            )
            .where(
                _activities.c.center_id == center_id,
                _period_column(kind) == period,
                center_activity_attendances.c.volunteer_id == volunteer_id,
            )
            .limit(1)
        ).first()
        row = {
            "center_id": center_id,
            "period_kind": kind,
            "period": period,
            "volunteer_id": volunteer_id,
        }
        if attended:
            _insert_if_absent(conn, _volunteers, row)
        else:
            conn.execute(
                _volunteers.delete().where(*(_volunteers.c[k] == v for k, v in row.items()))
            )

    @staticmethod
    def _add(conn: sa.Connection, activity_id: UUID, **amounts: int) -> None:
        conn.execute(
            _activities.update()
            .where(_activities.c.activity_id == activity_id)
            .values({_activities.c[name]: _activities.c[name] + n for name, n in amounts.items()})
        )

    @staticmethod
    def _activity(conn: sa.Connection, activity_id: UUID) -> Any:
        return conn.execute(
            sa.select(_activities.c.center_id, _activities.c.iso_week, _activities.c.month).where(
                _activities.c.activity_id == activity_id
            )
        ).one()

    @staticmethod
    def _activity_of(conn: sa.Connection, attendance_id: UUID) -> UUID:
        found: UUID = conn.execute(
            sa.select(center_activity_attendances.c.activity_id).where(
                center_activity_attendances.c.attendance_id == attendance_id
            )
        ).scalar_one()
        return found

    @staticmethod
    def _local_date(conn: sa.Connection, center_id: UUID, starts_at: datetime) -> date:
        name = conn.execute(
            sa.select(center_activity_centers.c.time_zone).where(
                center_activity_centers.c.center_id == center_id
            )
        ).scalar()
        return starts_at.astimezone(ZoneInfo(name or DEFAULT_TIME_ZONE)).date()


def _insert_if_absent(conn: sa.Connection, table: sa.Table, row: Mapping[str, Any]) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(pg_insert(table).values(**row).on_conflict_do_nothing())
    elif conn.dialect.name == "sqlite":
        conn.execute(sqlite_insert(table).values(**row).on_conflict_do_nothing())
    else:  # pragma: no cover - the read models run on SQLite and PostgreSQL
        key = [table.c[k] == v for k, v in row.items() if table.c[k].primary_key]
        if conn.execute(sa.select(sa.literal(1)).select_from(table).where(*key)).first() is None:
            conn.execute(table.insert().values(**row))


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
