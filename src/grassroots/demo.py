"""A made-up county to try every screen with: ``grassroots demo`` on an empty store.

The demo is a clearly marked organisation (示例县（演示）, its townships and
villages, youth centers and grassroots points), a few hundred volunteers,
activities over the past weeks and the next ones with sign-ups, waiting lists
and attendance, cadres of every kind whose visits leave some compliant and some
behind, and problems open and closed. Everything is written as events through
the aggregates' own commands at explicit instants (as ``simulation`` does), so
every rule holds and the read models see an ordinary log; the accounts are
opened through the application.

It is loaded only into an empty store and never in production mode: a real
deployment starts empty. The first event written is the mark
(``DemoOrganisation``): a store holding it is a demo, and ``demo_accounts``
reads the accounts to offer from it.

Who does what, so the screens show every status:

* cadres are *diligent* (two long visits a week), *patchy* (about one a
  week) or *lagging* (a short visit every few weeks, which does not count):
  the diligent meet the "8+4" minimums, the lagging miss them;
* a visit now and then raises a problem; older ones are answered and most of
  those closed, recent ones are open;
* activities are posted three days ahead, filled by sign-ups (some full, with
  a waiting list), attended by most who signed up, a few withdrawn or
  cancelled; those of the coming weeks have sign-ups and nothing more.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from grassroots.application.errors import ConcurrentChange
from grassroots.application.service import Grassroots
from grassroots.domain.account import Grant, Role
from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance
from grassroots.domain.cadre import Cadre, CadreKind
from grassroots.domain.center import Center
from grassroots.domain.demo import DEMO_ORGANISATION_ID, DemoAccount, DemoOrganisation
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.domain.presence import CheckedInElsewhere, Presence
from grassroots.domain.problem import Problem
from grassroots.domain.values import DEFAULT_TIME_ZONE, GeoPoint
from grassroots.domain.visit import QrProof, Visit
from grassroots.domain.volunteer import Volunteer
from grassroots.simulation import Story, Timeline, Writer

__all__ = [
    "DEMO_COUNTY_NAME",
    "DEMO_PASSWORD",
    "DemoAccount",
    "DemoLoaded",
    "DemoRefused",
    "DemoShape",
    "demo_accounts",
    "is_demo",
    "load_demo",
]

DEMO_COUNTY_NAME = "示例县（演示）"
# Public on purpose: it is printed, shown on the first screen and in docs/demo.md.
DEMO_PASSWORD = "grassroots-demo"

_ZONE = ZoneInfo(DEFAULT_TIME_ZONE)
_BASE = GeoPoint(40.8426, 111.7492)
_TOWNSHIPS = ("东风镇", "红旗镇", "团结乡", "新华镇")
_VILLAGES = ("光明村", "前进村", "和平村", "幸福村", "胜利村", "长青村", "丰收村", "建设村")
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = (
    "伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "婷", "宇", "浩", "欣怡", "子涵", "梓轩", "雨桐",
    "博文", "佳怡", "思远", "晓东", "海燕", "志强", "丽娟", "建华", "文静", "晨曦", "天宇",
)  # fmt: skip
_ACTIVITIES = (
    ("社区环境清洁", "environment", "清理公共区域垃圾，请穿运动鞋、带手套"),
    ("敬老院陪伴", "elderly", "陪老人聊天、读报，帮助整理房间"),
    ("图书角整理", "culture", "整理青年之家图书角，登记新到图书"),
    ("文明交通引导", "traffic", "早高峰路口引导行人文明过马路"),
    ("留守儿童课业辅导", "education", "辅导小学生完成作业"),
    ("反诈宣传进社区", "publicity", "发放反诈骗宣传材料，讲解常见骗局"),
)
_VISIT_LOGS = (
    "走访青年，了解就业需求",
    "与村团支部书记交流近期工作",
    "召开青年座谈会，收集意见建议",
    "了解返乡青年创业情况",
    "走访困难青年家庭",
)
_PROBLEMS = (
    ("活动场地不足", "青年之家活动室面积小，周末活动人多时容纳不下"),
    ("缺少电脑设备", "返乡青年参加线上培训缺少电脑"),
    ("就业信息不畅", "青年反映招聘信息获取渠道少，希望定期发布"),
    ("路灯损坏", "村口路灯损坏，夜间活动结束后回家不安全"),
    ("培训需求", "多名青年希望参加电商直播培训"),
)
_WALKS_OF_LIFE = ("学生", "返乡青年", "外出务工青年", "个体经营者", "村医", "教师")


class DemoRefused(Exception):
    """The demo was not loaded: the store has events, or the server runs in production."""


@dataclass(frozen=True)
class DemoShape:
    townships: int = 3
    villages_per_township: int = 3
    centers: int = 5
    volunteers: int = 300
    weeks_past: int = 8
    weeks_ahead: int = 2
    activities_per_center_week: int = 3
    cadres_per_kind: int = 4


@dataclass(frozen=True)
class DemoLoaded:
    """What the demo wrote: its accounts, the events, and the time it took."""

    accounts: list[DemoAccount]
    county_id: UUID
    events: int
    seconds: float
    volunteers: int
    activities: int
    cadres: int
    visits: int
    problems: int


def is_demo(app: Grassroots) -> bool:
    """Whether this store holds the demo organisation."""
    return app.exists(DEMO_ORGANISATION_ID)


def demo_accounts(app: Grassroots) -> list[DemoAccount]:
    """The demo accounts to offer on the first screen (none on a real store).

    Each logs in with ``DEMO_PASSWORD``.
    """
    if not is_demo(app):
        return []
    return list(app.get(DemoOrganisation, DEMO_ORGANISATION_ID).accounts)


# The accounts the demo opens; their records are picked while the county is built.
_ACCOUNTS = (
    DemoAccount(Role.ADMINISTRATOR.value, "19900000001", "赵管理", "管理组织、青年之家与账号"),
    DemoAccount(Role.SUPERVISOR.value, "19900000002", "钱督导", "示例县的周调度、月通报与问题"),
    DemoAccount(Role.CENTER_STAFF.value, "19900000003", "孙工作", "青年之家前台：活动、签到屏"),
    DemoAccount(Role.CADRE.value, "19900000004", "李勤奋", "达标的团干部：走访、问题、8+4 进度"),
    DemoAccount(Role.CADRE.value, "19900000005", "周滞后", "进度滞后的团干部"),
    DemoAccount(Role.VOLUNTEER.value, "19900000006", "吴小青", "志愿者：报名、扫码签到、服务时长"),
)  # fmt: skip


def load_demo(
    app: Grassroots,
    *,
    production: bool = False,
    shape: DemoShape | None = None,
    seed: int = 2026,
    progress: Callable[[int], None] | None = None,
) -> DemoLoaded:
    """Write the demo organisation into ``app``'s empty store, up to ``app.now()``.

    Raises ``DemoRefused`` in production mode or when the store has any event.
    """
    if production:
        raise DemoRefused("production mode never holds the demo organisation")
    if (app.recorder.max_notification_id() or 0) > 0:
        raise DemoRefused("the store already has events; the demo is loaded only into an empty one")
    started = time.monotonic()
    builder = _Builder(app, shape or DemoShape(), random.Random(seed), progress)
    builder.mark()
    builder.build_county()
    builder.open_accounts()
    builder.play()
    return DemoLoaded(
        accounts=list(_ACCOUNTS),
        county_id=builder.county.id,
        events=app.recorder.max_notification_id() or 0,
        seconds=time.monotonic() - started,
        volunteers=len(builder.volunteers),
        activities=builder.activities,
        cadres=len(builder.cadres),
        visits=builder.visits,
        problems=builder.problems,
    )


@dataclass
class _Cadre:
    cadre: Cadre
    pace: str  # "diligent", "patchy" or "lagging"


class _Builder:
    def __init__(
        self,
        app: Grassroots,
        shape: DemoShape,
        rng: random.Random,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.app = app
        self.shape = shape
        self.rng = rng
        self.now = app.now()
        self.policy = app.config.credit_policy
        self.out = Writer(app, batch=500, progress=progress)
        self.timeline = Timeline()
        this_monday = _local_monday(self.now)
        self.first_monday = this_monday - timedelta(weeks=shape.weeks_past)
        self.founded = self.first_monday - timedelta(days=14)
        self.villages: list[OrgUnit] = []
        self.centers: list[Center] = []
        self.points: list[GrassrootsPoint] = []
        self.volunteers: list[Volunteer] = []
        self.cadres: list[_Cadre] = []
        self.presences: dict[UUID, Presence] = {}
        self.activities = 0
        self.visits = 0
        self.problems = 0
        self.demo_volunteer: Volunteer | None = None
        self.staff_account = self.supervisor_account = DEMO_ORGANISATION_ID

    def mark(self) -> None:
        """The mark goes first: a load racing this one fails on its fixed id."""
        marker = DemoOrganisation.load(name=DEMO_COUNTY_NAME, accounts=list(_ACCOUNTS), at=self.now)
        try:
            self.app.commit(marker)
        except ConcurrentChange as raced:
            raise DemoRefused("another demo is being loaded into this store") from raced

    def build_county(self) -> None:
        at, shape, rng = self.founded, self.shape, self.rng
        region = OrgUnit.create(
            name="示例自治区（演示）",
            level=OrgLevel.REGION,
            parent_id=None,
            parent_level=None,
            at=at,
        )
        city = _child(region, "示例市（演示）", OrgLevel.CITY, at)
        self.county = _child(city, DEMO_COUNTY_NAME, OrgLevel.COUNTY, at)
        self.out.add(region, city, self.county)
        self.townships = []
        for t in range(shape.townships):
            township = _child(self.county, _TOWNSHIPS[t % len(_TOWNSHIPS)], OrgLevel.TOWNSHIP, at)
            self.townships.append(township)
            self.out.add(township)
            for v in range(shape.villages_per_township):
                name = _VILLAGES[(t * shape.villages_per_township + v) % len(_VILLAGES)]
                village = _child(township, name, OrgLevel.VILLAGE, at)
                self.villages.append(village)
                self.out.add(village)
        for i, village in enumerate(self.villages):
            place = GeoPoint(_BASE.lat + 0.02 * (i // 3), _BASE.lon + 0.02 * (i % 3))
            center = None
            if len(self.centers) < shape.centers:
                center = Center.register(
                    name=f"{village.name}青年之家",
                    org_unit_id=village.id,
                    address=f"示例县{village.name}村委会院内",
                    location=place,
                    geofence_radius_m=200,
                    at=at,
                )
                self.centers.append(center)
                self.out.add(center)
            point = GrassrootsPoint.designate(
                name=f"{village.name}团员青年联系点",
                org_unit_id=village.id,
                location=place,
                geofence_radius_m=300,
                center_id=None if center is None else center.id,
                at=at,
            )
            self.points.append(point)
            self.out.add(point)
        for i in range(shape.volunteers):
            self.volunteers.append(self._volunteer(_person(rng), f"1990001{i:04d}"))
        self.demo_volunteer = self._volunteer(_ACCOUNTS[5].name, _ACCOUNTS[5].phone)
        self.volunteers.append(self.demo_volunteer)
        paces = ("diligent", "patchy", "lagging", "diligent")
        for kind in CadreKind:
            for j in range(shape.cadres_per_kind):
                self.cadres.append(self._cadre(kind, paces[j % len(paces)], len(self.cadres)))
        self.out.flush()

    def _volunteer(self, name: str, phone: str) -> Volunteer:
        volunteer, claim = Volunteer.register(
            name=name,
            phone=phone,
            birth_date=date(self.rng.randint(1992, 2008), self.rng.randint(1, 12), 15),
            org_unit_id=self.rng.choice(self.villages).id,
            at=self.founded,
            # Keyed like the application's own, so the volunteers' phones can log in.
            id_secret=self.app.config.secret_key,
        )
        self.out.add(volunteer, claim)
        return volunteer

    def _cadre(self, kind: CadreKind, pace: str, index: int) -> _Cadre:
        # Full-time cadres sit at the county, seconded ones in a township, part-time
        # ones in a village; each is assigned the points of their own area.
        if kind is CadreKind.FULL_TIME:
            unit = self.county
            points = self.rng.sample(self.points, k=2)
        elif kind is CadreKind.SECONDED:
            unit = self.townships[index % len(self.townships)]
            points = [p for p in self.points if self._village_of(p).parent_id == unit.id][:2]
        else:
            village = self.villages[index % len(self.villages)]
            unit = village
            points = [p for p in self.points if p.org_unit_id == village.id]
        name = _person(self.rng)
        if index == 0:
            name = _ACCOUNTS[3].name
        elif (kind, pace) == (CadreKind.FULL_TIME, "lagging"):
            name = _ACCOUNTS[4].name
        cadre = Cadre.register(
            name=name,
            kind=kind,
            org_unit_id=unit.id,
            point_ids=[p.id for p in points],
            at=self.founded,
        )
        listed = {"diligent": (8, 15), "patchy": (4, 8), "lagging": (1, 3)}[pace]
        for n in range(self.rng.randint(*listed)):
            cadre.add_contact(
                name=_person(self.rng),
                phone=f"1990002{index:02d}{n:02d}",
                walk_of_life=self.rng.choice(_WALKS_OF_LIFE),
                at=self.founded,
                id_secret=self.app.config.secret_key,
            )
        self.out.add(cadre)
        return _Cadre(cadre, pace)

    def _step(self, at: datetime) -> int:
        """The venue code's time step a scan at ``at`` would have shown."""
        return int(at.timestamp()) // self.app.config.qr_rotation_seconds

    def _village_of(self, point: GrassrootsPoint) -> OrgUnit:
        return next(v for v in self.villages if v.id == point.org_unit_id)

    def open_accounts(self) -> None:
        """Through the application, as an administrator would open them."""
        assert self.demo_volunteer is not None
        diligent = self.cadres[0].cadre
        lagging = next(c.cadre for c in self.cadres if c.cadre.name == _ACCOUNTS[4].name)
        subjects = {
            _ACCOUNTS[0].phone: Grant(Role.ADMINISTRATOR),
            _ACCOUNTS[1].phone: Grant(Role.SUPERVISOR, self.county.id),
            _ACCOUNTS[2].phone: Grant(Role.CENTER_STAFF, self.centers[0].id),
            _ACCOUNTS[3].phone: Grant(Role.CADRE, diligent.id),
            _ACCOUNTS[4].phone: Grant(Role.CADRE, lagging.id),
            _ACCOUNTS[5].phone: Grant(Role.VOLUNTEER, self.demo_volunteer.id),
        }
        ids = {}
        for account in _ACCOUNTS:
            ids[account.phone] = self.app.open_account(
                phone=account.phone,
                name=account.name,
                password=DEMO_PASSWORD,
                grants=[subjects[account.phone]],
            )
        self.staff_account = ids[_ACCOUNTS[2].phone]
        self.supervisor_account = ids[_ACCOUNTS[1].phone]

    def play(self) -> None:
        shape = self.shape
        for week in range(shape.weeks_past + shape.weeks_ahead):
            monday = self.first_monday + timedelta(weeks=week)
            for center in self.centers:
                for _ in range(shape.activities_per_center_week):
                    self.timeline.tell(self._activity(center, monday))
            for cadre in self.cadres:
                for starts, minutes in self._visit_times(cadre.pace, week, monday):
                    self.timeline.tell(self._visit(cadre.cadre, starts, minutes))
        self.timeline.play(until=self.now)
        self.out.flush()

    # --- activities ------------------------------------------------------------

    def _activity(self, center: Center, monday: datetime) -> Story:
        rng = self.rng
        starts = monday + timedelta(days=rng.randint(0, 6), hours=rng.choice([9, 14, 19]))
        # Posted three days ahead; those of the coming weeks already are, by now.
        posted_at = min(
            starts - timedelta(days=3, hours=rng.randint(0, 12)),
            self.now - timedelta(hours=rng.randint(1, 30)),
        )
        yield posted_at
        title, category, description = rng.choice(_ACTIVITIES)
        length = timedelta(minutes=rng.choice([60, 90, 120, 180]))
        capacity = rng.choice([None, 10, 15, 25])
        activity = Activity.post(
            center_id=center.id,
            title=title,
            description=description,
            category=category,
            starts_at=starts,
            ends_at=starts + length,
            capacity=capacity,
            location=center.location,
            geofence_radius_m=center.geofence_radius_m,
            location_required=False,
            sign_up_required=True,
            at=posted_at,
        )
        self.activities += 1
        self.out.add(activity)
        wanted = rng.randint(5, 18) if capacity is None else rng.randint(capacity - 4, capacity + 4)
        chosen = rng.sample(self.volunteers[:-1], k=wanted)
        if self.demo_volunteer is not None and center is self.centers[0] and rng.random() < 0.6:
            chosen.append(self.demo_volunteer)
        window = (starts - posted_at) / timedelta(minutes=1) - 20
        steps: list[tuple[datetime, str, UUID]] = []
        for volunteer in chosen:
            at = posted_at + timedelta(minutes=rng.uniform(10, max(window, 11)))
            steps.append((at, "sign_up", volunteer.id))
            if rng.random() < 0.08:
                later = at + (starts - at) * rng.uniform(0.2, 0.9)
                steps.append((later, "withdraw", volunteer.id))
        cancel_at = starts - timedelta(hours=20) if rng.random() < 0.04 else None
        for at, step, volunteer_id in sorted(steps, key=lambda s: s[0]):
            if cancel_at is not None and at >= cancel_at:
                break
            yield at
            if step == "sign_up":
                activity.sign_up(volunteer_id, at=at)
            else:
                activity.withdraw(volunteer_id, at=at)
            self.out.add(activity)
        if cancel_at is not None:
            yield cancel_at
            activity.cancel("天气原因，活动取消", at=cancel_at)
            self.out.add(activity)
            return
        yield activity.starts_at - timedelta(minutes=30)
        for volunteer_id in activity.signed_up:
            if rng.random() < 0.8:
                self.timeline.tell(self._attendance(center, activity, volunteer_id))
            elif rng.random() < 0.2:
                self.timeline.tell(self._added_by_staff(center, activity, volunteer_id))

    def _attendance(self, center: Center, activity: Activity, volunteer_id: UUID) -> Story:
        rng, policy = self.rng, self.policy
        arrive = activity.starts_at + timedelta(minutes=rng.randint(-20, 25))
        yield arrive
        presence = self.presences.setdefault(volunteer_id, Presence(volunteer_id=volunteer_id))
        try:
            presence.enter(
                activity.id,
                open_until=activity.ends_at + timedelta(minutes=policy.grace_minutes),
                at=arrive,
            )
        except CheckedInElsewhere:
            return  # at another activity of the same hour: this one is missed
        attendance = Attendance.check_in(
            volunteer_id=volunteer_id,
            activity_id=activity.id,
            center_id=center.id,
            scheduled_start=activity.starts_at,
            scheduled_end=activity.ends_at,
            policy=policy,
            at=arrive,
            token_step=self._step(arrive),
            device_id=f"demo-{volunteer_id.hex[:8]}",
        )
        self.out.add(attendance, presence)
        if rng.random() < 0.9:
            leave = max(
                activity.ends_at + timedelta(minutes=rng.randint(-40, 20)),
                arrive + timedelta(minutes=5),
            )
            yield leave
            attendance.check_out(at=leave, policy=policy)
            presence.leave(activity.id, at=leave)
        else:
            closes = activity.ends_at + timedelta(hours=1)
            yield closes
            attendance.close_automatically(at=closes, policy=policy)
            presence.leave(activity.id, at=closes)
        self.out.add(attendance, presence)
        if rng.random() < 0.06 and attendance.total_minutes >= 20:
            corrected = activity.ends_at + timedelta(days=1)
            yield corrected
            attendance.adjust(
                minutes=-15,
                reason="提前离场，按签到表扣减",
                staff_id=self.staff_account,
                at=corrected,
            )
            self.out.add(attendance)

    def _added_by_staff(self, center: Center, activity: Activity, volunteer_id: UUID) -> Story:
        """Came but never scanned: entered by the center's staff the day after (补录)."""
        entered = activity.ends_at + timedelta(hours=self.rng.randint(2, 24))
        yield entered
        scheduled = (activity.ends_at - activity.starts_at) // timedelta(minutes=1)
        attendance = Attendance.add_by_staff(
            volunteer_id=volunteer_id,
            activity_id=activity.id,
            center_id=center.id,
            scheduled_start=activity.starts_at,
            scheduled_end=activity.ends_at,
            minutes=self.rng.randint(scheduled // 2, scheduled),
            reason="忘记扫码，按签到表补录",
            staff_id=self.staff_account,
            at=entered,
        )
        self.out.add(attendance)

    # --- cadres' visits ---------------------------------------------------------

    def _visit_times(self, pace: str, week: int, monday: datetime) -> list[tuple[datetime, int]]:
        """When a cadre of this pace visits in this week, and for how many minutes."""
        rng = self.rng
        if pace == "diligent":
            days = sorted(rng.sample(range(5), k=2))
            lengths = [rng.choice([90, 120, 150, 180]) for _ in days]
        elif pace == "patchy":
            days = [rng.randint(0, 4)] if rng.random() < 0.7 else []
            lengths = [rng.choice([60, 90, 120]) for _ in days]
        else:
            # Short and rare: a visit under the minimum length does not count.
            days = [rng.randint(0, 4)] if week % 3 == 0 else []
            lengths = [40 for _ in days]
        return [
            (monday + timedelta(days=d, hours=rng.randint(9, 14)), minutes)
            for d, minutes in zip(days, lengths, strict=True)
        ]

    def _visit(self, cadre: Cadre, starts: datetime, minutes: int) -> Story:
        rng = self.rng
        yield starts
        point_id = rng.choice(cadre.point_ids)
        point = next(p for p in self.points if p.id == point_id)
        visit = Visit.start(
            cadre_id=cadre.id,
            point_id=point.id,
            point_was_assigned=True,
            point_geofence=point.geofence,
            proof=QrProof(
                token_step=int(starts.timestamp()) // self.app.config.qr_rotation_seconds
            ),
            at=starts,
        )
        self.visits += 1
        self.out.add(visit)
        at = starts + timedelta(minutes=10)
        yield at
        visit.write_log(rng.choice(_VISIT_LOGS), at=at)
        contacts = list(cadre.contacts.values())
        if contacts and rng.random() < 0.7:
            met = rng.choice(contacts)
            visit.meet_youth(name=met.name, contact_id=met.id, at=at)
        self.out.add(visit)
        problem: Problem | None = None
        if rng.random() < 0.3:
            at = starts + timedelta(minutes=20)
            yield at
            title, description = rng.choice(_PROBLEMS)
            problem = Problem.raise_problem(
                cadre_id=cadre.id,
                title=title,
                description=description,
                org_unit_id=point.org_unit_id,
                visit_id=visit.id,
                at=at,
            )
            self.problems += 1
            visit.note_problem(problem_id=problem.id, title=problem.title, at=at)
            self.out.add(visit, problem)
        ends = starts + timedelta(minutes=minutes)
        yield ends
        visit.end(at=ends)
        self.out.add(visit)
        if problem is None:
            return
        # Older problems are dealt with; those of the last days are still open.
        answered = ends + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6))
        if rng.random() < 0.25:
            return
        yield answered
        problem.answer(
            "已与乡镇团委联系协调，近期解决", answered_by=self.supervisor_account, at=answered
        )
        self.out.add(problem)
        if rng.random() < 0.75:
            closed = answered + timedelta(days=rng.randint(1, 3))
            yield closed
            problem.close(closed_by=self.supervisor_account, at=closed)
            self.out.add(problem)


def _child(parent: OrgUnit, name: str, level: OrgLevel, at: datetime) -> OrgUnit:
    return OrgUnit.create(
        name=name, level=level, parent_id=parent.id, parent_level=parent.level, at=at
    )


def _person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN)


def _local_monday(at: datetime) -> datetime:
    """Monday 00:00 of ``at``'s week in the county's zone (where weeks are counted)."""
    local = at.astimezone(_ZONE)
    return (local - timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
