"""``grassroots users create``: accounts for staff, cadres, supervisors, administrators.

The first administrator can only be made here (the admin endpoint needs one).
The password is asked for without echo, or read from standard input when it
is not a terminal (``printf '%s\\n' "$PASSWORD" | grassroots users create ...``),
never from the command line, where other users of the machine could see it.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Sequence
from typing import TextIO
from uuid import UUID

from grassroots.bootstrap import build_application
from grassroots.domain.account import Grant, Role
from grassroots.domain.errors import CodedError
from grassroots.settings import Settings

__all__ = ["create_user", "parse_grant"]


def parse_grant(text: str) -> Grant:
    """``administrator`` or ``<role>:<record id>`` (``center_staff:6f1c…``)."""
    role_name, _, subject = text.partition(":")
    try:
        role = Role(role_name)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {role_name!r} (known: {known})") from None
    try:
        return Grant(role, UUID(subject) if subject else None)
    except (ValueError, CodedError) as e:
        raise ValueError(f"{text!r}: {e}") from None


def _read_password(stdin: TextIO) -> str:
    if stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise ValueError("the two passwords differ")
        return first
    return stdin.readline().rstrip("\n")


def create_user(
    settings: Settings,
    *,
    phone: str,
    name: str,
    grants: Sequence[str],
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
) -> int:
    try:
        parsed = [parse_grant(g) for g in grants]
        password = _read_password(stdin)
    except ValueError as e:
        print(f"grassroots users create: {e}", file=stderr)
        return 2
    application = build_application(settings)
    try:
        account_id = application.open_account(
            phone=phone, name=name, password=password, grants=parsed
        )
    except CodedError as e:
        print(f"grassroots users create: {e.message} ({e.code})", file=stderr)
        return 1
    finally:
        application.close()
    print(account_id, file=stdout)
    return 0
