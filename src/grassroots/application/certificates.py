"""Certificates of volunteer service: issued from the ledger, read back by serial.

Issuing draws up the facts (the domain's rules), has them rendered as a PDF by
the renderer it is given (an adapter: ``grassroots.certificates.pdf``), and
records the PDF's SHA-256 with the facts. The PDF itself is not stored: the
same facts render the same bytes, so it is rendered again when asked for.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from datetime import date
from uuid import UUID

from grassroots.application.core import Core
from grassroots.application.errors import ApplicationError, ConcurrentChange, NotFound
from grassroots.domain.certificate import (
    SERIAL_RANDOM_BYTES,
    Certificate,
    CertificateFacts,
    ServedMinutes,
    draw_up,
    serial_from,
)
from grassroots.domain.errors import InvalidValue
from grassroots.domain.org_unit import OrgUnit
from grassroots.domain.values import local_date, time_zone
from grassroots.domain.volunteer import Volunteer

__all__ = ["CertificateCommands", "CertificateNotReproducible", "Renderer", "pdf_digest"]

# Renders a certificate's facts as the bytes of its PDF, the same bytes every time.
Renderer = Callable[[CertificateFacts], bytes]


def pdf_digest(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


class CertificateCommands(Core):
    def issue_certificate(
        self,
        volunteer_id: UUID,
        from_day: date,
        to_day: date,
        lines: Sequence[ServedMinutes],
        *,
        render: Renderer,
    ) -> tuple[Certificate, bytes]:
        """Issue the volunteer's certificate of ``lines`` (their ledger's, with titles
        and center names) for the period; the certificate and its PDF."""
        volunteer = self.get(Volunteer, volunteer_id)
        unit = self.get(OrgUnit, volunteer.org_unit_id)
        at = self.now()
        today = local_date(at, time_zone(unit.time_zone))
        # Two certificates drawing the same serial (a chance in 2**60) would share an
        # id; the store refuses the second, and it is drawn up again with another.
        for attempt in range(2):
            facts = draw_up(
                serial=serial_from(secrets.token_bytes(SERIAL_RANDOM_BYTES)),
                volunteer_name=volunteer.name,
                from_day=from_day,
                to_day=to_day,
                served=lines,
                today=today,
                at=at,
            )
            pdf = render(facts)
            certificate = Certificate.issue(
                facts, volunteer_id=volunteer_id, pdf_sha256=pdf_digest(pdf)
            )
            try:
                self.commit(certificate)
            except ConcurrentChange:
                if attempt:
                    raise
                continue
            return certificate, pdf
        raise AssertionError("unreachable")  # pragma: no cover

    def certificate(self, serial: str) -> Certificate:
        """The certificate with this serial (as typed: any case, hyphens or not)."""
        try:
            certificate_id = Certificate.id_for(serial)
        except InvalidValue:
            raise NotFound("certificate", Certificate.id_for("0000-0000-0000")) from None
        return self.get(Certificate, certificate_id)

    def certificate_pdf(self, certificate: Certificate, *, render: Renderer) -> bytes:
        """The certificate's PDF, rendered again; refused if it no longer renders the
        bytes recorded at issue (the font or the renderer changed since)."""
        pdf = render(certificate.facts)
        if not certificate.certifies(pdf_digest(pdf)):
            raise CertificateNotReproducible(certificate.serial)
        return pdf


class CertificateNotReproducible(ApplicationError):
    """The certificate's facts no longer render the PDF whose digest was recorded."""

    code = "certificate-not-reproducible"

    def __init__(self, serial: str) -> None:
        super().__init__(f"certificate {serial} no longer renders the PDF issued")
