"""The certificate's PDF: the same facts give the same bytes, other facts others; the
QR code's URL keeps to QR alphanumeric characters; a missing font is named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest

from grassroots.certificates.pdf import CertificatePdf, verification_url
from grassroots.cjk_font import DEFAULT_CJK_FONT, CjkFontMissing
from grassroots.domain.certificate import CertificateFacts, ServedMinutes, draw_up, serial_from

needs_font = pytest.mark.skipif(
    not DEFAULT_CJK_FONT.is_file(), reason="fonts-noto-cjk is not installed"
)
QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def facts(name: str = "王小明", minutes: int = 90) -> CertificateFacts:
    served = [
        ServedMinutes(UUID(int=1), date(2026, 3, 7), "社区环境清洁", "东风社区青年之家", minutes)
    ]
    return draw_up(
        serial=serial_from(b"certific"),
        volunteer_name=name,
        from_day=date(2026, 3, 1),
        to_day=date(2026, 3, 31),
        served=served,
        today=date(2026, 4, 2),
        at=datetime(2026, 4, 2, 3, 0, tzinfo=UTC),
    )


@needs_font
def test_the_same_facts_render_the_same_bytes_and_other_facts_other_bytes() -> None:
    pdf = CertificatePdf("http://127.0.0.1:8000")
    # Drawn afresh each time (``render``), not taken from the kept ones (calling it).
    first = pdf.render(facts())
    assert first.startswith(b"%PDF-")
    assert pdf.render(facts()) == first
    assert pdf.render(facts(minutes=91)) != first
    assert pdf.render(facts(name="王小红")) != first
    assert pdf(facts()) == first


def test_a_missing_font_is_named_with_the_package_that_brings_it(tmp_path: Path) -> None:
    render = CertificatePdf("http://127.0.0.1:8000", font_path=tmp_path / "none.ttc")
    with pytest.raises(CjkFontMissing, match="fonts-noto-cjk"):
        render(facts())


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("http://127.0.0.1:8000", "HTTP://127.0.0.1:8000/V/7K3M-9QXD-2HFA"),
        ("https://tw.example.org/", "HTTPS://TW.EXAMPLE.ORG/V/7K3M-9QXD-2HFA"),
    ],
)
def test_the_verification_url_is_upper_case_so_its_qr_code_stays_alphanumeric(
    base: str, url: str
) -> None:
    assert verification_url(base, "7k3m-9qxd-2hfa") == url
    assert set(url) <= QR_ALPHANUMERIC


def test_a_path_in_the_public_url_keeps_its_case() -> None:
    # Only scheme and host are free of case; a path is not.
    assert verification_url("https://example.org/Grassroots", "7K3M-9QXD-2HFA") == (
        "HTTPS://EXAMPLE.ORG/Grassroots/V/7K3M-9QXD-2HFA"
    )
