"""``grassroots photos sweep``: remove the photo files no event names.

A photo's bytes are written before the event that names it, so a crash (or a
refused post) between the two leaves a file nobody names. Such files are only
removed once older than ``--older-than-hours`` (24 by default), since a younger
one may be a photo whose event is still on its way; photos the log names, even
ones later removed from their post, are always kept. Run it now and then (a
daily timer); ``--dry-run`` says what it would remove.
"""

from __future__ import annotations

import sys
from typing import TextIO

from grassroots.application.photo_store import FolderPhotoStore
from grassroots.bootstrap import build_application, photo_store_for
from grassroots.settings import Settings

__all__ = ["sweep"]


def sweep(
    settings: Settings,
    *,
    older_than_hours: float,
    dry_run: bool,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    if older_than_hours < 1:
        print("grassroots: --older-than-hours must be at least 1", file=stderr)
        return 2
    store = photo_store_for(settings)
    if not isinstance(store, FolderPhotoStore):
        print("grassroots: photos kept in memory vanish with the process; nothing to sweep",
              file=stderr)  # fmt: skip
        return 2
    app = build_application(settings)
    try:
        found = store.sweep(
            app.photos_named, older_than_seconds=older_than_hours * 3600, dry_run=dry_run
        )
    finally:
        app.close()
    verb = "would remove" if found.dry_run else "removed"
    print(
        f"photos in {store.root}: {found.kept} named by the log (kept), "
        f"{found.young} named by none but younger than {older_than_hours:g} h (kept), "
        f"{verb} {found.removed} ({found.removed_bytes / 1024:.0f} KiB)",
        file=stdout,
    )
    return 0
