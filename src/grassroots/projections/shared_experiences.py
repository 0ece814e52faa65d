"""Shared experiences (心得交流) as a read model: the lists people read and the
counts supervisors watch.

Three tables:

* ``shared_experiences``: one row per post, as it stands now: title, a short
  excerpt, who wrote it for which org unit, when, how many versions, photos,
  comments and likes, whether it is withdrawn or hidden (with who hid it and
  why).
* ``shared_experience_features``: the org units each post is featured for.
* ``shared_experience_likes``: who likes each post now (for "liked by me").

Who may read which list is the API's scope check; the queries here answer what
a list holds:

* ``posts_in_subtree``: the posts of a unit and everything below it (what a
  supervisor reads).
* ``posts_reaching``: the posts of a member's unit and every unit above it
  (what a cadre or a center reads: a post is shown to its unit's subtree).
* Both list featured posts first, then newest first, withdrawn and hidden ones
  left out. A post is *featured* in a list when a supervisor featured it for the
  list's unit or a unit above it (``org_closure``): a feature is for the
  featuring supervisor's whole subtree.
* ``posts_by_author``: an author's own posts, withdrawn and hidden ones
  included (marked), newest first.
* ``posts_per_unit_month``: posts written per unit per month under a unit;
  months are those of the queried unit's zone (``org_units.time_zone``), as the
  problem figures do, so one roll-up uses one set of boundaries.

Updated asynchronously, like every read model. Posts are few (a cadre writes a
few a month, not a scan a minute), so each handler writes its row as it goes
(the default of ``Projection.apply_batch``) rather than batching in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from grassroots.domain.experience import ExperiencePost
from grassroots.domain.values import DEFAULT_TIME_ZONE, time_zone
from grassroots.projections.database import metadata
from grassroots.projections.engine import EventContext, Projection, handles
from grassroots.projections.instants import as_utc
from grassroots.projections.org_tree import org_closure, org_units, subtree_of

__all__ = [
    "EXCERPT_LENGTH",
    "ExperienceSummary",
    "SharedExperiences",
    "UnitMonthCount",
    "posts_by_author",
    "posts_in_subtree",
    "posts_per_unit_month",
    "posts_reaching",
    "shared_experience_features",
    "shared_experience_likes",
    "shared_experiences",
]

EXCERPT_LENGTH = 120

shared_experiences = sa.Table(
    "shared_experiences",
    metadata,
    sa.Column("post_id", sa.Uuid, primary_key=True),
    sa.Column("author_id", sa.Uuid, nullable=False),
    sa.Column("author_name", sa.String(100), nullable=False),
    sa.Column("author_kind", sa.String(16), nullable=False),
    sa.Column("author_subject_id", sa.Uuid, nullable=False),
    sa.Column("org_unit_id", sa.Uuid, nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("excerpt", sa.String(200), nullable=False),
    sa.Column("visit_id", sa.Uuid, nullable=True),
    sa.Column("activity_id", sa.Uuid, nullable=True),
    sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("versions", sa.Integer, nullable=False),
    sa.Column("photos", sa.Integer, nullable=False),
    sa.Column("comments", sa.Integer, nullable=False),
    sa.Column("likes", sa.Integer, nullable=False),
    sa.Column("withdrawn", sa.Boolean, nullable=False),
    sa.Column("hidden", sa.Boolean, nullable=False),
    sa.Column("hidden_reason", sa.String(500), nullable=True),
    sa.Column("hidden_by", sa.Uuid, nullable=True),
    sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("ix_shared_experiences_unit_written", "org_unit_id", "written_at"),
    sa.Index("ix_shared_experiences_author_written", "author_id", "written_at"),
)

shared_experience_features = sa.Table(
    "shared_experience_features",
    metadata,
    sa.Column("post_id", sa.Uuid, primary_key=True),
    sa.Column("org_unit_id", sa.Uuid, primary_key=True),
)

shared_experience_likes = sa.Table(
    "shared_experience_likes",
    metadata,
    sa.Column("post_id", sa.Uuid, primary_key=True),
    sa.Column("account_id", sa.Uuid, primary_key=True),
)

_POST = shared_experiences.c


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_LENGTH else flat[: EXCERPT_LENGTH - 1] + "…"


def _change(conn: sa.Connection, post_id: UUID, **values: Any) -> None:
    conn.execute(shared_experiences.update().where(_POST.post_id == post_id).values(**values))


class SharedExperiences(Projection):
    name = "shared_experiences"
    tables = (shared_experiences, shared_experience_features, shared_experience_likes)

    @handles(ExperiencePost.Written)
    def _written(self, conn: sa.Connection, e: ExperiencePost.Written, ctx: EventContext) -> None:
        at = as_utc(e.at)
        conn.execute(
            shared_experiences.insert().values(
                post_id=ctx.originator_id,
                author_id=e.author_id,
                author_name=e.author_name,
                author_kind=e.author_kind,
                author_subject_id=e.author_subject_id,
                org_unit_id=e.org_unit_id,
                title=e.title,
                excerpt=_excerpt(e.text),
                visit_id=e.visit_id,
                activity_id=e.activity_id,
                written_at=at,
                edited_at=None,
                versions=1,
                photos=0,
                comments=0,
                likes=0,
                withdrawn=False,
                hidden=False,
            )
        )

    @handles(ExperiencePost.Edited)
    def _edited(self, conn: sa.Connection, e: ExperiencePost.Edited, ctx: EventContext) -> None:
        _change(
            conn,
            ctx.originator_id,
            title=e.title,
            excerpt=_excerpt(e.text),
            edited_at=as_utc(e.at),
            versions=_POST.versions + 1,
        )

    @handles(ExperiencePost.PhotoAttached)
    def _photo(
        self, conn: sa.Connection, e: ExperiencePost.PhotoAttached, ctx: EventContext
    ) -> None:
        _change(conn, ctx.originator_id, photos=_POST.photos + 1)

    @handles(ExperiencePost.PhotoRemoved)
    def _unphoto(
        self, conn: sa.Connection, e: ExperiencePost.PhotoRemoved, ctx: EventContext
    ) -> None:
        _change(conn, ctx.originator_id, photos=_POST.photos - 1)

    @handles(ExperiencePost.Withdrawn)
    def _withdrawn(
        self, conn: sa.Connection, e: ExperiencePost.Withdrawn, ctx: EventContext
    ) -> None:
        _change(conn, ctx.originator_id, withdrawn=True)

    @handles(ExperiencePost.Commented)
    def _commented(
        self, conn: sa.Connection, e: ExperiencePost.Commented, ctx: EventContext
    ) -> None:
        _change(conn, ctx.originator_id, comments=_POST.comments + 1)

    @handles(ExperiencePost.Liked)
    def _liked(self, conn: sa.Connection, e: ExperiencePost.Liked, ctx: EventContext) -> None:
        conn.execute(
            shared_experience_likes.insert().values(post_id=ctx.originator_id, account_id=e.by)
        )
        _change(conn, ctx.originator_id, likes=_POST.likes + 1)

    @handles(ExperiencePost.Unliked)
    def _unliked(self, conn: sa.Connection, e: ExperiencePost.Unliked, ctx: EventContext) -> None:
        likes = shared_experience_likes.c
        conn.execute(
            shared_experience_likes.delete().where(
                likes.post_id == ctx.originator_id, likes.account_id == e.by
            )
        )
        _change(conn, ctx.originator_id, likes=_POST.likes - 1)

    @handles(ExperiencePost.Featured)
    def _featured(self, conn: sa.Connection, e: ExperiencePost.Featured, ctx: EventContext) -> None:
        conn.execute(
            shared_experience_features.insert().values(
                post_id=ctx.originator_id, org_unit_id=e.org_unit_id
            )
        )

    @handles(ExperiencePost.Unfeatured)
    def _unfeatured(
        self, conn: sa.Connection, e: ExperiencePost.Unfeatured, ctx: EventContext
    ) -> None:
        features = shared_experience_features.c
        conn.execute(
            shared_experience_features.delete().where(
                features.post_id == ctx.originator_id, features.org_unit_id == e.org_unit_id
            )
        )

    @handles(ExperiencePost.Hidden)
    def _hidden(self, conn: sa.Connection, e: ExperiencePost.Hidden, ctx: EventContext) -> None:
        conn.execute(
            shared_experience_features.delete().where(
                shared_experience_features.c.post_id == ctx.originator_id
            )
        )
        _change(
            conn,
            ctx.originator_id,
            hidden=True,
            hidden_reason=e.reason,
            hidden_by=e.by,
            hidden_at=as_utc(e.at),
        )


# --- reading -------------------------------------------------------------------


@dataclass(frozen=True)
class ExperienceSummary:
    post_id: UUID
    title: str
    excerpt: str
    author_id: UUID
    author_name: str
    author_kind: str
    org_unit_id: UUID
    # None only for a unit the tree has not caught up with yet.
    unit_name: str | None
    visit_id: UUID | None
    activity_id: UUID | None
    written_at: datetime
    edited_at: datetime | None
    versions: int
    photos: int
    comments: int
    likes: int
    featured: bool
    liked_by_viewer: bool
    withdrawn: bool
    hidden: bool
    hidden_reason: str | None


def _featured_in(listing_unit: UUID | None) -> sa.ColumnElement[bool]:
    """Featured for the listing's unit or a unit above it (its closure's ancestors)."""
    if listing_unit is None:
        return sa.false()
    features = shared_experience_features.c
    return sa.exists(
        sa.select(1)
        .select_from(shared_experience_features)
        .join(org_closure, org_closure.c.ancestor_id == features.org_unit_id)
        .where(features.post_id == _POST.post_id, org_closure.c.descendant_id == listing_unit)
    )


def _liked_by(viewer_id: UUID | None) -> sa.ColumnElement[bool]:
    if viewer_id is None:
        return sa.false()
    likes = shared_experience_likes.c
    return sa.exists(
        sa.select(1).where(likes.post_id == _POST.post_id, likes.account_id == viewer_id)
    )


def _page(
    conn: sa.Connection,
    where: Sequence[sa.ColumnElement[bool]],
    *,
    listing_unit: UUID | None,
    viewer_id: UUID | None,
    limit: int,
    offset: int,
) -> list[ExperienceSummary]:
    featured = _featured_in(listing_unit).label("featured")
    liked = _liked_by(viewer_id).label("liked_by_viewer")
    query = (
        sa.select(shared_experiences, org_units.c.name.label("unit_name"), featured, liked)
        .outerjoin(org_units, org_units.c.org_unit_id == _POST.org_unit_id)
        .where(*where)
        .order_by(
            sa.case((featured, 0), else_=1),
            _POST.written_at.desc(),
            _POST.post_id,
        )
        .limit(limit)
        .offset(offset)
    )
    return [
        ExperienceSummary(
            post_id=r.post_id,
            title=r.title,
            excerpt=r.excerpt,
            author_id=r.author_id,
            author_name=r.author_name,
            author_kind=r.author_kind,
            org_unit_id=r.org_unit_id,
            unit_name=r.unit_name,
            visit_id=r.visit_id,
            activity_id=r.activity_id,
            written_at=as_utc(r.written_at),
            edited_at=None if r.edited_at is None else as_utc(r.edited_at),
            versions=r.versions,
            photos=r.photos,
            comments=r.comments,
            likes=r.likes,
            featured=bool(r.featured),
            liked_by_viewer=bool(r.liked_by_viewer),
            withdrawn=r.withdrawn,
            hidden=r.hidden,
            hidden_reason=r.hidden_reason,
        )
        for r in conn.execute(query)
    ]


_SHOWN = (_POST.withdrawn.is_(False), _POST.hidden.is_(False))


def posts_in_subtree(
    conn: sa.Connection,
    org_unit_id: UUID,
    *,
    viewer_id: UUID | None = None,
    limit: int,
    offset: int = 0,
) -> list[ExperienceSummary]:
    """The shown posts of the unit and every unit below it: featured first, newest first."""
    return _page(
        conn,
        [_POST.org_unit_id.in_(subtree_of(org_unit_id)), *_SHOWN],
        listing_unit=org_unit_id,
        viewer_id=viewer_id,
        limit=limit,
        offset=offset,
    )


def posts_reaching(
    conn: sa.Connection,
    member_unit_id: UUID,
    *,
    viewer_id: UUID | None = None,
    limit: int,
    offset: int = 0,
) -> list[ExperienceSummary]:
    """The shown posts a member of ``member_unit_id`` reads: those of their unit and
    of every unit above it, featured first, newest first."""
    above = sa.select(org_closure.c.ancestor_id).where(
        org_closure.c.descendant_id == member_unit_id
    )
    return _page(
        conn,
        [_POST.org_unit_id.in_(above), *_SHOWN],
        listing_unit=member_unit_id,
        viewer_id=viewer_id,
        limit=limit,
        offset=offset,
    )


def posts_by_author(
    conn: sa.Connection, author_id: UUID, *, limit: int, offset: int = 0
) -> list[ExperienceSummary]:
    """An author's own posts, withdrawn and hidden ones too, newest first."""
    return _page(
        conn,
        [_POST.author_id == author_id],
        listing_unit=None,
        viewer_id=author_id,
        limit=limit,
        offset=offset,
    )


@dataclass(frozen=True)
class UnitMonthCount:
    org_unit_id: UUID
    unit_name: str | None
    month: str
    written: int
    # Of those, withdrawn by their author or hidden by a supervisor since.
    withdrawn_or_hidden: int


def posts_per_unit_month(
    conn: sa.Connection, org_unit_id: UUID, *, first: date, last: date
) -> list[UnitMonthCount]:
    """Posts written per unit (the post's own unit) and month in the subtree of
    ``org_unit_id``, from the month of ``first`` to the month of ``last``; month by
    month, then by unit name. Months on the wall clock of ``org_unit_id``'s zone."""
    zone = time_zone(
        conn.execute(
            sa.select(org_units.c.time_zone).where(org_units.c.org_unit_id == org_unit_id)
        ).scalar()
        or DEFAULT_TIME_ZONE
    )
    begins = datetime.combine(first.replace(day=1), time(), zone)
    after = last.replace(day=1) + timedelta(days=32)
    ends = datetime.combine(after.replace(day=1), time(), zone)
    query = (
        sa.select(
            _POST.org_unit_id, org_units.c.name, _POST.written_at, _POST.withdrawn, _POST.hidden
        )
        .outerjoin(org_units, org_units.c.org_unit_id == _POST.org_unit_id)
        .where(
            _POST.org_unit_id.in_(subtree_of(org_unit_id)),
            _POST.written_at >= begins.astimezone(UTC),
            _POST.written_at < ends.astimezone(UTC),
        )
    )
    written: Counter[tuple[UUID, str | None, str]] = Counter()
    gone: Counter[tuple[UUID, str | None, str]] = Counter()
    for r in conn.execute(query):
        key = (r.org_unit_id, r.name, as_utc(r.written_at).astimezone(zone).strftime("%Y-%m"))
        written[key] += 1
        gone[key] += int(r.withdrawn or r.hidden)
    found = [
        UnitMonthCount(u, name, month, n, gone[(u, name, month)])
        for (u, name, month), n in written.items()
    ]
    # Sorted here, not in SQL: collations order Chinese names differently.
    return sorted(found, key=lambda c: (c.month, c.unit_name or "", c.org_unit_id))
