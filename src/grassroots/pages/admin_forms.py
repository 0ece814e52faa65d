"""What the administration screen's pages share: who may open them, a refused form's
words and what was typed, and what the records an account's roles name are called."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.auth import Caller
from grassroots.api.context import Api
from grassroots.api.field_messages import field_message
from grassroots.domain.account import Grant, Role
from grassroots.pages.clock import LocalClock, local_clock
from grassroots.pages.controllers import language_of
from grassroots.pages.refusals import invalid_field, refusal_words
from grassroots.pages.sessions import PageSessions
from grassroots.pages.words import translator
from grassroots.projections.activity_catalogue import center_names
from grassroots.projections.compliance.verdicts import cadre_names
from grassroots.projections.org_tree import (
    unit_names,
)
from grassroots.projections.volunteer_directory import names_of

__all__ = [
    "ACCOUNTS",
    "HOME",
    "Refusal",
    "Typed",
    "Unchosen",
    "administrator",
    "done_of",
    "local_time",
    "places_of",
    "refused_form",
    "typed_form",
]

HOME = "/admin/"
ACCOUNTS = "/admin/accounts"


# What a redirect's ``?done=`` says on the page it leads to.
_DONE = frozenset(
    {
        "unit",
        "center",
        "point",
        "cadre",
        "center_closed",
        "point_retired",
        "center_changed",
        "renamed",
        "point_moved",
        "points_changed",
        "created",
        "granted",
        "revoked",
        "disabled",
        "enabled",
        "region",
    }
)


def places_of(conn: Any, grants: list[Grant]) -> dict[UUID, str]:
    """What each grant's record is called, from the read models: a unit's from the org
    tree, a center's from the catalogue, a cadre's from the compliance view, a
    volunteer's from the directory. One query for each kind, however many grants."""
    by_role: dict[Role, set[UUID]] = {}
    for grant in grants:
        if grant.subject_id is not None:
            by_role.setdefault(grant.role, set()).add(grant.subject_id)
    places = unit_names(conn, by_role.get(Role.SUPERVISOR, set()))
    places.update(center_names(conn, by_role.get(Role.CENTER_STAFF, set())))
    places.update(cadre_names(conn, by_role.get(Role.CADRE, set())))
    found = names_of(conn, by_role.get(Role.VOLUNTEER, set()))
    places.update((v, found[v].name) for v in found)
    return places


async def administrator(
    request: Request[Any, Any, Any], api: Api, sessions: PageSessions
) -> Caller | Redirect:
    """The logged-in administrator; logged out, the log-in that comes back here; anyone
    else, the missing page (they learn nothing of a screen that is not theirs)."""
    caller = await sessions.caller(request, api.app)
    if caller is None:
        query = request.url.query
        target = quote(request.url.path + (f"?{query}" if query else ""), safe="")
        return Redirect(f"/login?next={target}", status_code=HTTP_303_SEE_OTHER)
    if not caller.has(Role.ADMINISTRATOR):
        raise NotFoundException()
    return caller


def local_time(api: Api) -> LocalClock:
    return local_clock(ZoneInfo(api.app.config.time_zone), "%Y-%m-%d %H:%M")


def done_of(request: Request[Any, Any, Any]) -> str | None:
    done = request.query_params.get("done")
    return done if done in _DONE else None


@dataclass
class Refusal:
    """Why a form was not taken: which form, a sentence, the field it is about."""

    form: str
    sentence: str
    field: str | None
    status: int


class Unchosen(Exception):
    """A form's choice left unmade, or not one the page offers."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


@dataclass
class Typed:
    """A form's values as typed, to show again beside its refusal."""

    values: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> str:
        return self.values.get(name, "")


def typed_form(form: Any, *names: str) -> Typed:
    return Typed({name: str(form.get(name, "")).strip() for name in names})


# A body's field, as its form's label names it.
_LABELS = {
    "name": "admin.field.name",
    "address": "admin.field.address",
    "location": "admin.field.location",
    "geofence_radius_m": "admin.field.radius",
    "phone": "admin.field.phone",
    "password": "admin.field.password",
    "reason": "admin.field.reason",
    "time_zone": "admin.field.time_zone",
    "kind": "admin.field.kind",
    "point_ids": "admin.field.points",
    "center_id": "admin.field.at_center",
}


def refused_form(request: Request[Any, Any, Any], form: str, error: Exception) -> Refusal:
    """A refused write as the page says it, with the status the API would answer."""
    if isinstance(error, Unchosen):
        t = translator(language_of(request))
        return Refusal(form, t(f"admin.unchosen.{error.name}"), error.name, 400)
    if isinstance(error, msgspec.ValidationError):
        name, said = invalid_field(error)
        t = translator(language_of(request))
        # On the account form the name is a person's.
        key = "admin.field.person" if (form, name) == ("account", "name") else _LABELS.get(name)
        label = t(key) if key else name
        language = "en" if language_of(request) == "en" else "zh-CN"
        sentence = t("admin.invalid", field=label, message=field_message(said, language))
        return Refusal(form, sentence, name or None, 400)
    sentence, status = refusal_words(request, error)
    return Refusal(form, sentence, None, status)
