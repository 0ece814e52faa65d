"""The monthly bulletin as a PDF: a table per org level, in Chinese, landscape A4.

Chinese text needs a CJK font embedded in the file. We use Noto Sans CJK as
Debian ships it (package ``fonts-noto-cjk``): one ``.ttc`` collection holding
the Japanese, Korean, Simplified and Traditional Chinese faces, of which the
Simplified Chinese one (``Noto Sans CJK SC``) is face 2, as ``fc-query`` lists
them. The path is a setting (``GRASSROOTS_CJK_FONT``); without the file the
builder raises ``CjkFontMissing`` and the API answers 503 naming the package.
fpdf2 embeds only the glyphs used, so the file stays small.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace

from grassroots.projections.monthly_bulletin import Bulletin
from grassroots.reports.labels import (
    COLUMNS,
    LEVEL_NAMES,
    TOTAL_LABEL,
    cells,
    row_name,
    share_text,
    title,
)

__all__ = [
    "CJK_FONT_PACKAGE",
    "DEFAULT_CJK_FONT",
    "PDF_MEDIA_TYPE",
    "SIMPLIFIED_CHINESE_FACE",
    "CjkFontMissing",
    "bulletin_pdf",
]

PDF_MEDIA_TYPE = "application/pdf"
DEFAULT_CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FONT_PACKAGE = "fonts-noto-cjk"
# Face index of "Noto Sans CJK SC" in Debian's NotoSansCJK-Regular.ttc.
SIMPLIFIED_CHINESE_FACE = 2
_FAMILY = "NotoSansSC"
_NAME_WIDTH = 44


class CjkFontMissing(FileNotFoundError):
    """The CJK font file the PDF needs is not where the setting says."""


def bulletin_pdf(bulletin: Bulletin, font: Path = DEFAULT_CJK_FONT) -> bytes:
    if not font.is_file():
        raise CjkFontMissing(
            f"no CJK font at {font}: install the {CJK_FONT_PACKAGE} package "
            "or point GRASSROOTS_CJK_FONT at a font with Simplified Chinese"
        )
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(title(bulletin))
    pdf.set_creator("Grassroots")
    # A .ttc holds several faces; a single-face font file ignores the number.
    face = SIMPLIFIED_CHINESE_FACE if font.suffix.lower() == ".ttc" else 0
    pdf.add_font(_FAMILY, fname=font, collection_font_number=face)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(_FAMILY, size=15)
    pdf.multi_cell(0, 9, title(bulletin), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, size=9)
    pdf.cell(
        0,
        6,
        f"统计月份：{bulletin.month}    数据截至：{bulletin.now:%Y-%m-%d %H:%M} UTC",
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
