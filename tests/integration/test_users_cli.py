"""``grassroots users create``: the first administrator is made on the command line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest

from grassroots.bootstrap import build_application
from grassroots.domain.account import Grant, Role
from grassroots.settings import Settings
from grassroots.users_cli import create_user, parse_grant

ENV = {"GRASSROOTS_SECRET_KEY": "c" * 48}


def _settings(tmp_path: Path) -> Settings:
    return Settings.from_env({**ENV, "GRASSROOTS_DATA_DIR": str(tmp_path)})


def test_an_administrator_made_on_the_command_line_can_log_in(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "grassroots",
            "users",
            "create",
            "--phone",
            "13900000001",
            "--name",
            "管理员",
            "--grant",
            "administrator",
        ],
        input="a long enough password\n",
        capture_output=True,
        text=True,
        env={**os.environ, **ENV, "GRASSROOTS_DATA_DIR": str(tmp_path)},
        check=False,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    account_id = UUID(result.stdout.strip())
    app = build_application(_settings(tmp_path))
    try:
        issued = app.log_in(
            phone="13900000001", password="a long enough password", lifetime=timedelta(hours=1)
        )
        assert issued.account.id == account_id
        assert issued.account.grants == {Grant(Role.ADMINISTRATOR)}
    finally:
        app.close()


def test_a_grant_naming_a_missing_record_creates_nothing(tmp_path: Path) -> None:
    err = io.StringIO()
    code = create_user(
        _settings(tmp_path),
        phone="13900000002",
        name="某中心",
        grants=["center_staff:6f1c2a8e-4b7d-4e0f-9a51-2d3c4b5a6e7f"],
        stdin=io.StringIO("a long enough password\n"),
        stdout=io.StringIO(),
        stderr=err,
    )

    assert code == 1
    assert "center-not-found" in err.getvalue()
    app = build_application(_settings(tmp_path))
    try:
        assert (app.recorder.max_notification_id() or 0) == 0
    finally:
        app.close()


@pytest.mark.parametrize(
    "text",
    [
        "boss",
        "center_staff",
        "center_staff:not-a-uuid",
        "administrator:6f1c2a8e-4b7d-4e0f-9a51-2d3c4b5a6e7f",
    ],
)
def test_malformed_grants_are_refused_before_anything_is_written(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        parse_grant(text)
