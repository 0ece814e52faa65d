"""The words catalogue: every sentence in both languages, every key a template uses present."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from grassroots.pages.words import WORDS, language_from, translator

# The switch names the language it switches to, in that language.
NAMES_OF_THE_OTHER_LANGUAGE = {"app.switch_language"}
TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "grassroots" / "pages" / "templates"


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_sentence_is_written_in_chinese_and_english_with_the_same_fields(key: str) -> None:
    zh, en = WORDS[key]

    assert zh.strip()
    assert en.strip()
    if key not in NAMES_OF_THE_OTHER_LANGUAGE:
        # Ideographs, or Chinese punctuation alone ("{role}：{place}").
        assert re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", zh), (
            f"{key}: the Chinese is not Chinese"
        )
    assert _fields(zh) == _fields(en)


def test_every_key_a_template_names_is_in_the_catalogue() -> None:
    named: set[str] = set()
    for template in TEMPLATES.rglob("*.html"):
        named |= set(re.findall(r"""\b(?:t|zh|en)\(\s*"([a-z_.]+)"\s*[,)]""", template.read_text()))

    assert named, "the templates name no words at all"
    assert named - set(WORDS) == set()


def test_the_language_is_chinese_unless_english_is_asked_for() -> None:
    assert language_from(None, None) == "zh"
    assert language_from("fr", None) == "zh"
    assert language_from(None, "en") == "en"
    assert language_from("zh", "en") == "zh"
    assert language_from("en", None) == "en"


def test_a_sentence_is_filled_in_and_an_unknown_key_is_an_error() -> None:
    assert translator("zh")("home.you_are", name="王小明") == "您好，王小明"
    assert translator("en")("home.you_are", name="Wang") == "Hello, Wang"
    with pytest.raises(KeyError):
        translator("zh")("no.such.key")
