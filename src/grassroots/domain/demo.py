"""The mark a demo store carries: this organisation is made up, and who may log in.

``grassroots demo`` writes it first, before any other event of the demo, and
only into an empty store; its id is fixed, so a store holds at most one and a
second load racing the first is refused by the store itself. It lists the demo
accounts (role, phone, name, what each shows) so the first screen can offer
them; the password is the demo's fixed one and is never recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from grassroots.domain.values import derived_id, require_aware

__all__ = ["DEMO_ORGANISATION_ID", "DemoAccount", "DemoOrganisation"]

DEMO_ORGANISATION_ID = derived_id("demo-organisation")


@dataclass(frozen=True)
class DemoAccount:
    """One account of the demo, as the first screen lists it."""

    role: str
    phone: str
    name: str
    shows: str

    def as_record(self) -> dict[str, str]:
        return {"role": self.role, "phone": self.phone, "name": self.name, "shows": self.shows}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> DemoAccount:
        return cls(
            role=str(record["role"]),
            phone=str(record["phone"]),
            name=str(record["name"]),
            shows=str(record["shows"]),
        )


class DemoOrganisation(Aggregate):
    class Loaded(Aggregate.Created):
        name: str
        accounts: list[dict[str, str]]
        at: datetime

    @staticmethod
    def create_id(**_: Any) -> UUID:
        return DEMO_ORGANISATION_ID

    @classmethod
    def load(cls, *, name: str, accounts: list[DemoAccount], at: datetime) -> DemoOrganisation:
        return cls(name=name, accounts=[a.as_record() for a in accounts], at=require_aware(at))

    @event(Loaded)
    def __init__(self, name: str, accounts: list[dict[str, str]], at: datetime) -> None:
        self.name = name
        self.accounts = [DemoAccount.from_record(a) for a in accounts]
        self.loaded_at = at
