"""An activity's roster as a file (签到表): one row per volunteer who signed up, waits,
withdrew or came, in the order they came, with their scans and credited minutes.

For the center's own records and the report it sends up: what the desk shows, on
paper. Phone numbers are masked as everywhere on the read side (138****1234); times
are on the center's clock; minutes are the ledger's own whole minutes, and the hours
beside them are those minutes written as hours and minutes, never rounded. Text that a
spreadsheet would take for a formula is written as text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from grassroots.projections.volunteer_directory import RosterLine
from grassroots.reports.sheets import header_row, text_safe_rows

__all__ = ["HEADER", "RosterFacts", "roster_cells", "roster_xlsx"]

HEADER = (
    "序号",
    "姓名",
    "手机号",
    "报名",
    "报名时间",
    "签到时间",
    "签退时间",
    "扫码计时（分钟）",
    "调整（分钟）",
    "计入时长（分钟）",
    "计入时长",
    "备注",
)
# A walk-in has no sign-up: staff added them, or they scanned without signing up.
_SIGN_UP = {"signed_up": "已报名", "wait_listed": "候补", "withdrawn": "已取消"}
_TIME = "%Y-%m-%d %H:%M"
# Each column wide enough for its header and a usual value (in characters).
_WIDTHS = (6, 12, 14, 8, 17, 17, 17, 10, 10, 10, 12, 30)


@dataclass(frozen=True)
class RosterFacts:
    """What the file is of, for its second sheet."""

    title: str
    center: str
    starts_at: datetime
    ends_at: datetime
    exported_at: datetime
    zone: ZoneInfo


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return None if moment is None else moment.astimezone(zone).strftime(_TIME)


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}分钟"
    return f"{hours}小时{rest}分钟" if rest else f"{hours}小时"


def _remarks(line: RosterLine) -> str:
    row = line.attendance
    said = []
    if row.added_by_staff:
        said.append("工作人员补录")
    if row.auto_closed_at is not None:
        said.append("未签退，活动结束时自动签退")
    if row.adjustments:
        said.append(f"时长调整{row.adjustments}次")
    return "；".join(said)


def roster_cells(lines: Sequence[RosterLine], zone: ZoneInfo) -> list[list[int | str | None]]:
    """The rows in the header's order."""
    rows: list[list[int | str | None]] = []
    for number, line in enumerate(lines, start=1):
        row = line.attendance
        came = row.checked_in_at is not None or row.credited_minutes > 0
        rows.append(
            [
                number,
                line.name or "",
                line.phone_masked or "",
                _SIGN_UP.get(row.sign_up or "", "未报名"),
                _local(row.signed_up_at, zone),
                _local(row.checked_in_at, zone),
                _local(row.checked_out_at or row.auto_closed_at, zone),
                row.scan_minutes if came else None,
                row.adjustment_minutes if came else None,
                row.credited_minutes if came else None,
                _hours(row.credited_minutes) if came else None,
                _remarks(line),
            ]
        )
    return rows


def roster_xlsx(facts: RosterFacts, lines: Sequence[RosterLine]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "签到表"
    header_row(sheet, HEADER)
    text_safe_rows(sheet, roster_cells(lines, facts.zone))
    for letter, width in zip("ABCDEFGHIJKL", _WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    came = [r for r in lines if r.attendance.credited_minutes > 0]
    info = workbook.create_sheet("说明")
    for label, value in (
        ("活动", facts.title),
        ("青年之家", facts.center),
        ("开始", _local(facts.starts_at, facts.zone)),
        ("结束", _local(facts.ends_at, facts.zone)),
        ("人数（名单上的每一位）", len(lines)),
        ("计入时长的人数", len(came)),
        ("计入总时长（分钟）", sum(r.attendance.credited_minutes for r in came)),
        ("导出时间", _local(facts.exported_at, facts.zone)),
        ("时区", str(facts.zone)),
    ):
        info.append([label, value])
        if isinstance(value, str):
            info.cell(row=info.max_row, column=2).data_type = "s"
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 40
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
