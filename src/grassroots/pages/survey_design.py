"""Designing surveys (调研问卷) on a page: the list of a unit's surveys, the design form,
one survey with its revise form, publish and close buttons, and its printable QR code.

For supervisors and cadres (administrators too), as the API lets them design:
every read and write runs the API's own functions in ``grassroots.api.surveys``
(``may_design_for``, ``manageable_survey``, ``design_survey`` ...), so the scope
and the rules are the API's. A survey the caller may not manage is the missing
page; a refused write shows its reason above the form, as typed, and writes nothing.

The form works without JavaScript: it shows a few question rows, and "add a
question" is a submit button that shows the same form again with one row more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from grassroots.api.auth import Caller, holds_any
from grassroots.api.context import Api, ApiDep
from grassroots.api.field_messages import field_message
from grassroots.api.problems import ApiProblem, refusal_of
from grassroots.api.survey_views import NewSurvey, SurveyDesign, SurveyView
from grassroots.api.surveys import (
    MANAGERS,
    close_survey,
    design_survey,
    home_units,
    manageable_surveys_under,
    publish_survey,
    read_survey,
    revise_survey,
    survey_code_png,
)
from grassroots.application.errors import NotFound
from grassroots.domain.errors import CodedError
from grassroots.domain.survey import MAX_QUESTIONS, Audience, QuestionKind
from grassroots.pages.clock import LocalClock, local_clock
from grassroots.pages.controllers import language_of, page
from grassroots.pages.dispatch import unit_choices
from grassroots.pages.sessions import PageSessions, SessionsDep
from grassroots.pages.words import translator
from grassroots.projections.org_tree import subtree_units, unit_names
from grassroots.projections.survey_results import SurveyRow

__all__ = ["ROUTES"]

HOME = "/surveys/"
FORM_TIME = "%Y-%m-%dT%H:%M"
# A new form shows this many question rows; "add a question" shows one more.
FIRST_ROWS = 3
LISTED = 50
DONE = ("designed", "revised", "published", "closed")


async def _designer(
    request: Request[Any, Any, Any], api: Api, sessions: PageSessions
) -> Caller | Redirect:
    """A logged-in supervisor or cadre; logged out, the log-in; anyone else finds no page."""
    caller = await sessions.caller(request, api.app)
    if caller is None:
        path = quote(request.url.path, safe="")
        return Redirect(f"/login?next={path}", status_code=HTTP_303_SEE_OTHER)
    if not holds_any(caller, MANAGERS):
        raise NotFoundException()
    return caller


def _zone(api: Api) -> ZoneInfo:
    return ZoneInfo(api.app.config.time_zone)


# --- the form, as typed ------------------------------------------------------------------


@dataclass
class QuestionRow:
    prompt: str = ""
    kind: str = QuestionKind.SINGLE_CHOICE.value
    options: str = ""  # one option a line
    required: bool = True
    min_value: str = ""
    max_value: str = ""


@dataclass
class DesignForm:
    """A design form's values as typed, to show again beside a refusal."""

    title: str = ""
    intro: str = ""
    org_unit_id: str = ""
    audience: str = Audience.ANYONE_WITH_LINK.value
    opens_at: str = ""
    closes_at: str = ""
    questions: list[QuestionRow] = field(default_factory=list)

    @classmethod
    def blank(cls, now: datetime, zone: ZoneInfo, unit: UUID | None) -> DesignForm:
        opens = now.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        return cls(
            org_unit_id=str(unit) if unit else "",
            opens_at=opens.strftime(FORM_TIME),
            closes_at=(opens + timedelta(days=14)).strftime(FORM_TIME),
            questions=[QuestionRow() for _ in range(FIRST_ROWS)],
        )

    @classmethod
    def of(cls, survey: SurveyView, zone: ZoneInfo) -> DesignForm:
        def bound(value: float | None) -> str:
            return "" if value is None else f"{value:g}"

        return cls(
            title=survey.title,
            intro=survey.intro,
            org_unit_id=str(survey.org_unit_id),
            audience=survey.audience.value,
            opens_at=survey.opens_at.astimezone(zone).strftime(FORM_TIME),
            closes_at=survey.closes_at.astimezone(zone).strftime(FORM_TIME),
            questions=[
                QuestionRow(
                    prompt=q.prompt,
                    kind=q.kind.value,
                    options="\n".join(q.options),
                    required=q.required,
                    min_value=bound(q.min_value),
                    max_value=bound(q.max_value),
                )
                for q in survey.draft
            ]
            + [QuestionRow()],
        )

    @classmethod
    def typed(cls, form: Any) -> DesignForm:
        def text(name: str) -> str:
            return str(form.get(name, "")).strip()

        try:
            rows = min(max(int(text("rows")), 1), MAX_QUESTIONS)
        except ValueError:
            rows = FIRST_ROWS
        return cls(
            title=text("title"),
            intro=str(form.get("intro", "")).strip(),
            org_unit_id=text("org_unit_id"),
            audience=text("audience"),
            opens_at=text("opens_at"),
            closes_at=text("closes_at"),
            questions=[
                QuestionRow(
                    prompt=text(f"q{i}_prompt"),
                    kind=text(f"q{i}_kind"),
                    options=str(form.get(f"q{i}_options", "")).strip(),
                    required=form.get(f"q{i}_required") is not None,
                    min_value=text(f"q{i}_min"),
                    max_value=text(f"q{i}_max"),
                )
                for i in range(rows)
            ],
        )


class _Unreadable(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _instant(value: str, zone: ZoneInfo, name: str) -> datetime:
    try:
        return datetime.strptime(value, FORM_TIME).replace(tzinfo=zone)
    except ValueError:
        raise _Unreadable(name) from None


def _bound(value: str, name: str) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise _Unreadable(name) from None


def _design_values(form: DesignForm, zone: ZoneInfo) -> dict[str, Any]:
    """The API's body as a dict: a row without a question is left out, options are
    the lines typed, and only what the question's kind takes is sent (the domain
    refuses options on a rating, but a row switched from a choice keeps its lines)."""
    questions: list[dict[str, Any]] = []
    for row in form.questions:
        if not row.prompt:
            continue
        question: dict[str, Any] = {
            "prompt": row.prompt,
            "kind": row.kind,
            "required": row.required,
        }
        if row.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            question["options"] = [o.strip() for o in row.options.splitlines() if o.strip()]
        if row.kind == QuestionKind.NUMBER:
            question["min_value"] = _bound(row.min_value, "min_value")
            question["max_value"] = _bound(row.max_value, "max_value")
        questions.append(question)
    return {
        "title": form.title,
        "intro": form.intro,
        "audience": form.audience,
        "opens_at": _instant(form.opens_at, zone, "opens_at"),
        "closes_at": _instant(form.closes_at, zone, "closes_at"),
        "questions": questions,
    }


def _refusal(request: Request[Any, Any, Any], error: Exception) -> tuple[str, int]:
    """What the page says of a refused write, in its language, with the API's status."""
    language = language_of(request)
    t = translator(language)
    if isinstance(error, _Unreadable):
        return t("survey.design.unreadable", field=t(f"survey.design.{error.name}")), 400
    if isinstance(error, msgspec.ValidationError):
        said, _, where = str(error).rpartition(" - at `$.")
        name = where.rstrip("`").split(".")[0].split("[")[0] if said else ""
        known = name in ("title", "intro", "audience", "opens_at", "closes_at", "questions")
        label = t(f"survey.design.{name}") if known else name
        message = field_message(said or str(error), "en" if language == "en" else "zh-CN")
        return t("survey.design.invalid", field=label, message=message), 400
    if isinstance(error, ApiProblem):
        return str(error.detail), error.status_code
    assert isinstance(error, CodedError)
    found, status = refusal_of(error)
    if found is None:
        return (error.message if language == "en" else t("survey.design.refused")), status
    return (found.en if language == "en" else found.zh), status


# --- reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSurveys:
    org_unit_id: UUID
    name: str
    surveys: list[SurveyRow]


def _units(api: Api, caller: Caller) -> list[tuple[UUID, str]]:
    """The units the caller designs for, named; an administrator's are the top ones."""
    own = home_units(api.app, caller)
    if not own:
        return unit_choices(api, caller)
    with api.engine.connect() as conn:
        names = unit_names(conn, set(own))
    return sorted(((u, names.get(u, str(u))) for u in own), key=lambda c: c[1])


# How far below a home unit the design form offers units: a county's townships and
# their villages; a city's counties and their townships (a list one can still scroll).
DESIGN_DEPTH = 2


def _design_units(api: Api, caller: Caller) -> list[tuple[UUID, str]]:
    """The units the design form offers: each home unit, then the units below it
    (``may_design_for`` lets a designer target any of them), indented by depth."""
    found: list[tuple[UUID, str]] = []
    seen: set[UUID] = set()
    with api.engine.connect() as conn:
        for home, _name in _units(api, caller):
            for below in subtree_units(conn, home):
                if below.depth > DESIGN_DEPTH or below.unit.org_unit_id in seen:
                    continue
                seen.add(below.unit.org_unit_id)
                found.append((below.unit.org_unit_id, "　" * below.depth + below.unit.name))
    return found


def _listing(api: Api, caller: Caller) -> list[UnitSurveys]:
    return [
        UnitSurveys(u, name, manageable_surveys_under(api, caller, u, limit=LISTED))
        for u, name in _units(api, caller)
    ]


def _shown(api: Api, caller: Caller, survey_id: UUID) -> tuple[SurveyView, str]:
    survey = read_survey(api, caller, survey_id)
    with api.engine.connect() as conn:
        names = unit_names(conn, {survey.org_unit_id})
    return survey, names.get(survey.org_unit_id, "")


def _local(zone: ZoneInfo) -> LocalClock:
    return local_clock(zone, "%Y-%m-%d %H:%M")


# --- the list and the design form --------------------------------------------------------


@get(HOME, name="survey-list")
async def survey_list(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _designer(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    units = await api.read(caller.account_id, _listing, api, caller)
    return page(
        request,
        "survey/list.html",
        caller=caller,
        units=units,
        now=api.app.now(),
        local=_local(_zone(api)),
    )


def _form_page(
    request: Request[Any, Any, Any],
    caller: Caller,
    form: DesignForm,
    *,
    units: list[tuple[UUID, str]],
    survey: SurveyView | None = None,
    unit_name: str = "",
    status: int = 200,
    refused: str | None = None,
) -> Template:
    return page(
        request,
        "survey/design.html",
        caller=caller,
        status=status,
        form=form,
        units=units,
        survey=survey,
        unit_name=unit_name,
        kinds=[k.value for k in QuestionKind],
        audiences=[a.value for a in Audience],
        refused=refused,
        max_rows=MAX_QUESTIONS,
    )


@get(f"{HOME}new", name="survey-new")
async def survey_new(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _designer(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    units = await api.read(None, _design_units, api, caller)
    form = DesignForm.blank(api.app.now(), _zone(api), units[0][0] if units else None)
    return _form_page(request, caller, form, units=units)


def _one_more(form: DesignForm) -> DesignForm:
    if len(form.questions) < MAX_QUESTIONS:
        form.questions.append(QuestionRow())
    return form


@post(f"{HOME}new", name="survey-design")
async def survey_design(
    request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _designer(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    units = await api.read(None, _design_units, api, caller)
    posted = await request.form()
    form = DesignForm.typed(posted)
    if posted.get("add") is not None:
        return _form_page(request, caller, _one_more(form), units=units)
    try:
        values = _design_values(form, _zone(api))
        try:
            values["org_unit_id"] = UUID(form.org_unit_id)
        except ValueError:
            raise _Unreadable("org_unit_id") from None
        body = msgspec.convert(values, NewSurvey)
        designed = await api.write(caller.account_id, design_survey, api, caller, body)
    except NotFound:
        # A unit the caller may not design for: said, as the API's 404 says it.
        refused = translator(language_of(request))("survey.design.unit_refused")
        return _form_page(request, caller, form, units=units, status=404, refused=refused)
    except (_Unreadable, msgspec.ValidationError, CodedError, ApiProblem) as error:
        refused, status = _refusal(request, error)
        return _form_page(request, caller, form, units=units, status=status, refused=refused)
    return Redirect(f"{HOME}{designed.survey_id}?done=designed", status_code=HTTP_303_SEE_OTHER)


# --- one survey ------------------------------------------------------------------------------


async def _survey_page(
    request: Request[Any, Any, Any],
    api: Api,
    caller: Caller,
    survey_id: UUID,
    *,
    form: DesignForm | None = None,
    status: int = 200,
    refused: str | None = None,
) -> Template:
    try:
        survey, unit_name = await api.read(caller.account_id, _shown, api, caller, survey_id)
    except NotFound:
        raise NotFoundException() from None
    done = request.query_params.get("done")
    return page(
        request,
        "survey/manage.html",
        caller=caller,
        status=status,
        survey=survey,
        unit_name=unit_name,
        form=form or DesignForm.of(survey, _zone(api)),
        kinds=[k.value for k in QuestionKind],
        audiences=[a.value for a in Audience],
        refused=refused,
        # The revise form stays open when it is shown again (a row added, a refusal).
        editing=form is not None,
        done=done if done in DONE else None,
        local=_local(_zone(api)),
        max_rows=MAX_QUESTIONS,
    )


@get(f"{HOME}{{survey_id:uuid}}", name="survey-manage")
async def survey_manage(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _designer(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    return await _survey_page(request, api, caller, survey_id)


@post(f"{HOME}{{survey_id:uuid}}", name="survey-revise")
async def survey_revise(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _designer(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    posted = await request.form()
    form = DesignForm.typed(posted)
    if posted.get("add") is not None:
        return await _survey_page(request, api, caller, survey_id, form=_one_more(form))
    try:
        body = msgspec.convert(_design_values(form, _zone(api)), SurveyDesign)
        await api.write(caller.account_id, revise_survey, api, caller, survey_id, body)
    except NotFound:
        raise NotFoundException() from None
    except (_Unreadable, msgspec.ValidationError, CodedError, ApiProblem) as error:
        refused, status = _refusal(request, error)
        return await _survey_page(
            request, api, caller, survey_id, form=form, status=status, refused=refused
        )
    return Redirect(f"{HOME}{survey_id}?done=revised", status_code=HTTP_303_SEE_OTHER)


async def _act(
    request: Request[Any, Any, Any],
    api: Api,
    sessions: PageSessions,
    survey_id: UUID,
    command: Any,
    done: str,
) -> Template | Redirect:
    """Publish or close: the API's own function, then back to the survey (or the
    survey again with the reason it was refused)."""
    caller = await _designer(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    try:
        await api.write(caller.account_id, command, api, caller, survey_id)
    except NotFound:
        raise NotFoundException() from None
    except (CodedError, ApiProblem) as error:
        refused, status = _refusal(request, error)
        return await _survey_page(request, api, caller, survey_id, status=status, refused=refused)
    return Redirect(f"{HOME}{survey_id}?done={done}", status_code=HTTP_303_SEE_OTHER)


@post(f"{HOME}{{survey_id:uuid}}/publish", name="survey-publish")
async def survey_publish(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    return await _act(request, api, sessions, survey_id, publish_survey, "published")


@post(f"{HOME}{{survey_id:uuid}}/close", name="survey-close")
async def survey_close(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    return await _act(request, api, sessions, survey_id, close_survey, "closed")


# --- the printable code -------------------------------------------------------------------


@get(f"{HOME}{{survey_id:uuid}}/code", name="survey-code-page")
async def survey_code_page(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Template | Redirect:
    caller = await _designer(request, api, sessions)
    if isinstance(caller, Redirect):
        return caller
    try:
        survey, unit_name = await api.read(caller.account_id, _shown, api, caller, survey_id)
    except NotFound:
        raise NotFoundException() from None
    return page(
        request,
        "survey/code.html",
        caller=caller,
        survey=survey,
        unit_name=unit_name,
        local=_local(_zone(api)),
    )


@get(f"{HOME}{{survey_id:uuid}}/code.png", name="survey-code-image")
async def survey_code_image(
    survey_id: FromPath[UUID], request: Request[Any, Any, Any], api: ApiDep, sessions: SessionsDep
) -> Response[bytes]:
    caller = await sessions.caller(request, api.app)
    if caller is None or not holds_any(caller, MANAGERS):
        raise NotFoundException()
    try:
        png = await api.read(None, survey_code_png, api, caller, survey_id)
    except NotFound:
        raise NotFoundException() from None
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


ROUTES = [
    survey_list,
    survey_new,
    survey_design,
    survey_manage,
    survey_revise,
    survey_publish,
    survey_close,
    survey_code_page,
    survey_code_image,
]
