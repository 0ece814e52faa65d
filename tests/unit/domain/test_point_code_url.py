"""A grassroots point's code opens the cadre's start page, upper case like a venue code's."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from grassroots.domain.qr_token import (
    POINT_PATH,
    QR_ALPHANUMERIC,
    QrSubject,
    SubjectKind,
    mint_token,
    scan_url,
)

SECRET = b"s" * 32


def test_a_point_code_encodes_the_start_page_in_qr_alphanumeric_characters() -> None:
    point = QrSubject(SubjectKind.POINT, UUID(int=7))
    token = mint_token(
        secret=SECRET, subject=point, at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC), rotation_seconds=15
    )
    url = scan_url("https://qn.example.org", token, path=POINT_PATH)
    assert url == f"HTTPS://QN.EXAMPLE.ORG/P/{token}"
    assert QR_ALPHANUMERIC.issuperset(url)


def test_a_venue_code_still_opens_the_check_in_page() -> None:
    assert scan_url("http://127.0.0.1:8000", "ABC").endswith("/S/ABC")


def test_a_point_url_keeps_the_case_of_a_path_in_the_public_url() -> None:
    # A path is case-sensitive: upper-casing it would open another address.
    url = scan_url("https://example.org/qingnian/", "ABC", path=POINT_PATH)
    assert url == "HTTPS://EXAMPLE.ORG/qingnian/P/ABC"
