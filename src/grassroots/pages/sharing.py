"""Experience sharing (心得交流) on the phone: the posts that reach me, my own, one post
with its photos and comments, the forms to write one and to edit it; for a supervisor,
the posts of a unit's subtree and, on a post, featuring it and hiding it with a reason.

Cadres and center staff write, edit (a new version) and withdraw; supervisors (and
administrators, as in the API) read their subtree, feature and hide. Every read and
write goes through the API's own functions in ``grassroots.api.sharing``, so the
scope and the rules are the API's: a post or unit outside the caller's reach is the
missing page, a refusal shows its reason beside what was typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.auth import Caller, holds_any
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import ApiProblem
from grassroots.api.scope import require_unit
from grassroots.api.sharing import (
    UPLOAD_MAX_BYTES,
    ExperienceEdit,
    ExperienceSummaryView,
    ExperienceView,
    Hiding,
    NewComment,
    NewExperience,
    attach_post_photo,
    comment_on_post,
    edit_post,
    experience_page_items,
    experience_unit_items,
    feature_post,
    hide_post,
    like_post,
    photo_of_post,
    read_experience,
    supervising_unit,
    unfeature_post,
    unlike_post,
    withdraw_post,
    write_experience,
)
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.errors import CodedError
from grassroots.pages.clock import LocalClock, local_clock
from grassroots.pages.controllers import page, unit_param
from grassroots.pages.dispatch import unit_choices
from grassroots.pages.refusals import refusal_words
from grassroots.pages.sessions import PageSessions, SessionsDep

__all__ = ["ROUTES"]

HOME = "/share/"
PAGE_SIZE = 20


Gate = Callable[[Request[Any, Any, Any], Api, PageSessions], Awaitable[Caller | Redirect]]


def _is_member(caller: Caller) -> bool:
    # Not ``holds_any(WRITERS)``: the home page lists what reaches one's own cadre or
    # center, which an administrator has none of; they read a unit's list instead.
    return bool(caller.subjects(Role.CADRE) or caller.subjects(Role.CENTER_STAFF))


def _is_supervisor(caller: Caller) -> bool:
    return holds_any(caller, [Role.SUPERVISOR])


async def _logged_in(
    request: Request[Any, Any, Any],
    api: Api,
    sessions: PageSessions,
    allowed: Callable[[Caller], bool],
) -> Caller | Redirect:
    """The logged-in caller ``allowed`` lets in; logged out, the log-in; anyone else
    finds no page."""
    caller = await sessions.caller(request, api.app)
    if caller is None:
        path = quote(request.url.path, safe="")
        return Redirect(f"/login?next={path}", status_code=HTTP_303_SEE_OTHER)
    if not allowed(caller):
        raise NotFoundException()
    return caller


async def _member(
    request: Request[Any, Any, Any], api: Api, sessions: PageSessions
) -> Caller | Redirect:
    """A cadre or center staff member: those who write (as the API's write routes)."""
    return await _logged_in(request, api, sessions, _is_member)


async def _supervisor(
    request: Request[Any, Any, Any], api: Api, sessions: PageSessions
) -> Caller | Redirect:
    """A supervisor (administrators too): those who feature and hide."""
    return await _logged_in(request, api, sessions, _is_supervisor)


async def _reader(
    request: Request[Any, Any, Any], api: Api, sessions: PageSessions
) -> Caller | Redirect:
    """A member or a supervisor: those who read, comment and like (as the API's readers)."""
    return await _logged_in(request, api, sessions, lambda c: _is_member(c) or _is_supervisor(c))


def _local(api: Api) -> LocalClock:
    return local_clock(ZoneInfo(api.app.config.time_zone), "%m-%d %H:%M")


def _subtree(api: Api, caller: Caller, unit_id: UUID) -> tuple[str, list[ExperienceSummaryView]]:
    """The unit's name and the first posts of its subtree (the scope checked first)."""
    name = require_unit(api.app, caller, unit_id).name
    return name, experience_unit_items(api, caller, unit_id, limit=PAGE_SIZE)


@get(HOME, name="share-home")
async def share_home(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _reader(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    member, supervisor = _is_member(caller), _is_supervisor(caller)
    unit_id = unit_param(request)
    if unit_id is not None or not member:
        # A supervisor's list: the subtree of one unit they supervise.
        if not supervisor:
            raise NotFoundException()
        if unit_id is None:
            choices = await api.read(caller.account_id, unit_choices, api, caller)
            if len(choices) != 1:
                return page(request, "share/choose.html", caller=caller, choices=choices)
            unit_id = choices[0][0]
        try:
            unit_name, items = await api.read(caller.account_id, _subtree, api, caller, unit_id)
        except NotFound:
            raise NotFoundException() from None
        return page(
            request,
            "share/home.html",
            caller=caller,
            items=items,
            mine=False,
            member=member,
            unit_id=unit_id,
            unit_name=unit_name,
            supervised=[],
            local=_local(api),
        )
    mine = request.query_params.get("mine") == "1"
    items = await api.read(
        caller.account_id, experience_page_items, api, caller, mine=mine, limit=PAGE_SIZE
    )
    # A cadre who also supervises reaches the units' lists from here.
    supervised = await api.read(caller.account_id, unit_choices, api, caller) if supervisor else []
    return page(
        request,
        "share/home.html",
        caller=caller,
        items=items,
        mine=mine,
        member=True,
        unit_id=None,
        supervised=supervised,
        local=_local(api),
    )


def _form_page(
    request: Request[Any, Any, Any], caller: Caller, *, status: int = 200, **context: Any
) -> Template:
    centers = sorted(caller.subjects(Role.CENTER_STAFF))
    return page(
        request,
        "share/new.html",
        caller=caller,
        status=status,
        as_cadre=bool(caller.subjects(Role.CADRE)),
        centers=centers,
        **context,
    )


@get(f"{HOME}new", name="share-new")
async def share_new(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _member(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    return _form_page(request, caller, title="", text="")


@post(f"{HOME}new", name="share-write")
async def share_write(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _member(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    form = await request.form()
    title, text = str(form.get("title", "")), str(form.get("text", ""))
    center = str(form.get("center_id", "")).strip()
    try:
        center_id = msgspec.convert(center, UUID, strict=False) if center else None
    except msgspec.ValidationError as error:  # not typed: a choice the form did not offer
        return _form_page(request, caller, status=400, title=title, text=text, refused=str(error))
    # Built, not converted: the domain's checks give each refusal its own sentence.
    body = NewExperience(title=title, text=text, center_id=center_id)
    try:
        written = await api.write(caller.account_id, write_experience, api.app, caller, body)
    except (CodedError, ApiProblem) as error:
        refused, status = refusal_words(request, error)
        return _form_page(request, caller, status=status, title=title, text=text, refused=refused)
    return Redirect(f"{HOME}{written.post_id}", status_code=HTTP_303_SEE_OTHER)


def _post_and_unit(
    app: Grassroots, caller: Caller, post_id: UUID
) -> tuple[ExperienceView, UUID | None]:
    """The post as the caller may see it, and the unit a feature by them would be for
    (``None``: they do not supervise it, so no supervisor's buttons)."""
    return read_experience(app, caller, post_id), supervising_unit(app, caller, post_id)


async def _show(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller,
    post_id: UUID,
    *,
    status: int = 200,
    refused: str | None = None,
    reason: str = "",
) -> Template:
    try:
        shown, unit = await api.read(caller.account_id, _post_and_unit, api.app, caller, post_id)
    except NotFound:
        raise NotFoundException() from None
    return page(
        request,
        "share/post.html",
        caller=caller,
        status=status,
        post=shown,
        supervising=unit is not None,
        featured_here=unit is not None and unit in shown.featured_for,
        refused=refused,
        reason=reason,
        local=_local(api),
    )


@get(f"{HOME}{{post_id:uuid}}", name="share-post")
async def share_post(
    post_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _reader(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    return await _show(request, api, caller, post_id)


async def _act(
    request: Request[Any, Any, Any],
    api: Api,
    sessions: PageSessions,
    post_id: UUID,
    command: Any,
    *args: Any,
    gate: Gate = _reader,
    reason: str = "",
) -> Template | Redirect:
    """One of the post page's buttons: the API's own function, then back to the post
    (or the post again with the reason it was refused, and the reason typed)."""
    caller = await gate(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    try:
        await api.write(caller.account_id, command, api.app, caller, post_id, *args)
    except NotFound:
        raise NotFoundException() from None
    except (CodedError, ApiProblem) as error:
        refused, status = refusal_words(request, error)
        return await _show(
            request, api, caller, post_id, status=status, refused=refused, reason=reason
        )
    return Redirect(f"{HOME}{post_id}", status_code=HTTP_303_SEE_OTHER)


def _edit_page(
    request: Request[Any, Any, Any],
    caller: Caller,
    post_id: UUID,
    *,
    status: int = 200,
    **context: Any,
) -> Template:
    return page(
        request, "share/edit.html", caller=caller, status=status, post_id=post_id, **context
    )


@get(f"{HOME}{{post_id:uuid}}/edit", name="share-edit")
async def share_edit(
    post_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _member(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    try:
        shown = await api.read(caller.account_id, read_experience, api.app, caller, post_id)
    except NotFound:
        raise NotFoundException() from None
    if not shown.mine:
        raise NotFoundException()
    if shown.withdrawn or shown.hidden is not None:
        # Nothing to edit: the post's page says why.
        return Redirect(f"{HOME}{post_id}", status_code=HTTP_303_SEE_OTHER)
    return _edit_page(request, caller, post_id, title=shown.title, text=shown.text)


@post(f"{HOME}{{post_id:uuid}}/edit", name="share-save")
async def share_save(
    post_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _member(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    form = await request.form()
    title, text = str(form.get("title", "")), str(form.get("text", ""))
    # Built, not converted: the domain's checks give each refusal its own sentence.
    body = ExperienceEdit(title=title, text=text)
    try:
        await api.write(caller.account_id, edit_post, api.app, caller, post_id, body)
    except NotFound:
        raise NotFoundException() from None
    except (CodedError, ApiProblem) as error:
        refused, status = refusal_words(request, error)
        return _edit_page(
            request, caller, post_id, status=status, title=title, text=text, refused=refused
        )
    return Redirect(f"{HOME}{post_id}", status_code=HTTP_303_SEE_OTHER)


@post(f"{HOME}{{post_id:uuid}}/comments", name="share-comment")
async def share_comment(
    post_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    try:
        body = msgspec.convert({"text": str(form.get("text", ""))}, NewComment)
    except msgspec.ValidationError:
        body = NewComment(text="")
    return await _act(request, api, sessions, post_id, comment_on_post, body)


@post(f"{HOME}{{post_id:uuid}}/like", name="share-like")
async def share_like(
    post_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    command = unlike_post if form.get("undo") == "1" else like_post
    return await _act(request, api, sessions, post_id, command)


@post(f"{HOME}{{post_id:uuid}}/withdraw", name="share-withdraw")
async def share_withdraw(
    post_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    return await _act(request, api, sessions, post_id, withdraw_post, gate=_member)


@post(f"{HOME}{{post_id:uuid}}/feature", name="share-feature")
async def share_feature(
    post_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    command = unfeature_post if form.get("undo") == "1" else feature_post
    return await _act(request, api, sessions, post_id, command, gate=_supervisor)


@post(f"{HOME}{{post_id:uuid}}/hide", name="share-hide")
async def share_hide(
    post_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    reason = str(form.get("reason", ""))
    # Built, not converted: an empty or long reason is the domain's refusal, in words.
    body = Hiding(reason=reason)
    return await _act(
        request, api, sessions, post_id, hide_post, body, gate=_supervisor, reason=reason
    )


@post(
    f"{HOME}{{post_id:uuid}}/photos",
    name="share-photo",
    request_max_body_size=UPLOAD_MAX_BYTES,
)
async def share_photo(
    post_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    upload = form.get("photo")
    content = await upload.read(UPLOAD_MAX_BYTES) if isinstance(upload, UploadFile) else b""
    return await _act(request, api, sessions, post_id, attach_post_photo, content, gate=_member)


@get(f"{HOME}{{post_id:uuid}}/photos/{{sha256:str}}", name="share-photo-file")
async def share_photo_file(
    post_id: FromPath[UUID],
    sha256: FromPath[str],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Response[bytes] | Redirect:
    caller = await _reader(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    try:
        media_type, content = await api.read(None, photo_of_post, api.app, caller, post_id, sha256)
    except NotFound:
        raise NotFoundException() from None
    return Response(
        content, media_type=media_type, headers={"Cache-Control": "private, max-age=86400"}
    )


ROUTES = [
    share_home,
    share_new,
    share_write,
    share_post,
    share_comment,
    share_like,
    share_withdraw,
    share_edit,
    share_save,
    share_feature,
    share_hide,
    share_photo,
    share_photo_file,
]
