"""A file the API hands over to be saved: its name twice, and never cached."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Response

__all__ = ["attachment"]


def attachment(content: bytes, media_type: str, plain: str, named: str) -> Response[bytes]:
    """``plain`` is the ASCII name old clients use; ``named`` the one in Chinese (with
    the unit's or the activity's name), sent as ``filename*`` (RFC 6266)."""
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(named)}"
            ),
            "Cache-Control": "no-store",
        },
    )
