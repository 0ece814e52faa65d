"""A survey's answers as a file: one row per answer, one column per question.

XLSX (openpyxl, values only) and CSV (UTF-8 with a byte-order mark, as the
other CSV downloads). A choice shows its option's text (several joined by
"、"), a rating or number its value, a text answer its text. Who answered is in
no row: the read model does not know it for anonymous answers, and the file
does not say it for anyone. Text that a spreadsheet would take for a formula
is written as text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

from grassroots.domain.survey import Question, QuestionKind
from grassroots.projections.survey_results import AnswerRow
from grassroots.reports.sheets import header_row, text_safe_rows

__all__ = ["HEADER", "answer_cells", "header_of", "survey_xlsx"]

HEADER = ("提交时间 (UTC)", "所属组织")


def header_of(questions: Sequence[Question]) -> list[str]:
    return [*HEADER, *(f"{q.key} {q.prompt}" for q in questions)]


def answer_cells(questions: Sequence[Question], row: AnswerRow) -> list[int | float | str | None]:
    """The row's cells in the header's order."""
    cells: list[int | float | str | None] = [
        row.answered_at.strftime("%Y-%m-%d %H:%M:%S"),
        row.unit_name or "",
    ]
    for q in questions:
        values = row.values.get(q.key)
        if not values:
            cells.append(None)
        elif q.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            cells.append("、".join(_option(q, v) for v in values))
        else:
            cells.append(values[0])
    return cells


def _option(q: Question, value: int | float | str) -> str:
    if isinstance(value, int) and 0 <= value < len(q.options):
        return q.options[value]
    return str(value)


def survey_xlsx(title: str, questions: Sequence[Question], rows: Sequence[AnswerRow]) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = "答卷"
    header_row(ws, header_of(questions))
    text_safe_rows(ws, (answer_cells(questions, row) for row in rows))
    info = workbook.create_sheet("说明")
    info.append(["问卷", title])
    info.append(["答卷数", len(rows)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
