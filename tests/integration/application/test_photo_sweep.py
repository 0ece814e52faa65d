"""Sweeping the photo folder: files no event names go once old; named ones stay."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from grassroots import cli
from grassroots.application.photo_store import FolderPhotoStore
from grassroots.application.service import Grassroots
from tests.conftest import DURABLE, Backend
from tests.integration.application.test_sharing import People, png, write
from tests.integration.builders import build_world

DAY = 24 * 3600


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _orphan(store: FolderPhotoStore, colour: tuple[int, int, int], *, age: float) -> Path:
    """A photo kept whose event never came (a crash between the two)."""
    data = png(colour)
    sha256 = hashlib.sha256(data).hexdigest()
    store.put(sha256, data)
    path = store.root / sha256[:2] / sha256
    _age(path, age)
    return path


@pytest.fixture
def store(app: Grassroots) -> FolderPhotoStore:
    assert isinstance(app.photo_store, FolderPhotoStore)
    return app.photo_store


@DURABLE
def test_only_old_files_no_event_names_are_removed(
    app: Grassroots, store: FolderPhotoStore
) -> None:
    people = People(app, build_world(app))
    post_id = write(app, people)
    shown = app.attach_experience_photo(post_id, png((1, 2, 3)), by=people.author)
    taken_off = app.attach_experience_photo(post_id, png((4, 5, 6)), by=people.author)
    app.remove_experience_photo(post_id, taken_off.sha256, by=people.author)
    for facts in (shown, taken_off):
        _age(store.root / facts.sha256[:2] / facts.sha256, 3 * DAY)
    old = _orphan(store, (7, 8, 9), age=2 * DAY)
    young = _orphan(store, (10, 11, 12), age=60)
    leftover = store.root / "ab" / ".incoming-x1y2"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"half a photo")
    _age(leftover, 2 * DAY)

    found = store.sweep(app.photos_named, older_than_seconds=DAY)

    assert (found.kept, found.young, found.removed) == (2, 1, 2)
    assert found.removed_bytes == len(png((7, 8, 9))) + len(b"half a photo")
    assert not old.exists()
    assert not leftover.exists()
    assert young.exists()
    # The log still names a photo taken off its post: an earlier version showed it.
    assert app.experience_photo(post_id, shown.sha256)[1] == png((1, 2, 3))
    assert store.get(taken_off.sha256) == png((4, 5, 6))


@DURABLE
def test_a_dry_run_removes_nothing(app: Grassroots, store: FolderPhotoStore) -> None:
    old = _orphan(store, (7, 8, 9), age=2 * DAY)

    found = store.sweep(app.photos_named, older_than_seconds=DAY, dry_run=True)

    assert (found.removed, found.dry_run) == (1, True)
    assert old.exists()


@DURABLE
def test_an_old_file_uploaded_again_is_young_again(
    app: Grassroots, store: FolderPhotoStore
) -> None:
    # The same bytes as an orphan, uploaded for a new post: the event naming them
    # may land after the sweep read the log, so the file must not go meanwhile.
    old = _orphan(store, (7, 8, 9), age=2 * DAY)
    store.put(old.name, png((7, 8, 9)))

    found = store.sweep(app.photos_named, older_than_seconds=DAY)

    assert (found.young, found.removed) == (1, 0)
    assert old.exists()


@DURABLE
def test_the_sweep_reads_the_events_of_other_processes(
    open_app: Callable[[], Grassroots],
) -> None:
    writer, sweeper = open_app(), open_app()
    people = People(writer, build_world(writer))
    facts = writer.attach_experience_photo(write(writer, people), png(), by=people.author)
    assert isinstance(sweeper.photo_store, FolderPhotoStore)
    path = sweeper.photo_store.root / facts.sha256[:2] / facts.sha256
    _age(path, 3 * DAY)

    found = sweeper.photo_store.sweep(sweeper.photos_named, older_than_seconds=DAY)

    assert (found.kept, found.removed) == (1, 0)
    assert path.exists()


def test_the_photos_named_are_those_of_every_post(app: Grassroots) -> None:
    people = People(app, build_world(app))
    post_ids = [write(app, people) for _ in range(3)]
    named = {
        app.attach_experience_photo(post_id, png((n, n, n)), by=people.author).sha256
        for n, post_id in enumerate(post_ids)
    }
    assert app.photos_named() == named


@DURABLE
def test_the_command_sweeps_the_data_dirs_photo_folder(
    backend: Backend,
    tmp_path: Path,
    open_app: Callable[[], Grassroots],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = open_app()
    assert isinstance(app.photo_store, FolderPhotoStore)
    old = _orphan(app.photo_store, (7, 8, 9), age=2 * DAY)
    monkeypatch.setenv("GRASSROOTS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRASSROOTS_DATABASE_URL", backend.database_url)
    monkeypatch.setenv("GRASSROOTS_SECRET_KEY", "s" * 40)
    if backend.schema:
        monkeypatch.setenv("GRASSROOTS_DATABASE_SCHEMA", backend.schema)

    assert cli.main(["photos", "sweep", "--dry-run"]) == 0
    assert "would remove 1" in capsys.readouterr().out
    assert old.exists()
    assert cli.main(["photos", "sweep"]) == 0
    assert "removed 1" in capsys.readouterr().out
    assert not old.exists()
    assert cli.main(["photos", "sweep", "--older-than-hours", "0.5"]) == 2


def test_memory_photos_are_not_swept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRASSROOTS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GRASSROOTS_DATABASE_URL", "memory://")
    assert cli.main(["photos", "sweep"]) == 2
    assert "nothing to sweep" in capsys.readouterr().err


def test_an_upload_waits_while_a_sweep_removes_then_writes_its_file_whole(
    tmp_path: Path,
) -> None:
    store = FolderPhotoStore(tmp_path / "photos")
    data = png((7, 8, 9))
    sha256 = hashlib.sha256(data).hexdigest()
    store.put(sha256, data)
    done = threading.Event()

    with store._locked(exclusive=True):  # a sweep's removals under way
        # The sweep removes the orphan the upload is about to name again.
        (store.root / sha256[:2] / sha256).unlink()
        upload = threading.Thread(target=lambda: (store.put(sha256, data), done.set()))
        upload.start()
        assert not done.wait(0.3)  # the upload waits for the removals to end

    upload.join(10)
    assert done.is_set()
    # Written anew in full: not an empty file made by freshening a removed one.
    assert store.get(sha256) == data


@DURABLE
def test_a_file_renamed_away_while_listed_does_not_stop_the_sweep(
    app: Grassroots, store: FolderPhotoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _orphan(store, (7, 8, 9), age=2 * DAY)
    vanishing = store.root / "cd" / ".incoming-gone"
    vanishing.parent.mkdir(exist_ok=True)
    vanishing.write_bytes(b"x")
    listed = store._files

    def listing_then_rename() -> list[Path]:
        found = listed()
        vanishing.unlink()  # an upload renamed its temporary file meanwhile
        return found

    monkeypatch.setattr(store, "_files", listing_then_rename)

    found = store.sweep(app.photos_named, older_than_seconds=DAY)

    assert found.removed == 1
    assert not old.exists()
