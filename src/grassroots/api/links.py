"""Links in the document from what a request creates to where it is used next.

A 201 answer names the record it created or changed (its own id: the first field
ending in ``_id``, or ``id`` for a record created at ``POST /things`` and addressed
at ``/things/{thing_id}``). Every operation whose path takes that id, and whose
other path ids the answer also holds, gets an OpenAPI link from the 201: a client
generated from the document, or a stateful test, can follow "start a visit, then
write its log" without guessing which field feeds which parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from litestar import Litestar
from litestar.openapi.spec import Link, OpenAPI, OpenAPIResponse, Reference, Schema

from grassroots.api.document import named_schemas, operations

__all__ = ["document_links"]

_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class _Target:
    path: str
    operation_id: str
    parameters: tuple[str, ...]


def document_links(_app: Litestar, document: OpenAPI) -> None:
    named = named_schemas(document)
    targets = [
        _Target(path, operation.operation_id, tuple(_PATH_PARAMETER.findall(path)))
        for path, _method, operation in operations(document)
        if operation.operation_id
    ]
    for path, method, operation in operations(document):
        answer = (operation.responses or {}).get("201")
        if method != "post" or not isinstance(answer, OpenAPIResponse) or not answer.content:
            continue
        media = answer.content.get("application/json")
        schema = _resolved(media.schema if media is not None else None, named)
        if schema is None or not schema.properties:
            continue
        fields = list(schema.properties)
        links = {
            target.operation_id: Link(
                operation_id=target.operation_id,
                parameters={p: f"$response.body#/{source}" for p, source in sources.items()},
                description=f"{target.path} with the ids this answer holds",
            )
            for target in targets
            if target.operation_id != operation.operation_id
            and (sources := _sources(path, fields, target)) is not None
        }
        if links:
            answer.links = dict(sorted(links.items()))


def _resolved(node: Schema | Reference | None, named: Mapping[str, Schema]) -> Schema | None:
    if isinstance(node, Reference):
        return named.get(node.ref.rsplit("/", 1)[-1])
    return node


def _sources(created_at: str, fields: list[str], target: _Target) -> dict[str, str] | None:
    """Which answer field feeds each of the target's path ids, or None when the target
    does not take the created record's id or needs an id the answer lacks."""
    own = next((f for f in fields if f.endswith("_id")), None)
    addressed = f"{created_at}/{{"
    if "id" in fields and target.path.startswith(addressed):
        # Created at POST /things, addressed at /things/{thing_id}/...
        own = target.path[len(addressed) :].split("}", 1)[0]
        fields = [*fields, own]
        sources = {own: "id"}
    elif own is not None:
        sources = {}
    else:
        return None
    if own not in target.parameters:
        return None
    for parameter in target.parameters:
        if parameter in sources:
            continue
        if parameter not in fields:
            return None
        sources[parameter] = parameter
    return sources
