"""A plain (non-editable) install carries what ``grassroots migrate`` needs.

The wheel is built from a copy of the project, installed into a fresh
environment that borrows the project's installed dependencies, and run from a
directory outside the source tree, so nothing can be found through the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
# Each step is a few seconds; the bound only stops a hung build from hanging the run.
STEP_TIMEOUT = 300
LEFT_OUT = shutil.ignore_patterns(
    ".venv", ".git", "build", "dist", "var", "*.egg-info", "__pycache__", ".*_cache"
)


def _run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _head() -> str:
    from alembic.script import ScriptDirectory

    from grassroots.migrating import alembic_config

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def test_an_installed_wheel_migrates_from_outside_the_source_tree(tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", ".", "-w", wheels, cwd=source)
    (wheel,) = wheels.glob("grassroots-*.whl")

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    # The dependencies come from the project's environment; a plain path in a
    # .pth file does not run that environment's own .pth files, so its
    # editable link to src/ stays out.
    site_packages = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
        ).strip()
    )
    (site_packages / "project-dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-deps",
        "-q",
        wheel,
        cwd=tmp_path,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRASSROOTS_")}
    env.pop("PYTHONPATH", None)
    database = elsewhere / "grassroots.sqlite3"
    env["GRASSROOTS_DATABASE_URL"] = f"sqlite:///{database}"
    env["GRASSROOTS_DATA_DIR"] = str(elsewhere / "var")
    where = _run(
        python, "-c", "import grassroots; print(grassroots.__file__)", cwd=elsewhere, env=env
    )
    assert Path(where.strip()).is_relative_to(venv)

    _run(venv / "bin" / "grassroots", "migrate", cwd=elsewhere, env=env)

    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            assert version.scalar_one() == _head()
    finally:
        engine.dispose()
