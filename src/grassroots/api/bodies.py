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
  breaks its field's constraints: 400 with the field named;
- it names a field the type does not have, at any depth: 400;
- an object repeats a key: 400;
- it is nested too deeply to decode: 400.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import msgspec
import msgspec.inspect as mi
from litestar import Request
from litestar.exceptions import ValidationException
from litestar.types import Empty

from grassroots.api.problems import ApiProblem

__all__ = ["StrictRequest"]

_JSON_MEDIA_TYPE = re.compile(r"application/(?:[\w.+-]+\+)?json")
_ERROR_PATH = re.compile(r" - at `\$(.*)`$")


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
    return _invalid(text, key)


@cache
def _type_info(target: Any) -> mi.Type:
    return mi.type_info(target)


def _unknown_field(value: Any, kind: mi.Type, path: str) -> str | None:
    """The path of the first field ``value`` has that ``kind`` does not declare."""
    if isinstance(kind, mi.Metadata):
        return _unknown_field(value, kind.type, path)
    if isinstance(kind, mi.StructType):
        if not isinstance(value, dict):
            return None
        fields = {f.encode_name: f.type for f in kind.fields}
        for key, item in value.items():
            if key == kind.tag_field:
                continue
            if key not in fields:
                return f"{path}.{key}" if path else key
            found = _unknown_field(item, fields[key], f"{path}.{key}" if path else key)
            if found is not None:
                return found
        return None
    if isinstance(kind, mi.UnionType):
        for member in _members_for(value, kind):
            found = _unknown_field(value, member, path)
            if found is not None:
                return found
        return None
    if isinstance(kind, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        if isinstance(value, list):
            for index, item in enumerate(value):
                found = _unknown_field(item, kind.item_type, f"{path}[{index}]")
                if found is not None:
                    return found
        return None
    if isinstance(kind, mi.TupleType) and isinstance(value, list):
        for index, (item, item_kind) in enumerate(zip(value, kind.item_types, strict=False)):
            found = _unknown_field(item, item_kind, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    if isinstance(kind, mi.DictType) and isinstance(value, dict):
        for key, item in value.items():
            found = _unknown_field(item, kind.value_type, f"{path}.{key}" if path else key)
            if found is not None:
                return found
    return None


def _members_for(value: Any, union: mi.UnionType) -> list[mi.Type]:
    """The members of ``union`` that decoded ``value``: the tagged struct its tag names,
    else those of its JSON shape (the decode already chose among them)."""
    members = [m.type if isinstance(m, mi.Metadata) else m for m in union.types]
    if isinstance(value, dict):
        tagged: list[mi.Type] = [
            m
            for m in members
            if isinstance(m, mi.StructType) and m.tag_field is not None and m.tag_field in value
        ]
        if tagged:
            named: list[mi.Type] = [
                m for m in tagged if isinstance(m, mi.StructType) and value[m.tag_field] == m.tag
            ]
            return named or tagged
        return [m for m in members if isinstance(m, mi.StructType | mi.DictType)]
    if isinstance(value, list):
        return [
            m
            for m in members
            if isinstance(
                m, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType | mi.TupleType
            )
        ]
    return []


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
            value = msgspec.json.decode(body, type=target, strict=True)
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
        if target is not Any:
            unknown = _unknown_field(plain, _type_info(target), "")
            if unknown is not None:
                raise _invalid("the body has a field this request does not take", unknown)
        self._json = self._connection_state.json = value
        return value
