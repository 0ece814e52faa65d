"""The log's head: how far the read models must get to include every write so far."""

from __future__ import annotations

from collections.abc import Callable

from grassroots.application.service import Grassroots
from tests.conftest import DURABLE
from tests.integration.builders import build_world, register_volunteer


def test_an_empty_log_has_its_head_at_zero(app: Grassroots) -> None:
    assert app.log_head() == 0


def test_the_head_is_where_the_last_write_left_the_log(app: Grassroots) -> None:
    world = build_world(app)
    register_volunteer(app, world)
    assert app.log_head() == app.last_write_position() > 0


@DURABLE
def test_the_head_includes_writes_made_by_another_process(
    open_app: Callable[[], Grassroots],
) -> None:
    writer, reader = open_app(), open_app()
    build_world(writer)
    # The reader wrote nothing itself, so its own position says nothing.
    assert reader.last_write_position() == 0
    assert reader.log_head() == writer.last_write_position() > 0
