"""The monthly bulletin (月通报) of an org unit: one month's figures per unit, per level.

A live read composed of other read models' queries, nothing stored: the
cadres' "8+4" standings (``compliance.verdicts``), listed youths met
(``compliance.verdicts``), problems raised and closed (``problems``), the
youth centers' activity counts (``center_activity``), experience posts still to be
read (``shared_experiences``), rolled up the org tree
(``org_tree``). Each figure is first taken for the one unit it belongs to (a
cadre's unit, a center's unit, the unit a problem was routed to) and then
summed over each unit's subtree, so the totals add up across levels: the
county's total equals the sum of its townships' rows plus the county's own
("本级") figures, which equals the sum of the village rows plus the own rows of
the townships and the county. A unit above a sheet's level appears there as an
own row only when it has figures of its own.

Only additive figures are kept: distinct volunteers, for instance, would not
add up across units, and are left to the activity-count read.

The file formats (XLSX, PDF) are adapters fed with a ``Bulletin``: see
``grassroots.reports``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.compliance import Month, Status
from grassroots.domain.org_unit import OrgLevel
from grassroots.projections.center_activity import org_unit_counts
from grassroots.projections.compliance.verdicts import unit_compliance, youths_met_by_cadre
from grassroots.projections.org_tree import SubtreeUnit, subtree_units
from grassroots.projections.problems import problem_counts_by_unit
from grassroots.projections.shared_experiences import posts_per_unit_month

__all__ = [
    "Bulletin",
    "BulletinFigures",
    "BulletinRow",
    "BulletinSheet",
    "UnitNotInTree",
    "monthly_bulletin",
]


class UnitNotInTree(LookupError):
    """The org tree read model does not hold the unit (yet)."""


@dataclass(frozen=True)
class BulletinFigures:
    """One month's figures of a unit (its own, or summed over a subtree)."""

    cadres: int = 0
    compliant: int = 0
    visits: int = 0
    counted_visits: int = 0
    youths_met: int = 0
    problems_raised: int = 0
    problems_closed: int = 0
    activities_posted: int = 0
    activities_held: int = 0
    check_ins: int = 0
    credited_minutes: int = 0
    experiences_shared: int = 0

    def __add__(self, other: BulletinFigures) -> BulletinFigures:
        return BulletinFigures(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def share(self) -> float | None:
        """Compliant / cadres; None with no cadres."""
        return self.compliant / self.cadres if self.cadres else None

    @property
    def is_empty(self) -> bool:
        return self == BulletinFigures()


@dataclass(frozen=True)
class BulletinRow:
    """A unit's line: its subtree's figures, or, with ``own_only``, the figures of the
    unit alone (a unit above the sheet's level, "本级").

    ``path`` names the unit and its ancestors below the bulletin's unit, the
    farthest first (two villages may share a name in different townships); the
    bulletin's unit itself has its own name as its path.
    """

    org_unit_id: UUID
    name: str
    level: OrgLevel
    path: tuple[str, ...]
    own_only: bool
    figures: BulletinFigures


@dataclass(frozen=True)
class BulletinSheet:
    """The units of one level of the subtree, and the own rows of the units above it."""

    level: OrgLevel
    rows: tuple[BulletinRow, ...]

    @property
    def totals(self) -> BulletinFigures:
        return sum((row.figures for row in self.rows), BulletinFigures())


@dataclass(frozen=True)
class Bulletin:
    org_unit_id: UUID
    name: str
    level: OrgLevel
    month: Month
    now: datetime
    # The unit's own level first, then each level below it that has units.
    sheets: tuple[BulletinSheet, ...]

    @property
    def totals(self) -> BulletinFigures:
        return self.sheets[0].totals


def monthly_bulletin(
    conn: sa.Connection, org_unit_id: UUID, month: Month, now: datetime
) -> Bulletin:
    """The bulletin of ``month`` for the unit's subtree, judged as of ``now``.

    Raises ``UnitNotInTree`` when the org tree read model does not hold the unit.
    """
    units = subtree_units(conn, org_unit_id)
    if not units:
        raise UnitNotInTree(f"no org unit {org_unit_id} in the org tree read model")
    own = _own_figures(conn, org_unit_id, month, now)
    root = units[0]
    paths = _paths(units)
    sheets = []
    for depth in sorted({u.depth for u in units}):
        above = [
            _row(u, paths, True, own[u.unit.org_unit_id])
            for u in units
            if u.depth < depth and not own[u.unit.org_unit_id].is_empty
        ]
        at_level = [_row(u, paths, False, _subtree_sum(u, own)) for u in units if u.depth == depth]
        # Grouped under their parents: a village's row follows its township's others.
        at_level.sort(key=lambda r: (r.path, str(r.org_unit_id)))
        level = next(u.unit.level for u in units if u.depth == depth)
        sheets.append(BulletinSheet(level, (*above, *at_level)))
    return Bulletin(
        org_unit_id=org_unit_id,
        name=root.unit.name,
        level=root.unit.level,
        month=month,
        now=now,
        sheets=tuple(sheets),
    )


def _paths(units: list[SubtreeUnit]) -> dict[UUID, tuple[str, ...]]:
    by_id = {u.unit.org_unit_id: u for u in units}
    paths: dict[UUID, tuple[str, ...]] = {}
    for u in units:  # root first, then by depth: a parent's path is known before its children
        parent = u.unit.parent_id
        if u.depth == 0 or parent not in by_id or by_id[parent].depth == 0:
            paths[u.unit.org_unit_id] = (u.unit.name,)
        else:
            paths[u.unit.org_unit_id] = (*paths[parent], u.unit.name)
    return paths


def _row(
    u: SubtreeUnit, paths: dict[UUID, tuple[str, ...]], own_only: bool, figures: BulletinFigures
) -> BulletinRow:
    unit = u.unit
    return BulletinRow(
        unit.org_unit_id, unit.name, unit.level, paths[unit.org_unit_id], own_only, figures
    )


def _subtree_sum(unit: SubtreeUnit, own: dict[UUID, BulletinFigures]) -> BulletinFigures:
    return sum((own[m] for m in unit.members), BulletinFigures())


def _own_figures(
    conn: sa.Connection, org_unit_id: UUID, month: Month, now: datetime
) -> defaultdict[UUID, BulletinFigures]:
    """Each unit's figures of its own (not its subtree's), by the unit they belong to."""
    parts: defaultdict[UUID, list[BulletinFigures]] = defaultdict(list)
    compliance = unit_compliance(conn, org_unit_id, month, now)
    youths = youths_met_by_cadre(conn, org_unit_id, month)
    for standing in compliance.cadres:
        judgement = standing.judgement
        parts[standing.org_unit_id].append(
            BulletinFigures(
                cadres=1,
                compliant=int(standing.status is Status.MET),
                visits=len(judgement.visits),
                counted_visits=judgement.counted_visits,
                youths_met=youths.get(standing.cadre_id, 0),
            )
        )
    problems = problem_counts_by_unit(conn, org_unit_id, "month", str(month), now)
    for unit, problem_counts in problems.items():
        parts[unit].append(
            BulletinFigures(
                problems_raised=problem_counts.raised, problems_closed=problem_counts.closed
            )
        )
    for center in org_unit_counts(conn, org_unit_id, "month", str(month)).centers:
        counts = center.counts
        parts[center.org_unit_id].append(
            BulletinFigures(
                activities_posted=counts.posted,
                activities_held=counts.held,
                check_ins=counts.check_ins + counts.added_by_staff,
                credited_minutes=counts.credited_minutes,
            )
        )
    first = date(month.year, month.month, 1)
    for posted in posts_per_unit_month(conn, org_unit_id, first=first, last=first):
        # Posts still to be read: one withdrawn by its author or hidden by a
        # supervisor since is not counted.
        parts[posted.org_unit_id].append(
            BulletinFigures(experiences_shared=posted.written - posted.withdrawn_or_hidden)
        )
    own: defaultdict[UUID, BulletinFigures] = defaultdict(BulletinFigures)
    for unit, figures in parts.items():
        own[unit] = sum(figures, BulletinFigures())
    return own
