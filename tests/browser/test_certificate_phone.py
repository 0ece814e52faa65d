"""A volunteer's certificate of service, end to end in the browser: issued on the phone
from the demo's history, its PDF's QR code (read off the rendered page) opens the public
check page, which confirms the file, and refuses it once one byte is changed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from tests.browser.conftest import screenshot

DEMO_VOLUNTEER = "19900000006"
DEMO_PASSWORD = "grassroots-demo"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="apt-get install -y poppler-utils"
)


def _qr_of(pdf: bytes, folder: Path) -> str:
    (folder / "certificate.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            str(folder / "certificate.pdf"),
            str(folder / "page"),
        ],
        check=True,
        timeout=60,
    )
    found = zxingcpp.read_barcodes(Image.open(folder / "page.png"))
    assert len(found) == 1, found
    return str(found[0].text)


def _check(page: Any, url: str, pdf: bytes, folder: Path, name: str) -> str:
    page.goto(url)
    (folder / name).write_bytes(pdf)
    page.set_input_files("#pdf", str(folder / name))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    return str(page.inner_text("main"))


@needs_poppler
def test_a_certificate_issued_on_the_phone_is_confirmed_from_its_qr_and_refused_altered(
    phone: Any, demo_site: str, tmp_path: Path
) -> None:
    page = phone
    page.goto(demo_site + "/login?next=/m/certificate")
    page.fill("#phone", DEMO_VOLUNTEER)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    screenshot(page, "certificate-form-390")

    page.click("form[action='/m/certificate'] button[type=submit]")
    page.wait_for_load_state()
    screenshot(page, "certificate-issued-390")
    # The certificate just issued: its card comes first, then the list of those issued.
    link = page.locator("a[href$='.pdf']").first
    pdf = page.request.get(demo_site + str(link.get_attribute("href"))).body()
    assert pdf.startswith(b"%PDF")

    url = _qr_of(pdf, tmp_path)
    serial = url.rsplit("/", 1)[1]
    assert url.startswith(demo_site.upper() + "/V/")

    confirmed = _check(page, url, pdf, tmp_path, "genuine.pdf")
    screenshot(page, "certificate-checked-390")
    assert "核验通过" in confirmed
    assert serial in confirmed
    # The public page masks the name the PDF prints in full.
    assert "吴小青" not in page.content()

    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    refused = _check(page, url, bytes(altered), tmp_path, "altered.pdf")
    assert "核验未通过" in refused


def test_a_refused_period_reads_as_an_error_and_the_date_fields_are_finger_sized(
    phone: Any, demo_site: str
) -> None:
    page = phone
    page.goto(demo_site + "/login?next=/m/certificate")
    page.fill("#phone", DEMO_VOLUNTEER)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(demo_site + "/m/certificate")
    for field in ("#from", "#to"):
        box = page.locator(field).bounding_box()
        assert box["height"] >= 48, (field, box)

    # The period ends before it starts.
    page.fill("#from", "2026-03-01")
    page.fill("#to", "2026-02-01")
    page.click("form[action='/m/certificate'] button[type=submit]")
    page.wait_for_load_state()
    screenshot(page, "certificate-refused-390")

    refusal = page.locator("[role=alert]")
    assert "结束日期早于开始日期" in refusal.inner_text()
    colours = refusal.evaluate(
        "p => [getComputedStyle(p).backgroundColor, getComputedStyle(p).color]"
    )
    # The pages' error colours (.error), not the green of a notice of success.
    assert colours == ["rgb(253, 236, 234)", "rgb(142, 28, 21)"]
    assert page.locator(".notice").count() == 0
    assert page.locator("#from").bounding_box()["height"] >= 48
