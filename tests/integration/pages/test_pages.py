"""The pages through the whole app: first screen, log-in and log-out, role screens, forms."""

from __future__ import annotations

import html
import re
import uuid
from urllib.parse import parse_qsl, urlsplit

from litestar.routes import HTTPRoute

from grassroots.api.auth import load_caller
from grassroots.domain.account import Grant, Role
from tests.integration.pages.conftest import PASSWORD, Site

SESSION_COOKIE = "__Host-grassroots_session"


def _events(site: Site) -> int:
    return site.app.recorder.max_notification_id() or 0


def test_the_first_screen_is_in_chinese_and_links_to_the_api_reference(site: Site) -> None:
    page = site.client.get("/")

    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "青年志愿服务与基层工作平台" in page.text
    assert 'href="/schema"' in page.text
    assert 'href="/health"' in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_first_screen_switches_to_english_and_remembers_it(site: Site) -> None:
    english = site.client.get("/?lang=en")
    again = site.client.get("/")
    back = site.client.get("/?lang=zh")

    assert '<html lang="en">' in english.text
    assert "Youth volunteering and grassroots work" in english.text
    assert '<html lang="en">' in again.text
    assert '<html lang="zh-CN">' in back.text


def test_a_volunteer_logs_in_and_the_first_screen_names_them_and_their_screen(
    site: Site, volunteer: str
) -> None:
    site.log_in(volunteer)
    page = site.client.get("/")

    assert "您好，王小明" in page.text
    assert "志愿者" in page.text
    assert 'href="/m/"' in page.text
    assert 'href="/desk/"' not in page.text


def test_the_session_cookie_is_secure_http_only_and_same_site(site: Site, volunteer: str) -> None:
    answer = site.client.post(
        "/login",
        data={"phone": volunteer, "password": PASSWORD, "_csrf_token": site.csrf_token()},
        follow_redirects=False,
    )

    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie


def test_the_page_session_is_the_applications_session_and_log_out_ends_it(
    site: Site, volunteer: str
) -> None:
    site.log_in(volunteer)
    account_id, session_id = _cookie_ids(site)
    assert load_caller(site.app, account_id, session_id) is not None

    answer = site.client.post(
        "/logout", data={"_csrf_token": site.csrf_token("/")}, follow_redirects=False
    )

    assert answer.status_code == 303
    assert load_caller(site.app, account_id, session_id) is None
    assert "您好" not in site.client.get("/").text


def test_a_wrong_password_is_refused_with_a_sentence_and_no_session(
    site: Site, volunteer: str
) -> None:
    answer = site.client.post(
        "/login",
        data={"phone": volunteer, "password": "wrong password", "_csrf_token": site.csrf_token()},
    )

    assert answer.status_code == 401
    assert "手机号或密码不正确" in answer.text
    assert SESSION_COOKIE not in site.client.cookies


def test_log_in_goes_on_to_the_page_asked_for_but_never_to_another_site(
    site: Site, volunteer: str
) -> None:
    def landing(next_path: str) -> str:
        answer = site.client.post(
            "/login",
            data={
                "phone": volunteer,
                "password": PASSWORD,
                "next": next_path,
                "_csrf_token": site.csrf_token(),
            },
            follow_redirects=False,
        )
        return str(answer.headers["location"])

    assert landing("/m/") == "/m/"
    assert landing("//evil.example/") == "/"
    assert landing("https://evil.example/") == "/"


def test_a_logged_out_visitor_is_sent_to_log_in_for_a_role_screen(site: Site) -> None:
    answer = site.client.get("/m/", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/m/"


def test_a_role_screen_answers_like_a_missing_page_for_a_caller_without_the_role(
    site: Site, volunteer: str
) -> None:
    site.log_in(volunteer)

    own = site.client.get("/m/")
    others = {path: site.client.get(path) for path in ("/desk/", "/cadre/", "/dispatch/")}

    assert own.status_code == 200
    assert "王小明" in own.text
    assert "志愿者" in own.text
    for path, answer in others.items():
        assert answer.status_code == 404, path
        assert "页面不存在" in answer.text
        assert "王小明" not in answer.text


def test_a_cadre_opens_the_cadre_screen_and_not_the_volunteers(site: Site, cadre: str) -> None:
    site.log_in(cadre)

    assert site.client.get("/cadre/").status_code == 200
    assert site.client.get("/m/").status_code == 404


def test_an_administrator_opens_every_role_screen(site: Site) -> None:
    site.log_in(site.account("13900000000", Grant(Role.ADMINISTRATOR), name="管理员"))

    for path in ("/m/", "/desk/", "/cadre/", "/dispatch/"):
        assert site.client.get(path).status_code == 200, path


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_written(
    site: Site, volunteer: str
) -> None:
    before = _events(site)

    answer = site.client.post("/login", data={"phone": volunteer, "password": PASSWORD})

    assert answer.status_code == 403
    assert SESSION_COOKIE not in site.client.cookies
    assert _events(site) == before


def test_log_out_without_the_csrf_token_is_refused_and_the_session_holds(
    site: Site, volunteer: str
) -> None:
    site.log_in(volunteer)
    before = _events(site)

    refused = site.client.post("/logout", data={"_csrf_token": "forged"})

    assert refused.status_code == 403
    assert _events(site) == before
    assert "您好，王小明" in site.client.get("/").text


def test_the_api_still_takes_bearer_tokens_without_a_csrf_token(site: Site, volunteer: str) -> None:
    answer = site.client.post("/api/v1/sessions", json={"phone": volunteer, "password": PASSWORD})

    assert answer.status_code == 201


def test_the_volunteer_app_can_be_added_to_the_home_screen_and_opens_offline(site: Site) -> None:
    manifest = site.client.get("/manifest.webmanifest")
    worker = site.client.get("/sw.js")
    offline = site.client.get("/m/offline")

    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["name"] == "青年志愿"
    assert body["scope"] == "/m/"
    for icon in body["icons"]:
        image = site.client.get(icon["src"])
        assert image.status_code == 200
        assert image.content.startswith(b"\x89PNG")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert '"/m/offline"' in worker.text
    assert "没有网络连接" in offline.text
    assert "No connection" in offline.text


def test_every_asset_the_first_screen_loads_is_served_here(site: Site) -> None:
    import re

    page = site.client.get("/").text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)

    assert assets
    for asset in assets:
        assert site.client.get(asset).status_code == 200, asset


def _cookie_ids(site: Site) -> tuple[object, object]:
    from uuid import UUID

    account, session, _ = site.client.cookies[SESSION_COOKIE].split(".")
    return UUID(hex=account), UUID(hex=session)


def test_every_vendored_script_is_served_here_and_kept_long(site: Site) -> None:
    from grassroots.pages.vendor import vendored_scripts

    for url in vendored_scripts().values():
        answer = site.client.get(url)
        assert answer.status_code == 200, url
        assert "max-age=2592000" in answer.headers["cache-control"]


def test_the_first_screen_of_a_real_store_offers_no_demo_accounts(site: Site) -> None:
    page = site.client.get("/").text

    assert "演示" not in page
    assert "/login?phone=" not in page


def test_the_log_in_form_fills_in_a_number_it_is_linked_with_and_nothing_else(
    site: Site,
) -> None:
    assert 'value="19900000006"' in site.client.get("/login?phone=19900000006").text
    assert "<script>" not in site.client.get("/login?phone=<script>").text


def _an_address(route_path: str) -> str:
    """A concrete address of a route path: each parameter filled with some value."""
    return re.sub(
        r"\{(\w+):(\w+)\}",
        lambda m: (
            str(uuid.uuid4()) if m.group(2) == "uuid" else "1" if m.group(2) == "int" else "X"
        ),
        route_path,
    )


def test_a_get_on_any_page_path_that_takes_a_form_never_answers_405_in_json(
    site: Site, volunteer: str
) -> None:
    # After a refused form the address bar names the POST address: the language
    # switch, a reload or a bookmark asks for it with GET.
    site.log_in(volunteer)
    route_of = {
        route.path: route
        for route in site.client.app.routes
        if isinstance(route, HTTPRoute)
        and "POST" in route.methods
        and not route.path.startswith("/api/")
    }
    posted = sorted(route_of)
    assert "/desk/activities/{activity_id:uuid}/cancel" in posted
    assert "/m/activities/{activity_id:uuid}/sign-up" in posted

    for path in posted:
        answer = site.client.get(_an_address(path) + "?lang=en", follow_redirects=False)
        assert answer.status_code != 405, path
        assert "json" not in answer.headers.get("content-type", ""), path
        twin = route_of[path].route_handler_map["GET"][0].fn.__module__.endswith("action_addresses")
        if twin:
            # A path that takes only the form leads to a page, in the language asked for.
            assert answer.status_code == 303, path
            assert answer.headers["location"].split("#")[0].endswith("?lang=en"), path


def test_a_get_on_a_form_address_leads_to_the_page_above_it(site: Site, volunteer: str) -> None:
    site.log_in(volunteer)
    post = uuid.uuid4()

    liked = site.client.get(f"/share/{post}/like", follow_redirects=False)
    logged_out = site.client.get("/logout?lang=en", follow_redirects=False)

    assert liked.status_code == 303
    assert liked.headers["location"] == f"/share/{post}"
    assert logged_out.status_code == 303
    assert logged_out.headers["location"] == "/?lang=en"
    # Nothing was done: still logged in.
    assert "王小明" in site.client.get("/").text


def test_the_language_switch_keeps_what_the_page_was_asked_for(site: Site) -> None:
    page = site.client.get("/login?next=/m/&phone=13800000001").text

    found = re.search(r'<a href="(/login\?[^"]*)" lang="en"', page)
    assert found, "no language switch"
    link = urlsplit(html.unescape(found.group(1)))
    assert sorted(parse_qsl(link.query)) == [
        ("lang", "en"),
        ("next", "/m/"),
        ("phone", "13800000001"),
    ]
