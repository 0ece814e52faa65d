"""``make bench``: every benchmark in turn, its figures printed and kept in RESULTS.md.

Each benchmark prints its own ratios and percentiles against a baseline measured in
the same run (machines are noisy: compare ratios, not absolute times). This runs
them one after another with the sizes below, prints their output as it comes, and
rewrites ``benchmarks/RESULTS.md`` with the machine, the date, each command and what
it printed. PostgreSQL runs are included when ``GRASSROOTS_TEST_DATABASE_URL`` is
set. ``--only NAME`` runs one of them; ``--quick`` uses the smaller sizes.

    .venv/bin/python benchmarks/all.py            # what `make bench` runs
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.figures import parse

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"


def _benchmarks(quick: bool, postgres: bool) -> list[tuple[str, list[str]]]:
    runs = [
        ("event store: saves against raw inserts", ["event_store.py", "--events", "2000"]),
        (
            "projection catch-up against raw batched inserts",
            ["projections.py", "--events", "20000" if quick else "50000"],
        ),
        (
            "group commit against direct commits and raw transactions",
            ["group_commit.py", "--threads", "16", "--commands", "400" if quick else "800"],
        ),
        ("check-in under load against an echo", ["check_in.py"]),
        (
            "check-in under load, read models in a worker process",
            ["check_in.py", "--projections", "worker"],
        ),
        (
            "lag: check-out answered to ledger line readable (SQLite)",
            ["lag.py", "--volunteers", "40"],
        ),
        ("phone check-in page", ["pages.py", "--volunteers", "20"]),
        ("1,000 survey answers from 64 clients, each counted once", ["survey_answers.py"]),
        (
            "weekly dispatch of a county of 1,000 cadres",
            ["dispatch.py", "--cadres", "1000", "--requests", "30"],
        ),
        ("reads at 100k and 1M events", ["read_scale.py"] + (["--quick"] if quick else [])),
        ("a server's start against a bare app's", ["server_start.py", "--rounds", "8"]),
    ]
    if postgres:
        at = [argv[0] for _title, argv in runs].index("lag.py") + 1
        runs[at:at] = [
            (
                "lag: check-out answered to ledger line readable (PostgreSQL)",
                ["lag.py", "--volunteers", "40", "--postgres"],
            ),
            (
                "check-in under load against an echo (PostgreSQL, read models in a worker)",
                ["check_in.py", "--postgres", "--projections", "worker"],
            ),
        ]
    if postgres:
        runs.append(
            (
                "1,000 survey answers from 64 clients (PostgreSQL)",
                ["survey_answers.py", "--postgres"],
            )
        )
    if importlib.util.find_spec("granian") is not None:
        runs.append(
            (
                "check-in under load, granian instead of uvicorn",
                ["check_in.py", "--server", "granian"],
            )
        )
    return [(title, argv) for title, argv in runs if (HERE / argv[0]).exists()]


def _machine() -> str:
    load = os.getloadavg()
    return (
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load average {load[0]:.1f} at the start"
    )


def _table(rows: list[tuple[str, str, str, str]]) -> str:
    """The headline figures every benchmark printed, as one Markdown table."""
    lines = ["| figure | measured | goal | |", "|---|---|---|---|"]
    lines += [f"| {name} | {value} | {goal} | {verdict} |" for name, value, goal, verdict in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the benchmarks whose script name contains this")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    postgres = bool(os.environ.get("GRASSROOTS_TEST_DATABASE_URL"))
    runs = _benchmarks(args.quick, postgres)
    if args.only:
        runs = [run for run in runs if args.only in run[1][0]]
    sections = []
    table: list[tuple[str, str, str, str]] = []
    failed = 0
    for title, argv in runs:
        command = " ".join(["python", "benchmarks/" + argv[0], *argv[1:]])
        print(f"\n== {title}\n$ {command}", flush=True)
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, str(HERE / argv[0]), *argv[1:]],
            capture_output=True,
            text=True,
            check=False,
        )
        took = time.perf_counter() - started
        output = done.stdout.strip() or "(no output)"
        if done.returncode:
            failed += 1
            output += f"\n\nexit status {done.returncode}:\n{done.stderr.strip()[-2000:]}"
        print(output, flush=True)
        table.extend(cells for line in output.splitlines() if (cells := parse(line)))
        sections.append(f"## {title}\n\n`{command}` ({took:.0f} s)\n\n```\n{output}\n```\n")
    summary = _table(table)
    print("\n" + summary)
    if not args.only:
        RESULTS.write_text(
            "# Benchmark results (the last `make bench`)\n\n"
            f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}; "
            f"PostgreSQL {'included' if postgres else 'not configured'}.\n"
            "Every figure is a ratio or a percentile against a baseline measured in the "
            "same run; see each script's docstring for what it does.\n\n"
            + summary
            + "\n\n"
            + "\n".join(sections)
        )
        print(f"\nwrote {RESULTS.relative_to(HERE.parent)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
