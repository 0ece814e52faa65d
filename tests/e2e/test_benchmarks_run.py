"""The benchmarks a reader of ``benchmarks/RESULTS.md`` would run again still run.

Nothing else exercises them between two ``make bench``: a change to a shared set-up
once left the check-in profile failing on its first line. Each runs here at its
smallest sizes and must print its figures; what the figures say is for ``make bench``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SMALLEST = {
    "check_in.py": [
        *("--clients", "2", "--rounds", "2", "--echoes", "5"),
        *("--crowd", "20", "--variant", "5", "--timed", "6"),
    ],
    "profile_check_in.py": ["--check-ins", "12", "--top", "5"],
    "lag.py": ["--volunteers", "3"],
    "server_start.py": ["--rounds", "1"],
}

FIGURES = {
    "check_in.py": [
        "check-ins/s ÷ echoes/s, 2 clients",
        "server RSS idle / after load",
        "check-in at 20 sign-ups ÷ at 5",
    ],
    "profile_check_in.py": [
        "the check-in command alone, in process: CPU",
        "a check-in through the app in process, one at a time: CPU",
        "GET /api/v1/me in process, one at a time: CPU",
    ],
    "lag.py": ["lag, 2xx to ledger line readable by another process, sqlite"],
    "server_start.py": ["server build and start-up ÷ a bare app's"],
}


@pytest.mark.parametrize("script", sorted(SMALLEST))
def test_a_benchmark_runs_at_its_smallest_sizes_and_prints_its_figures(script: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *SMALLEST[script]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-3000:]
    figures = [line for line in done.stdout.splitlines() if line.startswith("figure | ")]
    for name in FIGURES[script]:
        assert any(line.startswith(f"figure | {name}") for line in figures), done.stdout
