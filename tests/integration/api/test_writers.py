"""At most ``ApiConfig.writers`` commands run at once; reads, and commands that hash a
password, do not wait for them.

Each test holds a command in its thread until released, and looks at what else got
through meanwhile.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grassroots.api.context import Api
from grassroots.bootstrap import SQLITE_WRITERS, api_config
from grassroots.domain.account import Grant, Role
from grassroots.settings import Settings
from tests.integration.api.conftest import PASSWORD, Server

WAIT = 10  # seconds: only a failing test waits this long


class HeldCommands:
    """Commands that record how many ran at once; the one named "held" waits for ``release``."""

    def __init__(self) -> None:
        self.held = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._running = 0
        self.most_at_once = 0
        self.finished: list[str] = []

    def command(self, name: str) -> str:
        with self._lock:
            self._running += 1
            self.most_at_once = max(self.most_at_once, self._running)
        try:
            if name == "held":
                self.held.set()
                assert self.release.wait(WAIT), "the held command was never released"
        finally:
            with self._lock:
                self._running -= 1
                self.finished.append(name)
        return name


@contextmanager
def one_command_held(server: Server, commands: HeldCommands) -> Iterator[Callable[..., Any]]:
    """Starts a command that holds its writer's place until the block ends; yields a
    function that runs a coroutine function on the app's loop meanwhile."""
    api: Api = server.client.app.state.api
    with server.client.portal() as portal:
        held = portal.start_task_soon(api.write, None, commands.command, "held")
        assert commands.held.wait(WAIT)
        try:
            yield portal.call
        finally:
            commands.release.set()
            assert held.result(WAIT) == "held"


def test_a_command_beyond_the_writers_waits_until_one_is_done(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(writers=1)
    api: Api = server.client.app.state.api
    commands = HeldCommands()

    async def second_command() -> tuple[bool, asyncio.Task[str]]:
        task = asyncio.create_task(api.write(None, commands.command, "second"))
        await asyncio.sleep(0.3)
        return task.done(), task

    with one_command_held(server, commands) as on_the_loop:
        done_while_held, second = on_the_loop(second_command)

        async def outcome() -> str:
            return await second

        assert not done_while_held
        commands.release.set()
        assert on_the_loop(outcome) == "second"

    assert commands.finished == ["held", "second"]
    assert commands.most_at_once == 1


def test_reads_and_password_hashing_commands_do_not_wait_for_the_writers(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(writers=1)
    api: Api = server.client.app.state.api
    phone = server.account("13800000031", Grant(Role.ADMINISTRATOR))
    commands = HeldCommands()

    async def beside_the_held_one() -> tuple[str, str]:
        read = await asyncio.wait_for(api.read(None, commands.command, "read"), WAIT)
        hashing = await asyncio.wait_for(api.write_hashing(None, commands.command, "hashing"), WAIT)
        return read, hashing

    with one_command_held(server, commands) as on_the_loop:
        assert on_the_loop(beside_the_held_one) == ("read", "hashing")
        assert commands.most_at_once == 2
        # A log-in writes its session while the one writer's place is taken.
        response = server.client.post(
            "/api/v1/sessions", json={"phone": phone, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        assert not commands.release.is_set()


def test_without_a_bound_commands_run_side_by_side(
    server_factory: Callable[..., Server],
) -> None:
    server = server_factory(writers=None)
    api: Api = server.client.app.state.api
    commands = HeldCommands()

    async def another() -> str:
        return await asyncio.wait_for(api.write(None, commands.command, "another"), WAIT)

    with one_command_held(server, commands) as on_the_loop:
        assert on_the_loop(another) == "another"

    assert commands.most_at_once == 2


def test_sqlite_is_given_two_writers_and_postgresql_no_bound(tmp_path: Path) -> None:
    env = {"GRASSROOTS_SECRET_KEY": "s" * 48, "GRASSROOTS_DATA_DIR": str(tmp_path)}
    sqlite = api_config(Settings.from_env(env))
    postgres = api_config(
        Settings.from_env(env | {"GRASSROOTS_DATABASE_URL": "postgresql://db.invalid/grassroots"})
    )

    assert sqlite.writers == SQLITE_WRITERS == 2
    assert postgres.writers is None
