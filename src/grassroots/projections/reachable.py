"""Whether the read database answers: the health check asks here, not in SQL of its own."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

__all__ = ["answers"]


def answers(engine: Engine) -> None:
    """Ask the read database a trivial question; raises if it cannot be reached."""
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
