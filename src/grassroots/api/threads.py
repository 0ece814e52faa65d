"""Running the synchronous write and read sides off the event loop.

The event store, the read-model queries and password hashing all block. Route
handlers are ``async`` and hand every such call to ``in_thread``, which runs it
in anyio's worker threads under one capacity limiter per process: at most
``ApiConfig.threads`` calls at once (16 unless the app is built with another
number; it is not a setting), the rest queue without blocking the loop (so
health checks and live streams keep answering under load). The limit also
keeps the database pools from being asked for more connections than they hold.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar, TypeVarTuple

import anyio.to_thread
from anyio import CapacityLimiter

__all__ = ["configure_threads", "in_thread"]

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

# A limiter belongs to the event loop that uses it (tests run several loops).
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)
_size = 16


def configure_threads(size: int) -> None:
    """Set the pool's size (per event loop, so per server process)."""
    global _size
    if size < 1:
        raise ValueError("the thread pool needs at least one thread")
    _size = size
    for limiter in _limiters.values():
        limiter.total_tokens = size


def _current_limiter() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = CapacityLimiter(_size)
    return limiter


async def in_thread(function: Callable[[*Ts], T], *args: *Ts) -> T:
    return await anyio.to_thread.run_sync(function, *args, limiter=_current_limiter())
