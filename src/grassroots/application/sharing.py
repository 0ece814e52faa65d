"""Commands of experience sharing (心得交流): posts, their photos, comments, likes,
and what supervisors do with them (feature, hide).

Who may *see* a post is the API's scope check (``api/scope.py``); the commands
here check what the post itself decides (only its author edits it, nothing is
added to a withdrawn one) and that the author writes in a role they hold.
"""

from __future__ import annotations

import io
import warnings
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic
from PIL import Image, UnidentifiedImageError

from grassroots.application.core import Core
from grassroots.application.errors import NotFound
from grassroots.application.photo_store import MemoryPhotoStore, PhotoStore
from grassroots.domain.account import Account, Grant, Role
from grassroots.domain.activity import Activity
from grassroots.domain.cadre import Cadre
from grassroots.domain.center import Center
from grassroots.domain.errors import InvalidValue, NotAllowed
from grassroots.domain.experience import (
    AuthorKind,
    ExperiencePost,
    PhotoFacts,
    inspect_photo,
)
from grassroots.domain.visit import Visit

__all__ = ["SharingCommands", "check_photo"]

_PILLOW_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def check_photo(data: bytes) -> PhotoFacts:
    """``inspect_photo`` (header, size, dimensions), then the image library reads the
    file through (``verify``): a valid header before garbage is refused as well."""
    facts = inspect_photo(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = _PILLOW_TYPES.get(image.format or "")
                size = image.size
                image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
    ):
        raise InvalidValue("the file is not a readable image", code="photo-not-an-image") from None
    if kind != facts.media_type or size != (facts.width, facts.height):
        raise InvalidValue("the file is not a readable image", code="photo-not-an-image")
    return facts


class SharingCommands(Core):
    _photo_store: PhotoStore | None = None

    def use_photo_store(self, store: PhotoStore) -> None:
        self._photo_store = store

    @property
    def photo_store(self) -> PhotoStore:
        """The store set by the composition root, or one in memory for this application."""
        if self._photo_store is None:
            self._photo_store = MemoryPhotoStore()
        return self._photo_store

    def write_experience(
        self,
        author_id: UUID,
        *,
        title: str,
        text: str,
        cadre_id: UUID | None = None,
        center_id: UUID | None = None,
        visit_id: UUID | None = None,
        activity_id: UUID | None = None,
    ) -> UUID:
        """A post written by ``author_id`` as the cadre or for the center they hold a
        role for; it belongs to that cadre's or center's org unit."""
        author = self.get(Account, author_id)
        if cadre_id is not None and center_id is None:
            kind, subject_id, grant = AuthorKind.CADRE, cadre_id, Grant(Role.CADRE, cadre_id)
            org_unit_id = self.get(Cadre, cadre_id).org_unit_id
        elif center_id is not None and cadre_id is None:
            kind, subject_id = AuthorKind.CENTER, center_id
            grant = Grant(Role.CENTER_STAFF, center_id)
            org_unit_id = self.get(Center, center_id).org_unit_id
        else:
            raise InvalidValue("write as one cadre or for one center", code="author-not-in-role")
        if grant not in author.grants:
            raise NotAllowed("the account holds no such role", code="author-not-in-role")
        if visit_id is not None and self.get(Visit, visit_id).cadre_id != cadre_id:
            raise NotAllowed("this visit is another cadre's", code="visit-not-yours")
        if activity_id is not None:
            self.get(Activity, activity_id)
        post = ExperiencePost.write(
            author_id=author.id,
            author_name=author.name,
            author_kind=kind,
            author_subject_id=subject_id,
            org_unit_id=org_unit_id,
            title=title,
            text=text,
            visit_id=visit_id,
            activity_id=activity_id,
            at=self.now(),
        )
        self.commit(post)
        return post.id

    def edit_experience(self, post_id: UUID, *, by: UUID, title: str, text: str) -> None:
        post = self.get(ExperiencePost, post_id)
        post.edit(title=title, text=text, by=by, at=self.now())
        self.commit(post)

    def withdraw_experience(self, post_id: UUID, *, by: UUID) -> None:
        post = self.get(ExperiencePost, post_id)
        post.withdraw(by=by, at=self.now())
        self.commit(post)

    def attach_experience_photo(self, post_id: UUID, data: bytes, *, by: UUID) -> PhotoFacts:
        """The photo checked, kept in the photo store, then named by the post's event:
        in this order, so no event ever names a photo that was not kept."""
        facts = check_photo(data)
        post = self.get(ExperiencePost, post_id)
        post.attach_photo(facts, by=by, at=self.now())
        self.photo_store.put(facts.sha256, data)
        self.commit(post)
        return facts

    def remove_experience_photo(self, post_id: UUID, sha256: str, *, by: UUID) -> None:
        post = self.get(ExperiencePost, post_id)
        post.remove_photo(sha256, by=by, at=self.now())
        self.commit(post)

    def photos_named(self) -> set[str]:
        """Every photo hash any post's event has named, removed photos included (the
        log still names them: an earlier version of the post showed them)."""
        topic = get_topic(ExperiencePost.PhotoAttached)
        named: set[str] = set()
        start = 1
        while True:
            batch = self.recorder.select_notifications(start=start, limit=1000, topics=[topic])
            if not batch:
                return named
            for notification in batch:
                event = self.mapper.to_domain_event(notification)
                assert isinstance(event, ExperiencePost.PhotoAttached)
                named.add(event.sha256)
            start = batch[-1].id + 1

    def experience_photo(self, post_id: UUID, sha256: str) -> tuple[PhotoFacts, bytes]:
        """A photo the post shows now, with its bytes."""
        facts = self.get(ExperiencePost, post_id).photo(sha256)
        data = self.photo_store.get(sha256) if facts is not None else None
        if facts is None or data is None:
            raise NotFound("photo", post_id)
        return facts, data

    def comment_on_experience(self, post_id: UUID, *, by: UUID, text: str) -> UUID:
        post = self.get(ExperiencePost, post_id)
        name = self.get(Account, by).name
        comment_id = uuid4()
        post.comment(text, comment_id=comment_id, by=by, by_name=name, at=self.now())
        self.commit(post)
        return comment_id

    def like_experience(self, post_id: UUID, *, by: UUID) -> None:
        post = self.get(ExperiencePost, post_id)
        post.like(by=by, at=self.now())
        self.commit(post)

    def unlike_experience(self, post_id: UUID, *, by: UUID) -> None:
        post = self.get(ExperiencePost, post_id)
        post.unlike(by=by, at=self.now())
        self.commit(post)

    def feature_experience(self, post_id: UUID, *, org_unit_id: UUID, by: UUID) -> None:
        post = self.get(ExperiencePost, post_id)
        post.feature(org_unit_id=org_unit_id, by=by, at=self.now())
        self.commit(post)

    def unfeature_experience(self, post_id: UUID, *, org_unit_id: UUID, by: UUID) -> None:
        post = self.get(ExperiencePost, post_id)
        post.unfeature(org_unit_id=org_unit_id, by=by, at=self.now())
        self.commit(post)

    def hide_experience(self, post_id: UUID, *, reason: str, by: UUID) -> None:
        post = self.get(ExperiencePost, post_id)
        post.hide(reason=reason, by=by, at=self.now())
        self.commit(post)
