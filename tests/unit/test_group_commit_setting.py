"""Group commit is on by default, with no added wait; ``off`` gives each command its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from grassroots.application.committing import DirectCommitter
from grassroots.application.group_committing import GroupCommitter
from grassroots.bootstrap import build_application
from grassroots.settings import Settings, SettingsError


def _window(tmp_path: Path, value: str | None) -> int | None:
    environ = {"GRASSROOTS_DATA_DIR": str(tmp_path)}
    if value is not None:
        environ["GRASSROOTS_GROUP_COMMIT_WINDOW_MS"] = value
    return Settings.from_env(environ).group_commit_window_ms


def test_commands_are_grouped_without_waiting_unless_told_otherwise(tmp_path: Path) -> None:
    assert _window(tmp_path, None) == 0


def test_a_window_in_milliseconds_is_read(tmp_path: Path) -> None:
    assert _window(tmp_path, "3") == 3


def test_off_gives_each_command_a_transaction_of_its_own(tmp_path: Path) -> None:
    assert _window(tmp_path, " OFF ") is None


@pytest.mark.parametrize("value", ["-1", "101", "soon"])
def test_a_window_out_of_range_names_the_setting(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match="GRASSROOTS_GROUP_COMMIT_WINDOW_MS"):
        _window(tmp_path, value)


@pytest.mark.parametrize(
    ("value", "committer"),
    [(None, GroupCommitter), ("5", GroupCommitter), ("off", DirectCommitter)],
)
def test_the_application_is_built_with_the_committer_the_setting_names(
    tmp_path: Path, value: str | None, committer: type
) -> None:
    environ = {"GRASSROOTS_DATA_DIR": str(tmp_path), "GRASSROOTS_DATABASE_URL": "memory://"}
    if value is not None:
        environ["GRASSROOTS_GROUP_COMMIT_WINDOW_MS"] = value
    app = build_application(Settings.from_env(environ))

    assert type(app.committer) is committer
