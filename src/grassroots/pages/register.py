"""A volunteer registers on a page: ``/register`` (then goes on, logged in, to ``next``).

The form's fields are the API's ``Registration`` and it runs the same
``register_guarded`` as ``POST /api/v1/volunteers``; once registered the person is
logged in through ``log_in_guarded`` (the log-in page's and the API's) and sent on
to ``next``: from a scanned code, back to its check-in page, which sends itself.
The place to choose is a village (社区/村), from the org tree's read model.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.accounts import LogIn, Registration, log_in_guarded, register_guarded
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import ApiProblem
from grassroots.application.errors import AlreadyTaken, NotFound
from grassroots.domain.errors import DomainError
from grassroots.domain.org_unit import OrgLevel
from grassroots.pages.controllers import _safe_next as safe_next
from grassroots.pages.controllers import page
from grassroots.pages.sessions import SessionsDep
from grassroots.projections.org_tree import org_units_page, unit_names

__all__ = ["ROUTES"]

# Enough for a county's villages; a larger deployment would pick a township first.
MAX_PLACES = 1000


def _places(api: Api) -> list[tuple[str, list[tuple[UUID, str]]]]:
    """Villages grouped under their townships' names, both by name."""
    with api.engine.connect() as conn:
        villages = org_units_page(conn, level=OrgLevel.VILLAGE, limit=MAX_PLACES)
        parents = unit_names(conn, {v.parent_id for v in villages if v.parent_id})
    groups: dict[str, list[tuple[UUID, str]]] = {}
    for village in villages:
        parent = parents.get(village.parent_id, "") if village.parent_id else ""
        groups.setdefault(parent, []).append((village.org_unit_id, village.name))
    return sorted(groups.items())


async def _form(
    request: Request[Any, Any, Any],
    api: Api,
    target: str,
    status: int = 200,
    error: str | None = None,
    **given: Any,
) -> Template:
    places = await api.read(None, _places, api)
    return page(
        request,
        "register.html",
        next=target,
        places=places,
        status=status,
        error=error,
        given={"name": "", "phone": "", "birth_date": "", "org_unit_id": "", **given},
    )


@get("/register", name="register-form")
async def register_form(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    target = safe_next(request.query_params.get("next"))
    if await sessions.caller(request, api.app) is not None:
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)
    return await _form(request, api, target)


@post("/register", name="register", opt={"rate": "register"})
async def register(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    target = safe_next(form.get("next"))
    given = {
        k: str(form.get(k, "")).strip() for k in ("name", "phone", "birth_date", "org_unit_id")
    }
    password = str(form.get("password", ""))

    async def again(error: str, status: int) -> Template:
        return await _form(request, api, target, status, error=error, **given)

    try:
        data = msgspec.convert({**given, "password": password}, Registration, strict=False)
    except msgspec.ValidationError as refused:
        return await again(_field_words(refused), 400)
    try:
        await register_guarded(api, data)
    except AlreadyTaken:
        return await again("register.phone_taken", 409)
    except NotFound:
        return await again("register.invalid.org_unit_id", 400)
    except DomainError as refused:
        return await again(_CODE_WORDS.get(refused.code, "register.incomplete"), 400)
    except ApiProblem as refused:
        if refused.status_code not in (429, 503):
            raise
        return await again("login.busy", refused.status_code)
    issued = await log_in_guarded(api, LogIn(phone=data.phone, password=password))
    response = Redirect(target, status_code=HTTP_303_SEE_OTHER)
    response.set_cookie(sessions.cookie_for(issued.account.id, issued.session.id))
    return response


# The sentence for a field the form's body refused (msgspec names it as "$.<field>"),
# and for the domain's refusals of a registration, each saying which field and how.
_FIELDS = ("name", "phone", "password", "birth_date", "org_unit_id")
_CODE_WORDS = {
    "name-empty": "register.invalid.name",
    "name-too-long": "register.invalid.name",
    "phone-invalid": "register.invalid.phone",
    "birth-date-invalid": "register.invalid.birth_date",
}


def _field_words(refused: msgspec.ValidationError) -> str:
    where = str(refused).rpartition("$.")[2].rstrip("`")
    field = where.split(".")[0].split("[")[0]
    return f"register.invalid.{field}" if field in _FIELDS else "register.incomplete"


ROUTES = [register_form, register]
