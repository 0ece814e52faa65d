"""Surveys (调研问卷): designed by supervisors and cadres, answered from a phone,
read as results, exported, and followed live.

Who may do what:

* design: a supervisor for a unit they supervise, a cadre for their own unit or
  one below it;
* manage (revise, publish, close, results, exports, the QR code, the live
  stream): the account that designed it, a supervisor of its unit (or above),
  an administrator; anyone else gets 404, as for a survey that does not exist;
* answer: a logged-in volunteer (``answerSurvey``), or anyone with the link
  when the survey allows it (``answerSurveyAnonymously``: no account, one
  answer per device cookie and day, rate limited per client address, which
  honours ``GRASSROOTS_TRUSTED_PROXIES``);
* the form itself (``getSurveyForm``): anyone, it is what the QR code opens.

A survey itself is read from the write side (its terms change rarely and the
designer sees their own change at once); results, breakdowns, text answers and
exports from the ``survey_results`` read model, after the caller's own writes.
"""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import CacheControlHeader, Cookie
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import ServerSentEvent
from litestar.security.jwt import Token
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from litestar.types import ControllerRouterHandler

from grassroots.api.auth import Caller, holds_any, requires
from grassroots.api.context import Api, ApiDep
from grassroots.api.downloads import attachment
from grassroots.api.live import recheck_for, updates
from grassroots.api.pagination import Page, PageRequest, page_request
from grassroots.api.problems import problem_responses
from grassroots.api.scope import in_unit_scope, require_unit
from grassroots.api.supervision import CSV_MEDIA_TYPE, csv_file
from grassroots.api.survey_views import (
    AnonymousAnswerBody,
    AnswerReceipt,
    NewSurvey,
    OptionView,
    QuestionDesign,
    QuestionResultView,
    SurveyAnswerBody,
    SurveyBreakdownView,
    SurveyDesign,
    SurveyForm,
    SurveyResultsView,
    SurveySummaryView,
    SurveyView,
    UnitCellView,
    question_view,
)
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.application.venue_codes import render_png
from grassroots.domain.account import Role
from grassroots.domain.cadre import Cadre
from grassroots.domain.errors import NotAllowed
from grassroots.domain.survey import (
    MAX_DEVICE_ID,
    Question,
    QuestionKind,
    Survey,
    SurveyAnswer,
)
from grassroots.domain.values import has_control_characters
from grassroots.projections.survey_results import (
    AnswerRow,
    SurveyRow,
    answer_rows,
    breakdown_by_unit,
    question_of,
    questions_of,
    survey_results,
    survey_row,
    surveys_under,
    text_answers,
)
from grassroots.reports.bulletin_xlsx import XLSX_MEDIA_TYPE
from grassroots.reports.survey_export import answer_cells, header_of, survey_xlsx

__all__ = [
    "DEVICE_COOKIE",
    "MANAGERS",
    "ROUTES",
    "SurveyController",
    "answer_anonymously",
    "answer_page_url",
    "answers_download",
    "close_survey",
    "design_survey",
    "device_cookie_name",
    "device_of",
    "export_answers",
    "form_of",
    "home_units",
    "manageable_survey",
    "manageable_surveys_under",
    "may_design_for",
    "publish_answer",
    "publish_survey",
    "read_survey",
    "revise_survey",
    "survey_code_png",
    "survey_texts",
    "survey_view",
]

# Who designs and manages surveys (administrators always): the designer must still
# hold one of these, so a cadre whose role was taken away keeps no survey's answers.
MANAGERS = (Role.SUPERVISOR, Role.CADRE)
# The device cookie that holds an anonymous respondent to one answer a day.
DEVICE_COOKIE = "grassroots_device"
DEVICE_COOKIE_DAYS = 400
# Exports hold every answer of a version, read a page at a time.
EXPORT_PAGE = 2000


def answer_page_url(public_url: str, survey_id: UUID) -> str:
    """What a survey's QR code encodes: its answer page."""
    return f"{public_url.rstrip('/')}/s/{survey_id}"


def survey_view(api: Api, survey: Survey) -> SurveyView:
    return SurveyView(
        survey_id=survey.id,
        title=survey.title,
        intro=survey.intro,
        org_unit_id=survey.org_unit_id,
        audience=survey.audience,
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        state=survey.state,
        current_version=survey.current_version,
        questions=[question_view(q) for q in (survey.versions[-1] if survey.versions else ())],
        draft=[question_view(q) for q in survey.draft],
        has_unpublished_changes=survey.has_unpublished_changes,
        url=answer_page_url(api.config.public_url, survey.id),
    )


def _questions(designs: list[QuestionDesign]) -> list[Question]:
    return [
        Question(
            key="",
            prompt=d.prompt,
            kind=d.kind,
            required=d.required,
            options=tuple(d.options),
            min_value=d.min_value,
            max_value=d.max_value,
        )
        for d in designs
    ]


# --- who may do what (blocking; run through Api.read / Api.write) ----------------------


def may_design_for(app: Grassroots, caller: Caller, org_unit_id: UUID) -> None:
    """A supervisor of the unit, or a cadre of it or of a unit above it."""
    if in_unit_scope(app, caller, org_unit_id):
        return
    for cadre_id in caller.subjects(Role.CADRE):
        try:
            home = app.get(Cadre, cadre_id).org_unit_id
            if org_unit_id == home or home in app.ancestry(org_unit_id):
                return
        except NotFound:
            continue
    raise NotFound("org_unit", org_unit_id)


def home_units(app: Grassroots, caller: Caller) -> list[UUID]:
    """The units a caller designs for first: those they supervise and their cadres'
    own units (``may_design_for`` also lets them design for any unit below)."""
    units = set(caller.subjects(Role.SUPERVISOR))
    for cadre_id in caller.subjects(Role.CADRE):
        try:
            units.add(app.get(Cadre, cadre_id).org_unit_id)
        except NotFound:
            continue
    return sorted(units)


def manageable_surveys_under(
    api: Api, caller: Caller, org_unit_id: UUID, *, limit: int
) -> list[SurveyRow]:
    """The surveys put to the unit's subtree that the caller may manage, latest first:
    all of them for its supervisor, a cadre's own for a cadre (``manageable_survey``)."""
    may_design_for(api.app, caller, org_unit_id)
    # A supervisor of the unit manages every survey below it; anyone else (a cadre)
    # their own, chosen in the query so the page's limit counts only those.
    mine = None if in_unit_scope(api.app, caller, org_unit_id) else caller.account_id
    with api.engine.connect() as conn:
        return surveys_under(conn, org_unit_id, limit=limit, designed_by=mine)


def manageable_survey(app: Grassroots, caller: Caller, survey_id: UUID) -> Survey:
    """A survey the caller designed or supervises, while they hold a managing role;
    otherwise 404, as for none."""
    survey = app.get(Survey, survey_id)
    if holds_any(caller, MANAGERS) and (
        survey.designed_by == caller.account_id or in_unit_scope(app, caller, survey.org_unit_id)
    ):
        return survey
    raise NotFound("survey", survey_id)


def design_survey(api: Api, caller: Caller, data: NewSurvey) -> SurveyView:
    app = api.app
    may_design_for(app, caller, data.org_unit_id)
    survey_id = app.design_survey(
        title=data.title,
        intro=data.intro,
        org_unit_id=data.org_unit_id,
        audience=data.audience,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        questions=_questions(data.questions),
        designed_by=caller.account_id,
    )
    return survey_view(api, app.get(Survey, survey_id))


def revise_survey(api: Api, caller: Caller, survey_id: UUID, data: SurveyDesign) -> SurveyView:
    app = api.app
    manageable_survey(app, caller, survey_id)
    app.revise_survey(
        survey_id,
        title=data.title,
        intro=data.intro,
        audience=data.audience,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        questions=_questions(data.questions),
        revised_by=caller.account_id,
    )
    return survey_view(api, app.get(Survey, survey_id))


def publish_survey(api: Api, caller: Caller, survey_id: UUID) -> SurveyView:
    manageable_survey(api.app, caller, survey_id)
    api.app.publish_survey(survey_id, published_by=caller.account_id)
    return survey_view(api, api.app.get(Survey, survey_id))


def close_survey(api: Api, caller: Caller, survey_id: UUID) -> SurveyView:
    manageable_survey(api.app, caller, survey_id)
    api.app.close_survey(survey_id, closed_by=caller.account_id)
    return survey_view(api, api.app.get(Survey, survey_id))


def read_survey(api: Api, caller: Caller, survey_id: UUID) -> SurveyView:
    return survey_view(api, manageable_survey(api.app, caller, survey_id))


def form_of(api: Api, survey_id: UUID) -> SurveyForm:
    """The form from the read model: what the QR code opens, for anyone."""
    with api.engine.connect() as conn:
        row = survey_row(conn, survey_id)
        if row is None or row.current_version == 0:
            raise NotFound("survey", survey_id)
        questions = questions_of(conn, survey_id, row.current_version)
    return SurveyForm(
        survey_id=survey_id,
        title=row.title,
        intro=row.intro,
        audience=row.audience,
        version=row.current_version,
        open=row.is_open(api.app.now()),
        opens_at=row.opens_at,
        closes_at=row.closes_at,
        questions=[question_view(q) for q in questions],
    )


def _answered(
    app: Grassroots, survey_id: UUID, answer_id: UUID, before: int
) -> tuple[AnswerReceipt, int]:
    answer = app.get(SurveyAnswer, answer_id)
    receipt = AnswerReceipt(survey_id=survey_id, version=answer.survey_version, replaced=before > 0)
    return receipt, app.last_write_position()


def _answer_as_volunteer(
    app: Grassroots, caller: Caller, survey_id: UUID, data: SurveyAnswerBody
) -> tuple[AnswerReceipt, int]:
    volunteer_id = caller.volunteer_id
    existing = SurveyAnswer.id_for_volunteer(survey_id, volunteer_id)
    before = 1 if app.exists(existing) else 0
    answer_id = app.answer_survey_as_volunteer(survey_id, volunteer_id, answers=data.answers)
    return _answered(app, survey_id, answer_id, before)


def answer_anonymously(
    app: Grassroots,
    survey_id: UUID,
    device_id: str,
    answers: dict[str, Any],
    org_unit_id: UUID | None,
) -> tuple[AnswerReceipt, int]:
    """The anonymous answer command, as the API and the answer page both run it."""
    answer_id = app.answer_survey_anonymously(
        survey_id, device_id=device_id, answers=answers, org_unit_id=org_unit_id
    )
    return _answered(app, survey_id, answer_id, 0)


def _version_of(row: SurveyRow, version: int | None) -> int:
    if version is None:
        return row.current_version
    if not 1 <= version <= row.current_version:
        raise NotAllowed(f"this survey has no version {version}", code="survey-version-unknown")
    return version


def _row_for(api: Api, caller: Caller, survey_id: UUID) -> SurveyRow:
    manageable_survey(api.app, caller, survey_id)
    with api.engine.connect() as conn:
        row = survey_row(conn, survey_id)
    if row is None:
        raise NotFound("survey", survey_id)
    return row


def _results(api: Api, caller: Caller, survey_id: UUID, version: int | None) -> SurveyResultsView:
    row = _row_for(api, caller, survey_id)
    chosen = _version_of(row, version)
    with api.engine.connect() as conn:
        results = survey_results(conn, survey_id, chosen)
    return SurveyResultsView(
        survey_id=survey_id,
        version=chosen,
        answers=results.answers,
        questions=[
            QuestionResultView(
                key=r.question.key,
                prompt=r.question.prompt,
                kind=r.question.kind,
                answered=r.answered,
                options=[
                    OptionView(option=o.option, count=o.count, share=o.share) for o in r.options
                ],
                mean=r.mean,
                median=r.median,
                text_answers=r.texts,
            )
            for r in results.questions
        ],
    )


def _breakdown(
    api: Api, caller: Caller, survey_id: UUID, version: int | None
) -> SurveyBreakdownView:
    row = _row_for(api, caller, survey_id)
    chosen = _version_of(row, version)
    with api.engine.connect() as conn:
        cells = breakdown_by_unit(conn, survey_id, chosen)
    return SurveyBreakdownView(
        survey_id=survey_id,
        version=chosen,
        cells=[
            UnitCellView(
                org_unit_id=c.org_unit_id,
                name=c.name,
                answers=c.answers,
                fewer_than_five=c.fewer_than_five,
                label="少于5份" if c.answers is None else str(c.answers),
                means=c.means,
                option_counts=c.option_counts,
            )
            for c in cells
        ],
    )


def survey_texts(
    api: Api, caller: Caller, survey_id: UUID, key: str, version: int | None, page: PageRequest
) -> list[str]:
    row = _row_for(api, caller, survey_id)
    chosen = _version_of(row, version)
    with api.engine.connect() as conn:
        question = question_of(conn, survey_id, chosen, key)
        if question is None or question.kind is not QuestionKind.TEXT:
            raise NotFound("question", survey_id)
        return text_answers(conn, survey_id, chosen, key, limit=page.limit + 1, offset=page.offset)


def export_answers(
    api: Api, caller: Caller, survey_id: UUID, version: int | None, kind: str
) -> tuple[bytes, str]:
    row = _row_for(api, caller, survey_id)
    chosen = _version_of(row, version)
    with api.engine.connect() as conn:
        questions = questions_of(conn, survey_id, chosen)
        rows: list[AnswerRow] = []
        while True:
            found = answer_rows(conn, survey_id, chosen, limit=EXPORT_PAGE, offset=len(rows))
            rows.extend(found)
            if len(found) < EXPORT_PAGE:
                break
    if kind == "xlsx":
        return survey_xlsx(row.title, questions, rows), row.title
    content = csv_file(header_of(questions), (answer_cells(questions, r) for r in rows))
    return content, row.title


def survey_code_png(api: Api, caller: Caller, survey_id: UUID) -> bytes:
    manageable_survey(api.app, caller, survey_id)
    return render_png(answer_page_url(api.config.public_url, survey_id))


def _unit_surveys(
    api: Api, caller: Caller, org_unit_id: UUID, page: PageRequest
) -> list[SurveySummaryView]:
    require_unit(api.app, caller, org_unit_id)
    with api.engine.connect() as conn:
        found = surveys_under(conn, org_unit_id, limit=page.limit + 1, offset=page.offset)
    return [
        SurveySummaryView(
            survey_id=s.survey_id,
            title=s.title,
            org_unit_id=s.org_unit_id,
            audience=s.audience,
            opens_at=s.opens_at,
            closes_at=s.closes_at,
            current_version=s.current_version,
            closed=s.closed,
        )
        for s in found
    ]


# --- the device cookie ------------------------------------------------------------------


def device_cookie_name(api: Api) -> str:
    return ("__Host-" if api.config.page_cookie_secure else "") + DEVICE_COOKIE


def device_of(api: Api, request: Request[Any, Any, Any]) -> tuple[str, Cookie | None]:
    """The device's id from its cookie, or a new one with the cookie that keeps it."""
    name = device_cookie_name(api)
    known = request.cookies.get(name, "")
    if 16 <= len(known) <= MAX_DEVICE_ID and not has_control_characters(known):
        return known, None
    fresh = secrets.token_urlsafe(24)
    return fresh, Cookie(
        key=name,
        value=fresh,
        path="/",
        max_age=DEVICE_COOKIE_DAYS * 86400,
        secure=api.config.page_cookie_secure,
        httponly=True,
        samesite="lax",
    )


def publish_answer(api: Api, survey_id: UUID, position: int) -> None:
    """Tell the survey's live results that an answer came (never who, nor what)."""
    api.publish(
        json.dumps({"kind": "answer", "survey_id": str(survey_id), "position": position}),
        [api.live_channel("survey", survey_id)],
    )


def answers_download(content: bytes, title: str, survey_id: UUID, kind: str) -> Response[bytes]:
    return attachment(
        content,
        XLSX_MEDIA_TYPE if kind == "xlsx" else CSV_MEDIA_TYPE,
        f"survey-{survey_id}.{kind}",
        f"{title}-答卷.{kind}",
    )


# --- routes -------------------------------------------------------------------------------

Request_ = Request[Caller, Token, Any]
VersionParam = Annotated[
    int | None,
    QueryParameter(
        name="version",
        ge=1,
        le=10_000,
        description="A published version; the current one if left out.",
    ),
]
_WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 422, 429)
_READ_ERRORS = problem_responses(400, 401, 403, 404, 409, 429)
_ANSWER_ERRORS = problem_responses(400, 401, 403, 404, 409, 422, 429)


class SurveyController(Controller):
    path = "/api/v1/surveys"
    tags = ["surveys"]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @post(
        operation_id="designSurvey",
        summary="Design a survey for a unit's youths (supervisor of the unit; cadre of it)",
        guards=[requires(*MANAGERS)],
        status_code=HTTP_201_CREATED,
        responses=_WRITE_ERRORS,
    )
    async def design(self, data: JSONBody[NewSurvey], request: Request_, api: ApiDep) -> SurveyView:
        caller = request.user
        return await api.write(caller.account_id, design_survey, api, caller, data)

    @get(
        "/{survey_id:uuid}",
        operation_id="getSurvey",
        summary="A survey with its draft and current questions (its designer; supervisor)",
        guards=[requires(*MANAGERS)],
        responses=problem_responses(401, 403, 404, 429),
    )
    async def survey(self, survey_id: FromPath[UUID], request: Request_, api: ApiDep) -> SurveyView:
        return await api.read(None, read_survey, api, request.user, survey_id)

    @put(
        "/{survey_id:uuid}",
        operation_id="reviseSurvey",
        summary="Revise the draft and terms; published questions change only when published again",
        guards=[requires(*MANAGERS)],
        responses=_WRITE_ERRORS,
    )
    async def revise(
        self,
        survey_id: FromPath[UUID],
        data: JSONBody[SurveyDesign],
        request: Request_,
        api: ApiDep,
    ) -> SurveyView:
        caller = request.user
        return await api.write(caller.account_id, revise_survey, api, caller, survey_id, data)

    @post(
        "/{survey_id:uuid}/publish",
        operation_id="publishSurvey",
        summary="Freeze the draft as the next version, answered from now on",
        guards=[requires(*MANAGERS)],
        status_code=HTTP_200_OK,
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def publish(
        self, survey_id: FromPath[UUID], request: Request_, api: ApiDep
    ) -> SurveyView:
        caller = request.user
        return await api.write(caller.account_id, publish_survey, api, caller, survey_id)

    @post(
        "/{survey_id:uuid}/close",
        operation_id="closeSurvey",
        summary="Close a survey: it takes no more answers",
        guards=[requires(*MANAGERS)],
        status_code=HTTP_200_OK,
        responses=problem_responses(401, 403, 404, 409, 429),
    )
    async def close(self, survey_id: FromPath[UUID], request: Request_, api: ApiDep) -> SurveyView:
        caller = request.user
        return await api.write(caller.account_id, close_survey, api, caller, survey_id)

    @get(
        "/{survey_id:uuid}/form",
        operation_id="getSurveyForm",
        summary="The questions answered now, for anyone with the link",
        opt={"public": True},
        responses=problem_responses(404, 429),
    )
    async def form(self, survey_id: FromPath[UUID], api: ApiDep) -> SurveyForm:
        return await api.read(None, form_of, api, survey_id)

    @post(
        "/{survey_id:uuid}/answers",
        operation_id="answerSurvey",
        summary="Answer as a logged-in volunteer; a second answer replaces the first",
        guards=[requires(Role.VOLUNTEER)],
        status_code=HTTP_200_OK,
        responses=_ANSWER_ERRORS,
    )
    async def answer(
        self,
        survey_id: FromPath[UUID],
        data: JSONBody[SurveyAnswerBody],
        request: Request_,
        api: ApiDep,
    ) -> AnswerReceipt:
        caller = request.user
        receipt, position = await api.write(
            caller.account_id, _answer_as_volunteer, api.app, caller, survey_id, data
        )
        publish_answer(api, survey_id, position)
        return receipt

    @post(
        "/{survey_id:uuid}/anonymous-answers",
        operation_id="answerSurveyAnonymously",
        summary="Answer without an account, where the survey allows it: once per device a day",
        description="The device is known by a cookie this route sets when it is missing "
        f"(`{DEVICE_COOKIE}`, `__Host-` prefixed over HTTPS); limited per client address "
        "(`GRASSROOTS_RATE_SURVEY_ANSWER`).",
        opt={"public": True, "rate": "survey-answer"},
        status_code=HTTP_200_OK,
        responses=_ANSWER_ERRORS,
    )
    async def answer_anonymously(
        self,
        survey_id: FromPath[UUID],
        data: JSONBody[AnonymousAnswerBody],
        request: Request[Any, Any, Any],
        api: ApiDep,
    ) -> Response[AnswerReceipt]:
        device_id, cookie = device_of(api, request)
        receipt, position = await api.write(
            None, answer_anonymously, api.app, survey_id, device_id, data.answers, data.org_unit_id
        )
        publish_answer(api, survey_id, position)
        return Response(receipt, cookies=[cookie] if cookie else None)

    @get(
        "/{survey_id:uuid}/results",
        operation_id="getSurveyResults",
        summary="Counts and shares per option, mean and median of ratings and numbers",
        guards=[requires(*MANAGERS)],
        responses=_READ_ERRORS,
    )
    async def results(
        self,
        survey_id: FromPath[UUID],
        request: Request_,
        api: ApiDep,
        version: VersionParam = None,
    ) -> SurveyResultsView:
        caller = request.user
        return await api.read(caller.account_id, _results, api, caller, survey_id, version)

    @get(
        "/{survey_id:uuid}/results/units",
        operation_id="getSurveyBreakdown",
        summary="The results per unit below the survey's",
        description='A cell with fewer than 5 answers shows only "fewer than 5" (`answers` null).',
        guards=[requires(*MANAGERS)],
        responses=_READ_ERRORS,
    )
    async def breakdown(
        self,
        survey_id: FromPath[UUID],
        request: Request_,
        api: ApiDep,
        version: VersionParam = None,
    ) -> SurveyBreakdownView:
        caller = request.user
        return await api.read(caller.account_id, _breakdown, api, caller, survey_id, version)

    @get(
        "/{survey_id:uuid}/results/texts/{question_key:str}",
        operation_id="getSurveyTextAnswers",
        summary="One page of a text question's answers, latest first",
        guards=[requires(*MANAGERS)],
        responses=_READ_ERRORS,
    )
    async def texts(
        self,
        survey_id: FromPath[UUID],
        question_key: FromPath[str],
        request: Request_,
        api: ApiDep,
        page: NamedDependency[PageRequest],
        version: VersionParam = None,
    ) -> Page[str]:
        caller = request.user
        found = await api.read(
            caller.account_id,
            survey_texts,
            api,
            caller,
            survey_id,
            question_key[:16],
            version,
            page,
        )
        return page.page(found)

    @get(
        "/{survey_id:uuid}/answers.csv",
        operation_id="exportSurveyCsv",
        summary="Every answer of a version as CSV: one row per answer, one column per question",
        guards=[requires(*MANAGERS)],
        media_type=CSV_MEDIA_TYPE,
        responses=_READ_ERRORS,
    )
    async def export_csv(
        self,
        survey_id: FromPath[UUID],
        request: Request_,
        api: ApiDep,
        version: VersionParam = None,
    ) -> Response[bytes]:
        caller = request.user
        content, title = await api.read(
            caller.account_id, export_answers, api, caller, survey_id, version, "csv"
        )
        return answers_download(content, title, survey_id, "csv")

    @get(
        "/{survey_id:uuid}/answers.xlsx",
        operation_id="exportSurveyXlsx",
        summary="Every answer of a version as XLSX: one row per answer, one column per question",
        guards=[requires(*MANAGERS)],
        media_type=XLSX_MEDIA_TYPE,
        responses=_READ_ERRORS,
    )
    async def export_xlsx(
        self,
        survey_id: FromPath[UUID],
        request: Request_,
        api: ApiDep,
        version: VersionParam = None,
    ) -> Response[bytes]:
        caller = request.user
        content, title = await api.read(
            caller.account_id, export_answers, api, caller, survey_id, version, "xlsx"
        )
        return answers_download(content, title, survey_id, "xlsx")

    @get(
        "/{survey_id:uuid}/code.png",
        operation_id="getSurveyCodePng",
        summary="The survey's QR code: it opens the answer page (no rotation)",
        guards=[requires(*MANAGERS)],
        media_type="image/png",
        cache_control=CacheControlHeader(no_store=True),
        responses=problem_responses(401, 403, 404, 429),
    )
    async def code_png(
        self, survey_id: FromPath[UUID], request: Request_, api: ApiDep
    ) -> Response[bytes]:
        png = await api.read(None, survey_code_png, api, request.user, survey_id)
        return Response(png, media_type="image/png")

    @get(
        "/{survey_id:uuid}/live",
        operation_id="followSurveyLive",
        summary="An event each time an answer arrives (its designer; supervisor)",
        description="A `text/event-stream`: `ready`, then an event `answer` "
        '(`{"kind", "survey_id", "position"}`) per answer; read the results again on '
        "each. Ends with `ended` when the caller's session or scope no longer holds.",
        guards=[requires(*MANAGERS)],
        responses=problem_responses(401, 403, 404, 429),
        media_type="text/event-stream",
    )
    async def live(
        self, survey_id: FromPath[UUID], request: Request_, api: ApiDep
    ) -> ServerSentEvent:
        await api.read(None, manageable_survey, api.app, request.user, survey_id)
        recheck = recheck_for(api, request.user, MANAGERS, manageable_survey, survey_id)
        return ServerSentEvent(updates(api, api.live_channel("survey", survey_id), recheck))


class UnitSurveysController(Controller):
    path = "/api/v1/org-units"
    tags = ["surveys"]  # noqa: RUF012
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}  # noqa: RUF012

    @get(
        "/{org_unit_id:uuid}/surveys",
        operation_id="listUnitSurveys",
        summary="The surveys put to the unit's subtree, latest first (supervisor)",
        guards=[requires(Role.SUPERVISOR)],
        responses=problem_responses(400, 401, 403, 404, 429),
    )
    async def surveys(
        self,
        org_unit_id: FromPath[UUID],
        request: Request_,
        api: ApiDep,
        page: NamedDependency[PageRequest],
    ) -> Page[SurveySummaryView]:
        caller = request.user
        found = await api.read(caller.account_id, _unit_surveys, api, caller, org_unit_id, page)
        return page.page(found)


ROUTES: list[ControllerRouterHandler] = [SurveyController, UnitSurveysController]
