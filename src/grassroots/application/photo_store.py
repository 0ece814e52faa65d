"""Where the photos of experience posts are kept: outside the event log, by SHA-256.

The log holds a photo's hash and size (``ExperiencePost.PhotoAttached``); the bytes
live here. A photo is written before the event that names it is saved, so a
crash between the two leaves at most a file nobody names, never an event
without its photo. The same bytes are one file, however many posts show them.

    PhotoStore            what the application needs: put and get by hash
    ├── FolderPhotoStore  a folder (``<data dir>/photos`` by default), one file per hash
    └── MemoryPhotoStore  a dict, for tests and the in-memory event store
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import threading
from pathlib import Path
from typing import Protocol

from grassroots.private_files import PRIVATE_DIRECTORY, PRIVATE_FILE

__all__ = ["FolderPhotoStore", "MemoryPhotoStore", "PhotoStore"]

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

    def put(self, sha256: str, data: bytes) -> None:
        path = self._path(_checked(sha256, data))
        if path.exists():
            return
        path.parent.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
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
