"""A province's history at scale, written through the application's event store.

``generate_province`` writes a seeded history shaped like a province: a league of
cities under a region, about a hundred counties, some forty youth centers per
city, hundreds of activities a year per city with their sign-ups, scans, 补录 and
corrections, cadres visiting their grassroots points (raising and answering
problems), and hundreds of thousands of volunteers. Like ``grassroots.simulation``
(whose stories it tells) every change goes through the aggregates' own commands
at explicit instants, so the events are those the application would record; they
are saved through ``Core.save``, many aggregates per call (one transaction of the
event store per call), which is what makes a million events quick to write.

The cadres all belong to the first (the capital) city, ``cadres_per_county`` to
each of its counties: one county's compliance covers that many cadres, the
city's all of them.

Each city has a few regulars (``regulars_per_city``), who sign up for about one in
seven of its activities; the other places go to volunteers drawn at random, most of
whom come once a year or not at all. A year gives the regulars ledgers of several
pages, so the ledger's pages are read where they are long.

Stories are told one week at a time and played up to the week's first instant,
so the log stays in time order while only about two weeks of open stories are
held in memory.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from grassroots.application.core import Core
from grassroots.domain.cadre import Cadre, CadreKind
from grassroots.domain.center import Center
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.domain.values import GeoPoint
from grassroots.domain.volunteer import Volunteer
from grassroots.simulation import (
    _ID_SECRET,
    BASE,
    FIRST_MONDAY,
    Timeline,
    Writer,
    _activity,
    _child,
    _visit,
)

__all__ = ["Province", "ProvinceShape", "generate_province"]


@dataclass(frozen=True)
class ProvinceShape:
    weeks: int = 52
    cities: int = 12
    counties: int = 100
    centers_per_city: int = 41
    activities_per_city_year: int = 700
    volunteers: int = 300_000
    capital_counties: int = 10
    cadres_per_county: int = 1_000
    # The chance that a cadre visits a point in a given week.
    visits_per_cadre_week: float = 0.4
    attendance_share: float = 0.6
    # A city's most active volunteers, each signing up for about one in seven of its
    # activities (two a week): a year gives them ledgers longer than a page, where
    # most volunteers come once or not at all.
    regulars_per_city: int = 20
    regular_share: float = 0.15


@dataclass
class Province:
    """What a benchmark needs to name: the units, centers, cadres and volunteers."""

    region: UUID
    cities: list[UUID]
    counties: list[list[UUID]]  # per city
    centers: list[UUID]
    cadres: int
    volunteers: list[UUID]
    regulars: list[UUID] = field(default_factory=list)
    events: int = 0


def generate_province(
    app: Core,
    *,
    seed: int,
    shape: ProvinceShape | None = None,
    batch: int = 1_000,
    progress: Callable[[int], None] | None = None,
) -> Province:
    """Write the province's history into ``app``'s event store (``batch`` aggregates a save)."""
    shape = shape or ProvinceShape()
    rng = random.Random(seed)
    out = Writer(app, batch, progress=progress)
    at = FIRST_MONDAY - timedelta(days=7)

    region = OrgUnit.create(
        name="内蒙古自治区", level=OrgLevel.REGION, parent_id=None, parent_level=None, at=at
    )
    out.add(region)
    # The capital gets its own number of counties; the others share the rest.
    others = max(shape.counties - shape.capital_counties, shape.cities - 1)
    per_city = [shape.capital_counties] + [
        others // (shape.cities - 1) + (1 if c < others % (shape.cities - 1) else 0)
        for c in range(shape.cities - 1)
    ]
    province = Province(region.id, [], [], [], 0, [])
    city_centers: list[list[Center]] = []
    county_points: dict[UUID, list[GrassrootsPoint]] = {}
    for c in range(shape.cities):
        city = _child(region, f"市 {c}", OrgLevel.CITY, at)
        counties = [_child(city, f"县 {c}-{k}", OrgLevel.COUNTY, at) for k in range(per_city[c])]
        out.add(city, *counties)
        province.cities.append(city.id)
        province.counties.append([k.id for k in counties])
        centers = []
        for n in range(shape.centers_per_city):
            county = counties[n % len(counties)]
            place = GeoPoint(BASE.lat + 0.01 * c, BASE.lon + 0.001 * n)
            center = Center.register(
                name=f"青年之家 {c}-{n}",
                org_unit_id=county.id,
                address=f"东风路 {c}-{n} 号",
                location=place,
                geofence_radius_m=150,
                at=at,
            )
            point = GrassrootsPoint.designate(
                name=f"联系点 {c}-{n}",
                org_unit_id=county.id,
                location=place,
                geofence_radius_m=300,
                center_id=center.id,
                at=at,
            )
            centers.append(center)
            county_points.setdefault(county.id, []).append(point)
            out.add(center, point)
        city_centers.append(centers)
        province.centers.extend(x.id for x in centers)

    city_volunteers: list[list[UUID]] = [[] for _ in range(shape.cities)]
    for i in range(shape.volunteers):
        c = i % shape.cities
        volunteer, claim = Volunteer.register(
            name=f"志愿者{i}",
            phone=f"13{seed % 10}{i:08d}",
            birth_date=date(1995 + i % 10, 1 + i % 12, 1 + i % 28),
            org_unit_id=rng.choice(province.counties[c]),
            at=at,
            id_secret=_ID_SECRET,
        )
        city_volunteers[c].append(volunteer.id)
        province.volunteers.append(volunteer.id)
        out.add(volunteer, claim)

    city_regulars = [
        rng.sample(volunteers, k=min(len(volunteers), shape.regulars_per_city))
        for volunteers in city_volunteers
    ]
    province.regulars = [r for regulars in city_regulars for r in regulars]

    cadres: list[tuple[Cadre, list[GrassrootsPoint]]] = []
    for county_id in province.counties[0]:
        points = county_points.get(county_id, [])
        if not points:
            continue
        for i in range(shape.cadres_per_county):
            cadre = Cadre.register(
                name=f"团干部{len(cadres)}",
                kind=rng.choice(list(CadreKind)),
                org_unit_id=county_id,
                point_ids=[points[i % len(points)].id],
                at=at,
            )
            for j in range(rng.randint(0, 3)):
                cadre.add_contact(
                    name=f"青年{len(cadres)}-{j}",
                    phone=f"14{len(cadres):06d}{j:03d}",
                    walk_of_life="学生",
                    at=at,
                    id_secret=_ID_SECRET,
                )
            cadres.append((cadre, points))
            out.add(cadre)
    province.cadres = len(cadres)

    timeline = Timeline()
    per_week = shape.activities_per_city_year / 52
    for week in range(shape.weeks):
        monday = FIRST_MONDAY + timedelta(days=7 * week)
        for c, centers in enumerate(city_centers):
            count = int(per_week) + (1 if rng.random() < per_week % 1 else 0)
            for _ in range(count):
                starts = monday + timedelta(
                    days=rng.randint(0, 6), hours=rng.choice([1, 2, 6, 7, 14, 15])
                )
                timeline.tell(
                    _activity(
                        timeline,
                        out,
                        rng,
                        rng.choice(centers),
                        city_volunteers[c],
                        starts,
                        shape.attendance_share,
                        city_regulars[c],
                        shape.regular_share,
                    )
                )
        for cadre, points in cadres:
            if rng.random() < shape.visits_per_cadre_week:
                starts = monday + timedelta(days=rng.randint(0, 4), hours=rng.randint(0, 8))
                timeline.tell(_visit(out, rng, cadre, points, starts))
        # Every step before this week's first instant (the rest of last week, and
        # this week's postings three days ahead) is taken now, in time order.
        timeline.play(until=monday)
    timeline.play()
    out.flush()
    province.events = out.saved_events
    return province
