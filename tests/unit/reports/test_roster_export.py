"""An activity's roster file (签到表): each line's cells as the center reads them."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from grassroots.projections.activity_catalogue import AttendanceRow
from grassroots.projections.volunteer_directory import RosterLine
from grassroots.reports.roster_export import HEADER, RosterFacts, roster_cells, roster_xlsx

ZONE = ZoneInfo("Asia/Shanghai")
ACTIVITY = UUID(int=1)


def _line(
    name: str,
    *,
    sign_up: str | None = "signed_up",
    checked_in_at: datetime | None = None,
    checked_out_at: datetime | None = None,
    auto_closed_at: datetime | None = None,
    added_by_staff: bool = False,
    scan: int = 0,
    adjustment: int = 0,
    adjustments: int = 0,
) -> RosterLine:
    row = AttendanceRow(
        activity_id=ACTIVITY,
        volunteer_id=UUID(int=len(name) + 100),
        sign_up=sign_up,
        signed_up_at=None if sign_up is None else datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
        checked_in_at=checked_in_at,
        checked_out_at=checked_out_at,
        auto_closed_at=auto_closed_at,
        added_by_staff=added_by_staff,
        scan_minutes=scan,
        adjustment_minutes=adjustment,
        adjustments=adjustments,
        credited_minutes=scan + adjustment,
    )
    return RosterLine(row, name, "139****5678")


def test_each_kind_of_line_says_what_happened() -> None:
    came = _line(
        "陈静",
        checked_in_at=datetime(2026, 12, 5, 1, 2, tzinfo=UTC),
        checked_out_at=datetime(2026, 12, 5, 3, 2, tzinfo=UTC),
        scan=120,
    )
    forgot = _line(
        "刘洋",
        checked_in_at=datetime(2026, 12, 5, 1, 10, tzinfo=UTC),
        auto_closed_at=datetime(2026, 12, 5, 4, 0, tzinfo=UTC),
        scan=170,
        adjustment=-20,
        adjustments=1,
    )
    walk_in = _line("赵敏", sign_up=None, added_by_staff=True, adjustment=45, adjustments=1)
    waiting = _line("孙丽", sign_up="wait_listed")

    rows = roster_cells([came, forgot, walk_in, waiting], ZONE)

    assert len(rows[0]) == len(HEADER)
    # Times on the center's clock (UTC+8), the hours never rounded.
    assert rows[0][4:11] == [
        "2026-12-01 09:00",
        "2026-12-05 09:02",
        "2026-12-05 11:02",
        120,
        0,
        120,
        "2小时",
    ]
    assert rows[1][6:12] == [
        "2026-12-05 12:00",
        170,
        -20,
        150,
        "2小时30分钟",
        "未签退，活动结束时自动签退；时长调整1次",
    ]
    assert rows[2][3:5] == ["未报名", None]
    assert rows[2][9:12] == [45, "45分钟", "工作人员补录；时长调整1次"]
    assert rows[3][3] == "候补"
    assert rows[3][7:11] == [None, None, None, None]


def test_a_name_that_looks_like_a_formula_stays_text() -> None:
    sly = _line('=HYPERLINK("http://x","点我")', sign_up="signed_up")
    facts = RosterFacts(
        title="社区环境清洁",
        center="东风社区青年之家",
        starts_at=datetime(2026, 12, 5, 1, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 5, 4, 0, tzinfo=UTC),
        exported_at=datetime(2026, 12, 6, 2, 0, tzinfo=UTC),
        zone=ZONE,
    )

    workbook = load_workbook(io.BytesIO(roster_xlsx(facts, [sly])))

    cell = workbook["签到表"]["B2"]
    assert cell.value == sly.name
    assert cell.data_type == "s"
    facts_sheet = {row[0]: row[1] for row in workbook["说明"].iter_rows(values_only=True)}
    assert facts_sheet["活动"] == "社区环境清洁"
    assert facts_sheet["开始"] == "2026-12-05 09:00"
    assert facts_sheet["人数（名单上的每一位）"] == 1
    assert facts_sheet["计入总时长（分钟）"] == 0
