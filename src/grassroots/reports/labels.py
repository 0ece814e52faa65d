"""The bulletin's words in Chinese, shared by its XLSX and PDF files."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from grassroots.domain.compliance import period_bounds
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.values import local_date
from grassroots.projections.monthly_bulletin import Bulletin, BulletinFigures, BulletinRow

__all__ = [
    "COLUMNS",
    "LEVEL_NAMES",
    "OWN_SUFFIX",
    "TOTAL_LABEL",
    "as_of",
    "cells",
    "row_name",
    "share_text",
    "title",
]

# Sheet names: a spreadsheet refuses / \\ ? * [ ] : in them.
LEVEL_NAMES = {
    OrgLevel.REGION: "省（区）",
    OrgLevel.CITY: "市",
    OrgLevel.COUNTY: "县",
    OrgLevel.TOWNSHIP: "乡镇",
    OrgLevel.VILLAGE: "村（社区）",
}
OWN_SUFFIX = "（本级）"
TOTAL_LABEL = "合计"

# (header, value of a row's figures); the share is computed by the figures.
COLUMNS: tuple[tuple[str, Callable[[BulletinFigures], int | float | None]], ...] = (
    ("干部数", lambda f: f.cadres),
    ("达标人数", lambda f: f.compliant),
    ("达标率", lambda f: f.share),
    ("走访次数", lambda f: f.visits),
    ("计入走访", lambda f: f.counted_visits),
    ("见面青年人次", lambda f: f.youths_met),
    ("新增问题", lambda f: f.problems_raised),
    ("办结问题", lambda f: f.problems_closed),
    ("发布活动", lambda f: f.activities_posted),
    ("开展活动", lambda f: f.activities_held),
    ("签到人次", lambda f: f.check_ins),
    # Minutes, not the screens' hours: whole numbers, so each level's rows add up to
    # its total exactly in the file, as a reader checking it would add them.
    ("服务分钟数", lambda f: f.credited_minutes),
    ("心得交流", lambda f: f.experiences_shared),
)


def title(bulletin: Bulletin) -> str:
    month = bulletin.month
    return f"{bulletin.name} {month.year}年{month.month}月 “8+4”下沉与青年之家工作月通报"


def as_of(bulletin: Bulletin, zone: ZoneInfo) -> str:
    """The month and the instant the figures hold at, in the unit's own time, and
    whether the month is still running (its figures will grow) or yet to come."""
    first, last = period_bounds(bulletin.month)
    today = local_date(bulletin.now, zone)
    at = bulletin.now.astimezone(zone)
    offset = f"{at:%z}"
    clock = "北京时间" if zone.key == "Asia/Shanghai" else f"UTC{offset[:3]}:{offset[3:]}"
    line = f"统计月份：{bulletin.month}    数据截至：{at:%Y-%m-%d %H:%M}（{clock}）"
    if today < first:
        return line + "    该月尚未开始"
    if today <= last:
        return line + "    本月尚未结束，数字仍会增加"
    return line


def row_name(row: BulletinRow) -> str:
    name = " / ".join(row.path)
    return name + OWN_SUFFIX if row.own_only else name


def cells(figures: BulletinFigures) -> list[int | float | None]:
    return [value(figures) for _, value in COLUMNS]


def share_text(share: float | None) -> str:
    return "—" if share is None else f"{share:.1%}"
