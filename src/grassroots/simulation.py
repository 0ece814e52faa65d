"""A seeded, realistic history of grassroots work, written through the domain.

Tests use it to check that a rebuilt read model equals the incrementally built
one over thousands of events, and the benchmarks use it to fill a log. Every
change goes through the aggregates' own commands (so every invariant holds) at
explicit instants, and is saved in batches of aggregates per transaction.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator, Sequence
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

__all__ = ["POLICY", "HistoryShape", "Story", "Timeline", "Writer", "generate_history"]

POLICY = CreditPolicy()
FIRST_MONDAY = datetime(2026, 1, 4, 16, 0, tzinfo=UTC)  # Monday 00:00 in Asia/Shanghai
BASE = GeoPoint(40.8426, 111.7492)
# The history is written straight to the store, not through the application, so its
# phone claims and contacts are keyed by a fixed secret of its own.
_ID_SECRET = b"grassroots simulation, not a secret"


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
class Writer:
    """Saves aggregates in batches, each batch one transaction of the application."""

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
    out = Writer(app, batch, progress=progress)
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
            id_secret=_ID_SECRET,
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
                name=f"青年{i}-{j}",
                phone=f"137{i:03d}{j:05d}",
                walk_of_life="学生",
                at=at,
                id_secret=_ID_SECRET,
            )
        cadres.append(cadre)
        out.add(cadre)

    volunteer_ids = [v.id for v in volunteers]
    share = shape.attendance_share
    timeline = Timeline()
    for week in range(shape.weeks):
        monday = FIRST_MONDAY + timedelta(days=7 * week)
        for center in centers:
            for _ in range(shape.activities_per_center_week):
                starts = monday + timedelta(
                    days=rng.randint(0, 6), hours=rng.choice([1, 2, 6, 7, 14, 15])
                )
                timeline.tell(_activity(timeline, out, rng, center, volunteer_ids, starts, share))
        for cadre in cadres:
            for _ in range(rng.randint(0, 2)):
                starts = monday + timedelta(days=rng.randint(0, 4), hours=rng.randint(0, 8))
                timeline.tell(_visit(out, rng, cadre, points, starts))
    timeline.play()
    out.flush()
    return out.saved_events


# A story is one aggregate's life (an activity, an attendance, a visit), written as
# a generator: it yields the instant of its next step and takes that step when the
# timeline resumes it.
Story = Iterator[datetime]


class Timeline:
    """Plays stories step by step in time order, so the log is in time order too.

    A real log interleaves lives: next week's sign-ups fall between this week's
    check-ins, and a correction comes a day after its check-out. A history saved
    one aggregate's life at a time would let a read model meet every life whole
    in one batch, which it never does in production. Saving stays batched (see
    ``Writer``): a save holds every pending event of up to ``batch`` aggregates,
    so within one save an aggregate's few events sit together, as in a group
    commit.
    """

    def __init__(self) -> None:
        self._queue: list[tuple[datetime, int, Story]] = []
        self._told = 0

    def tell(self, story: Story) -> None:
        """Add a story; its first step runs when the timeline reaches it."""
        self._resume(story)

    def _resume(self, story: Story) -> None:
        at = next(story, None)
        if at is not None:
            # The count breaks ties: equal instants run in the order they were told.
            self._told += 1
            heapq.heappush(self._queue, (at, self._told, story))

    def play(self, until: datetime | None = None) -> None:
        """Take every step in time order; with ``until``, none after it (a story
        whose next step lies in the future stops there, as it would in life)."""
        while self._queue:
            at, _, story = heapq.heappop(self._queue)
            if until is not None and at > until:
                break  # the earliest step left is after it: so is every other one
            self._resume(story)


def _child(parent: OrgUnit, name: str, level: OrgLevel, at: datetime) -> OrgUnit:
    return OrgUnit.create(
        name=name, level=level, parent_id=parent.id, parent_level=parent.level, at=at
    )


def _activity(
    timeline: Timeline,
    out: Writer,
    rng: random.Random,
    center: Center,
    volunteer_ids: Sequence[UUID],
    starts: datetime,
    attendance_share: float,
    regulars: Sequence[UUID] = (),
    regular_share: float = 0.0,
) -> Story:
    """Posted three days ahead; sign-ups, a few withdrawals, maybe a reschedule or a
    cancellation; at the start, an attendance story for each volunteer who comes.

    Each of ``regulars`` signs up with the chance ``regular_share``; others drawn
    from ``volunteer_ids`` take the rest of the places.
    """
    posted_at = starts - timedelta(days=3)
    yield posted_at
    length = timedelta(minutes=rng.choice([60, 90, 120, 180]))
    activity = Activity.post(
        center_id=center.id,
        title=rng.choice(["社区环境清洁", "敬老院陪伴", "图书整理", "文明交通引导"]),
        description="志愿服务活动",
        category=rng.choice(["environment", "elderly", "culture", "traffic"]),
        starts_at=starts,
        ends_at=starts + length,
        capacity=rng.choice([None, 10, 20]),
        location=center.location,
        geofence_radius_m=center.geofence_radius_m,
        location_required=False,
        sign_up_required=True,
        at=posted_at,
    )
    out.add(activity)
    cancel_at = starts - timedelta(days=1) if rng.random() < 0.05 else None
    # Sign-ups spread over the two days after posting; some give their place back.
    places = min(len(volunteer_ids), rng.randint(3, 15))
    coming = [r for r in regulars if rng.random() < regular_share][:places]
    others = [v for v in rng.sample(volunteer_ids, k=places) if v not in coming]
    chosen = coming + others[: places - len(coming)]
    steps: list[tuple[datetime, str, UUID]] = []
    for volunteer_id in chosen:
        signs_up = posted_at + timedelta(minutes=rng.randint(30, 60 * 48))
        steps.append((signs_up, "sign_up", volunteer_id))
        if rng.random() < 0.1:
            steps.append((signs_up + timedelta(hours=rng.randint(1, 20)), "withdraw", volunteer_id))
    if rng.random() < 0.1:
        # Moved a day later before anyone comes: across a week's or a month's edge
        # at times, which moves the activity's figures with it. (A day later keeps
        # every other step of the story before the new start.)
        steps.append((posted_at + timedelta(hours=rng.randint(1, 40)), "reschedule", activity.id))
    for at, step, volunteer_id in sorted(steps, key=lambda s: s[0]):
        if cancel_at is not None and at >= cancel_at:
            break
        yield at
        if step == "sign_up":
            activity.sign_up(volunteer_id, at=at)
        elif step == "withdraw":
            activity.withdraw(volunteer_id, at=at)
        else:
            moved = starts + timedelta(days=1)
            activity.change_details(starts_at=moved, ends_at=moved + length, at=at, policy=POLICY)
        out.add(activity)
    if cancel_at is not None:
        yield cancel_at
        activity.cancel("天气原因取消", at=cancel_at)
        out.add(activity)
        return
    yield activity.starts_at - timedelta(minutes=30)
    for volunteer_id in activity.signed_up:
        if rng.random() <= attendance_share:
            timeline.tell(_attendance(out, rng, center, activity, volunteer_id))
        elif rng.random() < 0.05:
            timeline.tell(_added_by_staff(out, rng, center, activity, volunteer_id))


def _attendance(
    out: Writer, rng: random.Random, center: Center, activity: Activity, volunteer_id: UUID
) -> Story:
    """A scan in, a scan out (or none, and an automatic close), now and then a correction."""
    arrive = activity.starts_at + timedelta(minutes=rng.randint(-25, 30))
    yield arrive
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
    out.add(attendance)
    if rng.random() < 0.85:
        leave = max(
            activity.ends_at + timedelta(minutes=rng.randint(-60, 40)),
            arrive + timedelta(minutes=1),
        )
        yield leave
        attendance.check_out(at=leave, policy=POLICY)
    else:
        closes = activity.ends_at + timedelta(hours=1)
        yield closes
        attendance.close_automatically(at=closes, policy=POLICY)
    out.add(attendance)
    if rng.random() < 0.1 and attendance.total_minutes >= 15:
        corrected = activity.ends_at + timedelta(days=1)
        yield corrected
        attendance.adjust(
            minutes=-min(15, attendance.total_minutes),
            reason="提前离场，按签到表扣减",
            staff_id=center.id,
            at=corrected,
        )
        out.add(attendance)


def _added_by_staff(
    out: Writer, rng: random.Random, center: Center, activity: Activity, volunteer_id: UUID
) -> Story:
    """Came but never scanned: entered by the center's staff the day after (补录)."""
    entered = activity.ends_at + timedelta(hours=rng.randint(2, 24))
    yield entered
    scheduled = (activity.ends_at - activity.starts_at) // timedelta(minutes=1)
    attendance = Attendance.add_by_staff(
        volunteer_id=volunteer_id,
        activity_id=activity.id,
        center_id=center.id,
        scheduled_start=activity.starts_at,
        scheduled_end=activity.ends_at,
        minutes=rng.randint(scheduled // 2, scheduled),
        reason="忘记扫码，按签到表补录",
        staff_id=center.id,
        at=entered,
    )
    out.add(attendance)


def _visit(
    out: Writer,
    rng: random.Random,
    cadre: Cadre,
    points: list[GrassrootsPoint],
    starts: datetime,
) -> Story:
    """A downtime visit: logged as it goes, sometimes raising a problem answered later."""
    yield starts
    assigned = rng.random() < 0.9
    point = next(p for p in points if p.id in cadre.point_ids) if assigned else rng.choice(points)
    visit = Visit.start(
        cadre_id=cadre.id,
        point_id=point.id,
        point_was_assigned=cadre.is_assigned_to(point.id),
        point_geofence=point.geofence,
        proof=QrProof(token_step=int(starts.timestamp()) // 15),
        at=starts,
    )
    out.add(visit)
    yield starts + timedelta(minutes=10)
    visit.write_log("走访青年，了解需求", at=starts + timedelta(minutes=10))
    out.add(visit)
    problem: Problem | None = None
    if rng.random() < 0.2:
        yield starts + timedelta(minutes=20)
        problem = Problem.raise_problem(
            cadre_id=cadre.id,
            title="活动场地不足",
            description="需要协调场地",
            org_unit_id=point.org_unit_id,
            visit_id=visit.id,
            at=starts + timedelta(minutes=20),
        )
        visit.note_problem(problem_id=problem.id, title=problem.title, at=problem.raised_at)
        out.add(visit, problem)
    ends = starts + timedelta(minutes=rng.choice([30, 59, 60, 90, 180, 240]))
    yield ends
    visit.end(at=ends)
    out.add(visit)
    if problem is not None and rng.random() < 0.6:
        yield starts + timedelta(days=2)
        problem.answer("已协调", answered_by=cadre.id, at=starts + timedelta(days=2))
        out.add(problem)
        yield starts + timedelta(days=3)
        problem.close(closed_by=cadre.id, at=starts + timedelta(days=3))
        out.add(problem)
