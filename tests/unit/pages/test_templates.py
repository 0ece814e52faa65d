"""Templates render in both languages, mobile-first, with nothing fetched from elsewhere."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import escape as html_escape

from grassroots.api.auth import Caller
from grassroots.domain.account import Grant, Role
from grassroots.pages.screens import SCREENS, Screen, screens_for
from grassroots.pages.words import HTML_LANG, translator

TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "grassroots" / "pages" / "templates"
CALLER = Caller(
    account_id=uuid.uuid4(),
    session_id=uuid.uuid4(),
    name="王小明",
    grants=frozenset({Grant(Role.VOLUNTEER, uuid.uuid4()), Grant(Role.CADRE, uuid.uuid4())}),
)


def render(name: str, language: str, **context: object) -> str:
    # StrictUndefined: a name a template uses and no page gives fails here, not on a phone.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined
    )
    base = {
        "t": translator(language),
        "lang": language,
        "html_lang": HTML_LANG[language],
        "other_lang": "en" if language == "zh" else "zh",
        "switch_language": "/?lang=" + ("en" if language == "zh" else "zh"),
        "caller": None,
        "roles": [],
        "static": "/static/pages",
        "version": "0.0.0",
        "csrf_input": '<input type="hidden" name="_csrf_token" value="x">',
        "hide_log_in": False,
    }
    return env.get_template(name).render(**(base | context))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_first_screen_renders_for_a_visitor_in_each_language(language: str) -> None:
    html = render("home.html", language, screens=[], store="sqlite")

    assert f'<html lang="{HTML_LANG[language]}">' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1' in html
    assert html_escape(translator(language)("home.what")) in html
    assert 'href="/login"' in html


def test_the_first_screen_names_the_caller_and_links_only_their_screens() -> None:
    html = render(
        "home.html",
        "zh",
        caller=CALLER,
        roles=[Role.CADRE, Role.VOLUNTEER],
        screens=screens_for(CALLER),
        store="sqlite",
    )

    assert "您好，王小明" in html
    assert 'href="/m/"' in html
    assert 'href="/cadre/"' in html
    assert 'href="/desk/"' not in html
    assert 'action="/logout"' in html


def test_a_name_is_escaped_not_run() -> None:
    caller = Caller(CALLER.account_id, CALLER.session_id, "<script>x()</script>", CALLER.grants)
    html = render("home.html", "zh", caller=caller, roles=[], screens=[], store="sqlite")

    assert "<script>x()" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("screen", SCREENS, ids=[s.key for s in SCREENS])
def test_each_role_screen_renders_with_the_callers_name_and_role(screen: Screen) -> None:
    html = render(
        f"screens/{screen.key}.html", "en", caller=CALLER, screen=screen, role=screen.role
    )

    assert "王小明" in html
    assert translator("en")("role." + screen.role.value) in html


def test_no_template_loads_anything_from_another_site() -> None:
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"""(src|href)=["'](https?:)?//""", text), template.name
        assert "<script>" not in text, f"{template.name}: inline scripts break the CSP"
