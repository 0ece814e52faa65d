"""The stores API processes share: in Redis under the configured namespace, or in memory."""

from __future__ import annotations

import asyncio
import uuid

from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.stores.memory import MemoryStore

from grassroots.api.context import ApiConfig
from grassroots.api.rate_limits import MemoryCounter
from grassroots.bootstrap import shared_stores
from tests.conftest import TEST_REDIS_URL, required_service_url

SECRET = "s" * 32


def test_without_redis_every_store_is_the_processs_own() -> None:
    stores = shared_stores(ApiConfig(jwt_secret=SECRET))

    assert stores.redis is None
    assert isinstance(stores.counter, MemoryCounter)
    assert isinstance(stores.positions, MemoryStore)
    assert isinstance(stores.channels, MemoryChannelsBackend)


def test_with_redis_counts_and_positions_are_kept_under_the_namespace() -> None:
    namespace = f"test-{uuid.uuid4().hex[:12]}"
    config = ApiConfig(
        jwt_secret=SECRET,
        redis_url=required_service_url(TEST_REDIS_URL, "Redis"),
        redis_namespace=namespace,
    )

    async def use() -> list[str]:
        stores = shared_stores(config)
        assert stores.redis is not None
        try:
            await stores.counter.hit("13900000000", 60)
            await stores.positions.set("an-account", "12", expires_in=60)
            keys = sorted(k.decode() for k in await stores.redis.keys(f"{namespace}*"))
            await stores.redis.delete(*keys)
            return keys
        finally:
            await stores.redis.aclose()

    keys = asyncio.run(use())

    assert [k.rsplit(":", 1)[0] for k in keys] == [
        f"{namespace}:rate:13900000000",
        f"{namespace}:written",
    ]
