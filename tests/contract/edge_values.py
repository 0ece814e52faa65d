"""Schemathesis formats that make dates and instants reach the
ends of their range: year 1 and year 9999, and the widest UTC offsets, as well as the
ordinary values schemathesis makes. Loaded by
``run_schemathesis --edges`` (through ``tests/contract/hooks.py``)."""

from __future__ import annotations

from datetime import UTC, date, datetime

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

schemathesis.openapi.format(
    "date-time",
    st.one_of(
        st.sampled_from(EDGE_INSTANTS),
        st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
        ).map(datetime.isoformat),
    ),
)
schemathesis.openapi.format(
    "date",
    st.one_of(
        st.sampled_from(EDGE_DATES),
        st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)).map(date.isoformat),
    ),
)
