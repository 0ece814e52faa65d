"""(Filled in by its issue work.)"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

__all__ = ["ROUTES"]

ROUTES: list[ControllerRouterHandler] = []
