"""Venue codes drawn as PNG and SVG, read back by a real QR decoder (ZXing)."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from uuid import UUID

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from grassroots.application.venue_codes import render_png, render_svg
from grassroots.domain.qr_token import (
    QrSubject,
    SubjectKind,
    mint_token,
    scan_url,
    verify_token,
)

SECRET = b"venue-code-rendering-test-secret"
ROTATION = 15
AT = datetime(2026, 3, 7, 1, 0, 7, tzinfo=UTC)
ACTIVITY = QrSubject(SubjectKind.ACTIVITY, UUID("5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"))
POINT = QrSubject(SubjectKind.POINT, UUID("0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def minted(subject: QrSubject = ACTIVITY) -> str:
    return mint_token(secret=SECRET, subject=subject, at=AT, rotation_seconds=ROTATION)


def decode(png: bytes) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))


@pytest.mark.parametrize("subject", [ACTIVITY, POINT], ids=["activity", "point"])
def test_a_rendered_png_decodes_to_exactly_the_minted_token_which_then_verifies(
    subject: QrSubject,
) -> None:
    token = minted(subject)

    [code] = decode(render_png(token))

    assert code.text == token
    verified = verify_token(
        code.text, secret=SECRET, expected=subject, at=AT, rotation_seconds=ROTATION
    )
    assert verified.subject == subject


def test_the_png_is_a_png_holding_exactly_one_qr_code() -> None:
    png = render_png(minted())

    assert png.startswith(PNG_SIGNATURE)
    codes = decode(png)
    assert len(codes) == 1
    assert codes[0].format == zxingcpp.BarcodeFormat.QRCode
    assert codes[0].valid


def test_the_code_is_a_small_version_3_symbol_at_error_correction_m() -> None:
    [code] = decode(render_png(minted()))

    assert code.ec_level == "M"
    assert isinstance(code.extra, dict)
    assert code.extra["Version"] == "3"


def test_the_png_size_follows_the_box_size_and_the_quiet_zone() -> None:
    # A version 3 symbol is 29 modules wide; the border adds quiet modules on each side.
    image = Image.open(io.BytesIO(render_png(minted(), box_size=5, border=2)))

    assert image.size == ((29 + 2 * 2) * 5,) * 2


def test_a_png_drawn_with_small_boxes_still_decodes() -> None:
    token = minted()

    [code] = decode(render_png(token, box_size=3))

    assert code.text == token


def test_the_svg_is_well_formed_xml_with_an_svg_root_drawn_as_a_path() -> None:
    svg = render_svg(minted())

    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NAMESPACE}}}svg"
    paths = root.findall(f".//{{{SVG_NAMESPACE}}}path")
    assert len(paths) == 1
    assert paths[0].get("d")


# One axis-aligned square per dark module, as qrcode's path image writes them.
MODULE = re.compile(r"M(\d+),(\d+)H(\d+)V(\d+)H\1z")


def rasterise(svg: str, *, scale: int = 8) -> bytes:
    """Draw the SVG's path of squares as a PNG, so a real decoder can read it.

    Fails if the path holds anything but such squares, rather than silently
    drawing part of the code."""
    root = ET.fromstring(svg)
    _, _, width, height = (int(float(v)) for v in root.get("viewBox", "").split())
    [path] = root.iter(f"{{{SVG_NAMESPACE}}}path")
    d = path.get("d", "")
    modules = MODULE.findall(d)
    assert MODULE.sub("", d) == "", "the path holds more than squares"
    image = Image.new("L", (width * scale, height * scale), 255)
    draw = ImageDraw.Draw(image)
    for x1, y1, x2, y2 in ((int(v) for v in m) for m in modules):
        draw.rectangle((x1 * scale, y1 * scale, x2 * scale - 1, y2 * scale - 1), fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_svg_draws_a_code_that_decodes_to_the_token() -> None:
    token = minted(POINT)

    [code] = decode(rasterise(render_svg(token)))

    assert code.text == token


def test_nothing_is_drawn_for_an_empty_token() -> None:
    with pytest.raises(ValueError, match="empty token"):
        render_png("")
    with pytest.raises(ValueError, match="empty token"):
        render_svg("")


@pytest.mark.parametrize(
    ("public_url", "version"),
    [("http://127.0.0.1:8000", "4"), ("https://qn.example.org", "4")],
)
def test_a_scan_url_stays_a_small_alphanumeric_symbol(public_url: str, version: str) -> None:
    # 56 token characters and a short base URL fit version 4 (33x33 modules) at M
    # only in alphanumeric mode: the same text in byte mode would need version 5.
    url = scan_url(public_url, minted())

    [code] = decode(render_png(url))

    assert code.text == url
    assert code.ec_level == "M"
    assert isinstance(code.extra, dict)
    assert code.extra["Version"] == version
