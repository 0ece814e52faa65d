"""A projection worker that dies at a chosen event.

``python -m tests.integration.projections.dying_worker NAME POSITION``

It runs the read side's catch-up from the settings in its environment, like
``grassroots projections run``, except that the read model NAME kills its own
process (SIGKILL: no cleanup, no rollback sent) right after handling the first event
it follows at or after log position POSITION, inside the batch's transaction, before the commit.
So the crash lands at the same point on every run, whatever the machine's speed.
Without arguments it catches up and exits, as a worker restarted after the crash.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from grassroots.bootstrap import ALL_PROJECTIONS, build_application, build_read_side
from grassroots.projections.engine import UNKNOWN_START, BatchStart, EventContext, Projection
from grassroots.settings import Settings


def dying(projection: type[Projection], position: int) -> type[Projection]:
    """``projection``, killing the process once it has handled an event at or after ``position``."""

    class Dying(projection):  # type: ignore[valid-type,misc]
        def apply_batch(
            self,
            conn: sa.Connection,
            batch: Sequence[tuple[EventContext, Any]],
            start: BatchStart = UNKNOWN_START,
        ) -> None:
            at = next((c.position for c, _ in batch if c.position >= position), None)
            if at is None:
                super().apply_batch(conn, batch, start)
                return
            # The batch's rows up to that event are written in the open
            # transaction; dying now must leave none of them.
            super().apply_batch(conn, [p for p in batch if p[0].position <= at], start)
            print(f"dying at {at}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    return Dying


def main(argv: Sequence[str]) -> int:
    projections = list(ALL_PROJECTIONS)
    if argv:
        name, position = argv[0], int(argv[1])
        projections = [dying(p, position) if p.name == name else p for p in projections]
    settings = Settings.from_env()
    application = build_application(settings)
    read_side = build_read_side(settings, application, projections=projections)
    try:
        read_side.catch_up()
    finally:
        read_side.close()
        application.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
