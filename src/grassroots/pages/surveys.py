"""A survey's answer page ``/s/<id>`` (what its QR code opens) and its results page.

The answer page is one server-rendered form and one POST, for cheap phones: a
logged-in volunteer answers as themselves (a second answer replaces the first),
anyone else anonymously where the survey allows it (the device cookie the API
uses, once a day). Both write through the API's own commands. The results page
(``/s/<id>/results``) shows the designer or a supervisor each option's share as a
bar, and follows answers as they arrive: ``results/live`` is the survey's live
channel (``grassroots.api.live.updates``) over the page session, and on each
``answer`` its script reads ``results/fragment`` (the same results, without the
page around them). Without script the page reloads itself every 10 s. A text
question's answers are read page by page (``results/texts/<key>``), and every
answer downloads as CSV or XLSX (``answers.csv``, ``answers.xlsx``) through the
API's own export.

The design pages (the list, the form, publish, close, the printable code) are in
``pages/survey_design.py``; their routes are listed here with these.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import ServerSentEvent, Template

from grassroots.api import live
from grassroots.api.auth import Caller, holds_any
from grassroots.api.context import Api, ApiDep
from grassroots.api.pagination import PageRequest
from grassroots.api.problems import ApiProblem, refusal_of
from grassroots.api.survey_views import SurveyForm
from grassroots.api.surveys import (
    MANAGERS,
    answer_anonymously,
    answers_download,
    device_of,
    export_answers,
    form_of,
    manageable_survey,
    publish_answer,
    survey_texts,
)
from grassroots.application.errors import NotFound
from grassroots.application.service import Grassroots
from grassroots.domain.account import Role
from grassroots.domain.errors import CodedError
from grassroots.domain.survey import QuestionKind
from grassroots.pages import survey_design
from grassroots.pages.controllers import page
from grassroots.pages.sessions import PageSessions, SessionsDep
from grassroots.projections.survey_results import (
    breakdown_by_unit,
    question_of,
    survey_results,
    survey_row,
)

__all__ = ["ROUTES"]

TEXTS_PER_PAGE = 50


def _volunteer_id(caller: Caller | None) -> UUID | None:
    found = caller.subjects(Role.VOLUNTEER) if caller else set()
    return min(found) if found else None


def _answers_from(form: Any, survey: SurveyForm) -> dict[str, Any]:
    """The form's fields as the API's answers; a value that is not a number stays
    text, so the domain refuses it with its own problem."""
    answers: dict[str, Any] = {}
    for q in survey.questions:
        if q.kind is QuestionKind.MULTIPLE_CHOICE:
            chosen = [_number(v) for v in form.getall(q.key, [])]
            if chosen:
                answers[q.key] = chosen
            continue
        value = str(form.get(q.key, "")).strip()
        if not value:
            continue
        answers[q.key] = value if q.kind is QuestionKind.TEXT else _number(value)
    return answers


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def _answer_page(
    request: Request[Any, Any, Any],
    caller: Caller | None,
    survey: SurveyForm,
    *,
    status: int = 200,
    **context: Any,
) -> Template:
    return page(
        request,
        "survey/answer.html",
        caller=caller,
        status=status,
        survey=survey,
        as_volunteer=_volunteer_id(caller) is not None,
        **context,
    )


@get("/s/{survey_id:uuid}", name="survey-page")
async def survey_page(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template:
    caller = await sessions.caller(request, api.app)
    try:
        survey = await api.read(None, form_of, api, survey_id)
    except NotFound:
        return page(request, "missing.html", caller=caller, status=404)
    return _answer_page(request, caller, survey)


def _as_volunteer(
    app: Grassroots, survey_id: UUID, volunteer_id: UUID, answers: dict[str, Any]
) -> int:
    app.answer_survey_as_volunteer(survey_id, volunteer_id, answers=answers)
    return app.last_write_position()


@post("/s/{survey_id:uuid}", name="survey-answer")
async def survey_answer(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template:
    caller = await sessions.caller(request, api.app)
    try:
        survey = await api.read(None, form_of, api, survey_id)
    except NotFound:
        return page(request, "missing.html", caller=caller, status=404)
    answers = _answers_from(await request.form(), survey)
    volunteer_id = _volunteer_id(caller)
    cookie = None
    try:
        if volunteer_id is not None:
            position = await api.write(
                None, _as_volunteer, api.app, survey_id, volunteer_id, answers
            )
        else:
            device_id, cookie = device_of(api, request)
            _, position = await api.write(
                None, answer_anonymously, api.app, survey_id, device_id, answers, None
            )
    except CodedError as refused:
        message, status = refusal_of(refused)
        return _answer_page(
            request,
            caller,
            survey,
            status=status,
            refused_code=refused.code,
            refused=message.zh if message else refused.code,
        )
    publish_answer(api, survey_id, position)
    response = page(request, "survey/thanks.html", caller=caller, survey=survey)
    if cookie is not None:
        response.cookies.append(cookie)
    return response


def _results(api: Api, caller: Caller, survey_id: UUID) -> dict[str, Any]:
    manageable_survey(api.app, caller, survey_id)
    with api.engine.connect() as conn:
        row = survey_row(conn, survey_id)
        if row is None or row.current_version == 0:
            raise NotFound("survey", survey_id)
        results = survey_results(conn, survey_id, row.current_version)
        cells = breakdown_by_unit(conn, survey_id, row.current_version)
    return {"row": row, "results": results, "cells": cells}


@get("/s/{survey_id:uuid}/results", name="survey-results")
async def survey_results_page(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template:
    caller = await sessions.caller(request, api.app)
    if caller is None:
        return page(request, "missing.html", status=404)
    try:
        found = await api.read(caller.account_id, _results, api, caller, survey_id)
    except (NotFound, ApiProblem):
        return page(request, "missing.html", caller=caller, status=404)
    return page(request, "survey/results.html", caller=caller, **found)


@get("/s/{survey_id:uuid}/results/fragment", name="survey-results-fragment")
async def survey_results_fragment(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template:
    caller = await sessions.caller(request, api.app)
    if caller is None:
        raise NotFoundException()
    try:
        found = await api.read(caller.account_id, _results, api, caller, survey_id)
    except (NotFound, ApiProblem):
        raise NotFoundException() from None
    return page(request, "survey/_results.html", caller=caller, **found)


@get("/s/{survey_id:uuid}/results/live", name="survey-results-live")
async def survey_results_live(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> ServerSentEvent:
    caller = await sessions.caller(request, api.app)
    if caller is None or not holds_any(caller, MANAGERS):
        raise NotFoundException()
    try:
        await api.read(None, manageable_survey, api.app, caller, survey_id)
    except NotFound:
        raise NotFoundException() from None
    # The API's own recheck: a session logged out or a scope lost ends the stream.
    recheck = live.recheck_for(api, caller, MANAGERS, manageable_survey, survey_id)
    return ServerSentEvent(live.updates(api, api.live_channel("survey", survey_id), recheck))


def _texts(api: Api, caller: Caller, survey_id: UUID, key: str, offset: int) -> dict[str, Any]:
    request = PageRequest(limit=TEXTS_PER_PAGE, offset=offset)
    texts = survey_texts(api, caller, survey_id, key, None, request)
    with api.engine.connect() as conn:
        row = survey_row(conn, survey_id)
        assert row is not None  # survey_texts found it, and the text question
        question = question_of(conn, survey_id, row.current_version, key)
    return {"row": row, "question": question, "texts": request.page(texts)}


@get("/s/{survey_id:uuid}/results/texts/{question_key:str}", name="survey-texts")
async def survey_texts_page(
    survey_id: FromPath[UUID],
    question_key: FromPath[str],
    request: Request[Any, Any, Any],
    api: ApiDep,
    sessions: SessionsDep,
) -> Template:
    caller = await sessions.caller(request, api.app)
    if caller is None:
        return page(request, "missing.html", status=404)
    try:
        offset = max(0, min(int(request.query_params.get("offset", "0")), 100_000))
    except ValueError:
        offset = 0
    try:
        found = await api.read(
            caller.account_id, _texts, api, caller, survey_id, question_key[:16], offset
        )
    except (NotFound, ApiProblem):
        return page(request, "missing.html", caller=caller, status=404)
    return page(request, "survey/texts.html", caller=caller, **found)


async def _download(
    survey_id: UUID, kind: str, request: Request[Any, Any, Any], api: Api, sessions: PageSessions
) -> Response[bytes]:
    caller = await sessions.caller(request, api.app)
    if caller is None:
        raise NotFoundException()
    try:
        content, title = await api.read(
            caller.account_id, export_answers, api, caller, survey_id, None, kind
        )
    except (NotFound, ApiProblem):
        raise NotFoundException() from None
    return answers_download(content, title, survey_id, kind)


@get("/s/{survey_id:uuid}/answers.csv", name="survey-answers-csv")
async def survey_answers_csv(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Response[bytes]:
    return await _download(survey_id, "csv", request, api, sessions)


@get("/s/{survey_id:uuid}/answers.xlsx", name="survey-answers-xlsx")
async def survey_answers_xlsx(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Response[bytes]:
    return await _download(survey_id, "xlsx", request, api, sessions)


ROUTES = [
    survey_page,
    survey_answer,
    survey_results_page,
    survey_results_fragment,
    survey_results_live,
    survey_texts_page,
    survey_answers_csv,
    survey_answers_xlsx,
    *survey_design.ROUTES,
]
