"""Draw the volunteer app's home-screen icons once (committed; re-run to change them).

    python tools/make_icons.py

Writes icon-192.png and icon-512.png into src/grassroots/pages/static/icons/: the
character 青 in white on the app's red, inside the middle 80% so a launcher that
crops icons to a circle keeps it whole. Needs a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ICONS = Path(__file__).resolve().parents[1] / "src" / "grassroots" / "pages" / "static" / "icons"
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
RED = (198, 40, 40)


def draw(size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), RED)
    font = ImageFont.truetype(str(FONT), int(size * 0.56), index=2)  # index 2: Simplified Chinese
    ImageDraw.Draw(image).text(
        (size / 2, size / 2), "青", font=font, fill=(255, 255, 255), anchor="mm"
    )
    return image


def main() -> int:
    if not FONT.exists():
        print(f"{FONT} is missing: apt-get install fonts-noto-cjk")
        return 1
    ICONS.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size).save(ICONS / f"icon-{size}.png", optimize=True)
    print(f"wrote icons into {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
