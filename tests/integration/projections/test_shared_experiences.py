"""The shared experiences read model, fed from the real application's log, on SQLite
and PostgreSQL: what a supervisor and a member read, featured first, with counts;
an author's own posts; posts per unit per month; a rebuild equal to the incremental run."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from grassroots.application.accounts import password_hasher
from grassroots.application.service import Grassroots
from grassroots.domain.account import Grant, Role
from grassroots.domain.org_unit import OrgLevel
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from grassroots.projections.shared_experiences import (
    SharedExperiences,
    posts_by_author,
    posts_in_subtree,
    posts_per_unit_month,
    posts_reaching,
    shared_experience_features,
    shared_experience_likes,
    shared_experiences,
)
from tests.conftest import FakeClock
from tests.integration.builders import World, build_world


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


def _read_side(app: Grassroots, read_engine: Engine, batch_size: int) -> ReadSide:
    log = EventLog(app.recorder, app.mapper)
    return ReadSide(
        read_engine, log, projections=[OrgTree, SharedExperiences], batch_size=batch_size
    )


class Writers:
    """A village center's staff member, a township cadre, a colleague and a supervisor."""

    def __init__(self, app: Grassroots, world: World) -> None:
        app.use_password_hasher(password_hasher(fast=True))
        self.cadre = app.register_cadre(name="李书记", kind="full_time", org_unit_id=world.township)  # type: ignore[arg-type]
        self.cadre_account = app.open_account(
            phone="13900000001", name="李书记", password="grassroots-1",
            grants=[Grant(Role.CADRE, self.cadre)],
        )  # fmt: skip
        self.staff = app.open_account(
            phone="13900000002", name="王老师", password="grassroots-1",
            grants=[Grant(Role.CENTER_STAFF, world.center)],
        )  # fmt: skip
        self.supervisor = app.open_account(
            phone="13900000003", name="赵主任", password="grassroots-1",
            grants=[Grant(Role.SUPERVISOR, world.county)],
        )  # fmt: skip


def _by_cadre(app: Grassroots, w: Writers, title: str) -> UUID:
    return app.write_experience(w.cadre_account, cadre_id=w.cadre, title=title, text="正文")


def _by_center(app: Grassroots, w: Writers, world: World, title: str) -> UUID:
    return app.write_experience(w.staff, center_id=world.center, title=title, text="正文")


def test_a_supervisor_reads_the_subtree_featured_first_then_newest_with_counts(
    app: Grassroots, world: World, read_engine: Engine, clock: FakeClock
) -> None:
    read_side = _read_side(app, read_engine, batch_size=3)
    w = Writers(app, world)
    first = _by_cadre(app, w, "第一篇")
    clock.advance(minutes=10)
    second = _by_center(app, w, world, "第二篇")
    clock.advance(minutes=10)
    third = _by_cadre(app, w, "第三篇")
    clock.advance(minutes=10)
    withdrawn = _by_cadre(app, w, "撤回的")
    hidden = _by_center(app, w, world, "隐藏的")
    app.withdraw_experience(withdrawn, by=w.cadre_account)
    app.hide_experience(hidden, reason="含个人信息", by=w.supervisor)
    app.comment_on_experience(first, by=w.staff, text="好")
    app.comment_on_experience(first, by=w.supervisor, text="很好")
    app.like_experience(first, by=w.staff)
    app.like_experience(first, by=w.supervisor)
    app.unlike_experience(first, by=w.staff)
    app.feature_experience(first, org_unit_id=world.county, by=w.supervisor)
    read_side.catch_up()

    with read_engine.connect() as conn:
        county = posts_in_subtree(conn, world.county, viewer_id=w.supervisor, limit=10)
        page_two = posts_in_subtree(conn, world.county, limit=1, offset=1)
        village = posts_in_subtree(conn, world.village, limit=10)

    assert [p.post_id for p in county] == [first, third, second]
    top = county[0]
    assert (top.featured, top.comments, top.likes, top.liked_by_viewer) == (True, 2, 1, True)
    assert top.unit_name == "海拉尔东路街道"
    assert [p.post_id for p in page_two] == [third]
    # The village's subtree holds the center's post only; the feature was for the
    # county, above the village, so it still counts there, but the post is not there.
    assert [p.post_id for p in village] == [second]


def test_a_member_reads_the_posts_of_their_unit_and_above_not_of_units_beside_or_below(
    app: Grassroots, world: World, read_engine: Engine
) -> None:
    read_side = _read_side(app, read_engine, batch_size=2)
    w = Writers(app, world)
    other_village = app.create_org_unit(
        name="西风社区", level=OrgLevel.VILLAGE, parent_id=world.township
    )
    township_post = _by_cadre(app, w, "街道的")
    village_post = _by_center(app, w, world, "社区的")
    app.feature_experience(village_post, org_unit_id=world.village, by=w.supervisor)
    read_side.catch_up()

    with read_engine.connect() as conn:
        in_village = posts_reaching(conn, world.village, limit=10)
        in_other = posts_reaching(conn, other_village, limit=10)
        in_township = posts_reaching(conn, world.township, limit=10)

    assert [(p.post_id, p.featured) for p in in_village] == [
        (village_post, True),
        (township_post, False),
    ]
    assert [p.post_id for p in in_other] == [township_post]
    assert [p.post_id for p in in_township] == [township_post]


def test_an_author_reads_their_own_posts_withdrawn_and_hidden_ones_marked(
    app: Grassroots, world: World, read_engine: Engine, clock: FakeClock
) -> None:
    read_side = _read_side(app, read_engine, batch_size=5)
    w = Writers(app, world)
    kept = _by_cadre(app, w, "保留的")
    clock.advance(minutes=1)
    gone = _by_cadre(app, w, "撤回的")
    app.edit_experience(kept, by=w.cadre_account, title="保留的（修改）", text="新正文")
    app.withdraw_experience(gone, by=w.cadre_account)
    _by_center(app, w, world, "别人的")
    read_side.catch_up()

    with read_engine.connect() as conn:
        mine = posts_by_author(conn, w.cadre_account, limit=10)

    assert [(p.title, p.withdrawn, p.versions) for p in mine] == [
        ("撤回的", True, 1),
        ("保留的（修改）", False, 2),
    ]


def test_posts_are_counted_per_unit_and_local_month(
    app: Grassroots, world: World, read_engine: Engine, clock: FakeClock
) -> None:
    read_side = _read_side(app, read_engine, batch_size=4)
    w = Writers(app, world)
    # 2026-11-30 17:00 UTC is 2026-12-01 01:00 in Asia/Shanghai: December there.
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    _by_cadre(app, w, "十一月")
    clock.set(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    december = _by_cadre(app, w, "十二月一")
    _by_center(app, w, world, "十二月二")
    app.hide_experience(december, reason="重复", by=w.supervisor)
    read_side.catch_up()

    with read_engine.connect() as conn:
        counts = posts_per_unit_month(
            conn, world.county, first=date(2026, 11, 1), last=date(2026, 12, 1)
        )
        december_only = posts_per_unit_month(
            conn, world.township, first=date(2026, 12, 5), last=date(2026, 12, 5)
        )

    assert [(c.unit_name, c.month, c.written, c.withdrawn_or_hidden) for c in counts] == [
        ("海拉尔东路街道", "2026-11", 1, 0),
        ("东风社区", "2026-12", 1, 0),
        ("海拉尔东路街道", "2026-12", 1, 1),
    ]
    assert sum(c.written for c in december_only) == 2


def _rows(read_engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    found: dict[str, list[tuple[object, ...]]] = {}
    with read_engine.connect() as conn:
        for table in (shared_experiences, shared_experience_features, shared_experience_likes):
            order = list(table.primary_key.columns)
            found[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
    return found


def test_rebuilding_from_the_log_gives_the_rows_of_the_incremental_run(
    app: Grassroots, world: World, read_engine: Engine, clock: FakeClock
) -> None:
    read_side = _read_side(app, read_engine, batch_size=1)
    w = Writers(app, world)
    posts = [_by_cadre(app, w, f"第{n}篇") for n in range(4)]
    read_side.catch_up()
    app.edit_experience(posts[0], by=w.cadre_account, title="改", text="改后的")
    app.like_experience(posts[0], by=w.staff)
    app.like_experience(posts[1], by=w.staff)
    app.unlike_experience(posts[1], by=w.staff)
    app.comment_on_experience(posts[2], by=w.supervisor, text="好")
    app.feature_experience(posts[2], org_unit_id=world.county, by=w.supervisor)
    app.feature_experience(posts[3], org_unit_id=world.county, by=w.supervisor)
    app.hide_experience(posts[3], reason="不宜公开", by=w.supervisor)
    app.withdraw_experience(posts[1], by=w.cadre_account)
    read_side.catch_up()
    incremental = _rows(read_engine)

    for runner in read_side.runners.values():
        runner.rebuild()

    assert len(incremental["shared_experiences"]) == 4
    assert len(incremental["shared_experience_features"]) == 1
    assert len(incremental["shared_experience_likes"]) == 1
    assert _rows(read_engine) == incremental
