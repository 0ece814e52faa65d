"""Field messages in the client's language: Chinese for zh-CN, as written for en."""

from __future__ import annotations

import re

import pytest

from grassroots.api.field_messages import field_message

# Latin letters other than what a reader must see verbatim (field names, values,
# examples and type words like UUID, JSON, null, true/false).
ENGLISH_WORD = re.compile(r"\b(?:Expected|Invalid|Object|Missing|length|got|body|the)\b")


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Expected `str` of length >= 1", "长度不能少于 1 个字符"),
        ("Expected `str` of length <= 50", "长度不能超过 50 个字符"),
        ("Expected `array` of length <= 5", "最多只能有 5 项"),
        ("Expected `array` of length >= 1", "至少需要 1 项"),
        ("Expected `int` >= 1", "不能小于 1"),
        ("Expected `int` <= 10000", "不能大于 10000"),
        ("Expected `float` >= -90.0", "不能小于 -90.0"),
        ("Expected `str`, got `int`", "应为文字，不能是整数"),
        ("Expected `int | null`, got `str`", "应为整数或空值（null），不能是文字"),
        ("Expected `object`, got `array`", "应为对象，不能是列表"),
        ("Object missing required field `name`", "缺少必填字段 name"),
        ("Object contains unknown field `nick`", "本接口不接受字段 nick"),
        ("Invalid enum value 'king'", "'king' 不是可选的值"),
        ("Expected `str` matching regex '^[0-9]+$'", "格式不正确"),
        ("Invalid UUID", "不是有效的编号（UUID）"),
        ("Invalid RFC3339 encoded datetime", "不是有效的时间，应如 2026-03-07T01:00:00Z"),
        ("Invalid RFC3339 encoded date", "不是有效的日期，应如 2004-05-04"),
        (
            "Expected `datetime` with a timezone component",
            "时间须带时区，如 2026-03-07T01:00:00Z 或 2026-03-07T09:00:00+08:00",
        ),
        (
            "Missing required query parameter 'week' for path /api/v1/org-units/x/compliance",
            "缺少必填的查询参数 week",
        ),
        ("the body has a field this request does not take", "本接口不接受该字段"),
        ("the key appears more than once in one object", "同一对象中该字段出现了不止一次"),
        ("the body is not valid JSON: truncated", "请求内容不是有效的 JSON"),
    ],
)
def test_a_chinese_client_reads_each_kind_of_field_message_in_chinese(
    english: str, chinese: str
) -> None:
    said = field_message(english, "zh-CN")

    assert said == chinese
    assert not ENGLISH_WORD.search(said)


def test_an_english_client_reads_the_message_as_written() -> None:
    assert field_message("Expected `str` of length >= 1", "en") == "Expected `str` of length >= 1"


def test_a_message_no_pattern_knows_is_still_introduced_in_chinese_and_loses_nothing() -> None:
    said = field_message("Something new went wrong", "zh-CN")

    assert said.startswith("该值不符合要求")
    assert "Something new went wrong" in said
