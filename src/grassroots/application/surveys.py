"""Commands of surveys (调研问卷): design, revise, publish, close, and answer.

An answer is its own aggregate, named by its respondent (see
``domain/survey.py``), so answers never contend with one another and the
"one per person" and "one per device and day" rules are held by the event
store's unique key, also between two requests at the same instant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from uuid import UUID

from grassroots.application.core import Core
from grassroots.application.errors import ConcurrentChange
from grassroots.domain.org_unit import OrgLevel, OrgUnit
from grassroots.domain.survey import (
    Audience,
    Question,
    Survey,
    SurveyAnswer,
    SurveyAnsweredToday,
)
from grassroots.domain.values import local_date, time_zone
from grassroots.domain.volunteer import Volunteer

__all__ = ["SurveyCommands"]

# A volunteer's answer that loses a race with their own other answer is given
# again over what the winner wrote (it replaces it); a few rounds are plenty.
ANSWER_ATTEMPTS = 5


class SurveyCommands(Core):
    def design_survey(
        self,
        *,
        title: str,
        intro: str,
        org_unit_id: UUID,
        audience: Audience,
        opens_at: datetime,
        closes_at: datetime,
        questions: Sequence[Question],
        designed_by: UUID,
    ) -> UUID:
        unit = self.get(OrgUnit, org_unit_id)
        survey = Survey.design(
            title=title,
            intro=intro,
            org_unit_id=org_unit_id,
            audience=audience,
            opens_at=opens_at,
            closes_at=closes_at,
            time_zone=unit.time_zone,
            questions=questions,
            designed_by=designed_by,
            at=self.now(),
        )
        self.commit(survey)
        return survey.id

    def revise_survey(
        self,
        survey_id: UUID,
        *,
        title: str,
        intro: str,
        audience: Audience,
        opens_at: datetime,
        closes_at: datetime,
        questions: Sequence[Question],
        revised_by: UUID,
    ) -> None:
        survey = self.get(Survey, survey_id)
        survey.revise(
            title=title,
            intro=intro,
            audience=audience,
            opens_at=opens_at,
            closes_at=closes_at,
            questions=questions,
            revised_by=revised_by,
            at=self.now(),
        )
        self.commit(survey)

    def publish_survey(self, survey_id: UUID, *, published_by: UUID) -> int:
        """Freeze the draft as the next version; the version answered from now on."""
        survey = self.get(Survey, survey_id)
        version = survey.publish(published_by=published_by, at=self.now())
        self.commit(survey)
        return version

    def close_survey(self, survey_id: UUID, *, closed_by: UUID) -> None:
        survey = self.get(Survey, survey_id)
        survey.close(closed_by=closed_by, at=self.now())
        self.commit(survey)

    def answer_survey_anonymously(
        self,
        survey_id: UUID,
        *,
        device_id: str,
        answers: Mapping[str, object],
        org_unit_id: UUID | None = None,
    ) -> UUID:
        """An answer from a phone without an account: one per device and local day
        (in the survey's unit's zone). The device is recorded nowhere; only the
        answer's id, keyed by the server's secret, is derived from it."""
        now = self.now()
        survey = self.get(Survey, survey_id)
        version, checked = survey.accept(answers, anonymous=True, at=now)
        if org_unit_id is not None:
            survey.require_in_audience(org_unit_id, self._ancestors_of(org_unit_id))
        day = local_date(now, time_zone(survey.time_zone))
        answer_id = SurveyAnswer.id_for_device(self.config.secret_key, survey_id, device_id, day)
        if self.exists(answer_id):
            raise SurveyAnsweredToday("this device has answered the survey today")
        answer = SurveyAnswer.give(
            answer_id=answer_id,
            survey_id=survey_id,
            survey_version=version,
            volunteer_id=None,
            org_unit_id=org_unit_id,
            answers=checked,
            at=now,
        )
        try:
            self.commit(answer)
        except ConcurrentChange:
            if self.exists(answer_id):
                # Two answers from one device at once: the other one was first.
                raise SurveyAnsweredToday("this device has answered the survey today") from None
            raise
        return answer_id

    def answer_survey_as_volunteer(
        self, survey_id: UUID, volunteer_id: UUID, *, answers: Mapping[str, object]
    ) -> UUID:
        """A logged-in volunteer's answer; a second one replaces the first (both stay
        in the log). Counted under the volunteer's unit as it is when they answer."""
        for _ in range(ANSWER_ATTEMPTS - 1):
            try:
                return self._answer_as_volunteer(survey_id, volunteer_id, answers)
            except ConcurrentChange:
                continue
        return self._answer_as_volunteer(survey_id, volunteer_id, answers)

    def _answer_as_volunteer(
        self, survey_id: UUID, volunteer_id: UUID, answers: Mapping[str, object]
    ) -> UUID:
        now = self.now()
        survey = self.get(Survey, survey_id)
        volunteer = self.get(Volunteer, volunteer_id)
        volunteer.require_active()
        version, checked = survey.accept(answers, anonymous=False, at=now)
        unit_id = volunteer.org_unit_id
        if survey.audience is Audience.SUBTREE_VOLUNTEERS:
            survey.require_in_audience(unit_id, self._ancestors_of(unit_id))
        answer_id = SurveyAnswer.id_for_volunteer(survey_id, volunteer_id)
        answer = self.find(SurveyAnswer, answer_id)
        if answer is not None:
            answer.replace(survey_version=version, org_unit_id=unit_id, answers=checked, at=now)
        else:
            answer = SurveyAnswer.give(
                answer_id=answer_id,
                survey_id=survey_id,
                survey_version=version,
                volunteer_id=volunteer_id,
                org_unit_id=unit_id,
                answers=checked,
                at=now,
            )
        self.commit(answer)
        return answer_id

    def _ancestors_of(self, org_unit_id: UUID) -> list[UUID]:
        """The unit's ancestors, nearest first (NotFound if there is no such unit)."""
        chain: list[UUID] = []
        parent_id = self.get(OrgUnit, org_unit_id).parent_id
        while parent_id is not None and len(chain) < len(OrgLevel):
            chain.append(parent_id)
            parent_id = self.get(OrgUnit, parent_id).parent_id
        return chain
