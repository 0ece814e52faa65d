"""The composition root: settings in, wired applications out. Nothing here runs at import."""

from __future__ import annotations

from litestar import Litestar

from grassroots.api.app import create_app
from grassroots.application.core import AppConfig, Clock, system_clock
from grassroots.application.event_store import event_store_env
from grassroots.application.service import Grassroots
from grassroots.domain.crediting import CreditPolicy
from grassroots.migrating import upgrade
from grassroots.settings import Settings

__all__ = ["app_config", "build_application", "build_web_app", "event_store_kind"]


def app_config(settings: Settings) -> AppConfig:
    return AppConfig(
        secret_key=settings.secret_key,
        qr_rotation_seconds=settings.qr_rotation_seconds,
        credit_policy=CreditPolicy(
            grace_minutes=settings.grace_minutes,
            check_in_margin_minutes=settings.check_in_margin_minutes,
        ),
        time_zone=settings.time_zone,
    )


def build_application(
    settings: Settings, *, clock: Clock = system_clock, schema: str | None = None
) -> Grassroots:
    """The write side on the event store the settings name (creating its tables if needed)."""
    env = event_store_env(settings.database_url, schema=schema)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Grassroots(app_config(settings), env=env, clock=clock)


def event_store_kind(settings: Settings) -> str:
    module = event_store_env(settings.database_url)["PERSISTENCE_MODULE"]
    return {"eventsourcing.sqlite": "sqlite", "eventsourcing.postgres": "postgresql"}.get(
        module, "memory"
    )


def build_web_app(settings: Settings, *, clock: Clock = system_clock) -> Litestar:
    """The whole server for ``make run``: schema migrated, write side wired, API on top."""
    if event_store_kind(settings) != "memory":
        if event_store_kind(settings) == "sqlite":
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(settings.database_url)
    return create_app(
        build_application(settings, clock=clock), event_store_kind=event_store_kind(settings)
    )
