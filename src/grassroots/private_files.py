"""The embedded default's files hold every event, account and password hash: owner only.

SQLite makes its ``-wal`` and ``-shm`` files with the permissions of the database
file, so creating the database file ``0600`` before SQLite first opens it keeps all
three private whatever the process's umask. A directory made here is ``0700``; an
existing one is left as it is (it may be shared, say ``/tmp``), but an existing
database file and its companions are narrowed to ``0600``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["PRIVATE_DIRECTORY", "PRIVATE_FILE", "keep_sqlite_files_private"]

PRIVATE_FILE = 0o600
PRIVATE_DIRECTORY = 0o700
_COMPANIONS = ("-wal", "-shm", "-journal")


def keep_sqlite_files_private(database: Path) -> None:
    """Make ``database`` (and its directory) if missing, readable by the owner only."""
    database.parent.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    descriptor = os.open(database, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
    os.close(descriptor)
    for path in (database, *(database.with_name(database.name + s) for s in _COMPANIONS)):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & ~PRIVATE_FILE:
            path.chmod(PRIVATE_FILE)
