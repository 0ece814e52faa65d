"""Periods in people's words on the screens, not the API's ISO spellings."""

from __future__ import annotations

import pytest

from grassroots.pages.words import period_label, translator


@pytest.mark.parametrize(
    ("period", "zh", "en"),
    [
        ("2026-W50", "2026年第50周", "Week 50 of 2026"),
        ("2026-W01", "2026年第1周", "Week 1 of 2026"),
        ("2026-03", "2026年3月", "2026-03"),
        ("2026", "2026", "2026"),
        ("not a period", "not a period", "not a period"),
        ("2026-Wxx", "2026-Wxx", "2026-Wxx"),
    ],
)
def test_a_period_reads_as_people_say_it(period: str, zh: str, en: str) -> None:
    assert period_label(translator("zh"), period) == zh
    assert period_label(translator("en"), period) == en
