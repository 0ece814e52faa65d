"""The sampling profile's summary (``benchmarks/sampling.py``): py-spy's raw stacks
summed per function, by the samples that stop in it and those that pass through it."""

from __future__ import annotations

from pathlib import Path

from benchmarks.sampling import summary

EVENTS = "run (asyncio/events.py:{})"
VIEW = "check_in (/work/main/src/grassroots/api/volunteering.py:{})"
GET = "get (/x/.venv/lib/python3.11/site-packages/eventsourcing/application.py:251)"
RAW = "\n".join(
    [
        f"{EVENTS.format(80)};{VIEW.format(451)};{GET} 6",
        f"{EVENTS.format(80)};{VIEW.format(460)};{VIEW.format(470)} 3",
        f"{EVENTS.format(81)} 1",
        "not a stack line",
    ]
)


def test_samples_add_up_per_function_self_and_total(tmp_path: Path) -> None:
    raw = tmp_path / "spy.raw"
    raw.write_text(RAW)

    samples, own, total = summary(raw)

    assert samples == 10
    check_in = "check_in (grassroots/api/volunteering.py)"
    # Lines of one function add up; a function twice on one stack counts once there.
    assert total[check_in] == 9
    assert own[check_in] == 3
    assert own["get (eventsourcing/application.py)"] == 6
    assert total["run (asyncio/events.py)"] == 10
    assert own["run (asyncio/events.py)"] == 1
    assert sum(own.values()) == samples


def test_an_empty_profile_has_no_samples(tmp_path: Path) -> None:
    raw = tmp_path / "spy.raw"
    raw.write_text("")
    samples, own, total = summary(raw)
    assert (samples, own, total) == (0, {}, {})
