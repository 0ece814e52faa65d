"""Reading one's own writes across requests and processes.

A write answers after the event is stored; the read models catch up a moment
later. After each write the API remembers, per account, the log position it
reached (in the shared store: memory, or Redis so every API process sees it).
A later read by the same account waits, briefly and boundedly, until the read
models have applied that position; a public read does so too when it carries the
account's access token (``auth.bearer_account``). Other callers' reads never wait, and nobody
waits for a read model that is failing before that position (it cannot catch up
until an operator acts; see ``ReadSide.wait_for``).
"""

from __future__ import annotations

from uuid import UUID

from litestar.stores.base import Store

from grassroots.api.threads import in_thread
from grassroots.projections.read_side import ReadSide

__all__ = ["WrittenPositions"]

REMEMBER_SECONDS = 120


class WrittenPositions:
    def __init__(self, store: Store, read_side: ReadSide | None, wait_seconds: float) -> None:
        self._store = store
        self._read_side = read_side
        self._wait_seconds = wait_seconds

    async def wrote(self, account_id: UUID, position: int) -> None:
        if position <= 0:
            return
        key = str(account_id)
        known = await self._store.get(key)
        if known is None or int(known) < position:
            await self._store.set(key, str(position), expires_in=REMEMBER_SECONDS)

    async def settle(self, account_id: UUID) -> bool:
        """Wait until the healthy read models include the account's last write; False on timeout."""
        if self._read_side is None:
            return True
        known = await self._store.get(str(account_id))
        if known is None:
            return True
        read_side = self._read_side
        return await in_thread(read_side.wait_for, int(known), self._wait_seconds)
