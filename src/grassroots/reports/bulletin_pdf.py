"""The monthly bulletin as a PDF: a table per org level, in Chinese, landscape A4.

Chinese text needs a CJK font embedded in the file (``grassroots.cjk_font``);
fpdf2 embeds only the glyphs used, so the file stays small.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace

from grassroots.cjk_font import DEFAULT_CJK_FONT, require_cjk_font, simplified_chinese_face
from grassroots.projections.monthly_bulletin import Bulletin
from grassroots.reports.labels import (
    COLUMNS,
    LEVEL_NAMES,
    TOTAL_LABEL,
    as_of,
    cells,
    row_name,
    share_text,
    title,
)

__all__ = [
    "PDF_MEDIA_TYPE",
    "bulletin_pdf",
]

PDF_MEDIA_TYPE = "application/pdf"
_FAMILY = "NotoSansSC"
_NAME_WIDTH = 44


def bulletin_pdf(bulletin: Bulletin, zone: ZoneInfo, font: Path = DEFAULT_CJK_FONT) -> bytes:
    require_cjk_font(font)
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(title(bulletin))
    pdf.set_creator("Grassroots")
    pdf.add_font(_FAMILY, fname=font, collection_font_number=simplified_chinese_face(font))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(_FAMILY, size=15)
    pdf.multi_cell(0, 9, title(bulletin), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, size=9)
    pdf.cell(
        0,
        6,
        as_of(bulletin, zone),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    widths = (_NAME_WIDTH, *([(pdf.epw - _NAME_WIDTH) / len(COLUMNS)] * len(COLUMNS)))
    for sheet in bulletin.sheets:
        pdf.ln(3)
        pdf.set_font(_FAMILY, size=11)
        pdf.cell(0, 7, f"按{LEVEL_NAMES[sheet.level]}统计", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FAMILY, size=7.5)
        with pdf.table(
            col_widths=widths,
            text_align=("LEFT", *(["RIGHT"] * len(COLUMNS))),
            line_height=5,
            cell_fill_color=(240, 244, 250),
            cell_fill_mode=TableCellFillMode.ROWS,
            first_row_as_headings=True,
            # One face only (no bold in the setting's file): headings stand out by colour.
            headings_style=FontFace(emphasis="", fill_color=(214, 228, 245)),
        ) as table:
            table.row(["单位", *(header for header, _ in COLUMNS)])
            for row in sheet.rows:
                table.row([row_name(row), *_texts(cells(row.figures))])
            table.row([TOTAL_LABEL, *_texts(cells(sheet.totals))])
    return bytes(pdf.output())


def _texts(values: list[int | float | None]) -> list[str]:
    return [share_text(v) if isinstance(v, float) or v is None else str(v) for v in values]
