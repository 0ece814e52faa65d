"""A field that did not validate, said in the client's language.

The messages come in English from msgspec (``Expected `str` of length >= 1``),
from the framework (``Missing required query parameter 'limit' for path ...``)
and from ``bodies`` (``the body has a field this request does not take``). A
zh-CN client gets each in Chinese, recognised by its pattern; an English one
gets it as it was written. A message no pattern knows is answered with a
Chinese sentence saying the value is not accepted, followed by the original in
brackets, so nothing said is lost and the reader still gets Chinese first.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["field_message"]

# msgspec's names of JSON types, as a person would call them.
_TYPES = {
    "str": "文字",
    "int": "整数",
    "float": "数字",
    "bool": "布尔值（true 或 false）",
    "null": "空值（null）",
    "array": "列表",
    "object": "对象",
    "datetime": "时间",
    "date": "日期",
    "time": "时刻",
    "uuid": "编号（UUID）",
    "bytes": "二进制内容",
    "duration": "时长",
    "decimal": "数字",
}
_PLACES = {"query": "查询参数", "path": "路径参数", "header": "请求头", "cookie": "Cookie"}
_BOUNDS = {">=": "不能小于", "<=": "不能大于", ">": "须大于", "<": "须小于"}


def _type(name: str) -> str:
    """``int | null`` → ``整数或 null``; a name not known is kept as written."""
    return "或".join(_TYPES.get(part.strip(), part.strip()) for part in name.split("|"))


def _length(kind: str, bound: str, n: str) -> str:
    if kind == "str":
        return f"长度{'不能少于' if bound == '>=' else '不能超过'} {n} 个字符"
    unit = "个字节" if kind == "bytes" else "项"
    return f"{'至少需要' if bound == '>=' else '最多只能有'} {n} {unit}"


Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_RULES: tuple[Rule, ...] = tuple(
    (re.compile(pattern), say)
    for pattern, say in (
        (
            r"^Expected `(\w+)` of length (>=|<=) (\d+)$",
            lambda m: _length(m[1], m[2], m[3]),
        ),
        (r"^Expected `array` of at least length (\d+).*$", lambda m: f"至少需要 {m[1]} 项"),
        (r"^Expected `array` of at most length (\d+).*$", lambda m: f"最多只能有 {m[1]} 项"),
        (r"^Expected `array` of length (\d+) to (\d+).*$", lambda m: f"应有 {m[1]} 到 {m[2]} 项"),
        (r"^Expected `array` of length (\d+)(?:, got \d+)?$", lambda m: f"应有 {m[1]} 项"),
        (
            r"^Expected `(?:int|float|decimal)` (>=|<=|>|<) (-?[\d.e+]+)$",
            lambda m: f"{_BOUNDS[m[1]]} {m[2]}",
        ),
        (r"^Expected `int` that's a multiple of (\d+)$", lambda m: f"须为 {m[1]} 的倍数"),
        (r"^Expected `str` matching regex .*$", lambda m: "格式不正确"),
        (
            r"^Expected `([\w |]+)`, got `([\w |]+)`$",
            lambda m: f"应为{_type(m[1])}，不能是{_type(m[2])}",
        ),
        (r"^Expected `([\w |]+)`$", lambda m: f"应为{_type(m[1])}"),
        (
            r"^Expected `\w+` with a timezone component$",
            lambda m: "时间须带时区，如 2026-03-07T01:00:00Z 或 2026-03-07T09:00:00+08:00",
        ),
        (r"^Expected `\w+` with no timezone component$", lambda m: "时间不能带时区"),
        (r"^Object missing required field `(.+)`$", lambda m: f"缺少必填字段 {m[1]}"),
        (r"^Object contains unknown field `(.+)`$", lambda m: f"本接口不接受字段 {m[1]}"),
        (r"^Invalid enum value (.+)$", lambda m: f"{m[1]} 不是可选的值"),
        (r"^Invalid value (.+)$", lambda m: f"{m[1]} 不是可选的值"),
        (r"^Invalid UUID(?: bytes)?$", lambda m: "不是有效的编号（UUID）"),
        (
            r"^Invalid RFC3339 encoded datetime$",
            lambda m: "不是有效的时间，应如 2026-03-07T01:00:00Z",
        ),
        (r"^Invalid RFC3339 encoded date$", lambda m: "不是有效的日期，应如 2004-05-04"),
        (r"^Invalid RFC3339 encoded time$", lambda m: "不是有效的时刻，应如 09:00:00"),
        (r"^Invalid ISO8601 duration$", lambda m: "不是有效的时长"),
        (r"^Invalid epoch timestamp$", lambda m: "不是有效的时间戳"),
        (r"^Invalid base64 encoded string$", lambda m: "不是有效的 base64 内容"),
        (r"^Invalid decimal string$", lambda m: "不是有效的数字"),
        (r"^Integer value out of range$", lambda m: "整数超出范围"),
        (
            r"^Missing required (\w+) parameter '([^']+)'.*$",
            lambda m: f"缺少必填的{_PLACES.get(m[1], '参数')} {m[2]}",
        ),
        (r"^the body is not valid JSON.*$", lambda m: "请求内容不是有效的 JSON"),
        (r"^the body is nested too deeply$", lambda m: "请求内容嵌套层数过多"),
        (
            r"^the key appears more than once in one object$",
            lambda m: "同一对象中该字段出现了不止一次",
        ),
        (
            r"^the body has a field this request does not take$",
            lambda m: "本接口不接受该字段",
        ),
    )
)


def field_message(message: str, language: str) -> str:
    """``message`` in ``language`` ("zh-CN" or "en")."""
    if language == "en":
        return message
    text = message.strip()
    for pattern, say in _RULES:
        found = pattern.match(text)
        if found:
            return say(found)
    return f"该值不符合要求（{text}）" if text else "该值不符合要求"
