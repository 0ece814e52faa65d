"""The page a certificate's QR code opens: what the certificate shows, the name masked,
and a form that checks a PDF against it (with its CSRF token, like every form)."""

from __future__ import annotations

import re
from datetime import date
from uuid import uuid4

import pytest

from grassroots.certificates.pdf import CertificatePdf
from grassroots.cjk_font import DEFAULT_CJK_FONT
from grassroots.domain.certificate import Certificate, ServedMinutes
from tests.integration.builders import register_volunteer
from tests.integration.pages.conftest import Site

pytestmark = pytest.mark.skipif(
    not DEFAULT_CJK_FONT.is_file(), reason="fonts-noto-cjk is not installed"
)


@pytest.fixture
def issued(site: Site) -> tuple[Certificate, bytes]:
    volunteer = register_volunteer(site.app, site.world)
    served = [
        ServedMinutes(uuid4(), date(2026, 3, 1), "社区环境清洁", "东风社区青年之家", 90),
        ServedMinutes(uuid4(), date(2026, 3, 1), "敬老院探访", "东风社区青年之家", 60),
    ]
    return site.app.issue_certificate(
        volunteer,
        date(2026, 3, 1),
        date(2026, 3, 1),
        served,
        render=CertificatePdf("http://127.0.0.1:8000"),
    )


def upload(site: Site, serial: str, pdf: bytes) -> str:
    page = site.client.get(f"/V/{serial}").text
    found = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form token"
    answer = site.client.post(
        f"/V/{serial}",
        data={"_csrf_token": found.group(1)},
        files={"pdf": ("certificate.pdf", pdf, "application/pdf")},
    )
    return f"{answer.status_code} {answer.text}"


def test_the_page_shows_the_certificate_with_the_name_masked(
    site: Site, issued: tuple[Certificate, bytes]
) -> None:
    certificate, _ = issued
    page = site.client.get(f"/V/{certificate.serial}")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert certificate.serial in page.text
    assert "王**" in page.text
    assert "王小明" not in page.text
    assert "敬老院探访" in page.text
    assert "2.5 小时" in page.text


def test_the_page_in_english(site: Site, issued: tuple[Certificate, bytes]) -> None:
    certificate, _ = issued
    page = site.client.get(f"/V/{certificate.serial}?lang=en")
    assert "2.5 hours" in page.text
    assert 'lang="en"' in page.text


def test_the_original_pdf_is_confirmed_and_a_changed_one_refused(
    site: Site, issued: tuple[Certificate, bytes]
) -> None:
    certificate, pdf = issued
    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01

    genuine = upload(site, certificate.serial, pdf)
    altered = upload(site, certificate.serial, bytes(changed))

    assert genuine.startswith("200 ")
    assert "核验通过" in genuine
    assert "核验未通过" not in genuine
    assert altered.startswith("200 ")
    assert "核验未通过" in altered


def test_a_check_without_the_form_token_is_refused(
    site: Site, issued: tuple[Certificate, bytes]
) -> None:
    certificate, _ = issued
    site.client.get(f"/V/{certificate.serial}")
    # Sent without a file: the framework leaves a refused upload's temporary file open.
    refused = site.client.post(f"/V/{certificate.serial}", data={"_csrf_token": "forged"})
    assert refused.status_code == 403


def test_an_unknown_serial_is_the_missing_page(site: Site) -> None:
    for serial in ("0000-0000-0000", "not-a-serial"):
        page = site.client.get(f"/V/{serial}")
        assert page.status_code == 404
        assert "页面不存在" in page.text
