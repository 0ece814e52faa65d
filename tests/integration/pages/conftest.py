"""A server with its pages on the embedded default, reached over HTTPS as in production
(so the session cookie is Secure and named __Host-...)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from grassroots.api.app import create_app
from grassroots.application.accounts import password_hasher
from grassroots.application.service import Grassroots
from grassroots.bootstrap import api_config, build_application, build_read_side, shared_stores
from grassroots.domain.account import Grant, Role
from grassroots.settings import Settings
from tests.conftest import FakeClock
from tests.databases import migrated
from tests.integration.builders import World, build_world, register_cadre, register_volunteer

PASSWORD = "correct horse 42"
VOLUNTEER_PHONE = "13800000001"


@dataclass
class Site:
    client: TestClient[Litestar]
    app: Grassroots
    world: World

    def account(self, phone: str, *grants: Grant, name: str = "王小明") -> str:
        self.app.open_account(phone=phone, name=name, password=PASSWORD, grants=list(grants))
        return phone

    def csrf_token(self, path: str = "/login") -> str:
        """The form token a page hands out (its cookie stays in the client)."""
        found = re.search(r'name="_csrf_token" value="([^"]+)"', self.client.get(path).text)
        assert found, f"{path} has no form token"
        return found.group(1)

    def log_in(self, phone: str, password: str = PASSWORD, next_path: str = "/") -> None:
        answer = self.client.post(
            "/login",
            data={
                "phone": phone,
                "password": password,
                "next": next_path,
                "_csrf_token": self.csrf_token(),
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text


@pytest.fixture
def site(tmp_path: Path, clock: FakeClock) -> Iterator[Site]:
    settings = Settings.from_env(
        {"GRASSROOTS_SECRET_KEY": "p" * 48, "GRASSROOTS_DATA_DIR": str(tmp_path)}
    )
    migrated(settings.database_url)
    app = build_application(settings, clock=clock)
    app.use_password_hasher(password_hasher(fast=True))
    read_side = build_read_side(settings, app)
    config = dataclasses.replace(api_config(settings), page_cookie_secure=True)
    web = create_app(
        app,
        event_store_kind="sqlite",
        stores=shared_stores(config),
        read_side=read_side,
        run_projections=True,
        config=config,
    )
    world = build_world(app)
    with TestClient(app=web, base_url="https://testserver.local") as client:
        yield Site(client=client, app=app, world=world)


@pytest.fixture
def volunteer(site: Site) -> str:
    volunteer_id = register_volunteer(site.app, site.world)
    return site.account(VOLUNTEER_PHONE, Grant(Role.VOLUNTEER, volunteer_id))


@pytest.fixture
def cadre(site: Site) -> str:
    return site.account("13800000002", Grant(Role.CADRE, register_cadre(site.app, site.world)))
