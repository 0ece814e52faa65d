"""Limits, proxies and session lengths are settings; a malformed one names its variable."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

import pytest

from grassroots.api.rate_limits import DEFAULT_RATES, GuessPolicy, Rate
from grassroots.bootstrap import api_config
from grassroots.settings import Settings, SettingsError


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env(
        {"GRASSROOTS_DATA_DIR": str(tmp_path), **{f"GRASSROOTS_{k}": v for k, v in env.items()}}
    )


def test_by_default_no_proxy_is_trusted_and_the_rates_are_the_documented_ones(
    tmp_path: Path,
) -> None:
    config = api_config(_settings(tmp_path))

    assert config.trusted_proxies == ()
    assert config.rates == DEFAULT_RATES
    assert config.rates["log-in"] == Rate(30, 60)
    assert config.rates["register"] == Rate(60, 600)
    assert "health" in config.rates


def test_rates_proxies_and_lengths_reach_the_api(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path,
        RATE_LOG_IN="3/30",
        RATE_HEALTH="100/10",
        TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8 2001:db8::/32",
        LOG_IN_FREE_FAILURES="4",
        LOG_IN_FIRST_DELAY_SECONDS="3",
        LOG_IN_MAX_DELAY_SECONDS="300",
        LOG_IN_FAILURE_MEMORY_SECONDS="1800",
        PASSWORD_HASHING_SLOTS="3",
        PASSWORD_HASHING_WAIT_SECONDS="5",
        SESSION_MAX_DAYS="60",
        LIVE_RECHECK_SECONDS="2",
    )

    config = api_config(settings)

    assert config.rates["log-in"] == Rate(3, 30)
    assert config.rates["health"] == Rate(100, 10)
    assert config.rates["register"] == DEFAULT_RATES["register"]
    assert config.trusted_proxies == (
        ip_network("127.0.0.1/32"),
        ip_network("10.0.0.0/8"),
        ip_network("2001:db8::/32"),
    )
    assert config.log_in_guesses == GuessPolicy(
        free_failures=4, first_delay_seconds=3, max_delay_seconds=300, memory_seconds=1800
    )
    assert config.password_hashing_slots == 3
    assert config.password_hashing_wait == timedelta(seconds=5)
    assert config.session_max_lifetime == timedelta(days=60)
    assert config.live_recheck_interval == timedelta(seconds=2)


@pytest.mark.parametrize("text", ["10", "ten/60", "0/60", "10/0", "10/60/5", ""])
def test_a_malformed_rate_names_its_variable(tmp_path: Path, text: str) -> None:
    if not text:
        # An empty value is no value: the default stands.
        config = api_config(_settings(tmp_path, RATE_SCAN=text))
        assert config.rates["scan"] == DEFAULT_RATES["scan"]
        return
    with pytest.raises(SettingsError, match="GRASSROOTS_RATE_SCAN"):
        _settings(tmp_path, RATE_SCAN=text)


@pytest.mark.parametrize("text", ["localhost", "10.0.0.0/33", "10.0.0.1,,x"])
def test_a_malformed_trusted_proxy_names_its_variable(tmp_path: Path, text: str) -> None:
    with pytest.raises(SettingsError, match="GRASSROOTS_TRUSTED_PROXIES"):
        _settings(tmp_path, TRUSTED_PROXIES=text)


def test_delays_longer_than_the_failures_are_remembered_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="GRASSROOTS_LOG_IN_FAILURE_MEMORY_SECONDS"):
        _settings(tmp_path, LOG_IN_MAX_DELAY_SECONDS="900", LOG_IN_FAILURE_MEMORY_SECONDS="600")
