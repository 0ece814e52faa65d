"""Experience sharing (心得交流): what cadres and center staff write for each other.

A post is written by one account on behalf of a cadre or a youth center, and
belongs to that cadre's or center's org unit. It is read by the people of that
unit's subtree (a cadre or center below it) and by the supervisors above it
(who see everything below them). The author edits it (each edit a new version,
the earlier ones kept in the log) or withdraws it; colleagues comment and like;
a supervisor features it for their own subtree or hides it with a reason.

Text is plain text: paragraphs separated by blank lines, never HTML. Photos are
kept outside the log (in a blob store, by their SHA-256); an event names a
photo by its hash, size, type and dimensions, checked here on the bytes
themselves (``inspect_photo``).
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed
from grassroots.domain.values import require_aware, require_reason, require_text

__all__ = [
    "COMMENT_MAX_LENGTH",
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "MAX_PHOTO_PIXELS",
    "MAX_PHOTO_SIDE",
    "TEXT_MAX_LENGTH",
    "TITLE_MAX_LENGTH",
    "AuthorKind",
    "ExperiencePost",
    "PhotoFacts",
    "inspect_photo",
    "nearest_supervised",
    "paragraphs",
    "reaches_member",
    "require_comment",
    "require_post_text",
    "require_post_title",
]

TITLE_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 5000
COMMENT_MAX_LENGTH = 1000
MAX_PHOTOS = 6
# A phone's photo, resized by the page before sending, is well under this; an
# original from a good camera is not, and is refused rather than stored.
MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_PHOTO_SIDE = 8000
MAX_PHOTO_PIXELS = 40_000_000


class AuthorKind:
    """On whose behalf a post is written: the org unit it belongs to comes from it."""

    CADRE = "cadre"
    CENTER = "center"


# --- pure rules -----------------------------------------------------------------


def require_post_title(title: str) -> str:
    return require_text(title, "title", max_length=TITLE_MAX_LENGTH)


_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")


def require_post_text(text: str) -> str:
    """The text as stored: the text rule, then each paragraph separated by exactly one
    blank line, no spaces at line ends, not empty, at most ``TEXT_MAX_LENGTH`` characters."""
    checked = require_text(text, "experience-text", max_length=TEXT_MAX_LENGTH * 2, multiline=True)
    tidy = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", checked + "\n")).strip()
    if len(tidy) > TEXT_MAX_LENGTH:
        raise InvalidValue(
            f"the text is longer than {TEXT_MAX_LENGTH} characters",
            code="experience-text-too-long",
        )
    return tidy


def paragraphs(text: str) -> list[str]:
    """A stored text's paragraphs, as a screen shows them (line breaks inside kept)."""
    return [p for p in (part.strip() for part in text.split("\n\n")) if p]


def require_comment(text: str) -> str:
    return require_text(text, "comment", max_length=COMMENT_MAX_LENGTH, multiline=True)


def reaches_member(
    post_unit_id: UUID, member_unit_id: UUID, member_ancestry: Iterable[UUID]
) -> bool:
    """Whether a post of ``post_unit_id`` is shown to someone who belongs to
    ``member_unit_id`` (with its ancestors): the post's unit is theirs or above it.
    Supervisors see more (everything below them); that is the scope rule's part."""
    return post_unit_id == member_unit_id or post_unit_id in set(member_ancestry)


def nearest_supervised(
    post_unit_id: UUID, post_ancestry: Sequence[UUID], supervised: Iterable[UUID]
) -> UUID | None:
    """Of the units a supervisor holds, the nearest one at or above the post's unit:
    the subtree a feature by that supervisor is for. ``post_ancestry`` nearest first."""
    held = set(supervised)
    for unit in (post_unit_id, *post_ancestry):
        if unit in held:
            return unit
    return None


# --- photos ---------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoFacts:
    """What a post's event keeps of a photo: the bytes themselves live in the blob store."""

    sha256: str
    size: int
    media_type: str
    width: int
    height: int


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers that carry the dimensions (not DHT C4, JPG C8, DAC CC).
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def inspect_photo(data: bytes) -> PhotoFacts:
    """The facts of a photo, or ``InvalidValue`` when ``data`` is not a JPEG, PNG or
    WebP image whose header gives sane dimensions, or is larger than allowed."""
    if not data:
        raise InvalidValue("the photo is empty", code="photo-not-an-image")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidValue(
            f"a photo may be at most {MAX_PHOTO_BYTES} bytes", code="photo-too-large"
        )
    found = _png(data) or _jpeg(data) or _webp(data)
    if found is None:
        raise InvalidValue("the file is not a JPEG, PNG or WebP image", code="photo-not-an-image")
    media_type, width, height = found
    if width < 1 or height < 1:
        raise InvalidValue("the image has no size", code="photo-not-an-image")
    if width > MAX_PHOTO_SIDE or height > MAX_PHOTO_SIDE or width * height > MAX_PHOTO_PIXELS:
        raise InvalidValue(
            f"an image may be at most {MAX_PHOTO_SIDE} pixels a side", code="photo-too-large"
        )
    return PhotoFacts(
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        media_type=media_type,
        width=width,
        height=height,
    )


def _png(data: bytes) -> tuple[str, int, int] | None:
    if not data.startswith(_PNG_SIGNATURE) or len(data) < 33 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return "image/png", width, height


def _jpeg(data: bytes) -> tuple[str, int, int] | None:
    if not data.startswith(b"\xff\xd8\xff"):
        return None
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if length < 2:
            return None
        if marker in _JPEG_SOF:
            if i + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return "image/jpeg", width, height
        if marker in (0xD9, 0xDA):  # end of image, or the scan before any frame
            return None
        i += 2 + length
    return None


def _webp(data: bytes) -> tuple[str, int, int] | None:
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return "image/webp", width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return "image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return "image/webp", width, height
    return None


# --- the aggregate ---------------------------------------------------------------


class ExperiencePost(Aggregate):
    class Written(Aggregate.Created):
        author_id: UUID
        author_name: str
        author_kind: str
        author_subject_id: UUID
        org_unit_id: UUID
        title: str
        text: str
        visit_id: UUID | None
        activity_id: UUID | None
        at: datetime

    class Edited(Aggregate.Event):
        title: str
        text: str
        at: datetime

    class PhotoAttached(Aggregate.Event):
        sha256: str
        size: int
        media_type: str
        width: int
        height: int
        at: datetime

    class PhotoRemoved(Aggregate.Event):
        sha256: str
        at: datetime

    class Withdrawn(Aggregate.Event):
        at: datetime

    class Commented(Aggregate.Event):
        comment_id: UUID
        by: UUID
        by_name: str
        text: str
        at: datetime

    class Liked(Aggregate.Event):
        by: UUID
        at: datetime

    class Unliked(Aggregate.Event):
        by: UUID
        at: datetime

    class Featured(Aggregate.Event):
        org_unit_id: UUID
        by: UUID
        at: datetime

    class Unfeatured(Aggregate.Event):
        org_unit_id: UUID
        by: UUID
        at: datetime

    class Hidden(Aggregate.Event):
        reason: str
        by: UUID
        at: datetime

    @classmethod
    def write(
        cls,
        *,
        author_id: UUID,
        author_name: str,
        author_kind: str,
        author_subject_id: UUID,
        org_unit_id: UUID,
        title: str,
        text: str,
        at: datetime,
        visit_id: UUID | None = None,
        activity_id: UUID | None = None,
    ) -> ExperiencePost:
        if author_kind not in (AuthorKind.CADRE, AuthorKind.CENTER):
            raise InvalidValue(f"unknown author kind {author_kind!r}", code="author-kind-invalid")
        if visit_id is not None and activity_id is not None:
            raise InvalidValue(
                "a post is about one visit or one activity, not both",
                code="experience-about-both",
            )
        if visit_id is not None and author_kind != AuthorKind.CADRE:
            raise NotAllowed("only a cadre's post is about a visit", code="visit-not-yours")
        return cls(
            author_id=author_id,
            author_name=author_name,
            author_kind=author_kind,
            author_subject_id=author_subject_id,
            org_unit_id=org_unit_id,
            title=require_post_title(title),
            text=require_post_text(text),
            visit_id=visit_id,
            activity_id=activity_id,
            at=require_aware(at),
        )

    @event(Written)
    def __init__(
        self,
        author_id: UUID,
        author_name: str,
        author_kind: str,
        author_subject_id: UUID,
        org_unit_id: UUID,
        title: str,
        text: str,
        visit_id: UUID | None,
        activity_id: UUID | None,
        at: datetime,
    ) -> None:
        self.author_id = author_id
        self.author_name = author_name
        self.author_kind = author_kind
        self.author_subject_id = author_subject_id
        self.org_unit_id = org_unit_id
        self.title = title
        self.text = text
        self.visit_id = visit_id
        self.activity_id = activity_id
        self.written_at = at
        self.edited_at: datetime | None = None
        # Every version, the first included: (at, title, text), oldest first.
        self.versions: list[tuple[datetime, str, str]] = [(at, title, text)]
        self.photos: list[PhotoFacts] = []
        self.withdrawn_at: datetime | None = None
        self.comments: list[tuple[UUID, datetime, UUID, str, str]] = []
        self.likers: set[UUID] = set()
        self.featured_for: set[UUID] = set()
        self.hidden: tuple[datetime, UUID, str] | None = None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden is not None

    # --- the author's commands ---

    def edit(self, *, title: str, text: str, by: UUID, at: datetime) -> None:
        """A new version; the earlier ones stay in the log and in ``versions``."""
        self._require_author(by)
        self._require_open()
        new_title, new_text = require_post_title(title), require_post_text(text)
        if (new_title, new_text) == (self.title, self.text):
            return
        self._edited(title=new_title, text=new_text, at=require_aware(at))

    @event(Edited)
    def _edited(self, title: str, text: str, at: datetime) -> None:
        self.title = title
        self.text = text
        self.edited_at = at
        self.versions.append((at, title, text))

    def attach_photo(self, photo: PhotoFacts, *, by: UUID, at: datetime) -> None:
        self._require_author(by)
        self._require_open()
        if any(p.sha256 == photo.sha256 for p in self.photos):
            return
        if len(self.photos) >= MAX_PHOTOS:
            raise InvalidValue(f"a post holds at most {MAX_PHOTOS} photos", code="photo-too-many")
        self._photo_attached(
            sha256=photo.sha256,
            size=photo.size,
            media_type=photo.media_type,
            width=photo.width,
            height=photo.height,
            at=require_aware(at),
        )

    @event(PhotoAttached)
    def _photo_attached(
        self, sha256: str, size: int, media_type: str, width: int, height: int, at: datetime
    ) -> None:
        self.photos.append(PhotoFacts(sha256, size, media_type, width, height))

    def remove_photo(self, sha256: str, *, by: UUID, at: datetime) -> None:
        self._require_author(by)
        self._require_open()
        if self.photo(sha256) is None:
            raise NotAllowed("the post has no such photo", code="photo-not-on-post")
        self._photo_removed(sha256=sha256, at=require_aware(at))

    @event(PhotoRemoved)
    def _photo_removed(self, sha256: str, at: datetime) -> None:
        self.photos = [p for p in self.photos if p.sha256 != sha256]

    def photo(self, sha256: str) -> PhotoFacts | None:
        return next((p for p in self.photos if p.sha256 == sha256), None)

    def withdraw(self, *, by: UUID, at: datetime) -> None:
        self._require_author(by)
        if self.is_withdrawn:
            return
        self._withdrawn(at=require_aware(at))

    @event(Withdrawn)
    def _withdrawn(self, at: datetime) -> None:
        self.withdrawn_at = at

    # --- colleagues' commands ---

    def comment(self, text: str, *, comment_id: UUID, by: UUID, by_name: str, at: datetime) -> None:
        self._require_open()
        self._commented(
            comment_id=comment_id,
            by=by,
            by_name=by_name,
            text=require_comment(text),
            at=require_aware(at),
        )

    @event(Commented)
    def _commented(self, comment_id: UUID, by: UUID, by_name: str, text: str, at: datetime) -> None:
        self.comments.append((comment_id, at, by, by_name, text))

    def like(self, *, by: UUID, at: datetime) -> None:
        """Liking twice is liking once."""
        self._require_open()
        if by in self.likers:
            return
        self._liked(by=by, at=require_aware(at))

    @event(Liked)
    def _liked(self, by: UUID, at: datetime) -> None:
        self.likers.add(by)

    def unlike(self, *, by: UUID, at: datetime) -> None:
        self._require_not_withdrawn()
        if by not in self.likers:
            return
        self._unliked(by=by, at=require_aware(at))

    @event(Unliked)
    def _unliked(self, by: UUID, at: datetime) -> None:
        self.likers.discard(by)

    # --- supervisors' commands ---

    def feature(self, *, org_unit_id: UUID, by: UUID, at: datetime) -> None:
        """Shown first to everyone in ``org_unit_id``'s subtree (the featuring
        supervisor's unit at or above the post's, found by ``nearest_supervised``)."""
        self._require_open()
        if org_unit_id in self.featured_for:
            return
        self._featured(org_unit_id=org_unit_id, by=by, at=require_aware(at))

    @event(Featured)
    def _featured(self, org_unit_id: UUID, by: UUID, at: datetime) -> None:
        self.featured_for.add(org_unit_id)

    def unfeature(self, *, org_unit_id: UUID, by: UUID, at: datetime) -> None:
        if org_unit_id not in self.featured_for:
            return
        self._unfeatured(org_unit_id=org_unit_id, by=by, at=require_aware(at))

    @event(Unfeatured)
    def _unfeatured(self, org_unit_id: UUID, by: UUID, at: datetime) -> None:
        self.featured_for.discard(org_unit_id)

    def hide(self, *, reason: str, by: UUID, at: datetime) -> None:
        """Taken out of every list, with the reason and who decided (the event is the audit)."""
        self._require_not_withdrawn()
        if self.is_hidden:
            return
        self._hidden(reason=require_reason(reason), by=by, at=require_aware(at))

    @event(Hidden)
    def _hidden(self, reason: str, by: UUID, at: datetime) -> None:
        self.hidden = (at, by, reason)
        self.featured_for = set()

    # --- checks ---

    def _require_author(self, by: UUID) -> None:
        if by != self.author_id:
            raise NotAllowed("only the author may change a post", code="experience-not-yours")

    def _require_not_withdrawn(self) -> None:
        if self.is_withdrawn:
            raise AlreadyClosed("the post has been withdrawn", code="experience-withdrawn")

    def _require_open(self) -> None:
        self._require_not_withdrawn()
        if self.is_hidden:
            raise NotAllowed("the post has been hidden", code="experience-hidden")
