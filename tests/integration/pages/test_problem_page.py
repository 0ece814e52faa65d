"""A problem's page (/feedback/<id>): the raising cadre reads it with its answers; a
supervisor of the unit it is routed to answers and closes it; the cadre reopens it with
a reason. Every step is checked on the written record, not only on the page's text."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import unquote
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from grassroots.domain.account import Grant, Role
from grassroots.domain.org_unit import OrgLevel
from grassroots.domain.problem import Problem, ProblemState
from grassroots.pages.words import WORDS
from tests.conftest import FakeClock
from tests.integration.builders import CENTER_PLACE, register_cadre, register_volunteer
from tests.integration.pages.conftest import VOLUNTEER_PHONE, Site

CADRE_PHONE = "13700000001"
SUPERVISOR_PHONE = "13700000009"
ELSEWHERE_PHONE = "13700000008"
DESCRIPTION = "晚上打球的青年反映灯不亮，已两周。\n物业说要等街道批经费。<b>急</b>"


def _problem_state(site: Site, problem_id: UUID) -> tuple[ProblemState, int]:
    problem = site.app.get(Problem, problem_id)
    return problem.state, len(problem.answers)


def _settle(site: Site) -> None:
    read_side = site.client.app.state["read_side"]
    assert read_side.wait_for(read_side.log.last_position(), timeout=5)


@pytest.fixture
def cadre_id(site: Site) -> UUID:
    cadre_id = register_cadre(site.app, site.world)
    site.account(CADRE_PHONE, Grant(Role.CADRE, cadre_id), name="李书记")
    site.account(SUPERVISOR_PHONE, Grant(Role.SUPERVISOR, site.world.township), name="街道团工委")
    return cadre_id


@pytest.fixture
def visit_id(site: Site, cadre_id: UUID) -> UUID:
    return site.app.start_visit(cadre_id, site.world.point, location=CENTER_PLACE, accuracy_m=10)


@pytest.fixture
def problem_id(site: Site, cadre_id: UUID, visit_id: UUID) -> UUID:
    # Raised on the visit, routed to the point's unit (the village), as the visit page does.
    return site.app.raise_problem(
        cadre_id,
        title="篮球场照明坏了",
        description=DESCRIPTION,
        org_unit_id=site.world.village,
        visit_id=visit_id,
    )


def _as(site: Site, phone: str) -> None:
    site.client.cookies.clear()
    site.log_in(phone)


def _post(site: Site, problem_id: UUID, step: str, **fields: str) -> Any:
    page = f"/feedback/{problem_id}"
    return site.client.post(
        f"{page}/{step}",
        data={"_csrf_token": site.csrf_token(page), **fields},
        follow_redirects=False,
    )


def test_the_raising_cadre_reads_the_description_and_the_answers(
    site: Site, problem_id: UUID, visit_id: UUID, clock: FakeClock
) -> None:
    _as(site, SUPERVISOR_PHONE)
    assert _post(site, problem_id, "answer", answer="已联系物业。\n下周一修好").status_code == 303
    _as(site, CADRE_PHONE)

    answer = site.client.get(f"/feedback/{problem_id}")
    assert answer.status_code == 200
    page = answer.text
    assert "篮球场照明坏了" in page
    # The description as written: its line break kept (pre-line), its markup escaped.
    assert "晚上打球的青年反映灯不亮，已两周。\n物业说要等街道批经费。&lt;b&gt;急&lt;/b&gt;" in page
    assert "<b>急</b>" not in page
    assert "已联系物业。\n下周一修好" in page
    assert "街道团工委" in page  # who answered
    assert "东风社区" in page  # the unit it is routed to
    assert WORDS["cadre.problem_state.answered"][0] in page
    assert f'href="/cadre/visits/{visit_id}"' in page
    # Raised at the clock's instant, in the app's zone (Asia/Shanghai).
    assert clock.now.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M") in page
    # The cadre answers nothing and closes nothing; it is not closed, so no reopening.
    assert f"/feedback/{problem_id}/answer" not in page
    assert f"/feedback/{problem_id}/close" not in page
    assert f"/feedback/{problem_id}/reopen" not in page


def test_a_supervisor_answers_and_closes_then_the_cadre_reopens_with_a_reason(
    site: Site, problem_id: UUID, cadre_id: UUID
) -> None:
    _as(site, SUPERVISOR_PHONE)
    page = site.client.get(f"/feedback/{problem_id}").text
    assert WORDS["cadre.problem_state.open"][0] in page  # 待答复, as the cadre reads it
    assert f'action="/feedback/{problem_id}/answer"' in page
    assert f'action="/feedback/{problem_id}/close"' not in page  # not before an answer

    answered = _post(site, problem_id, "answer", answer="已协调物业，本周内修复")
    assert answered.status_code == 303
    assert answered.headers["location"] == f"/feedback/{problem_id}?done=answered"
    assert _problem_state(site, problem_id) == (ProblemState.ANSWERED, 1)
    page = site.client.get(answered.headers["location"]).text
    assert WORDS["problem.done.answered"][0] in page
    assert "已协调物业，本周内修复" in page
    assert f'action="/feedback/{problem_id}/close"' in page

    closed = _post(site, problem_id, "close")
    assert closed.status_code == 303
    assert _problem_state(site, problem_id) == (ProblemState.CLOSED, 1)
    page = site.client.get(closed.headers["location"]).text
    assert WORDS["problem.done.closed"][0] in page
    assert WORDS["cadre.problem_state.closed"][0] in page
    assert f'action="/feedback/{problem_id}/answer"' not in page
    assert f'action="/feedback/{problem_id}/reopen"' not in page  # the raiser's, not theirs

    _as(site, CADRE_PHONE)
    page = site.client.get(f"/feedback/{problem_id}").text
    assert f'action="/feedback/{problem_id}/reopen"' in page
    # A reopening needs a reason: refused in words, nothing written.
    empty = _post(site, problem_id, "reopen", reason="  ")
    assert empty.status_code == 422
    assert "请填写原因" in empty.text
    assert _problem_state(site, problem_id) == (ProblemState.CLOSED, 1)

    reopened = _post(site, problem_id, "reopen", reason="灯还是不亮")
    assert reopened.status_code == 303
    assert reopened.headers["location"] == f"/feedback/{problem_id}?done=reopened"
    assert _problem_state(site, problem_id) == (ProblemState.OPEN, 1)
    page = site.client.get(reopened.headers["location"]).text
    assert WORDS["problem.done.reopened"][0] in page
    assert WORDS["cadre.problem_state.open"][0] in page

    assert "灯还是不亮" in page  # why, shown to the cadre and below to the supervisor

    # Back with the supervisor: it can be answered again, not closed before that.
    _as(site, SUPERVISOR_PHONE)
    page = site.client.get(f"/feedback/{problem_id}").text
    assert "提出人重新打开" in page
    assert "灯还是不亮" in page
    assert f'action="/feedback/{problem_id}/answer"' in page
    assert f'action="/feedback/{problem_id}/close"' not in page


def test_an_empty_answer_is_refused_in_words_and_writes_nothing(
    site: Site, problem_id: UUID
) -> None:
    _as(site, SUPERVISOR_PHONE)
    refused = _post(site, problem_id, "answer", answer=" \n ")
    assert refused.status_code == 422
    assert "请填写答复内容" in refused.text
    assert "篮球场照明坏了" in refused.text  # the problem again, with the reason
    assert _problem_state(site, problem_id) == (ProblemState.OPEN, 0)

    # Closing before an answer: refused in words, nothing written.
    early = _post(site, problem_id, "close")
    assert early.status_code == 409
    assert "请先答复问题再关闭" in early.text
    assert _problem_state(site, problem_id) == (ProblemState.OPEN, 0)

    english = site.client.post(
        f"/feedback/{problem_id}/answer?lang=en",
        data={"_csrf_token": site.csrf_token(f"/feedback/{problem_id}"), "answer": ""},
    )
    assert english.status_code == 422
    assert "An answer is required" in english.text


def test_a_supervisor_of_another_subtree_and_a_volunteer_find_no_such_page(
    site: Site, problem_id: UUID
) -> None:
    elsewhere = site.app.create_org_unit(
        name="另一街道", level=OrgLevel.TOWNSHIP, parent_id=site.world.county
    )
    site.account(ELSEWHERE_PHONE, Grant(Role.SUPERVISOR, elsewhere), name="别处团工委")
    site.account(VOLUNTEER_PHONE, Grant(Role.VOLUNTEER, register_volunteer(site.app, site.world)))
    for phone in (ELSEWHERE_PHONE, VOLUNTEER_PHONE):
        _as(site, phone)
        shown = site.client.get(f"/feedback/{problem_id}")
        assert shown.status_code == 404, phone
        assert "页面不存在" in shown.text
        assert "篮球场照明坏了" not in shown.text
        token = site.csrf_token("/")
        for step, fields in (("answer", {"answer": "不是我的"}), ("close", {})):
            answer = site.client.post(
                f"/feedback/{problem_id}/{step}", data={"_csrf_token": token, **fields}
            )
            assert answer.status_code == 404, (phone, step)
    assert _problem_state(site, problem_id) == (ProblemState.OPEN, 0)


def test_logged_out_the_page_sends_to_the_log_in_and_comes_back(
    site: Site, problem_id: UUID
) -> None:
    answer = site.client.get(f"/feedback/{problem_id}", follow_redirects=False)
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert location.startswith("/login?next=")
    assert unquote(location.removeprefix("/login?next=")) == f"/feedback/{problem_id}"


def test_a_form_address_opened_by_get_leads_back_to_the_problem(
    site: Site, problem_id: UUID
) -> None:
    for step in ("answer", "close", "reopen"):
        answer = site.client.get(f"/feedback/{problem_id}/{step}", follow_redirects=False)
        assert answer.status_code == 303, step
        assert answer.headers["location"] == f"/feedback/{problem_id}"


def test_the_dispatch_the_cadres_week_and_the_visit_page_link_to_the_problem(
    site: Site, problem_id: UUID, cadre_id: UUID, visit_id: UUID
) -> None:
    link = f'href="/feedback/{problem_id}"'
    _settle(site)
    _as(site, SUPERVISOR_PHONE)
    dispatch = site.client.get("/dispatch/", params={"unit": str(site.world.township)})
    assert dispatch.status_code == 200
    items = re.search(r'<ol class="problems">.*?</ol>', dispatch.text, re.S)
    assert items is not None
    assert link in items.group(0)
    assert "篮球场照明坏了" in items.group(0)

    week = site.client.get(f"/dispatch/cadres/{cadre_id}", params={"unit": str(site.world.county)})
    # The cadre belongs to the county, above this supervisor's township: not theirs.
    assert week.status_code == 404
    site.account("13700000007", Grant(Role.SUPERVISOR, site.world.county), name="县团委")
    _as(site, "13700000007")
    week = site.client.get(f"/dispatch/cadres/{cadre_id}", params={"unit": str(site.world.county)})
    assert week.status_code == 200
    assert link in week.text
    # The supervisor's word for an open problem is the cadre's: 待答复.
    assert WORDS["cadre.problem_state.open"][0] in week.text
    assert WORDS["dispatch.problem_state.open"] == WORDS["cadre.problem_state.open"]
    # The county's supervisor reads the problem too, and reaches the raiser's week.
    page = html.unescape(site.client.get(f"/feedback/{problem_id}").text)
    assert f"/dispatch/cadres/{cadre_id}?unit={site.world.county}&week=" in page

    _as(site, CADRE_PHONE)
    visit = site.client.get(f"/cadre/visits/{visit_id}")
    assert link in visit.text
    assert site.client.get(f"/feedback/{problem_id}").status_code == 200
