from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from grassroots.application.service import Grassroots
from grassroots.bootstrap import ALL_PROJECTIONS
from grassroots.migrating import sqlalchemy_url, upgrade
from grassroots.projections.database import create_read_engine
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from tests.conftest import Backend


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: object) -> Backend:
    # Read models need a SQL database: the contract runs on SQLite and PostgreSQL.
    if request.param == "sqlite":
        return Backend("sqlite", f"sqlite:///{tmp_path}/events.sqlite3")  # type: ignore[str-bytes-safe]
    url, schema = request.getfixturevalue("postgres_schema")
    return Backend("postgres", url, schema)


@pytest.fixture
def read_engine(backend: Backend, app: Grassroots) -> Iterator[Engine]:
    upgrade(backend.database_url, schema=backend.schema)
    engine = create_read_engine(
        sqlalchemy_url(backend.database_url), schema=backend.schema, writer=True
    )
    yield engine
    engine.dispose()


@pytest.fixture
def read_side(app: Grassroots, read_engine: Engine) -> ReadSide:
    return ReadSide(
        read_engine, EventLog(app.recorder, app.mapper), projections=ALL_PROJECTIONS, batch_size=7
    )


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every read-model table, in a stable order, for comparing runs."""
    import sqlalchemy as sa

    rows: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for projection in ALL_PROJECTIONS:
            for table in projection.tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows[table.name] = [
                    tuple(r) for r in conn.execute(sa.select(table).order_by(*order))
                ]
    return rows
