"""Problems raised (问题反馈) as a read model: how many stay open, and for how long.

Supervisors watch, per org unit and its whole subtree, per ISO week and per
month: problems raised, problems closed, problems still open at the end of the
period, the age of the oldest open one and the median time to close. They also
work through the list of open problems, oldest first.

The read model is updated asynchronously by the batched, exactly-once runner
(``runner.py``), not inside the command that wrote the event: a command then
stays one append to the event store, a slow or failing read model never blocks
or fails a cadre raising a problem, and the whole model can be rebuilt from the
log at any time. Readers who need their own write wait for the runner (see
``ReadSide.wait_for``).

Two tables:

* ``problems_current``: one row per problem, its state now (open, answered or
  closed), the unit it is routed to now, when it was raised, its final close
  (empty while it is not closed), how often it was reopened and rerouted. The
  open list reads this table.
* ``problems_changes``: one row per event of a problem, append-only, with the
  state and the unit the problem had right after it. Period figures are
  computed from this history at query time, so "open at the end of week W" is
  exact for any past week, not a snapshot taken when the week happened to end.

The rules:

* **Open** means not closed: an answered problem still counts as open until it
  is closed, because the cadre has not yet accepted the answer.
* **Which unit.** Every figure uses the unit the problem was routed to at the
  instant the figure refers to: "raised" the unit it was raised to, "closed"
  the unit it was routed to when it was closed, "open at the end" the unit it
  was routed to at the period's end. A reroute so moves the problem to the new
  unit's counts from the reroute on and leaves earlier periods untouched. A
  unit's figures cover its whole subtree, through ``org_closure`` at query
  time, i.e. under the tree as it is now (a township that moved to another
  county counts under the new county, for past periods too).
* **Which calendar.** Weeks (ISO, Monday first) and months are those of the
  queried unit's time zone (``org_units.time_zone``; ``Asia/Shanghai`` if the
  unit is unknown), so one roll-up uses one set of boundaries. A period is the
  half-open interval [its first local midnight, the next period's first local
  midnight): an event exactly at the boundary belongs to the later period.
* **As of.** A period's figures are as of ``min(period end, now)``: events after
  ``now`` are ignored (so a figure for the current week is "so far"), and a
  period that has not begun by ``now`` reports nothing.
* **Ages and times to close run from the raising**, also across a reopen: the
  cadre has been waiting since then. A reopened problem that is closed again
  takes from raised to that final close.
* **Closed in a period** counts problems, not close events: a problem closed
  twice in one period counts once, with its last close in the period. A past
  period keeps its figures when a problem is reopened later: it was closed
  then, and a published monthly bulletin must not change under its readers.
* **Instants.** Each change is dated by its event's ``at`` (when it happened in
  the world), stored in UTC. Should a problem's clock ever go backwards (two
  servers with skewed clocks), a change is dated no earlier than the change
  before it, so the history stays in order and "the state at instant T" is
  always the state after the last change dated up to T. Handlers never read
  the clock; ``now`` is passed to the queries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from grassroots.domain.compliance import PeriodKind
from grassroots.domain.problem import Problem, ProblemState
from grassroots.domain.values import DEFAULT_TIME_ZONE
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import metadata
from grassroots.projections.engine import (
    BatchStart,
    EventContext,
    Projection,
    handles,
    rows_where_in,
)
from grassroots.projections.instants import as_utc
from grassroots.projections.org_tree import org_closure, org_units, subtree_of

__all__ = [
    "ChangeKind",
    "OpenProblem",
    "ProblemFigures",
    "Problems",
    "RaisedProblem",
    "UnitProblemCounts",
    "count_open_problems",
    "open_problems",
    "period_bounds",
    "problem_counts_by_unit",
    "problem_figures",
    "problems_changes",
    "problems_current",
    "problems_raised_by",
]


problems_current = sa.Table(
    "problems_current",
    metadata,
    sa.Column("problem_id", sa.Uuid, primary_key=True),
    sa.Column("cadre_id", sa.Uuid, nullable=False),
    sa.Column("visit_id", sa.Uuid, nullable=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("org_unit_id", sa.Uuid, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("times_reopened", sa.Integer, nullable=False),
    sa.Column("times_rerouted", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_problems_current_unit_state_raised", "org_unit_id", "state", "raised_at"),
    # The open problems in the order the open list reads them, for a large
    # subtree (see ``open_problems``); closed problems, the many, are left out.
    sa.Index(
        "ix_problems_current_open_raised",
        "raised_at",
        "problem_id",
        sqlite_where=sa.text("state != 'closed'"),
        postgresql_where=sa.text("state != 'closed'"),
    ),
)

problems_changes = sa.Table(
    "problems_changes",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("problem_id", sa.Uuid, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("org_unit_id", sa.Uuid, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_problems_changes_problem_version", "problem_id", "version", unique=True),
    sa.Index("ix_problems_changes_kind_changed", "kind", "changed_at"),
    sa.Index("ix_problems_changes_changed", "changed_at"),
)


class ChangeKind:
    RAISED = "raised"
    REROUTED = "rerouted"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"


@dataclass
class _Batch:
    """What one batch reads and writes, kept in memory and flushed in bulk.

    ``current`` holds each problem's ``problems_current`` row as the batch's
    events leave it: rows loaded from earlier batches and rows raised in this
    one alike, with every instant as an aware UTC value.
    """

    current: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    raised: set[UUID] = field(default_factory=set)
    changed: set[UUID] = field(default_factory=set)
    new_changes: list[dict[str, Any]] = field(default_factory=list)


# The events that change a problem already raised, maybe in an earlier batch.
_CHANGES = (Problem.Rerouted, Problem.Answered, Problem.Closed, Problem.Reopened)
# The ``problems_current`` columns an event after the raising may change.
_MUTABLE = (
    "org_unit_id",
    "state",
    "answered_at",
    "closed_at",
    "times_reopened",
    "times_rerouted",
    "version",
    "changed_at",
)
_INSTANTS = ("raised_at", "answered_at", "closed_at", "changed_at")

# The batch's writes, compiled once (see ``bulk.py``).
_INSERT_CURRENT = Bulk.insert_into(problems_current, sort_by=["problem_id"])
_UPDATE_CURRENT = Bulk(
    problems_current.update()
    .where(problems_current.c.problem_id == sa.bindparam("b_problem_id"))
    .values({name: sa.bindparam(f"b_{name}") for name in _MUTABLE}),
    sort_by=["b_problem_id"],
)
_INSERT_CHANGES = Bulk.insert_into(problems_changes)


class Problems(Projection):
    """The write side: one handler per event type, working on a batch in memory.

    Catching up costs a few statements per batch, not several per event:
    ``begin_batch`` loads the rows of problems raised in earlier batches, the
    handlers change only the in-memory ``_Batch``, and ``flush_batch`` writes it
    with one bulk statement per table and kind of write.
    """

    name = "problems"
    tables = (problems_current, problems_changes)

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> _Batch:
        """Load, in a few queries, the current rows of problems raised in earlier batches."""
        state = _Batch()
        raised_here = {ctx.originator_id for ctx, e in batch if isinstance(e, Problem.Raised)}
        needed = sorted(
            {
                ctx.originator_id
                for ctx, e in batch
                if isinstance(e, _CHANGES) and ctx.originator_id not in raised_here
            }
        )
        key = problems_current.c.problem_id
        for found in rows_where_in(conn, sa.select(problems_current), key, needed):
            row = dict(found._mapping)
            # SQLite hands instants back naive; the handlers compare and
            # write aware UTC ones, as they would have for a fresh row.
            for name in _INSTANTS:
                if row[name] is not None:
                    row[name] = as_utc(row[name])
            state.current[row["problem_id"]] = row
        return state

    def flush_batch(self, conn: sa.Connection, state: _Batch) -> None:
        _INSERT_CURRENT.execute(
            conn, [row for p, row in state.current.items() if p in state.raised]
        )
        # Only rows of earlier batches are updated; a row raised in this batch
        # went in whole, with its last state, just above.
        _UPDATE_CURRENT.execute(
            conn,
            [
                {f"b_{name}": row[name] for name in ("problem_id", *_MUTABLE)}
                # In key order, not a set's arbitrary one, on every database.
                for row in (state.current[p] for p in sorted(state.changed))
            ],
        )
        _INSERT_CHANGES.execute(conn, state.new_changes)

    @handles(Problem.Raised)
    def _raised(self, state: _Batch, e: Problem.Raised, ctx: EventContext) -> None:
        at = as_utc(e.at)
        row = {
            "problem_id": ctx.originator_id,
            "cadre_id": e.cadre_id,
            "visit_id": e.visit_id,
            "title": e.title,
            "org_unit_id": e.org_unit_id,
            "state": ProblemState.OPEN.value,
            "raised_at": at,
            "answered_at": None,
            "closed_at": None,
            "times_reopened": 0,
            "times_rerouted": 0,
            "version": ctx.originator_version,
            "changed_at": at,
        }
        state.current[ctx.originator_id] = row
        state.raised.add(ctx.originator_id)
        self._append(state, ctx, row, ChangeKind.RAISED)

    @handles(Problem.Rerouted)
    def _rerouted(self, state: _Batch, e: Problem.Rerouted, ctx: EventContext) -> None:
        current = state.current[ctx.originator_id]
        self._change(
            state,
            ctx,
            ChangeKind.REROUTED,
            e.at,
            org_unit_id=e.org_unit_id,
            times_rerouted=current["times_rerouted"] + 1,
        )

    @handles(Problem.Answered)
    def _answered(self, state: _Batch, e: Problem.Answered, ctx: EventContext) -> None:
        self._change(state, ctx, ChangeKind.ANSWERED, e.at, ProblemState.ANSWERED, "answered_at")

    @handles(Problem.Closed)
    def _closed(self, state: _Batch, e: Problem.Closed, ctx: EventContext) -> None:
        self._change(state, ctx, ChangeKind.CLOSED, e.at, ProblemState.CLOSED, "closed_at")

    @handles(Problem.Reopened)
    def _reopened(self, state: _Batch, e: Problem.Reopened, ctx: EventContext) -> None:
        current = state.current[ctx.originator_id]
        self._change(
            state,
            ctx,
            ChangeKind.REOPENED,
            e.at,
            ProblemState.OPEN,
            # Open again: the earlier close is no longer the problem's final one.
            closed_at=None,
            times_reopened=current["times_reopened"] + 1,
        )

    def _change(
        self,
        state: _Batch,
        ctx: EventContext,
        kind: str,
        event_at: datetime,
        new_state: ProblemState | None = None,
        stamp: str | None = None,
        **values: Any,
    ) -> None:
        """Record a change in both tables; ``stamp`` names a column to set to its instant."""
        row = state.current[ctx.originator_id]
        # Never before the previous change (see "Instants" above): keeps each
        # problem's history in version order and in time order at once.
        at = max(as_utc(event_at), row["changed_at"])
        if new_state is not None:
            values["state"] = new_state.value
        if stamp is not None:
            values[stamp] = at
        row.update(values, version=ctx.originator_version, changed_at=at)
        if ctx.originator_id not in state.raised:
            state.changed.add(ctx.originator_id)
        self._append(state, ctx, row, kind)

    @staticmethod
    def _append(state: _Batch, ctx: EventContext, row: dict[str, Any], kind: str) -> None:
        """One line of history: the problem's state and unit right after the change."""
        state.new_changes.append(
            {
                "position": ctx.position,
                "problem_id": ctx.originator_id,
                "version": ctx.originator_version,
                "kind": kind,
                "changed_at": row["changed_at"],
                "org_unit_id": row["org_unit_id"],
                "state": row["state"],
                "raised_at": row["raised_at"],
                "recorded_at": as_utc(ctx.recorded_at),
            }
        )


# --- Reading -----------------------------------------------------------------


@dataclass(frozen=True)
class OpenProblem:
    """One line of a supervisor's list of problems not yet closed."""

    problem_id: UUID
    title: str
    cadre_id: UUID
    visit_id: UUID | None
    org_unit_id: UUID
    state: ProblemState
    raised_at: datetime
    age: timedelta
    times_reopened: int
    times_rerouted: int


@dataclass(frozen=True)
class ProblemFigures:
    """A unit's (and its subtree's) problem figures for one week or month.

    ``starts_at`` and ``ends_at`` bound the period in UTC; ``as_of`` is the
    instant the figures describe (the period's end, or ``now`` if earlier).
    The ages are ``None`` when nothing is open or nothing was closed.
    """

    org_unit_id: UUID
    period_kind: PeriodKind
    period: str
    starts_at: datetime
    ends_at: datetime
    as_of: datetime
    raised: int
    closed: int
    open_at_end: int
    oldest_open_age: timedelta | None
    median_time_to_close: timedelta | None


# Not closed, written as a literal: PostgreSQL matches a partial index's
# predicate only against constants, not against a bound parameter.
_IS_OPEN = problems_current.c.state != sa.literal_column(f"'{ProblemState.CLOSED.value}'")


def open_problems(
    conn: sa.Connection,
    org_unit_id: UUID,
    now: datetime,
    limit: int = 50,
    offset: int = 0,
) -> list[OpenProblem]:
    """Problems not closed, routed now to the unit or below it, oldest first, with their age.

    Ties on ``raised_at`` are broken by id, so pages never overlap or skip.
    An age is never negative, even for a ``now`` earlier than the raising.

    Two plans, one answer. A subtree with few open problems has them gathered
    through the unit index and sorted (cost: its own open problems). A subtree
    with many (a city, the region) would sort them all for one page, a cost
    that grows with the history; it walks the open problems oldest first
    instead and stops at the page's end (cost: the page over the subtree's
    share of all open problems, whatever the history's length).
    """
    now = as_utc(now)
    c = problems_current.c
    in_subtree: sa.ColumnElement[bool]
    if _open_problems_at_least(conn, org_unit_id, _WALK_FROM):
        in_subtree = sa.exists().where(
            org_closure.c.ancestor_id == org_unit_id,
            org_closure.c.descendant_id == c.org_unit_id,
        )
    else:
        in_subtree = c.org_unit_id.in_(subtree_of(org_unit_id))
    query = (
        sa.select(problems_current)
        .where(_IS_OPEN, in_subtree)
        .order_by(c.raised_at, c.problem_id)
        .limit(limit)
        .offset(offset)
    )
    result = []
    for row in conn.execute(query):
        raised_at = as_utc(row.raised_at)
        result.append(
            OpenProblem(
                problem_id=row.problem_id,
                title=row.title,
                cadre_id=row.cadre_id,
                visit_id=row.visit_id,
                org_unit_id=row.org_unit_id,
                state=ProblemState(row.state),
                raised_at=raised_at,
                age=max(now - raised_at, timedelta(0)),
                times_reopened=row.times_reopened,
                times_rerouted=row.times_rerouted,
            )
        )
    return result


# From how many open problems in a subtree the open list walks the open index
# instead of sorting the subtree's: below it a sort is cheap, above it the
# subtree holds a share of all open problems large enough for a short walk
# (on 1.56M events, 16,868 open: the region 23 ms sorted, 1.4 ms walked; a
# county with 1,000 open 3.3 ms sorted, 1.5 ms walked).
_WALK_FROM = 500


def _open_problems_at_least(conn: sa.Connection, org_unit_id: UUID, enough: int) -> bool:
    """Whether the subtree has ``enough`` open problems, counting no further than that."""
    c = problems_current.c
    some = (
        sa.select(sa.literal(1))
        .select_from(problems_current)
        .where(_IS_OPEN, c.org_unit_id.in_(subtree_of(org_unit_id)))
        .limit(enough)
        .subquery()
    )
    found = conn.execute(sa.select(sa.func.count()).select_from(some)).scalar()
    return int(found or 0) >= enough


def count_open_problems(conn: sa.Connection, org_unit_id: UUID) -> int:
    """How many problems ``open_problems`` would list over all its pages."""
    c = problems_current.c
    found = conn.execute(
        sa.select(sa.func.count())
        .select_from(problems_current)
        .where(_IS_OPEN, c.org_unit_id.in_(subtree_of(org_unit_id)))
    ).scalar()
    return int(found or 0)


def problem_figures(
    conn: sa.Connection,
    org_unit_id: UUID,
    period_kind: PeriodKind,
    period: str,
    now: datetime,
) -> ProblemFigures:
    """Raised, closed, open at the end, oldest open age and median time to close.

    ``period`` is an ISO week ("2026-W10") or a month ("2026-03") in the unit's
    time zone; the rules are in the module's docstring.
    """
    now = as_utc(now)
    zone = _zone_of(conn, org_unit_id)
    starts_at, ends_at = period_bounds(period_kind, period, zone)
    as_of = min(ends_at, now)

    def figures(
        raised: int = 0,
        closed: int = 0,
        open_at_end: int = 0,
        oldest_open_age: timedelta | None = None,
        median_time_to_close: timedelta | None = None,
    ) -> ProblemFigures:
        return ProblemFigures(
            org_unit_id=org_unit_id,
            period_kind=period_kind,
            period=period,
            starts_at=starts_at,
            ends_at=ends_at,
            as_of=as_of,
            raised=raised,
            closed=closed,
            open_at_end=open_at_end,
            oldest_open_age=oldest_open_age,
            median_time_to_close=median_time_to_close,
        )

    if now < starts_at:
        return figures()

    c = problems_changes.c
    units = subtree_of(org_unit_id)
    # Changes up to the instant the figures describe: before the period's end
    # (half-open) and no later than ``now``.
    known = sa.and_(c.changed_at < ends_at, c.changed_at <= now)
    in_period = sa.and_(known, c.changed_at >= starts_at, c.org_unit_id.in_(units))

    raised = conn.execute(
        sa.select(sa.func.count())
        .select_from(problems_changes)
        .where(in_period, c.kind == ChangeKind.RAISED)
    ).scalar()

    closes = conn.execute(
        sa.select(c.problem_id, c.raised_at, sa.func.max(c.changed_at).label("closed_at"))
        .where(in_period, c.kind == ChangeKind.CLOSED)
        .group_by(c.problem_id, c.raised_at)
    ).all()
    times_to_close = [as_utc(row.closed_at) - as_utc(row.raised_at) for row in closes]

    # Each problem's last change known at ``as_of`` says its state and unit then.
    latest = (
        sa.select(
            c.state,
            c.org_unit_id,
            c.raised_at,
            sa.func.row_number()
            .over(partition_by=c.problem_id, order_by=c.version.desc())
            .label("newest_first"),
        )
        .where(known)
        .subquery()
    )
    open_count, oldest_raised_at = conn.execute(
        sa.select(sa.func.count(), sa.func.min(latest.c.raised_at)).where(
            latest.c.newest_first == 1,
            latest.c.state != ProblemState.CLOSED.value,
            latest.c.org_unit_id.in_(units),
        )
    ).one()

    return figures(
        raised=int(raised or 0),
        closed=len(closes),
        open_at_end=int(open_count or 0),
        oldest_open_age=(
            None
            if oldest_raised_at is None
            else max(as_of - as_utc(oldest_raised_at), timedelta(0))
        ),
        median_time_to_close=_median(times_to_close),
    )


_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def period_bounds(
    period_kind: PeriodKind, period: str, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of an ISO week ("2026-W10") or month ("2026-03") in ``zone``.

    Raises ``ValueError`` for a malformed or impossible period.
    """
    if period_kind == "week":
        match = _WEEK.fullmatch(period)
        if match is None:
            raise ValueError(f"a week is written like 2026-W10, not {period!r}")
        try:
            first = date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise ValueError(f"there is no week {period!r}") from None
        after = first + timedelta(days=7)
    elif period_kind == "month":
        match = _MONTH.fullmatch(period)
        if match is None:
            raise ValueError(f"a month is written like 2026-03, not {period!r}")
        try:
            first = date(int(match[1]), int(match[2]), 1)
        except ValueError:
            raise ValueError(f"there is no month {period!r}") from None
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    else:
        raise ValueError(f"a period is a week or a month, not {period_kind!r}")
    return _local_midnight(first, zone), _local_midnight(after, zone)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _zone_of(conn: sa.Connection, org_unit_id: UUID) -> ZoneInfo:
    name = conn.execute(
        sa.select(org_units.c.time_zone).where(org_units.c.org_unit_id == org_unit_id)
    ).scalar()
    return ZoneInfo(name or DEFAULT_TIME_ZONE)


def _median(values: list[timedelta]) -> timedelta | None:
    """The middle value; for an even count, the mean of the two middle ones."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True)
class UnitProblemCounts:
    """Problems raised to one unit itself (not its subtree), and closed while routed to it."""

    raised: int = 0
    closed: int = 0


def problem_counts_by_unit(
    conn: sa.Connection,
    org_unit_id: UUID,
    period_kind: PeriodKind,
    period: str,
    now: datetime,
) -> dict[UUID, UnitProblemCounts]:
    """``problem_figures``' raised and closed, split by the unit each counts for.

    Each unit of the subtree gets only what counts for it alone; summed over a
    unit's subtree they give that unit's ``problem_figures`` (same calendar: the
    queried unit's zone, same "as of", a problem closed twice counts once, where
    it was last closed in the period). Units with nothing are left out.
    """
    now = as_utc(now)
    zone = _zone_of(conn, org_unit_id)
    starts_at, ends_at = period_bounds(period_kind, period, zone)
    if now < starts_at:
        return {}
    c = problems_changes.c
    in_period = sa.and_(
        c.changed_at < ends_at,
        c.changed_at <= now,
        c.changed_at >= starts_at,
        c.org_unit_id.in_(subtree_of(org_unit_id)),
    )
    raised: dict[UUID, int] = dict(
        conn.execute(
            sa.select(c.org_unit_id, sa.func.count())
            .where(in_period, c.kind == ChangeKind.RAISED)
            .group_by(c.org_unit_id)
        ).all()
    )
    last_close: dict[UUID, tuple[datetime, int, UUID]] = {}
    for problem_id, unit, changed_at, version in conn.execute(
        sa.select(c.problem_id, c.org_unit_id, c.changed_at, c.version).where(
            in_period, c.kind == ChangeKind.CLOSED
        )
    ):
        key = (as_utc(changed_at), version, unit)
        if problem_id not in last_close or key[:2] > last_close[problem_id][:2]:
            last_close[problem_id] = key
    closed: dict[UUID, int] = {}
    for _, _, unit in last_close.values():
        closed[unit] = closed.get(unit, 0) + 1
    return {
        unit: UnitProblemCounts(int(raised.get(unit, 0)), closed.get(unit, 0))
        for unit in raised.keys() | closed.keys()
    }


@dataclass(frozen=True)
class RaisedProblem:
    """A problem a cadre raised, as it stands now."""

    problem_id: UUID
    title: str
    org_unit_id: UUID
    visit_id: UUID | None
    state: ProblemState
    raised_at: datetime
    closed_at: datetime | None


def problems_raised_by(
    conn: sa.Connection, cadre_id: UUID, *, since: datetime | None = None, limit: int = 100
) -> list[RaisedProblem]:
    """The cadre's problems, newest first: those still open, and those raised ``since``."""
    c = problems_current.c
    query = sa.select(problems_current).where(c.cadre_id == cadre_id)
    if since is not None:
        query = query.where(
            sa.or_(c.state != ProblemState.CLOSED.value, c.raised_at >= as_utc(since))
        )
    rows = conn.execute(query.order_by(c.raised_at.desc(), c.problem_id).limit(limit))
    return [
        RaisedProblem(
            problem_id=row.problem_id,
            title=row.title,
            org_unit_id=row.org_unit_id,
            visit_id=row.visit_id,
            state=ProblemState(row.state),
            raised_at=as_utc(row.raised_at),
            closed_at=None if row.closed_at is None else as_utc(row.closed_at),
        )
        for row in rows
    ]
