"""Experience posts (心得交流): written, edited, photographed, withdrawn, commented,
liked, featured and hidden; and the checks on a photo's bytes."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from PIL import Image

from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed, ReasonRequired
from grassroots.domain.experience import (
    COMMENT_MAX_LENGTH,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    TEXT_MAX_LENGTH,
    AuthorKind,
    ExperiencePost,
    PhotoFacts,
    inspect_photo,
    nearest_supervised,
    paragraphs,
    reaches_member,
)

WRITTEN_AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
AUTHOR = UUID("aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa")
COLLEAGUE = UUID("bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb")
CADRE = UUID("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
SUPERVISOR = UUID("dddddddd-dddd-4ddd-8ddd-dddddddddddd")
VILLAGE = UUID("f0f0f0f0-f0f0-4f0f-8f0f-f0f0f0f0f0f0")
TOWNSHIP = UUID("f1f1f1f1-f1f1-4f1f-8f1f-f1f1f1f1f1f1")
COUNTY = UUID("f2f2f2f2-f2f2-4f2f-8f2f-f2f2f2f2f2f2")
OTHER_VILLAGE = UUID("f3f3f3f3-f3f3-4f3f-8f3f-f3f3f3f3f3f3")
VISIT = UUID("f4f4f4f4-f4f4-4f4f-8f4f-f4f4f4f4f4f4")
ACTIVITY = UUID("f5f5f5f5-f5f5-4f5f-8f5f-f5f5f5f5f5f5")
COMMENT = UUID("f6f6f6f6-f6f6-4f6f-8f6f-f6f6f6f6f6f6")


def later(minutes: int) -> datetime:
    return WRITTEN_AT + timedelta(minutes=minutes)


def write(**overrides: object) -> ExperiencePost:
    fields: dict[str, object] = {
        "author_id": AUTHOR,
        "author_name": "李明",
        "author_kind": AuthorKind.CADRE,
        "author_subject_id": CADRE,
        "org_unit_id": VILLAGE,
        "title": "入户走访的三点体会",
        "text": "第一，先听后说。\n\n第二，带着问题去。",
        "at": WRITTEN_AT,
    }
    fields.update(overrides)
    return ExperiencePost.write(**fields)  # type: ignore[arg-type]


@pytest.fixture
def post() -> ExperiencePost:
    written = write()
    written.collect_events()
    return written


def photo_bytes(kind: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(out, format=kind)
    return out.getvalue()


def a_photo(n: int = 0) -> PhotoFacts:
    return PhotoFacts(f"{n:064x}", 1000 + n, "image/jpeg", 640, 480)


def kinds(post: ExperiencePost) -> list[str]:
    return [type(e).__name__ for e in post.collect_events()]


# --- writing ---


def test_writing_a_post_records_who_wrote_it_for_which_unit_and_about_what() -> None:
    written = write(visit_id=VISIT)
    (event,) = written.collect_events()
    assert isinstance(event, ExperiencePost.Written)
    assert (event.author_id, event.org_unit_id, event.visit_id) == (AUTHOR, VILLAGE, VISIT)
    assert written.versions == [(WRITTEN_AT, "入户走访的三点体会", written.text)]


def test_the_text_is_kept_as_paragraphs_separated_by_one_blank_line() -> None:
    written = write(text="  第一段  \r\n第一段第二行\n\n\n\n第二段\t\n")
    assert written.text == "第一段\n第一段第二行\n\n第二段"
    assert paragraphs(written.text) == ["第一段\n第一段第二行", "第二段"]


def test_markup_is_kept_as_the_letters_typed_never_as_markup() -> None:
    written = write(text="<b>加粗</b>")
    assert written.text == "<b>加粗</b>"


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n"])
def test_an_empty_text_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        write(text=text)
    assert refused.value.code == "experience-text-empty"


def test_a_text_over_the_limit_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        write(text="字" * (TEXT_MAX_LENGTH + 1))
    assert refused.value.code == "experience-text-too-long"


def test_a_text_at_the_limit_is_accepted() -> None:
    assert len(write(text="字" * TEXT_MAX_LENGTH).text) == TEXT_MAX_LENGTH


def test_an_empty_title_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        write(title=" ")
    assert refused.value.code == "title-empty"


def test_control_characters_in_the_text_are_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        write(text="正文\x1b[31m")
    assert refused.value.code == "text-control-character"


def test_a_post_about_both_a_visit_and_an_activity_is_refused() -> None:
    with pytest.raises(InvalidValue) as refused:
        write(visit_id=VISIT, activity_id=ACTIVITY)
    assert refused.value.code == "experience-about-both"


def test_a_center_post_cannot_be_about_a_visit() -> None:
    with pytest.raises(NotAllowed):
        write(author_kind=AuthorKind.CENTER, visit_id=VISIT)


# --- editing and withdrawing ---


def test_an_edit_is_a_new_version_and_the_old_one_is_kept(post: ExperiencePost) -> None:
    post.edit(title="新标题", text="新的正文", by=AUTHOR, at=later(5))
    assert kinds(post) == ["Edited"]
    assert (post.title, post.text, post.edited_at) == ("新标题", "新的正文", later(5))
    assert [v[1] for v in post.versions] == ["入户走访的三点体会", "新标题"]


def test_an_edit_that_changes_nothing_records_nothing(post: ExperiencePost) -> None:
    post.edit(title=post.title, text=post.text, by=AUTHOR, at=later(5))
    assert kinds(post) == []


def test_only_the_author_may_edit(post: ExperiencePost) -> None:
    with pytest.raises(NotAllowed) as refused:
        post.edit(title="改", text="改", by=COLLEAGUE, at=later(5))
    assert refused.value.code == "experience-not-yours"
    assert kinds(post) == []


def test_an_edit_with_an_empty_text_is_refused(post: ExperiencePost) -> None:
    with pytest.raises(InvalidValue):
        post.edit(title="题", text="", by=AUTHOR, at=later(5))
    assert kinds(post) == []


def test_the_author_withdraws_a_post_once(post: ExperiencePost) -> None:
    post.withdraw(by=AUTHOR, at=later(1))
    post.withdraw(by=AUTHOR, at=later(2))
    assert kinds(post) == ["Withdrawn"]
    assert post.withdrawn_at == later(1)


def test_only_the_author_may_withdraw(post: ExperiencePost) -> None:
    with pytest.raises(NotAllowed):
        post.withdraw(by=SUPERVISOR, at=later(1))


def test_a_withdrawn_post_cannot_be_edited(post: ExperiencePost) -> None:
    post.withdraw(by=AUTHOR, at=later(1))
    post.collect_events()
    with pytest.raises(AlreadyClosed) as refused:
        post.edit(title="改", text="改", by=AUTHOR, at=later(5))
    assert refused.value.code == "experience-withdrawn"


# --- comments and likes ---


def test_a_colleague_comments_with_their_name(post: ExperiencePost) -> None:
    post.comment(" 很有启发 ", comment_id=COMMENT, by=COLLEAGUE, by_name="王芳", at=later(3))
    assert kinds(post) == ["Commented"]
    assert post.comments == [(COMMENT, later(3), COLLEAGUE, "王芳", "很有启发")]


def test_a_comment_on_a_withdrawn_post_is_refused(post: ExperiencePost) -> None:
    post.withdraw(by=AUTHOR, at=later(1))
    post.collect_events()
    with pytest.raises(AlreadyClosed) as refused:
        post.comment("好", comment_id=COMMENT, by=COLLEAGUE, by_name="王芳", at=later(3))
    assert refused.value.code == "experience-withdrawn"
    assert kinds(post) == []


def test_a_comment_on_a_hidden_post_is_refused(post: ExperiencePost) -> None:
    post.hide(reason="含个人信息", by=SUPERVISOR, at=later(1))
    post.collect_events()
    with pytest.raises(NotAllowed) as refused:
        post.comment("好", comment_id=COMMENT, by=COLLEAGUE, by_name="王芳", at=later(3))
    assert refused.value.code == "experience-hidden"


@pytest.mark.parametrize(
    ("text", "code"),
    [("  ", "comment-empty"), ("好" * (COMMENT_MAX_LENGTH + 1), "comment-too-long")],
)
def test_an_empty_or_overlong_comment_is_refused(
    post: ExperiencePost, text: str, code: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        post.comment(text, comment_id=COMMENT, by=COLLEAGUE, by_name="王芳", at=later(3))
    assert refused.value.code == code


def test_liking_twice_is_liking_once_and_unliking_takes_it_back(post: ExperiencePost) -> None:
    post.like(by=COLLEAGUE, at=later(1))
    post.like(by=COLLEAGUE, at=later(2))
    post.unlike(by=COLLEAGUE, at=later(3))
    post.unlike(by=COLLEAGUE, at=later(4))
    assert kinds(post) == ["Liked", "Unliked"]
    assert post.likers == set()


def test_a_withdrawn_post_cannot_be_liked(post: ExperiencePost) -> None:
    post.withdraw(by=AUTHOR, at=later(1))
    with pytest.raises(AlreadyClosed):
        post.like(by=COLLEAGUE, at=later(2))


# --- featuring and hiding ---


def test_a_supervisor_features_a_post_for_their_subtree_once(post: ExperiencePost) -> None:
    post.feature(org_unit_id=TOWNSHIP, by=SUPERVISOR, at=later(1))
    post.feature(org_unit_id=TOWNSHIP, by=SUPERVISOR, at=later(2))
    post.unfeature(org_unit_id=TOWNSHIP, by=SUPERVISOR, at=later(3))
    assert kinds(post) == ["Featured", "Unfeatured"]
    assert post.featured_for == set()


def test_hiding_needs_a_reason_and_records_who_and_why(post: ExperiencePost) -> None:
    with pytest.raises(ReasonRequired):
        post.hide(reason=" ", by=SUPERVISOR, at=later(1))
    post.feature(org_unit_id=TOWNSHIP, by=SUPERVISOR, at=later(1))
    post.hide(reason="含个人信息", by=SUPERVISOR, at=later(2))
    assert kinds(post) == ["Featured", "Hidden"]
    assert post.hidden == (later(2), SUPERVISOR, "含个人信息")
    assert post.featured_for == set()


def test_a_hidden_post_cannot_be_featured(post: ExperiencePost) -> None:
    post.hide(reason="重复发布", by=SUPERVISOR, at=later(1))
    with pytest.raises(NotAllowed):
        post.feature(org_unit_id=TOWNSHIP, by=SUPERVISOR, at=later(2))


def test_the_feature_is_for_the_supervisors_nearest_unit_above_the_post() -> None:
    assert nearest_supervised(VILLAGE, [TOWNSHIP, COUNTY], {COUNTY, TOWNSHIP}) == TOWNSHIP
    assert nearest_supervised(VILLAGE, [TOWNSHIP, COUNTY], {COUNTY}) == COUNTY
    assert nearest_supervised(VILLAGE, [TOWNSHIP, COUNTY], {OTHER_VILLAGE}) is None


def test_a_post_reaches_members_of_its_unit_and_below_but_not_beside_or_above() -> None:
    assert reaches_member(TOWNSHIP, TOWNSHIP, [COUNTY])
    assert reaches_member(TOWNSHIP, VILLAGE, [TOWNSHIP, COUNTY])
    assert not reaches_member(VILLAGE, OTHER_VILLAGE, [TOWNSHIP, COUNTY])
    assert not reaches_member(VILLAGE, TOWNSHIP, [COUNTY])


# --- photos ---


@pytest.mark.parametrize(
    ("kind", "media_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp")]
)
def test_a_photo_is_known_by_its_bytes(kind: str, media_type: str) -> None:
    data = photo_bytes(kind, (40, 30))
    facts = inspect_photo(data)
    assert (facts.media_type, facts.width, facts.height, facts.size) == (
        media_type,
        40,
        30,
        len(data),
    )
    assert len(facts.sha256) == 64


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"GIF89a....",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff\xe0",
    ],
)
def test_a_file_that_is_not_an_image_is_refused(data: bytes) -> None:
    with pytest.raises(InvalidValue) as refused:
        inspect_photo(data)
    assert refused.value.code == "photo-not-an-image"


def test_a_photo_over_the_size_limit_is_refused() -> None:
    data = photo_bytes() + b"\0" * MAX_PHOTO_BYTES
    with pytest.raises(InvalidValue) as refused:
        inspect_photo(data)
    assert refused.value.code == "photo-too-large"


def test_an_image_claiming_huge_dimensions_is_refused() -> None:
    data = bytearray(photo_bytes("PNG"))
    data[16:24] = (60000).to_bytes(4, "big") + (60000).to_bytes(4, "big")
    with pytest.raises(InvalidValue) as refused:
        inspect_photo(bytes(data))
    assert refused.value.code == "photo-too-large"


def test_the_author_attaches_photos_up_to_the_limit(post: ExperiencePost) -> None:
    for n in range(MAX_PHOTOS):
        post.attach_photo(a_photo(n), by=AUTHOR, at=later(n))
    post.attach_photo(a_photo(0), by=AUTHOR, at=later(9))
    assert kinds(post) == ["PhotoAttached"] * MAX_PHOTOS
    with pytest.raises(InvalidValue) as refused:
        post.attach_photo(a_photo(MAX_PHOTOS), by=AUTHOR, at=later(10))
    assert refused.value.code == "photo-too-many"


def test_a_removed_photo_leaves_the_post(post: ExperiencePost) -> None:
    post.attach_photo(a_photo(1), by=AUTHOR, at=later(1))
    post.remove_photo(a_photo(1).sha256, by=AUTHOR, at=later(2))
    assert post.photos == []
    with pytest.raises(NotAllowed):
        post.remove_photo(a_photo(1).sha256, by=AUTHOR, at=later(3))


def test_only_the_author_attaches_photos(post: ExperiencePost) -> None:
    with pytest.raises(NotAllowed):
        post.attach_photo(a_photo(), by=COLLEAGUE, at=later(1))
