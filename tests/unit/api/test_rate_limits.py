"""The rate counter's cost per hit, whose address a request counts against, the
growing delay after wrong passwords, and the bound on hashing at once."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from ipaddress import ip_network
from types import FrameType
from typing import Any

import pytest

from grassroots.api import rate_limits
from grassroots.api.problems import ApiProblem
from grassroots.api.rate_limits import GuessPolicy, HashingSlots, MemoryCounter, client_address


def _run_at_once(coroutine: Coroutine[Any, Any, int]) -> int:
    """Run a coroutine that never has to wait (an uncontended lock) to its end."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return int(done.value)
    raise AssertionError("the coroutine waited")


def _lines_run_in_rate_limits(coroutine: Coroutine[Any, Any, int]) -> int:
    """How many lines of the rate-limit module one call runs: work, counted, not timed."""
    counted = 0
    module_file = rate_limits.__file__

    def trace(frame: FrameType, event: str, _arg: Any) -> Any:
        nonlocal counted
        if frame.f_code.co_filename != module_file:
            return None
        if event == "line":
            counted += 1
        return trace

    sys.settrace(trace)
    try:
        _run_at_once(coroutine)
    finally:
        sys.settrace(None)
    return counted


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_hit_does_the_same_work_with_ten_keys_as_with_a_hundred_and_fifty_thousand() -> None:
    clock = Clock(1_000_020.0)
    counter = MemoryCounter(clock=clock)
    for i in range(10):
        _run_at_once(counter.hit(f"few:{i}", 60))
    few = _lines_run_in_rate_limits(counter.hit("few:0", 60))
    for i in range(150_000):
        _run_at_once(counter.hit(f"many:{i}", 60))

    many = _lines_run_in_rate_limits(counter.hit("many:0", 60))

    assert many <= few + 5, (few, many)


def test_keys_of_a_past_window_are_dropped_whole_when_the_next_window_begins() -> None:
    clock = Clock(1_000_020.0)
    counter = MemoryCounter(clock=clock)
    for i in range(1000):
        _run_at_once(counter.hit(f"k:{i}", 60))
    assert _run_at_once(counter.hit("k:1", 60)) == 2

    clock.now += 60
    assert _run_at_once(counter.hit("k:1", 60)) == 1

    assert counter.keys_held() == 1


def test_windows_of_different_lengths_count_apart() -> None:
    clock = Clock(1_000_020.0)
    counter = MemoryCounter(clock=clock)

    counts = [_run_at_once(counter.hit("same", seconds)) for seconds in (60, 600, 60)]

    assert counts == [1, 1, 2]


TRUSTED = (ip_network("10.0.0.0/8"), ip_network("2001:db8::/32"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # No proxy trusted: the header is never read.
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),
        # A trusted proxy's word about its client.
        ("10.0.0.2", ["198.51.100.1"], "198.51.100.1"),
        # Hop by hop from the right, while the hop is a trusted proxy.
        ("10.0.0.2", ["192.0.2.66, 198.51.100.1, 10.0.0.7"], "198.51.100.1"),
        # The same list over two header lines.
        ("10.0.0.2", ["192.0.2.66", "198.51.100.1, 10.0.0.7"], "198.51.100.1"),
        # Only proxies: the farthest one is the best we know.
        ("10.0.0.2", ["10.0.0.9, 10.0.0.7"], "10.0.0.9"),
        # A garbled hop ends the walk at the proxy that wrote it.
        ("10.0.0.2", ["198.51.100.1, not-an-address"], "10.0.0.2"),
        # A trusted proxy with no header: the proxy itself.
        ("10.0.0.2", [], "10.0.0.2"),
        ("2001:db8::5", ["2001:0db8:0:0:0:0:0:9, 2a00::1"], "2a00::1"),
        ("testclient", ["198.51.100.1"], "testclient"),
    ],
)
def test_the_client_address_is_the_first_untrusted_hop_from_the_right(
    peer: str, forwarded: list[str], expected: str
) -> None:
    assert client_address(peer, forwarded, TRUSTED) == expected


def test_no_trusted_proxies_means_the_header_is_ignored() -> None:
    assert client_address("10.0.0.2", ["198.51.100.1"], ()) == "10.0.0.2"


def test_the_delay_after_wrong_passwords_doubles_up_to_its_cap() -> None:
    policy = GuessPolicy(
        free_failures=3, first_delay_seconds=2, max_delay_seconds=60, memory_seconds=3600
    )

    delays = [policy.delay_after(n) for n in range(1, 12)]

    assert delays == [0, 0, 0, 2, 4, 8, 16, 32, 60, 60, 60]
    assert policy.delay_after(10**6) == 60


def test_a_policy_whose_delays_outlast_its_memory_is_refused() -> None:
    with pytest.raises(ValueError, match="memory"):
        GuessPolicy(
            free_failures=3, first_delay_seconds=2, max_delay_seconds=600, memory_seconds=60
        )


def test_hashing_slots_let_a_few_through_and_turn_the_rest_away_after_a_short_wait() -> None:
    async def scenario() -> list[str]:
        slots = HashingSlots(2, wait_seconds=0.05)
        outcomes: list[str] = []
        release = asyncio.Event()

        async def hash_one(name: str) -> None:
            try:
                async with slots.held():
                    outcomes.append(f"{name} hashed")
                    await release.wait()
            except ApiProblem as refused:
                outcomes.append(f"{name} {refused.status_code} {refused.headers}")

        tasks = [asyncio.create_task(hash_one(n)) for n in ("a", "b", "c")]
        await asyncio.sleep(0.2)
        release.set()
        await asyncio.gather(*tasks)
        async with slots.held():
            outcomes.append("d hashed")
        return outcomes

    assert asyncio.run(scenario()) == [
        "a hashed",
        "b hashed",
        "c 503 {'Retry-After': '1'}",
        "d hashed",
    ]
