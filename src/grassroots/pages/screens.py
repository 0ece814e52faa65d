"""The screens each role opens from the first screen, and who may open them.

A screen belongs to one role; whether a caller holds it is the API's own check
(``grassroots.api.auth.holds_any``: administrators hold every role).
"""

from __future__ import annotations

from dataclasses import dataclass

from grassroots.api.auth import Caller, holds_any
from grassroots.domain.account import Role

__all__ = ["SCREENS", "Screen", "screens_for"]


@dataclass(frozen=True)
class Screen:
    key: str
    role: Role

    @property
    def path(self) -> str:
        return f"/{self.key}/"


SCREENS = (
    Screen("m", Role.VOLUNTEER),
    Screen("desk", Role.CENTER_STAFF),
    Screen("cadre", Role.CADRE),
    Screen("dispatch", Role.SUPERVISOR),
    Screen("admin", Role.ADMINISTRATOR),
)


def screens_for(caller: Caller) -> list[Screen]:
    return [screen for screen in SCREENS if holds_any(caller, [screen.role])]
