"""The volunteer issues a certificate of service from the phone: the form takes a
period, the PDF downloads, and a period without service is refused in words."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

import pytest

from grassroots.application.certificates import pdf_digest
from grassroots.cjk_font import DEFAULT_CJK_FONT
from grassroots.domain.activity import Activity
from tests.conftest import FakeClock
from tests.integration.pages.conftest import Site
from tests.integration.pages.test_volunteer_pages import _eventually, form_token, me, soon

__all__ = ["me"]

needs_font = pytest.mark.skipif(
    not DEFAULT_CJK_FONT.is_file(), reason="fonts-noto-cjk is not installed"
)


def _served_fifty_minutes(site: Site, volunteer: UUID, clock: FakeClock) -> None:
    activity = soon(site, clock, sign_up_required=False, hours=1)
    starts_at = site.app.get(Activity, activity).starts_at
    clock.set(starts_at)
    site.app.check_in(activity, volunteer, token=site.app.venue_code(activity).token)
    clock.set(starts_at + timedelta(minutes=50))
    site.app.check_out(activity, volunteer, token=site.app.venue_code(activity).token)
    _eventually(site, "/m/hours", "社区环境清洁")


@needs_font
def test_a_volunteer_issues_a_certificate_by_the_form_and_downloads_its_pdf(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    _served_fifty_minutes(site, me, clock)
    clock.set(clock.now + timedelta(days=1))
    form = site.client.get("/m/certificate")
    today = clock.now.date().isoformat()

    answer = site.client.post(
        "/m/certificate",
        data={"from": "2026-01-01", "to": today, "_csrf_token": form_token(form.text)},
    )

    assert answer.status_code == 200, answer.text
    found = re.search(r'href="/m/certificate/([0-9A-Z-]+)\.pdf"', answer.text)
    assert found, answer.text
    serial = found.group(1)
    assert "共 1 项活动" in answer.text
    pdf = site.client.get(f"/m/certificate/{serial}.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    # The bytes downloaded are the ones whose digest the certificate recorded.
    assert site.app.certificate(serial).certifies(pdf_digest(pdf.content))


def _listed(page: str) -> list[str]:
    """The serials under 已开具的证明, in the order shown."""
    section = page.split('id="certificates"', 1)
    return re.findall(r'href="/m/certificate/([0-9A-Z-]+)\.pdf"', section[1]) if section[1:] else []


@needs_font
def test_issued_certificates_are_listed_under_the_form_newest_first_and_download(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    _served_fifty_minutes(site, me, clock)
    clock.set(clock.now + timedelta(days=1))
    empty = site.client.get("/m/certificate")
    assert "已开具的证明" in empty.text
    assert _listed(empty.text) == []
    today = clock.now.date().isoformat()

    serials = []
    for start in ("2026-01-01", "2026-02-01"):
        form = site.client.get("/m/certificate")
        answer = site.client.post(
            "/m/certificate",
            data={"from": start, "to": today, "_csrf_token": form_token(form.text)},
        )
        assert answer.status_code == 200, answer.text
        serials.insert(0, answer.text.split("编号 ", 1)[1][:14])
        # The page one lands on after issuing shows the new one at the top.
        assert _listed(answer.text) == serials

    again = site.client.get("/m/certificate")
    assert _listed(again.text) == serials
    assert f"2026-02-01 至 {today}" in again.text
    assert "1 项活动，共 50分钟" in again.text
    assert f'href="/V/{serials[0]}"' in again.text
    assert re.search(rf"\d{{4}}-\d\d-\d\d 开具 · 编号 {serials[0]}", again.text)
    for serial in serials:
        pdf = site.client.get(f"/m/certificate/{serial}.pdf")
        assert pdf.status_code == 200
        assert site.app.certificate(serial).certifies(pdf_digest(pdf.content))
    english = site.client.get("/m/certificate?lang=en")
    assert "Certificates issued" in english.text
    assert "1 activities, 50 min in all" in english.text


@needs_font
def test_a_period_without_service_is_refused_in_words_and_issues_nothing(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    form = site.client.get("/m/certificate")
    day = clock.now.date().isoformat()

    answer = site.client.post(
        "/m/certificate", data={"from": day, "to": day, "_csrf_token": form_token(form.text)}
    )

    assert answer.status_code == 409
    assert 'role="alert"' in answer.text
    assert ".pdf" not in answer.text


def test_the_certificate_form_is_refused_without_its_token(site: Site, me: UUID) -> None:
    answer = site.client.post("/m/certificate", data={"from": "2026-01-01", "to": "2026-01-02"})
    assert answer.status_code == 403


@needs_font
def test_issuing_redirects_so_a_reload_shows_the_certificate_and_issues_no_other(
    site: Site, me: UUID, clock: FakeClock
) -> None:
    _served_fifty_minutes(site, me, clock)
    clock.set(clock.now + timedelta(days=1))
    form = site.client.get("/m/certificate")
    data = {
        "from": "2026-01-01",
        "to": clock.now.date().isoformat(),
        "_csrf_token": form_token(form.text),
    }

    posted = site.client.post("/m/certificate", data=data, follow_redirects=False)

    assert posted.status_code == 303
    location = posted.headers["location"]
    found = re.fullmatch(r"/m/certificate\?issued=([0-9A-Z-]+)", location)
    assert found, location
    serial = found.group(1)
    shown, reloaded = site.client.get(location).text, site.client.get(location).text
    for page in (shown, reloaded):
        assert f'href="/m/certificate/{serial}.pdf"' in page
        assert "共 1 项活动" in page
    assert len(set(re.findall(r"/m/certificate/([0-9A-Z-]+)\.pdf", reloaded))) == 1
    # Another serial in the address shows no certificate of someone else's.
    assert "共 1 项活动" not in site.client.get("/m/certificate?issued=AAAA-BBBB-CCCC").text
