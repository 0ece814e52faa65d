"""Every problem code the sources can raise has a title of its own in both languages.

The catalogue is kept by hand, so the sources are read here: a code added in a
new module without an entry would otherwise reach a Chinese reader as its class's
vague title, or as the bare code.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from eventsourcing.domain import Aggregate

import grassroots
import grassroots.domain
from grassroots.api.messages import MESSAGES
from grassroots.api.problems import _HTTP_CODES
from grassroots.application.core import _kind_name
from grassroots.domain.qr_token import SubjectKind

SOURCES = Path(grassroots.__file__).parent
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# The codes built with f-strings, by their fixed parts; each family is expanded
# by a test below. A new family has to be taught to these tests first.
KNOWN_FAMILIES = {
    ("", "-empty"),  # require_text: the field's name
    ("", "-too-long"),  # require_text: the field's name
    ("", "-not-found"),  # NotFound: the aggregate's kind
    ("token-other-", ""),  # a QR code for another subject of the same kind
}


def _trees() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(SOURCES.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _string(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _code_nodes(tree: ast.Module) -> Iterator[ast.expr]:
    """Every expression the sources give as a code."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.Assign):
                    targets = statement.targets
                elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                    targets = [statement.target]
                else:
                    continue
                if any(isinstance(t, ast.Name) and t.id == "code" for t in targets):
                    assert statement.value is not None
                    yield statement.value
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "code":
                    yield keyword.value
            # ApiProblem(status, code, detail)
            if _callee(node) == "ApiProblem" and len(node.args) >= 2:
                yield node.args[1]


def _literal_codes() -> dict[str, str]:
    found: dict[str, str] = {}
    for path, tree in _trees():
        for node in _code_nodes(tree):
            code = _string(node)
            if code is not None:
                found.setdefault(code, f"{path.relative_to(SOURCES)}:{node.lineno}")
    return found


def _families() -> set[tuple[str, str]]:
    found = set()
    for _, tree in _trees():
        for node in _code_nodes(tree):
            if isinstance(node, ast.JoinedStr):
                parts = [_string(v) for v in node.values]
                found.add((parts[0] or "", parts[-1] or "") if len(parts) > 1 else ("", ""))
    return found


def _text_field_names() -> set[str]:
    names = set()
    for _, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) == "require_text":
                given = node.args[1] if len(node.args) >= 2 else None
                for keyword in node.keywords:
                    if keyword.arg == "name":
                        given = keyword.value
                name = _string(given)
                if name is not None:
                    names.add(name)
    return names


def _aggregate_kinds() -> set[str]:
    for module in pkgutil.iter_modules(grassroots.domain.__path__):
        importlib.import_module(f"grassroots.domain.{module.name}")
    kinds = set()
    pending: list[type[Aggregate]] = [Aggregate]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("grassroots.domain."):
                kinds.add(_kind_name(sub))
    # Kinds named by hand (NotFound("org_unit", ...)) count too.
    for _, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _callee(node) == "NotFound" and node.args:
                kind = _string(node.args[0])
                if kind is not None:
                    kinds.add(kind)
    return kinds


def _missing(codes: Iterable[str]) -> list[str]:
    return sorted(code for code in codes if code not in MESSAGES)


def test_the_sources_are_read() -> None:
    codes = _literal_codes()
    # Guards the reader itself: were it to find nothing, every test would pass.
    assert {"token-stale", "session-ended", "forbidden", "phone-taken"} <= codes.keys()
    assert {"name", "title"} <= _text_field_names()
    assert {"activity", "org_unit", "session"} <= _aggregate_kinds()


def test_every_literal_code_has_an_entry() -> None:
    codes = _literal_codes()
    missing = [f"{code} ({codes[code]})" for code in _missing(codes)]
    assert missing == []


def test_every_http_status_code_has_an_entry() -> None:
    assert _missing(_HTTP_CODES.values()) == []


def test_every_built_code_belongs_to_a_known_family() -> None:
    assert _families() <= KNOWN_FAMILIES


def test_every_text_field_has_its_empty_and_too_long_codes() -> None:
    names = _text_field_names()
    assert _missing({f"{name}-empty" for name in names}) == []
    assert _missing({f"{name}-too-long" for name in names}) == []


def test_every_aggregate_kind_has_its_not_found_code() -> None:
    codes = {f"{kind.replace('_', '-')}-not-found" for kind in _aggregate_kinds()}
    assert _missing(codes) == []


def test_every_qr_subject_kind_has_its_other_subject_code() -> None:
    assert _missing({f"token-other-{kind.value}" for kind in SubjectKind}) == []


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_entry_reads_in_both_languages(code: str) -> None:
    message = MESSAGES[code]
    assert message.zh.strip()
    assert CJK.search(message.zh), message.zh
    assert message.en.strip()
    assert not CJK.search(message.en), message.en
    if message.zh_detail is not None:
        assert CJK.search(message.zh_detail), message.zh_detail


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_status_given_is_an_error_status(code: str) -> None:
    status = MESSAGES[code].status
    if status is not None:
        assert type(status) is int
        assert 400 <= status <= 599


@pytest.mark.parametrize(
    ("code", "status"),
    [
        # Where the class's status would mislead: a refused login is not a
        # conflict, and a place the caller is not at is refused, not disputed.
        ("session-ended", 401),
        ("account-disabled", 403),
        ("outside-geofence", 403),
        ("location-required", 422),
    ],
)
def test_a_status_that_differs_from_the_class(code: str, status: int) -> None:
    assert MESSAGES[code].status == status
