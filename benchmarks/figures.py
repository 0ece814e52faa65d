"""One line per headline figure, for ``make bench``'s summary table.

Each benchmark still prints its own detail; ``figure`` adds a line that
``benchmarks/all.py`` collects, from every script's output, into the table at the
top of RESULTS.md: what was measured, the value, the goal (if the issue set one)
and whether it was met.
"""

from __future__ import annotations

PREFIX = "figure | "


def figure(name: str, value: str, goal: str = "", met: bool | None = None) -> None:
    verdict = "" if met is None else ("met" if met else "missed")
    print(f"{PREFIX}{name} | {value} | {goal} | {verdict}", flush=True)


def parse(line: str) -> tuple[str, str, str, str] | None:
    """A figure line's four cells, or None for any other line."""
    if not line.startswith(PREFIX):
        return None
    cells = [cell.strip() for cell in line[len(PREFIX) :].split(" | ")]
    if len(cells) != 4:
        return None
    return cells[0], cells[1], cells[2], cells[3]
