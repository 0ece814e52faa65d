"""The ledger over HTTP, page by page: following ``next_offset`` from the first page
gives every line of the whole ledger once, in order, and the last page says so."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from grassroots.domain.account import Grant, Role
from grassroots.projections.ledger import read_ledger
from tests.integration.api.conftest import Server
from tests.integration.builders import build_world, post_activity


def _pages(server: Server, url: str, headers: dict[str, str], limit: int) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        response = server.client.get(
            url, params={"limit": limit, "offset": offset}, headers=headers
        )
        assert response.status_code == 200, response.text
        pages.append(response.json())
        offset = pages[-1]["next_offset"]
    return pages


def test_the_pages_of_a_ledger_concatenate_to_the_whole_ledger(server: Server) -> None:
    app = server.app
    world = build_world(app)
    volunteer_id = app.register_volunteer(
        name="王小明", phone="13800138000", birth_date=date(2001, 5, 4), org_unit_id=world.village
    )
    server.account("13800138000", Grant(Role.VOLUNTEER, volunteer_id))
    activity = post_activity(app, world, starts_at=server.clock.now + timedelta(days=1))
    server.clock.advance(days=1, hours=3)
    for minutes in (10, 20, -5, 10, -5, 10, 5):  # seven lines
        app.adjust_attendance(
            activity, volunteer_id, minutes=minutes, reason="补录", staff_id=world.center
        )
        server.clock.advance(minutes=1)
    assert server.client.app.state.read_side.wait_for(app.last_write_position(), 10)
    volunteer = server.log_in("13800138000")

    pages = _pages(server, "/api/v1/me/ledger", volunteer, limit=3)
    supervised = _pages(
        server, f"/api/v1/volunteers/{volunteer_id}/ledger", server.administrator(), limit=2
    )

    with server.client.app.state.read_side.engine.connect() as conn:
        whole = [line.position for line in read_ledger(conn, volunteer_id)]
    assert len(whole) == 7
    assert [(p["offset"], p["limit"], p["next_offset"]) for p in pages] == [
        (0, 3, 3),
        (3, 3, 6),
        (6, 3, None),
    ]
    for found in (pages, supervised):
        lines = [line for page in found for line in page["items"]]
        assert [line["position"] for line in lines] == whole
        assert [line["balance_after"] for line in lines] == [10, 30, 25, 35, 30, 40, 45]
    assert len(supervised) == 4
    assert supervised[-1]["next_offset"] is None
