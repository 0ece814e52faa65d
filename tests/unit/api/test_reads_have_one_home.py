"""The API asks the read models; it builds no SQL and touches none of their tables.

Every read has one home, its read model's query functions: a controller that
wrote its own query would keep a second copy of what a table means.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa

import grassroots.api

# The only SQLAlchemy names the API may import, and why: neither builds a query.
ALLOWED_IMPORTS = {
    # The handle the read models' query functions are given a connection from.
    ("grassroots.api.context", "sqlalchemy.engine"),
    # A database outage turns into a 503 whichever layer raises it.
    ("grassroots.api.problems", "sqlalchemy.exc"),
}


def api_modules() -> list[ModuleType]:
    names = [
        info.name
        for info in pkgutil.walk_packages(grassroots.api.__path__, prefix="grassroots.api.")
    ]
    return [importlib.import_module(name) for name in sorted(names)]


def sqlalchemy_imports(module: ModuleType) -> set[str]:
    assert module.__file__ is not None
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found.add(str(node.module))
    return found


def test_the_api_modules_are_all_found() -> None:
    names = {m.__name__ for m in api_modules()}
    assert {"grassroots.api.compliance", "grassroots.api.organisation"} <= names


def test_no_api_module_imports_sqlalchemy_beyond_its_stated_reason() -> None:
    imported = {(m.__name__, name) for m in api_modules() for name in sqlalchemy_imports(m)}
    assert imported <= ALLOWED_IMPORTS


def test_no_api_module_holds_a_read_model_table() -> None:
    held = {
        f"{m.__name__}.{name}"
        for m in api_modules()
        for name, value in vars(m).items()
        if isinstance(value, sa.Table | sa.Column)
    }
    assert held == set()
