"""The volunteer's certificate of service (志愿服务证明) on the phone: choose a period,
issue it, download its PDF; under the form, the certificates already issued (已开具的证明),
newest first, each with its PDF and its public check page.

Issuing, the PDF and every refusal are the API's own (``api/certificates.py``): the
page builds the same ``CertificatePeriod`` body and calls the same functions, so the
period rules and the recorded digest cannot differ between the two. The list is the
API's ``listMyCertificates`` read (``my_certificates``), run through ``Api.read`` after the
caller's own writes, so a certificate just issued is at its top.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.params import PathParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.certificates import (
    CertificatePeriod,
    IssuedCertificateView,
    certificate_renderer,
    issue_own_certificate,
    my_certificates,
    own_certificate_pdf,
)
from grassroots.api.context import Api, ApiDep
from grassroots.api.pagination import PageRequest
from grassroots.api.problems import ApiProblem, refusal_of
from grassroots.domain.errors import CodedError
from grassroots.domain.values import local_date
from grassroots.pages.controllers import language_of
from grassroots.pages.sessions import SessionsDep
from grassroots.pages.volunteer import Me, phone_page, volunteer_of
from grassroots.pages.words import translator

__all__ = ["ROUTES"]

# The certificates listed under the form; an app reads further through the API.
LIST_LIMIT = 100


def _today(api: Api) -> date:
    return local_date(api.app.now(), ZoneInfo(api.app.config.time_zone))


async def _issued_list(api: Api, me: Me) -> dict[str, Any]:
    """The page's list of the caller's certificates, newest first, and how to date them."""
    zone = ZoneInfo(api.app.config.time_zone)

    def issued_day(at: datetime) -> str:
        return local_date(at, zone).isoformat()

    found: list[IssuedCertificateView] = []
    if me.volunteer_id is not None:
        page = PageRequest(limit=LIST_LIMIT, offset=0)
        found = await api.read(me.caller.account_id, my_certificates, api, me.volunteer_id, page)
    return {"certificates": found[:LIST_LIMIT], "issued_day": issued_day}


@get("/m/certificate", name="m-certificate")
async def certificate_form(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    me = await volunteer_of(request, api, sessions)
    if isinstance(me, Redirect):
        return me
    today = _today(api)
    listed = await _issued_list(api, me)
    # Back from issuing (?issued=<serial>): that one, if it is the caller's, is shown
    # with its download at the top; anyone else's serial shows nothing.
    wanted = request.query_params.get("issued")
    issued = next((c for c in listed["certificates"] if c.serial == wanted), None)
    return phone_page(
        request,
        api,
        me,
        "m/certificate.html",
        start=date(today.year, 1, 1).isoformat(),
        end=today.isoformat(),
        issued=issued,
        refusal=None,
        **listed,
    )


@post("/m/certificate", name="m-certificate-issue")
async def issue(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    me = await volunteer_of(request, api, sessions)
    if isinstance(me, Redirect):
        return me
    form = await request.form()
    start, end = str(form.get("from", "")), str(form.get("to", ""))
    t = translator(language_of(request))
    again: dict[str, Any] = {"start": start, "end": end, "issued": None}
    if me.volunteer_id is None:
        return phone_page(request, api, me, "m/certificate.html", refusal=None, **again)
    try:
        period = msgspec.convert({"from": start, "to": end}, CertificatePeriod, strict=False)
    except msgspec.ValidationError:
        refusal = t("m.certificate.bad_dates")
        again.update(await _issued_list(api, me))
        return phone_page(
            request, api, me, "m/certificate.html", refusal=refusal, status=400, **again
        )
    renderer = certificate_renderer(api)
    try:
        renderer.check_font()
        # The ledger must include the caller's own latest scans before it is certified.
        await api.positions.settle(me.caller.account_id)
        issued = await api.write(
            me.caller.account_id, issue_own_certificate, api, me.volunteer_id, period, renderer
        )
    except CodedError as error:
        found, status = refusal_of(error)
        english = language_of(request) == "en"
        sentence = error.message if found is None else (found.en if english else found.zh)
        again.update(await _issued_list(api, me))
        return phone_page(
            request, api, me, "m/certificate.html", refusal=sentence, status=status, **again
        )
    # Post, then redirect: a reload of the page that follows must not issue another.
    return Redirect(
        f"/m/certificate?{urlencode({'issued': issued.serial})}", status_code=HTTP_303_SEE_OTHER
    )


@get("/m/certificate/{file_name:str}", name="m-certificate-pdf")
async def certificate_pdf(
    request: Request[Any, Any, Any],
    file_name: Annotated[str, PathParameter(max_length=60)],
    api: ApiDep,
    sessions: SessionsDep,
) -> Response[bytes] | Redirect:
    me = await volunteer_of(request, api, sessions)
    if isinstance(me, Redirect):
        return me
    if not file_name.endswith(".pdf"):
        raise ApiProblem(404, "no-such-route", "certificates are served as <serial>.pdf")
    serial, pdf = await api.read(
        None,
        own_certificate_pdf,
        api,
        me.caller,
        file_name.removesuffix(".pdf"),
        certificate_renderer(api),
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{serial}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


ROUTES = [certificate_form, issue, certificate_pdf]
