"""When a read model meets an event it cannot apply: the record of it, and the operator's skips.

A runner whose batch fails applies everything before the failing event and
stands just before it (``ProjectionRunner.isolate``); the failure is recorded
here, one row per read model, and the read model is *failing* while its
position is short of that event. The read side retries it after a growing
pause; an operator can retry it at once or skip the event with a reason.

A skip is audited (who, when, why) and permanent: every runner, and every
rebuild, leaves that one event out of that one read model, so the skips are
part of how a read model is defined and a rebuild gives the incremental run's
rows. An event can be skipped only before the read model has applied it; the
tracking row is locked while the skip is written, and a runner's conditional
update counts the skips in its range (``runner.py``), so a skip and a batch
can never cross.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa

from grassroots.projections.database import metadata

__all__ = [
    "Failure",
    "Skip",
    "SkipRefused",
    "describe",
    "failures",
    "load_failures",
    "load_skips",
    "record_failure",
    "record_skip",
    "skipped_positions",
    "skips",
]

# An error's text is kept to this many characters: enough for any message, not a dump.
_ERROR_CHARS = 500

failures = sa.Table(
    "projection_failures",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("originator_id", sa.Uuid, nullable=False),
    sa.Column("originator_version", sa.Integer, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
)

skips = sa.Table(
    "projection_skips",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("originator_id", sa.Uuid, nullable=False),
    sa.Column("originator_version", sa.Integer, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("operator", sa.String(120), nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("skipped_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Failure:
    """The event a read model could not apply, and what went wrong."""

    name: str
    position: int
    topic: str
    originator_id: UUID
    originator_version: int
    error: str
    first_seen_at: datetime
    last_seen_at: datetime
    attempts: int


@dataclass(frozen=True)
class Skip:
    """An event an operator chose to leave out of one read model, and why."""

    name: str
    position: int
    topic: str
    originator_id: UUID
    originator_version: int
    reason: str
    operator: str
    error: str | None
    skipped_at: datetime


class SkipRefused(ValueError):
    """The skip would not be the same for a rebuild: nothing was recorded."""


def describe(error: BaseException, topic: str) -> str:
    """One line: the exception's type and message, and the event's topic."""
    message = " ".join(str(error).split())
    kind = type(error).__name__
    text = f"{kind}: {message}" if message else kind
    if len(text) > _ERROR_CHARS:
        text = text[: _ERROR_CHARS - 1] + "…"
    return f"{text} (event {topic})"


def record_failure(
    engine: sa.Engine,
    name: str,
    *,
    position: int,
    topic: str,
    originator_id: UUID,
    originator_version: int,
    error: str,
    now: datetime,
) -> Failure:
    """Record (or count one more attempt at) the event ``name`` cannot apply."""
    with engine.begin() as conn:
        found = conn.execute(
            sa.select(failures.c.position, failures.c.first_seen_at, failures.c.attempts).where(
                failures.c.name == name
            )
        ).first()
        if found is not None and found.position == position:
            first_seen, attempts = found.first_seen_at, found.attempts + 1
            conn.execute(
                failures.update()
                .where(failures.c.name == name)
                .values(error=error, last_seen_at=now, attempts=attempts)
            )
        else:
            first_seen, attempts = now, 1
            conn.execute(failures.delete().where(failures.c.name == name))
            conn.execute(
                failures.insert().values(
                    name=name,
                    position=position,
                    topic=topic,
                    originator_id=originator_id,
                    originator_version=originator_version,
                    error=error,
                    first_seen_at=now,
                    last_seen_at=now,
                    attempts=1,
                )
            )
    return Failure(
        name, position, topic, originator_id, originator_version, error, first_seen, now, attempts
    )


def load_failures(conn: sa.Connection, names: Sequence[str] | None = None) -> dict[str, Failure]:
    """The read models failing now: each one's recorded failure it has not got past."""
    from grassroots.projections.runner import tracking

    query = sa.select(failures).join(tracking, tracking.c.name == failures.c.name)
    query = query.where(tracking.c.position < failures.c.position)
    if names is not None:
        query = query.where(failures.c.name.in_(list(names)))
    return {row.name: Failure(**row._asdict()) for row in conn.execute(query)}


def skipped_positions(conn: sa.Connection, name: str) -> tuple[int, ...]:
    """The positions ``name`` passes over, in order."""
    rows = conn.execute(
        sa.select(skips.c.position).where(skips.c.name == name).order_by(skips.c.position)
    )
    return tuple(int(p) for p in rows.scalars())


def load_skips(conn: sa.Connection) -> list[Skip]:
    rows = conn.execute(sa.select(skips).order_by(skips.c.name, skips.c.position))
    return [Skip(**row._asdict()) for row in rows]


def record_skip(
    engine: sa.Engine,
    name: str,
    *,
    position: int,
    topic: str,
    originator_id: UUID,
    originator_version: int,
    reason: str,
    operator: str,
    now: datetime,
) -> Skip:
    """Record that ``name`` passes over the event at ``position``, if it has not applied it yet.

    The tracking row is locked first (the same lock a runner's batch takes), so
    no batch can apply the event while the skip is being written.
    """
    from grassroots.projections.runner import tracking

    if not reason.strip():
        raise SkipRefused("a skip needs a reason")
    with engine.begin() as conn:
        locked = conn.execute(
            tracking.update()
            .where(tracking.c.name == name)
            .values(position=tracking.c.position)
            .returning(tracking.c.position)
        ).scalar()
        if locked is None:
            raise SkipRefused(f"{name} has no tracking position yet")
        if int(locked) >= position:
            raise SkipRefused(
                f"{name} has already applied position {position} (it stands at {locked}); "
                "a skip now would make a rebuild differ from it"
            )
        if conn.execute(
            sa.select(skips.c.position).where(skips.c.name == name, skips.c.position == position)
        ).first():
            raise SkipRefused(f"{name} already skips position {position}")
        error = conn.execute(
            sa.select(failures.c.error).where(
                failures.c.name == name, failures.c.position == position
            )
        ).scalar()
        skip = Skip(
            name,
            position,
            topic,
            originator_id,
            originator_version,
            reason.strip(),
            operator,
            error,
            now,
        )
        conn.execute(skips.insert().values(**skip.__dict__))
        # A runner's conditional update names how many skips it knows: one it has
        # not read yet makes its batch lose the race, and it reads them again.
        counted = (
            sa.select(sa.func.count())
            .select_from(skips)
            .where(skips.c.name == name)
            .scalar_subquery()
        )
        conn.execute(tracking.update().where(tracking.c.name == name).values(skips=counted))
        conn.execute(
            failures.delete().where(failures.c.name == name, failures.c.position == position)
        )
    return skip
