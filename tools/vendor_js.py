"""Fetch or check the JavaScript the pages serve, each at a pinned version.

    python tools/vendor_js.py fetch   # npm pack each package, copy its files, write the manifest
    python tools/vendor_js.py verify  # each file in the manifest has its SHA-256 (else exit 1)

The files live in ``src/grassroots/pages/static/vendor/<package>-<version>/`` with the
package's licence beside them, so the server runs no code fetched from elsewhere and
``make run`` needs no JavaScript build chain. ``fetch`` needs ``npm`` and the network;
it is run by hand when a version below changes, and the result is committed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "src" / "grassroots" / "pages" / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    licence: str
    # Paths inside the npm package (under ``package/``) to copy, licence files included.
    files: tuple[str, ...]
    purpose: str


PACKAGES = (
    Package(
        "htmx.org",
        "2.0.11",
        "0BSD",
        ("dist/htmx.min.js", "LICENSE"),
        "forms and fragments without a page reload",
    ),
    Package(
        "qr-scanner",
        "1.4.2",
        "MIT",
        ("qr-scanner.umd.min.js", "qr-scanner-worker.min.js", "LICENSE"),
        "the in-app scanner: decodes a venue code from the phone's camera",
    ),
    Package(
        "echarts",
        "6.0.0",
        "Apache-2.0",
        ("dist/echarts.min.js", "LICENSE", "NOTICE"),
        "charts of the weekly dispatch",
    ),
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder(package: Package) -> str:
    return f"{package.name}-{package.version}"


def fetch() -> None:
    entries = []
    with tempfile.TemporaryDirectory() as temp:
        for package in PACKAGES:
            spec = f"{package.name}@{package.version}"
            subprocess.run(["npm", "pack", spec, "--silent"], cwd=temp, check=True)
            tarball = next(Path(temp).glob(f"{package.name}-{package.version}.tgz"))
            unpacked = Path(temp) / folder(package)
            with tarfile.open(tarball) as archive:
                archive.extractall(unpacked, filter="data")
            target = VENDOR / folder(package)
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for source in package.files:
                copied = target / Path(source).name
                shutil.copyfile(unpacked / "package" / source, copied)
                entries.append(
                    {
                        "path": f"{folder(package)}/{copied.name}",
                        "package": package.name,
                        "version": package.version,
                        "licence": package.licence,
                        "source": f"npm:{spec}/{source}",
                        "purpose": package.purpose,
                        "bytes": copied.stat().st_size,
                        "sha256": sha256(copied),
                    }
                )
    MANIFEST.write_text(json.dumps({"files": entries}, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {MANIFEST} ({len(entries)} files)")


def verify() -> int:
    entries = json.loads(MANIFEST.read_text())["files"]
    wrong = [e["path"] for e in entries if sha256(VENDOR / e["path"]) != e["sha256"]]
    for path in wrong:
        print(f"changed: {path}")
    print(f"{len(entries) - len(wrong)} of {len(entries)} files as the manifest says")
    return 1 if wrong else 0


def main(argv: list[str]) -> int:
    if argv[1:] == ["fetch"]:
        fetch()
        return 0
    if argv[1:] == ["verify"]:
        return verify()
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
