"""The Chinese font every PDF of Grassroots embeds (bulletins, certificates).

Debian's ``fonts-noto-cjk`` puts Noto Sans CJK in one collection file (``.ttc``)
holding a face per language; the Simplified Chinese face is picked from it by
name, so another build of the collection (faces in another order) still works.
The path is a setting (``GRASSROOTS_CJK_FONT``). Without the file a PDF cannot be
drawn: ``require_cjk_font`` raises ``CjkFontMissing``, which the API answers with
503 ``cjk-font-missing`` naming the package, and everything else goes on working.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection

from grassroots.application.errors import ApplicationError

__all__ = [
    "CJK_FONT_PACKAGE",
    "DEFAULT_CJK_FONT",
    "CjkFontMissing",
    "require_cjk_font",
    "simplified_chinese_face",
]

DEFAULT_CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_FONT_PACKAGE = "fonts-noto-cjk"


class CjkFontMissing(ApplicationError):
    """The CJK font a PDF needs is not where the setting says."""

    code = "cjk-font-missing"

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"the CJK font {path} is missing: install Debian's {CJK_FONT_PACKAGE} package "
            "(apt-get install fonts-noto-cjk) or set GRASSROOTS_CJK_FONT to a CJK font file"
        )
        self.path = path


def require_cjk_font(path: Path) -> None:
    if not path.is_file():
        raise CjkFontMissing(path)


@lru_cache(maxsize=8)
def simplified_chinese_face(path: Path) -> int:
    """The Simplified Chinese face of a font collection (0 for a single font)."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    collection = TTCollection(str(path), lazy=True)
    try:
        for number, face in enumerate(collection.fonts):
            family = str(face["name"].getDebugName(1) or "")
            if family.endswith(" SC"):
                return number
    finally:
        collection.close()
    return 0
