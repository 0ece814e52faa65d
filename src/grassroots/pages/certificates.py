"""``/V/<SERIAL>``: where a certificate's QR code leads. Anyone sees what the
certificate shows (the name masked) and may check a PDF against it.

The certificate is read, and a PDF checked, by the same functions as the API's
public routes (``grassroots.api.certificates``): one rule for genuine, one view.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Template

from grassroots.api.certificates import (
    MAX_PDF_BYTES,
    PublicCertificateView,
    checked_certificate,
    public_certificate,
)
from grassroots.api.context import Api, ApiDep
from grassroots.application.errors import NotFound
from grassroots.pages.controllers import page

__all__ = ["ROUTES"]


def _issued_on(api: Api, view: PublicCertificateView) -> date:
    """The day of issue on the platform's wall clock, as the PDF prints it."""
    return view.issued_at.astimezone(ZoneInfo(api.app.config.time_zone)).date()


@get("/V/{serial:str}", name="certificate")
async def show(request: Request[Any, Any, Any], serial: FromPath[str], api: ApiDep) -> Template:
    try:
        view = await api.read(None, public_certificate, api, serial)
    except NotFound:
        raise NotFoundException() from None
    return page(
        request, "certificate.html", certificate=view, issued_on=_issued_on(api, view), verdict=None
    )


@post("/V/{serial:str}", name="certificate-check", request_max_body_size=MAX_PDF_BYTES + 10_000)
async def check(
    request: Request[Any, Any, Any],
    serial: FromPath[str],
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    api: ApiDep,
) -> Template:
    pdf = b""
    for name, value in data.items():
        if isinstance(value, UploadFile):
            # Read and closed here: the temporary file of an upload is ours to close.
            if name == "pdf":
                pdf = await value.read()
            await value.close()
    try:
        view, genuine = await api.read(None, checked_certificate, api, serial, pdf)
    except NotFound:
        raise NotFoundException() from None
    return page(
        request,
        "certificate.html",
        certificate=view,
        issued_on=_issued_on(api, view),
        verdict=genuine,
    )


ROUTES = [show, check]
