"""One visit under way per cadre: the same point resumes it, another waits for its end."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from grassroots.domain.cadre_presence import CadrePresence, VisitUnderWay
from grassroots.domain.errors import InvalidValue, NotAllowed

AT = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)


def test_a_visit_under_way_is_resumed_at_its_point_and_blocks_any_other_start() -> None:
    cadre, point, other_point, visit = uuid4(), uuid4(), uuid4(), uuid4()
    presence = CadrePresence(cadre_id=cadre)
    assert presence.id == CadrePresence.id_for(cadre)
    assert presence.visit_to_resume(point) is None

    presence.arrive(visit, point, at=AT)

    assert presence.visit_to_resume(point) == visit
    assert presence.visit_to_resume(other_point) is None
    with pytest.raises(VisitUnderWay) as refused:
        presence.arrive(uuid4(), other_point, at=AT)
    assert isinstance(refused.value, NotAllowed)
    assert refused.value.code == "visit-under-way"
    assert (refused.value.visit_id, refused.value.point_id) == (visit, point)
    with pytest.raises(VisitUnderWay):
        presence.arrive(uuid4(), point, at=AT)  # the application resumes instead


def test_once_the_visit_has_ended_another_may_start_and_ending_another_changes_nothing() -> None:
    cadre, point, other_point, visit = uuid4(), uuid4(), uuid4(), uuid4()
    presence = CadrePresence(cadre_id=cadre)
    presence.arrive(visit, point, at=AT)

    presence.leave(uuid4(), at=AT)  # a visit started before presence was kept
    assert presence.visit_to_resume(point) == visit
    presence.leave(visit, at=AT)
    later = uuid4()
    presence.arrive(later, other_point, at=AT)

    assert presence.visit_to_resume(other_point) == later
    kinds = [type(e).__name__ for e in presence.collect_events()]
    assert kinds == ["Started", "Arrived", "Left", "Arrived"]


def test_a_naive_instant_is_refused() -> None:
    presence = CadrePresence(cadre_id=uuid4())
    with pytest.raises(InvalidValue, match="time zone"):
        presence.arrive(uuid4(), uuid4(), at=datetime(2026, 3, 3, 1, 0))
