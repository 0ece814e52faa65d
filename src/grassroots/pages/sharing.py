"""Experience sharing (心得交流) on the phone: the posts that reach me, my own, one post
with its photos and comments, and the form to write one.

For cadres and center staff (a supervisor reads a unit's posts on the dispatch and
through the API). Every read and write goes through the API's own functions in
``grassroots.api.sharing``, so the scope and the rules are the API's: a post
outside the caller's reach is the missing page, a refusal shows its reason.
"""

from __future__ import annotations

from datetime import datetime
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

from grassroots.api.auth import Caller
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import ApiProblem, refusal_of
from grassroots.api.sharing import (
    UPLOAD_MAX_BYTES,
    NewComment,
    NewExperience,
    attach_post_photo,
    comment_on_post,
    experience_page_items,
    like_post,
    photo_of_post,
    read_experience,
    unlike_post,
    withdraw_post,
    write_experience,
)
from grassroots.application.errors import NotFound
from grassroots.domain.account import Role
from grassroots.domain.errors import CodedError
from grassroots.pages.controllers import language_of, page
from grassroots.pages.sessions import PageSessions, SessionsDep

__all__ = ["ROUTES"]

HOME = "/share/"
PAGE_SIZE = 20


async def _member(
    request: Request[Any, Any, Any], api: Api, sessions: PageSessions
) -> Caller | Redirect:
    """A logged-in cadre or center staff member; logged out, the log-in; anyone else
    finds no page."""
    caller = await sessions.caller(request, api.app)
    if caller is None:
        path = quote(request.url.path, safe="")
        return Redirect(f"/login?next={path}", status_code=HTTP_303_SEE_OTHER)
    if not (caller.subjects(Role.CADRE) or caller.subjects(Role.CENTER_STAFF)):
        raise NotFoundException()
    return caller


def _refusal(request: Request[Any, Any, Any], error: Exception) -> tuple[str, int]:
    """The refusal in the page's language, and its status, as the API would answer."""
    if isinstance(error, ApiProblem):
        return str(error.detail), error.status_code
    if isinstance(error, CodedError):
        message, status = refusal_of(error)
        if message is not None:
            return (message.zh if language_of(request) == "zh" else message.en), status
        return error.message, status
    return str(error), 400


def _local(api: Api) -> Any:
    zone = ZoneInfo(api.app.config.time_zone)

    def local(at: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
        return "" if at is None else at.astimezone(zone).strftime(fmt)

    return local


@get(HOME, name="share-home")
async def share_home(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _member(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    mine = request.query_params.get("mine") == "1"
    items = await api.read(
        caller.account_id, experience_page_items, api, caller, mine=mine, limit=PAGE_SIZE
    )
    return page(
        request, "share/home.html", caller=caller, items=items, mine=mine, local=_local(api)
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
    given: dict[str, Any] = {"title": title, "text": text}
    if center := str(form.get("center_id", "")).strip():
        given["center_id"] = center
    try:
        body = msgspec.convert(given, NewExperience, strict=False)
        written = await api.write(caller.account_id, write_experience, api.app, caller, body)
    except msgspec.ValidationError as error:
        return _form_page(request, caller, status=400, title=title, text=text, refused=str(error))
    except (CodedError, ApiProblem) as error:
        refused, status = _refusal(request, error)
        return _form_page(request, caller, status=status, title=title, text=text, refused=refused)
    return Redirect(f"{HOME}{written.post_id}", status_code=HTTP_303_SEE_OTHER)


async def _show(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller,
    post_id: UUID,
    *,
    status: int = 200,
    refused: str | None = None,
) -> Template:
    try:
        shown = await api.read(caller.account_id, read_experience, api.app, caller, post_id)
    except NotFound:
        raise NotFoundException() from None
    return page(
        request,
        "share/post.html",
        caller=caller,
        status=status,
        post=shown,
        refused=refused,
        local=_local(api),
    )


@get(f"{HOME}{{post_id:uuid}}", name="share-post")
async def share_post(
    post_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _member(request, api, sessions)
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
) -> Template | Redirect:
    """One of the post page's buttons: the API's own function, then back to the post
    (or the post again with the reason it was refused)."""
    caller = await _member(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    try:
        await api.write(caller.account_id, command, api.app, caller, post_id, *args)
    except NotFound:
        raise NotFoundException() from None
    except (CodedError, ApiProblem) as error:
        refused, status = _refusal(request, error)
        return await _show(request, api, caller, post_id, status=status, refused=refused)
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
    return await _act(request, api, sessions, post_id, withdraw_post)


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
    return await _act(request, api, sessions, post_id, attach_post_photo, content)


@get(f"{HOME}{{post_id:uuid}}/photos/{{sha256:str}}", name="share-photo-file")
async def share_photo_file(
    post_id: FromPath[UUID],
    sha256: FromPath[str],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Response[bytes] | Redirect:
    caller = await _member(request, api, sessions)
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
    share_photo,
    share_photo_file,
]
