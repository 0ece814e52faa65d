"""Who may call what on whose records: every operation of the OpenAPI document, every
role, on the caller's own record and on someone else's.

Two of everything (township, village, center, grassroots point, cadre, volunteer,
activity): side A belongs to the callers, side B to nobody they hold. The expected
answers are uniform: no token is 401, a role the route does not let through is 403,
an allowed role on side B's record is 404 (as if it did not exist), and an allowed
role on its own record reaches the handler (not 401/403/404, never 5xx; the exact
success status where the request is simple enough to be valid). Administrators pass
every role guard and see every record, so they only have the "own" case.

An operation in the document that the matrix does not list fails the test, so a
new route cannot go unchecked; public operations (security ``[]``) are only checked
not to ask for a token.

The whole matrix runs in one test per backend on one world, collecting every
mismatch, so a failure lists all of them by operation and role.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import CadreKind
from grassroots.domain.org_unit import OrgLevel
from tests.integration.api.conftest import PASSWORD, Server
from tests.integration.builders import CENTER_PLACE, World, build_world

VOLUNTEER = Role.VOLUNTEER.value
STAFF = Role.CENTER_STAFF.value
CADRE = Role.CADRE.value
SUPERVISOR = Role.SUPERVISOR.value
ADMINISTRATOR = Role.ADMINISTRATOR.value
ROLES = (VOLUNTEER, STAFF, CADRE, SUPERVISOR)
EVERYONE = frozenset(ROLES)
ADMINISTRATORS_ONLY: frozenset[str] = frozenset()
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Side:
    """One half of the world: the records of one township."""

    township: UUID
    village: UUID
    center: UUID
    point: UUID
    cadre: UUID
    volunteer: UUID
    volunteer_account: UUID
    activity: UUID


@dataclass
class Ctx:
    """The world, the callers' accounts, and helpers that make fresh records on demand."""

    server: Server
    a: Side
    b: Side
    phones: dict[str, str]
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def headers(self, role: str, *, fresh: bool = False) -> dict[str, str]:
        if role == ADMINISTRATOR:
            return self.server.administrator() if not fresh else self.server.log_in("13900000000")
        if fresh or role not in self._headers:
            headers = self.server.log_in(self.phones[role])
            if fresh:
                return headers
            self._headers[role] = headers
        return self._headers[role]

    def phone(self) -> str:
        return f"135{next(self._numbers):08d}"

    def account(self, *grants: Grant) -> UUID:
        """A throwaway account (staff of side B's center unless told), for routes that
        change or end one."""
        return self.server.app.open_account(
            phone=self.phone(),
            name="临时账户",
            password=PASSWORD,
            grants=list(grants) or [Grant(Role.CENTER_STAFF, self.b.center)],
        )


@dataclass(frozen=True)
class Call:
    """What to send: path parameters, query and JSON body."""

    path: Mapping[str, object] = field(default_factory=dict)
    query: Mapping[str, object] = field(default_factory=dict)
    body: object = None


Build = Callable[[Ctx, Side, str], Call]


def nothing(_ctx: Ctx, _side: Side, _role: str) -> Call:
    return Call()


@dataclass(frozen=True)
class Op:
    roles: frozenset[str]
    """Roles the guard lets through besides administrators."""
    build: Build = nothing
    """The request on ``side``'s records (side A: the callers' own; side B: foreign)."""
    foreign: bool = True
    """Whether the route names a record (else there is no foreign case)."""
    ok: int | None = None
    """The exact status of an allowed role on its own record, where known."""
    status: Mapping[str, int] = field(default_factory=dict)
    """Per-role exceptions to ``ok`` (for example routes about the caller's own record)."""
    fresh_session: bool = False
    """Use a session of its own (the route ends or changes the caller's session)."""
    stream: bool = False
    """Server-sent events: the own case is not opened (the stream would not end)."""


# ---------------------------------------------------------------- the matrix


def fresh_account(ctx: Ctx, _side: Side, _role: str) -> Call:
    return Call(path={"account_id": ctx.account()})


def new_account(ctx: Ctx, side: Side, _role: str) -> Call:
    return Call(
        body={
            "phone": ctx.phone(),
            "name": "新同事",
            "password": PASSWORD,
            "grants": [{"role": STAFF, "subject_id": str(side.center)}],
        }
    )


def grant(ctx: Ctx, side: Side, _role: str) -> Call:
    return Call(
        path={"account_id": ctx.account()},
        body={"role": SUPERVISOR, "subject_id": str(side.township)},
    )


def revoke(ctx: Ctx, side: Side, _role: str) -> Call:
    # A second role, as an account cannot lose its last one.
    account = ctx.account(
        Grant(Role.SUPERVISOR, side.township), Grant(Role.CENTER_STAFF, ctx.b.center)
    )
    return Call(
        path={"account_id": account, "role": SUPERVISOR},
        query={"subject_id": str(side.township)},
    )


def disable(ctx: Ctx, _side: Side, _role: str) -> Call:
    return Call(path={"account_id": ctx.account()}, body={"reason": "离职"})


def enable(ctx: Ctx, _side: Side, _role: str) -> Call:
    account = ctx.account()
    ctx.server.app.disable_account(account, reason="离职")
    return Call(path={"account_id": account})


def same_password(_ctx: Ctx, _side: Side, _role: str) -> Call:
    return Call(body={"current_password": PASSWORD, "new_password": PASSWORD})


MATRIX: dict[str, Op] = {
    # accounts
    "logOut": Op(EVERYONE, foreign=False, ok=204, fresh_session=True),
    "getMe": Op(EVERYONE, foreign=False, ok=200),
    "changePassword": Op(EVERYONE, same_password, foreign=False, ok=204, fresh_session=True),
    # administration
    "createAccount": Op(ADMINISTRATORS_ONLY, new_account, ok=201),
    "getAccount": Op(ADMINISTRATORS_ONLY, fresh_account, ok=200),
    "grantRole": Op(ADMINISTRATORS_ONLY, grant, ok=204),
    "revokeRole": Op(ADMINISTRATORS_ONLY, revoke, ok=204),
    "disableAccount": Op(ADMINISTRATORS_ONLY, disable, ok=204),
    "enableAccount": Op(ADMINISTRATORS_ONLY, enable, ok=204),
}

# Public operations: called without a token, they must not ask for one.
PUBLIC: dict[str, Call] = {
    "getProblemType": Call(path={"code": "not-authenticated"}),
    "logIn": Call(body={"phone": "13800000001", "password": PASSWORD}),
}


# ---------------------------------------------------------------- the world


def _side(server: Server, world: World | None, county: UUID, tag: str, phone: str) -> Side:
    app = server.app
    if world is None:
        township = app.create_org_unit(name=f"{tag}街道", level=OrgLevel.TOWNSHIP, parent_id=county)
        village = app.create_org_unit(name=f"{tag}社区", level=OrgLevel.VILLAGE, parent_id=township)
        center = app.register_center(
            name=f"{tag}社区青年之家",
            org_unit_id=village,
            address=f"呼和浩特市新城区{tag}路 1 号",
            location=CENTER_PLACE,
            geofence_radius_m=150,
        )
        point = app.designate_point(name=f"{tag}社区联系点", org_unit_id=village, center_id=center)
    else:
        township, village, center, point = world.township, world.village, world.center, world.point
    cadre = app.register_cadre(
        name=f"{tag}书记", kind=CadreKind.FULL_TIME, org_unit_id=township, point_ids=[point]
    )
    account, volunteer = app.register_volunteer_account(
        name=f"{tag}志愿者",
        phone=phone,
        password=PASSWORD,
        birth_date=date(2001, 5, 4),
        org_unit_id=village,
    )
    starts_at = server.clock() + timedelta(days=2)
    activity = app.post_activity(
        center,
        title="社区环境清洁",
        description="清理社区公共区域",
        category="environment",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
    )
    return Side(township, village, center, point, cadre, volunteer, account, activity)


def build_ctx(server: Server) -> Ctx:
    world = build_world(server.app)
    a = _side(server, world, world.county, "东风", "13800000001")
    b = _side(server, None, world.county, "西风", "13800000002")
    server.administrator()
    phones = {
        VOLUNTEER: "13800000001",
        STAFF: server.account("13700000001", Grant(Role.CENTER_STAFF, a.center), name="中心员工"),
        CADRE: server.account("13700000002", Grant(Role.CADRE, a.cadre), name="东风书记"),
        SUPERVISOR: server.account(
            "13700000003", Grant(Role.SUPERVISOR, a.township), name="街道团工委"
        ),
    }
    return Ctx(server, a, b, phones)


# ---------------------------------------------------------------- running it


@dataclass(frozen=True)
class Operation:
    id: str
    method: str
    path: str
    public: bool


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                found.append(
                    Operation(
                        id=operation["operationId"],
                        method=method.upper(),
                        path=path,
                        public=operation.get("security") == [],
                    )
                )
    return found


def url(operation: Operation, call: Call) -> str:
    path = operation.path
    for name, value in call.path.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, f"{operation.id}: no value for a parameter of {path}"
    return path


def send(
    ctx: Ctx, operation: Operation, call: Call, headers: dict[str, str], *, stream: bool = False
) -> tuple[int, str]:
    client = ctx.server.client
    kwargs: dict[str, Any] = {"headers": headers, "params": dict(call.query)}
    if call.body is not None:
        kwargs["json"] = call.body
    if stream:
        with client.stream(operation.method, url(operation, call), **kwargs) as response:
            return response.status_code, ""
    response = client.request(operation.method, url(operation, call), **kwargs)
    return response.status_code, response.text[:300]


def test_every_route_role_and_record(server: Server) -> None:
    document = server.client.get("/schema/openapi.json").json()
    found = operations(document)
    unlisted = [o.id for o in found if not o.public and o.id not in MATRIX]
    assert not unlisted, f"operations missing from the access matrix: {unlisted}"

    ctx = build_ctx(server)
    mismatches: list[str] = []

    def expect(what: str, status: int, text: str, wanted: int | None) -> None:
        if wanted is None:
            if status in (401, 403, 404) or status >= 500:
                mismatches.append(f"{what}: answered {status}, expected success: {text}")
        elif status != wanted:
            mismatches.append(f"{what}: answered {status}, expected {wanted}: {text}")

    for operation in (o for o in found if o.public):
        call = PUBLIC.get(operation.id, Call())
        status, text = send(ctx, operation, call, {})
        if status == 401 or status >= 500:
            mismatches.append(f"{operation.id} (public) anonymous: answered {status}: {text}")

    protected = [(o, MATRIX[o.id]) for o in found if not o.public]
    # Refusals first: they must change nothing, so the successes after them meet the
    # world as built.
    for operation, op in protected:
        status, text = send(ctx, operation, op.build(ctx, ctx.a, VOLUNTEER), {}, stream=op.stream)
        expect(f"{operation.id} anonymous", status, text, 401)
        for role in ROLES:
            if role in op.roles:
                continue
            call = op.build(ctx, ctx.a, role)
            status, text = send(ctx, operation, call, ctx.headers(role), stream=op.stream)
            expect(f"{operation.id} {role} (role not allowed)", status, text, 403)
    for operation, op in protected:
        if not op.foreign:
            continue
        for role in ROLES:
            if role not in op.roles:
                continue
            call = op.build(ctx, ctx.b, role)
            status, text = send(ctx, operation, call, ctx.headers(role), stream=op.stream)
            expect(f"{operation.id} {role} on a foreign record", status, text, 404)
    for operation, op in protected:
        if op.stream:
            # An open event stream does not end by itself; refusals above cover its guard.
            continue
        for role in (*sorted(op.roles), ADMINISTRATOR):
            call = op.build(ctx, ctx.a, role)
            headers = ctx.headers(role, fresh=op.fresh_session)
            status, text = send(ctx, operation, call, headers)
            expect(
                f"{operation.id} {role} on its own record", status, text, op.status.get(role, op.ok)
            )

    assert not mismatches, "access matrix mismatches:\n" + "\n".join(mismatches)
