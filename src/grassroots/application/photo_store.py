"""Where the photos of experience posts are kept: outside the event log, by SHA-256.

The log holds a photo's hash and size (``ExperiencePost.PhotoAttached``); the bytes
live here. A photo is written before the event that names it is saved, so a
crash between the two leaves at most a file nobody names, never an event
without its photo. The same bytes are one file, however many posts show them.

    PhotoStore            what the application needs: put and get by hash
    ├── FolderPhotoStore  a folder (``<data dir>/photos`` by default), one file per hash
    └── MemoryPhotoStore  a dict, for tests and the in-memory event store

``FolderPhotoStore.sweep`` removes the files no event names once they are old
enough that no event can still be on its way (``grassroots photos sweep``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from grassroots.private_files import PRIVATE_DIRECTORY, PRIVATE_FILE

__all__ = ["FolderPhotoStore", "MemoryPhotoStore", "PhotoStore", "Sweep"]

_INCOMING = ".incoming-"

_SHA256 = re.compile(r"[0-9a-f]{64}")


class PhotoStore(Protocol):
    def put(self, sha256: str, data: bytes) -> None:
        """Keep ``data`` under its hash (``sha256`` must be the hash of ``data``)."""

    def get(self, sha256: str) -> bytes | None:
        """The bytes kept under ``sha256``, or None."""


def _checked(sha256: str, data: bytes) -> str:
    if not _SHA256.fullmatch(sha256) or hashlib.sha256(data).hexdigest() != sha256:
        raise ValueError("the photo's bytes do not match its hash")
    return sha256


class FolderPhotoStore:
    """One file per photo, ``<root>/<first two hex digits>/<hash>``, owner-only.

    A file is written under a temporary name, flushed to disk and renamed into
    place, so a reader never sees half a photo and a crash leaves no torn file.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    @contextlib.contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        """The folder's lock, across processes: a ``put`` holds it shared, a sweep's
        removals hold it alone, so no file is removed between an upload finding
        it and freshening it, nor freshened between a sweep's last look and its
        removal."""
        self.root.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
        descriptor = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(descriptor)  # closing releases the lock

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(_checked(sha256, data))
        with self._locked(exclusive=False):
            try:
                # The same bytes again, perhaps a file no event names yet: freshen it,
                # so a sweep counts it as young and spares it.
                os.utime(path)
                return
            except FileNotFoundError:
                pass
            path.parent.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=_INCOMING)
            try:
                os.fchmod(descriptor, PRIVATE_FILE)
                with os.fdopen(descriptor, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise

    def get(self, sha256: str) -> bytes | None:
        if not _SHA256.fullmatch(sha256):
            return None
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def sweep(
        self,
        named: Callable[[], set[str]],
        *,
        older_than_seconds: float,
        dry_run: bool = False,
    ) -> Sweep:
        """Remove the files that ``named()`` (every hash the log names) leaves out and
        that were last written more than ``older_than_seconds`` ago.

        A photo is written moments before the event naming it, so a young file may be
        a photo whose event is on its way: only old ones go. The files are listed
        before the log is read, so an event saved before the listing is always seen.
        The removals hold the folder's lock alone and look at each file's age again
        first: the same bytes uploaded meanwhile were freshened (``put``), and an
        upload waits for the removals to end, then writes its file anew.
        """
        cutoff = time.time() - older_than_seconds
        found = []
        for path in self._files():
            with contextlib.suppress(FileNotFoundError):  # renamed or removed meanwhile
                found.append((path, path.stat().st_mtime))
        names = named()
        kept = young = removed = removed_bytes = 0
        with self._locked(exclusive=True):
            for path, modified in found:
                if path.name in names:
                    kept += 1
                    continue
                if modified >= cutoff:
                    young += 1
                    continue
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                if stat.st_mtime >= cutoff:
                    young += 1
                    continue
                if not dry_run:
                    path.unlink(missing_ok=True)
                removed += 1
                removed_bytes += stat.st_size
        return Sweep(kept, young, removed, removed_bytes, dry_run)

    def _files(self) -> list[Path]:
        """Every photo file and every half-written one a crash left behind."""
        if not self.root.is_dir():
            return []
        return [
            path
            for folder in self.root.iterdir()
            if folder.is_dir()
            for path in folder.iterdir()
            if path.is_file() and (_SHA256.fullmatch(path.name) or path.name.startswith(_INCOMING))
        ]


@dataclass(frozen=True)
class Sweep:
    """What a sweep of the photo folder found and did."""

    kept: int  # named by an event
    young: int  # named by none yet, but too recent to remove
    removed: int  # named by none and old (or a half-written leftover): removed
    removed_bytes: int
    dry_run: bool  # nothing was removed: ``removed`` says what would have been


class MemoryPhotoStore:
    def __init__(self) -> None:
        self._photos: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, sha256: str, data: bytes) -> None:
        with self._lock:
            self._photos[_checked(sha256, data)] = data

    def get(self, sha256: str) -> bytes | None:
        with self._lock:
            return self._photos.get(sha256)
