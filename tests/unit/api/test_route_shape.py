"""How route handlers are written: a reader follows a route to its command by
name, and no api module reaches past the application into the event store."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import grassroots.api

API = Path(grassroots.api.__file__).parent
MODULES = sorted(API.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(API.parent).with_suffix("").as_posix().replace("/", ".")


def nested_functions_in_routes(source: str) -> list[str]:
    """``Controller.handler: inner`` for each function (or lambda) defined inside a route
    handler: a closure hides which command a route runs from a reader and a checker."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef) or not any(
            ast.unparse(base).endswith("Controller") for base in node.bases
        ):
            continue
        for handler in node.body:
            if not isinstance(handler, ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(handler):
                if inner is not handler and isinstance(
                    inner, ast.FunctionDef | ast.AsyncFunctionDef
                ):
                    found.append(f"{node.name}.{handler.name}: {inner.name}")
                elif isinstance(inner, ast.Lambda):
                    found.append(f"{node.name}.{handler.name}: lambda")
    return found


def recorder_uses(source: str) -> list[int]:
    """Lines that name an attribute ``recorder``."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr == "recorder"
    ]


@pytest.mark.parametrize("module", MODULES, ids=_name)
def test_no_route_handler_defines_a_function_of_its_own(module: Path) -> None:
    assert nested_functions_in_routes(module.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("module", MODULES, ids=_name)
def test_no_api_module_reads_the_event_store_recorder(module: Path) -> None:
    assert recorder_uses(module.read_text(encoding="utf-8")) == []


def test_a_closure_inside_a_route_handler_is_found() -> None:
    source = (
        "class VisitController(Controller):\n"
        "    async def end(self, api):\n"
        "        def run():\n"
        "            return 1\n"
        "        return await api.write(None, run)\n"
    )
    assert nested_functions_in_routes(source) == ["VisitController.end: run"]


def test_a_lambda_inside_a_route_handler_is_found() -> None:
    source = (
        "class AccountController(Controller):\n"
        "    async def create(self, api, data):\n"
        "        return await api.write(None, lambda: api.app.open_account(phone=data.phone))\n"
    )
    assert nested_functions_in_routes(source) == ["AccountController.create: lambda"]


def test_a_named_function_beside_the_controller_is_allowed() -> None:
    source = (
        "def _end(app):\n"
        "    return app.end_visit()\n"
        "class VisitController(Controller):\n"
        "    async def end(self, api):\n"
        "        return await api.write(None, _end, api.app)\n"
    )
    assert nested_functions_in_routes(source) == []


def test_reading_the_log_head_through_the_recorder_is_found() -> None:
    assert recorder_uses("head = api.app.recorder.max_notification_id()\n") == [1]
