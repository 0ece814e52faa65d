"""Settings: read once from ``GRASSROOTS_*`` environment variables into one object.

GRASSROOTS_MODE                   development (default) or production
GRASSROOTS_DATA_DIR               where the embedded default keeps its files (./var)
GRASSROOTS_DATABASE_URL           sqlite:///path (default: <data dir>/grassroots.sqlite3),
                                  postgresql://user:password@host:port/database, or memory://
GRASSROOTS_DATABASE_SCHEMA        a PostgreSQL schema to keep events and read models in (public)
GRASSROOTS_DATABASE_TIMEOUT_SECONDS  how long a request waits for an unreachable database
                                  before it answers 503 (3)
GRASSROOTS_REDIS_URL              redis://host:port/db for shared stores and channels (optional)
GRASSROOTS_SECRET_KEY             signs venue codes and tokens; required in production
GRASSROOTS_TIME_ZONE              org units' default zone (Asia/Shanghai)
GRASSROOTS_QR_ROTATION_SECONDS    how often a venue code changes (15)
GRASSROOTS_GRACE_MINUTES          credit grace either side of an activity (15)
GRASSROOTS_CHECK_IN_MARGIN_MINUTES  how early check-in opens before the start (30)
GRASSROOTS_HOST / GRASSROOTS_PORT where the server listens (127.0.0.1:8000)
GRASSROOTS_EMBEDDED_PROJECTIONS   yes (default): the server runs the read models' runners;
                                  no: separate workers do (grassroots projections run)
GRASSROOTS_PROJECTION_BATCH_SIZE  events per read-model transaction, at most (5000)
GRASSROOTS_GROUP_COMMIT_WINDOW_MS  concurrent commands share one transaction (group commit),
                                  the first waiting up to this many ms for others (0: only
                                  those queued behind the previous write); off: each command
                                  its own transaction (0)
GRASSROOTS_CORS_ORIGINS           web origins (https://app.example.org, comma-separated) whose
                                  browser pages may call the API; none by default (same origin)
GRASSROOTS_IDLE_TIMEOUT_SECONDS   an idle kept-alive connection is closed after this (5)
GRASSROOTS_REQUEST_TIMEOUT_SECONDS  a request must arrive in full within this (20), or its
                                  connection is closed
GRASSROOTS_RATE_<NAME>            requests per window for DEFAULT, HEALTH, LOG_IN, REGISTER,
                                  REFRESH, SCAN, SURVEY_ANSWER (anonymous survey answers per
                                  address), as <count>/<seconds> (e.g. 10/60)
GRASSROOTS_TRUSTED_PROXIES        addresses/CIDRs whose X-Forwarded-For is believed (none)
GRASSROOTS_LOG_IN_FREE_FAILURES   wrong passwords per phone before delays begin (5)
GRASSROOTS_LOG_IN_FIRST_DELAY_SECONDS / _MAX_DELAY_SECONDS  the delay, doubling (2 / 600)
GRASSROOTS_LOG_IN_FAILURE_MEMORY_SECONDS  failures are forgotten after this quiet time (3600)
GRASSROOTS_PASSWORD_HASHING_SLOTS password hashes at once (2); more wait, then 503
GRASSROOTS_PASSWORD_HASHING_WAIT_SECONDS  how long they wait for a slot (2)
GRASSROOTS_SESSION_MAX_DAYS       a session ends this long after its log-in, refreshed or not (90)
GRASSROOTS_LIVE_RECHECK_SECONDS   how often a live stream re-checks its session and role (5)
GRASSROOTS_PUBLIC_URL             the address people reach the server at, as QR codes and
                                   links name it (http://<host>:<port> from the two above;
                                   127.0.0.1 for a host of 0.0.0.0 or an IPv6 address)
GRASSROOTS_CJK_FONT               the Chinese font embedded in PDF files (Debian's fonts-noto-cjk:
                                  /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc)
GRASSROOTS_PAGE_COOKIE_SECURE     yes: the pages' session cookie is Secure and named __Host-...;
                                  default yes, except in development on a loopback host (plain http)
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from grassroots.domain.account import MAX_SESSION_LIFETIME

__all__ = ["Limits", "Mode", "Rate", "Settings", "SettingsError", "loopback_only"]

PREFIX = "GRASSROOTS_"
# Debian's fonts-noto-cjk; its Simplified Chinese face is picked where it is used.
DEFAULT_CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SECRET_FILE = "secret_key"
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class Rate:
    """A rate limit: at most ``limit`` requests per ``per_seconds``."""

    limit: int
    per_seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"10/60"``: ten per sixty seconds."""
        limit, slash, seconds = text.strip().partition("/")
        try:
            rate = cls(int(limit), int(seconds))
        except ValueError:
            rate = cls(0, 0)
        if not slash or rate.limit < 1 or rate.per_seconds < 1:
            raise ValueError(f"not a rate: {text!r} (want e.g. 10/60)")
        return rate


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Mode(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


@dataclass(frozen=True)
class Settings:
    mode: Mode
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: bytes
    time_zone: str
    qr_rotation_seconds: int
    grace_minutes: int
    check_in_margin_minutes: int
    host: str
    port: int
    embedded_projections: bool = True
    database_schema: str | None = None
    projection_batch_size: int = 5000
    database_timeout_seconds: int = 3
    cors_origins: tuple[str, ...] = ()
    idle_timeout_seconds: int = 5
    request_timeout_seconds: int = 20
    public_url: str = "http://127.0.0.1:8000"
    cjk_font: Path = Path(DEFAULT_CJK_FONT)
    page_cookie_secure: bool = True
    # None: each command its own transaction; else group commit with this window.
    group_commit_window_ms: int | None = 0
    limits: Limits = field(default_factory=lambda: Limits())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings; in development a missing secret is generated and kept."""
        env = _Env(os.environ if environ is None else environ)
        mode_text = env.text("MODE", Mode.DEVELOPMENT.value)
        try:
            mode = Mode(mode_text)
        except ValueError:
            raise SettingsError(
                f"{PREFIX}MODE must be 'development' or 'production', not {mode_text!r}"
            ) from None
        data_dir = Path(env.text("DATA_DIR", "var"))
        database_url = env.text("DATABASE_URL", f"sqlite:///{data_dir / 'grassroots.sqlite3'}")
        return cls(
            mode=mode,
            data_dir=data_dir,
            database_url=database_url,
            redis_url=_redis_url(env.optional("REDIS_URL")),
            secret_key=_secret_key(env, mode, data_dir),
            time_zone=_time_zone(env.text("TIME_ZONE", "Asia/Shanghai")),
            qr_rotation_seconds=env.integer("QR_ROTATION_SECONDS", 15, low=5, high=300),
            grace_minutes=env.integer("GRACE_MINUTES", 15, low=0, high=120),
            check_in_margin_minutes=env.integer("CHECK_IN_MARGIN_MINUTES", 30, low=0, high=240),
            host=env.text("HOST", "127.0.0.1"),
            port=env.integer("PORT", 8000, low=1, high=65535),
            embedded_projections=env.flag("EMBEDDED_PROJECTIONS", default=True),
            database_schema=_schema(env.optional("DATABASE_SCHEMA")),
            projection_batch_size=env.integer("PROJECTION_BATCH_SIZE", 5000, low=1, high=100_000),
            database_timeout_seconds=env.integer("DATABASE_TIMEOUT_SECONDS", 3, low=1, high=60),
            cors_origins=_origins(env.optional("CORS_ORIGINS")),
            idle_timeout_seconds=env.integer("IDLE_TIMEOUT_SECONDS", 5, low=1, high=300),
            request_timeout_seconds=env.integer("REQUEST_TIMEOUT_SECONDS", 20, low=1, high=600),
            public_url=_public_url(env.text("PUBLIC_URL", _listening_url(env))),
            # Not checked here: a server without the font serves everything but PDF files.
            cjk_font=Path(env.text("CJK_FONT", DEFAULT_CJK_FONT)),
            page_cookie_secure=env.flag(
                "PAGE_COOKIE_SECURE", default=not _plain_local_development(mode, env)
            ),
            group_commit_window_ms=_group_commit_window(env),
            limits=_limits(env),
        )


@dataclass(frozen=True)
class Limits:
    """Rate limits, proxies, guessing delays, hashing and session lengths.

    What each one guards against: docs/architecture.md, "Limits".
    """

    # Only the rates set; the API's DEFAULT_RATES fill in the others.
    rates: Mapping[str, Rate] = field(default_factory=dict)
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    log_in_free_failures: int = 5
    log_in_first_delay_seconds: int = 2
    log_in_max_delay_seconds: int = 600
    log_in_failure_memory_seconds: int = 3600
    password_hashing_slots: int = 2
    password_hashing_wait_seconds: int = 2
    session_max_days: int = MAX_SESSION_LIFETIME.days
    live_recheck_seconds: int = 5


RATE_NAMES = ("default", "health", "log-in", "register", "refresh", "scan", "survey-answer")


def _group_commit_window(env: _Env) -> int | None:
    raw = env.optional("GROUP_COMMIT_WINDOW_MS")
    if raw is not None and raw.strip().lower() == "off":
        return None
    return env.integer("GROUP_COMMIT_WINDOW_MS", 0, low=0, high=100)


def _limits(env: _Env) -> Limits:
    # The defaults are Limits' own, written once there.
    default = Limits()
    first = env.integer(
        "LOG_IN_FIRST_DELAY_SECONDS", default.log_in_first_delay_seconds, low=1, high=3600
    )
    longest = env.integer(
        "LOG_IN_MAX_DELAY_SECONDS", default.log_in_max_delay_seconds, low=1, high=86_400
    )
    memory = env.integer(
        "LOG_IN_FAILURE_MEMORY_SECONDS",
        default.log_in_failure_memory_seconds,
        low=1,
        high=7 * 86_400,
    )
    if memory < longest:
        raise SettingsError(
            f"{PREFIX}LOG_IN_FAILURE_MEMORY_SECONDS ({memory}) must be at least "
            f"{PREFIX}LOG_IN_MAX_DELAY_SECONDS ({longest}): a delay may not outlive its count"
        )
    return Limits(
        rates={
            name: rate
            for name in RATE_NAMES
            if (rate := env.rate("RATE_" + name.upper().replace("-", "_"))) is not None
        },
        trusted_proxies=env.networks("TRUSTED_PROXIES"),
        log_in_free_failures=env.integer(
            "LOG_IN_FREE_FAILURES", default.log_in_free_failures, low=0, high=1000
        ),
        log_in_first_delay_seconds=first,
        log_in_max_delay_seconds=longest,
        log_in_failure_memory_seconds=memory,
        password_hashing_slots=env.integer(
            "PASSWORD_HASHING_SLOTS", default.password_hashing_slots, low=1, high=64
        ),
        password_hashing_wait_seconds=env.integer(
            "PASSWORD_HASHING_WAIT_SECONDS", default.password_hashing_wait_seconds, low=0, high=60
        ),
        session_max_days=env.integer(
            "SESSION_MAX_DAYS", default.session_max_days, low=1, high=3650
        ),
        live_recheck_seconds=env.integer(
            "LIVE_RECHECK_SECONDS", default.live_recheck_seconds, low=1, high=300
        ),
    )


class _Env:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def optional(self, name: str) -> str | None:
        value = self._environ.get(PREFIX + name, "").strip()
        return value or None

    def text(self, name: str, default: str) -> str:
        return self.optional(name) or default

    def flag(self, name: str, *, default: bool) -> bool:
        raw = self.optional(name)
        if raw is None:
            return default
        if raw.lower() in ("1", "yes", "true", "on"):
            return True
        if raw.lower() in ("0", "no", "false", "off"):
            return False
        raise SettingsError(f"{PREFIX}{name} must be yes or no, not {raw!r}")

    def rate(self, name: str) -> Rate | None:
        """``<count>/<seconds>``, e.g. 10/60; None when not set."""
        # Read here so a bad value stops the start with its variable's name.
        raw = self.optional(name)
        if raw is None:
            return None
        try:
            return Rate.parse(raw)
        except ValueError:
            raise SettingsError(
                f"{PREFIX}{name} must be <count>/<seconds>, both above 0, like 10/60, not {raw!r}"
            ) from None

    def networks(self, name: str) -> tuple[IPv4Network | IPv6Network, ...]:
        """Addresses and CIDR blocks, separated by commas or spaces."""
        raw = self.optional(name)
        if raw is None:
            return ()
        found = []
        for part in re.split(r"[\s,]+", raw):
            try:
                found.append(ip_network(part, strict=False))
            except ValueError:
                raise SettingsError(
                    f"{PREFIX}{name} must list IP addresses or CIDR blocks, not {part!r}"
                ) from None
        return tuple(found)

    def integer(self, name: str, default: int, *, low: int, high: int) -> int:
        raw = self.optional(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{PREFIX}{name} must be a whole number, not {raw!r}") from None
        if not low <= value <= high:
            raise SettingsError(f"{PREFIX}{name} must be between {low} and {high}, not {value}")
        return value


def _schema(name: str | None) -> str | None:
    if name is not None and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SettingsError(
            f"{PREFIX}DATABASE_SCHEMA must be a lower-case identifier, not {name!r}"
        )
    return name


def _redis_url(url: str | None) -> str | None:
    # A URL that names no Redis is a mistake to stop at; an unreachable one is
    # not (the API degrades, see api/degrading.py).
    if url is not None and not re.match(r"(redis|rediss|unix)://", url):
        raise SettingsError(
            f"{PREFIX}REDIS_URL must start with redis://, rediss:// or unix://, not {url!r}"
        )
    return url


def _origins(text: str | None) -> tuple[str, ...]:
    """Exact origins only: a wildcard would let any page read what a caller's token reads."""
    origins = tuple(part.strip().rstrip("/") for part in (text or "").split(",") if part.strip())
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?", origin):
            raise SettingsError(
                f"{PREFIX}CORS_ORIGINS must list origins such as https://app.example.org "
                f"(scheme, host and port only), not {origin!r}"
            )
    return origins


def _listening_url(env: _Env) -> str:
    """Where the server listens, as an address: the default of PUBLIC_URL, so a server
    moved to another port does not print codes that lead to the old one. A wildcard
    host (0.0.0.0) or an IPv6 one names no address a phone could use; 127.0.0.1
    stands in, and the start-up message says to set PUBLIC_URL."""
    host = env.text("HOST", "127.0.0.1")
    if not re.fullmatch(r"[A-Za-z0-9.-]+", host) or host == "0.0.0.0":
        host = "127.0.0.1"
    return f"http://{host}:{env.integer('PORT', 8000, low=1, high=65535)}"


def loopback_only(url: str) -> bool:
    """Whether links and codes starting with ``url`` open only on the server's own
    machine (a phone scanning one would reach nothing)."""
    host = (urlsplit(url).hostname or "").lower()
    return host in {"localhost", "::1"} or host.startswith("127.")


def _public_url(url: str) -> str:
    """Scheme, host, port and an optional path: what links and QR codes start with."""
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~/-]*)?", url):
        raise SettingsError(
            f"{PREFIX}PUBLIC_URL must be an address such as https://grassroots.example.org "
            f"(scheme, host, port and path only), not {url!r}"
        )
    return url.rstrip("/")


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(f"{PREFIX}TIME_ZONE names no known time zone: {name!r}") from None
    return name


def _secret_key(env: _Env, mode: Mode, data_dir: Path) -> bytes:
    given = env.optional("SECRET_KEY")
    if given is not None:
        key = given.encode()
        if len(key) < MIN_SECRET_BYTES:
            raise SettingsError(
                f"{PREFIX}SECRET_KEY must be at least {MIN_SECRET_BYTES} characters long"
            )
        return key
    if mode is Mode.PRODUCTION:
        raise SettingsError(
            f"{PREFIX}SECRET_KEY is not set: production mode needs a secret of at least "
            f"{MIN_SECRET_BYTES} characters (for example: python -c "
            "'import secrets; print(secrets.token_urlsafe(48))')"
        )
    return _kept_secret(data_dir / SECRET_FILE)


def _kept_secret(path: Path) -> bytes:
    """The development secret, generated once and kept so venue codes survive a restart."""
    if path.exists():
        key = path.read_bytes().strip()
        if len(key) >= MIN_SECRET_BYTES:
            return key
    # The data directory holds the database too: owner only when made here.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48).encode()
    # Created with owner-only permissions: the file is a credential.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key + b"\n")
    return key


def _plain_local_development(mode: Mode, env: _Env) -> bool:
    """A development server on this machine only, reached over plain http: a browser
    would drop a Secure cookie there, so the pages' cookie is not marked Secure."""
    host = env.text("HOST", "127.0.0.1")
    return mode is Mode.DEVELOPMENT and host in {"127.0.0.1", "localhost", "::1"}
