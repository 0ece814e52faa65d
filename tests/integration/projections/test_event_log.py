"""The read side's view of the log: the recorder's notifications, decoded as the library would."""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic

from grassroots.application.service import Grassroots
from grassroots.domain.activity import Activity
from grassroots.domain.attendance import Attendance
from grassroots.projections.event_log import EventLog
from grassroots.simulation import HistoryShape, generate_history


def _expected(app: Grassroots, after: int, limit: int, stop: int, topics: list[str]) -> list[Any]:
    notifications = app.recorder.select_notifications(
        start=after, limit=limit, stop=stop, topics=topics, inclusive_of_start=False
    )
    return [
        (n.topic, n.id, n.originator_version, vars(app.mapper.to_domain_event(n)))
        for n in notifications
    ]


def _read(log: EventLog, after: int, limit: int, stop: int, topics: list[str]) -> list[Any]:
    return [
        (topic, context.position, context.originator_version, vars(event))
        for topic, context, event in log.read_topics(
            after=after, limit=limit, stop=stop, topics=topics
        )
    ]


def test_reads_give_the_recorders_notifications_decoded_by_the_library(app: Grassroots) -> None:
    generate_history(app, seed=41, shape=HistoryShape(weeks=2, volunteers=20, cadres=3))
    log = EventLog(app.recorder, app.mapper)
    end = log.last_position()
    some = sorted(get_topic(cls) for cls in (Activity.SignedUp, Attendance.CheckedOut))
    every = sorted({n.topic for n in app.recorder.select_notifications(start=1, limit=end)})

    for after, limit, stop, topics in [
        (0, end, end, every),
        (0, 50, end, every),
        (17, 40, end - 5, some),
        (end - 3, 10, end, every),
        (end, 10, end, every),
    ]:
        read = _read(log, after, limit, stop, topics)
        assert read == _expected(app, after, limit, stop, topics)
    assert len(_read(log, 0, end, end, some)) > 20
    # The context names the event's own aggregate, version and recording time.
    _, context, event = log.read_topics(after=0, limit=1, stop=end, topics=every)[0]
    assert (context.originator_id, context.recorded_at) == (event.originator_id, event.timestamp)
