"""A survey's answer page (what its QR code opens) and its results page: an anonymous
answer from a phone once a day, a volunteer's answer, a refusal in words, the results
with their bars for the supervisor only (designing is in test_survey_design_pages)."""

from __future__ import annotations

import io
from datetime import timedelta
from uuid import UUID, uuid4

from openpyxl import load_workbook

from grassroots.domain.account import Grant, Role
from grassroots.domain.survey import Audience, Question, QuestionKind
from grassroots.pages.surveys import TEXTS_PER_PAGE
from tests.conftest import FakeClock
from tests.integration.pages.conftest import Site


def _survey(site: Site) -> UUID:
    now = site.app.now()
    survey_id = site.app.design_survey(
        title="青年需求调研",
        intro="请花两分钟填写",
        org_unit_id=site.world.township,
        audience=Audience.ANYONE_WITH_LINK,
        opens_at=now,
        closes_at=now + timedelta(days=7),
        questions=[
            Question(
                "", "最常参加哪类活动？", QuestionKind.SINGLE_CHOICE, options=("环保", "助老")
            ),
            Question("", "希望增加", QuestionKind.MULTIPLE_CHOICE, False, ("读书", "运动")),
            Question("", "满意度", QuestionKind.RATING),
            Question("", "建议", QuestionKind.TEXT, required=False),
        ],
        designed_by=uuid4(),
    )
    site.app.publish_survey(survey_id, published_by=uuid4())
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)
    return survey_id


def test_a_phone_answers_anonymously_once_a_day_from_the_answer_page(site: Site) -> None:
    survey_id = _survey(site)
    path = f"/s/{survey_id}"

    shown = site.client.get(path)
    answered = site.client.post(
        path,
        data={
            "q1": "1",
            "q2": ["0", "1"],
            "q3": "5",
            "q4": "多办读书会",
            "_csrf_token": site.csrf_token(path),
        },
    )
    again = site.client.post(
        path, data={"q1": "0", "q3": "4", "_csrf_token": site.csrf_token(path)}
    )
    missing = site.client.get(f"/s/{uuid4()}")

    assert shown.status_code == 200
    assert "最常参加哪类活动？" in shown.text
    assert 'name="q2"' in shown.text
    assert answered.status_code == 200, answered.text
    assert "感谢参与" in answered.text
    assert again.status_code == 409
    assert 'data-code="survey-answered-today"' in again.text
    assert missing.status_code == 404


def test_a_required_question_left_out_is_refused_in_words_and_nothing_is_written(
    site: Site,
) -> None:
    survey_id = _survey(site)
    path = f"/s/{survey_id}"
    head = site.app.log_head()

    refused = site.client.post(path, data={"q1": "0", "_csrf_token": site.csrf_token(path)})

    assert refused.status_code == 422
    assert "有必答题尚未作答" in refused.text
    assert site.app.log_head() == head


def test_the_results_page_shows_bars_to_the_supervisor_and_nothing_to_others(
    site: Site, volunteer: str
) -> None:
    survey_id = _survey(site)
    path = f"/s/{survey_id}"
    site.client.post(path, data={"q1": "1", "q3": "4", "_csrf_token": site.csrf_token(path)})
    site.log_in(volunteer)
    as_volunteer = site.client.post(
        path, data={"q1": "0", "q3": "2", "_csrf_token": site.csrf_token(path)}
    )
    volunteer_view = site.client.get(f"{path}/results")
    site.account("13700000009", Grant(Role.SUPERVISOR, site.world.county), name="县团委")
    site.client.cookies.clear()
    site.log_in("13700000009")
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)

    results = site.client.get(f"{path}/results")

    assert as_volunteer.status_code == 200, as_volunteer.text
    assert volunteer_view.status_code == 404
    assert results.status_code == 200
    assert "共 2 份答卷" in results.text
    assert results.text.count('<span class="bar-fill" style') == 4
    # It follows answers over its live stream, and reloads itself only without script.
    assert "survey_results.js" in results.text
    assert '<noscript><meta http-equiv="refresh" content="10"></noscript>' in results.text
    assert "少于5份" in results.text


def test_the_supervisor_reads_text_answers_page_by_page_and_others_cannot(
    site: Site, volunteer: str, clock: FakeClock
) -> None:
    survey_id = _survey(site)
    path = f"/s/{survey_id}"
    for n in range(TEXTS_PER_PAGE + 2):
        clock.advance(seconds=1)
        site.client.cookies.clear()  # a new device each time: one answer a day each
        answered = site.client.post(
            path,
            data={"q1": "0", "q3": "3", "q4": f"建议{n}", "_csrf_token": site.csrf_token(path)},
        )
        assert answered.status_code == 200, answered.text
    site.log_in(volunteer)
    volunteer_view = site.client.get(f"{path}/results/texts/q4")
    site.account("13700000009", Grant(Role.SUPERVISOR, site.world.county), name="县团委")
    site.client.cookies.clear()
    site.log_in("13700000009")
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)

    results = site.client.get(f"{path}/results")
    first = site.client.get(f"{path}/results/texts/q4")
    second = site.client.get(f"{path}/results/texts/q4?offset={TEXTS_PER_PAGE}")
    not_text = site.client.get(f"{path}/results/texts/q1")

    assert volunteer_view.status_code == 404
    assert f'href="{path}/results/texts/q4"' in results.text
    assert first.status_code == 200
    assert first.text.count("<li>建议") == TEXTS_PER_PAGE
    assert f"?offset={TEXTS_PER_PAGE}" in first.text  # the older ones are a page away
    # Newest first: the last two written are on the first page, the first two on the second.
    assert "<li>建议51</li>" in first.text
    assert second.text.count("<li>建议") == 2
    assert "<li>建议0</li>" in second.text
    assert not_text.status_code == 404


def test_the_supervisor_downloads_every_answer_and_a_volunteer_cannot(
    site: Site, volunteer: str
) -> None:
    survey_id = _survey(site)
    path = f"/s/{survey_id}"
    site.client.post(
        path, data={"q1": "1", "q3": "5", "q4": "=1+1", "_csrf_token": site.csrf_token(path)}
    )
    site.log_in(volunteer)
    refused = site.client.get(f"{path}/answers.csv")
    site.account("13700000009", Grant(Role.SUPERVISOR, site.world.county), name="县团委")
    site.client.cookies.clear()
    site.log_in("13700000009")
    assert site.client.app.state.read_side.wait_for(site.app.log_head(), 5)

    results = site.client.get(f"{path}/results")
    csv = site.client.get(f"{path}/answers.csv")
    xlsx = site.client.get(f"{path}/answers.xlsx")

    assert refused.status_code == 404
    assert f'href="{path}/answers.xlsx"' in results.text
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert "助老" in lines[1]
    assert "'=1+1" in lines[1]  # text that looks like a formula stays text
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.active is not None
    assert workbook.active.max_row == 2
