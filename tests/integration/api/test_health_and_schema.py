"""The server a newcomer starts: a first page, health, and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.testing import TestClient

from grassroots.bootstrap import build_web_app
from grassroots.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient[Litestar]]:
    settings = Settings.from_env({"GRASSROOTS_DATA_DIR": str(tmp_path)})
    with TestClient(app=build_web_app(settings)) as client:
        yield client


def test_health_answers_ok_with_the_event_store_in_use(client: TestClient[Litestar]) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["event_store"]) == ("ok", "sqlite")
    assert body["last_event_position"] == 0
    names = {p["name"] for p in body["projections"]}
    assert {"service_ledger", "org_tree", "center_activity"} <= names
    assert all(p["lag"] == 0 for p in body["projections"])


def test_the_openapi_document_describes_health_with_an_operation_id(
    client: TestClient[Litestar],
) -> None:
    document = client.get("/schema/openapi.json").json()

    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/health"]["get"]
    assert operation["operationId"] == "getHealth"
    assert operation["tags"] == ["health"]


def test_the_document_is_built_finished_when_first_asked_for_not_at_start_up(
    client: TestClient[Litestar],
) -> None:
    # Building it costs a third of a second, which a server paid at every start.
    builder = client.app.plugins.get(OpenAPIPlugin)
    assert builder._openapi is None

    served = client.get("/schema/openapi.json").json()
    again = client.get("/schema/openapi.json").json()

    assert builder._openapi is not None
    assert served == again
    # Finished: a public operation needs no token, a body takes no other field, a
    # 201 links on, a JSON body's operation documents the 415.
    log_in = served["paths"]["/api/v1/sessions"]["post"]
    assert log_in["security"] == []
    assert "415" in log_in["responses"]
    assert served["components"]["schemas"]["LogIn"]["additionalProperties"] is False
    created = served["paths"]["/api/v1/org-units"]["post"]["responses"]["201"]
    assert "getOrgUnit" in {link["operationId"] for link in created["links"].values()}


def test_the_first_screen_links_to_the_api_reference(client: TestClient[Litestar]) -> None:
    page = client.get("/")

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'href="/schema"' in page.text
    assert "sqlite" in page.text
    assert client.get("/schema").status_code == 200


def test_the_embedded_default_keeps_its_event_store_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({"GRASSROOTS_DATA_DIR": str(tmp_path)})
    with TestClient(app=build_web_app(settings)) as client:
        assert client.get("/health").status_code == 200

    assert (tmp_path / "grassroots.sqlite3").exists()
    assert (tmp_path / "secret_key").exists()


def test_the_embedded_default_runs_the_read_models_inside_the_server(
    client: TestClient[Litestar],
) -> None:
    from grassroots.domain.org_unit import OrgLevel

    application = client.app.state.grassroots
    application.create_org_unit(name="内蒙古自治区", level=OrgLevel.REGION)
    position = application.last_write_position()

    assert client.app.state.read_side.wait_for(position, timeout=5.0)
    body = client.get("/health").json()
    assert body["last_event_position"] == position
    assert all(p["position"] == position and p["lag"] == 0 for p in body["projections"])
