"""Designing a survey on a page: a supervisor or cadre lists their unit's surveys,
designs one with the server-rendered form (no script needed), publishes it, a phone
answers it, the results follow over the page's live stream; refusals say why and
write nothing; anyone else finds no page."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from grassroots.domain.account import Grant, Role
from grassroots.domain.survey import Survey
from tests.integration.api.test_live_updates import event_stream
from tests.integration.builders import register_cadre, register_volunteer
from tests.integration.pages.conftest import PASSWORD, Site

SUPERVISOR_PHONE = "13700000009"


def _supervisor(site: Site) -> str:
    site.account(SUPERVISOR_PHONE, Grant(Role.SUPERVISOR, site.world.township), name="街道团工委")
    site.log_in(SUPERVISOR_PHONE)
    return SUPERVISOR_PHONE


def _design_form(site: Site, **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "org_unit_id": str(site.world.township),
        "title": "青年需求调研",
        "intro": "请花两分钟填写",
        "audience": "anyone_with_link",
        "opens_at": "2026-03-01T08:00",
        "closes_at": "2026-12-31T20:00",
        "rows": "3",
        "q0_prompt": "最常参加哪类活动？",
        "q0_kind": "single_choice",
        "q0_options": "环保\n助老\n",
        "q0_required": "1",
        "q1_prompt": "满意度",
        "q1_kind": "rating",
        "q1_options": "",
        "q1_required": "1",
        "q2_prompt": "",
        "q2_kind": "single_choice",
        "_csrf_token": site.csrf_token("/surveys/new"),
    }
    return form | changes


def _designed(site: Site, **changes: Any) -> UUID:
    answer = site.client.post(
        "/surveys/new", data=_design_form(site, **changes), follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    found = re.search(r"/surveys/([0-9a-f-]{36})\?done=designed", answer.headers["location"])
    assert found
    return UUID(found.group(1))


def test_a_supervisor_designs_publishes_and_sees_an_answer_arrive(site: Site) -> None:
    _supervisor(site)

    survey_id = _designed(site)
    draft = site.client.get(f"/surveys/{survey_id}?done=designed")
    not_yet = site.client.get(f"/s/{survey_id}")
    published = site.client.post(
        f"/surveys/{survey_id}/publish",
        data={"_csrf_token": site.csrf_token(f"/surveys/{survey_id}")},
        follow_redirects=False,
    )
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)
    listed = site.client.get("/surveys/")
    shown = site.client.get(f"/surveys/{survey_id}?done=published")
    code_page = site.client.get(f"/surveys/{survey_id}/code")
    code = site.client.get(f"/surveys/{survey_id}/code.png")
    form = site.client.get(f"/s/{survey_id}")

    assert "问卷已保存为草稿" in draft.text
    assert 'data-state="draft"' in draft.text
    assert not_yet.status_code == 404
    assert published.status_code == 303
    assert "青年需求调研" in listed.text
    assert f'href="/surveys/{survey_id}"' in listed.text
    assert 'data-state="published"' in shown.text
    assert "第 1 版" in shown.text
    assert f'href="/s/{survey_id}/results"' in shown.text
    assert f"/s/{survey_id}" in code_page.text
    assert code.headers["content-type"] == "image/png"
    assert code.content.startswith(b"\x89PNG")
    assert "最常参加哪类活动？" in form.text
    assert "满意度" in form.text
    assert 'name="q3"' not in form.text  # the empty row was left out

    cookies = "; ".join(f"{name}={value}" for name, value in site.client.cookies.items())
    path = f"/s/{survey_id}/results/live"
    with event_stream(site.client, path, {"cookie": cookies}) as stream:
        assert stream.status == 200
        assert stream.next_event()["event"] == "ready"
        # An answer from a phone while the results page follows.
        phone = site.client.post(
            f"/s/{survey_id}",
            data={"q1": "1", "q2": "4", "_csrf_token": site.csrf_token(f"/s/{survey_id}")},
        )
        assert phone.status_code == 200, phone.text
        assert stream.next_update()["kind"] == "answer"
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)
    fragment = site.client.get(f"/s/{survey_id}/results/fragment")

    assert fragment.status_code == 200
    assert "共 1 份答卷" in fragment.text
    assert "<html" not in fragment.text


def test_add_a_question_shows_the_form_again_with_one_more_row_and_writes_nothing(
    site: Site,
) -> None:
    _supervisor(site)
    head = site.app.log_head()

    again = site.client.post("/surveys/new", data=_design_form(site, add="1"))

    assert again.status_code == 200
    assert 'name="q3_prompt"' in again.text
    assert 'value="最常参加哪类活动？"' in again.text
    assert site.app.log_head() == head


def test_a_refused_design_says_why_in_chinese_and_writes_nothing(site: Site) -> None:
    _supervisor(site)
    head = site.app.log_head()

    one_option = site.client.post("/surveys/new", data=_design_form(site, q0_options="环保"))
    backwards = site.client.post(
        "/surveys/new", data=_design_form(site, closes_at="2026-02-01T08:00")
    )
    unreadable = site.client.post("/surveys/new", data=_design_form(site, opens_at="明天"))
    no_title = site.client.post("/surveys/new", data=_design_form(site, title=""))
    elsewhere = site.client.post(
        "/surveys/new", data=_design_form(site, org_unit_id=str(site.world.county))
    )

    assert one_option.status_code == 422
    assert "选择题需要 2 到 20 个选项" in one_option.text
    assert 'value="青年需求调研"' in one_option.text  # what was typed is kept
    assert backwards.status_code == 422
    assert "问卷的结束时间须晚于开始时间" in backwards.text
    assert unreadable.status_code == 400
    assert "“开始时间”填写得不对" in unreadable.text
    assert no_title.status_code == 400
    assert "“标题”填写有误" in no_title.text
    assert elsewhere.status_code == 404
    assert "您不能为这个组织设计问卷" in elsewhere.text
    assert site.app.log_head() == head


def test_the_design_form_and_its_refusals_read_in_english_when_asked(site: Site) -> None:
    _supervisor(site)

    form = site.client.get("/surveys/new?lang=en")
    refused = site.client.post("/surveys/new", data=_design_form(site, q0_options="环保"))

    assert "Design a survey" in form.text
    assert "Add a question" in form.text
    assert "A choice offers 2 to 20 options" in refused.text


def test_a_revision_after_publishing_becomes_a_new_version_only_when_published(
    site: Site,
) -> None:
    _supervisor(site)
    survey_id = _designed(site)
    path = f"/surveys/{survey_id}"
    site.client.post(f"{path}/publish", data={"_csrf_token": site.csrf_token(path)})

    revised = site.client.post(
        path,
        data=_design_form(site, q2_prompt="建议", q2_kind="text", q2_required=None)
        | {"_csrf_token": site.csrf_token(path)},
        follow_redirects=False,
    )
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)
    before = site.client.get(f"/s/{survey_id}")
    shown = site.client.get(path)
    site.client.post(f"{path}/publish", data={"_csrf_token": site.csrf_token(path)})
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)
    after = site.client.get(f"/s/{survey_id}")
    closed = site.client.post(
        f"{path}/close", data={"_csrf_token": site.csrf_token(path)}, follow_redirects=False
    )
    head = site.app.log_head()
    closed_again = site.client.post(f"{path}/close", data={"_csrf_token": site.csrf_token(path)})

    assert revised.status_code == 303
    assert "建议" not in before.text
    assert "data-unpublished" in shown.text
    assert "发布为新版本" in shown.text
    assert "建议" in after.text
    assert closed.status_code == 303
    assert 'data-state="closed"' in site.client.get(path).text
    # Closed already: no button offers it, and a stale form is refused in words.
    assert "data-close" not in site.client.get(path).text
    assert closed_again.status_code == 409
    assert "问卷已结束" in closed_again.text
    assert site.app.log_head() == head


def test_a_cadre_designs_for_their_unit_and_sees_only_their_own_surveys(
    site: Site, cadre: str
) -> None:
    site.log_in(cadre)

    new = site.client.get("/surveys/new")
    survey_id = _designed(site, org_unit_id=str(site.world.county))
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)
    listed = site.client.get("/surveys/")

    assert new.status_code == 200
    assert "新城区" in new.text
    assert f'href="/surveys/{survey_id}"' in listed.text
    assert 'href="/surveys/"' in site.client.get("/cadre/").text


def test_others_find_no_design_page_and_no_survey(site: Site, volunteer: str) -> None:
    _supervisor(site)
    survey_id = _designed(site)
    path = f"/surveys/{survey_id}"
    site.client.post(f"{path}/publish", data={"_csrf_token": site.csrf_token(path)})
    site.account("13700000008", Grant(Role.SUPERVISOR, site.world.village), name="社区团支部")
    site.client.cookies.clear()

    logged_out = site.client.get("/surveys/", follow_redirects=False)
    stream_logged_out = site.client.get(f"/s/{survey_id}/results/live")
    site.log_in(volunteer)
    as_volunteer = [
        site.client.get(p)
        for p in ("/surveys/", "/surveys/new", path, f"{path}/code", f"{path}/code.png")
    ]
    site.client.cookies.clear()
    site.log_in("13700000008")  # supervises a unit below the survey's: not theirs
    below = [
        site.client.get(p)
        for p in (path, f"{path}/code", f"{path}/code.png", f"/s/{survey_id}/results/live")
    ]
    head = site.app.log_head()
    publish = site.client.post(f"{path}/close", data={"_csrf_token": site.csrf_token("/surveys/")})

    assert logged_out.status_code == 303
    assert logged_out.headers["location"].startswith("/login?next=")
    assert stream_logged_out.status_code == 404
    assert [a.status_code for a in as_volunteer] == [404] * 5
    assert [a.status_code for a in below] == [404] * 4
    assert publish.status_code == 404
    assert site.app.log_head() == head


def test_a_city_supervisor_designs_for_a_township_two_levels_below(site: Site) -> None:
    site.account("13700000008", Grant(Role.SUPERVISOR, site.world.city), name="市团委")
    site.log_in("13700000008")
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)

    form = site.client.get("/surveys/new")
    survey_id = _designed(site, org_unit_id=str(site.world.township))

    offered = re.findall(r'<option value="([0-9a-f-]{36})"', form.text)
    # The city, its county and the county's township; the village is a level too far.
    assert offered == [str(site.world.city), str(site.world.county), str(site.world.township)]
    assert "　　海拉尔东路街道" in form.text
    assert site.app.get(Survey, survey_id).org_unit_id == site.world.township


def test_a_designer_whose_role_was_taken_back_reads_nothing_of_their_survey(
    site: Site,
) -> None:
    grant = Grant(Role.CADRE, register_cadre(site.app, site.world))
    # A volunteer too, so taking the cadre role leaves the account a role to keep.
    also = Grant(Role.VOLUNTEER, register_volunteer(site.app, site.world))
    account_id = site.app.open_account(
        phone="13800000007", name="李书记", password=PASSWORD, grants=[grant, also]
    )
    site.log_in("13800000007")
    survey_id = _designed(site, org_unit_id=str(site.world.county))
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)
    before = site.client.get(f"/surveys/{survey_id}", follow_redirects=False)
    # An administrator takes the cadre role back; the account itself stays open.
    site.app.revoke_role(account_id, grant)

    assert before.status_code == 200
    for path in (
        f"/s/{survey_id}/results",
        f"/s/{survey_id}/results/fragment",
        f"/s/{survey_id}/answers.csv",
        f"/surveys/{survey_id}",
    ):
        assert site.client.get(path, follow_redirects=False).status_code in (303, 404), path
