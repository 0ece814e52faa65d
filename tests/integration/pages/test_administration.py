"""The administration screen (管理后台) as an administrator uses it: walking the org tree,
adding a unit and a youth center, giving someone a role (a new account, or the role
added to the account a number already has), finding, disabling, enabling accounts and
taking a role away. A refused form says why in Chinese, keeps what was typed, and
writes nothing; anyone but an administrator finds the missing page."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from httpx import Response

from grassroots.domain.account import Account, Grant, Role
from grassroots.domain.cadre import Cadre, CadreKind
from grassroots.domain.center import Center
from grassroots.domain.grassroots_point import GrassrootsPoint
from grassroots.domain.org_unit import OrgUnit
from tests.integration.builders import CENTER_PLACE, register_volunteer
from tests.integration.pages.conftest import Site

ADMIN_PHONE = "13900000009"


def _settle(site: Site) -> None:
    """The read models have every event written so far (written here, not by the
    caller: a caller's reads wait only for the caller's own writes)."""
    read_side = site.client.app.state.read_side
    assert read_side.wait_for(read_side.log.last_position(), timeout=5)


@pytest.fixture
def admin(site: Site) -> Site:
    site.account(ADMIN_PHONE, Grant(Role.ADMINISTRATOR), name="赵管理")
    site.log_in(ADMIN_PHONE)
    _settle(site)
    return site


def _post(site: Site, path: str, form_page: str, **fields: str) -> Response:
    data = {**fields, "_csrf_token": site.csrf_token(form_page)}
    return site.client.post(path, data=data, follow_redirects=False)


def _followed(site: Site, answer: Response) -> Response:
    assert answer.status_code == 303, answer.text
    return site.client.get(answer.headers["location"])


def _alert(answer: Response) -> str:
    """What the refused form says, in its alert."""
    found = re.search(r'<p class="error" role="alert">([^<]*)</p>', answer.text)
    assert found, answer.text
    return found.group(1)


def _events(site: Site) -> int:
    return site.app.recorder.max_notification_id() or 0


def _account_id(location: str) -> UUID:
    found = re.search(r"/admin/accounts/([0-9a-f-]{36})", location)
    assert found, location
    return UUID(found.group(1))


def test_only_an_administrator_opens_the_screen(site: Site) -> None:
    logged_out = site.client.get("/admin/", follow_redirects=False)
    staff = site.account("13900000001", Grant(Role.CENTER_STAFF, site.world.center))
    site.log_in(staff)
    as_staff = [site.client.get(p) for p in ("/admin/", "/admin/accounts")]
    home = site.client.get("/")

    assert logged_out.status_code == 303
    assert logged_out.headers["location"] == "/login?next=%2Fadmin"
    assert [a.status_code for a in as_staff] == [404, 404]
    assert "管理后台" not in home.text


def test_an_administrator_walks_the_tree_from_the_first_screen(admin: Site) -> None:
    world = admin.world
    home = admin.client.get("/")
    screen = admin.client.get("/admin/")
    region = admin.client.get(f"/admin/units/{world.region}")
    village = admin.client.get(f"/admin/units/{world.village}")

    assert 'href="/admin/"' in home.text
    assert "管理后台" in home.text
    assert screen.status_code == 200
    assert f'href="/admin/units/{world.region}"' in screen.text
    assert "内蒙古自治区" in screen.text
    assert f'href="/admin/units/{world.city}"' in region.text
    assert "添加下级单位（市）" in region.text
    # A village: its place above in the crumbs, its center, and no level below it.
    assert f'href="/admin/units/{world.township}"' in village.text
    assert "东风社区青年之家" in village.text
    assert "村社区是最低一级" in village.text
    assert "添加下级单位" not in village.text


def test_a_unit_is_added_one_level_down(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.township}"

    added = _followed(admin, _post(admin, f"{page}/units", page, name="新华社区"))

    assert "下级单位已添加" in added.text
    assert "新华社区" in added.text
    units = [u for u in _children(admin, world.township) if u.name == "新华社区"]
    assert len(units) == 1
    assert units[0].level == "village"


def _children(site: Site, parent: UUID) -> list[OrgUnit]:
    found = []
    for notification in site.app.recorder.select_notifications(1, 100_000):
        if notification.topic.endswith("OrgUnit.Created"):
            unit = site.app.get(OrgUnit, notification.originator_id)
            if unit.parent_id == parent:
                found.append(unit)
    return found


def test_a_youth_center_is_registered_with_its_place(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.village}"

    registered = _followed(
        admin,
        _post(
            admin,
            f"{page}/centers",
            page,
            name="东风社区第二青年之家",
            address="呼和浩特市新城区东风路 9 号",
            lat="40.8431",
            lon="111.7503",
            radius="200",
        ),
    )

    assert "青年之家已登记" in registered.text
    assert "东风社区第二青年之家" in registered.text
    assert "呼和浩特市新城区东风路 9 号" in registered.text
    # The new center is one a role can be given at.
    assert "青年之家工作人员：东风社区第二青年之家" in registered.text


def test_a_center_with_an_impossible_place_is_refused_in_chinese_and_nothing_is_written(
    admin: Site,
) -> None:
    page = f"/admin/units/{admin.world.village}"
    before = _events(admin)

    refused = _post(
        admin,
        f"{page}/centers",
        page,
        name="北极青年之家",
        address="北极点",
        lat="91",
        lon="0",
    )

    assert refused.status_code == 400
    assert _alert(refused).startswith("位置（经纬度）：")
    assert "不能大于 90" in _alert(refused)
    # What was typed is shown again, the form open.
    assert 'value="北极青年之家"' in refused.text
    assert _events(admin) == before


def test_a_new_number_gets_an_account_with_the_role_and_can_open_the_desk(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.village}"

    answer = _post(
        admin,
        f"{page}/accounts",
        page,
        role=f"center_staff:{world.center}",
        phone="13900000002",
        name="张老师",
        password="first password 1",
    )
    account_id = _account_id(answer.headers["location"])
    shown = _followed(admin, answer)
    unit = admin.client.get(page)

    assert "账号已开设" in shown.text
    assert "青年之家工作人员：东风社区青年之家" in shown.text
    assert "13900000002" in shown.text
    account = admin.app.get(Account, account_id)
    assert account.name == "张老师"
    assert account.grants == {Grant(Role.CENTER_STAFF, world.center)}
    assert "张老师" in unit.text
    assert "139****0002" in unit.text
    # The person logs in with the first password and finds their center's desk.
    admin.client.post("/logout", data={"_csrf_token": admin.csrf_token("/")})
    admin.log_in("13900000002", password="first password 1")
    desk = admin.client.get("/desk/", follow_redirects=True)
    assert "东风社区青年之家" in desk.text


def test_a_known_number_gets_the_role_added_and_keeps_its_name_and_password(admin: Site) -> None:
    world = admin.world
    volunteer_id = register_volunteer(admin.app, world, phone="13900000003")
    admin.account("13900000003", Grant(Role.VOLUNTEER, volunteer_id), name="王小明")
    page = f"/admin/units/{world.village}"

    answer = _post(
        admin,
        f"{page}/accounts",
        page,
        role=f"supervisor:{world.village}",
        phone="13900000003",
        name="另一个名字",
        password="ignored password 9",
    )
    shown = _followed(admin, answer)

    assert "该手机号已有账号，已为其添加身份" in shown.text
    account = admin.app.get(Account, _account_id(answer.headers["location"]))
    assert account.name == "王小明"
    assert account.grants == {
        Grant(Role.VOLUNTEER, volunteer_id),
        Grant(Role.SUPERVISOR, world.village),
    }
    assert "志愿者：王小明" in shown.text
    assert "上级督导：东风社区" in shown.text


def test_a_role_the_unit_does_not_offer_is_refused_and_nothing_is_written(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.village}"
    before = _events(admin)

    # The county's supervisor, asked for on the village's page (a forged choice).
    foreign = _post(
        admin,
        f"{page}/accounts",
        page,
        role=f"supervisor:{world.county}",
        phone="13900000004",
        name="李部长",
        password="first password 1",
    )
    unchosen = _post(admin, f"{page}/accounts", page, phone="13900000004", name="李部长")

    assert foreign.status_code == 400
    assert _alert(foreign) == "请选择要添加的身份。"
    assert 'value="13900000004"' in foreign.text
    assert unchosen.status_code == 400
    assert _events(admin) == before


def test_another_administrator_is_added_from_the_region_and_opens_the_screen(
    admin: Site,
) -> None:
    world = admin.world
    page = f"/admin/units/{world.region}"
    region = admin.client.get(page)

    answer = _post(
        admin,
        f"{page}/accounts",
        page,
        role="administrator:",
        phone="13900000006",
        name="钱管理",
        password="first password 1",
    )
    shown = _followed(admin, answer)

    assert "添加工作人员、督导或管理员" in region.text
    assert '<option value="administrator:">管理员（全部组织）</option>' in region.text
    assert "账号已开设" in shown.text
    account = admin.app.get(Account, _account_id(answer.headers["location"]))
    assert account.name == "钱管理"
    assert account.grants == {Grant(Role.ADMINISTRATOR)}
    admin.client.post("/logout", data={"_csrf_token": admin.csrf_token("/")})
    admin.log_in("13900000006", password="first password 1")
    assert admin.client.get(f"/admin/units/{world.city}").status_code == 200


def test_an_administrator_is_offered_on_no_page_below_the_region(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.county}"
    county = admin.client.get(page)
    before = _events(admin)

    forged = _post(
        admin,
        f"{page}/accounts",
        page,
        role="administrator:",
        phone="13900000007",
        name="孙某",
        password="first password 1",
    )

    assert "administrator:" not in county.text
    assert "添加工作人员或督导" in county.text
    assert forged.status_code == 400
    assert _alert(forged) == "请选择要添加的身份。"
    assert _events(admin) == before


def test_a_short_first_password_is_refused_in_chinese(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.village}"
    before = _events(admin)

    refused = _post(
        admin,
        f"{page}/accounts",
        page,
        role=f"supervisor:{world.village}",
        phone="13900000005",
        name="李部长",
        password="short",
    )

    assert refused.status_code == 400
    assert _alert(refused).startswith("初始密码（至少 8 位）：")
    assert 'value="李部长"' in refused.text
    assert _events(admin) == before


def test_accounts_are_listed_masked_and_found_by_number(admin: Site) -> None:
    world = admin.world
    admin.account("13900000006", Grant(Role.CENTER_STAFF, world.center), name="张老师")
    _settle(admin)

    listed = admin.client.get("/admin/accounts")
    found = admin.client.get("/admin/accounts?phone=13900000006", follow_redirects=False)
    missing = admin.client.get("/admin/accounts?phone=13900000099")

    assert "张老师" in listed.text
    assert "139****0006" in listed.text
    assert "13900000006" not in listed.text
    assert "青年之家工作人员：东风社区青年之家" in listed.text
    assert found.status_code == 303
    assert found.headers["location"].startswith("/admin/accounts/")
    assert "没有手机号为 13900000099 的账号" in missing.text


def test_an_account_is_disabled_with_a_reason_and_enabled_again(admin: Site) -> None:
    world = admin.world
    staff_phone = admin.account("13900000007", Grant(Role.CENTER_STAFF, world.center))
    account_id = admin.app.account_with_phone(staff_phone)
    assert account_id is not None
    page = f"/admin/accounts/{account_id}"

    no_reason = _post(admin, f"{page}/disable", page, reason="  ")
    disabled = _followed(admin, _post(admin, f"{page}/disable", page, reason="调离岗位"))
    while_disabled = admin.app.get(Account, account_id)
    enabled = _followed(admin, _post(admin, f"{page}/enable", page))

    assert no_reason.status_code == 422
    assert _alert(no_reason) == "请填写原因"
    assert "账号已停用" in disabled.text
    assert "已停用，原因：调离岗位" in disabled.text
    assert while_disabled.is_disabled
    assert "账号已恢复使用" in enabled.text
    assert not admin.app.get(Account, account_id).is_disabled


def test_a_role_is_taken_away(admin: Site) -> None:
    world = admin.world
    phone = admin.account(
        "13900000008",
        Grant(Role.CENTER_STAFF, world.center),
        Grant(Role.SUPERVISOR, world.village),
    )
    account_id = admin.app.account_with_phone(phone)
    assert account_id is not None
    page = f"/admin/accounts/{account_id}"

    revoked = _followed(
        admin,
        _post(admin, f"{page}/revoke", page, role="center_staff", subject_id=str(world.center)),
    )

    assert "已取消该身份" in revoked.text
    assert admin.app.get(Account, account_id).grants == {Grant(Role.SUPERVISOR, world.village)}


def test_an_administrator_cannot_disable_their_own_account_from_its_page(admin: Site) -> None:
    own = admin.app.account_with_phone(ADMIN_PHONE)

    shown = admin.client.get(f"/admin/accounts/{own}")

    assert "这是您自己的账号" in shown.text
    assert f'action="/admin/accounts/{own}/disable"' not in shown.text
    assert f'action="/admin/accounts/{own}/revoke"' not in shown.text


def test_a_first_region_is_created_and_a_bad_time_zone_refused(admin: Site) -> None:
    before = _events(admin)
    refused = _post(
        admin, "/admin/units", "/admin/", name="新疆维吾尔自治区", time_zone="Mars/Base"
    )
    written = _events(admin)
    created = _followed(
        admin,
        _post(admin, "/admin/units", "/admin/", name="新疆维吾尔自治区", time_zone="Asia/Urumqi"),
    )

    assert 400 <= refused.status_code < 500
    assert _alert(refused) == "未知的时区"
    assert 'value="Mars/Base"' in refused.text
    assert written == before
    assert "顶层单位已建立" in created.text
    assert "新疆维吾尔自治区" in created.text
    assert "自治区/省" in created.text


def test_unknown_records_are_the_missing_page(admin: Site) -> None:
    nobody = "00000000-0000-4000-8000-000000000000"

    answers = [
        admin.client.get(f"/admin/units/{nobody}"),
        admin.client.get(f"/admin/accounts/{nobody}"),
        _post(admin, f"/admin/units/{nobody}/units", "/admin/", name="某地"),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert all("text/html" in a.headers["content-type"] for a in answers)


def test_the_screen_speaks_english_when_asked(admin: Site) -> None:
    shown = admin.client.get(f"/admin/units/{admin.world.village}?lang=en")

    assert "Youth centers" in shown.text
    assert "Add staff or a supervisor" in shown.text
    assert "Youth center staff: 东风社区青年之家" in shown.text
    assert "青年之家工作人员" not in shown.text


def test_points_are_designated_at_a_center_or_at_a_place_of_their_own(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.village}"

    at_center = _followed(
        admin,
        _post(admin, f"{page}/points", page, name="东风社区活动室", center_id=str(world.center)),
    )
    own_place = _followed(
        admin,
        _post(admin, f"{page}/points", page, name="东风牧业合作社", lat="40.9", lon="111.6"),
    )
    _settle(admin)
    county = admin.client.get(f"/admin/units/{world.county}")

    assert "联系点已设立" in at_center.text
    assert "东风社区活动室" in own_place.text
    assert "东风牧业合作社" in own_place.text
    # The county's cadre form offers its villages' points, named with their place.
    assert "海拉尔东路街道 / 东风社区 · 东风牧业合作社" in county.text


def test_a_point_without_a_place_or_at_a_foreign_center_is_refused(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.village}"
    before = _events(admin)

    nowhere = _post(admin, f"{page}/points", page, name="无处联系点")
    foreign = _post(
        admin,
        f"{page}/points",
        page,
        name="别处联系点",
        center_id="00000000-0000-4000-8000-000000000000",
    )

    assert nowhere.status_code == 422
    assert _alert(nowhere) == "请提供位置信息"
    assert 'value="无处联系点"' in nowhere.text
    assert foreign.status_code == 400
    assert _alert(foreign) == "只能选择本单位正在开放的青年之家。"
    assert _events(admin) == before


def _cadre_form(site: Site, unit: UUID, **fields: str | list[str]) -> Response:
    page = f"/admin/units/{unit}"
    data = {**fields, "_csrf_token": site.csrf_token(page)}
    return site.client.post(f"{page}/cadres", data=data, follow_redirects=False)


def test_a_cadre_is_registered_with_a_log_in_and_finds_their_points(admin: Site) -> None:
    world = admin.world

    answer = _cadre_form(
        admin,
        world.county,
        name="刘书记",
        kind="seconded",
        point_ids=[str(world.point)],
        phone="13900000031",
        password="first password 1",
    )
    shown = _followed(admin, answer)
    _settle(admin)
    county = admin.client.get(f"/admin/units/{world.county}")

    assert "账号已开设" in shown.text
    assert "团干部：刘书记" in shown.text
    account = admin.app.get(Account, _account_id(answer.headers["location"]))
    [grant] = account.grants
    assert grant.role is Role.CADRE
    assert admin.app.get(Cadre, grant.subject_id).point_ids == [world.point]
    cadres = county.text.split('class="cadres"')[1]
    assert "刘书记" in cadres
    assert "挂职" in cadres
    assert "海拉尔东路街道 / 东风社区 · 东风社区联系点" in cadres
    # The cadre logs in with the first password and finds their own "8+4" page.
    admin.client.post("/logout", data={"_csrf_token": admin.csrf_token("/")})
    admin.log_in("13900000031", password="first password 1")
    start = admin.client.get("/cadre/", follow_redirects=True)
    assert "本周“8+4”" in start.text
    assert "没有团干部档案" not in start.text


def test_a_known_number_becomes_a_cadre_as_well(admin: Site) -> None:
    world = admin.world
    volunteer_id = register_volunteer(admin.app, world, phone="13900000032")
    admin.account("13900000032", Grant(Role.VOLUNTEER, volunteer_id), name="王小明")

    answer = _cadre_form(admin, world.village, name="王小明", kind="part_time", phone="13900000032")
    shown = _followed(admin, answer)

    assert "该手机号已有账号，已为其添加身份" in shown.text
    roles = {g.role for g in admin.app.get(Account, _account_id(answer.headers["location"])).grants}
    assert roles == {Role.VOLUNTEER, Role.CADRE}


def test_a_refused_cadre_form_writes_neither_cadre_nor_account(admin: Site) -> None:
    world = admin.world
    before = _events(admin)
    typed = {"name": "刘书记", "phone": "13900000033", "password": "first password 1"}

    no_kind = _cadre_form(admin, world.county, **typed)
    bad_kind = _cadre_form(admin, world.county, kind="boss", **typed)
    foreign_point = _cadre_form(
        admin,
        world.county,
        kind="full_time",
        point_ids=["00000000-0000-4000-8000-000000000000"],
        **typed,
    )
    short_password = _cadre_form(
        admin, world.county, kind="full_time", **{**typed, "password": "short"}
    )

    assert no_kind.status_code == 400
    assert _alert(no_kind) == "请选择团干部类别。"
    assert bad_kind.status_code == 400
    assert _alert(bad_kind).startswith("类别：")
    assert foreign_point.status_code == 400
    assert _alert(foreign_point) == "只能选择本单位正在使用的联系点。"
    assert short_password.status_code == 400
    assert _alert(short_password).startswith("初始密码（至少 8 位）：")
    assert 'value="刘书记"' in short_password.text
    assert _events(admin) == before
    assert admin.app.account_with_phone("13900000033") is None


def test_a_center_is_closed_with_a_reason_and_a_point_retired(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.village}"
    before = _events(admin)

    no_reason = _post(admin, f"{page}/centers/{world.center}/close", page, reason=" ")
    unchanged = _events(admin)
    closed = _followed(
        admin, _post(admin, f"{page}/centers/{world.center}/close", page, reason="场地收回")
    )
    retired = _followed(
        admin, _post(admin, f"{page}/points/{world.point}/retire", page, reason="并入新址")
    )
    _settle(admin)
    shown = admin.client.get(page)

    assert no_reason.status_code == 400
    assert _alert(no_reason).startswith("原因：")
    assert unchanged == before
    assert "青年之家已关闭" in closed.text
    assert "联系点已撤销" in retired.text
    assert admin.app.get(Center, world.center).is_closed
    assert admin.app.get(GrassrootsPoint, world.point).is_retired
    # Closed and retired, they offer no second closing, and no role at the center.
    assert f"/centers/{world.center}/close" not in shown.text
    assert f"/points/{world.point}/retire" not in shown.text
    assert f"center_staff:{world.center}" not in shown.text


def test_a_unit_is_renamed_from_its_page_and_its_crumbs_and_lists_follow(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.village}"
    before = _events(admin)

    blank = _post(admin, f"{page}/name", page, name=" ")
    unchanged = _events(admin)
    renamed = _followed(admin, _post(admin, f"{page}/name", page, name="新华社区"))
    township = admin.client.get(f"/admin/units/{world.township}")

    assert blank.status_code == 400
    assert _alert(blank).startswith("名称")
    assert unchanged == before
    assert "单位名称已修改" in renamed.text
    assert "<h1>新华社区 " in renamed.text
    assert 'id="rename-name" name="name" type="text" maxlength="200" required value="新华社区"' in (
        renamed.text
    )
    assert "新华社区" in township.text
    assert "东风社区<" not in township.text
    assert admin.app.get(OrgUnit, world.village).name == "新华社区"


def test_a_centers_details_are_changed_from_its_row_filled_with_what_is_there(
    admin: Site,
) -> None:
    world = admin.world
    page = f"/admin/units/{world.village}"
    action = f"{page}/centers/{world.center}"
    form = f"center:{world.center}"
    shown = admin.client.get(page)
    before = _events(admin)

    too_small = _post(
        admin,
        action,
        page,
        name="东风社区青年之家",
        address="新华大街 8 号",
        lat="40.85",
        lon="111.75",
        radius="1",
    )
    unchanged = _events(admin)
    changed = _followed(
        admin,
        _post(
            admin,
            action,
            page,
            name="东风社区青年之家（新址）",
            address="新华大街 8 号",
            lat="40.85",
            lon="111.75",
            radius="200",
        ),
    )

    # The row's form holds what is there now.
    assert f'id="{form}-address"' in shown.text
    assert f'value="{CENTER_PLACE.lat}"' in shown.text
    assert too_small.status_code == 400
    assert _alert(too_small).startswith("签到范围")
    assert f'id="{form}-radius" name="radius"' in too_small.text
    assert 'value="1"' in too_small.text
    assert unchanged == before
    assert "青年之家信息已修改" in changed.text
    center = admin.app.get(Center, world.center)
    assert (center.name, center.address) == ("东风社区青年之家（新址）", "新华大街 8 号")
    assert (center.location.lat, center.location.lon, center.geofence_radius_m) == (
        40.85,
        111.75,
        200,
    )


def test_a_point_is_moved_and_keeps_its_radius_when_none_is_given(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.village}"
    radius = admin.app.get(GrassrootsPoint, world.point).geofence_radius_m
    before = _events(admin)

    no_place = _post(admin, f"{page}/points/{world.point}/place", page, lat="", lon="")
    unchanged = _events(admin)
    moved = _followed(
        admin, _post(admin, f"{page}/points/{world.point}/place", page, lat="40.9", lon="111.8")
    )
    admin.app.retire_point(world.point, reason="并入新址")
    _settle(admin)
    retired = _post(admin, f"{page}/points/{world.point}/place", page, lat="40.8", lon="111.7")

    assert no_place.status_code == 400
    assert unchanged == before
    assert "联系点已移动" in moved.text
    point = admin.app.get(GrassrootsPoint, world.point)
    assert (point.location.lat, point.location.lon) == (40.9, 111.8)
    assert point.geofence_radius_m == radius
    # A retired point's row offers no move, and a forged one finds the missing page.
    assert retired.status_code == 404
    assert (point.location.lat, point.location.lon) == (40.9, 111.8)


def test_a_record_of_another_unit_is_not_closed_from_this_one(admin: Site) -> None:
    world = admin.world
    page = f"/admin/units/{world.township}"
    before = _events(admin)

    elsewhere = _post(admin, f"{page}/centers/{world.center}/close", page, reason="场地收回")
    point = _post(admin, f"{page}/points/{world.point}/retire", page, reason="并入新址")

    assert [elsewhere.status_code, point.status_code] == [404, 404]
    assert _events(admin) == before


def test_a_cadres_points_are_changed_and_points_given_elsewhere_kept(admin: Site) -> None:
    world = admin.world
    here = admin.app.designate_point(
        name="东风牧业合作社", org_unit_id=world.village, location=CENTER_PLACE
    )
    # A point outside the county, given through the API: this page neither shows nor drops it.
    region_point = admin.app.designate_point(
        name="自治区团委联系点", org_unit_id=world.region, location=CENTER_PLACE
    )
    cadre_id = admin.app.register_cadre(
        name="李书记",
        kind=CadreKind.FULL_TIME,
        org_unit_id=world.county,
        point_ids=[world.point, region_point],
    )
    _settle(admin)
    page = f"/admin/units/{world.county}"
    path = f"{page}/cadres/{cadre_id}/points"

    changed = _followed(
        admin,
        admin.client.post(
            path,
            data={"point_ids": [str(here)], "_csrf_token": admin.csrf_token(page)},
            follow_redirects=False,
        ),
    )
    foreign = admin.client.post(
        path,
        data={"point_ids": [str(region_point)], "_csrf_token": admin.csrf_token(page)},
    )

    assert "团干部的联系点已调整" in changed.text
    assert set(admin.app.get(Cadre, cadre_id).point_ids) == {here, region_point}
    assert foreign.status_code == 400
    assert _alert(foreign) == "只能选择本单位正在使用的联系点。"
