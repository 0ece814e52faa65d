"""Problems brought back from the grassroots: raised, routed, answered, closed, reopened."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from grassroots.domain.errors import AlreadyClosed, InvalidValue, NotAllowed, ReasonRequired
from grassroots.domain.problem import Problem, ProblemState

RAISED_AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
CADRE = UUID("cccccccc-cccc-4ccc-8ccc-cccccccccccc")
OTHER_CADRE = UUID("dddddddd-dddd-4ddd-8ddd-dddddddddddd")
STAFF = UUID("eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee")
TOWNSHIP = UUID("f0f0f0f0-f0f0-4f0f-8f0f-f0f0f0f0f0f0")
COUNTY = UUID("f1f1f1f1-f1f1-4f1f-8f1f-f1f1f1f1f1f1")
VISIT = UUID("f2f2f2f2-f2f2-4f2f-8f2f-f2f2f2f2f2f2")


def day(n: int) -> datetime:
    return RAISED_AT + timedelta(days=n)


def raise_problem(**overrides: object) -> Problem:
    fields: dict[str, object] = {
        "cadre_id": CADRE,
        "title": "活动场地不足",
        "description": "周末活动需要更大的场地",
        "org_unit_id": TOWNSHIP,
        "at": RAISED_AT,
        "visit_id": VISIT,
    }
    fields.update(overrides)
    return Problem.raise_problem(**fields)  # type: ignore[arg-type]


@pytest.fixture
def problem() -> Problem:
    raised = raise_problem()
    raised.collect_events()
    return raised


@pytest.fixture
def answered(problem: Problem) -> Problem:
    problem.answer("已协调镇文化站场地", answered_by=STAFF, at=day(1))
    problem.collect_events()
    return problem


@pytest.fixture
def closed(answered: Problem) -> Problem:
    answered.close(closed_by=STAFF, at=day(2))
    answered.collect_events()
    return answered


# raising


def test_raising_records_every_field_and_opens_the_problem() -> None:
    problem = raise_problem(title=" 活动场地不足 ", description=" 周末活动需要更大的场地 ")

    events = problem.collect_events()

    assert [type(e) for e in events] == [Problem.Raised]
    raised = events[0]
    assert raised.originator_id == problem.id
    assert (
        raised.cadre_id,
        raised.visit_id,
        raised.title,
        raised.description,
        raised.org_unit_id,
        raised.at,
    ) == (CADRE, VISIT, "活动场地不足", "周末活动需要更大的场地", TOWNSHIP, RAISED_AT)
    assert (problem.state, problem.raised_at, problem.answers) == (
        ProblemState.OPEN,
        RAISED_AT,
        [],
    )


def test_a_problem_may_be_raised_outside_a_visit() -> None:
    problem = Problem.raise_problem(
        cadre_id=CADRE,
        title="活动场地不足",
        description="周末活动需要更大的场地",
        org_unit_id=TOWNSHIP,
        at=RAISED_AT,
    )

    (raised,) = problem.collect_events()

    assert raised.visit_id is None


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": ""}, "title-empty"),
        ({"title": "题" * 201}, "title-too-long"),
        ({"description": " "}, "description-empty"),
        ({"description": "x" * 4001}, "description-too-long"),
        ({"at": datetime(2026, 3, 2, 9, 0)}, "naive-datetime"),
    ],
)
def test_raising_with_an_invalid_value_is_refused(overrides: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        raise_problem(**overrides)

    assert caught.value.code == code


# the lifecycle


def test_a_problem_is_answered_closed_and_reopened_in_that_order(problem: Problem) -> None:
    problem.answer(" 已协调镇文化站场地 ", answered_by=STAFF, at=day(1))
    problem.close(closed_by=STAFF, at=day(2))
    problem.reopen(reason=" 场地仍未落实 ", reopened_by=CADRE, at=day(3))

    events = problem.collect_events()
    assert [type(e) for e in events] == [Problem.Answered, Problem.Closed, Problem.Reopened]
    answered, closed, reopened = events
    assert (answered.answer, answered.answered_by, answered.at) == (
        "已协调镇文化站场地",
        STAFF,
        day(1),
    )
    assert (closed.closed_by, closed.at) == (STAFF, day(2))
    assert (reopened.reason, reopened.reopened_by, reopened.at) == ("场地仍未落实", CADRE, day(3))
    assert [e.originator_version for e in events] == [2, 3, 4]
    assert problem.state is ProblemState.OPEN
    assert problem.answers == [(day(1), STAFF, "已协调镇文化站场地")]


def test_answering_marks_the_problem_answered(problem: Problem) -> None:
    problem.answer("已协调", answered_by=STAFF, at=day(1))

    assert problem.state is ProblemState.ANSWERED


def test_a_problem_can_be_answered_more_than_once(answered: Problem) -> None:
    answered.answer("补充：下周落实", answered_by=STAFF, at=day(2))

    events = answered.collect_events()
    assert [type(e) for e in events] == [Problem.Answered]
    assert answered.answers == [
        (day(1), STAFF, "已协调镇文化站场地"),
        (day(2), STAFF, "补充：下周落实"),
    ]
    assert answered.state is ProblemState.ANSWERED


def test_an_empty_answer_is_refused(problem: Problem) -> None:
    with pytest.raises(InvalidValue) as caught:
        problem.answer("  ", answered_by=STAFF, at=day(1))

    assert caught.value.code == "answer-empty"
    assert problem.state is ProblemState.OPEN


def test_closing_marks_the_problem_closed(closed: Problem) -> None:
    assert closed.state is ProblemState.CLOSED


def test_closing_before_an_answer_is_refused(problem: Problem) -> None:
    with pytest.raises(NotAllowed) as caught:
        problem.close(closed_by=STAFF, at=day(1))

    assert type(caught.value) is NotAllowed
    assert caught.value.code == "problem-unanswered"
    assert problem.collect_events() == []
    assert problem.state is ProblemState.OPEN


def test_a_reopened_problem_needs_a_new_answer_before_it_closes_again(closed: Problem) -> None:
    closed.reopen(reason="场地仍未落实", reopened_by=CADRE, at=day(3))
    closed.collect_events()

    with pytest.raises(NotAllowed) as caught:
        closed.close(closed_by=STAFF, at=day(4))

    assert caught.value.code == "problem-unanswered"


# reopening


def test_only_the_raising_cadre_can_reopen(closed: Problem) -> None:
    with pytest.raises(NotAllowed) as caught:
        closed.reopen(reason="场地仍未落实", reopened_by=OTHER_CADRE, at=day(3))

    assert caught.value.code == "problem-not-yours"
    assert closed.state is ProblemState.CLOSED
    assert closed.collect_events() == []


@pytest.mark.parametrize("state", ["open", "answered"])
def test_a_problem_that_is_not_closed_cannot_be_reopened(problem: Problem, state: str) -> None:
    if state == "answered":
        problem.answer("已协调", answered_by=STAFF, at=day(1))
        problem.collect_events()

    with pytest.raises(NotAllowed) as caught:
        problem.reopen(reason="场地仍未落实", reopened_by=CADRE, at=day(3))

    assert caught.value.code == "problem-not-closed"
    assert problem.state is ProblemState(state)
    assert problem.collect_events() == []


def test_reopening_without_a_reason_is_refused(closed: Problem) -> None:
    with pytest.raises(ReasonRequired) as caught:
        closed.reopen(reason=" ", reopened_by=CADRE, at=day(3))

    assert caught.value.code == "reason-required"
    assert closed.state is ProblemState.CLOSED


# rerouting


def test_rerouting_to_another_unit_records_the_unit_and_the_reason(problem: Problem) -> None:
    problem.reroute(org_unit_id=COUNTY, reason=" 需旗县统筹 ", at=day(1))

    events = problem.collect_events()
    assert [type(e) for e in events] == [Problem.Rerouted]
    assert (events[0].org_unit_id, events[0].reason, events[0].at) == (
        COUNTY,
        "需旗县统筹",
        day(1),
    )
    assert problem.org_unit_id == COUNTY


def test_rerouting_without_a_reason_is_refused(problem: Problem) -> None:
    with pytest.raises(ReasonRequired) as caught:
        problem.reroute(org_unit_id=COUNTY, reason="", at=day(1))

    assert caught.value.code == "reason-required"
    assert problem.org_unit_id == TOWNSHIP
    assert problem.collect_events() == []


def test_rerouting_to_the_same_unit_emits_nothing(problem: Problem) -> None:
    problem.reroute(org_unit_id=TOWNSHIP, reason="重新分派", at=day(1))

    assert problem.collect_events() == []
    assert problem.version == 1


def test_an_answered_problem_can_still_be_rerouted(answered: Problem) -> None:
    answered.reroute(org_unit_id=COUNTY, reason="需旗县统筹", at=day(2))

    assert [type(e) for e in answered.collect_events()] == [Problem.Rerouted]


# a closed problem


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(lambda p: p.answer("再答复", answered_by=STAFF, at=day(3)), id="answer"),
        pytest.param(lambda p: p.close(closed_by=STAFF, at=day(3)), id="close"),
        pytest.param(
            lambda p: p.reroute(org_unit_id=COUNTY, reason="需旗县统筹", at=day(3)),
            id="reroute",
        ),
    ],
)
def test_anything_but_reopen_on_a_closed_problem_is_refused(
    closed: Problem, act: Callable[[Problem], None]
) -> None:
    with pytest.raises(AlreadyClosed) as caught:
        act(closed)

    assert caught.value.code == "problem-closed"
    assert closed.collect_events() == []
    assert closed.state is ProblemState.CLOSED


def test_replaying_the_events_rebuilds_the_problem() -> None:
    problem = raise_problem()
    problem.reroute(org_unit_id=COUNTY, reason="需旗县统筹", at=day(1))
    problem.answer("已协调", answered_by=STAFF, at=day(2))
    problem.close(closed_by=STAFF, at=day(3))
    events = problem.collect_events()

    replayed = None
    for e in events:
        replayed = e.mutate(replayed)

    assert [type(e) for e in events] == [
        Problem.Raised,
        Problem.Rerouted,
        Problem.Answered,
        Problem.Closed,
    ]
    assert isinstance(replayed, Problem)
    assert (
        replayed.id,
        replayed.version,
        replayed.org_unit_id,
        replayed.state,
        replayed.answers,
    ) == (problem.id, 4, COUNTY, ProblemState.CLOSED, [(day(2), STAFF, "已协调")])
