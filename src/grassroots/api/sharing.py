"""Experience sharing (心得交流): cadres and center staff write posts with photos;
colleagues in scope read, comment and like; supervisors feature and hide.

Who reads a post is ``scope.require_experience_post``: its author, a supervisor
of its unit, and (while it is shown) the cadres and centers of its unit and
below. One post, with its comments and photos, is read from the write side;
lists and counts from the ``shared_experiences`` read model, after the caller's
own writes have reached it.
"""

# No postponed annotations here: msgspec and Litestar read the views' and the
# upload's field types at run time.

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody, QueryParameter
from litestar.response import Response
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.fields import LINE, LINES, Id, Instant, Reason
from grassroots.api.pagination import Page, PageRequest, page_request
from grassroots.api.problems import ApiProblem, problem_responses
from grassroots.api.scope import (
    in_unit_scope,
    member_units,
    require_experience_post,
    require_unit,
)
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.experience import (
    COMMENT_MAX_LENGTH,
    MAX_PHOTO_BYTES,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ExperiencePost,
    nearest_supervised,
    paragraphs,
)
from grassroots.domain.values import require_year
from grassroots.projections.shared_experiences import (
    ExperienceSummary,
    UnitMonthCount,
    posts_by_author,
    posts_in_subtree,
    posts_per_unit_month,
    posts_reaching,
)

__all__ = [
    "ROUTES",
    "UPLOAD_MAX_BYTES",
    "WRITERS",
    "ExperienceController",
    "ExperienceCountsView",
    "ExperienceEdit",
    "ExperienceSummaryView",
    "ExperienceView",
    "Hiding",
    "UnitExperienceController",
    "attach_post_photo",
    "comment_on_post",
    "edit_post",
    "experience_counts",
    "experience_page_items",
    "experience_unit_items",
    "feature_post",
    "hide_post",
    "like_post",
    "photo_of_post",
    "read_experience",
    "supervising_unit",
    "unfeature_post",
    "unlike_post",
    "withdraw_post",
    "write_experience",
]

CallerRequest = Request[Caller, Token, Any]

# The domain checks the limits (and says so with its own problem types); the
# schema states them too, so a client knows them before it sends.
PostTitle = Annotated[
    str, Meta(max_length=TITLE_MAX_LENGTH, examples=["入户走访的三点体会"], extra_json_schema=LINE)
]
PostText = Annotated[
    str,
    Meta(
        max_length=TEXT_MAX_LENGTH * 2,
        description="Plain text; paragraphs are separated by a blank line. "
        f"At most {TEXT_MAX_LENGTH} characters once tidied.",
        examples=["第一，先听后说。\n\n第二，带着问题去。"],
        extra_json_schema=LINES,
    ),
]
CommentText = Annotated[
    str, Meta(max_length=COMMENT_MAX_LENGTH, examples=["很有启发，学习了"], extra_json_schema=LINES)
]
Sha256 = Annotated[str, Meta(pattern="^[0-9a-f]{64}$")]
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
FromMonth = Annotated[str | None, QueryParameter(name="from", pattern=MONTH_PATTERN)]
ToMonth = Annotated[str | None, QueryParameter(name="to", pattern=MONTH_PATTERN)]
# The upload route takes the photo and the multipart framing around it.
UPLOAD_MAX_BYTES = MAX_PHOTO_BYTES + 64 * 1024
WRITERS = (Role.CADRE, Role.CENTER_STAFF)
READERS = (Role.CADRE, Role.CENTER_STAFF, Role.SUPERVISOR)


class NewExperience(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: PostTitle
    text: PostText
    center_id: Annotated[
        Id | None,
        Meta(description="Write for this center (its staff); without it, as the caller's cadre."),
    ] = None
    visit_id: Annotated[Id | None, Meta(description="The caller's own visit it is about.")] = None
    activity_id: Annotated[Id | None, Meta(description="The activity it is about.")] = None


class ExperienceEdit(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: PostTitle
    text: PostText


class NewComment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    text: CommentText


class Hiding(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Reason


@dataclass
class PhotoUpload:
    photo: UploadFile


class PhotoView(msgspec.Struct, kw_only=True):
    sha256: str
    size: int
    media_type: Annotated[str, Meta(examples=["image/jpeg"])]
    width: int
    height: int
    url: Annotated[str, Meta(description="Where the photo is fetched (scoped like its post).")]


class CommentView(msgspec.Struct, kw_only=True):
    comment_id: UUID
    written_at: Instant
    by_name: str
    text: str


class HiddenView(msgspec.Struct, kw_only=True):
    hidden_at: Instant
    reason: str


class ExperienceView(msgspec.Struct, kw_only=True):
    post_id: UUID
    title: str
    text: str
    paragraphs: list[str]
    author_name: str
    author_kind: Annotated[str, Meta(examples=["cadre"])]
    mine: bool
    org_unit_id: UUID
    visit_id: UUID | None
    activity_id: UUID | None
    written_at: Instant
    edited_at: Instant | None
    versions: int
    photos: list[PhotoView]
    comments: list[CommentView]
    likes: int
    liked_by_me: bool
    featured_for: list[UUID]
    withdrawn: bool
    hidden: Annotated[
        HiddenView | None, Meta(description="Shown to the author and to supervisors.")
    ] = None


class ExperienceSummaryView(msgspec.Struct, kw_only=True):
    post_id: UUID
    title: str
    excerpt: str
    author_name: str
    author_kind: str
    org_unit_id: UUID
    unit_name: str | None
    written_at: Instant
    edited_at: Instant | None
    versions: int
    photos: int
    comments: int
    likes: int
    featured: bool
    liked_by_me: bool
    withdrawn: bool
    hidden: bool


class UnitMonthCountView(msgspec.Struct, kw_only=True):
    org_unit_id: UUID
    unit_name: str | None
    month: Annotated[str, Meta(examples=["2026-12"])]
    written: int
    withdrawn_or_hidden: int


class ExperienceCountsView(msgspec.Struct, kw_only=True):
    org_unit_id: UUID
    from_month: str
    to_month: str
    counts: list[UnitMonthCountView]


# --- views ------------------------------------------------------------------------


def _photo_url(post_id: UUID, sha256: str) -> str:
    return f"/api/v1/experiences/{post_id}/photos/{sha256}"


def experience_view(app: Grassroots, caller: Caller, post: ExperiencePost) -> ExperienceView:
    """The post as ``caller`` may see it (the hiding's reason: author and supervisors)."""
    mine = post.author_id == caller.account_id
    hidden = None
    if post.hidden is not None and (mine or in_unit_scope(app, caller, post.org_unit_id)):
        hidden = HiddenView(hidden_at=post.hidden[0], reason=post.hidden[2])
    return ExperienceView(
        post_id=post.id,
        title=post.title,
        text=post.text,
        paragraphs=paragraphs(post.text),
        author_name=post.author_name,
        author_kind=post.author_kind,
        mine=mine,
        org_unit_id=post.org_unit_id,
        visit_id=post.visit_id,
        activity_id=post.activity_id,
        written_at=post.written_at,
        edited_at=post.edited_at,
        versions=len(post.versions),
        photos=[
            PhotoView(
                sha256=p.sha256,
                size=p.size,
                media_type=p.media_type,
                width=p.width,
                height=p.height,
                url=_photo_url(post.id, p.sha256),
            )
            for p in post.photos
        ],
        comments=[
            CommentView(comment_id=c, written_at=at, by_name=name, text=text)
            for c, at, _, name, text in post.comments
        ],
        likes=len(post.likers),
        liked_by_me=caller.account_id in post.likers,
        featured_for=sorted(post.featured_for),
        withdrawn=post.is_withdrawn,
        hidden=hidden,
    )


def _summary_view(found: ExperienceSummary) -> ExperienceSummaryView:
    return ExperienceSummaryView(
        post_id=found.post_id,
        title=found.title,
        excerpt=found.excerpt,
        author_name=found.author_name,
        author_kind=found.author_kind,
        org_unit_id=found.org_unit_id,
        unit_name=found.unit_name,
        written_at=found.written_at,
        edited_at=found.edited_at,
        versions=found.versions,
        photos=found.photos,
        comments=found.comments,
        likes=found.likes,
        featured=found.featured,
        liked_by_me=found.liked_by_viewer,
        withdrawn=found.withdrawn,
        hidden=found.hidden,
    )


# --- the blocking parts (run through Api.read / Api.write) -----------------------


def write_experience(app: Grassroots, caller: Caller, data: NewExperience) -> ExperienceView:
    if data.center_id is not None:
        if data.center_id not in caller.subjects(Role.CENTER_STAFF):
            raise NotFound("center", data.center_id)
        post_id = app.write_experience(
            caller.account_id,
            center_id=data.center_id,
            title=data.title,
            text=data.text,
            visit_id=data.visit_id,
            activity_id=data.activity_id,
        )
    else:
        post_id = app.write_experience(
            caller.account_id,
            cadre_id=caller.cadre_id,
            title=data.title,
            text=data.text,
            visit_id=data.visit_id,
            activity_id=data.activity_id,
        )
    return experience_view(app, caller, app.get(ExperiencePost, post_id))


def read_experience(app: Grassroots, caller: Caller, post_id: UUID) -> ExperienceView:
    return experience_view(app, caller, require_experience_post(app, caller, post_id))


def edit_post(
    app: Grassroots, caller: Caller, post_id: UUID, data: ExperienceEdit
) -> ExperienceView:
    require_experience_post(app, caller, post_id)
    app.edit_experience(post_id, by=caller.account_id, title=data.title, text=data.text)
    return experience_view(app, caller, app.get(ExperiencePost, post_id))


def withdraw_post(app: Grassroots, caller: Caller, post_id: UUID) -> ExperienceView:
    require_experience_post(app, caller, post_id)
    app.withdraw_experience(post_id, by=caller.account_id)
    return experience_view(app, caller, app.get(ExperiencePost, post_id))


def comment_on_post(
    app: Grassroots, caller: Caller, post_id: UUID, data: NewComment
) -> ExperienceView:
    require_experience_post(app, caller, post_id)
    app.comment_on_experience(post_id, by=caller.account_id, text=data.text)
    return experience_view(app, caller, app.get(ExperiencePost, post_id))


def like_post(app: Grassroots, caller: Caller, post_id: UUID) -> None:
    require_experience_post(app, caller, post_id)
    app.like_experience(post_id, by=caller.account_id)


def unlike_post(app: Grassroots, caller: Caller, post_id: UUID) -> None:
    require_experience_post(app, caller, post_id)
    app.unlike_experience(post_id, by=caller.account_id)


def _supervised_post(app: Grassroots, caller: Caller, post_id: UUID) -> tuple[ExperiencePost, UUID]:
    """A post in a unit the caller supervises, with the unit a feature by them is for:
    their nearest unit at or above the post's (administrators: the top of its tree)."""
    post = app.get(ExperiencePost, post_id)
    if not in_unit_scope(app, caller, post.org_unit_id):
        raise NotFound("experience_post", post_id)
    ancestry = app.ancestry(post.org_unit_id)
    unit = nearest_supervised(post.org_unit_id, ancestry, caller.subjects(Role.SUPERVISOR))
    if unit is None:  # an administrator supervising nothing: for everyone
        unit = ancestry[-1] if ancestry else post.org_unit_id
    return post, unit


def supervising_unit(app: Grassroots, caller: Caller, post_id: UUID) -> UUID | None:
    """The unit a feature by the caller would be for, or ``None`` when the caller does
    not supervise the post's unit (a page offers a supervisor's buttons only then)."""
    try:
        return _supervised_post(app, caller, post_id)[1]
    except NotFound:
        return None


def feature_post(app: Grassroots, caller: Caller, post_id: UUID) -> ExperienceView:
    _, unit = _supervised_post(app, caller, post_id)
    app.feature_experience(post_id, org_unit_id=unit, by=caller.account_id)
    return experience_view(app, caller, app.get(ExperiencePost, post_id))


def unfeature_post(app: Grassroots, caller: Caller, post_id: UUID) -> None:
    _, unit = _supervised_post(app, caller, post_id)
    app.unfeature_experience(post_id, org_unit_id=unit, by=caller.account_id)


def hide_post(app: Grassroots, caller: Caller, post_id: UUID, data: Hiding) -> ExperienceView:
    _supervised_post(app, caller, post_id)
    app.hide_experience(post_id, reason=data.reason, by=caller.account_id)
    return experience_view(app, caller, app.get(ExperiencePost, post_id))


def attach_post_photo(app: Grassroots, caller: Caller, post_id: UUID, data: bytes) -> PhotoView:
    require_experience_post(app, caller, post_id)
    facts = app.attach_experience_photo(post_id, data, by=caller.account_id)
    return PhotoView(
        sha256=facts.sha256,
        size=facts.size,
        media_type=facts.media_type,
        width=facts.width,
        height=facts.height,
        url=_photo_url(post_id, facts.sha256),
    )


def _remove_photo(app: Grassroots, caller: Caller, post_id: UUID, sha256: str) -> None:
    require_experience_post(app, caller, post_id)
    app.remove_experience_photo(post_id, sha256, by=caller.account_id)


def photo_of_post(app: Grassroots, caller: Caller, post_id: UUID, sha256: str) -> tuple[str, bytes]:
    require_experience_post(app, caller, post_id)
    facts, data = app.experience_photo(post_id, sha256)
    return facts.media_type, data


def _reaching_me(api: Api, caller: Caller, page: PageRequest) -> list[ExperienceSummaryView]:
    units = member_units(api.app, caller)
    if not units:
        raise ApiProblem(
            403, "forbidden", "this list is for cadres and center staff; supervisors read a unit's"
        )
    with api.engine.connect() as conn:
        found = posts_reaching(
            conn, units[0], viewer_id=caller.account_id, limit=page.limit + 1, offset=page.offset
        )
    return [_summary_view(p) for p in found]


def _mine(api: Api, caller: Caller, page: PageRequest) -> list[ExperienceSummaryView]:
    with api.engine.connect() as conn:
        found = posts_by_author(conn, caller.account_id, limit=page.limit + 1, offset=page.offset)
    return [_summary_view(p) for p in found]


def experience_page_items(
    api: Api, caller: Caller, *, mine: bool, limit: int
) -> list[ExperienceSummaryView]:
    """The first ``limit`` posts of the caller's own list or of those reaching them."""
    first = PageRequest(limit=limit, offset=0)
    found = _mine(api, caller, first) if mine else _reaching_me(api, caller, first)
    return found[:limit]


def _in_unit(
    api: Api, caller: Caller, org_unit_id: UUID, page: PageRequest
) -> list[ExperienceSummaryView]:
    require_unit(api.app, caller, org_unit_id)
    with api.engine.connect() as conn:
        found = posts_in_subtree(
            conn,
            org_unit_id,
            viewer_id=caller.account_id,
            limit=page.limit + 1,
            offset=page.offset,
        )
    return [_summary_view(p) for p in found]


def experience_unit_items(
    api: Api, caller: Caller, org_unit_id: UUID, *, limit: int
) -> list[ExperienceSummaryView]:
    """The first ``limit`` shown posts of a unit's subtree, as its supervisor reads them."""
    return _in_unit(api, caller, org_unit_id, PageRequest(limit=limit, offset=0))[:limit]


def _month(text: str, name: str) -> date:
    year, month = (int(part) for part in text.split("-"))
    try:
        require_year(year, name)
    except Exception:
        raise ApiProblem(
            400, "invalid-request", f"{name} must fall between 2000 and 2100"
        ) from None
    return date(year, month, 1)


def experience_counts(
    api: Api, caller: Caller, org_unit_id: UUID, from_month: str | None, to_month: str | None
) -> ExperienceCountsView:
    require_unit(api.app, caller, org_unit_id)
    this_month = api.app.now().strftime("%Y-%m")
    first = _month(from_month or this_month, "from")
    last = _month(to_month or from_month or this_month, "to")
    if last < first:
        raise ApiProblem(400, "invalid-request", "to must not come before from")
    with api.engine.connect() as conn:
        found: list[UnitMonthCount] = posts_per_unit_month(
            conn, org_unit_id, first=first, last=last
        )
    return ExperienceCountsView(
        org_unit_id=org_unit_id,
        from_month=first.strftime("%Y-%m"),
        to_month=last.strftime("%Y-%m"),
        counts=[
            UnitMonthCountView(
                org_unit_id=c.org_unit_id,
                unit_name=c.unit_name,
                month=c.month,
                written=c.written,
                withdrawn_or_hidden=c.withdrawn_or_hidden,
            )
            for c in found
        ],
    )


# --- routes ----------------------------------------------------------------------

_WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 422, 429)


class ExperienceController(Controller):
    path = "/api/v1/experiences"
    tags = ["sharing"]  # noqa: RUF012
    guards = [requires(*READERS)]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @post(
        operation_id="writeExperience",
        summary="Write an experience post, as one's cadre or for one's center (cadre, staff)",
        guards=[requires(*WRITERS)],
        status_code=HTTP_201_CREATED,
        responses=_WRITE_ERRORS,
    )
    async def write(
        self, data: JSONBody[NewExperience], request: CallerRequest, api: ApiDep
    ) -> ExperienceView:
        caller = request.user
        return await api.write(caller.account_id, write_experience, api.app, caller, data)

    @get(
        operation_id="listExperiences",
        summary="Posts of one's unit and the units above it: featured first, newest first "
        "(cadre, staff)",
        guards=[requires(*WRITERS)],
        responses=problem_responses(400, 401, 403, 429),
    )
    async def reaching_me(
        self, request: CallerRequest, api: ApiDep, page: NamedDependency[PageRequest]
    ) -> Page[ExperienceSummaryView]:
        caller = request.user
        return page.page(await api.read(caller.account_id, _reaching_me, api, caller, page))

    @get(
        "/mine",
        operation_id="listMyExperiences",
        summary="One's own posts, withdrawn and hidden ones too, newest first (cadre, staff)",
        guards=[requires(*WRITERS)],
        responses=problem_responses(400, 401, 403, 429),
    )
    async def mine(
        self, request: CallerRequest, api: ApiDep, page: NamedDependency[PageRequest]
    ) -> Page[ExperienceSummaryView]:
        caller = request.user
        return page.page(await api.read(caller.account_id, _mine, api, caller, page))

    @get(
        "/{post_id:uuid}",
        operation_id="getExperience",
        summary="A post with its photos and comments (its unit and below; supervisors above)",
        responses=problem_responses(401, 403, 404, 429),
    )
    async def read_one(
        self, post_id: FromPath[UUID], request: CallerRequest, api: ApiDep
    ) -> ExperienceView:
        caller = request.user
        return await api.read(None, read_experience, api.app, caller, post_id)

    @put(
        "/{post_id:uuid}",
        operation_id="editExperience",
        summary="Edit one's post: a new version, the earlier ones kept (its author)",
        guards=[requires(*WRITERS)],
        responses=_WRITE_ERRORS,
    )
    async def edit(
        self,
        post_id: FromPath[UUID],
        data: JSONBody[ExperienceEdit],
        request: CallerRequest,
        api: ApiDep,
    ) -> ExperienceView:
        caller = request.user
        return await api.write(caller.account_id, edit_post, api.app, caller, post_id, data)

    @post(
        "/{post_id:uuid}/withdraw",
        operation_id="withdrawExperience",
        summary="Withdraw one's post (its author)",
        guards=[requires(*WRITERS)],
        status_code=HTTP_200_OK,
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def withdraw(
        self, post_id: FromPath[UUID], request: CallerRequest, api: ApiDep
    ) -> ExperienceView:
        caller = request.user
        return await api.write(caller.account_id, withdraw_post, api.app, caller, post_id)

    @post(
        "/{post_id:uuid}/comments",
        operation_id="commentOnExperience",
        summary="Comment on a post one can read",
        status_code=HTTP_201_CREATED,
        responses=_WRITE_ERRORS,
    )
    async def comment(
        self,
        post_id: FromPath[UUID],
        data: JSONBody[NewComment],
        request: CallerRequest,
        api: ApiDep,
    ) -> ExperienceView:
        caller = request.user
        return await api.write(caller.account_id, comment_on_post, api.app, caller, post_id, data)

    @put(
        "/{post_id:uuid}/like",
        operation_id="likeExperience",
        summary="Like a post one can read (liking twice is liking once)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def like(self, post_id: FromPath[UUID], request: CallerRequest, api: ApiDep) -> None:
        caller = request.user
        await api.write(caller.account_id, like_post, api.app, caller, post_id)

    @delete(
        "/{post_id:uuid}/like",
        operation_id="unlikeExperience",
        summary="Take one's like back",
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def unlike(self, post_id: FromPath[UUID], request: CallerRequest, api: ApiDep) -> None:
        caller = request.user
        await api.write(caller.account_id, unlike_post, api.app, caller, post_id)

    @post(
        "/{post_id:uuid}/feature",
        operation_id="featureExperience",
        summary="Feature a post for one's subtree: listed first there (supervisor of its unit)",
        guards=[requires(Role.SUPERVISOR)],
        status_code=HTTP_200_OK,
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def feature(
        self, post_id: FromPath[UUID], request: CallerRequest, api: ApiDep
    ) -> ExperienceView:
        caller = request.user
        return await api.write(caller.account_id, feature_post, api.app, caller, post_id)

    @delete(
        "/{post_id:uuid}/feature",
        operation_id="unfeatureExperience",
        summary="Stop featuring a post for one's subtree (supervisor of its unit)",
        guards=[requires(Role.SUPERVISOR)],
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def unfeature(self, post_id: FromPath[UUID], request: CallerRequest, api: ApiDep) -> None:
        caller = request.user
        await api.write(caller.account_id, unfeature_post, api.app, caller, post_id)

    @post(
        "/{post_id:uuid}/hide",
        operation_id="hideExperience",
        summary="Hide a post from every list, with a reason, recorded with who (supervisor)",
        guards=[requires(Role.SUPERVISOR)],
        status_code=HTTP_200_OK,
        responses=_WRITE_ERRORS,
    )
    async def hide(
        self,
        post_id: FromPath[UUID],
        data: JSONBody[Hiding],
        request: CallerRequest,
        api: ApiDep,
    ) -> ExperienceView:
        caller = request.user
        return await api.write(caller.account_id, hide_post, api.app, caller, post_id, data)

    @post(
        "/{post_id:uuid}/photos",
        operation_id="attachExperiencePhoto",
        summary="Add a photo to one's post (its author)",
        description="`multipart/form-data` with the image in the field `photo`: JPEG, PNG "
        f"or WebP, at most {MAX_PHOTO_BYTES} bytes and 8000 pixels a side.",
        guards=[requires(*WRITERS)],
        status_code=HTTP_201_CREATED,
        request_max_body_size=UPLOAD_MAX_BYTES,
        responses=problem_responses(400, 401, 403, 404, 409, 413, 422, 429),
    )
    async def attach_photo(
        self,
        post_id: FromPath[UUID],
        data: Annotated[PhotoUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        request: CallerRequest,
        api: ApiDep,
    ) -> PhotoView:
        caller = request.user
        upload = data.photo
        if not isinstance(upload, UploadFile):
            raise ApiProblem(400, "photo-missing", "send the photo in the field named photo")
        content = await upload.read(UPLOAD_MAX_BYTES)
        return await api.write(
            caller.account_id, attach_post_photo, api.app, caller, post_id, content
        )

    @get(
        "/{post_id:uuid}/photos/{sha256:str}",
        operation_id="getExperiencePhoto",
        summary="A photo of a post one can read",
        media_type="application/octet-stream",
        responses=problem_responses(401, 403, 404, 429),
    )
    async def photo(
        self, post_id: FromPath[UUID], sha256: FromPath[Sha256], request: CallerRequest, api: ApiDep
    ) -> Response[bytes]:
        caller = request.user
        media_type, content = await api.read(None, photo_of_post, api.app, caller, post_id, sha256)
        # A photo never changes under its hash; who may see it may, so it stays private.
        return Response(
            content,
            media_type=media_type,
            headers={"Cache-Control": "private, max-age=86400"},
        )

    @delete(
        "/{post_id:uuid}/photos/{sha256:str}",
        operation_id="removeExperiencePhoto",
        summary="Take a photo off one's post (its author)",
        guards=[requires(*WRITERS)],
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def remove_photo(
        self, post_id: FromPath[UUID], sha256: FromPath[Sha256], request: CallerRequest, api: ApiDep
    ) -> None:
        caller = request.user
        await api.write(caller.account_id, _remove_photo, api.app, caller, post_id, sha256)


class UnitExperienceController(Controller):
    path = "/api/v1/org-units"
    tags = ["sharing"]  # noqa: RUF012
    guards = [requires(Role.SUPERVISOR)]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/{org_unit_id:uuid}/experiences",
        operation_id="listUnitExperiences",
        summary="Posts of a unit's subtree: featured first, newest first, with counts (supervisor)",
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def in_unit(
        self,
        org_unit_id: FromPath[UUID],
        request: CallerRequest,
        api: ApiDep,
        page: NamedDependency[PageRequest],
    ) -> Page[ExperienceSummaryView]:
        caller = request.user
        found = await api.read(caller.account_id, _in_unit, api, caller, org_unit_id, page)
        return page.page(found)

    @get(
        "/{org_unit_id:uuid}/experience-counts",
        operation_id="getUnitExperienceCounts",
        summary="Posts written per unit per month in a unit's subtree (supervisor)",
        description="Months `from` to `to` (`YYYY-MM`, the unit's zone; this month by default).",
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def counts(
        self,
        org_unit_id: FromPath[UUID],
        request: CallerRequest,
        api: ApiDep,
        from_month: Annotated[
            str | None, QueryParameter(name="from", pattern=MONTH_PATTERN)
        ] = None,
        to_month: Annotated[str | None, QueryParameter(name="to", pattern=MONTH_PATTERN)] = None,
    ) -> ExperienceCountsView:
        caller = request.user
        return await api.read(
            caller.account_id, experience_counts, api, caller, org_unit_id, from_month, to_month
        )


ROUTES: list[ControllerRouterHandler] = [ExperienceController, UnitExperienceController]
