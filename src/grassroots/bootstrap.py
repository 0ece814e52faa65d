"""The composition root: settings in, wired applications out. Nothing here runs at import."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path

from eventsourcing.persistence import PersistenceError
from litestar import Litestar
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from grassroots.api.app import SharedStores, create_app
from grassroots.api.auth import jwt_secret
from grassroots.api.context import ApiConfig
from grassroots.api.degrading import (
    DegradingChannels,
    DegradingCounter,
    DegradingStore,
    RedisBreaker,
    connect_redis,
)
from grassroots.api.rate_limits import DEFAULT_RATES, GuessPolicy, MemoryCounter, RedisCounter
from grassroots.application.core import AppConfig, Clock, system_clock
from grassroots.application.event_store import event_store_env
from grassroots.application.group_committing import GroupCommitter
from grassroots.application.photo_store import FolderPhotoStore, MemoryPhotoStore, PhotoStore
from grassroots.application.service import Grassroots
from grassroots.domain.crediting import CreditPolicy
from grassroots.migrating import sqlalchemy_url, upgrade
from grassroots.private_files import keep_sqlite_files_private
from grassroots.projections.account_directory import AccountDirectory
from grassroots.projections.activity_catalogue import ActivityCatalogue
from grassroots.projections.center_activity import CenterActivity
from grassroots.projections.certificates import IssuedCertificates
from grassroots.projections.compliance.facts import CadreCompliance
from grassroots.projections.database import create_read_engine
from grassroots.projections.engine import Projection
from grassroots.projections.grassroots_points import GrassrootsPoints
from grassroots.projections.ledger import ServiceLedger
from grassroots.projections.org_tree import OrgTree
from grassroots.projections.problems import Problems
from grassroots.projections.read_side import ReadSide
from grassroots.projections.runner import EventLog
from grassroots.projections.shared_experiences import SharedExperiences
from grassroots.projections.survey_results import SurveyResultsProjection
from grassroots.projections.volunteer_directory import VolunteerDirectory
from grassroots.projections.wakeup import PostgresListener, SqliteWatcher
from grassroots.settings import Settings, SettingsError

__all__ = [
    "ALL_PROJECTIONS",
    "api_config",
    "app_config",
    "build_application",
    "build_read_side",
    "build_web_app",
    "event_store_kind",
    "photo_store_for",
    "prepare_database_files",
    "shared_stores",
]

# Every read model the server and the worker keep up to date, in the order they
# are created and reported (the organisation tree first: the others look units up in it).
ALL_PROJECTIONS: tuple[type[Projection], ...] = (
    OrgTree,
    ServiceLedger,
    CenterActivity,
    CadreCompliance,
    Problems,
    ActivityCatalogue,
    VolunteerDirectory,
    GrassrootsPoints,
    SharedExperiences,
    SurveyResultsProjection,
    IssuedCertificates,
    AccountDirectory,
)


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
    env = event_store_env(
        settings.database_url,
        schema=schema or settings.database_schema,
        timeout_seconds=settings.database_timeout_seconds,
    )
    prepare_database_files(settings)
    application = _with_tables(lambda: Grassroots(app_config(settings), env=env, clock=clock))
    application.use_photo_store(photo_store_for(settings))
    if settings.group_commit_window_ms is not None:
        application.committer = GroupCommitter(
            application.save,
            application.events,
            window_seconds=settings.group_commit_window_ms / 1000,
            remember=application.remember_write,
        )
    return application


def _with_tables(construct: Callable[[], Grassroots], tries: int = 5) -> Grassroots:
    """The application, whose constructor creates the event store's tables if missing.

    Two processes started together (an API worker and a projection worker, say)
    both run PostgreSQL's ``CREATE TABLE IF NOT EXISTS``; the catalogue refuses one
    of the two concurrent updates ("tuple concurrently updated"). The tables exist
    once the other has committed, so the refused one tries again.
    """
    for attempt in range(tries):
        try:
            return construct()
        except PersistenceError as error:
            if "concurrently" not in str(error) or attempt == tries - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def photo_store_for(settings: Settings) -> PhotoStore:
    """Photos of experience posts beside the events: a folder under the data
    directory, or memory when the events are kept in memory too."""
    if event_store_kind(settings) == "memory":
        return MemoryPhotoStore()
    return FolderPhotoStore(settings.data_dir / "photos")


def prepare_database_files(settings: Settings) -> None:
    """On SQLite, the database file made owner-only before anything opens it."""
    env = event_store_env(settings.database_url)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        keep_sqlite_files_private(Path(env["SQLITE_DBNAME"]))


def event_store_kind(settings: Settings) -> str:
    module = event_store_env(settings.database_url)["PERSISTENCE_MODULE"]
    return {"eventsourcing.sqlite": "sqlite", "eventsourcing.postgres": "postgresql"}.get(
        module, "memory"
    )


def build_read_side(
    settings: Settings,
    application: Grassroots,
    *,
    schema: str | None = None,
    projections: Sequence[type[Projection]] = ALL_PROJECTIONS,
    pause_collector: bool = False,
) -> ReadSide:
    """The read models on the same database as the events, fed from the application's log.

    The application's own writes wake the runners at once; on PostgreSQL a LISTEN
    also wakes them for writes made by other processes. Only a process that does
    nothing but the read models passes ``pause_collector`` (see ``collector.py``):
    in the API server a paused collector would let every request's cycles pile up
    for as long as a catch-up lasts.
    """
    kind = event_store_kind(settings)
    if kind == "memory":
        raise SettingsError(
            "the read models need a database: set GRASSROOTS_DATABASE_URL to sqlite:// "
            "or postgresql://"
        )
    url = sqlalchemy_url(settings.database_url)
    schema = schema or settings.database_schema
    timeout = settings.database_timeout_seconds
    engine = create_read_engine(url, schema=schema, writer=True, timeout_seconds=timeout)
    # SQLite: the queries' own engine, which never waits for the runners' writes.
    # PostgreSQL's readers never wait for writers: one pool serves both.
    reader = (
        create_read_engine(url, schema=schema, timeout_seconds=timeout)
        if kind == "sqlite"
        else None
    )
    read_side = ReadSide(
        engine,
        EventLog(application.recorder, application.mapper),
        projections=projections,
        batch_size=settings.projection_batch_size,
        pause_collector=pause_collector,
        reader=reader,
    )
    application.on_write(read_side.wake)
    if kind == "postgresql":
        channel = str(getattr(application.recorder, "channel_name", "grassroots_events"))
        read_side.listen(PostgresListener(settings.database_url, channel, read_side.wake))
    elif kind == "sqlite":
        path = Path(event_store_env(settings.database_url)["SQLITE_DBNAME"])
        read_side.listen(SqliteWatcher(path, read_side.wake))
    return read_side


def build_web_app(settings: Settings, *, clock: Clock = system_clock) -> Litestar:
    """The whole server for ``make run``: schema migrated, write side wired, API on top."""
    kind = event_store_kind(settings)
    prepare_database_files(settings)
    if kind != "memory":
        upgrade(settings.database_url, schema=settings.database_schema)
    application = build_application(settings, clock=clock)
    read_side = build_read_side(settings, application) if kind != "memory" else None
    config = api_config(settings)
    return create_app(
        application,
        event_store_kind=kind,
        stores=shared_stores(config),
        read_side=read_side,
        run_projections=settings.embedded_projections,
        config=config,
    )


def shared_stores(config: ApiConfig) -> SharedStores:
    """Rate-limit counts, written positions and live updates: in Redis under the
    config's namespace when a URL is set (shared by every API process), else in memory.

    The client connects on first use, so nothing is reached here.
    """
    if not config.redis_url:
        return SharedStores(
            redis=None,
            redis_url=None,
            breaker=RedisBreaker(),
            counter=MemoryCounter(),
            positions=MemoryStore(),
            channels=MemoryChannelsBackend(),
        )
    redis = connect_redis(config.redis_url)
    breaker = RedisBreaker()
    namespace = config.redis_namespace
    return SharedStores(
        redis=redis,
        redis_url=config.redis_url,
        breaker=breaker,
        counter=DegradingCounter(RedisCounter(redis, f"{namespace}:rate"), breaker),
        positions=DegradingStore(RedisStore(redis, namespace=f"{namespace}:written"), breaker),
        channels=DegradingChannels(
            RedisChannelsPubSubBackend(redis=redis, key_prefix=f"{namespace}:live"), breaker
        ),
    )


# Commands at once on SQLite. The file takes one writer at a time, so a third
# command in a thread could only wait for the lock while taking turns at the
# interpreter lock with the other two: under 64 clients, check-ins through 16
# threads cost the server 7.0-7.7 ms of CPU each, through two 5.5-5.7 ms, and
# came 12-20 % faster (docs/performance.md, sixth round). PostgreSQL takes
# concurrent transactions: bounded there, check-ins came 10 % slower.
SQLITE_WRITERS = 2


def api_config(settings: Settings) -> ApiConfig:
    limits = settings.limits
    return ApiConfig(
        writers=SQLITE_WRITERS if event_store_kind(settings) == "sqlite" else None,
        jwt_secret=jwt_secret(settings.secret_key),
        redis_url=settings.redis_url,
        cors_origins=settings.cors_origins,
        public_url=settings.public_url,
        cjk_font=settings.cjk_font,
        page_cookie_secure=settings.page_cookie_secure,
        rates={**DEFAULT_RATES, **limits.rates},
        trusted_proxies=limits.trusted_proxies,
        log_in_guesses=GuessPolicy(
            free_failures=limits.log_in_free_failures,
            first_delay_seconds=limits.log_in_first_delay_seconds,
            max_delay_seconds=limits.log_in_max_delay_seconds,
            memory_seconds=limits.log_in_failure_memory_seconds,
        ),
        password_hashing_slots=limits.password_hashing_slots,
        password_hashing_wait=timedelta(seconds=limits.password_hashing_wait_seconds),
        session_max_lifetime=timedelta(days=limits.session_max_days),
        live_recheck_interval=timedelta(seconds=limits.live_recheck_seconds),
    )
