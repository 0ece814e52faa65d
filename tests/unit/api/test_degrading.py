"""Going on without Redis: the breaker and the counter that falls back to memory."""

from __future__ import annotations

from litestar.stores.memory import MemoryStore
from redis.exceptions import ConnectionError as RedisConnectionError

from grassroots.api.degrading import DegradingCounter, DegradingStore, RedisBreaker
from grassroots.api.rate_limits import MemoryCounter


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _FlakyCounter:
    """A counter standing for Redis: fails while ``down``, counts the calls it got."""

    def __init__(self) -> None:
        self.down = True
        self.calls = 0
        self.memory = MemoryCounter()

    async def hit(self, key: str, window_seconds: int) -> int:
        self.calls += 1
        if self.down:
            raise RedisConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")
        return await self.memory.hit(key, window_seconds)

    async def close(self) -> None:
        pass


async def test_limits_are_counted_in_process_while_redis_fails() -> None:
    counter = DegradingCounter(_FlakyCounter(), RedisBreaker())

    counts = [await counter.hit("log-in:peer:127.0.0.1", 60) for _ in range(3)]

    assert counts == [1, 2, 3]


async def test_after_a_failure_redis_is_left_alone_for_the_pause_then_tried_once() -> None:
    clock = _Clock()
    redis = _FlakyCounter()
    counter = DegradingCounter(redis, RedisBreaker(pause_seconds=5, clock=clock))

    for _ in range(10):
        await counter.hit("k", 60)
    assert redis.calls == 1  # the others went straight to memory

    clock.now += 5
    redis.down = False
    await counter.hit("k", 60)
    await counter.hit("k", 60)

    assert redis.calls == 3  # tried again after the pause, and kept once it answered


async def test_the_written_positions_forget_while_redis_fails() -> None:
    class _DownStore(MemoryStore):
        async def get(self, key: str, renew_for: object = None) -> bytes | None:
            raise RedisConnectionError("down")

        async def set(self, key: str, value: object, expires_in: object = None) -> None:
            raise RedisConnectionError("down")

    store = DegradingStore(_DownStore(), RedisBreaker())

    await store.set("account", "7", expires_in=120)

    assert await store.get("account") is None
