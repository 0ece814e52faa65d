"""Passwords are hashed with the costs docs/architecture.md states (OWASP's argon2id)."""

from __future__ import annotations

from grassroots.application.accounts import password_hasher


def test_passwords_are_hashed_with_owasps_argon2id_costs() -> None:
    hashed = password_hasher().hash("correct horse 42")

    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
