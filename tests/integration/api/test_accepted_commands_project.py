"""Whatever the API accepts, every read model can project.

One accepted command whose event a read model cannot apply (an instant whose
local date overflows, a NUL that PostgreSQL text cannot hold) stops that read
model for good. So, for each command with text, instant or number fields, values
at the edges of every field are generated (the ends of the range of instants
and past them, the longest texts, emoji, CJK, controls, the smallest and largest
numbers); for every one the API accepts (2xx), all six read models must then
catch up with the log without a failure. What the API refuses must be a 4xx.

Bounded: a fixed number of examples per command, derandomized so a failure
replays; not shrunk, because a read model that failed stays stopped and every
later example would fail with it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from grassroots.bootstrap import ALL_PROJECTIONS
from grassroots.domain.account import Grant, Role
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.qr_token import QrSubject, SubjectKind
from grassroots.domain.values import FIRST_INSTANT, LAST_INSTANT
from grassroots.projections.read_side import ReadSide
from tests.integration.api.conftest import PASSWORD, Server
from tests.integration.builders import CENTER_PLACE, World, build_world, register_cadre

EXAMPLES = 40

SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

# --- the edges of every kind of field ---------------------------------------------------
#
# Each field has values at the edge of what is valid (the longest text, emoji, the
# first and last instants of the range, the largest capacity) and just past it
# (one character more, a control character, the instant after the range). An
# example breaks at most one field, so most commands are accepted and their events
# reach the read models; those that break one show it is refused as a 4xx.


@dataclass(frozen=True)
class Edges:
    good: st.SearchStrategy[Any]
    bad: st.SearchStrategy[Any]


def pick(draw: st.DrawFn, edges: Edges, broken: bool) -> Any:
    return draw(edges.bad if broken else edges.good)


# Zones at the ends of the world's offsets, beside the default one.
EDGE_ZONES = ["Pacific/Kiritimati", "Etc/GMT+12", "Asia/Shanghai"]
OFFSETS = [timezone(timedelta(hours=h)) for h in (-14, -12, 0, 8, 14)] + [UTC]

REFUSED_TEXTS = [
    "a\x00b",
    "a\x07b",
    "lone\rcr",
    "next\x85line",
    "csi\x9b31m",
    "rtl\u202eoverride",
    "iso\u2066late\u2069",
    "lone\ud800surrogate",
]
LINES = ["第一行\n第二行", "tab\there", "crlf\r\nline"]
ODD_BUT_FINE = [
    "😀",
    "👩‍👩‍👧",
    "ᠮᠣᠩᠭᠣᠯ\u180eᠪᠢᠴᠢᠭ",
    "𠀀𪚥",
    "'; DROP TABLE events; --",
    "\u00a0\u3000名",
    "שלום\u200fעולם",
]
_PRINTABLE = st.characters(
    codec="utf-8",
    exclude_categories=("Cc", "Cs"),
    exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
)


def texts(max_length: int, *, multiline: bool = False, required: bool = True) -> Edges:
    longest = [c * max_length for c in ("x", "汉", "😀")]
    good = st.one_of(
        st.sampled_from(ODD_BUT_FINE + longest + (LINES if multiline else [])),
        st.text(_PRINTABLE, min_size=1, max_size=max_length).filter(str.strip),
    )
    overlong = [c * (max_length + 1) for c in ("x", "汉", "😀")]
    bad = st.one_of(
        st.sampled_from(
            REFUSED_TEXTS
            + overlong
            + ([] if multiline else LINES)
            + (["", " "] if required else [])
        ),
        st.text(max_size=max_length + 2),
    )
    return Edges(good, bad)


def in_range(lowest: datetime, highest: datetime) -> st.SearchStrategy[datetime]:
    """Instants from ``lowest`` to ``highest`` (naive bounds on any edge offset's wall clock)."""
    return st.datetimes(min_value=lowest, max_value=highest, timezones=st.sampled_from(OFFSETS))


OUT_OF_RANGE = [
    FIRST_INSTANT - timedelta(microseconds=1),
    LAST_INSTANT + timedelta(microseconds=1),
    datetime(9999, 12, 31, 22, tzinfo=UTC),
    datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-14))),
    datetime(1, 1, 1, 14, tzinfo=timezone(timedelta(hours=14))),
    datetime(1970, 1, 1, tzinfo=UTC),
]
any_instants = st.one_of(
    st.sampled_from(OUT_OF_RANGE), in_range(datetime(1, 1, 2), datetime(9999, 12, 30))
)
instants = Edges(
    good=st.one_of(
        st.sampled_from([FIRST_INSTANT, LAST_INSTANT]),
        in_range(datetime(2000, 1, 2), datetime(2100, 12, 30)),
    ),
    bad=any_instants,
)
# An activity starts after the test clock (2026-03-02 01:00 UTC) and lasts up to a day.
starts = Edges(
    good=st.one_of(
        st.sampled_from([LAST_INSTANT - timedelta(hours=24), LAST_INSTANT - timedelta(minutes=1)]),
        in_range(datetime(2026, 3, 3), datetime(2100, 12, 29)),
    ),
    bad=any_instants,
)
lengths = Edges(
    good=st.sampled_from([timedelta(microseconds=1), timedelta(minutes=1), timedelta(hours=24)]),
    bad=st.sampled_from([timedelta(0), -timedelta(hours=1), timedelta(hours=24, microseconds=1)]),
)
latitudes = Edges(st.sampled_from([-90.0, 90.0, 0.0]) | st.floats(-90, 90), st.just(90.000001))
longitudes = Edges(
    st.sampled_from([-180.0, 180.0, 0.0]) | st.floats(-180, 180), st.just(-180.000001)
)
radii = Edges(
    st.sampled_from([10.0, 5000.0]) | st.floats(10, 5000), st.sampled_from([9.99, 5000.01])
)
capacities = Edges(
    st.sampled_from([None, 1, 10_000]) | st.integers(1, 10_000),
    st.sampled_from([0, -1, 10_001, 2**63]),
)


def later(at: datetime, by: timedelta) -> datetime:
    try:
        return at + by
    except OverflowError:
        return at


# --- the read side ----------------------------------------------------------------------


def assert_projected(server: Server, what: object) -> None:
    """Every read model takes in the whole log without a failure."""
    read_side: ReadSide = server.client.app.state["read_side"]
    try:
        read_side.catch_up()
    except Exception as failure:  # the first projection failure, with its cause
        cause = failure.__cause__ or failure
        pytest.fail(f"accepted {what!r}, then a read model failed: {cause!r}")
    end = read_side.log.last_position()
    behind = {s.name: s.position for s in read_side.status() if s.position < end}
    assert behind == {}, f"accepted {what!r}; read models behind the log's end {end}: {behind}"
    assert set(read_side.runners) == {p.name for p in ALL_PROJECTIONS}


def send(
    server: Server, url: str, body: object, headers: dict[str, str], method: str = "POST"
) -> Any:
    """A JSON request as a client could send it: ``json.dumps`` escapes a lone
    surrogate (``\\ud800``) where an encoder of UTF-8 would fail."""
    return server.client.request(
        method,
        url,
        content=json.dumps(body),
        headers={**headers, "Content-Type": "application/json"},
    )


@dataclass
class Tally:
    """How many commands the API accepted and refused: a run that accepted none
    (or refused none) did not reach the edges it was meant to."""

    accepted: int = 0
    refused: int = 0


TALLY = Tally()


def answered(response: Any, what: object) -> bool:
    """Whether the API accepted; a refusal must be a client error, never a server one."""
    assert response.status_code < 500, f"{what!r}: {response.text}"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
        TALLY.refused += 1
        return False
    TALLY.accepted += 1
    return True


def run_counted(property_test: Callable[[], None]) -> Tally:
    """Runs ``property_test``; what it accepted and refused."""
    TALLY.accepted = TALLY.refused = 0
    property_test()
    return Tally(TALLY.accepted, TALLY.refused)


# --- the world the commands run in ------------------------------------------------------


@dataclass
class Stage:
    server: Server
    world: World
    admin: dict[str, str]
    staff: dict[str, str]
    centers: list[UUID]
    cadre: dict[str, str]
    phones: Callable[[], str]


@pytest.fixture
def stage(server_factory: Callable[..., Server]) -> Stage:
    # No runner of its own: the test catches the read models up itself.
    server = server_factory(embedded=False)
    app = server.app
    world = build_world(app)
    centers = [world.center]
    for zone in EDGE_ZONES[:2]:
        unit = app.create_org_unit(name=f"边缘时区 {zone}", level=OrgLevel.REGION, time_zone=zone)
        centers.append(
            app.register_center(
                name=f"青年之家 {zone}",
                org_unit_id=unit,
                address="边缘路 1 号",
                location=CENTER_PLACE,
                geofence_radius_m=150,
            )
        )
    staff_phone = server.account("13600000001", *(Grant(Role.CENTER_STAFF, c) for c in centers))
    cadre_id = register_cadre(app, world)
    cadre_phone = server.account("13700000001", Grant(Role.CADRE, cadre_id), name="李书记")
    counter = itertools.count(1)
    stage = Stage(
        server=server,
        world=world,
        admin=server.administrator(),
        staff=server.log_in(staff_phone),
        centers=centers,
        cadre=server.log_in(cadre_phone),
        phones=lambda: f"139{next(counter):08d}",
    )
    assert_projected(server, "the set-up")
    return stage


# --- the commands -----------------------------------------------------------------------


def checked(tally: Tally) -> None:
    assert tally.accepted > 0, "no command was accepted: the edges were not reached"
    assert tally.refused > 0, "no command was refused: the edges were not passed"


@st.composite
def units_and_centers(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    broken = draw(st.sampled_from([None, "name", "zone", "address", "place", "radius"]))
    unit = {
        "name": pick(draw, texts(100), broken == "name"),
        "level": "region",
        "time_zone": draw(
            st.sampled_from(["Mars/Olympus", "UTC\x00", "../etc/passwd"])
            if broken == "zone"
            else st.sampled_from([*EDGE_ZONES, "Etc/GMT-14"])
        ),
    }
    center = {
        "name": pick(draw, texts(100), False),
        "address": pick(draw, texts(300), broken == "address"),
        "location": {
            "lat": pick(draw, latitudes, broken == "place"),
            "lon": pick(draw, longitudes, False),
        },
        "geofence_radius_m": pick(draw, radii, broken == "radius"),
    }
    return unit, center


def test_accepted_org_units_and_centers_are_projected(stage: Stage) -> None:
    server = stage.server

    @SETTINGS
    @given(bodies=units_and_centers())
    def create(bodies: tuple[dict[str, Any], dict[str, Any]]) -> None:
        unit, center = bodies
        response = send(server, "/api/v1/org-units", unit, stage.admin)
        if answered(response, unit):
            center = {**center, "org_unit_id": response.json()["id"]}
            answered(send(server, "/api/v1/centers", center, stage.admin), center)
        assert_projected(server, (unit, center))

    checked(run_counted(create))


@st.composite
def activities(draw: st.DrawFn, centers: list[UUID]) -> tuple[UUID, dict[str, Any]]:
    broken = draw(
        st.sampled_from(
            [None, "title", "description", "category", "start", "length", "capacity", "place"]
        )
    )
    starts_at = pick(draw, starts, broken == "start")
    body = {
        "title": pick(draw, texts(200), broken == "title"),
        "description": pick(
            draw, texts(4000, multiline=True, required=False), broken == "description"
        ),
        "category": pick(draw, texts(50), broken == "category"),
        "starts_at": starts_at.isoformat(),
        "ends_at": later(starts_at, pick(draw, lengths, broken == "length")).isoformat(),
        "capacity": pick(draw, capacities, broken == "capacity"),
        "location": {
            "lat": pick(draw, latitudes, False),
            "lon": pick(draw, longitudes, broken == "place"),
        },
        "geofence_radius_m": pick(draw, radii, False),
    }
    return draw(st.sampled_from(centers)), body


def _activity(starts_at: datetime, **changes: Any) -> dict[str, Any]:
    return {
        "title": "社区清洁",
        "description": "",
        "category": "environment",
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
        **changes,
    }


def test_accepted_activities_are_projected(stage: Stage) -> None:
    server = stage.server
    default_center = stage.centers[0]

    @SETTINGS
    @given(posted=activities(stage.centers))
    # Both were accepted once, and each stopped a read model for good.
    @example(posted=(default_center, _activity(datetime(9999, 12, 31, 22, tzinfo=UTC))))
    @example(
        posted=(
            default_center,
            _activity(datetime(2026, 3, 7, 1, tzinfo=UTC), description="a\x00b"),
        )
    )
    def post(posted: tuple[UUID, dict[str, Any]]) -> None:
        center, body = posted
        response = send(server, f"/api/v1/centers/{center}/activities", body, stage.staff)
        if answered(response, body):
            activity = response.json()["activity_id"]
            # The same details again, as a change: one more event with the same edges.
            change = {
                "title": body["title"] + "!",
                "description": body["description"],
                "ends_at": body["ends_at"],
            }
            url = f"/api/v1/activities/{activity}"
            answered(send(server, url, change, stage.staff, "PATCH"), change)
        assert_projected(server, body)

    checked(run_counted(post))


@st.composite
def registrations(draw: st.DrawFn) -> tuple[str, date]:
    broken = draw(st.sampled_from([None, "name", "birth_date"]))
    name = pick(draw, texts(50), broken == "name")
    birth_date = draw(
        st.sampled_from([date(1, 1, 1), date(1905, 12, 31), date(2026, 3, 2), date(9999, 12, 31)])
        if broken == "birth_date"
        else st.sampled_from([date(1906, 3, 3), date(2026, 3, 1)])
        | st.dates(date(1907, 1, 1), date(2026, 2, 28))
    )
    return name, birth_date


def test_accepted_registrations_are_projected(stage: Stage) -> None:
    server = stage.server

    @SETTINGS
    @given(registration=registrations())
    def register(registration: tuple[str, date]) -> None:
        name, birth_date = registration
        body = {
            "name": name,
            "phone": stage.phones(),
            "password": PASSWORD,
            "birth_date": birth_date.isoformat(),
            "org_unit_id": str(stage.world.village),
        }
        answered(send(server, "/api/v1/volunteers", body, {}), body)
        assert_projected(server, body)

    checked(run_counted(register))


@st.composite
def scans_and_corrections(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    broken = draw(st.sampled_from([None, "device_id", "client_time", "place", "reason", "minutes"]))
    located = draw(st.booleans())
    scan = {
        "device_id": draw(st.none())
        if draw(st.booleans()) and broken != "device_id"
        else pick(draw, texts(200), broken == "device_id"),
        "client_time": pick(draw, instants, broken == "client_time").isoformat(),
        "location": {
            "lat": pick(draw, latitudes, broken == "place"),
            "lon": pick(draw, longitudes, False),
        }
        if located or broken == "place"
        else None,
        "accuracy_m": draw(st.sampled_from([0.0, 100.0, 100_000.0]) | st.floats(0, 1e5))
        if located
        else None,
    }
    correction = {
        "minutes": draw(
            st.sampled_from([0, -1441, 1441, 2**31])
            if broken == "minutes"
            else st.sampled_from([-1440, -1, 1, 1440]) | st.integers(-1440, 1440)
        ),
        "reason": pick(draw, texts(500, multiline=True), broken == "reason"),
    }
    return scan, correction


def test_accepted_scans_and_corrections_are_projected(stage: Stage) -> None:
    server = stage.server
    app = server.app
    starts_at = server.clock.now + timedelta(days=1)
    activity = app.post_activity(
        stage.world.center,
        title="社区环境清洁",
        description="",
        category="environment",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        sign_up_required=False,
    )
    url = f"/api/v1/activities/{activity}"

    @SETTINGS
    @given(bodies=scans_and_corrections())
    def scan(bodies: tuple[dict[str, Any], dict[str, Any]]) -> None:
        extras, correction = bodies
        server.clock.set(starts_at - timedelta(minutes=5))
        phone = stage.phones()
        registered = send(
            server,
            "/api/v1/volunteers",
            {
                "name": "王小明",
                "phone": phone,
                "password": PASSWORD,
                "birth_date": "2004-05-04",
                "org_unit_id": str(stage.world.village),
            },
            {},
        )
        assert registered.status_code == 201, registered.text
        volunteer = server.log_in(phone)
        token = app.venue_code(activity).token
        checked_in = send(server, f"{url}/check-in", {"token": token, **extras}, volunteer)
        if answered(checked_in, extras):
            server.clock.set(starts_at + timedelta(hours=2))
            token = app.venue_code(activity).token
            checked_out = send(server, f"{url}/check-out", {"token": token, **extras}, volunteer)
            if answered(checked_out, extras):
                volunteer_id = registered.json()["volunteer_id"]
                adjustments = f"{url}/attendance/{volunteer_id}/adjustments"
                answered(send(server, adjustments, correction, stage.staff), correction)
        assert_projected(server, (extras, correction))

    checked(run_counted(scan))


@st.composite
def visit_notes(draw: st.DrawFn) -> dict[str, str]:
    broken = draw(st.sampled_from([None, "log", "youth", "title", "description", "answer"]))
    return {
        "log": pick(draw, texts(4000, multiline=True), broken == "log"),
        "youth": pick(draw, texts(50), broken == "youth"),
        "title": pick(draw, texts(200), broken == "title"),
        "description": pick(draw, texts(4000, multiline=True), broken == "description"),
        "answer": pick(draw, texts(4000, multiline=True), broken == "answer"),
    }


def test_accepted_visits_and_problems_are_projected(stage: Stage) -> None:
    server = stage.server
    point = stage.world.point

    @SETTINGS
    @given(notes=visit_notes(), use_code=st.booleans())
    def visit(notes: dict[str, str], use_code: bool) -> None:
        proof: dict[str, Any] = (
            {"token": server.app.rotating_code(QrSubject(SubjectKind.POINT, point)).token}
            if use_code
            else {"lat": CENTER_PLACE.lat, "lon": CENTER_PLACE.lon, "accuracy_m": 10.0}
        )
        started = send(server, "/api/v1/visits", {"point_id": str(point), **proof}, stage.cadre)
        assert started.status_code == 201, started.text
        url = f"/api/v1/visits/{started.json()['visit_id']}"
        server.clock.advance(minutes=1)
        answered(send(server, f"{url}/log", {"text": notes["log"]}, stage.cadre), notes)
        answered(send(server, f"{url}/youths-met", {"name": notes["youth"]}, stage.cadre), notes)
        problem = {"title": notes["title"], "description": notes["description"]}
        raised = send(server, f"{url}/problems", problem, stage.cadre)
        if answered(raised, problem):
            answer_url = f"/api/v1/problems/{raised.json()['problem_id']}/answer"
            answered(send(server, answer_url, {"answer": notes["answer"]}, stage.admin), notes)
        server.clock.advance(minutes=1)
        ended = server.client.post(f"{url}/end", headers=stage.cadre)
        assert ended.status_code < 300, ended.text
        assert_projected(server, notes)

    checked(run_counted(visit))
