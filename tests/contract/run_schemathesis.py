"""Generated requests against a real server, as three callers: the API must never answer
a 5xx, and every answer must match the schema the OpenAPI document gives it.

Starts ``grassroots serve`` on a free port with a fresh data directory, makes an
administrator (``grassroots users create``) who logs in over the API, lays out a small
organisation (units, a youth center, an activity, a grassroots point, a cadre, a
problem, a staff account) and registers a volunteer who signs up for the activity.
Then schemathesis runs every phase (examples, coverage, fuzzing, stateful) as the
administrator, as the volunteer and anonymously, the three at once; half of the
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

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
SEED = 20261204
MAX_EXAMPLES = 6
PASSWORD = "contract run 7f3a9c"
ADMIN_PHONE = "13900000000"
VOLUNTEER_PHONE = "13800000001"
STAFF_PHONE = "13700000002"
CADRE_PHONE = "13600000003"
CHECKS = "not_a_server_error,response_schema_conformance"
PHASES = "examples,coverage,fuzzing,stateful"
CALLERS = ("administrator", "volunteer", "anonymous")
# Server-sent event streams never end, so a generated request would wait forever;
# the live-update tests open and close them.
NEVER_ENDING = ("followCenterLive", "followOrgUnitLive")
# Logging the run's own session out would leave the rest of the run without a caller;
# the anonymous run covers log-out.
ENDS_THE_RUN = ("logOut",)


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
        "--as",
        dest="callers",
        action="append",
        choices=CALLERS,
        help="run as this caller only (repeatable; default: all three)",
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
                config = _config(work, records)
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


def _set_up(base: str, env: dict[str, str]) -> tuple[list[Caller], dict[str, list[str]]]:
    """The three callers and the real records' ids, by the parameter names that take them."""
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
    # Under way soon, so check-in is open for the whole run.
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
    cadre = _id(
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
            "grants": [{"role": "cadre", "subject_id": cadre}],
        },
        admin,
    )
    problem = str(
        _post(
            base,
            "/api/v1/problems",
            {"title": "路灯损坏", "description": "东风路路灯不亮", "org_unit_id": village},
            _bearer(base, CADRE_PHONE),
        )["problem_id"]
    )
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
    _post(base, f"/api/v1/activities/{activity}/sign-ups", {}, volunteer)
    callers = [
        Caller("administrator", admin, (*NEVER_ENDING, *ENDS_THE_RUN)),
        Caller("volunteer", volunteer, (*NEVER_ENDING, *ENDS_THE_RUN)),
        Caller("anonymous", {}, NEVER_ENDING),
    ]
    # The callers' own accounts are left out: an administrator's run could disable them.
    records = {
        "org_unit_id": [township, village],
        "center_id": [center],
        "activity_id": [activity],
        "point_id": [point],
        "cadre_id": [cadre],
        "problem_id": [problem],
        "volunteer_id": [str(registered["volunteer_id"])],
        "account_id": [str(staff["account_id"])],
    }
    return callers, records


def _config(work: Path, records: Mapping[str, Sequence[str]]) -> Path:
    """A schemathesis configuration: half of the generated ids are the real records'."""
    lines = []
    for name, values in records.items():
        lines += [f"[dictionaries.{name}]", f"values = {json.dumps(list(values))}", ""]
    lines.append("[parameters]")
    for name in records:
        for location in ("path", "body"):
            binding = f'{{ dictionary = "{name}", probability = 0.5 }}'
            lines.append(f'"{location}.{name}" = {binding}')
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
    if args.edges:
        env["SCHEMATHESIS_HOOKS"] = "tests.contract.edge_values"
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    with (work / f"{caller.name}.txt").open("w") as out:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)


def _bearer(base: str, phone: str) -> dict[str, str]:
    tokens = _post(base, "/api/v1/sessions", {"phone": phone, "password": PASSWORD})
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _id(record: Mapping[str, Any]) -> str:
    return str(record["id"])


def _post(
    base: str, path: str, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> dict[str, Any]:
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return dict(json.load(response))
    except urllib.error.HTTPError as error:
        raise SystemExit(f"set-up failed: POST {path}: {error.code} {error.read()!r}") from None


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
