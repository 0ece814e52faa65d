"""Generated requests against a real server, as four callers: the API must never answer
a 5xx, and every answer must match the schema the OpenAPI document gives it.

Starts ``grassroots serve`` on a free port with a fresh data directory, makes an
administrator (``grassroots users create``) who logs in over the API, and lays out a
small world through the API: five units down to a village, a youth center with an
activity and a grassroots point, a volunteer who signed up, checked in and out and
was credited an hour by a correction (so a ledger line and a certificate), a cadre
with a visit, a contact, a problem and an experience post with a photo, a published
survey and a rule set; it also reads a few problem types' pages. Then schemathesis
runs every phase (examples, coverage, fuzzing, stateful) as the administrator, the
volunteer, the cadre and anonymously, the four at once; four in five of the
generated ids in paths and bodies are those real records' (schemathesis
dictionaries), so requests reach the handlers and not only the 404s. The server is
stopped at the end and any unhandled error it logged is printed.

Seeded and bounded, so a run is repeatable and short; replay a failure with the seed
it printed::

    .venv/bin/python -m tests.contract.run_schemathesis --seed 20261204
    .venv/bin/python -m tests.contract.run_schemathesis --seed 20261204 --as volunteer \\
        --max-examples 50 -- --include-operation-id checkIn

Arguments after ``--`` go to ``schemathesis run`` as they are.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import Image

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
SEED = 20261204
MAX_EXAMPLES = 6
STATEFUL_SCENARIOS = 60
STATEFUL_STEPS = 8
PASSWORD = "contract run 7f3a9c"
ADMIN_PHONE = "13900000000"
VOLUNTEER_PHONE = "13800000001"
STAFF_PHONE = "13700000002"
CADRE_PHONE = "13600000003"
# Dates the API reads as days (a certificate's period, a rule set's start) are China's.
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHECKS = "not_a_server_error,response_schema_conformance"
PHASES = "examples,coverage,fuzzing,stateful"
CALLERS = ("administrator", "volunteer", "cadre", "anonymous")
# Server-sent event streams never end, so a generated request would wait forever;
# the live-update tests open and close them.
NEVER_ENDING = ("followCenterLive", "followOrgUnitLive", "followSurveyLive")
# Logging the run's own session out would leave the rest of the run without a caller;
# the anonymous run covers log-out.
ENDS_THE_RUN = ("logOut",)

# The real records' ids (and a ledger line's position, an int), by the parameter names
# that take them.
Records = dict[str, list[Any]]


@dataclass(frozen=True)
class Caller:
    name: str
    headers: Mapping[str, str]
    excluded: Sequence[str]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--max-examples", type=int, default=MAX_EXAMPLES)
    parser.add_argument("--phases", default=PHASES)
    parser.add_argument(
        "--scenarios",
        type=int,
        default=STATEFUL_SCENARIOS,
        help="stateful scenarios per caller (each up to 8 linked requests)",
    )
    parser.add_argument(
        "--as",
        dest="callers",
        action="append",
        choices=CALLERS,
        help="run as this caller only (repeatable; default: all four)",
    )
    parser.add_argument(
        "--edges",
        action="store_true",
        help="dates and instants at the ends of their range too (tests/contract/edge_values.py)",
    )
    parser.add_argument("--report-dir", type=Path, default=None, help="JUnit reports here")
    parser.add_argument("--server-log", type=Path, default=None, help="keep the server's log")
    parser.add_argument("extra", nargs="*", help="more `schemathesis run` arguments, after --")
    args = parser.parse_args(argv)
    wanted = args.callers or list(CALLERS)

    with tempfile.TemporaryDirectory(prefix="grassroots-contract-") as directory:
        work = Path(directory)
        port = _free_port()
        env = _server_env(work / "var", port)
        base = f"http://127.0.0.1:{port}"
        # The server's log goes to a file: a pipe nobody reads until the end would
        # fill up and block the server.
        log_path = work / "server.log"
        started = time.monotonic()
        with log_path.open("w") as log:
            server = subprocess.Popen(
                [str(BIN / "grassroots"), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
            )
            try:
                _wait_for(f"{base}/health", server, log_path)
                callers, records = _set_up(base, env)
                config = _config(work, records, args.scenarios)
                runs = {
                    caller.name: _start_schemathesis(base, caller, config, work, args)
                    for caller in callers
                    if caller.name in wanted
                }
                codes = {name: run.wait() for name, run in runs.items()}
            finally:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        for name, code in codes.items():
            print(f"\n==== schemathesis as {name}: exit {code} ====", flush=True)
            sys.stdout.write((work / f"{name}.txt").read_text())
        output = log_path.read_text()
        if args.server_log is not None:
            args.server_log.write_text(output)
    server_errors = [line for line in output.splitlines() if "unhandled error" in line]
    if server_errors:
        print("\n==== the server logged unhandled errors:", *server_errors[:50], sep="\n  ")
    failed = [name for name, code in codes.items() if code != 0]
    took = time.monotonic() - started
    print(f"\n==== {len(codes)} runs in {took:.0f} s, seed {args.seed}, failed as: {failed or '-'}")
    if failed or server_errors:
        print(
            f"==== replay: .venv/bin/python -m tests.contract.run_schemathesis --seed {args.seed}"
        )
        return 1
    return 0


def _server_env(data_dir: Path, port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRASSROOTS_")}
    env.update(
        {
            "GRASSROOTS_DATA_DIR": str(data_dir),
            "GRASSROOTS_PORT": str(port),
            "GRASSROOTS_SECRET_KEY": "contract-run-" + "x" * 40,
        }
    )
    return env


def _set_up(base: str, env: dict[str, str]) -> tuple[list[Caller], Records]:
    """The four callers and the real records' ids, by the parameter names that take them."""
    subprocess.run(
        [
            str(BIN / "grassroots"),
            *("users", "create", "--phone", ADMIN_PHONE),
            *("--name", "管理员", "--grant", "administrator"),
        ],
        input=PASSWORD + "\n",
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )
    admin = _bearer(base, ADMIN_PHONE)
    records = _organisation(base, admin)
    center, point = records["center_id"][0], records["point_id"][0]
    township, village = records["org_unit_id"]
    cadre_id = _id(
        _post(
            base,
            "/api/v1/cadres",
            {"name": "王芳", "kind": "full_time", "org_unit_id": township, "point_ids": [point]},
            admin,
        )
    )
    _post(
        base,
        "/api/v1/admin/accounts",
        {
            "phone": CADRE_PHONE,
            "name": "王芳",
            "password": PASSWORD,
            "grants": [{"role": "cadre", "subject_id": cadre_id}],
        },
        admin,
    )
    cadre = _bearer(base, CADRE_PHONE)
    staff = _post(
        base,
        "/api/v1/admin/accounts",
        {
            "phone": STAFF_PHONE,
            "name": "李强",
            "password": PASSWORD,
            "grants": [{"role": "center_staff", "subject_id": center}],
        },
        admin,
    )
    registered = _post(
        base,
        "/api/v1/volunteers",
        {
            "name": "李明",
            "phone": VOLUNTEER_PHONE,
            "password": PASSWORD,
            "birth_date": "2004-05-04",
            "org_unit_id": village,
        },
    )
    volunteer = _bearer(base, VOLUNTEER_PHONE)
    volunteer_id = str(registered["volunteer_id"])
    records |= {
        "cadre_id": [cadre_id],
        "volunteer_id": [volunteer_id],
        "account_id": [str(staff["account_id"])],
    }
    records |= _service(base, admin, volunteer, records["activity_id"][0], volunteer_id)
    records |= _field_work(base, admin, cadre, point, village)
    records |= _survey(base, admin, township)
    records |= _rule_set(base, admin, township)
    # Problem types a caller meets often; reading each once makes sure its page exists.
    codes = ("invalid-request", "session-ended", "not-signed-up", "token-expired")
    records["code"] = [str(_get(base, f"/problems/{code}", {})["code"]) for code in codes]
    callers = [
        Caller("administrator", admin, (*NEVER_ENDING, *ENDS_THE_RUN)),
        Caller("volunteer", volunteer, (*NEVER_ENDING, *ENDS_THE_RUN)),
        Caller("cadre", cadre, (*NEVER_ENDING, *ENDS_THE_RUN)),
        Caller("anonymous", {}, NEVER_ENDING),
    ]
    return callers, records


def _organisation(base: str, admin: Mapping[str, str]) -> Records:
    """Five units down to a village, a youth center there with an activity under way
    soon (check-in is open for the whole run) and a grassroots point."""
    units: list[str] = []
    for name, level in [
        ("内蒙古自治区", "region"),
        ("呼和浩特市", "city"),
        ("新城区", "county"),
        ("海拉尔东路街道", "township"),
        ("东风社区", "village"),
    ]:
        body: dict[str, Any] = {"name": name, "level": level}
        if units:
            body["parent_id"] = units[-1]
        units.append(_id(_post(base, "/api/v1/org-units", body, admin)))
    township, village = units[-2:]
    place = {"lat": 40.8426, "lon": 111.7492}
    center = _id(
        _post(
            base,
            "/api/v1/centers",
            {"name": "东风社区青年之家", "org_unit_id": village, "address": "东风路 1 号"}
            | {"location": place, "geofence_radius_m": 150},
            admin,
        )
    )
    now = datetime.now(UTC)
    activity = str(
        _post(
            base,
            f"/api/v1/centers/{center}/activities",
            {
                "title": "社区环境清洁",
                "category": "environment",
                "starts_at": (now + timedelta(minutes=10)).isoformat(),
                "ends_at": (now + timedelta(hours=3)).isoformat(),
            },
            admin,
        )["activity_id"]
    )
    point = _id(
        _post(
            base,
            "/api/v1/grassroots-points",
            {"name": "东风社区联系点", "org_unit_id": village, "center_id": center},
            admin,
        )
    )
    return {
        "org_unit_id": [township, village],
        "center_id": [center],
        "activity_id": [activity],
        "point_id": [point],
    }


def _service(
    base: str,
    admin: Mapping[str, str],
    volunteer: Mapping[str, str],
    activity: str,
    volunteer_id: str,
) -> Records:
    """The volunteer signs up, checks in and out, and is credited an hour by a
    correction: an attendance to correct, a ledger line to explain and a certificate."""
    _post(base, f"/api/v1/activities/{activity}/sign-ups", {}, volunteer)
    code = {"token": _get(base, f"/api/v1/activities/{activity}/venue-code", admin)["token"]}
    _post(base, f"/api/v1/activities/{activity}/check-in", code, volunteer)
    _post(base, f"/api/v1/activities/{activity}/check-out", code, volunteer)
    _post(
        base,
        f"/api/v1/activities/{activity}/attendance/{volunteer_id}/adjustments",
        {"minutes": 60, "reason": "现场核实到场"},
        admin,
    )
    ledger = _ledger_credited(base, volunteer, 60)
    records: dict[str, list[Any]] = {"position": [line["position"] for line in ledger["items"]]}
    served = max(str(line["service_date"]) for line in ledger["items"])
    # No certificate to name when the server lacks its Chinese font (503), or in the
    # ten minutes before midnight in China, when the activity, and so the hour, falls
    # on a day that has not come yet (422: no certificate covers a day to come).
    issued = _post(
        base,
        "/api/v1/me/certificates",
        {"from": served, "to": served},
        volunteer,
        allow=(422, 503),
    )
    if "serial" in issued:
        records |= {"serial": [issued["serial"]], "file_name": [issued["serial"] + ".pdf"]}
    month = served[:7]
    records["file"] = [f"{month}.xlsx", f"{month}.pdf"]
    return records


def _field_work(
    base: str, admin: Mapping[str, str], cadre: Mapping[str, str], point: str, village: str
) -> Records:
    """The cadre's visit to the point (scanned there), a contact, a problem and an
    experience post with a photo."""
    code = _get(base, f"/api/v1/points/{point}/code", admin)["token"]
    started = _post(base, "/api/v1/visits", {"point_id": point, "token": code}, cadre)
    visit = str(started["visit_id"])
    contact = _post(
        base,
        "/api/v1/me/contacts",
        {"name": "张伟", "phone": "13500000004", "walk_of_life": "外卖骑手"},
        cadre,
    )
    problem = _post(
        base,
        "/api/v1/problems",
        {"title": "路灯损坏", "description": "东风路路灯不亮", "org_unit_id": village},
        cadre,
    )
    post = str(
        _post(
            base,
            "/api/v1/experiences",
            {"title": "入户走访的体会", "text": "第一段\n\n第二段", "visit_id": visit},
            cadre,
        )["post_id"]
    )
    photo = _upload(base, f"/api/v1/experiences/{post}/photos", "photo", _png(), cadre)
    return {
        "visit_id": [visit],
        "contact_id": [str(contact["contact_id"])],
        "problem_id": [str(problem["problem_id"])],
        "post_id": [post],
        "sha256": [str(photo["sha256"])],
    }


def _survey(base: str, admin: Mapping[str, str], township: str) -> Records:
    now = datetime.now(UTC)
    survey = _post(
        base,
        "/api/v1/surveys",
        {
            "org_unit_id": township,
            "title": "青年之家活动需求调查",
            "opens_at": now.isoformat(),
            "closes_at": (now + timedelta(days=7)).isoformat(),
            "questions": [
                {"prompt": "你最常参加哪类活动？", "kind": "single_choice"}
                | {"options": ["环保", "助老", "文艺"]},
                {"prompt": "满意度", "kind": "rating"},
                {"prompt": "建议", "kind": "text", "required": False},
            ],
        },
        admin,
    )
    survey_id = str(survey["survey_id"])
    _post(base, f"/api/v1/surveys/{survey_id}/publish", {}, admin)
    keys = [str(q["key"]) for q in survey["draft"]]
    return {"survey_id": [survey_id], "question_key": keys}


def _rule_set(base: str, admin: Mapping[str, str], township: str) -> Records:
    defined = _post(
        base,
        f"/api/v1/org-units/{township}/rule-sets",
        {
            "name": "街道走访规则",
            "effective_from": datetime.now(SHANGHAI).date().isoformat(),
            "rules": {"kind": "preset", "preset": "county-1-plus-3"},
        },
        admin,
    )
    return {"rule_set_id": [str(defined["rule_set_id"])]}


def _config(work: Path, records: Records, scenarios: int) -> Path:
    """A schemathesis configuration: four in five generated ids are the real records'
    (the rest name nothing, and keep the 404s tested)."""
    lines = []
    for name, values in records.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(list(values))}", ""]
    lines.append("[parameters]")
    for name in records:
        for location in ("path", "body"):
            binding = f'{{ dictionary = "{name}", probability = 0.8 }}'
            lines.append(f'"{location}.{name}" = {binding}')
    # Scenarios follow the document's links from a created record to its uses; with
    # only --max-examples of them the phase would cover next to none of the links.
    lines += [
        "",
        "[phases.stateful]",
        f"max-steps = {STATEFUL_STEPS}",
        "",
        "[phases.stateful.generation]",
        f"max-examples = {scenarios}",
    ]
    path = work / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _start_schemathesis(
    base: str, caller: Caller, config: Path, work: Path, args: argparse.Namespace
) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "schemathesis"),
        "--config-file",
        str(config),
        "run",
        f"{base}/schema/openapi.json",
        "--url",
        base,
        "--phases",
        args.phases,
        "--checks",
        CHECKS,
        "--seed",
        str(args.seed),
        "--max-examples",
        str(args.max_examples),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--no-color",
    ]
    for name, value in caller.headers.items():
        command += ["--header", f"{name}: {value}"]
    for operation_id in caller.excluded:
        command += ["--exclude-operation-id", operation_id]
    if args.report_dir is not None:
        command += ["--report", "junit", "--report-dir", str(args.report_dir / caller.name)]
    command += args.extra
    # Each run in a directory of its own (schemathesis keeps a cache where it runs).
    cwd = work / caller.name
    cwd.mkdir()
    env = dict(os.environ)
    env["SCHEMATHESIS_HOOKS"] = "tests.contract.hooks"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    if args.edges:
        env["GRASSROOTS_CONTRACT_EDGES"] = "1"
    with (work / f"{caller.name}.txt").open("w") as out:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)


def _bearer(base: str, phone: str) -> dict[str, str]:
    tokens = _post(base, "/api/v1/sessions", {"phone": phone, "password": PASSWORD})
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _id(record: Mapping[str, Any]) -> str:
    return str(record["id"])


def _post(
    base: str,
    path: str,
    body: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
    *,
    allow: Sequence[int] = (),
) -> dict[str, Any]:
    """POST a JSON body; an answer outside 2xx ends the set-up unless it is in ``allow``
    (then its problem body is returned)."""
    return _send(
        base,
        path,
        json.dumps(body).encode(),
        {"Content-Type": "application/json", **(headers or {})},
        allow,
    )


def _get(base: str, path: str, headers: Mapping[str, str]) -> dict[str, Any]:
    return _send(base, path, None, dict(headers), ())


def _upload(
    base: str, path: str, field: str, png: bytes, headers: Mapping[str, str]
) -> dict[str, Any]:
    boundary = "contract-run-boundary"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="photo.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + png
        + f"\r\n--{boundary}--\r\n".encode()
    )
    content_type = f"multipart/form-data; boundary={boundary}"
    return _send(base, path, body, {"Content-Type": content_type, **headers}, ())


def _send(
    base: str,
    path: str,
    data: bytes | None,
    headers: Mapping[str, str],
    allow: Sequence[int],
) -> dict[str, Any]:
    method = "GET" if data is None else "POST"
    request = urllib.request.Request(base + path, data=data, headers=dict(headers), method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return dict(json.load(response))
    except urllib.error.HTTPError as error:
        if error.code in allow:
            return dict(json.load(error))
        raise SystemExit(f"set-up failed: {method} {path}: {error.code} {error.read()!r}") from None


def _ledger_credited(base: str, headers: Mapping[str, str], minutes: int) -> dict[str, Any]:
    """The caller's ledger once it credits ``minutes`` in all. Projections catch up in
    the background: the scan's line may be there before the correction's, and a
    certificate issued then would find nothing to certify."""
    deadline = time.monotonic() + 30
    while True:
        page = _get(base, "/api/v1/me/ledger", headers)
        if sum(line["minutes"] for line in page["items"]) >= minutes:
            return page
        if time.monotonic() > deadline:
            raise SystemExit(f"set-up failed: the ledger never credited {minutes} minutes: {page}")
        time.sleep(0.1)


def _png() -> bytes:
    """A small real photo (the server decodes uploads to read their size)."""
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 140, 90)).save(picture, format="PNG")
    return picture.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited early:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not answer within 60 seconds")


if __name__ == "__main__":
    raise SystemExit(main())
