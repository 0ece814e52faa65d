"""A read model that cannot apply one event shows in /health, and the rest of the API goes on.

The poisoned event is an activity whose posting center activity's handler is made to
refuse, as a far-future start once made it overflow (the domain now refuses such a
start, so the refusal is staged here).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from grassroots.domain.activity import Activity
from grassroots.projections.center_activity import CenterActivity
from tests.integration.api.conftest import Server
from tests.integration.builders import build_world, post_activity

START = datetime(2026, 3, 11, 2, 0, tzinfo=UTC)


def _health_when(server: Server, settled: Any, seconds: float = 20.0) -> dict[str, Any]:
    """/health's body once ``settled(body)`` holds, or the last one seen after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        body: dict[str, Any] = server.client.get("/health").json()
        if settled(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_a_read_model_stopped_by_one_event_is_named_in_health_while_the_others_go_on(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = build_world(server.app)
    posted = CenterActivity._handlers[Activity.Posted]
    poisoned: set[Any] = set()

    def refusing(self: CenterActivity, target: Any, event: Any, context: Any) -> None:
        if event.originator_id in poisoned:
            raise OverflowError("date value out of range")
        posted(self, target, event, context)

    monkeypatch.setitem(CenterActivity._handlers, Activity.Posted, refusing)
    bad = post_activity(server.app, world, starts_at=START)
    poisoned.add(bad)
    # Posted after the poisoned one: the other read models must apply it all the same.
    post_activity(server.app, world, starts_at=START.replace(day=12))
    last = server.app.recorder.max_notification_id()

    def settled(body: dict[str, Any]) -> bool:
        by_name = {p["name"]: p for p in body["projections"]}
        others = [p for n, p in by_name.items() if n != CenterActivity.name]
        return by_name[CenterActivity.name].get("failed_at") is not None and all(
            p["position"] >= (last or 0) for p in others
        )

    body = _health_when(server, settled)

    by_name = {p["name"]: p for p in body["projections"]}
    failing = by_name.pop(CenterActivity.name)
    assert body["status"] == "degraded"
    assert {"name": "read-models", "status": "degraded", "detail": CenterActivity.name} in body[
        "parts"
    ]
    assert failing["failed_at"] is not None
    assert failing["position"] == failing["failed_at"] - 1
    # Only the kind of error on this public page; the operator's command shows the rest.
    assert failing["error"] == "OverflowError"
    assert all(p["lag"] == 0 and "failed_at" not in p for p in by_name.values())
    # Reads still answer: the catalogue, fed by the same events, lists both activities.
    listed = server.client.get(
        f"/api/v1/centers/{world.center}/activities",
        params={"from": "2026-03-01T00:00:00+00:00"},
        headers=server.administrator(),
    )
    assert listed.status_code == 200, listed.text
