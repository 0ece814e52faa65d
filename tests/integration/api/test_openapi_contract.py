"""The API against its own OpenAPI document: generated requests to every operation,
as an administrator (who passes every role guard, so the handlers themselves are
reached) and as nobody, must never meet a server error and every response must
match what the document promises (status, media type, body schema)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.api.conftest import Server
from tests.integration.builders import build_world

EXAMPLES = 12
CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def contract_server(server_factory: Callable[..., Server]) -> Server:
    server = server_factory()
    # Some real records, so generated ids sometimes meet data through the examples.
    build_world(server.app)
    return server


def test_every_operation_keeps_to_the_document(contract_server: Server) -> None:
    document = contract_server.client.get("/schema/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    admin = contract_server.administrator()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        if _streams(operation.definition.raw):
            # A live stream never ends, so a generated request would wait forever;
            # the live-update tests open and close those streams themselves.
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def keeps_to_the_document(case: Any) -> None:
            # Logging the administrator out would leave the rest unauthenticated.
            callers = (
                [{}]
                if case.operation.definition.raw.get("operationId") == "logOut"
                else [admin, {}]
            )
            for headers in callers:
                kwargs = case.as_transport_kwargs(
                    base_url="http://testserver.local", headers=headers
                )
                kwargs.pop("cookies", None)
                response = contract_server.client.request(**kwargs)
                assert response.status_code < 500, f"{case.method} {case.path}: {response.text}"
                # What the document promises: statuses, media types, headers, bodies.
                # (A schema-valid body may still break a domain rule, say a rule set
                # with no requirement, and get its 409/422: that is not a violation.)
                case.validate_response(response, checks=CONFORMANCE)

        keeps_to_the_document()


def _streams(definition: dict[str, Any]) -> bool:
    """Whether an operation answers with a server-sent event stream."""
    return any(
        "text/event-stream" in (response.get("content") or {})
        for response in (definition.get("responses") or {}).values()
        if isinstance(response, dict)
    )
