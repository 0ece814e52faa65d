"""The administration screen (管理后台): the organisation, its youth centers, grassroots
points and cadres, and who works in each unit.

An administrator walks the org tree a unit at a time (``/admin/units/<id>``): its
place above, the units below, its youth centers, points and cadres, and the accounts
holding a role there (the unit's supervisors, its centers' staff, its cadres). From
that page they add a unit one level down, register a center, designate a point,
register a cadre with their log-in, and give someone a role: a new account for a new
phone number, the role added to the account a known number already has. The
accounts themselves are ``admin_accounts``.

Who may open it: administrators; anyone else finds the missing page, as the API
answers them 403 (``requires()``). Every write is the one the API's
administration routes make (``create_org_unit``, ``register_center``,
``designate_point``, ``open_account`` ...), fed the API's own bodies (``NewOrgUnit``,
``NewCenter``, ``NewPoint``, ``NewCadre``, ``NewAccount``), so a form and a JSON
request are held to the same limits; a refusal shows the page again with its reason
and what was typed, nothing written. Reads are the read models' own queries (the org
tree, the activity catalogue's centers, the points, the compliance view's cadres, the
account directory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.admin import NewAccount
from grassroots.api.auth import Caller
from grassroots.api.context import Api, ApiDep
from grassroots.api.organisation import (
    CadrePoints,
    CenterChanges,
    Closing,
    NewCadre,
    NewCenter,
    NewOrgUnit,
    NewPoint,
    PointPlace,
    UnitRenaming,
    change_center,
    create_org_unit,
    designate_point,
    reassign_cadre_points,
    register_center,
    relocate_point,
    rename_org_unit,
)
from grassroots.api.problems import ApiProblem
from grassroots.application.errors import NotFound
from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import CadreKind
from grassroots.domain.errors import CodedError
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.pages.admin_forms import (
    ACCOUNTS,
    HOME,
    Refusal,
    Typed,
    Unchosen,
    administrator,
    done_of,
    places_of,
    refused_form,
    typed_form,
)
from grassroots.pages.controllers import page
from grassroots.pages.sessions import PageSessions, SessionsDep
from grassroots.projections.account_directory import AccountLine, accounts_page
from grassroots.projections.activity_catalogue import CenterRow, centers
from grassroots.projections.compliance.verdicts import RegisteredCadre, cadres_in
from grassroots.projections.grassroots_points import PointRow, points_under
from grassroots.projections.org_tree import (
    OrgUnitRow,
    ancestry_of,
    org_unit,
    org_units_page,
)

__all__ = ["ROUTES"]

# A unit lists this many units below it and centers in it at most, and says when cut.
MAX_CHILDREN = 500
MAX_CENTERS = 200
MAX_UNIT_ACCOUNTS = 200
# The points a cadre may be given from a unit's page (a county has a few hundred).
MAX_ASSIGNABLE = 1000
# The regions the first screen lists (a league has one, a country a few dozen).
MAX_REGIONS = 100

# --- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleChoice:
    """A role the unit's page may give: its form value, the grant, and where it holds
    (empty for the administrator, whose role holds everywhere)."""

    value: str
    grant: Grant
    place: str

    @property
    def role(self) -> Role:
        return self.grant.role


@dataclass(frozen=True)
class UnitPage:
    unit: OrgUnitRow
    # From the top of the tree down to the unit's parent.
    above: list[OrgUnitRow]
    children: list[OrgUnitRow]
    more_children: bool
    centers: list[CenterRow]
    more_centers: bool
    # The unit's own grassroots points (retired ones too, marked) and cadres.
    points: list[PointRow]
    # The active points in and below the unit: a county's cadres are linked to its
    # villages' points.
    assignable: list[PointRow]
    cadres: list[RegisteredCadre]
    accounts: list[AccountLine]
    # The places the accounts' roles name (units, centers, cadres, volunteers).
    places: dict[UUID, str]

    @property
    def open_centers(self) -> list[CenterRow]:
        return [c for c in self.centers if not c.closed]

    @property
    def active_points(self) -> list[PointRow]:
        return [p for p in self.points if not p.retired]

    def assignable_ids(self, chosen: list[str]) -> set[str]:
        """The ids of the points a cadre may be given from this page; a choice among
        ``chosen`` that is not one of them is refused."""
        offered = {str(p.point_id) for p in self.assignable}
        if not set(chosen) <= offered:
            raise Unchosen("point_ids")
        return offered

    def point_names(self, point_ids: frozenset[UUID]) -> list[str]:
        return [self.point_label(p) for p in self.assignable if p.point_id in point_ids]

    def point_label(self, point: PointRow) -> str:
        """A point's name, with its place when it is below the unit (with the place
        above it too: two townships may each have a 光明村)."""
        if point.org_unit_id == self.unit.org_unit_id:
            return point.name
        return f"{point.place} · {point.name}"

    @property
    def child_level(self) -> OrgLevel | None:
        return self.unit.level.child_level()

    @property
    def role_choices(self) -> list[RoleChoice]:
        """The unit's supervisor, or the staff of one of its centers; on a region's
        page (the top of a tree) also another administrator."""
        choices = [_choice(Grant(Role.SUPERVISOR, self.unit.org_unit_id), self.unit.name)]
        choices += [
            _choice(Grant(Role.CENTER_STAFF, c.center_id), c.name) for c in self.open_centers
        ]
        if self.unit.parent_id is None:
            choices.append(_choice(Grant(Role.ADMINISTRATOR), ""))
        return choices


def _choice(grant: Grant, place: str) -> RoleChoice:
    subject = "" if grant.subject_id is None else str(grant.subject_id)
    return RoleChoice(f"{grant.role.value}:{subject}", grant, place)


def _unit_page(api: Api, unit_id: UUID) -> UnitPage:
    with api.engine.connect() as conn:
        unit = org_unit(conn, unit_id)
        ancestry = ancestry_of(conn, unit_id)
        if unit is None or ancestry is None:
            raise NotFound("org_unit", unit_id)
        above = [row for a in reversed(ancestry) if (row := org_unit(conn, a)) is not None]
        children = org_units_page(conn, parent_id=unit_id, limit=MAX_CHILDREN + 1)
        here = centers(conn, org_unit_id=unit_id, below=False, limit=MAX_CENTERS + 1)
        points = points_under(conn, unit_id, include_retired=True, below=False)
        assignable = points_under(conn, unit_id)[:MAX_ASSIGNABLE]
        cadres = cadres_in(conn, unit_id)
        subjects = [
            unit_id,
            *(c.center_id for c in here[:MAX_CENTERS]),
            *(c.cadre_id for c in cadres),
        ]
        accounts = accounts_page(conn, limit=MAX_UNIT_ACCOUNTS, subject_ids=subjects)
        places = places_of(conn, [g for a in accounts for g in a.grants])
    return UnitPage(
        unit=unit,
        above=above,
        children=children[:MAX_CHILDREN],
        more_children=len(children) > MAX_CHILDREN,
        centers=here[:MAX_CENTERS],
        more_centers=len(here) > MAX_CENTERS,
        points=points,
        assignable=assignable,
        cadres=cadres,
        accounts=accounts,
        places=places,
    )


def _regions(api: Api) -> list[OrgUnitRow]:
    with api.engine.connect() as conn:
        return org_units_page(conn, level=OrgLevel.REGION, limit=MAX_REGIONS)


async def _show_unit(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller,
    unit_id: UUID,
    *,
    refusal: Refusal | None = None,
    typed: Typed | None = None,
) -> Template:
    try:
        shown = await api.read(caller.account_id, _unit_page, api, unit_id)
    except NotFound:
        raise NotFoundException() from None
    return page(
        request,
        "admin/unit.html",
        caller=caller,
        status=refusal.status if refusal else 200,
        shown=shown,
        cadre_kinds=[kind.value for kind in CadreKind],
        done=None if refusal else done_of(request),
        refusal=refusal,
        typed=typed or Typed(),
    )


@get(HOME, name="screen-admin")
async def admin_home(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await administrator(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    return await _show_home(request, api, caller)


async def _show_home(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller,
    *,
    refusal: Refusal | None = None,
    typed: Typed | None = None,
) -> Template:
    regions = await api.read(caller.account_id, _regions, api)
    return page(
        request,
        "admin/home.html",
        caller=caller,
        status=refusal.status if refusal else 200,
        regions=regions,
        time_zone=api.app.config.time_zone,
        done=None if refusal else done_of(request),
        refusal=refusal,
        typed=typed or Typed(),
    )


@post(f"{HOME}units", name="admin-new-region")
async def new_region(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await administrator(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    typed = typed_form(await request.form(), "name", "time_zone")
    try:
        body = msgspec.convert(
            {"name": typed.name, "level": "region", "time_zone": typed.time_zone or None},
            NewOrgUnit,
        )
        unit_id = await create_org_unit(api, caller.account_id, body)
    except (msgspec.ValidationError, CodedError, ApiProblem) as error:
        refused = refused_form(request, "region", error)
        return await _show_home(request, api, caller, refusal=refused, typed=typed)
    return Redirect(f"{HOME}units/{unit_id}?done=region", status_code=HTTP_303_SEE_OTHER)


@get(f"{HOME}units/{{unit_id:uuid}}", name="admin-unit")
async def unit_page(
    unit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await administrator(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    return await _show_unit(request, api, caller, unit_id)


async def _unit_form(
    request: Request[Any, Any, Any],
    api: Api,
    sessions: PageSessions,
    unit_id: UUID,
    form_name: str,
    names: tuple[str, ...],
    write: Any,
    ticked: dict[str, str] | None = None,
) -> Template | Redirect:
    """One of a unit page's forms: ``write(caller, typed)`` makes the API's body and
    its write, and answers where to go; refused, the unit again with the reason.
    ``ticked`` are the form's choices of several (checkboxes), comma-joined."""
    caller = await administrator(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    typed = typed_form(await request.form(), *names)
    typed.values.update(ticked or {})
    try:
        target: str = await write(caller, typed)
    except NotFound as missing:
        if missing.kind == "org_unit" and missing.id == unit_id:
            raise NotFoundException() from None
        refused = refused_form(request, form_name, missing)
        return await _show_unit(request, api, caller, unit_id, refusal=refused, typed=typed)
    except (msgspec.ValidationError, CodedError, ApiProblem, Unchosen) as error:
        refused = refused_form(request, form_name, error)
        return await _show_unit(request, api, caller, unit_id, refusal=refused, typed=typed)
    return Redirect(target, status_code=HTTP_303_SEE_OTHER)


@post(f"{HOME}units/{{unit_id:uuid}}/units", name="admin-new-unit")
async def new_unit(
    unit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    async def write(caller: Caller, typed: Typed) -> str:
        parent = api.app.get(OrgUnit, unit_id)
        level = OrgLevel(parent.level)
        body = msgspec.convert(
            {
                "name": typed.name,
                # Below a village there is no level: the domain refuses it, in words.
                "level": (level.child_level() or level).value,
                "parent_id": str(unit_id),
            },
            NewOrgUnit,
        )
        await create_org_unit(api, caller.account_id, body)
        return f"{HOME}units/{unit_id}?done=unit"

    return await _unit_form(request, api, sessions, unit_id, "unit", ("name",), write)


@post(f"{HOME}units/{{unit_id:uuid}}/centers", name="admin-new-center")
async def new_center(
    unit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    async def write(caller: Caller, typed: Typed) -> str:
        values = {
            "name": typed.name,
            "org_unit_id": str(unit_id),
            "address": typed.address,
            **_place(typed),
        }
        # Not strict: a form's numbers come as text.
        body = msgspec.convert(values, NewCenter, strict=False)
        await register_center(api, caller.account_id, body)
        return f"{HOME}units/{unit_id}?done=center"

    names = ("name", "address", "lat", "lon", "radius")
    return await _unit_form(request, api, sessions, unit_id, "center", names, write)


@post(f"{HOME}units/{{unit_id:uuid}}/accounts", name="admin-give-role")
async def give_role(
    unit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    async def write(caller: Caller, typed: Typed) -> str:
        shown = await api.read(caller.account_id, _unit_page, api, unit_id)
        chosen = next((c for c in shown.role_choices if c.value == typed.role), None)
        if chosen is None:
            raise Unchosen("role")
        grant = chosen.grant
        await _check_new_account(api, caller, typed, grant)
        account_id, opened = await api.write(
            caller.account_id,
            api.app.open_or_grant,
            phone=typed.phone,
            name=typed.name,
            password=typed.password,
            grant=grant,
        )
        return f"{ACCOUNTS}/{account_id}?done={'created' if opened else 'granted'}"

    names = ("role", "phone", "name", "password")
    return await _unit_form(request, api, sessions, unit_id, "account", names, write)


async def _check_new_account(api: Api, caller: Caller, typed: Typed, grant: Grant) -> None:
    """A number without an account: its name and first password held to the API's
    body for a new account (a known number keeps its own, and they are not asked)."""
    known = await api.read(caller.account_id, api.app.account_with_phone, typed.phone)
    if known is None:
        msgspec.convert(
            {
                "phone": typed.phone,
                "name": typed.name,
                "password": typed.password,
                "grants": [grant_body(grant)],
            },
            NewAccount,
        )


def grant_body(grant: Grant) -> dict[str, str | None]:
    return {
        "role": grant.role.value,
        "subject_id": None if grant.subject_id is None else str(grant.subject_id),
    }


@post(f"{HOME}units/{{unit_id:uuid}}/points", name="admin-new-point")
async def new_point(
    unit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    async def write(caller: Caller, typed: Typed) -> str:
        values: dict[str, Any] = {"name": typed.name, "org_unit_id": str(unit_id)}
        if typed.center_id:
            shown = await api.read(caller.account_id, _unit_page, api, unit_id)
            if typed.center_id not in {str(c.center_id) for c in shown.open_centers}:
                raise Unchosen("center_id")
            values["center_id"] = typed.center_id
        if typed.lat or typed.lon:
            values["location"] = {"lat": typed.lat, "lon": typed.lon}
        if typed.radius:
            values["geofence_radius_m"] = typed.radius
        # Not strict: a form's numbers come as text.
        body = msgspec.convert(values, NewPoint, strict=False)
        await designate_point(api, caller.account_id, body)
        return f"{HOME}units/{unit_id}?done=point"

    names = ("name", "center_id", "lat", "lon", "radius")
    return await _unit_form(request, api, sessions, unit_id, "point", names, write)


@post(f"{HOME}units/{{unit_id:uuid}}/cadres", name="admin-new-cadre")
async def new_cadre(
    unit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    form = await request.form()
    chosen_points = [str(p) for p in form.getall("point_ids", [])]

    async def write(caller: Caller, typed: Typed) -> str:
        if not typed.kind:
            raise Unchosen("kind")
        shown = await api.read(caller.account_id, _unit_page, api, unit_id)
        shown.assignable_ids(chosen_points)
        body = msgspec.convert(
            {
                "name": typed.name,
                "kind": typed.kind,
                "org_unit_id": str(unit_id),
                "point_ids": chosen_points,
            },
            NewCadre,
        )
        # The account's role names the cadre's record, not written yet: any id of the
        # right shape stands in for it while the body is checked.
        await _check_new_account(api, caller, typed, Grant(Role.CADRE, unit_id))
        _cadre_id, account_id, opened = await api.write(
            caller.account_id,
            api.app.register_cadre_with_account,
            name=body.name,
            kind=body.kind,
            org_unit_id=body.org_unit_id,
            point_ids=list(dict.fromkeys(body.point_ids)),
            phone=typed.phone,
            password=typed.password,
        )
        return f"{ACCOUNTS}/{account_id}?done={'created' if opened else 'granted'}"

    names = ("name", "kind", "phone", "password")
    ticked = {"point_ids": ",".join(chosen_points)}
    return await _unit_form(request, api, sessions, unit_id, "cadre", names, write, ticked)


async def _shown_with(
    api: Api,
    caller: Caller,
    unit_id: UUID,
    record_id: UUID,
    shown_ids: Callable[[UnitPage], Iterable[UUID]],
) -> UnitPage:
    """The unit's page, when it shows ``record_id`` among ``shown_ids`` (a row's form
    acts only on a record its unit's page shows); otherwise the missing page."""
    shown = await api.read(caller.account_id, _unit_page, api, unit_id)
    if record_id not in set(shown_ids(shown)):
        raise NotFoundException()
    return shown


async def _closing(
    request: Request[Any, Any, Any],
    api: Api,
    sessions: PageSessions,
    unit_id: UUID,
    record_id: UUID,
    form: str,
    shown_ids: Callable[[UnitPage], Iterable[UUID]],
    command: Callable[..., None],
    done: str,
) -> Template | Redirect:
    """A row's form that ends a record with a reason (a center closed, a point retired).
    A record this unit's page does not show is, from here, a missing page."""

    async def write(caller: Caller, typed: Typed) -> str:
        await _shown_with(api, caller, unit_id, record_id, shown_ids)
        body = msgspec.convert({"reason": typed.reason}, Closing)
        await api.write(caller.account_id, command, record_id, reason=body.reason)
        return f"{HOME}units/{unit_id}?done={done}"

    return await _unit_form(request, api, sessions, unit_id, form, ("reason",), write)


@post(f"{HOME}units/{{unit_id:uuid}}/centers/{{center_id:uuid}}/close", name="admin-close-center")
async def close_center(
    unit_id: FromPath[UUID],
    center_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Template | Redirect:
    return await _closing(
        request,
        api,
        sessions,
        unit_id,
        center_id,
        f"close:{center_id}",
        lambda shown: (c.center_id for c in shown.centers),
        api.app.close_center,
        "center_closed",
    )


@post(f"{HOME}units/{{unit_id:uuid}}/points/{{point_id:uuid}}/retire", name="admin-retire-point")
async def retire_point(
    unit_id: FromPath[UUID],
    point_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Template | Redirect:
    return await _closing(
        request,
        api,
        sessions,
        unit_id,
        point_id,
        f"retire:{point_id}",
        lambda shown: (p.point_id for p in shown.points),
        api.app.retire_point,
        "point_retired",
    )


@post(f"{HOME}units/{{unit_id:uuid}}/name", name="admin-rename-unit")
async def rename_unit(
    unit_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    async def write(caller: Caller, typed: Typed) -> str:
        body = msgspec.convert({"name": typed.name}, UnitRenaming)
        await rename_org_unit(api, caller.account_id, unit_id, body)
        return f"{HOME}units/{unit_id}?done=renamed"

    return await _unit_form(request, api, sessions, unit_id, "rename", ("name",), write)


def _place(typed: Typed) -> dict[str, Any]:
    """A form's place and, when given, its fence radius, as the API's bodies have them."""
    values: dict[str, Any] = {"location": {"lat": typed.lat, "lon": typed.lon}}
    if typed.radius:
        values["geofence_radius_m"] = typed.radius
    return values


@post(f"{HOME}units/{{unit_id:uuid}}/centers/{{center_id:uuid}}", name="admin-change-center")
async def change_center_details(
    unit_id: FromPath[UUID],
    center_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Template | Redirect:
    async def write(caller: Caller, typed: Typed) -> str:
        await _shown_with(
            api, caller, unit_id, center_id, lambda shown: (c.center_id for c in shown.open_centers)
        )
        values = {"name": typed.name, "address": typed.address, **_place(typed)}
        # Not strict: a form's numbers come as text.
        body = msgspec.convert(values, CenterChanges, strict=False)
        await change_center(api, caller.account_id, center_id, body)
        return f"{HOME}units/{unit_id}?done=center_changed"

    names = ("name", "address", "lat", "lon", "radius")
    return await _unit_form(request, api, sessions, unit_id, f"center:{center_id}", names, write)


@post(f"{HOME}units/{{unit_id:uuid}}/points/{{point_id:uuid}}/place", name="admin-move-point")
async def move_point(
    unit_id: FromPath[UUID],
    point_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Template | Redirect:
    async def write(caller: Caller, typed: Typed) -> str:
        await _shown_with(
            api, caller, unit_id, point_id, lambda shown: (p.point_id for p in shown.active_points)
        )
        body = msgspec.convert(_place(typed), PointPlace, strict=False)
        await relocate_point(api, caller.account_id, point_id, body)
        return f"{HOME}units/{unit_id}?done=point_moved"

    names = ("lat", "lon", "radius")
    return await _unit_form(request, api, sessions, unit_id, f"move:{point_id}", names, write)


@post(f"{HOME}units/{{unit_id:uuid}}/cadres/{{cadre_id:uuid}}/points", name="admin-cadre-points")
async def cadre_points(
    unit_id: FromPath[UUID],
    cadre_id: FromPath[UUID],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Template | Redirect:
    form = await request.form()
    chosen_points = [str(p) for p in form.getall("point_ids", [])]

    async def write(caller: Caller, typed: Typed) -> str:
        shown = await api.read(caller.account_id, _unit_page, api, unit_id)
        cadre = next((c for c in shown.cadres if c.cadre_id == cadre_id), None)
        if cadre is None:
            raise NotFoundException()
        offered = shown.assignable_ids(chosen_points)
        # Points the page does not offer (given elsewhere through the API) stay.
        kept = [str(p) for p in sorted(cadre.point_ids) if str(p) not in offered]
        body = msgspec.convert({"point_ids": chosen_points + kept}, CadrePoints)
        await reassign_cadre_points(api, caller.account_id, cadre_id, body)
        return f"{HOME}units/{unit_id}?done=points_changed"

    ticked = {"point_ids": ",".join(chosen_points)}
    name = f"points:{cadre_id}"
    return await _unit_form(request, api, sessions, unit_id, name, (), write, ticked)


ROUTES = [
    admin_home,
    new_region,
    unit_page,
    new_unit,
    new_center,
    new_point,
    new_cadre,
    give_role,
    close_center,
    retire_point,
    rename_unit,
    change_center_details,
    move_point,
    cadre_points,
]
