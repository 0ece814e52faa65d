"""Whose records a caller may touch: checked on every object read or written.

Role guards (``auth.requires``) say which kinds of caller reach a route; the
checks here say which *records* they reach there. A record outside the
caller's scope answers exactly like a record that does not exist (404), so
ids cannot be probed for existence.

The checks read the write side (aggregates), not the read models: a center
moved to another township is in its new supervisor's scope at once.

All functions block; call them through ``Api.read``/``Api.write`` or ``in_thread``.
"""

from __future__ import annotations

from uuid import UUID

from grassroots.api.auth import Caller
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.activity import Activity
from grassroots.domain.cadre import Cadre
from grassroots.domain.center import Center
from grassroots.domain.experience import ExperiencePost, reaches_member
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.problem import Problem
from grassroots.domain.volunteer import Volunteer

__all__ = [
    "in_unit_scope",
    "member_units",
    "require_activity",
    "require_cadre",
    "require_center",
    "require_experience_post",
    "require_point",
    "require_problem",
    "require_unit",
    "require_volunteer",
    "supervises",
]


def supervises(app: Grassroots, caller: Caller, org_unit_id: UUID) -> bool:
    """Whether the caller supervises this unit (it or one of its ancestors is theirs)."""
    units = caller.subjects(Role.SUPERVISOR)
    if not units:
        return False
    if org_unit_id in units:
        return True
    try:
        return any(u in units for u in app.ancestry(org_unit_id))
    except NotFound:
        return False


def in_unit_scope(app: Grassroots, caller: Caller, org_unit_id: UUID) -> bool:
    return caller.is_administrator or supervises(app, caller, org_unit_id)


def require_unit(app: Grassroots, caller: Caller, org_unit_id: UUID) -> OrgUnit:
    """An org unit the caller supervises (administrators: any that exists)."""
    if not in_unit_scope(app, caller, org_unit_id):
        raise NotFound("org_unit", org_unit_id)
    return app.get(OrgUnit, org_unit_id)


def require_center(app: Grassroots, caller: Caller, center_id: UUID) -> Center:
    """A center the caller staffs or supervises."""
    center = app.get(Center, center_id)
    if center_id in caller.subjects(Role.CENTER_STAFF):
        return center
    if in_unit_scope(app, caller, center.org_unit_id):
        return center
    raise NotFound("center", center_id)


def require_activity(app: Grassroots, caller: Caller, activity_id: UUID) -> Activity:
    """An activity of a center the caller staffs or supervises."""
    activity = app.get(Activity, activity_id)
    try:
        require_center(app, caller, activity.center_id)
    except NotFound:
        raise NotFound("activity", activity_id) from None
    return activity


def require_volunteer(app: Grassroots, caller: Caller, volunteer_id: UUID) -> Volunteer:
    """The caller's own volunteer record, or one in a unit they supervise."""
    volunteer = app.get(Volunteer, volunteer_id)
    if volunteer_id in caller.subjects(Role.VOLUNTEER):
        return volunteer
    if in_unit_scope(app, caller, volunteer.org_unit_id):
        return volunteer
    raise NotFound("volunteer", volunteer_id)


def require_cadre(app: Grassroots, caller: Caller, cadre_id: UUID) -> Cadre:
    """The caller's own cadre record, or one in a unit they supervise."""
    cadre = app.get(Cadre, cadre_id)
    if cadre_id in caller.subjects(Role.CADRE):
        return cadre
    if in_unit_scope(app, caller, cadre.org_unit_id):
        return cadre
    raise NotFound("cadre", cadre_id)


def require_point(app: Grassroots, caller: Caller, point_id: UUID) -> GrassrootsPoint:
    """A grassroots point assigned to the calling cadre, or in a unit they supervise."""
    point = app.get(GrassrootsPoint, point_id)
    for cadre_id in caller.subjects(Role.CADRE):
        try:
            if point_id in app.get(Cadre, cadre_id).point_ids:
                return point
        except NotFound:
            continue
    if in_unit_scope(app, caller, point.org_unit_id):
        return point
    raise NotFound("grassroots_point", point_id)


def require_problem(app: Grassroots, caller: Caller, problem_id: UUID) -> Problem:
    """A problem the caller raised, or one routed to a unit they supervise."""
    problem = app.get(Problem, problem_id)
    if problem.cadre_id in caller.subjects(Role.CADRE):
        return problem
    if in_unit_scope(app, caller, problem.org_unit_id):
        return problem
    raise NotFound("problem", problem_id)


def member_units(app: Grassroots, caller: Caller) -> list[UUID]:
    """The org units the caller belongs to as a cadre (the cadre's unit) or as center
    staff (the center's unit), in a stable order; records since removed are left out."""
    units: list[UUID] = []
    for subject_id in sorted(caller.subjects(Role.CADRE)):
        try:
            units.append(app.get(Cadre, subject_id).org_unit_id)
        except NotFound:
            continue
    for subject_id in sorted(caller.subjects(Role.CENTER_STAFF)):
        try:
            units.append(app.get(Center, subject_id).org_unit_id)
        except NotFound:
            continue
    return list(dict.fromkeys(units))


def require_experience_post(app: Grassroots, caller: Caller, post_id: UUID) -> ExperiencePost:
    """A post the caller wrote, one of a unit they supervise, or, while it is shown
    (not withdrawn nor hidden), one of their own unit or a unit above it."""
    post = app.get(ExperiencePost, post_id)
    if post.author_id == caller.account_id or in_unit_scope(app, caller, post.org_unit_id):
        return post
    if not (post.is_withdrawn or post.is_hidden):
        for unit in member_units(app, caller):
            if reaches_member(post.org_unit_id, unit, app.ancestry(unit)):
                return post
    raise NotFound("experience_post", post_id)
