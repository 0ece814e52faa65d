"""A newcomer finds registration, a volunteer finds the scanner, and only those
who run the server are shown where its API is."""

from __future__ import annotations

import re

from grassroots.domain.account import Grant, Role
from tests.integration.pages.conftest import Site


def test_a_newcomer_finds_registration_from_the_first_screen_and_the_log_in(site: Site) -> None:
    first = site.client.get("/").text
    log_in = site.client.get("/login?next=/m/hours").text

    assert 'href="/register"' in first
    assert "注册成为志愿者" in first
    # From the log-in, registering goes on to where the person was going.
    assert 'href="/register?next=/m/hours"' in log_in
    assert site.client.get("/register?next=/m/hours").status_code == 200


def test_the_volunteers_home_leads_to_the_in_app_scanner(site: Site, volunteer: str) -> None:
    site.log_in(volunteer)

    home = site.client.get("/m/").text

    assert 'href="/scan"' in home
    assert "扫码签到" in home
    assert site.client.get("/scan").status_code == 200


def test_the_apis_address_is_shown_to_visitors_and_administrators_not_to_volunteers(
    site: Site, volunteer: str
) -> None:
    assert 'href="/schema"' in site.client.get("/").text
    site.log_in(volunteer)
    assert 'href="/schema"' not in site.client.get("/").text
    site.client.post("/logout", data={"_csrf_token": site.csrf_token("/")})
    site.log_in(site.account("13900000000", Grant(Role.ADMINISTRATOR), name="管理员"))
    assert 'href="/schema"' in site.client.get("/").text


def test_a_number_too_short_to_be_a_mobile_is_told_so_not_that_a_field_is_empty(
    site: Site,
) -> None:
    def log_in(phone: str, password: str) -> str:
        answer = site.client.post(
            "/login",
            data={"phone": phone, "password": password, "_csrf_token": site.csrf_token("/login")},
        )
        assert answer.status_code == 400
        return answer.text

    assert "手机号应为 11 位数字" in log_in("123", "some password")
    assert "请填写手机号和密码" in log_in("13800138000", "")
    assert "请填写手机号和密码" in log_in("", "some password")


def test_a_refused_registration_names_the_field_and_what_it_needs(site: Site) -> None:
    good = {
        "name": "李新人",
        "phone": "13900001111",
        "password": "a long enough password",
        "birth_date": "2003-04-05",
        "org_unit_id": str(site.world.village),
    }

    def register(**changed: str) -> str:
        answer = site.client.post(
            "/register",
            data={**good, **changed, "_csrf_token": site.csrf_token("/register")},
        )
        assert answer.status_code == 400, answer.status_code
        return answer.text

    assert "请填写姓名" in register(name="   ")
    assert "手机号应为 11 位数字" in register(phone="1390000")
    assert "密码至少 8 位" in register(password="short")
    assert "请填写真实的出生日期" in register(birth_date="2999-01-01")
    assert "请选择所在社区" in register(org_unit_id="")
    assert "注册并登录" in register(org_unit_id="")  # the form again, to put right


def test_a_missing_page_still_offers_a_logged_in_person_to_log_out(
    site: Site, volunteer: str
) -> None:
    site.log_in(volunteer)

    missing = site.client.get("/desk/")  # a screen that is not a volunteer's: 404

    assert missing.status_code == 404
    assert 'action="/logout"' in missing.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', missing.text)
    assert token
    out = site.client.post("/logout", data={"_csrf_token": token.group(1)}, follow_redirects=False)
    assert out.status_code == 303
    assert site.client.get("/m/", follow_redirects=False).status_code == 303  # to log in


def test_an_address_no_route_serves_answers_a_browser_with_the_missing_page(
    site: Site, volunteer: str
) -> None:
    html_please = {"Accept": "text/html,application/xhtml+xml"}
    logged_out = site.client.get("/nowhere-here", headers=html_please)
    site.log_in(volunteer)
    logged_in = site.client.get("/nowhere-here", headers=html_please)
    api = site.client.get("/api/v1/nothing-here", headers=html_please)
    client = site.client.get("/nowhere-here")  # no HTML asked for: a client of the API

    assert (logged_out.status_code, logged_in.status_code) == (404, 404)
    assert "页面不存在" in logged_out.text
    assert "页面不存在" in logged_in.text
    # No form token outside every route: no log-out form that would only be refused.
    assert 'action="/logout"' not in logged_in.text
    assert api.headers["content-type"].startswith("application/problem+json")
    assert client.headers["content-type"].startswith("application/problem+json")
