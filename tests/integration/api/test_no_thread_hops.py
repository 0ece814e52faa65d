"""The guards and the hook on every answer run on the event loop.

The framework runs a plain function guard or ``before_send`` hook in a worker
thread: a hop there and back for a few lines of checks, on every request (the hook
on every message of every answer). Under load those hops cost more than the
checks themselves, so they are ``async``; this keeps them so.
"""

from __future__ import annotations

from typing import Any

import litestar.utils.sync
import pytest

from grassroots.domain.account import Grant, Role
from tests.integration.api.conftest import Server
from tests.integration.builders import build_world, register_volunteer


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the callables the framework sends to a worker thread."""
    seen: list[str] = []
    original = litestar.utils.sync.sync_to_thread

    async def counting(fn: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(fn, "__qualname__", repr(fn)))
        return await original(fn, *args, **kwargs)

    monkeypatch.setattr(litestar.utils.sync, "sync_to_thread", counting)
    return seen


def test_a_guarded_request_and_its_answer_stay_on_the_loop(server: Server, hops: list[str]) -> None:
    headers = server.administrator()
    volunteer_id = register_volunteer(server.app, build_world(server.app))
    server.account("13900000009", Grant(Role.VOLUNTEER, volunteer_id))
    volunteer = server.log_in("13900000009")
    hops.clear()

    # A route behind a role guard: let through, refused without a caller, and
    # refused for a role it does not admit.
    allowed = server.client.get("/api/v1/centers", headers=headers)
    anonymous = server.client.get("/api/v1/centers")
    nobody = server.client.get("/api/v1/admin/accounts/" + "0" * 32, headers=volunteer)

    assert allowed.status_code == 200
    assert anonymous.status_code == 401
    assert nobody.status_code == 403
    assert allowed.headers["x-content-type-options"] == "nosniff"
    assert hops == []
