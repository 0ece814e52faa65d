"""Certificates of volunteer service (志愿服务证明): issued to a volunteer, checked by anyone.

A volunteer issues their own certificate for a period and downloads its PDF
(never another volunteer's: that answers as if it did not exist). The PDF's QR
code opens ``/V/<SERIAL>``, a public page showing what the certificate shows
with the name masked, where a PDF can be checked: it is genuine and unaltered
when its bytes hash to the SHA-256 recorded at issue. The same check is
``POST /api/v1/certificates/{serial}/check`` for programs.
"""

from __future__ import annotations

import html
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, JSONBody, PathParameter, RawBody
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from litestar.types import ControllerRouterHandler
from msgspec import Meta

from grassroots.api.auth import Caller, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.problems import ApiProblem, problem_responses
from grassroots.application.certificates import pdf_digest
from grassroots.application.errors import NotFound
from grassroots.certificates.pdf import CertificatePdf, verification_url
from grassroots.domain.account import Role
from grassroots.domain.certificate import Certificate, CertificateFacts, display_hours
from grassroots.domain.values import mask_name
from grassroots.projections.ledger import served_between

__all__ = ["ROUTES"]

# A certificate's PDF is tens of kilobytes; a year of daily service stays far below this.
MAX_PDF_BYTES = 1_000_000
PDF_MEDIA_TYPE = "application/pdf"

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


def _renderer(api: Api) -> CertificatePdf:
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


def _issue(
    api: Api, volunteer_id: UUID, period: CertificatePeriod, renderer: CertificatePdf
) -> CertificateView:
    with api.engine.connect() as conn:
        served = served_between(conn, volunteer_id, period.from_day, period.to_day)
    certificate, _pdf = api.app.issue_certificate(
        volunteer_id, period.from_day, period.to_day, served, render=renderer
    )
    return _own_view(api, certificate)


def _own_pdf(api: Api, caller: Caller, serial: str, renderer: CertificatePdf) -> tuple[str, bytes]:
    certificate = _own_certificate(api, caller, serial)
    return certificate.serial, api.app.certificate_pdf(certificate, render=renderer)


def _public(api: Api, serial: str) -> PublicCertificateView:
    return _public_view(api, api.app.certificate(serial))


def _checked(api: Api, serial: str, pdf: bytes) -> tuple[PublicCertificateView, bool]:
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
                503: ["certificate-font-missing"],
            },
            instance="/api/v1/me/certificates",
        ),
    )
    async def issue(
        self, data: JSONBody[CertificatePeriod], request: Request[Caller, Token, Any], api: ApiDep
    ) -> CertificateView:
        caller = request.user
        volunteer_id = caller.volunteer_id
        renderer = _renderer(api)
        # The font is checked before anything is read, so a server without it says so.
        renderer.check_font()
        # The ledger must include the caller's own latest scans before it is certified.
        await api.positions.settle(caller.account_id)
        return await api.write(caller.account_id, _issue, api, volunteer_id, data, renderer)

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
        found, pdf = await api.read(None, _own_pdf, api, caller, serial, _renderer(api))
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
        return await api.read(None, _public, api, serial)

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


# --- the public page ----------------------------------------------------------------

_STYLE = """
 body { font-family: system-ui, "PingFang SC", "Noto Sans CJK SC", sans-serif; margin: 0;
        color: #1d2a36; background: #f5f6f8; line-height: 1.55; }
 main { max-width: 40rem; margin: 0 auto; padding: 1rem; }
 h1 { font-size: 1.4rem; margin: .5rem 0; }
 .card { background: #fff; border-radius: .5rem; padding: 1rem; margin: .8rem 0; }
 .ok { border-left: .35rem solid #1b7f3b; } .bad { border-left: .35rem solid #b3261e; }
 table { width: 100%; border-collapse: collapse; font-size: .92rem; }
 th, td { text-align: left; padding: .35rem .25rem; border-bottom: 1px solid #e3e6ea; }
 td.n, th.n { text-align: right; white-space: nowrap; } td.d { white-space: nowrap; }
 .muted { color: #5b6b7a; font-size: .9rem; }
 input[type=file] { width: 100%; margin: .5rem 0; }
 button { font-size: 1rem; padding: .5rem 1.2rem; border: 0; border-radius: .3rem;
          background: #b3261e; color: #fff; }
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def _certificate_html(view: PublicCertificateView, issued_on: date, verdict: bool | None) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td class=d>{line.day.isoformat()}</td><td>{e(line.activity_title)}</td>"
        f"<td>{e(line.center_name)}</td><td class=n>{line.hours}</td></tr>"
        for line in view.lines
    )
    if verdict is True:
        result = (
            '<div class="card ok"><strong>核验通过：</strong>所提交的 PDF 与平台出具的'
            "证明完全一致，未被改动。</div>"
        )
    elif verdict is False:
        result = (
            '<div class="card bad"><strong>核验未通过：</strong>所提交的文件不是平台出具的'
            "这份证明，或已被改动。</div>"
        )
    else:
        result = ""
    serial = e(view.serial)
    body = f"""
<h1>志愿服务证明 · 核验</h1>
<p class="muted">Volunteer service certificate · verification</p>
{result}
<div class="card">
 <p>编号为 <strong>{serial}</strong> 的证明确由本平台出具，内容如下（姓名已部分隐去）：</p>
 <p>志愿者：<strong>{e(view.volunteer_name)}</strong><br>
 服务期间：{view.from_day.isoformat()} 至 {view.to_day.isoformat()}<br>
 累计服务时长：<strong>{view.total_hours} 小时</strong><br>
 出具日期：{issued_on.isoformat()}</p>
 <table><thead><tr><th>日期</th><th>活动</th><th>服务单位</th><th class=n>小时</th></tr>
 </thead><tbody>{rows}</tbody></table>
</div>
<div class="card">
 <form method="post" action="/V/{serial}" enctype="multipart/form-data">
  <label for="pdf">核对手中的 PDF 是否为原件、未经改动：</label>
  <input id="pdf" type="file" name="pdf" accept="application/pdf" required>
  <button type="submit">核验</button>
 </form>
 <p class="muted">文件只用于核对，不会被保存。</p>
</div>"""
    return _page(f"志愿服务证明 {view.serial}", body)


def _issued_on(api: Api, view: PublicCertificateView) -> date:
    """The day of issue on the wall clock where the platform runs, as the PDF says it."""
    return view.issued_at.astimezone(ZoneInfo(api.app.config.time_zone)).date()


def _not_found_html() -> str:
    body = (
        "<h1>未找到该证明</h1><div class='card bad'>没有这个编号的志愿服务证明。"
        "请核对二维码或编号。<br><span class=muted>No certificate has this serial.</span></div>"
    )
    return _page("未找到该证明", body)


def _html(text: str, status: int = 200) -> Response[str]:
    return Response(
        text, status_code=status, media_type=MediaType.HTML, headers={"Cache-Control": "no-store"}
    )


class CertificatePageController(Controller):
    """``/V/<SERIAL>``: where a certificate's QR code leads (Chinese, no scripts)."""

    path = "/V"
    include_in_schema = False

    @get("/{serial:str}", opt={"public": True})
    async def show(self, serial: FromPath[str], api: ApiDep) -> Response[str]:
        try:
            view = await api.read(None, _public, api, serial)
        except NotFound:
            return _html(_not_found_html(), 404)
        return _html(_certificate_html(view, _issued_on(api, view), None))

    @post("/{serial:str}", opt={"public": True}, request_max_body_size=MAX_PDF_BYTES + 10_000)
    async def check(
        self,
        serial: FromPath[str],
        data: Annotated[UploadFile, Body(media_type=RequestEncodingType.MULTI_PART)],
        api: ApiDep,
    ) -> Response[str]:
        pdf = await data.read()
        try:
            view, genuine = await api.read(None, _checked, api, serial, pdf)
        except NotFound:
            return _html(_not_found_html(), 404)
        return _html(_certificate_html(view, _issued_on(api, view), genuine), HTTP_200_OK)


ROUTES: list[ControllerRouterHandler] = [
    MyCertificateController,
    CertificateController,
    CertificatePageController,
]
