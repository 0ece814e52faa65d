"""Cadres in the field: visits to grassroots points, the "1+100" list, their "8+4"
standing, and the problems (问题反馈) they bring back. One module per resource;
the three views named here keep the component names the OpenAPI document gave
them before the split.

The cadre a route acts for is always the caller's own cadre record, never one
named in the body. Visits and contacts are read from the write side (the
aggregate is the record, and it is current the moment a write returns);
standing, coverage and the open-problem list come from the read models, after
the caller's own writes have reached them.
"""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from grassroots.api.cadres.contacts import ContactView, MyContactsController
from grassroots.api.cadres.point_codes import PointCodeController
from grassroots.api.cadres.raised_problems import (
    OpenProblemView,
    ProblemController,
    UnitProblemsController,
)
from grassroots.api.cadres.standing import CadreController, MyStandingController, RulesView
from grassroots.api.cadres.visits import VisitController

__all__ = [
    "ROUTES",
    "CadreController",
    "ContactView",
    "MyContactsController",
    "MyStandingController",
    "OpenProblemView",
    "PointCodeController",
    "ProblemController",
    "RulesView",
    "UnitProblemsController",
    "VisitController",
]

ROUTES: list[ControllerRouterHandler] = [
    VisitController,
    PointCodeController,
    MyContactsController,
    MyStandingController,
    CadreController,
    ProblemController,
    UnitProblemsController,
]
