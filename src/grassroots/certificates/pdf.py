"""The PDF of a certificate of volunteer service (志愿服务证明), drawn with fpdf2.

An adapter: the application hands it a certificate's facts and records the
SHA-256 of the bytes it answers, so the same facts must always give the same
bytes. Nothing here reads a clock: the document's creation date is the
certificate's issue instant, and fpdf2 derives the file's identifier from the
content and that date.

Chinese needs a CJK font: see ``grassroots.cjk_font``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import qrcode
from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace
from qrcode.constants import ERROR_CORRECT_M

from grassroots.cjk_font import DEFAULT_CJK_FONT, require_cjk_font, simplified_chinese_face
from grassroots.domain.certificate import CertificateFacts, display_hours
from grassroots.domain.values import DEFAULT_TIME_ZONE

__all__ = [
    "CertificatePdf",
    "verification_url",
]

PLATFORM = "Grassroots 基层志愿服务平台"

_FONT = "cjk"
_MARGIN_MM = 20.0
_QR_MM = 34.0
_QR_QUIET_MODULES = 4


def verification_url(public_url: str, serial: str) -> str:
    """Where a certificate is checked: ``<PUBLIC_URL>/V/<SERIAL>``, in upper case where
    case does not matter (scheme and host), so its QR code stays alphanumeric."""
    parts = urlsplit(public_url.rstrip("/"))
    base = urlunsplit((parts.scheme.upper(), parts.netloc.upper(), parts.path, "", ""))
    return f"{base}/V/{serial.upper()}"


class _Document(FPDF):
    """A page of a certificate: each names the serial and its place among the pages,
    so a page of a long certificate cannot pass for a page of another."""

    def __init__(self, serial: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.serial = serial

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, size=8)
        self.set_text_color(110, 120, 130)
        # fpdf2 puts the number of pages where "{nb}" stands once they are all drawn.
        text = f"志愿服务证明 {self.serial} · 第 {self.page_no()}/{{nb}} 页"
        self.cell(0, 5, text, align=Align.C)
        self.set_text_color(0, 0, 0)


@dataclass(frozen=True)
class CertificatePdf:
    """Renders certificates' facts as A4 PDFs (a ``Renderer`` for the application)."""

    public_url: str
    font_path: Path = DEFAULT_CJK_FONT
    time_zone: str = DEFAULT_TIME_ZONE

    def check_font(self) -> None:
        require_cjk_font(self.font_path)

    def __call__(self, facts: CertificateFacts) -> bytes:
        self.check_font()
        return _rendered(self, facts)

    def render(self, facts: CertificateFacts) -> bytes:
        """Draw the PDF (a second or two of work: see ``_rendered``)."""
        # fontTools logs every step of subsetting the font at INFO: not news for a server log.
        logging.getLogger("fontTools.subset").setLevel(logging.WARNING)
        zone = ZoneInfo(self.time_zone)
        pdf = _Document(facts.serial)
        pdf.set_creation_date(facts.issued_at)
        pdf.set_title(f"志愿服务证明 {facts.serial}")
        pdf.set_creator(PLATFORM)
        pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
        pdf.set_auto_page_break(auto=True, margin=_MARGIN_MM)
        pdf.add_font(
            _FONT,
            fname=str(self.font_path),
            collection_font_number=simplified_chinese_face(self.font_path),
        )
        pdf.add_page()
        self._heading(pdf, facts)
        self._table(pdf, facts)
        self._footer(pdf, facts, facts.issued_at.astimezone(zone))
        return bytes(pdf.output())

    def _heading(self, pdf: _Document, facts: CertificateFacts) -> None:
        pdf.set_font(_FONT, size=26)
        pdf.cell(0, 16, "志愿服务证明", align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(6)
        pdf.set_font(_FONT, size=12)
        # No spaces inside the sentence (but around the name): a line then wraps between
        # characters, as Chinese does, never splitting a number from its measure word.
        text = (
            f"兹证明 {facts.volunteer_name} 于{_day(facts.from_day)}至{_day(facts.to_day)}"
            f"期间参加志愿服务{len(facts.lines)}次，"
            f"累计服务时长{display_hours(facts.total_minutes)}小时。明细如下："
        )
        pdf.multi_cell(0, 8, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

    def _table(self, pdf: _Document, facts: CertificateFacts) -> None:
        pdf.set_font(_FONT, size=10)
        with pdf.table(
            col_widths=(26, 68, 48, 28),
            text_align=("LEFT", "LEFT", "LEFT", "RIGHT"),
            line_height=7,
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            first_row_as_headings=True,
            # One face only (regular): loading the bold one too would double the cost.
            headings_style=FontFace(emphasis="", fill_color=(236, 240, 244)),
        ) as table:
            table.row(("日期", "活动", "服务单位", "时长（小时）"))
            for line in facts.lines:
                table.row(
                    (
                        line.day.isoformat(),
                        line.activity_title,
                        line.center_name,
                        display_hours(line.minutes),
                    )
                )
            table.row(("合计", "", "", display_hours(facts.total_minutes)))

    def _footer(self, pdf: _Document, facts: CertificateFacts, issued: datetime) -> None:
        url = verification_url(self.public_url, facts.serial)
        block = _QR_MM + 14
        # At the foot of the table's last page when it fits, else at the top of a new one.
        if pdf.get_y() + 10 + block > pdf.h - _MARGIN_MM:
            pdf.add_page()
            top = pdf.get_y()
        else:
            top = pdf.h - _MARGIN_MM - block
        left = pdf.l_margin
        pdf.set_font(_FONT, size=10)
        pdf.set_xy(left, top)
        width = pdf.epw - _QR_MM - 8
        for text in (
            f"出具平台：{PLATFORM}",
            f"证明编号：{facts.serial}",
            f"出具日期：{_day(issued.date())}",
            "核验方式：扫描右侧二维码，或访问",
            url,
            "本证明依据平台记录的服务时长出具，任何改动均无法通过核验。",
        ):
            pdf.set_x(left)
            pdf.multi_cell(width, 6, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        _draw_qr(pdf, url, x=pdf.w - pdf.r_margin - _QR_MM, y=top, size=_QR_MM)
        pdf.set_xy(pdf.w - pdf.r_margin - _QR_MM, top + _QR_MM + 1)
        pdf.set_font(_FONT, size=8)
        pdf.cell(_QR_MM, 5, "扫码核验真伪", align=Align.C)


# Drawing a certificate takes a second or two (loading the font's face, subsetting it),
# and the same facts always give the same bytes: the last few are kept, so the download
# that follows an issue, or a second one, costs nothing. At most ~32 x 60 KB.
@lru_cache(maxsize=32)
def _rendered(renderer: CertificatePdf, facts: CertificateFacts) -> bytes:
    return renderer.render(facts)


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _draw_qr(pdf: FPDF, text: str, *, x: float, y: float, size: float) -> None:
    """The QR code of ``text`` as filled squares (vector: sharp at any zoom and
    the same bytes every time), with its quiet zone inside ``size``."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    count = len(matrix) + 2 * _QR_QUIET_MODULES
    module = size / count
    pdf.set_fill_color(0, 0, 0)
    for row_no, row in enumerate(matrix):
        top = y + (row_no + _QR_QUIET_MODULES) * module
        col = 0
        # One rectangle per run of dark modules in a row: fewer drawing operations.
        while col < len(row):
            if not row[col]:
                col += 1
                continue
            start = col
            while col < len(row) and row[col]:
                col += 1
            left = x + (start + _QR_QUIET_MODULES) * module
            pdf.rect(left, top, (col - start) * module, module, style="F")
