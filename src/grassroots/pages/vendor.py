"""Where the vendored scripts are served, read from their manifest (static/vendor/).

A template loads one with ``<script src="{{ vendor.htmx }}" defer></script>``; the
URL carries the package's version, so a new version is a new URL and the long
cache of the old one does no harm. Only the pages that need a script load it:
the first screen loads none of them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

__all__ = ["VENDOR_URL", "vendored_scripts"]

VENDOR_URL = "/static/pages/vendor"
_MANIFEST = Path(__file__).parent / "static" / "vendor" / "manifest.json"
# The name templates use for each script the manifest lists.
_NAMES = {
    "htmx.min.js": "htmx",
    "qr-scanner.umd.min.js": "qr_scanner",
    "qr-scanner-worker.min.js": "qr_scanner_worker",
    "echarts.min.js": "echarts",
}


@cache
def vendored_scripts() -> dict[str, str]:
    files = json.loads(_MANIFEST.read_text())["files"]
    return {
        _NAMES[entry["path"].rsplit("/", 1)[1]]: f"{VENDOR_URL}/{entry['path']}"
        for entry in files
        if entry["path"].rsplit("/", 1)[1] in _NAMES
    }
