"""A query never queues behind a read model's batch being written.

On SQLite the runners' engine takes the database's write lock when its
transaction begins; the API's queries go through the read side's reader, which
begins deferred and, in WAL mode, reads beside a writer. Here a writer holds the
lock until the reads are answered, or gives up after a while: a read that
queued for the lock would only be answered once the writer gave up.
"""

from __future__ import annotations

import threading

from tests.integration.api.conftest import Server
from tests.integration.api.test_volunteering import register
from tests.integration.builders import build_world

HOLD_SECONDS = 20


def test_reads_are_answered_while_a_read_model_holds_the_write_lock(server: Server) -> None:
    # On PostgreSQL the held transaction locks nothing a reader needs: the same
    # reads are answered there too.
    world = build_world(server.app)
    volunteer = register(server, world)
    read_side = server.client.app.state.read_side
    assert read_side.wait_for(server.app.log_head(), 10)
    holding = threading.Event()
    answered = threading.Event()
    gave_up = threading.Event()

    def write_a_long_batch() -> None:
        with read_side.engine.begin() as conn:
            conn.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: the write lock is held
            holding.set()
            if not answered.wait(HOLD_SECONDS):
                gave_up.set()

    writer = threading.Thread(target=write_a_long_batch)
    writer.start()
    try:
        assert holding.wait(10)
        ledger = server.client.get(
            f"/api/v1/volunteers/{volunteer.volunteer_id}/ledger", headers=volunteer.headers
        )
        health = server.client.get("/health")
        answered.set()
    finally:
        answered.set()
        writer.join()

    assert not gave_up.is_set(), "a read waited for the writer's lock"
    assert ledger.status_code == 200, ledger.text
    assert health.status_code == 200, health.text
