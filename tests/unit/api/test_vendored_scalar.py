"""The API reference's script is a pinned release kept in the package, byte for byte
what its manifest names, with its licence beside it."""

from __future__ import annotations

import hashlib
import json

from grassroots.api.reference import STATIC_DIR, scalar_release


def test_the_vendored_script_is_the_release_its_manifest_names() -> None:
    manifest = json.loads((STATIC_DIR / "scalar" / "manifest.json").read_text())
    release = scalar_release()

    assert manifest["package"] == "@scalar/api-reference"
    assert release.version == manifest["version"] != "latest"
    assert release.version in release.file.name
    assert hashlib.sha256(release.file.read_bytes()).hexdigest() == manifest["sha256"]


def test_the_vendored_script_keeps_its_licence() -> None:
    licence = (STATIC_DIR / "scalar" / "LICENSE").read_text()

    assert "MIT License" in licence
    assert "Copyright (c) 2023-present Scalar" in licence
    assert scalar_release().version in licence
