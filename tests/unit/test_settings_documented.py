"""Every setting the README documents is read, and every setting read is documented."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from grassroots.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
FAMILY = "<NAME>"


class _Recording(Mapping[str, str]):
    """An environment that remembers every variable asked for."""

    def __init__(self, values: dict[str, str]) -> None:
        self._values = values
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def _read_settings(tmp_path: Path) -> set[str]:
    environ = _Recording({"GRASSROOTS_DATA_DIR": str(tmp_path)})
    Settings.from_env(environ)
    return environ.asked


def _documented() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    names: set[str] = set()
    for line in readme.splitlines():
        if line.startswith("| `GRASSROOTS_"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`(GRASSROOTS_[A-Z_<>]+)`", first_cell))
    return names


def _covered(name: str, documented: set[str]) -> bool:
    return name in documented or any(
        entry.endswith(FAMILY) and name.startswith(entry.removesuffix(FAMILY))
        for entry in documented
    )


def test_every_setting_read_is_in_the_readme_table(tmp_path: Path) -> None:
    documented = _documented()
    missing = {name for name in _read_settings(tmp_path) if not _covered(name, documented)}
    assert missing == set()


def test_every_setting_in_the_readme_table_is_read(tmp_path: Path) -> None:
    read = _read_settings(tmp_path)
    unread = {entry for entry in _documented() if not any(_covered(n, {entry}) for n in read)}
    assert unread == set()


def test_every_setting_named_in_the_source_is_read(tmp_path: Path) -> None:
    read = _read_settings(tmp_path)
    named = {
        name
        for path in (ROOT / "src").rglob("*.py")
        for name in re.findall(r"GRASSROOTS_[A-Z][A-Z_<>]*[A-Z>]", path.read_text(encoding="utf-8"))
        # The tests' own databases, not settings of the application.
        if not name.startswith("GRASSROOTS_TEST_")
    }
    unread = {entry for entry in named if not any(_covered(n, {entry}) for n in read)}
    assert unread == set()
