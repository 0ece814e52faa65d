"""Request bodies decoded strictly, in one place for every route.

The framework decodes a JSON body into plain values and then converts them to
the route's ``data`` type leniently, the way query strings must be converted:
``"5"`` became 5, ``"false"`` False, unknown fields were dropped, a repeated key
kept its last value, any media type was read as JSON, and a body nested deeper
than the interpreter's recursion limit escaped as a server error. Here a body is
decoded straight into the route's type, and refused (a problem, nothing
written) when:

- its media type is not JSON (``application/json`` or ``application/*+json``,
  UTF-8): 415;
- it is not JSON, or a value has the wrong type (no coercion from strings) or
  breaks its field's constraints: 400 with the field named. A whole number
  written with a fraction of zero (``60.0``, ``6e1``) is an integer, as JSON
  Schema counts it and so as the API document's ``type: integer`` promises;
  ``60.5`` is not;
- it names a field the type does not have, at any depth: 400;
- an object repeats a key: 400;
- it is nested too deeply to decode: 400.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import Any

import msgspec
import msgspec.inspect as mi
from litestar import Litestar, Request
from litestar.exceptions import ValidationException
from litestar.openapi.spec import OpenAPI, OpenAPIMediaType, OpenAPIResponse, Reference, Schema
from litestar.types import Empty

from grassroots.api.document import BODY_METHODS, named_schemas, operations
from grassroots.api.problems import PROBLEM_MEDIA_TYPE, ApiProblem

__all__ = ["StrictRequest", "document_closed_bodies", "document_unsupported_media_type"]

_JSON_MEDIA_TYPE = re.compile(r"application/(?:[\w.+-]+\+)?json")
_ERROR_PATH = re.compile(r" - at `\$(.*)`$")
_MISSING_FIELD = re.compile(r"^Object missing required field `(.+)`$")
_FLOAT_FOR_INTEGER = re.compile(r"^Expected `[^`]*\bint\b[^`]*`, got `float`")
# No integer field takes more than 64 bits; a larger whole number keeps its refusal.
_LARGEST_WHOLE_NUMBER = 2**64


class _DuplicateKey(ValueError):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return found


class _NotWhole(ValueError):
    pass


def _whole_numbers_as_integers(body: bytes) -> bytes:
    """The body again, each number whose fraction is zero written as an integer.

    Whether a number is whole is read from its digits (``4.0000000000000001`` is
    not, although the nearest float is 4); other numbers are left as they were.
    A number too large for any field, or not finite, stops the rewriting
    (``_NotWhole``), so the body's first refusal stands.
    """

    def number(text: str) -> float | int:
        exact = Decimal(text)
        if not exact.is_finite() or abs(exact) >= _LARGEST_WHOLE_NUMBER:
            raise _NotWhole(text)
        if exact == exact.to_integral_value():
            return int(exact)
        return float(text)

    return msgspec.json.encode(json.loads(body, parse_float=number))


def _decoded(body: bytes, target: Any) -> Any:
    try:
        return msgspec.json.decode(body, type=target, strict=True)
    except msgspec.ValidationError as refused:
        if not _FLOAT_FOR_INTEGER.match(str(refused)):
            raise
        try:
            rewritten = _whole_numbers_as_integers(body)
        except (ValueError, RecursionError):  # _NotWhole among them
            raise refused from None
        return msgspec.json.decode(rewritten, type=target, strict=True)


def _invalid(message: str, key: str | None = None) -> ValidationException:
    # The framework's own shape for a field that did not validate, so the problem
    # document lists it like any other (see ``problems._field_problems``).
    item: dict[str, str] = {"message": message, "source": "body"}
    if key:
        item["key"] = key
    return ValidationException(detail="the request body is not valid", extra=[item])


def _validation_error(error: msgspec.ValidationError) -> ValidationException:
    text = str(error)
    match = _ERROR_PATH.search(text)
    key = None
    if match:
        key = match.group(1).lstrip(".") or None
        text = text[: match.start()]
    missing = _MISSING_FIELD.match(text)
    if missing:
        # The field is the one missing, inside the object the path names.
        key = f"{key}.{missing.group(1)}" if key else missing.group(1)
    return _invalid(text, key)


# Checks a plain decoded value against a type; answers the path of the first
# field the type does not declare, or None. Built once per body type.
Check = Callable[[Any, str], "str | None"]

_SEQUENCES = (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@cache
def _unknown_fields_check(target: Any) -> Check | None:
    return _compile(mi.type_info(target), set())


def _compile(kind: mi.Type, building: set[int]) -> Check | None:
    """A check for ``kind``, or None where nothing inside it can be unknown."""
    if isinstance(kind, mi.Metadata):
        return _compile(kind.type, building)
    if isinstance(kind, mi.StructType):
        return _compile_struct(kind, building)
    if isinstance(kind, mi.UnionType):
        return _compile_union(kind, building)
    if isinstance(kind, _SEQUENCES):
        item = _compile(kind.item_type, building)
        if item is None:
            return None

        def each(value: Any, path: str) -> str | None:
            if isinstance(value, list):
                for index, entry in enumerate(value):
                    if (found := item(entry, f"{path}[{index}]")) is not None:
                        return found
            return None

        return each
    if isinstance(kind, mi.DictType):
        entry_check = _compile(kind.value_type, building)
        if entry_check is None:
            return None

        def every(value: Any, path: str) -> str | None:
            if isinstance(value, dict):
                for key, entry in value.items():
                    if (found := entry_check(entry, _join(path, str(key)))) is not None:
                        return found
            return None

        return every
    return None


def _compile_struct(kind: mi.StructType, building: set[int]) -> Check:
    if id(kind) in building:
        # A type that contains itself: its inner levels go unchecked rather than
        # being compiled forever (no request body is built like this today).
        return lambda _value, _path: None
    building.add(id(kind))
    fields = {f.encode_name: _compile(f.type, building) for f in kind.fields}
    building.discard(id(kind))
    tag_field = kind.tag_field

    def check(value: Any, path: str) -> str | None:
        if not isinstance(value, dict):
            return None
        for key, entry in value.items():
            if key not in fields:
                if key == tag_field:
                    continue
                return _join(path, key)
            inner = fields[key]
            if inner is not None and (found := inner(entry, _join(path, key))) is not None:
                return found
        return None

    return check


def _compile_union(kind: mi.UnionType, building: set[int]) -> Check | None:
    members = [m.type if isinstance(m, mi.Metadata) else m for m in kind.types]
    # The decode already chose the member: by its tag for tagged structs, else by
    # the value's JSON shape (msgspec allows one object and one array member).
    tagged = {
        m.tag: _compile(m, building)
        for m in members
        if isinstance(m, mi.StructType) and m.tag_field is not None
    }
    tag_fields = {m.tag_field for m in members if isinstance(m, mi.StructType) and m.tag_field}
    objects = [
        c
        for m in members
        if isinstance(m, mi.StructType | mi.DictType) and not getattr(m, "tag_field", None)
        for c in [_compile(m, building)]
        if c is not None
    ]
    arrays = [
        c
        for m in members
        if isinstance(m, (*_SEQUENCES, mi.TupleType))
        for c in [_compile(m, building)]
        if c is not None
    ]
    if not (tagged or objects or arrays):
        return None

    def check(value: Any, path: str) -> str | None:
        if isinstance(value, dict):
            for tag_field in tag_fields:
                if tag_field in value and (named := tagged.get(value[tag_field])) is not None:
                    return named(value, path)
            candidates = objects
        elif isinstance(value, list):
            candidates = arrays
        else:
            return None
        for candidate in candidates:
            if (found := candidate(value, path)) is not None:
                return found
        return None

    return check


def _body_type(request: Request[Any, Any, Any]) -> Any:
    field = request.route_handler.parsed_fn_signature.parameters.get("data")
    return Any if field is None else field.annotation


class StrictRequest(Request[Any, Any, Any]):
    """A request whose JSON body is decoded strictly into its route's ``data`` type."""

    async def json(self) -> Any:
        if self._json is not Empty:
            return self._json
        if (cached := self._connection_state.json) is not Empty:
            self._json = cached
            return cached
        media_type, options = self.content_type
        charset = options.get("charset", "utf-8").lower()
        if not _JSON_MEDIA_TYPE.fullmatch(media_type.lower()) or charset not in ("utf-8", "utf8"):
            raise ApiProblem(
                415,
                "unsupported-media-type",
                "a request body must be JSON (Content-Type: application/json)",
            )
        body = await self.body() or b"null"
        target = _body_type(self)
        try:
            value = _decoded(body, target)
            # A second, plain reading sees what the typed one cannot: repeated keys
            # (the typed one keeps the last) and fields the type does not declare.
            plain = json.loads(body, object_pairs_hook=_refuse_duplicates)
        except msgspec.ValidationError as error:
            raise _validation_error(error) from None
        except msgspec.DecodeError as error:
            raise _invalid(f"the body is not valid JSON: {error}") from None
        except RecursionError:
            raise _invalid("the body is nested too deeply") from None
        except _DuplicateKey as repeated:
            raise _invalid("the key appears more than once in one object", str(repeated)) from None
        check = None if target is Any else _unknown_fields_check(target)
        if check is not None and (unknown := check(plain, "")) is not None:
            raise _invalid("the body has a field this request does not take", unknown)
        self._json = self._connection_state.json = value
        return value


def document_unsupported_media_type(_app: Litestar, document: OpenAPI) -> None:
    """Every operation taking a body says in the document that a body which is not
    JSON answers 415, as ``StrictRequest`` does."""
    for _path, _method, operation in operations(document, BODY_METHODS):
        if operation.request_body is None:
            continue
        responses = operation.responses if operation.responses is not None else {}
        responses.setdefault(
            "415",
            OpenAPIResponse(
                description="The body is not JSON (Content-Type: application/json)",
                content={
                    PROBLEM_MEDIA_TYPE: OpenAPIMediaType(
                        schema=Reference(ref="#/components/schemas/Problem")
                    )
                },
            ),
        )
        operation.responses = responses


def document_closed_bodies(_app: Litestar, document: OpenAPI) -> None:
    """Every object a JSON request body holds, at any depth, says in the document that
    it takes no other fields (``additionalProperties: false``), as ``StrictRequest``
    refuses them. A client generated from the document then knows an extra field is
    an error, not something the server ignores."""
    named = named_schemas(document)
    seen: set[str] = set()

    def close(node: Schema | Reference | None) -> None:
        if isinstance(node, Reference):
            name = node.ref.rsplit("/", 1)[-1]
            if name not in seen and name in named:
                seen.add(name)
                close(named[name])
            return
        if node is None:
            return
        if node.properties:
            node.additional_properties = False
            for child in node.properties.values():
                close(child)
        close(node.items)
        for children in (node.one_of, node.any_of, node.all_of, node.prefix_items):
            for child in children or ():
                close(child)

    for _path, _method, operation in operations(document, BODY_METHODS):
        body = operation.request_body
        if body is None or isinstance(body, Reference):
            continue
        for media_type, content in (body.content or {}).items():
            if _JSON_MEDIA_TYPE.fullmatch(media_type):
                close(content.schema)
