"""A seeded, realistic history of grassroots work, written through the domain.

Tests use it to check that a rebuilt read model equals the incrementally built
one over thousands of events, and the benchmarks use it to fill a log. Every
change goes through the aggregates' own commands (so every invariant holds) at
explicit instants, and is saved in batches of aggregates per transaction.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from grassroots.application.core import Core
from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance
from grassroots.domain.cadre import Cadre, CadreKind
from grassroots.domain.center import Center
from grassroots.domain.crediting import CreditPolicy
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.domain.problem import Problem
from grassroots.domain.values import GeoPoint
from grassroots.domain.visit import QrProof, Visit
from grassroots.domain.volunteer import Volunteer

__all__ = ["HistoryShape", "generate_history"]

POLICY = CreditPolicy()
FIRST_MONDAY = datetime(2026, 1, 4, 16, 0, tzinfo=UTC)  # Monday 00:00 in Asia/Shanghai
BASE = GeoPoint(40.8426, 111.7492)


@dataclass(frozen=True)
class HistoryShape:
    weeks: int = 8
    townships: int = 2
    villages_per_township: int = 2
    volunteers: int = 60
    cadres: int = 6
    activities_per_center_week: int = 2
    attendance_share: float = 0.6


@dataclass
class _Writer:
    app: Core
    batch: int
    pending: dict[UUID, Aggregate] = field(default_factory=dict)
    saved_events: int = 0
    progress: Callable[[int], None] | None = None

    def add(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            self.pending[aggregate.id] = aggregate
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            recordings = self.app.save(*self.pending.values())
            self.saved_events += len(recordings)
            self.pending.clear()
            if self.progress is not None:
                self.progress(self.saved_events)


def generate_history(
    app: Core,
    *,
    seed: int,
    shape: HistoryShape | None = None,
    batch: int = 200,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the history into ``app``'s event store; the number of events written."""
    shape = shape or HistoryShape()
    rng = random.Random(seed)
    out = _Writer(app, batch, progress=progress)
    at = FIRST_MONDAY - timedelta(days=7)

    region = OrgUnit.create(
        name="内蒙古自治区", level=OrgLevel.REGION, parent_id=None, parent_level=None, at=at
    )
    city = _child(region, "呼和浩特市", OrgLevel.CITY, at)
    county = _child(city, "新城区", OrgLevel.COUNTY, at)
    out.add(region, city, county)
    centers: list[Center] = []
    points: list[GrassrootsPoint] = []
    for t in range(shape.townships):
        township = _child(county, f"街道 {t}", OrgLevel.TOWNSHIP, at)
        out.add(township)
        for v in range(shape.villages_per_township):
            village = _child(township, f"社区 {t}-{v}", OrgLevel.VILLAGE, at)
            place = GeoPoint(BASE.lat + 0.01 * t, BASE.lon + 0.01 * v)
            center = Center.register(
                name=f"青年之家 {t}-{v}",
                org_unit_id=village.id,
                address=f"东风路 {t}-{v} 号",
                location=place,
                geofence_radius_m=150,
                at=at,
            )
            point = GrassrootsPoint.designate(
                name=f"联系点 {t}-{v}",
                org_unit_id=village.id,
                location=place,
                geofence_radius_m=300,
                center_id=center.id,
                at=at,
            )
            centers.append(center)
            points.append(point)
            out.add(village, center, point)

    volunteers = []
    for i in range(shape.volunteers):
        volunteer, claim = Volunteer.register(
            name=f"志愿者{i}",
            phone=f"139{seed % 1000:03d}{i:05d}",
            birth_date=date(1995 + i % 10, 1 + i % 12, 1 + i % 28),
            org_unit_id=rng.choice(centers).org_unit_id,
            at=at,
        )
        volunteers.append(volunteer)
        out.add(volunteer, claim)

    cadres = []
    for i in range(shape.cadres):
        cadre = Cadre.register(
            name=f"团干部{i}",
            kind=rng.choice(list(CadreKind)),
            org_unit_id=county.id,
            point_ids=[points[i % len(points)].id],
            at=at,
        )
        for j in range(rng.randint(0, 5)):
            cadre.add_contact(
                name=f"青年{i}-{j}", phone=f"137{i:03d}{j:05d}", walk_of_life="学生", at=at
            )
        cadres.append(cadre)
        out.add(cadre)

    for week in range(shape.weeks):
        monday = FIRST_MONDAY + timedelta(days=7 * week)
        for center in centers:
            for _ in range(shape.activities_per_center_week):
                _run_activity(out, rng, center, volunteers, monday, shape)
        for cadre in cadres:
            for _ in range(rng.randint(0, 2)):
                _visit(out, rng, cadre, points, monday)
    out.flush()
    return out.saved_events


def _child(parent: OrgUnit, name: str, level: OrgLevel, at: datetime) -> OrgUnit:
    return OrgUnit.create(
        name=name, level=level, parent_id=parent.id, parent_level=parent.level, at=at
    )


def _run_activity(
    out: _Writer,
    rng: random.Random,
    center: Center,
    volunteers: list[Volunteer],
    monday: datetime,
    shape: HistoryShape,
) -> None:
    # Day and hour in local time; some start late on Sunday evening, across the week's edge.
    starts = monday + timedelta(days=rng.randint(0, 6), hours=rng.choice([1, 2, 6, 7, 14, 15]))
    activity = Activity.post(
        center_id=center.id,
        title=rng.choice(["社区环境清洁", "敬老院陪伴", "图书整理", "文明交通引导"]),
        description="志愿服务活动",
        category=rng.choice(["environment", "elderly", "culture", "traffic"]),
        starts_at=starts,
        ends_at=starts + timedelta(minutes=rng.choice([60, 90, 120, 180])),
        capacity=rng.choice([None, 10, 20]),
        location=center.location,
        geofence_radius_m=center.geofence_radius_m,
        location_required=False,
        sign_up_required=True,
        at=starts - timedelta(days=3),
    )
    if rng.random() < 0.05:
        activity.cancel("天气原因取消", at=starts - timedelta(days=1))
        out.add(activity)
        return
    chosen = rng.sample(volunteers, k=min(len(volunteers), rng.randint(3, 15)))
    for volunteer in chosen:
        activity.sign_up(volunteer.id, at=starts - timedelta(days=2))
    out.add(activity)
    for volunteer_id in activity.signed_up:
        if rng.random() > shape.attendance_share:
            continue
        arrive = starts + timedelta(minutes=rng.randint(-25, 30))
        attendance = Attendance.check_in(
            volunteer_id=volunteer_id,
            activity_id=activity.id,
            center_id=center.id,
            scheduled_start=activity.starts_at,
            scheduled_end=activity.ends_at,
            policy=POLICY,
            at=arrive,
            token_step=int(arrive.timestamp()) // 15,
            device_id=f"device-{volunteer_id.hex[:8]}",
        )
        if rng.random() < 0.85:
            leave = activity.ends_at + timedelta(minutes=rng.randint(-60, 40))
            attendance.check_out(at=max(leave, arrive + timedelta(minutes=1)), policy=POLICY)
        else:
            attendance.close_automatically(at=activity.ends_at + timedelta(hours=1), policy=POLICY)
        if rng.random() < 0.1 and attendance.total_minutes >= 15:
            attendance.adjust(
                minutes=-min(15, attendance.total_minutes),
                reason="提前离场，按签到表扣减",
                staff_id=center.id,
                at=activity.ends_at + timedelta(days=1),
            )
        out.add(attendance)


def _visit(
    out: _Writer,
    rng: random.Random,
    cadre: Cadre,
    points: list[GrassrootsPoint],
    monday: datetime,
) -> None:
    assigned = rng.random() < 0.9
    point = next(p for p in points if p.id in cadre.point_ids) if assigned else rng.choice(points)
    starts = monday + timedelta(days=rng.randint(0, 4), hours=rng.randint(0, 8))
    visit = Visit.start(
        cadre_id=cadre.id,
        point_id=point.id,
        point_was_assigned=cadre.is_assigned_to(point.id),
        point_geofence=point.geofence,
        proof=QrProof(token_step=int(starts.timestamp()) // 15),
        at=starts,
    )
    visit.write_log("走访青年，了解需求", at=starts + timedelta(minutes=10))
    touched: list[Aggregate] = [visit]
    if rng.random() < 0.2:
        problem = Problem.raise_problem(
            cadre_id=cadre.id,
            title="活动场地不足",
            description="需要协调场地",
            org_unit_id=point.org_unit_id,
            visit_id=visit.id,
            at=starts + timedelta(minutes=20),
        )
        visit.note_problem(problem_id=problem.id, title=problem.title, at=problem.raised_at)
        if rng.random() < 0.6:
            problem.answer("已协调", answered_by=cadre.id, at=starts + timedelta(days=2))
            problem.close(closed_by=cadre.id, at=starts + timedelta(days=3))
        touched.append(problem)
    visit.end(at=starts + timedelta(minutes=rng.choice([30, 59, 60, 90, 180, 240])))
    out.add(*touched)
