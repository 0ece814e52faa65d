"""The monthly bulletin as an XLSX workbook: one sheet per org level, a totals row on each.

Every sheet holds the same columns; its last row (合计) sums its rows, and as
the bulletin's rows partition the subtree, every sheet's totals are the same
figures. Values, not formulas: a reader without a calculating spreadsheet
(openpyxl, a phone's viewer) sees the numbers.
"""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from grassroots.projections.monthly_bulletin import Bulletin
from grassroots.reports.labels import (
    COLUMNS,
    LEVEL_NAMES,
    TOTAL_LABEL,
    as_of,
    cells,
    row_name,
    title,
)

__all__ = ["HEADER_ROW", "XLSX_MEDIA_TYPE", "bulletin_xlsx"]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Row 1: the title; row 2: the month and when it was read; row 3: the header.
HEADER_ROW = 3
_SHARE_COLUMN = 1 + [header for header, _ in COLUMNS].index("达标率") + 1
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def bulletin_xlsx(bulletin: Bulletin, zone: ZoneInfo) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    used: set[str] = set()
    for sheet in bulletin.sheets:
        name = LEVEL_NAMES[sheet.level]
        while name in used:
            name += "'"
        used.add(name)
        ws = workbook.create_sheet(name)
        ws.append([title(bulletin)])
        ws.append([as_of(bulletin, zone)])
        ws.append(["单位", *(header for header, _ in COLUMNS)])
        for row in sheet.rows:
            ws.append([row_name(row), *cells(row.figures)])
        ws.append([TOTAL_LABEL, *cells(sheet.totals)])
        _style(ws, len(sheet.rows))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _style(ws: Worksheet, rows: int) -> None:
    ws["A1"].font = Font(bold=True, size=14)
    for cell in ws[HEADER_ROW]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    last = HEADER_ROW + rows + 1
    for cell in ws[last]:
        cell.font = _BOLD
    for r in range(HEADER_ROW + 1, last + 1):
        ws.cell(r, _SHARE_COLUMN).number_format = "0.0%"
    ws.column_dimensions["A"].width = 24
    for c in range(2, len(COLUMNS) + 2):
        ws.column_dimensions[get_column_letter(c)].width = 11
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
