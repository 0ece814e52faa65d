"""The JavaScript the pages serve is exactly what the manifest pins, licences beside it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

VENDOR = Path(__file__).resolve().parents[3] / "src" / "grassroots" / "pages" / "static" / "vendor"
ENTRIES = json.loads((VENDOR / "manifest.json").read_text())["files"]


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["path"] for e in ENTRIES])
def test_each_vendored_file_has_the_sha256_its_manifest_names(entry: dict[str, str]) -> None:
    data = (VENDOR / entry["path"]).read_bytes()

    assert hashlib.sha256(data).hexdigest() == entry["sha256"]


def test_each_vendored_package_comes_with_its_licence_and_a_pinned_version() -> None:
    packages = {(e["package"], e["version"], e["licence"]) for e in ENTRIES}
    licence_files = {e["path"].split("/")[0] for e in ENTRIES if e["path"].endswith("/LICENSE")}

    assert {name for name, _, _ in packages} == {"htmx.org", "qr-scanner", "echarts"}
    assert all(version.count(".") == 2 for _, version, _ in packages)
    assert licence_files == {f"{name}-{version}" for name, version, _ in packages}


def test_every_file_in_the_vendor_folder_is_in_the_manifest() -> None:
    on_disk = {str(path.relative_to(VENDOR)) for path in VENDOR.rglob("*") if path.is_file()} - {
        "manifest.json"
    }

    assert on_disk == {e["path"] for e in ENTRIES}


def test_templates_find_each_script_by_name_at_a_url_carrying_its_version() -> None:
    from grassroots.pages.vendor import vendored_scripts

    scripts = vendored_scripts()

    assert set(scripts) == {"htmx", "qr_scanner", "qr_scanner_worker", "echarts"}
    assert scripts["htmx"] == "/static/pages/vendor/htmx.org-2.0.11/htmx.min.js"
    for url in scripts.values():
        assert (VENDOR / url.removeprefix("/static/pages/vendor/")).is_file()
