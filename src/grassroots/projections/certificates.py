"""Issued certificates (志愿服务证明): the certificates each volunteer has issued.

A volunteer finds their earlier certificates here, to download one again rather
than issue a new serial. One table, ``issued_certificates``, holds per
certificate its serial, its volunteer, its period, how many activities it lists
and their total credited minutes, and when it was issued. The lines themselves
and the PDF's digest stay with the aggregate (``domain.certificate``), read by
serial when a PDF is rendered again.

Fed by ``Certificate.Issued`` only: a certificate never changes once issued.
Updated asynchronously, like every read model: a certificate issued a moment
ago may be missing for a moment (the API's reads wait for the caller's own).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.certificate import Certificate
from grassroots.projections.bulk import Bulk
from grassroots.projections.database import metadata
from grassroots.projections.engine import BatchStart, EventContext, Projection, handles
from grassroots.projections.instants import as_utc

__all__ = [
    "IssuedCertificate",
    "IssuedCertificates",
    "certificates_of",
    "issued_certificates",
]

issued_certificates = sa.Table(
    "issued_certificates",
    metadata,
    sa.Column("serial", sa.String(14), primary_key=True),
    sa.Column("volunteer_id", sa.Uuid, nullable=False),
    sa.Column("from_day", sa.Date, nullable=False),
    sa.Column("to_day", sa.Date, nullable=False),
    sa.Column("line_count", sa.Integer, nullable=False),
    sa.Column("total_minutes", sa.Integer, nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    # The Issued event's place in the log: newest first among those issued at one instant.
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Index("ix_issued_certificates_volunteer_issued", "volunteer_id", "issued_at"),
)

_INSERT = Bulk.insert_into(issued_certificates, sort_by=["serial"])


@dataclass
class _Batch:
    # Issued in this batch: a certificate is written once and never changes.
    new: list[dict[str, Any]] = field(default_factory=list)


class IssuedCertificates(Projection):
    name = "issued_certificates"
    tables = (issued_certificates,)

    def begin_batch(
        self, conn: sa.Connection, batch: Sequence[tuple[EventContext, Any]], start: BatchStart
    ) -> _Batch:
        # Nothing to load: every event is a new row.
        return _Batch()

    def flush_batch(self, conn: sa.Connection, state: _Batch) -> None:
        _INSERT.execute(conn, state.new)

    @handles(Certificate.Issued)
    def _issued(self, state: _Batch, e: Certificate.Issued, ctx: EventContext) -> None:
        state.new.append(
            {
                "serial": e.serial,
                "volunteer_id": e.volunteer_id,
                "from_day": date.fromisoformat(e.from_day),
                "to_day": date.fromisoformat(e.to_day),
                "line_count": len(e.lines),
                "total_minutes": e.total_minutes,
                "issued_at": as_utc(e.at),
                "position": ctx.position,
            }
        )


# --- Reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCertificate:
    serial: str
    volunteer_id: UUID
    from_day: date
    to_day: date
    line_count: int
    total_minutes: int
    issued_at: datetime


_C = issued_certificates.c


def certificates_of(
    conn: sa.Connection, volunteer_id: UUID, *, limit: int, offset: int = 0
) -> list[IssuedCertificate]:
    """The volunteer's certificates, newest first."""
    query = (
        sa.select(issued_certificates)
        .where(_C.volunteer_id == volunteer_id)
        .order_by(_C.issued_at.desc(), _C.position.desc())
        .limit(limit)
        .offset(offset)
    )
    return [
        IssuedCertificate(
            serial=r.serial,
            volunteer_id=r.volunteer_id,
            from_day=r.from_day,
            to_day=r.to_day,
            line_count=r.line_count,
            total_minutes=r.total_minutes,
            issued_at=as_utc(r.issued_at),
        )
        for r in conn.execute(query)
    ]
