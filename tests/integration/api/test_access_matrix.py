"""Who may call what on whose records: every operation of the OpenAPI document, every
role, on the caller's own record and on someone else's.

Two of everything (township, village, center, grassroots points, cadre, volunteer,
activity, visit, problem, contact, rule set): side A belongs to the callers, side B
to nobody they hold. The expected
answers are uniform: no token is 401, a role the route does not let through is 403,
an allowed role on side B's record is 404 (as if it did not exist), and an allowed
role on its own record reaches the handler (not 401/403/404, never 5xx; the exact
success status where the request is simple enough to be valid). Administrators pass
every role guard and see every record, so they only have the "own" case; routes
about the caller's own volunteer or cadre record, which administrators do not
have, say what they answer them in the table.

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
from uuid import UUID, uuid4

from grassroots.certificates.pdf import CertificatePdf
from grassroots.domain.account import Grant, Role
from grassroots.domain.cadre import CadreKind
from grassroots.domain.certificate import ServedMinutes
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.rules import RuleTerms
from grassroots.domain.survey import Audience, Question, QuestionKind
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
    located_point: UUID
    cadre: UUID
    volunteer: UUID
    volunteer_account: UUID
    activity: UUID
    visit: UUID
    problem: UUID
    contact: UUID
    rule_set: UUID

    def ids(self) -> dict[str, object]:
        """Path parameters by name; supervisors' routes name the township."""
        return {
            "org_unit_id": self.township,
            "center_id": self.center,
            "point_id": self.point,
            "cadre_id": self.cadre,
            "volunteer_id": self.volunteer,
            "activity_id": self.activity,
            "visit_id": self.visit,
            "problem_id": self.problem,
            "contact_id": self.contact,
            "rule_set_id": self.rule_set,
        }


@dataclass
class Ctx:
    """The world, the callers' accounts, and helpers that make fresh records on demand."""

    server: Server
    a: Side
    b: Side
    phones: dict[str, str]
    started: UUID
    """An activity of side A under way: staff may add minutes to it."""
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

    def forget_sessions(self, role: str) -> None:
        self._headers.pop(role, None)
        if role == ADMINISTRATOR:
            self.server.forget_administrator()

    def number(self) -> int:
        return next(self._numbers)

    def phone(self) -> str:
        return f"135{self.number():08d}"

    def activity(self, side: Side) -> UUID:
        starts_at = self.server.clock() + timedelta(days=2)
        return self.server.app.post_activity(
            side.center,
            title="临时活动",
            description="",
            category="environment",
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
        )

    def contact(self, side: Side) -> UUID:
        return self.server.app.add_contact(
            side.cadre, name="临时联系人", phone=self.phone(), walk_of_life="学生"
        )

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
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    """A multipart body instead of JSON (a photo upload)."""


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
    foreign_status: int = 404
    """What an allowed role meets on a record that is not theirs."""
    ok: int | None = None
    """The exact status of an allowed role on its own record, where known."""
    status: Mapping[str, int] = field(default_factory=dict)
    """Per-role exceptions to ``ok`` (for example routes about the caller's own record)."""
    fresh_session: bool = False
    """Use a session of its own (the route ends or changes the caller's session)."""
    stream: bool = False
    """Server-sent events: the own case is not opened (the stream would not end)."""
    order: int = 0
    """When its own case runs: routes that end something go after those that use it."""


# ---------------------------------------------------------------- the matrix
# Path parameters named like a record of the side (``center_id``, ``activity_id``...)
# are filled from it unless a build says otherwise (see ``Side.ids``).


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


def fresh_center(ctx: Ctx, side: Side, _role: str) -> Call:
    # Closing is for good: each call closes a center of its own.
    center = ctx.server.app.register_center(
        name="将关闭的青年之家",
        org_unit_id=side.village,
        address="新华大街 3 号",
        location=CENTER_PLACE,
    )
    return Call(path={"center_id": center}, body={"reason": "场地收回"})


def fresh_point(ctx: Ctx, side: Side, _role: str) -> Call:
    point = ctx.server.app.designate_point(
        name="将撤销的联系点", org_unit_id=side.village, location=CENTER_PLACE
    )
    return Call(path={"point_id": point}, body={"reason": "合并到东风社区联系点"})


def renamed_unit(ctx: Ctx, side: Side, _role: str) -> Call:
    # A unit of its own: the side's keep their names for the other calls.
    unit = ctx.server.app.create_org_unit(
        name="将改名的社区", level=OrgLevel.VILLAGE, parent_id=side.township
    )
    return Call(path={"org_unit_id": unit}, body={"name": "新华社区"})


def point_moved(ctx: Ctx, side: Side, _role: str) -> Call:
    # A point of its own, so the side's points keep their fences for the other calls.
    point = ctx.server.app.designate_point(
        name="将移动的联系点", org_unit_id=side.village, location=CENTER_PLACE
    )
    place = {"lat": CENTER_PLACE.lat + 0.01, "lon": CENTER_PLACE.lon}
    return Call(path={"point_id": point}, body={"location": place, "geofence_radius_m": 200})


def same_points(_ctx: Ctx, side: Side, _role: str) -> Call:
    # The cadre's points as they are: the other routes keep the world they know.
    return Call(body={"point_ids": [str(side.point), str(side.located_point)]})


def same_password(_ctx: Ctx, _side: Side, _role: str) -> Call:
    return Call(body={"current_password": PASSWORD, "new_password": PASSWORD})


def body(payload: Callable[[Ctx, Side], object]) -> Build:
    def build(ctx: Ctx, side: Side, _role: str) -> Call:
        return Call(body=payload(ctx, side))

    return build


def new_activity(ctx: Ctx, _side: Side) -> object:
    starts_at = ctx.server.clock() + timedelta(days=3)
    return {
        "title": "植树活动",
        "category": "environment",
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=2)).isoformat(),
    }


def fresh_activity(ctx: Ctx, side: Side, _role: str) -> Call:
    # Cancelling is for good: each call cancels an activity of its own.
    return Call(path={"activity_id": ctx.activity(side)}, body={"reason": "天气原因"})


def adjustment(ctx: Ctx, side: Side, _role: str) -> Call:
    # Minutes are added once an activity has started: side A's started one.
    activity = ctx.started if side is ctx.a else side.activity
    return Call(
        path={"activity_id": activity, "volunteer_id": side.volunteer},
        body={"minutes": 30, "reason": "补录签到"},
    )


def scan(ctx: Ctx, side: Side, _role: str) -> Call:
    return Call(body={"token": ctx.server.app.venue_code(side.activity).token})


def ledger_line(ctx: Ctx, _side: Side, _role: str) -> Call:
    # The volunteer's own first line (a staff adjustment made while building the world).
    page = ctx.server.client.get("/api/v1/me/ledger", headers=ctx.headers(VOLUNTEER)).json()
    return Call(path={"position": page["items"][0]["position"]})


def certificate_period(ctx: Ctx, _side: Side) -> object:
    today = ctx.server.clock().date()
    return {"from": (today - timedelta(days=300)).isoformat(), "to": today.isoformat()}


def certificate_pdf(ctx: Ctx, side: Side, _role: str) -> Call:
    # A certificate of the side's volunteer, issued as the API would issue it.
    today = ctx.server.clock().date()
    served = [ServedMinutes(uuid4(), today, "社区环境清洁", "青年之家", 60)]
    certificate, _ = ctx.server.app.issue_certificate(
        side.volunteer, today, today, served, render=CertificatePdf("http://127.0.0.1:8000")
    )
    return Call(path={"file_name": f"{certificate.serial}.pdf"})


def visit_start(_ctx: Ctx, side: Side, _role: str) -> Call:
    place = CENTER_PLACE
    return Call(
        body={
            "point_id": str(side.located_point),
            "lat": place.lat,
            "lon": place.lon,
            "accuracy_m": 10,
        }
    )


def fresh_contact(ctx: Ctx, side: Side, _role: str) -> Call:
    # Side B's contact is cadre B's: a cadre of side A must not reach it.
    contact = ctx.contact(side) if side is ctx.a else side.contact
    return Call(path={"contact_id": contact}, query={"reason": "已迁出"})


def problem_of_its_own(*, closed: bool) -> Build:
    """Closing and reopening move a problem on for good: each call on side A gets an
    answered problem of its own (closed too, for reopening)."""

    def build(ctx: Ctx, side: Side, _role: str) -> Call:
        if side is not ctx.a:
            return Call(body={"reason": "仍未修好"})
        app = ctx.server.app
        problem = app.raise_problem(
            side.cadre, title="井盖缺失", description="北门", org_unit_id=side.village
        )
        app.answer_problem(problem, answer="已安排", answered_by=side.volunteer_account)
        if closed:
            app.close_problem(problem, closed_by=side.volunteer_account)
        return Call(path={"problem_id": problem}, body={"reason": "仍未修好"})

    return build


def rule_revision(ctx: Ctx, _side: Side, _role: str) -> Call:
    # Each version must start after the one before it.
    effective = date(2026, 4, 1) + timedelta(days=ctx.number())
    return Call(body={"effective_from": effective.isoformat(), "rules": RULES})


def _account_of(ctx: Ctx, role: str) -> UUID:
    me = ctx.server.client.get("/api/v1/me", headers=ctx.headers(role)).json()
    return UUID(me["account_id"])


def experience_post(ctx: Ctx, side: Side, role: str, *, photo: bool = False) -> tuple[UUID, str]:
    """A fresh post of the side (and its photo's hash): on side A written by the calling
    cadre or staff member (as their center), else by cadre A; on side B by cadre B."""
    app = ctx.server.app
    if side is ctx.a and role == STAFF:
        author = _account_of(ctx, STAFF)
        post = app.write_experience(author, center_id=side.center, title="心得", text="正文")
    else:
        if side is ctx.a:
            author = _account_of(ctx, CADRE)
        else:
            author = ctx.account(Grant(Role.CADRE, side.cadre))
        post = app.write_experience(author, cadre_id=side.cadre, title="心得", text="正文")
    sha256 = "0" * 64
    if photo:
        sha256 = app.attach_experience_photo(post, PHOTO, by=author).sha256
    return post, sha256


def on_post(*, photo: bool = False, **call: object) -> Build:
    def build(ctx: Ctx, side: Side, role: str) -> Call:
        post, sha256 = experience_post(ctx, side, role, photo=photo)
        return Call(path={"post_id": post, "sha256": sha256}, **call)  # type: ignore[arg-type]

    return build


def survey_design(ctx: Ctx, side: Side) -> dict[str, object]:
    now = ctx.server.clock()
    return {
        "org_unit_id": str(side.township),
        "title": "青年需求调研",
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "questions": [
            {"prompt": "满意度", "kind": "rating"},
            {"prompt": "建议", "kind": "text", "required": False},
        ],
    }


def survey_revision(ctx: Ctx, side: Side) -> dict[str, object]:
    revision = survey_design(ctx, side)
    del revision["org_unit_id"]
    return revision


def survey_of_its_own(body: Callable[[Ctx, Side], object] | None = None, **path: object) -> Build:
    """A published survey per call (closing one is for good): on side A designed by
    cadre A through the API, on side B by nobody the callers hold."""

    def build(ctx: Ctx, side: Side, _role: str) -> Call:
        app = ctx.server.app
        if side is ctx.a:
            designed = ctx.server.client.post(
                "/api/v1/surveys", json=survey_design(ctx, side), headers=ctx.headers(CADRE)
            )
            survey_id = UUID(designed.json()["survey_id"])
        else:
            survey_id = app.design_survey(
                title="别处的调研",
                intro="",
                org_unit_id=side.township,
                audience=Audience.ANYONE_WITH_LINK,
                opens_at=ctx.server.clock(),
                closes_at=ctx.server.clock() + timedelta(days=30),
                questions=[
                    Question("", "满意度", QuestionKind.RATING),
                    Question("", "建议", QuestionKind.TEXT, required=False),
                ],
                designed_by=uuid4(),
            )
        app.publish_survey(survey_id, published_by=uuid4())
        assert ctx.server.client.app.state.read_side.wait_for(app.log_head(), 10)
        return Call(
            path={"survey_id": survey_id, **path},
            body=None if body is None else body(ctx, side),
        )

    return build


def new_experience(_ctx: Ctx, side: Side, role: str) -> Call:
    written = {"title": "走访体会", "text": "先听后说"}
    if role == STAFF:
        written["center_id"] = str(side.center)
    return Call(body=written)


def _photo() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 90, 160)).save(out, format="PNG")
    return out.getvalue()


PHOTO = _photo()
AUTHORS = frozenset({CADRE, STAFF})
READERS = frozenset({CADRE, STAFF, SUPERVISOR})
# Only a post's author changes it: an administrator, who sees it, is refused.
AUTHOR_ONLY = {ADMINISTRATOR: 403}


RULES = {"kind": "preset", "preset": "inner-mongolia"}
NEW_CONTACT = {"name": "张三", "phone": "13600000001", "walk_of_life": "外卖骑手"}
STAFF_ONLY = frozenset({STAFF})
STAFF_OR_SUPERVISOR = frozenset({STAFF, SUPERVISOR})
VOLUNTEERS = frozenset({VOLUNTEER})
CADRES = frozenset({CADRE})
SUPERVISORS = frozenset({SUPERVISOR})
CADRE_OR_SUPERVISOR = frozenset({CADRE, SUPERVISOR})
# Routes about the caller's own volunteer or cadre record: an administrator has none.
NOT_FOR_ADMINISTRATORS = {ADMINISTRATOR: 403}
# A visit is written only by its own cadre: to anyone else, administrators too, it
# answers as if it did not exist.
CADRE_ONLY_VISITS = {ADMINISTRATOR: 404}

MATRIX: dict[str, Op] = {
    # accounts
    "logOut": Op(EVERYONE, foreign=False, ok=204, fresh_session=True),
    "getMe": Op(EVERYONE, foreign=False, ok=200),
    "changePassword": Op(EVERYONE, same_password, foreign=False, ok=204, fresh_session=True),
    # administration
    "createAccount": Op(ADMINISTRATORS_ONLY, new_account, ok=201),
    "getAccount": Op(ADMINISTRATORS_ONLY, fresh_account, ok=200),
    "listAccounts": Op(ADMINISTRATORS_ONLY, foreign=False, ok=200),
    "grantRole": Op(ADMINISTRATORS_ONLY, grant, ok=204),
    "revokeRole": Op(ADMINISTRATORS_ONLY, revoke, ok=204),
    "disableAccount": Op(ADMINISTRATORS_ONLY, disable, ok=204),
    "enableAccount": Op(ADMINISTRATORS_ONLY, enable, ok=204),
    # organisation (writes: administrators; reading centers: anyone signed in)
    "createOrgUnit": Op(
        ADMINISTRATORS_ONLY,
        body(lambda _c, s: {"name": "新社区", "level": "village", "parent_id": str(s.township)}),
        ok=201,
    ),
    "registerCenter": Op(
        ADMINISTRATORS_ONLY,
        body(
            lambda _c, s: {
                "name": "新青年之家",
                "org_unit_id": str(s.village),
                "address": "呼和浩特市新城区新华大街 2 号",
                "location": {"lat": CENTER_PLACE.lat, "lon": CENTER_PLACE.lon},
            }
        ),
        ok=201,
    ),
    "designatePoint": Op(
        ADMINISTRATORS_ONLY,
        body(
            lambda _c, s: {
                "name": "新联系点",
                "org_unit_id": str(s.village),
                "location": {"lat": CENTER_PLACE.lat, "lon": CENTER_PLACE.lon},
                "geofence_radius_m": 200,
            }
        ),
        ok=201,
    ),
    "registerCadre": Op(
        ADMINISTRATORS_ONLY,
        body(lambda _c, s: {"name": "赵干部", "kind": "part_time", "org_unit_id": str(s.township)}),
        ok=201,
    ),
    "reassignCadrePoints": Op(ADMINISTRATORS_ONLY, same_points, ok=204),
    "retirePoint": Op(ADMINISTRATORS_ONLY, fresh_point, ok=204),
    "closeCenter": Op(ADMINISTRATORS_ONLY, fresh_center, ok=204),
    "changeCenter": Op(
        ADMINISTRATORS_ONLY, body(lambda _c, _s: {"address": "新华大街 1 号"}), ok=200
    ),
    "relocatePoint": Op(ADMINISTRATORS_ONLY, point_moved, ok=204),
    "renameOrgUnit": Op(ADMINISTRATORS_ONLY, renamed_unit, ok=200),
    # Centers and activities are public knowledge to anyone signed in (discovery).
    "listCenters": Op(EVERYONE, foreign=False, ok=200),
    "getCenter": Op(EVERYONE, foreign=False, ok=200),
    "discoverActivities": Op(EVERYONE, foreign=False, ok=200),
    "getActivity": Op(EVERYONE, foreign=False, ok=200),
    # center staff
    "postActivity": Op(STAFF_ONLY, body(new_activity), ok=201),
    "listCenterActivities": Op(STAFF_OR_SUPERVISOR, ok=200),
    "changeActivity": Op(STAFF_ONLY, body(lambda _c, _s: {"title": "社区环境清洁（改）"}), ok=200),
    "cancelActivity": Op(STAFF_ONLY, fresh_activity, ok=204),
    "listActivityAttendance": Op(STAFF_OR_SUPERVISOR, ok=200),
    "exportActivityAttendanceXlsx": Op(STAFF_OR_SUPERVISOR, ok=200),
    "exportActivityAttendanceCsv": Op(STAFF_OR_SUPERVISOR, ok=200),
    "adjustAttendance": Op(STAFF_ONLY, adjustment, ok=201),
    "getVenueCode": Op(STAFF_ONLY, ok=200),
    "getVenueCodePng": Op(STAFF_ONLY, ok=200),
    "getVenueCodeSvg": Op(STAFF_ONLY, ok=200),
    "followCenterLive": Op(STAFF_OR_SUPERVISOR, stream=True),
    "followOrgUnitLive": Op(SUPERVISORS, stream=True),
    # volunteers: any activity is open to them, so there is no foreign activity
    "signUp": Op(VOLUNTEERS, foreign=False, ok=200, status=NOT_FOR_ADMINISTRATORS),
    "withdrawSignUp": Op(VOLUNTEERS, foreign=False, status=NOT_FOR_ADMINISTRATORS, order=1, ok=204),
    "checkIn": Op(VOLUNTEERS, scan, foreign=False, status=NOT_FOR_ADMINISTRATORS),
    "checkOut": Op(VOLUNTEERS, scan, foreign=False, status=NOT_FOR_ADMINISTRATORS),
    "getMyLedger": Op(VOLUNTEERS, foreign=False, ok=200, status=NOT_FOR_ADMINISTRATORS),
    "getMySignUps": Op(VOLUNTEERS, foreign=False, ok=200, status=NOT_FOR_ADMINISTRATORS),
    "getMyLedgerTotals": Op(VOLUNTEERS, foreign=False, ok=200, status=NOT_FOR_ADMINISTRATORS),
    "explainMyLedgerLine": Op(
        VOLUNTEERS, ledger_line, foreign=False, ok=200, status=NOT_FOR_ADMINISTRATORS
    ),
    "getVolunteerLedger": Op(frozenset({VOLUNTEER, SUPERVISOR}), ok=200),
    # certificates: a volunteer's own; anyone reads and checks one by its serial
    "issueMyCertificate": Op(
        VOLUNTEERS, body(certificate_period), foreign=False, status=NOT_FOR_ADMINISTRATORS
    ),
    "getMyCertificatePdf": Op(VOLUNTEERS, certificate_pdf, ok=200, status={ADMINISTRATOR: 403}),
    "listMyCertificates": Op(VOLUNTEERS, foreign=False, ok=200, status=NOT_FOR_ADMINISTRATORS),
    # cadres: a visit to any point is recorded (it only counts at their own points)
    "startVisit": Op(CADRES, visit_start, foreign=False, status=NOT_FOR_ADMINISTRATORS),
    "getVisit": Op(CADRE_OR_SUPERVISOR, ok=200),
    "writeVisitLog": Op(
        CADRES,
        body(lambda _c, _s: {"text": "走访了社区青年之家"}),
        status=CADRE_ONLY_VISITS,
        ok=200,
    ),
    "recordYouthMet": Op(
        CADRES, body(lambda _c, _s: {"name": "李四"}), status=CADRE_ONLY_VISITS, ok=200
    ),
    "raiseVisitProblem": Op(
        CADRES,
        body(lambda _c, _s: {"title": "路灯不亮", "description": "东门路灯坏了"}),
        status=CADRE_ONLY_VISITS,
        ok=201,
    ),
    "endVisit": Op(CADRES, status=CADRE_ONLY_VISITS, order=1, ok=200),
    "getPointCode": Op(SUPERVISORS, ok=200),
    "getPointCodePng": Op(SUPERVISORS, ok=200),
    "listMyContacts": Op(CADRES, foreign=False, ok=200, status=NOT_FOR_ADMINISTRATORS),
    "addMyContact": Op(
        CADRES,
        body(lambda _c, _s: NEW_CONTACT),
        foreign=False,
        status=NOT_FOR_ADMINISTRATORS,
        ok=201,
    ),
    # Another cadre's contact is simply not on the caller's list: the same 409 as an
    # id on no list at all, so it reveals nothing.
    "removeMyContact": Op(
        CADRES, fresh_contact, ok=204, status=NOT_FOR_ADMINISTRATORS, foreign_status=409
    ),
    "getMyStanding": Op(CADRES, foreign=False, ok=200, status=NOT_FOR_ADMINISTRATORS),
    "getMyCoverage": Op(CADRES, foreign=False, ok=200, status=NOT_FOR_ADMINISTRATORS),
    "getCadreStanding": Op(CADRE_OR_SUPERVISOR, ok=200),
    "getCadreCoverage": Op(CADRE_OR_SUPERVISOR, ok=200),
    # problems: a cadre may raise one for any unit
    "raiseProblem": Op(
        CADRES,
        body(
            lambda _c, s: {
                "title": "篮球场破损",
                "description": "需修缮",
                "org_unit_id": str(s.village),
            }
        ),
        foreign=False,
        status=NOT_FOR_ADMINISTRATORS,
    ),
    "getProblem": Op(CADRE_OR_SUPERVISOR, ok=200),
    "answerProblem": Op(SUPERVISORS, body(lambda _c, _s: {"answer": "已安排维修"}), ok=200),
    "closeProblem": Op(SUPERVISORS, problem_of_its_own(closed=False), ok=200),
    "reopenProblem": Op(
        CADRES, problem_of_its_own(closed=True), ok=200, status=NOT_FOR_ADMINISTRATORS
    ),
    "rerouteProblem": Op(
        SUPERVISORS,
        body(lambda _c, s: {"org_unit_id": str(s.township), "reason": "街道统一处理"}),
        ok=200,
    ),
    "listOpenProblems": Op(SUPERVISORS, ok=200),
    # surveys: designed by a supervisor of the unit or a cadre of it; managed by
    # their designer and the unit's supervisors; answered by volunteers (and anonymously)
    "designSurvey": Op(CADRE_OR_SUPERVISOR, body(survey_design), ok=201),
    "getSurvey": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(), ok=200),
    "reviseSurvey": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(survey_revision), ok=200),
    "publishSurvey": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(), ok=200),
    "closeSurvey": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(), ok=200),
    "getSurveyResults": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(), ok=200),
    "getSurveyBreakdown": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(), ok=200),
    "getSurveyTextAnswers": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(question_key="q2"), ok=200),
    "exportSurveyCsv": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(), ok=200),
    "exportSurveyXlsx": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(), ok=200),
    "getSurveyCodePng": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(), ok=200),
    "followSurveyLive": Op(CADRE_OR_SUPERVISOR, survey_of_its_own(), stream=True),
    # Any volunteer may answer a survey open to anyone with the link: no foreign case.
    "answerSurvey": Op(
        VOLUNTEERS,
        survey_of_its_own(lambda _c, _s: {"answers": {"q1": 4}}),
        foreign=False,
        ok=200,
        status=NOT_FOR_ADMINISTRATORS,
    ),
    "listUnitSurveys": Op(SUPERVISORS, ok=200),
    # supervision of a subtree
    "getUnitCompliance": Op(SUPERVISORS, ok=200),
    "exportUnitCompliance": Op(SUPERVISORS, ok=200),
    "whatIfUnitCompliance": Op(
        SUPERVISORS, body(lambda _c, _s: {"period": "month", "rules": RULES}), ok=200
    ),
    "getUnitActivityCounts": Op(SUPERVISORS, ok=200),
    "exportUnitActivityCounts": Op(SUPERVISORS, ok=200),
    "getUnitProblemFigures": Op(SUPERVISORS, ok=200),
    "getWeeklyDispatch": Op(SUPERVISORS, ok=200),
    "getComplianceTrend": Op(SUPERVISORS, ok=200),
    "getDispatchCadreWeek": Op(SUPERVISORS, ok=200),
    "getMonthlyBulletin": Op(
        SUPERVISORS, lambda _c, _s, _r: Call(path={"file": "2026-03.xlsx"}), ok=200
    ),
    "listUnitRuleSets": Op(SUPERVISORS, ok=200),
    "defineRuleSet": Op(
        SUPERVISORS,
        body(lambda _c, _s: {"name": "街道规则", "effective_from": "2026-03-01", "rules": RULES}),
        ok=201,
    ),
    "reviseRuleSet": Op(SUPERVISORS, rule_revision, ok=201),
    # experience sharing (心得交流): side A's posts are in township A, below which the
    # staff's center lies; side B's are cadre B's, out of every caller's reach
    "writeExperience": Op(
        AUTHORS, new_experience, foreign=False, ok=201, status=NOT_FOR_ADMINISTRATORS
    ),
    "listExperiences": Op(AUTHORS, foreign=False, ok=200, status=NOT_FOR_ADMINISTRATORS),
    "listMyExperiences": Op(AUTHORS, foreign=False, ok=200),
    "getExperience": Op(READERS, on_post(), ok=200),
    "editExperience": Op(
        AUTHORS, on_post(body={"title": "改", "text": "改后"}), ok=200, status=AUTHOR_ONLY
    ),
    "withdrawExperience": Op(AUTHORS, on_post(), ok=200, status=AUTHOR_ONLY),
    "commentOnExperience": Op(READERS, on_post(body={"text": "学习了"}), ok=201),
    "likeExperience": Op(READERS, on_post(), ok=204),
    "unlikeExperience": Op(READERS, on_post(), ok=204),
    "featureExperience": Op(SUPERVISORS, on_post(), ok=200),
    "unfeatureExperience": Op(SUPERVISORS, on_post(), ok=204),
    "hideExperience": Op(SUPERVISORS, on_post(body={"reason": "含个人信息"}), ok=200),
    "attachExperiencePhoto": Op(
        AUTHORS,
        on_post(files={"photo": ("photo.png", PHOTO, "image/png")}),
        ok=201,
        status=AUTHOR_ONLY,
    ),
    "getExperiencePhoto": Op(READERS, on_post(photo=True), ok=200),
    "removeExperiencePhoto": Op(AUTHORS, on_post(photo=True), ok=204, status=AUTHOR_ONLY),
    "listUnitExperiences": Op(SUPERVISORS, ok=200),
    "getUnitExperienceCounts": Op(SUPERVISORS, ok=200),
}

# Public operations: called without a token, they must not ask for one.
PUBLIC: dict[str, Call] = {
    "getCertificate": Call(path={"serial": "0000-0000-0000"}),
    "checkCertificate": Call(path={"serial": "0000-0000-0000"}),
    "getProblemType": Call(path={"code": "not-authenticated"}),
    "logIn": Call(body={"phone": "13800000001", "password": PASSWORD}),
    "getSurveyForm": Call(path={"survey_id": uuid4()}),
    "answerSurveyAnonymously": Call(path={"survey_id": uuid4()}, body={"answers": {}}),
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
    located_point = app.designate_point(
        name=f"{tag}广场联系点",
        org_unit_id=village,
        location=CENTER_PLACE,
        geofence_radius_m=200,
    )
    cadre = app.register_cadre(
        name=f"{tag}书记",
        kind=CadreKind.FULL_TIME,
        org_unit_id=township,
        point_ids=[point, located_point],
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
    visit = app.start_visit(cadre, located_point, location=CENTER_PLACE, accuracy_m=10)
    problem = app.raise_problem(
        cadre, title="路灯不亮", description="东门路灯坏了", org_unit_id=village, visit_id=visit
    )
    contact = app.add_contact(cadre, name="王五", phone=phone[:-1] + "9", walk_of_life="学生")
    rule_set = app.define_rule_set(
        name=f"{tag}规则",
        org_unit_id=township,
        effective_from=date(2026, 3, 1),
        terms=RuleTerms(min_visits_per_month=2, min_days_per_month=2, monthly_mode="either"),
    )
    return Side(
        township=township,
        village=village,
        center=center,
        point=point,
        located_point=located_point,
        cadre=cadre,
        volunteer=volunteer,
        volunteer_account=account,
        activity=activity,
        visit=visit,
        problem=problem,
        contact=contact,
        rule_set=rule_set,
    )


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
    # A line in volunteer A's ledger, so one can be explained: staff add them to an
    # activity that has started.
    starts_at = server.clock() + timedelta(hours=1)
    past = server.app.post_activity(
        a.center,
        title="读书会",
        description="",
        category="culture",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
    )
    server.clock.advance(hours=4)
    server.app.adjust_attendance(
        past, a.volunteer, minutes=60, reason="补录", staff_id=a.volunteer_account
    )
    # Set-up went straight to the application: let the read models take it in.
    assert server.client.app.state.read_side.wait_for(server.app.last_write_position(), 10)
    return Ctx(server, a, b, phones, started=past)


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


def url(operation: Operation, call: Call, side: Side) -> str:
    path = operation.path
    for name, value in {**side.ids(), **call.path}.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, f"{operation.id}: no value for a parameter of {path}"
    return path


def send(
    ctx: Ctx,
    operation: Operation,
    call: Call,
    headers: dict[str, str],
    *,
    side: Side,
    stream: bool = False,
) -> tuple[int, str]:
    client = ctx.server.client
    kwargs: dict[str, Any] = {"headers": headers, "params": dict(call.query)}
    if call.body is not None:
        kwargs["json"] = call.body
    if call.files is not None:
        kwargs["files"] = call.files
    if stream:
        with client.stream(operation.method, url(operation, call, side), **kwargs) as response:
            return response.status_code, ""
    response = client.request(operation.method, url(operation, call, side), **kwargs)
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
        status, text = send(ctx, operation, call, {}, side=ctx.a)
        if status == 401 or status >= 500:
            mismatches.append(f"{operation.id} (public) anonymous: answered {status}: {text}")

    protected = [(o, MATRIX[o.id]) for o in found if not o.public]
    # Refusals first: they must change nothing, so the successes after them meet the
    # world as built.
    for operation, op in protected:
        status, text = send(
            ctx, operation, op.build(ctx, ctx.a, VOLUNTEER), {}, side=ctx.a, stream=op.stream
        )
        expect(f"{operation.id} anonymous", status, text, 401)
        for role in ROLES:
            if role in op.roles:
                continue
            call = op.build(ctx, ctx.a, role)
            status, text = send(
                ctx, operation, call, ctx.headers(role), side=ctx.a, stream=op.stream
            )
            expect(f"{operation.id} {role} (role not allowed)", status, text, 403)
    for operation, op in protected:
        if not op.foreign:
            continue
        for role in ROLES:
            if role not in op.roles:
                continue
            call = op.build(ctx, ctx.b, role)
            status, text = send(
                ctx, operation, call, ctx.headers(role), side=ctx.b, stream=op.stream
            )
            expect(f"{operation.id} {role} on a foreign record", status, text, op.foreign_status)
    for operation, op in sorted(protected, key=lambda found: found[1].order):
        if op.stream:
            # An open event stream does not end by itself; refusals above cover its guard.
            continue
        for role in (*sorted(op.roles), ADMINISTRATOR):
            call = op.build(ctx, ctx.a, role)
            headers = ctx.headers(role, fresh=op.fresh_session)
            status, text = send(ctx, operation, call, headers, side=ctx.a)
            if op.fresh_session:
                # A password change ends the role's other sessions, the kept one too.
                ctx.forget_sessions(role)
            expect(
                f"{operation.id} {role} on its own record", status, text, op.status.get(role, op.ok)
            )

    assert not mismatches, "access matrix mismatches:\n" + "\n".join(mismatches)
