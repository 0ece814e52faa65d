"""Certificates of volunteer service (志愿服务证明): issued to a volunteer, checked by anyone.

A volunteer issues their own certificate for a period and downloads its PDF
(never another volunteer's: that answers as if it did not exist). The PDF's QR
code opens ``/V/<SERIAL>``, a public page showing what the certificate shows
with the name masked, where a PDF can be checked: it is genuine and unaltered
when its bytes hash to the SHA-256 recorded at issue. The same check is
``POST /api/v1/certificates/{serial}/check`` for programs; the page is in
``grassroots.pages.certificates`` and reads through the functions here. The
certificates a volunteer has issued are listed, newest first, from the
``issued_certificates`` read model (``GET /api/v1/me/certificates``), so an
earlier one is downloaded again rather than issued anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, JSONBody, PathParameter, RawBody
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.pagination import Page, PageRequest, page_request
from grassroots.api.problems import ApiProblem, problem_responses
from grassroots.application.certificates import pdf_digest
from grassroots.application.errors import NotFound
from grassroots.certificates.pdf import CertificatePdf, verification_url
from grassroots.domain.account import Role
from grassroots.domain.certificate import Certificate, CertificateFacts, display_hours
from grassroots.domain.values import mask_name
from grassroots.projections.certificates import IssuedCertificate, certificates_of
from grassroots.projections.ledger import served_between

__all__ = [
    "MAX_PDF_BYTES",
    "ROUTES",
    "CertificatePeriod",
    "CertificateView",
    "IssuedCertificateView",
    "PublicCertificateView",
    "certificate_renderer",
    "checked_certificate",
    "issue_own_certificate",
    "my_certificates",
    "own_certificate_pdf",
    "public_certificate",
]

# A certificate's PDF is tens of kilobytes; a year of daily service stays far below this.
MAX_PDF_BYTES = 1_000_000
PDF_MEDIA_TYPE = "application/pdf"


# A dataclass again, so that its own __init__ calls __post_init__.
@dataclass
class _PdfBody(Operation):
    """The check's body is the PDF itself, read raw: the framework documents no body
    for it, so a client generated from the document would send none (415)."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            content={
                PDF_MEDIA_TYPE: OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.STRING,
                        format=OpenAPIFormat.BINARY,
                        max_length=MAX_PDF_BYTES,
                    )
                )
            },
            description="The PDF as downloaded, byte for byte.",
            required=True,
        )


Serial = Annotated[
    str,
    Meta(min_length=1, max_length=40, examples=["7K3M-9QXD-2HFA"]),
]


# --- bodies -------------------------------------------------------------------


class CertificatePeriod(msgspec.Struct, kw_only=True):
    from_day: Annotated[date, Meta(description="First day of the period.")] = msgspec.field(
        name="from"
    )
    to_day: Annotated[
        date, Meta(description="Last day of the period (at most a year after the first).")
    ] = msgspec.field(name="to")


class CertificateLineView(msgspec.Struct, kw_only=True):
    day: date
    activity_title: Annotated[str, Meta(examples=["社区环境清洁"])]
    center_name: Annotated[str, Meta(examples=["东风社区青年之家"])]
    minutes: int
    hours: Annotated[str, Meta(description="The minutes in hours, as shown.", examples=["1.5"])]


class PublicCertificateView(msgspec.Struct, kw_only=True):
    """What a certificate shows, the volunteer's name masked."""

    serial: Serial
    volunteer_name: Annotated[str, Meta(examples=["王**"])]
    from_day: date = msgspec.field(name="from")
    to_day: date = msgspec.field(name="to")
    lines: list[CertificateLineView]
    total_minutes: int
    total_hours: Annotated[str, Meta(examples=["12.5"])]
    issued_at: datetime
    verification_url: Annotated[str, Meta(examples=["HTTP://127.0.0.1:8000/V/7K3M-9QXD-2HFA"])]


class CertificateView(msgspec.Struct, kw_only=True):
    """A certificate as its volunteer sees it: the full name, the PDF's link and digest."""

    serial: Serial
    volunteer_name: Annotated[str, Meta(examples=["王小明"])]
    from_day: date = msgspec.field(name="from")
    to_day: date = msgspec.field(name="to")
    lines: list[CertificateLineView]
    total_minutes: int
    total_hours: Annotated[str, Meta(examples=["12.5"])]
    issued_at: datetime
    verification_url: Annotated[str, Meta(examples=["HTTP://127.0.0.1:8000/V/7K3M-9QXD-2HFA"])]
    pdf_url: Annotated[str, Meta(examples=["/api/v1/me/certificates/7K3M-9QXD-2HFA.pdf"])]
    pdf_sha256: Annotated[str, Meta(description="SHA-256 of the PDF, hexadecimal.")]


class IssuedCertificateView(msgspec.Struct, kw_only=True):
    """One of the caller's certificates as listed: its period and totals, and its links."""

    serial: Serial
    from_day: date = msgspec.field(name="from")
    to_day: date = msgspec.field(name="to")
    activities: Annotated[int, Meta(description="How many activities it lists.", examples=[2])]
    total_minutes: int
    total_hours: Annotated[str, Meta(examples=["12.5"])]
    issued_at: datetime
    verification_url: Annotated[str, Meta(examples=["HTTP://127.0.0.1:8000/V/7K3M-9QXD-2HFA"])]
    pdf_url: Annotated[str, Meta(examples=["/api/v1/me/certificates/7K3M-9QXD-2HFA.pdf"])]


class CertificateCheck(msgspec.Struct, kw_only=True):
    serial: Serial
    genuine: Annotated[
        bool,
        Meta(description="Whether the PDF is this certificate's, unaltered to the byte."),
    ]


def _lines(facts: CertificateFacts) -> list[CertificateLineView]:
    return [
        CertificateLineView(
            day=line.day,
            activity_title=line.activity_title,
            center_name=line.center_name,
            minutes=line.minutes,
            hours=display_hours(line.minutes),
        )
        for line in facts.lines
    ]


def _public_view(api: Api, certificate: Certificate) -> PublicCertificateView:
    facts = certificate.facts
    return PublicCertificateView(
        serial=certificate.serial,
        volunteer_name=mask_name(facts.volunteer_name),
        from_day=facts.from_day,
        to_day=facts.to_day,
        lines=_lines(facts),
        total_minutes=certificate.total_minutes,
        total_hours=display_hours(certificate.total_minutes),
        issued_at=facts.issued_at,
        verification_url=verification_url(api.config.public_url, certificate.serial),
    )


def _own_view(api: Api, certificate: Certificate) -> CertificateView:
    facts = certificate.facts
    return CertificateView(
        serial=certificate.serial,
        volunteer_name=facts.volunteer_name,
        from_day=facts.from_day,
        to_day=facts.to_day,
        lines=_lines(facts),
        total_minutes=certificate.total_minutes,
        total_hours=display_hours(certificate.total_minutes),
        issued_at=facts.issued_at,
        verification_url=verification_url(api.config.public_url, certificate.serial),
        pdf_url=f"/api/v1/me/certificates/{certificate.serial}.pdf",
        pdf_sha256=certificate.pdf_sha256,
    )


def _issued_view(api: Api, row: IssuedCertificate) -> IssuedCertificateView:
    return IssuedCertificateView(
        serial=row.serial,
        from_day=row.from_day,
        to_day=row.to_day,
        activities=row.line_count,
        total_minutes=row.total_minutes,
        total_hours=display_hours(row.total_minutes),
        issued_at=row.issued_at,
        verification_url=verification_url(api.config.public_url, row.serial),
        pdf_url=f"/api/v1/me/certificates/{row.serial}.pdf",
    )


def my_certificates(api: Api, volunteer_id: UUID, page: PageRequest) -> list[IssuedCertificateView]:
    """A volunteer's certificates, newest first, one more than the page asks for (to
    tell a next page)."""
    with api.engine.connect() as conn:
        rows = certificates_of(conn, volunteer_id, limit=page.limit + 1, offset=page.offset)
    return [_issued_view(api, row) for row in rows]


def certificate_renderer(api: Api) -> CertificatePdf:
    return CertificatePdf(
        public_url=api.config.public_url,
        font_path=api.config.cjk_font,
        time_zone=api.app.config.time_zone,
    )


def _own_certificate(api: Api, caller: Caller, serial: str) -> Certificate:
    """The caller's certificate; another volunteer's answers as if there were none."""
    certificate = api.app.certificate(serial)
    if certificate.volunteer_id != caller.volunteer_id:
        raise NotFound("certificate", certificate.id)
    return certificate


def issue_own_certificate(
    api: Api, volunteer_id: UUID, period: CertificatePeriod, renderer: CertificatePdf
) -> CertificateView:
    with api.engine.connect() as conn:
        served = served_between(conn, volunteer_id, period.from_day, period.to_day)
    certificate, _pdf = api.app.issue_certificate(
        volunteer_id, period.from_day, period.to_day, served, render=renderer
    )
    return _own_view(api, certificate)


def own_certificate_pdf(
    api: Api, caller: Caller, serial: str, renderer: CertificatePdf
) -> tuple[str, bytes]:
    certificate = _own_certificate(api, caller, serial)
    return certificate.serial, api.app.certificate_pdf(certificate, render=renderer)


def public_certificate(api: Api, serial: str) -> PublicCertificateView:
    """What the certificate with this serial shows anyone (the API's and the page's)."""
    return _public_view(api, api.app.certificate(serial))


def checked_certificate(api: Api, serial: str, pdf: bytes) -> tuple[PublicCertificateView, bool]:
    """What the certificate shows, and whether ``pdf`` is it, unaltered."""
    certificate = api.app.certificate(serial)
    return _public_view(api, certificate), certificate.certifies(pdf_digest(pdf))


def _genuine(api: Api, serial: str, pdf: bytes) -> CertificateCheck:
    certificate = api.app.certificate(serial)
    genuine = certificate.certifies(pdf_digest(pdf))
    return CertificateCheck(serial=certificate.serial, genuine=genuine)


class MyCertificateController(Controller):
    path = "/api/v1/me/certificates"
    tags = ["certificates"]  # noqa: RUF012
    guards = [requires(Role.VOLUNTEER)]  # noqa: RUF012

    @post(
        "/",
        operation_id="issueMyCertificate",
        summary="Issue a certificate of the caller's service in a period (volunteer)",
        description="Lists every activity served from `from` to `to` (both included, by "
        "the day each was scheduled on) with its credited hours, as the ledger has them "
        "now, and records the SHA-256 of its PDF. The period lasts at most a year and "
        "must not end after today; a period without credited service is refused.",
        status_code=HTTP_201_CREATED,
        responses=problem_responses(
            400,
            401,
            403,
            409,
            422,
            429,
            503,
            codes={
                409: ["certificate-empty"],
                422: [
                    "certificate-period-invalid",
                    "certificate-period-too-long",
                    "certificate-period-in-future",
                ],
                503: ["cjk-font-missing"],
            },
            instance="/api/v1/me/certificates",
        ),
    )
    async def issue(
        self, data: JSONBody[CertificatePeriod], request: Request[Caller, Token, Any], api: ApiDep
    ) -> CertificateView:
        caller = request.user
        volunteer_id = caller.volunteer_id
        renderer = certificate_renderer(api)
        # The font is checked before anything is read, so a server without it says so.
        renderer.check_font()
        # The ledger must include the caller's own latest scans before it is certified.
        await api.positions.settle(caller.account_id)
        return await api.write(
            caller.account_id, issue_own_certificate, api, volunteer_id, data, renderer
        )

    @get(
        "/",
        operation_id="listMyCertificates",
        summary="The certificates the caller has issued, newest first (volunteer)",
        description="Each certificate's serial, period, number of activities and total "
        "hours, when it was issued, and the links to its PDF and its public check page. "
        "Includes a certificate the caller has just issued.",
        dependencies={"page": Provide(page_request, sync_to_thread=False)},
        responses=problem_responses(400, 401, 403, 429),
    )
    async def list_mine(
        self,
        request: Request[Caller, Token, Any],
        api: ApiDep,
        page: NamedDependency[PageRequest],
    ) -> Page[IssuedCertificateView]:
        caller = request.user
        found = await api.read(caller.account_id, my_certificates, api, caller.volunteer_id, page)
        return page.page(found)

    @get(
        "/{file_name:str}",
        operation_id="getMyCertificatePdf",
        summary="The PDF of one of the caller's certificates (volunteer)",
        description="`<serial>.pdf`. Rendered again from the certificate's facts, byte for "
        "byte the PDF whose digest was recorded at issue.",
        media_type=PDF_MEDIA_TYPE,
        responses=problem_responses(401, 403, 404, 429, 503),
    )
    async def pdf(
        self,
        file_name: Annotated[str, PathParameter(max_length=60)],
        request: Request[Caller, Token, Any],
        api: ApiDep,
    ) -> Response[bytes]:
        caller = request.user
        if not file_name.endswith(".pdf"):
            raise ApiProblem(404, "no-such-route", "certificates are served as <serial>.pdf")
        serial = file_name.removesuffix(".pdf")
        found, pdf = await api.read(
            None, own_certificate_pdf, api, caller, serial, certificate_renderer(api)
        )
        return Response(
            pdf,
            media_type=PDF_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="certificate-{found}.pdf"',
                "Cache-Control": "private, no-store",
            },
        )


class CertificateController(Controller):
    path = "/api/v1/certificates"
    tags = ["certificates"]  # noqa: RUF012

    @get(
        "/{serial:str}",
        operation_id="getCertificate",
        summary="What a certificate shows, the name masked (anyone)",
        description="For a reader of a certificate: the period, activities and hours "
        "exactly as issued, the volunteer's name masked (王**).",
        opt={"public": True},
        responses=problem_responses(404, 429),
    )
    async def read(self, serial: FromPath[Serial], api: ApiDep) -> PublicCertificateView:
        return await api.read(None, public_certificate, api, serial)

    @post(
        "/{serial:str}/check",
        operation_id="checkCertificate",
        summary="Whether a PDF is this certificate, unaltered (anyone)",
        description="The body is the PDF itself (`application/pdf`, at most 1 MB). "
        "`genuine` is true only when it is, to the byte, the PDF issued.",
        opt={"public": True},
        status_code=HTTP_200_OK,
        request_max_body_size=MAX_PDF_BYTES,
        responses=problem_responses(404, 413, 415, 429),
        operation_class=_PdfBody,
    )
    async def check(
        self,
        serial: FromPath[Serial],
        body: RawBody,
        request: Request[Any, Any, Any],
        api: ApiDep,
    ) -> CertificateCheck:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type != PDF_MEDIA_TYPE:
            raise ApiProblem(415, "unsupported-media-type", "send the PDF as application/pdf")
        return await api.read(None, _genuine, api, serial, bytes(body))


ROUTES: list[ControllerRouterHandler] = [
    MyCertificateController,
    CertificateController,
]
