"""`grassroots serve` drops connections that hold it without asking anything: a request
whose head arrives a byte at a time (slowloris), one that never finishes, a kept-alive
connection left idle; and it refuses an oversized request head. Short limits are set
through the settings so each case ends in about a second."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator

import pytest

from tests.e2e.serving import free_port, running_server

# How long a test waits for the server to drop a connection before calling it held.
HELD = 10.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    tmp_path = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GRASSROOTS_")}
    env.update(
        {
            "GRASSROOTS_PORT": str(port),
            "GRASSROOTS_DATA_DIR": str(tmp_path / "var"),
            "GRASSROOTS_REQUEST_TIMEOUT_SECONDS": "1",
            "GRASSROOTS_IDLE_TIMEOUT_SECONDS": "1",
        }
    )
    with running_server(port, env, tmp_path):
        yield "127.0.0.1", port


def _connect(address: tuple[str, int]) -> socket.socket:
    return socket.create_connection(address, timeout=HELD)


def _dropped(connection: socket.socket) -> bool:
    """Whether the server closes the connection (before ``HELD`` seconds pass)."""
    try:
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_a_request_head_sent_a_byte_at_a_time_is_dropped(server: tuple[str, int]) -> None:
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    with _connect(server) as connection:
        dropped = False
        started = time.monotonic()
        try:
            for byte in head:
                connection.sendall(bytes([byte]))
                time.sleep(0.05)
                if time.monotonic() - started > HELD:
                    break
        except (BrokenPipeError, ConnectionResetError):
            dropped = True
        dropped = dropped or _dropped(connection)

    assert dropped


def test_a_request_that_never_finishes_is_dropped(server: tuple[str, int]) -> None:
    with _connect(server) as connection:
        connection.sendall(
            b"POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        assert _dropped(connection)


def test_a_connection_that_sends_nothing_is_dropped(server: tuple[str, int]) -> None:
    with _connect(server) as connection:
        assert _dropped(connection)


def test_an_idle_kept_alive_connection_is_dropped_after_its_answer(
    server: tuple[str, int],
) -> None:
    with _connect(server) as connection:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(65536)

        assert answer.startswith(b"HTTP/1.1 200")
        assert _dropped(connection)


def test_an_oversized_request_head_is_refused(server: tuple[str, int]) -> None:
    with _connect(server) as connection:
        try:
            connection.sendall(
                b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                + b"a" * (1024 * 1024)
                + b"\r\n\r\n"
            )
        except (BrokenPipeError, ConnectionResetError):
            return
        answer = connection.recv(65536)

    assert answer == b"" or answer.startswith(b"HTTP/1.1 400")
