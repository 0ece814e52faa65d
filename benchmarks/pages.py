"""The phone check-in page (/S/<token>): first load and time to checked-in, over loopback.

A real ``grassroots serve`` (SQLite, embedded projections) is started on a free
port after an organisation, an activity open for check-in and N volunteers signed
up to it are made through the application; each volunteer logs in through the
log-in page before anything is timed. Then, for each volunteer:

- the page a scanned code opens is fetched as a phone's browser would on a first
  visit (the document, then every stylesheet, script and icon it names), with
  ``Accept-Encoding: gzip``; the bytes counted are those on the wire (headers and
  compressed bodies);
- the check-in is the page's one form POST, timed from request to answer;
- the venue screen's code refresh (``venue/code.png`` as the center's staff);
- in the same run, ``GET /health/live`` is timed as a baseline (the cheapest
  answer the server gives), so the figures can be read on any machine.

    python benchmarks/pages.py --volunteers 20

Goals: first load under 100 KB, and the check-in one round trip (one request).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.figures import figure  # noqa: E402
from tests.e2e.serving import free_port, running_server  # noqa: E402
from tests.integration.builders import build_world, post_activity  # noqa: E402

from grassroots.application.service import Grassroots  # noqa: E402
from grassroots.bootstrap import build_application  # noqa: E402
from grassroots.domain.account import Grant, Role  # noqa: E402
from grassroots.domain.qr_token import scan_url  # noqa: E402
from grassroots.migrating import upgrade  # noqa: E402
from grassroots.settings import Settings  # noqa: E402

PASSWORD = "benchmark password 2026"
GOAL_BYTES = 100 * 1024
ASSET = re.compile(r'<(?:link[^>]+rel="(?:stylesheet|icon)"[^>]+href|script[^>]+src)="([^"]+)"')
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


STAFF_PHONE = "13600000001"


def _set_up(env: dict[str, str], volunteers: int) -> tuple[Grassroots, UUID, list[str]]:
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    app = build_application(settings)
    world = build_world(app)
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=10)
    activity = post_activity(app, world, starts_at=starts, capacity=volunteers + 10)
    app.open_account(
        phone=STAFF_PHONE,
        name="赵老师",
        password=PASSWORD,
        grants=[Grant(Role.CENTER_STAFF, world.center)],
    )
    phones = []
    for i in range(volunteers):
        phone = f"1390000{i:04d}"
        volunteer = app.register_volunteer(
            name=f"志愿者{i}",
            phone=phone,
            birth_date=datetime(2001, 5, 4).date(),
            org_unit_id=world.village,
        )
        app.open_account(
            phone=phone,
            name=f"志愿者{i}",
            password=PASSWORD,
            grants=[Grant(Role.VOLUNTEER, volunteer)],
        )
        app.sign_up(activity, volunteer)
        phones.append(phone)
    return app, activity, phones


def _logged_in(base: str, phone: str) -> httpx.Client:
    client = httpx.Client(base_url=base, headers={"Accept-Encoding": "gzip"}, timeout=30)
    form = client.get("/login")
    token = CSRF.search(form.text)
    assert token, "the log-in page has no form token"
    answer = client.post(
        "/login",
        data={"phone": phone, "password": PASSWORD, "next": "/", "_csrf_token": token.group(1)},
    )
    assert answer.status_code in (200, 303), answer.text
    return client


def _wire_bytes(response: httpx.Response) -> int:
    """Bytes on the wire: status line, headers and the (compressed) body."""
    head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
    head += sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2
    return head + response.num_bytes_downloaded


def _first_load(client: httpx.Client, path: str) -> tuple[int, int, str]:
    """(requests, bytes, page) for a first visit: no cache, every asset fetched."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    total = _wire_bytes(page)
    assets = ASSET.findall(page.text)
    for asset in assets:
        answer = client.get(asset)
        assert answer.status_code == 200, asset
        total += _wire_bytes(answer)
    return 1 + len(assets), total, page.text


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
        env.update(
            {
                "GRASSROOTS_PORT": str(port),
                "GRASSROOTS_DATA_DIR": str(workdir / "var"),
                "GRASSROOTS_SECRET_KEY": "benchmark-" + "b" * 40,
                "GRASSROOTS_PUBLIC_URL": base,
                # Every volunteer comes from this one loopback address.
                "GRASSROOTS_RATE_LOG_IN": "100000/60",
                "GRASSROOTS_RATE_SCAN": "100000/60",
                "GRASSROOTS_RATE_DEFAULT": "100000/60",
                "GRASSROOTS_RATE_HEALTH": "100000/60",
            }
        )
        app, activity, phones = _set_up(env, args.volunteers)
        with running_server(port, env, workdir):
            clients = [_logged_in(base, phone) for phone in phones]
            first_loads, check_ins, page_loads, baseline = [], [], [], []
            for client in clients:
                started = time.perf_counter()
                client.get("/health/live")
                baseline.append(time.perf_counter() - started)

                url = scan_url(base, app.venue_code(activity).token)
                path = "/S/" + url.rsplit("/S/", 1)[1]
                started = time.perf_counter()
                requests, size, text = _first_load(client, path)
                page_loads.append(time.perf_counter() - started)
                first_loads.append((requests, size))
                form_token = CSRF.search(text)
                assert form_token, "the check-in page has no form"

                started = time.perf_counter()
                answer = client.post(
                    path, data={"action": "check-in", "_csrf_token": form_token.group(1)}
                )
                check_ins.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text[:500]
                assert "签到成功" in answer.text, answer.text[:500]
            # The venue screen fetches its next code every rotation.
            staff = _logged_in(base, STAFF_PHONE)
            refreshes = []
            for _ in range(args.volunteers):
                started = time.perf_counter()
                png = staff.get(f"/desk/activities/{activity}/venue/code.png")
                refreshes.append(time.perf_counter() - started)
                assert png.status_code == 200, png.text
            for client in (*clients, staff):
                client.close()

    requests, size = first_loads[0]
    print(f"volunteers: {args.volunteers} (each loads the page once and checks in once)")
    print(
        f"first load of /S/<token>: {requests} requests, {size} bytes on the wire "
        f"({size / 1024:.1f} KB, gzip); goal < {GOAL_BYTES // 1024} KB: "
        f"{'met' if size < GOAL_BYTES else 'MISSED'}"
    )
    print(f"first load, all requests in turn: median {_ms(statistics.median(page_loads))} ms")
    print(
        f"check-in (one POST, one round trip): median {_ms(statistics.median(check_ins))} ms, "
        f"max {_ms(max(check_ins))} ms"
    )
    print(
        f"venue screen code refresh (code.png, {len(png.content)} bytes): "
        f"median {_ms(statistics.median(refreshes))} ms"
    )
    print(f"baseline GET /health/live: median {_ms(statistics.median(baseline))} ms")
    figure(
        "phone check-in page, first load",
        f"{requests} requests, {size / 1024:.1f} KB gzip",
        f"< {GOAL_BYTES // 1024} KB",
        size < GOAL_BYTES,
    )
    figure(
        "check-in from the page (one POST) ÷ GET /health/live, medians",
        f"{statistics.median(check_ins) / statistics.median(baseline):.1f} "
        f"({_ms(statistics.median(check_ins))} ms)",
    )
    print(
        "scan to checked-in (page load + tap): median "
        f"{_ms(statistics.median(p + c for p, c in zip(page_loads, check_ins, strict=True)))} ms"
    )


if __name__ == "__main__":
    main()
