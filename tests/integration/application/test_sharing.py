"""Experience sharing on every event store: posts written in a role, edited in versions,
withdrawn, commented and liked, featured and hidden; photos kept outside the log."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from uuid import UUID

import pytest
from PIL import Image

from grassroots.application.accounts import password_hasher
from grassroots.application.photo_store import FolderPhotoStore
from grassroots.application.service import Grassroots
from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import CadreKind
from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed
from grassroots.domain.experience import MAX_PHOTO_BYTES, ExperiencePost
from grassroots.domain.visit import Visit
from tests.conftest import DURABLE
from tests.integration.builders import CENTER_PLACE, World, build_world, register_cadre


def png(colour: tuple[int, int, int] = (10, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, format="PNG")
    return out.getvalue()


class People:
    def __init__(self, app: Grassroots, world: World) -> None:
        app.use_password_hasher(password_hasher(fast=True))
        self.cadre = register_cadre(app, world)
        self.author = app.open_account(
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


@pytest.fixture
def world(app: Grassroots) -> World:
    return build_world(app)


@pytest.fixture
def people(app: Grassroots, world: World) -> People:
    return People(app, world)


def write(app: Grassroots, people: People, **options: object) -> UUID:
    return app.write_experience(
        people.author,
        cadre_id=people.cadre,
        title="入户走访的体会",
        text="第一段\n\n第二段",
        **options,  # type: ignore[arg-type]
    )


def test_a_cadres_post_belongs_to_the_cadres_unit_and_names_its_author(
    app: Grassroots, world: World, people: People
) -> None:
    post = app.get(ExperiencePost, write(app, people))
    assert (post.org_unit_id, post.author_id, post.author_name) == (
        world.county,
        people.author,
        "李书记",
    )


def test_a_center_staff_post_belongs_to_the_centers_unit(
    app: Grassroots, world: World, people: People
) -> None:
    post_id = app.write_experience(
        people.staff, center_id=world.center, title="活动组织心得", text="提前一周发布通知"
    )
    assert app.get(ExperiencePost, post_id).org_unit_id == world.village


def test_writing_in_a_role_one_does_not_hold_is_refused(
    app: Grassroots, world: World, people: People
) -> None:
    with pytest.raises(NotAllowed) as refused:
        app.write_experience(people.staff, cadre_id=people.cadre, title="题", text="文")
    assert refused.value.code == "author-not-in-role"
    with pytest.raises(InvalidValue):
        app.write_experience(people.author, title="题", text="文")


def test_a_post_about_another_cadres_visit_is_refused(
    app: Grassroots, world: World, people: People
) -> None:
    other = app.register_cadre(
        name="另一位干部", kind=CadreKind.FULL_TIME,
        org_unit_id=world.county, point_ids=[world.point],
    )  # fmt: skip
    visit_id = app.start_visit(other, world.point, location=CENTER_PLACE, accuracy_m=10)
    with pytest.raises(NotAllowed) as refused:
        write(app, people, visit_id=visit_id)
    assert refused.value.code == "visit-not-yours"
    assert app.get(Visit, visit_id).cadre_id == other


def test_an_empty_text_writes_nothing(app: Grassroots, people: People) -> None:
    head = app.log_head()
    with pytest.raises(InvalidValue) as refused:
        app.write_experience(people.author, cadre_id=people.cadre, title="题", text="  ")
    assert refused.value.code == "experience-text-empty"
    assert app.log_head() == head


def test_an_edit_keeps_the_first_version(app: Grassroots, people: People) -> None:
    post_id = write(app, people)
    app.edit_experience(post_id, by=people.author, title="改后的标题", text="改后的正文")
    post = app.get(ExperiencePost, post_id)
    assert [(title, text) for _, title, text in post.versions] == [
        ("入户走访的体会", "第一段\n\n第二段"),
        ("改后的标题", "改后的正文"),
    ]


def test_colleagues_comment_and_like_until_the_post_is_withdrawn(
    app: Grassroots, people: People
) -> None:
    post_id = write(app, people)
    app.comment_on_experience(post_id, by=people.staff, text="学习了")
    app.like_experience(post_id, by=people.staff)
    app.like_experience(post_id, by=people.supervisor)
    app.unlike_experience(post_id, by=people.supervisor)
    app.withdraw_experience(post_id, by=people.author)
    head = app.log_head()

    with pytest.raises(AlreadyClosed) as refused:
        app.comment_on_experience(post_id, by=people.staff, text="还想再问")

    post = app.get(ExperiencePost, post_id)
    assert refused.value.code == "experience-withdrawn"
    assert [(by_name, text) for _, _, _, by_name, text in post.comments] == [("王老师", "学习了")]
    assert post.likers == {people.staff}
    assert app.log_head() == head


def test_a_supervisor_features_then_hides_with_a_reason(
    app: Grassroots, world: World, people: People
) -> None:
    post_id = write(app, people)
    app.feature_experience(post_id, org_unit_id=world.county, by=people.supervisor)
    app.hide_experience(post_id, reason="含青年个人电话", by=people.supervisor)
    post = app.get(ExperiencePost, post_id)
    assert post.featured_for == set()
    assert post.hidden is not None
    assert post.hidden[1:] == (people.supervisor, "含青年个人电话")


def test_a_photo_is_kept_by_its_hash_and_named_by_the_post(app: Grassroots, people: People) -> None:
    post_id = write(app, people)
    data = png()
    facts = app.attach_experience_photo(post_id, data, by=people.author)

    found, kept = app.experience_photo(post_id, facts.sha256)
    assert (found.media_type, found.size, found.width, found.height) == (
        "image/png",
        len(data),
        32,
        24,
    )
    assert kept == data


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.7 not a photo", "photo-not-an-image"),
        (png()[:40], "photo-not-an-image"),
        (png() + b"\0" * MAX_PHOTO_BYTES, "photo-too-large"),
    ],
)
def test_a_file_that_is_no_photo_writes_neither_file_nor_event(
    app: Grassroots, people: People, data: bytes, code: str
) -> None:
    post_id = write(app, people)
    head = app.log_head()
    with pytest.raises(InvalidValue) as refused:
        app.attach_experience_photo(post_id, data, by=people.author)
    assert refused.value.code == code
    assert app.log_head() == head
    assert app.get(ExperiencePost, post_id).photos == []


def test_a_photo_for_a_withdrawn_post_is_not_kept(app: Grassroots, people: People) -> None:
    post_id = write(app, people)
    app.withdraw_experience(post_id, by=people.author)
    data = png((1, 2, 3))
    with pytest.raises(AlreadyClosed):
        app.attach_experience_photo(post_id, data, by=people.author)
    assert app.photo_store.get(hashlib.sha256(data).hexdigest()) is None


@DURABLE
def test_the_photo_is_on_disk_before_its_event_and_outlives_the_process(
    open_app: Callable[[], Grassroots], tmp_path: Path
) -> None:
    first = open_app()
    people = People(first, build_world(first))
    post_id = write(first, people)
    facts = first.attach_experience_photo(post_id, png(), by=people.author)

    assert isinstance(first.photo_store, FolderPhotoStore)
    assert (tmp_path / "photos" / facts.sha256[:2] / facts.sha256).read_bytes() == png()
    again = open_app()
    assert again.experience_photo(post_id, facts.sha256)[1] == png()


def test_a_store_that_fails_leaves_no_event_naming_the_photo(
    app: Grassroots, people: People
) -> None:
    class Broken:
        def put(self, sha256: str, data: bytes) -> None:
            raise OSError("disk full")

        def get(self, sha256: str) -> bytes | None:
            return None

    post_id = write(app, people)
    app.use_photo_store(Broken())
    with pytest.raises(OSError, match="disk full"):
        app.attach_experience_photo(post_id, png(), by=people.author)
    assert app.get(ExperiencePost, post_id).photos == []
