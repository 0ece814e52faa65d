"""The embedded default's files (events, accounts, password hashes) are the owner's only,
whatever the umask, from the first command that makes them."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient

from grassroots.bootstrap import build_web_app
from grassroots.cli import main
from grassroots.domain.org_unit import OrgLevel
from grassroots.projections.database import create_read_engine
from grassroots.projections.scratch import scratch_database
from grassroots.settings import Settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    # The usual default, under which files are made world-readable.
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_server_makes_its_data_dir_and_database_files_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    settings = Settings.from_env({"GRASSROOTS_DATA_DIR": str(data_dir)})
    with TestClient(app=build_web_app(settings)) as client:
        application = client.app.state.grassroots
        application.create_org_unit(name="内蒙古自治区", level=OrgLevel.REGION)
        database = data_dir / "grassroots.sqlite3"
        files = [database, database.with_name("grassroots.sqlite3-wal")]
        files.append(database.with_name("grassroots.sqlite3-shm"))
        assert all(path.exists() for path in files)
        modes = {path.name: _mode(path) for path in [*files, data_dir / "secret_key"]}

    assert _mode(data_dir) == 0o700
    assert set(modes.values()) == {0o600}, modes


def test_migrate_alone_makes_the_database_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "elsewhere" / "events.sqlite3"
    monkeypatch.setenv("GRASSROOTS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("GRASSROOTS_DATABASE_URL", f"sqlite:///{database}")

    assert main(["migrate"]) == 0

    assert _mode(database.parent) == 0o700
    assert _mode(database) == 0o600


def test_files_left_readable_by_an_older_version_are_narrowed(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    database = data_dir / "grassroots.sqlite3"
    database.touch(mode=0o644)
    database.with_name("grassroots.sqlite3-wal").touch(mode=0o644)
    settings = Settings.from_env({"GRASSROOTS_DATA_DIR": str(data_dir)})

    with TestClient(app=build_web_app(settings)) as client:
        assert client.get("/health").status_code == 200
        modes = [_mode(database), _mode(database.with_name("grassroots.sqlite3-wal"))]

    assert modes == [0o600, 0o600]


def test_a_rebuilds_scratch_copy_of_a_read_model_is_owner_only(tmp_path: Path) -> None:
    live = create_read_engine(f"sqlite:///{tmp_path / 'grassroots.sqlite3'}", writer=True)
    try:
        with scratch_database(live, "service_ledger") as scratch:
            with scratch.engine.begin() as conn:
                conn.execute(sa.text("CREATE TABLE copied (x INTEGER)"))
            made = [Path(scratch.place + suffix) for suffix in ("", "-wal", "-shm")]
            modes = {path.name: _mode(path) for path in made if path.exists()}
    finally:
        live.dispose()

    assert Path(scratch.place).name in modes
    assert set(modes.values()) == {0o600}
