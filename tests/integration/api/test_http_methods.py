"""Every route of the app, asked with every method: those it serves are the contract
test's business; ``OPTIONS`` says which it serves (a browser's pre-flight is an
``OPTIONS``), and any other method is a 405 problem naming them, never a 5xx.

The routes are walked from the running app, not listed by hand, so a new route is
covered the day it is added.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.integration.api.conftest import Server, problem

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "TRACE")
# Values for path parameters that are not ids.
PATH_VALUES = {
    "code": "not-found",
    "role": "volunteer",
    "path": "openapi.yaml",
    "position": "1",
    "file_path": "manifest.json",
    "serial": "0000-0000-0000",
    "file_name": "0000-0000-0000.pdf",
    "file": "2026-01.xlsx",
    "token": "ABCDEFGH",
    "sha256": "0" * 64,
    "question_key": "q1",
}


def _concrete_paths(app: Litestar) -> Iterator[tuple[str, frozenset[str]]]:
    """Each HTTP route as a path one can request, with the methods it serves."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        path = route.path_format
        for name, parameter in route.path_parameters.items():
            value = str(uuid.uuid4()) if parameter.type is uuid.UUID else PATH_VALUES[name]
            path = path.replace("{" + name + "}", value)
        yield path, frozenset(route.methods)


def test_options_answers_every_route_with_the_methods_it_serves(server: Server) -> None:
    wrong: list[str] = []
    paths = list(_concrete_paths(server.client.app))
    assert len(paths) > 50

    for path, methods in paths:
        for headers in ({}, server.administrator()):
            response = server.client.options(path, headers=headers)
            allowed = {m.strip() for m in response.headers.get("allow", "").split(",")}
            if response.status_code != 204 or allowed != methods:
                wrong.append(f"OPTIONS {path}: {response.status_code} {response.text[:120]}")

    assert wrong == []


def test_a_method_a_route_does_not_serve_is_a_405_problem(server: Server) -> None:
    wrong: list[str] = []
    admin = server.administrator()

    for path, methods in _concrete_paths(server.client.app):
        for method in METHODS:
            if method in methods:
                continue
            response = server.client.request(method, path, headers=admin)
            if response.status_code != 405:
                wrong.append(f"{method} {path}: {response.status_code} {response.text[:120]}")
                continue
            assert {m.strip() for m in response.headers["allow"].split(",")} == methods
            if method != "HEAD":  # a HEAD answer has no body
                assert problem(response)["code"] == "method-not-allowed"

    assert wrong == []
