"""Schemathesis formats that make dates and instants reach the
ends of their range: year 1 and year 9999, and the widest UTC offsets, as well as
ordinary values in the product's years and, most often, instants of the weeks ahead:
an activity or a survey window is accepted only if it ends after it starts and has not
begun, so with instants drawn over a century nearly every generated one was refused,
and the stateful phase had no new record to follow its links from. Loaded by
``run_schemathesis --edges`` (through ``tests/contract/hooks.py``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import schemathesis
from hypothesis import strategies as st

EDGE_INSTANTS = [
    "9999-12-31T23:00:00-14:00",
    "9999-12-31T22:00:00+00:00",
    "9999-12-20T00:00:00+00:00",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00+14:00",
]
EDGE_DATES = ["9999-12-31", "0001-01-01"]

_NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
_ORDINARY = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(datetime.isoformat)
_AHEAD = st.datetimes(
    min_value=_NOW + timedelta(hours=1),
    max_value=_NOW + timedelta(days=60),
    timezones=st.just(UTC),
).map(datetime.isoformat)

schemathesis.openapi.format(
    "date-time",
    # one_of leans to its first branch (hypothesis takes the first as the simplest).
    st.one_of(_AHEAD, _ORDINARY, st.sampled_from(EDGE_INSTANTS)),
)
schemathesis.openapi.format(
    "date",
    st.one_of(
        st.sampled_from(EDGE_DATES),
        st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)).map(date.isoformat),
    ),
)
