"""Walking the API document: its operations, and its named schemas.

The steps that finish the document (``app._FinishedDocument``) each visit operations
and resolve ``#/components/schemas/...`` references; they do it through here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from litestar.openapi.spec import OpenAPI, Operation, Schema

__all__ = ["BODY_METHODS", "METHODS", "named_schemas", "operations"]

METHODS = ("get", "put", "post", "delete", "patch")
# The methods whose operations take a request body here.
BODY_METHODS = ("post", "put", "patch")


def operations(
    document: OpenAPI, methods: tuple[str, ...] = METHODS
) -> Iterator[tuple[str, str, Operation]]:
    """Each operation of ``methods`` in the document: its path, method and itself."""
    for path, item in (document.paths or {}).items():
        for method in methods:
            operation = getattr(item, method, None)
            if isinstance(operation, Operation):
                yield path, method, operation


def named_schemas(document: OpenAPI) -> Mapping[str, Schema]:
    """The schemas a ``#/components/schemas/<name>`` reference names, by name."""
    components = document.components
    return (components.schemas or {}) if components is not None else {}
