"""Whose own writes a public read waits for: only a genuine, unexpired token's account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import jwt
import pytest
from litestar.security.jwt import Token

from grassroots.api.auth import ALGORITHM, ISSUER, bearer_account

SECRET = "s" * 64


class _Connection:
    def __init__(self, authorization: str | None) -> None:
        self.headers = {} if authorization is None else {"Authorization": authorization}


def _token(*, secret: str = SECRET, issuer: str = ISSUER) -> tuple[Any, str]:
    account_id = uuid4()
    now = datetime.now(UTC)
    encoded = Token(
        sub=str(account_id),
        exp=now + timedelta(minutes=10),
        iat=now - timedelta(seconds=1),
        iss=issuer,
    ).encode(secret, ALGORITHM)
    return account_id, encoded


def test_a_genuine_token_names_its_account() -> None:
    account_id, encoded = _token()
    assert bearer_account(_Connection(f"Bearer {encoded}"), SECRET) == account_id  # type: ignore[arg-type]
    assert bearer_account(_Connection(f"bearer  {encoded} "), SECRET) == account_id  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer   ",
        "Bearer not-a-token",
        "Basic {genuine}",
        "Bearer {other_key}",
        "Bearer {other_issuer}",
        "Bearer {genuine}x",
    ],
)
def test_anything_else_names_no_one(authorization: str | None) -> None:
    tokens = {
        "genuine": _token()[1],
        "other_key": _token(secret="t" * 64)[1],
        "other_issuer": _token(issuer="someone-else")[1],
    }
    header = None if authorization is None else authorization.format(**tokens)
    assert bearer_account(_Connection(header), SECRET) is None  # type: ignore[arg-type]


def test_an_expired_token_names_no_one() -> None:
    account_id = uuid4()
    now = datetime.now(UTC)
    # Token refuses to be made already expired; sign the claims directly.
    encoded = jwt.encode(
        {
            "sub": str(account_id),
            "exp": int((now - timedelta(minutes=1)).timestamp()),
            "iat": int((now - timedelta(minutes=20)).timestamp()),
            "iss": ISSUER,
        },
        SECRET,
        algorithm=ALGORITHM,
    )
    assert bearer_account(_Connection(f"Bearer {encoded}"), SECRET) is None  # type: ignore[arg-type]
