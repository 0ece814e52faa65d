"""Cadre compliance facts: the async projection that stores what the verdicts judge.

The runner writes these rows in batches, exactly once, from the log: cadres with
their kind, org unit and assigned points; every visit with what ``VisitFacts``
needs; every rule-set version with its org unit, effective-from date and terms;
the "1+100" list entries; the listed youths met face to face. They hold no
"now", so the same events always give the same rows, and a rebuild reproduces
them. Judging them is ``verdicts``' job.

Datetimes are stored in UTC.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.cadre import Cadre
from grassroots.domain.rules import (
    RuleSet,
)
from grassroots.domain.values import in_utc
from grassroots.domain.visit import Visit
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import metadata
from grassroots.projections.engine import BatchStart, EventContext, Projection, chunked, handles

__all__ = [
    "CadreCompliance",
    "compliance_cadre_points",
    "compliance_cadres",
    "compliance_contacts",
    "compliance_rule_sets",
    "compliance_rule_versions",
    "compliance_visits",
    "compliance_youths_met",
]

compliance_cadres = sa.Table(
    "compliance_cadres",
    metadata,
    sa.Column("cadre_id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("org_unit_id", sa.Uuid, nullable=False),
    sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_compliance_cadres_org_unit", "org_unit_id"),
)

# The points assigned now. A visit's own ``point_was_assigned`` decides whether
# it was at an assigned point; this list is the fallback the domain asks for.
compliance_cadre_points = sa.Table(
    "compliance_cadre_points",
    metadata,
    sa.Column("cadre_id", sa.Uuid, primary_key=True),
    sa.Column("point_id", sa.Uuid, primary_key=True),
)

compliance_visits = sa.Table(
    "compliance_visits",
    metadata,
    sa.Column("visit_id", sa.Uuid, primary_key=True),
    sa.Column("cadre_id", sa.Uuid, nullable=False),
    sa.Column("point_id", sa.Uuid, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("proof", sa.String(16), nullable=True),
    sa.Column("point_was_assigned", sa.Boolean, nullable=True),
    sa.Index("ix_compliance_visits_cadre_started", "cadre_id", "started_at"),
)

compliance_rule_sets = sa.Table(
    "compliance_rule_sets",
    metadata,
    sa.Column("rule_set_id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("org_unit_id", sa.Uuid, nullable=False),
    sa.Index("ix_compliance_rule_sets_org_unit", "org_unit_id"),
)

compliance_rule_versions = sa.Table(
    "compliance_rule_versions",
    metadata,
    sa.Column("rule_set_id", sa.Uuid, primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("effective_from", sa.Date, nullable=False),
    # The terms exactly as the event carried them (RuleTerms.to_data), as JSON.
    sa.Column("terms", sa.Text, nullable=False),
)

# One row per time a youth was put on a cadre's list, keyed by the log position
# of that event: a youth removed and listed again (same phone, so same contact
# id) is a second entry, and the list as of any instant stays answerable.
compliance_contacts = sa.Table(
    "compliance_contacts",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("cadre_id", sa.Uuid, nullable=False),
    sa.Column("contact_id", sa.Uuid, nullable=False),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("walk_of_life", sa.String(50), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_compliance_contacts_cadre_contact", "cadre_id", "contact_id"),
)

# Only meetings with a youth on the list (a contact id) matter to "1+100".
compliance_youths_met = sa.Table(
    "compliance_youths_met",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("cadre_id", sa.Uuid, nullable=False),
    sa.Column("visit_id", sa.Uuid, nullable=False),
    sa.Column("contact_id", sa.Uuid, nullable=False),
    sa.Column("met_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_compliance_youths_met_cadre_met", "cadre_id", "met_at"),
)


@dataclass
class _Batch:
    """What one batch reads and writes, kept in memory and flushed in bulk.

    ``visit_cadres``, ``open_contacts`` and ``last_versions`` hold what the
    handlers look up: loaded from earlier batches' rows in ``begin_batch`` and
    kept up to date by this batch's own events. The rest is what to write.
    """

    # visit id -> its cadre, for the youths it met.
    visit_cadres: dict[UUID, UUID] = field(default_factory=dict)
    # (cadre id, contact id) -> the list entries not yet removed: positions of
    # earlier batches' rows, or the rows this batch adds.
    open_contacts: dict[tuple[UUID, UUID], list[int | dict[str, Any]]] = field(default_factory=dict)
    # rule set id -> its latest version number.
    last_versions: dict[UUID, int] = field(default_factory=dict)

    new_cadres: list[dict[str, Any]] = field(default_factory=list)
    # cadre id -> its points as the batch leaves them; ``reassigned`` are the
    # cadres whose earlier rows must go first.
    points: dict[UUID, Sequence[UUID]] = field(default_factory=dict)
    reassigned: set[UUID] = field(default_factory=set)
    new_visits: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    # Visits of earlier batches ended in this one: visit id -> ended_at.
    ended: dict[UUID, datetime] = field(default_factory=dict)
    new_contacts: list[dict[str, Any]] = field(default_factory=list)
    # Entries of earlier batches removed in this one: position -> removed_at.
    removed: dict[int, datetime] = field(default_factory=dict)
    new_youths_met: list[dict[str, Any]] = field(default_factory=list)
    new_rule_sets: list[dict[str, Any]] = field(default_factory=list)
    new_versions: list[dict[str, Any]] = field(default_factory=list)


class CadreCompliance(Projection):
    name = "cadre_compliance"
    tables = (
        compliance_cadres,
        compliance_cadre_points,
        compliance_visits,
        compliance_rule_sets,
        compliance_rule_versions,
        compliance_contacts,
        compliance_youths_met,
    )

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> _Batch:
        """Load, in a few queries, what the batch's events need from earlier batches.

        That is the cadre of each visit whose youths were met, the list entries
        still open for each contact removed, and the latest version of each
        rule set revised, unless the batch itself started (added, defined) them.
        """
        state = _Batch()
        started: set[UUID] = set()
        met: set[UUID] = set()
        removals: set[tuple[UUID, UUID]] = set()
        defined: set[UUID] = set()
        revised: set[UUID] = set()
        for ctx, e in batch:
            # By exact type, as ``apply_batch`` picks handlers.
            kind = type(e)
            if kind is Visit.Started:
                started.add(ctx.originator_id)
            elif kind is Visit.YouthMet:
                if e.contact_id is not None and ctx.originator_id not in started:
                    met.add(ctx.originator_id)
            elif kind is Cadre.ContactRemoved:
                removals.add((ctx.originator_id, e.contact_id))
            elif kind is RuleSet.Defined:
                defined.add(ctx.originator_id)
            elif kind is RuleSet.Revised and ctx.originator_id not in defined:
                revised.add(ctx.originator_id)

        v = compliance_visits.c
        for chunk in chunked(sorted(met)):
            query = sa.select(v.visit_id, v.cadre_id).where(v.visit_id.in_(chunk))
            state.visit_cadres.update((row.visit_id, row.cadre_id) for row in conn.execute(query))

        # Only entries of earlier batches are loaded: those this batch adds join
        # ``open_contacts`` in ``_contact_added``, so a removal closes both.
        c = compliance_contacts.c
        for chunk in chunked(sorted({contact for _, contact in removals})):
            query = (
                sa.select(c.position, c.cadre_id, c.contact_id)
                .where(c.contact_id.in_(chunk), c.removed_at.is_(None))
                .order_by(c.position)
            )
            for row in conn.execute(query):
                # The IN matched the contact id alone; keep only the cadres removing it.
                pair = (row.cadre_id, row.contact_id)
                if pair in removals:
                    state.open_contacts.setdefault(pair, []).append(row.position)

        r = compliance_rule_versions.c
        for chunk in chunked(sorted(revised)):
            query = (
                sa.select(r.rule_set_id, sa.func.max(r.version))
                .where(r.rule_set_id.in_(chunk))
                .group_by(r.rule_set_id)
            )
            state.last_versions.update(
                (rule_set_id, int(latest)) for rule_set_id, latest in conn.execute(query)
            )
        return state

    def flush_batch(self, conn: sa.Connection, state: _Batch) -> None:
        _INSERT_CADRES.execute(conn, state.new_cadres)
        if state.reassigned:
            key = compliance_cadre_points.c.cadre_id
            for chunk in chunked(sorted(state.reassigned)):
                conn.execute(compliance_cadre_points.delete().where(key.in_(chunk)))
        _INSERT_POINTS.execute(
            conn,
            [
                {"cadre_id": cadre_id, "point_id": point_id}
                for cadre_id, point_ids in state.points.items()
                for point_id in point_ids
            ],
        )
        # A visit started in this batch went in whole, ended or not, with its
        # last state; only rows of earlier batches are updated.
        _INSERT_VISITS.execute(conn, list(state.new_visits.values()))
        _END_VISITS.execute(
            conn, [{"b_visit_id": k, "b_ended_at": at} for k, at in state.ended.items()]
        )
        _INSERT_CONTACTS.execute(conn, state.new_contacts)
        _REMOVE_CONTACTS.execute(
            conn, [{"b_position": p, "b_removed_at": at} for p, at in state.removed.items()]
        )
        _INSERT_YOUTHS_MET.execute(conn, state.new_youths_met)
        _INSERT_RULE_SETS.execute(conn, state.new_rule_sets)
        _INSERT_RULE_VERSIONS.execute(conn, state.new_versions)

    @handles(Cadre.Registered)
    def _cadre_registered(self, state: _Batch, e: Cadre.Registered, ctx: EventContext) -> None:
        state.new_cadres.append(
            {
                "cadre_id": ctx.originator_id,
                "name": e.name,
                "kind": str(e.kind),
                "org_unit_id": e.org_unit_id,
                "registered_at": in_utc(e.at),
            }
        )
        state.points[ctx.originator_id] = list(e.point_ids)

    @handles(Cadre.PointsReassigned)
    def _points_reassigned(
        self, state: _Batch, e: Cadre.PointsReassigned, ctx: EventContext
    ) -> None:
        # The new list replaces the old whole, whichever batch the old came from.
        state.points[ctx.originator_id] = list(e.point_ids)
        state.reassigned.add(ctx.originator_id)

    @handles(Cadre.ContactAdded)
    def _contact_added(self, state: _Batch, e: Cadre.ContactAdded, ctx: EventContext) -> None:
        row = {
            "position": ctx.position,
            "cadre_id": ctx.originator_id,
            "contact_id": e.contact_id,
            "name": e.name,
            "walk_of_life": e.walk_of_life,
            "added_at": in_utc(e.at),
            "removed_at": None,
        }
        state.new_contacts.append(row)
        state.open_contacts.setdefault((ctx.originator_id, e.contact_id), []).append(row)

    @handles(Cadre.ContactRemoved)
    def _contact_removed(self, state: _Batch, e: Cadre.ContactRemoved, ctx: EventContext) -> None:
        # Every entry of this youth still open is closed, as the single UPDATE
        # ``WHERE cadre_id = ... AND contact_id = ... AND removed_at IS NULL``
        # would do; a later re-listing opens a new one.
        at = in_utc(e.at)
        for entry in state.open_contacts.pop((ctx.originator_id, e.contact_id), []):
            if isinstance(entry, int):
                state.removed[entry] = at
            else:
                entry["removed_at"] = at

    @handles(Visit.Started)
    def _visit_started(self, state: _Batch, e: Visit.Started, ctx: EventContext) -> None:
        state.new_visits[ctx.originator_id] = {
            "visit_id": ctx.originator_id,
            "cadre_id": e.cadre_id,
            "point_id": e.point_id,
            "started_at": in_utc(e.at),
            "ended_at": None,
            "proof": e.proof,
            "point_was_assigned": e.point_was_assigned,
        }
        state.visit_cadres[ctx.originator_id] = e.cadre_id

    @handles(Visit.Ended)
    def _visit_ended(self, state: _Batch, e: Visit.Ended, ctx: EventContext) -> None:
        at = in_utc(e.at)
        row = state.new_visits.get(ctx.originator_id)
        if row is not None:
            row["ended_at"] = at
        else:
            state.ended[ctx.originator_id] = at

    @handles(Visit.YouthMet)
    def _youth_met(self, state: _Batch, e: Visit.YouthMet, ctx: EventContext) -> None:
        if e.contact_id is None:
            return  # a youth not on the list: work done, but not "1+100" coverage
        # The event names the visit only; its Started event, earlier in the same
        # aggregate and so earlier in the log, gave the cadre (in this batch or
        # loaded by ``begin_batch``).
        state.new_youths_met.append(
            {
                "position": ctx.position,
                "cadre_id": state.visit_cadres[ctx.originator_id],
                "visit_id": ctx.originator_id,
                "contact_id": e.contact_id,
                "met_at": in_utc(e.at),
            }
        )

    @handles(RuleSet.Defined)
    def _rule_set_defined(self, state: _Batch, e: RuleSet.Defined, ctx: EventContext) -> None:
        state.new_rule_sets.append(
            {"rule_set_id": ctx.originator_id, "name": e.name, "org_unit_id": e.org_unit_id}
        )
        self._version(state, ctx.originator_id, 1, e.effective_from, e.terms)

    @handles(RuleSet.Revised)
    def _rule_set_revised(self, state: _Batch, e: RuleSet.Revised, ctx: EventContext) -> None:
        # Numbered like RuleSet.versions (1, 2, ...) by counting, not from the
        # aggregate's version, which other kinds of rule-set events would skew.
        number = state.last_versions[ctx.originator_id] + 1
        self._version(state, ctx.originator_id, number, e.effective_from, e.terms)

    @staticmethod
    def _version(
        state: _Batch,
        rule_set_id: UUID,
        number: int,
        effective_from: str,
        terms: Mapping[str, object],
    ) -> None:
        state.last_versions[rule_set_id] = number
        state.new_versions.append(
            {
                "rule_set_id": rule_set_id,
                "version": number,
                "effective_from": date.fromisoformat(effective_from),
                "terms": json.dumps(terms, sort_keys=True, ensure_ascii=False),
            }
        )


# The batch's writes, compiled once (see ``bulk.py``).
_INSERT_CADRES = Bulk.insert_into(compliance_cadres, sort_by=["cadre_id"])
_INSERT_POINTS = Bulk.insert_into(compliance_cadre_points, sort_by=["cadre_id", "point_id"])
_INSERT_VISITS = Bulk.insert_into(compliance_visits, sort_by=["visit_id"])


def _set_one_column(table: sa.Table, key: str, column: str) -> Bulk:
    """Set ``column`` of the row whose ``key`` is given; parameters ``b_<key>``, ``b_<column>``."""
    return Bulk(
        table.update()
        .where(table.c[key] == sa.bindparam(f"b_{key}"))
        .values({column: sa.bindparam(f"b_{column}")}),
        sort_by=[f"b_{key}"],
    )


_END_VISITS = _set_one_column(compliance_visits, "visit_id", "ended_at")
_INSERT_CONTACTS = Bulk.insert_into(compliance_contacts)
_REMOVE_CONTACTS = _set_one_column(compliance_contacts, "position", "removed_at")
_INSERT_YOUTHS_MET = Bulk.insert_into(compliance_youths_met)
_INSERT_RULE_SETS = Bulk.insert_into(compliance_rule_sets)
_INSERT_RULE_VERSIONS = Bulk.insert_into(compliance_rule_versions)
