"""Drawing venue tokens as QR codes for the screen (PNG) and for print or the web (SVG).

Error correction M restores up to about 15% of damaged modules: enough for glare on
a screen or a smudged printout, while keeping a 56-character token at version 3
(29x29 modules), which phones read from across a room.
"""

from __future__ import annotations

import io
from datetime import datetime

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage
from qrcode.util import QRData

__all__ = ["render_png", "render_svg", "screen_headers"]


def _code(token: str, *, box_size: int, border: int) -> qrcode.QRCode[PilImage]:
    if not token:
        raise ValueError("an empty token has nothing to draw")
    if box_size < 1 or border < 0:
        raise ValueError("box_size must be at least 1 and border at least 0")
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        box_size=box_size,
        border=border,
        image_factory=PilImage,
    )
    # One segment in the mode the whole token fits (alphanumeric for minted
    # tokens): the default optimiser may split runs of digits into extra
    # segments, whose headers cost more than they save on a token this short.
    code.add_data(QRData(token))
    code.make(fit=True)
    return code


def render_png(token: str, *, box_size: int = 8, border: int = 4) -> bytes:
    """The token as a black-on-white PNG; ``border`` is the quiet zone in modules
    (the QR specification asks for 4)."""
    image = _code(token, box_size=box_size, border=border).make_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def render_svg(token: str, *, border: int = 4) -> str:
    """The token as a standalone SVG document drawn as a single path, which keeps
    the file small and scales to any size."""
    code = _code(token, box_size=10, border=border)
    image = code.make_image(image_factory=SvgPathImage)
    return image.to_string(encoding="unicode")


def screen_headers(
    kind: str, *, replaced_at: datetime, expires_at: datetime, now: datetime
) -> dict[str, str]:
    """What a screen showing a code learns with its image (``kind``: ``Venue``,
    ``Point``): when to fetch the next one (``X-<kind>-Code-Replaced-At``), and for
    how many seconds from this answer the code shown is still accepted
    (``X-<kind>-Code-Expires-In``). The seconds are counted on the server's clock,
    so a screen counts them down on its own timer, whatever its clock says, and
    stops showing a code nobody can check in with any more."""
    left = max(0.0, (expires_at - now).total_seconds())
    return {
        f"X-{kind}-Code-Replaced-At": replaced_at.isoformat(),
        f"X-{kind}-Code-Expires-In": f"{left:.3f}",
    }
