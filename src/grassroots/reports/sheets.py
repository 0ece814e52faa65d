"""What the spreadsheets the reports write share: a bold header row, and rows whose text
is always text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["Value", "header_row", "text_safe_rows"]


def header_row(sheet: Worksheet, header: Sequence[str]) -> None:
    sheet.append(list(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = f"A{sheet.max_row + 1}"


Value = int | float | str | None


def text_safe_rows(sheet: Worksheet, rows: Iterable[Sequence[Value]]) -> None:
    """Each row appended; a text cell is text, never a formula, whatever it begins with
    (a name or an answer typed as "=HYPERLINK(...)")."""
    for values in rows:
        sheet.append([None] * len(values))
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=sheet.max_row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
