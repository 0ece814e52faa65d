"""Limits an attacker cannot step around: per real client (a forged X-Forwarded-For
counts for nothing unless a trusted proxy wrote it), per phone for wrong passwords,
and a bound on password hashing at once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from ipaddress import ip_network
from typing import Any

import pytest

from grassroots.api.rate_limits import GuessPolicy, Rate
from grassroots.domain.account import Grant, Role
from tests.integration.api.conftest import PASSWORD, Server, problem

PHONE = "13600000001"
WRONG = {"phone": PHONE, "password": "wrong password"}
RIGHT = {"phone": PHONE, "password": PASSWORD}


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def post_from(
    server: Server, peer: str, path: str, body: dict[str, Any], forwarded_for: str | None = None
) -> Answer:
    """A POST whose socket peer is ``peer`` (the test client always says 'testclient')."""
    with server.client.portal() as portal:
        return _answer(portal.call(_post, server, peer, path, body, forwarded_for))


def posts_at_once(
    server: Server, peers: list[str], path: str, body: dict[str, Any]
) -> list[Answer]:
    """One POST from each of ``peers``, all sent at once (as many connections would)."""

    async def all_at_once() -> list[list[dict[str, Any]]]:
        return list(await asyncio.gather(*(_post(server, peer, path, body) for peer in peers)))

    with server.client.portal() as portal:
        return [_answer(sent) for sent in portal.call(all_at_once)]


async def _post(
    server: Server,
    peer: str,
    path: str,
    body: dict[str, Any],
    forwarded_for: str | None = None,
) -> list[dict[str, Any]]:
    """The ASGI messages the app sends back for one POST from ``peer``."""
    data = json.dumps(body).encode()
    headers = [(b"host", b"testserver"), (b"content-type", b"application/json")]
    if forwarded_for is not None:
        headers.append((b"x-forwarded-for", forwarded_for.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": (peer, 50000),
        "server": ("testserver", 80),
        "extensions": {},
    }
    sent: list[dict[str, Any]] = []
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": data, "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await server.client.app(scope, receive, send)
    return sent


def _answer(sent: list[dict[str, Any]]) -> Answer:
    start = sent[0]
    payload = b"".join(m.get("body", b"") for m in sent[1:])
    return Answer(
        status=start["status"],
        headers={k.decode().lower(): v.decode() for k, v in start["headers"]},
        body=json.loads(payload) if payload else {},
    )


def test_an_untrusted_peer_rotating_x_forwarded_for_stays_limited(
    server_factory: Callable[..., Server],
) -> None:
    # A proxy is trusted, but not this peer: its header is anyone's writing.
    server = server_factory(
        rates={"log-in": Rate(3, 60)}, trusted_proxies=(ip_network("10.0.0.0/8"),)
    )

    answers = [
        post_from(server, "203.0.113.9", "/api/v1/sessions", WRONG, f"198.51.100.{i}").status
        for i in range(6)
    ]

    assert answers == [401, 401, 401, 429, 429, 429]


def test_a_trusted_proxys_clients_are_limited_each_on_their_own(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(
        rates={"log-in": Rate(3, 60)},
        trusted_proxies=(ip_network("127.0.0.1/32"),),
        # Counted per address here, not per phone.
        log_in_guesses=GuessPolicy(free_failures=1000),
    )

    def log_in_via_proxy(forwarded_for: str) -> int:
        return post_from(server, "127.0.0.1", "/api/v1/sessions", WRONG, forwarded_for).status

    three_clients = [log_in_via_proxy(f"198.51.100.{c}") for c in (1, 2, 3) for _ in range(3)]
    # A client writing its own X-Forwarded-For: the proxy appends the real address,
    # and the walk from the right stops there.
    forged = log_in_via_proxy("192.0.2.77, 198.51.100.1")
    fourth_of_another = log_in_via_proxy("198.51.100.2")

    assert three_clients == [401] * 9
    assert forged == 429
    assert fourth_of_another == 429
    assert log_in_via_proxy("198.51.100.4") == 401


def test_forty_wrong_passwords_from_forty_addresses_then_the_right_one_waits_out_the_delay(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(
        log_in_guesses=GuessPolicy(
            free_failures=5, first_delay_seconds=2, max_delay_seconds=600, memory_seconds=3600
        )
    )
    server.account(PHONE, Grant(Role.ADMINISTRATOR))

    wrong = [
        post_from(server, f"203.0.113.{i}", "/api/v1/sessions", WRONG).status for i in range(40)
    ]
    right = post_from(server, "198.51.100.1", "/api/v1/sessions", RIGHT)

    # Five free failures, a sixth that starts a delay, then nothing is even tried.
    assert wrong == [401] * 6 + [429] * 34
    assert right.status == 429
    assert right.body["code"] == "log-in-delayed"
    assert right.headers["retry-after"] == "2"
    # Another phone is not held up by this one's delay.
    other_phone = {**WRONG, "phone": "13600000002"}
    assert post_from(server, "203.0.113.1", "/api/v1/sessions", other_phone).status == 401

    server.clock.advance(seconds=2)
    assert post_from(server, "203.0.113.50", "/api/v1/sessions", WRONG).status == 401
    grown = post_from(server, "198.51.100.1", "/api/v1/sessions", RIGHT)
    assert (grown.status, grown.headers["retry-after"]) == (429, "4")

    server.clock.advance(seconds=4)
    assert post_from(server, "198.51.100.1", "/api/v1/sessions", RIGHT).status == 201
    # A success forgets the failures: the owner starts from nothing again.
    assert post_from(server, "203.0.113.51", "/api/v1/sessions", WRONG).status == 401
    assert post_from(server, "198.51.100.1", "/api/v1/sessions", RIGHT).status == 201


def test_wrong_passwords_sent_all_at_once_get_no_more_tries_than_sent_one_by_one(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(
        log_in_guesses=GuessPolicy(
            free_failures=5, first_delay_seconds=2, max_delay_seconds=600, memory_seconds=3600
        ),
        password_hashing_slots=1,
        password_hashing_wait=timedelta(seconds=30),
    )
    server.account(PHONE, Grant(Role.ADMINISTRATOR))

    answers = posts_at_once(
        server, [f"203.0.113.{i}" for i in range(40)], "/api/v1/sessions", WRONG
    )

    # Each waits for the one hashing slot; the delay is looked at again once it has
    # one, so a burst is checked no more often than guesses one after another.
    assert sorted(a.status for a in answers) == [401] * 6 + [429] * 34


def test_a_delay_ends_by_itself_however_long_the_guessing_went_on(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(
        log_in_guesses=GuessPolicy(
            free_failures=0, first_delay_seconds=1, max_delay_seconds=8, memory_seconds=60
        )
    )
    server.account(PHONE, Grant(Role.ADMINISTRATOR))

    delays = []
    for _ in range(8):
        answer = post_from(server, "203.0.113.1", "/api/v1/sessions", WRONG)
        assert answer.status == 401
        refused = post_from(server, "203.0.113.1", "/api/v1/sessions", WRONG)
        assert refused.status == 429
        delays.append(int(refused.headers["retry-after"]))
        server.clock.advance(seconds=delays[-1])

    assert delays == [1, 2, 4, 8, 8, 8, 8, 8]
    assert post_from(server, "198.51.100.1", "/api/v1/sessions", RIGHT).status == 201


def test_health_is_not_held_to_the_default_per_address_limit(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(rates={"default": Rate(2, 60)})

    answers = [server.client.get("/health").status_code for _ in range(5)]
    others = [server.client.get("/problems/rate-limited").status_code for _ in range(3)]

    assert answers == [200] * 5
    assert others == [200, 200, 429]


def test_log_ins_beyond_the_hashing_slots_wait_briefly_then_answer_503(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(password_hashing_slots=1, password_hashing_wait=timedelta(0))
    server.account(PHONE, Grant(Role.ADMINISTRATOR))
    slots = server.client.app.state.api.hashing

    with server.client.portal() as portal:
        portal.call(slots.acquire)
        try:
            busy = server.client.post("/api/v1/sessions", json=RIGHT)
        finally:
            portal.call(slots.release)
    after = server.client.post("/api/v1/sessions", json=RIGHT)

    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "1"
    assert problem(busy)["code"] == "busy"
    assert after.status_code == 201


@pytest.mark.parametrize("server_factory", ["embedded"], indirect=True)
def test_registration_is_limited_per_real_client_behind_a_trusted_proxy(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(
        rates={"register": Rate(1, 600)}, trusted_proxies=(ip_network("10.0.0.0/8"),)
    )
    body = {"name": "李明", "phone": "12", "password": PASSWORD, "birth_date": "2004-05-04"}

    # Refused as bad input, but counted: the limit comes first.
    first = post_from(server, "10.1.2.3", "/api/v1/volunteers", body, "198.51.100.1")
    second_client = post_from(server, "10.1.2.3", "/api/v1/volunteers", body, "198.51.100.2")
    again = post_from(server, "10.9.9.9", "/api/v1/volunteers", body, "198.51.100.1")

    assert (first.status, second_client.status) == (400, 400)
    assert again.status == 429
