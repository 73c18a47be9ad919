"""The public portal's pages with the Flask test client: submit, look up, rate."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from conftest import VALID_APPEAL, Appellant, Driver
from engine.appeals.models import Appeal
from webapp.extensions import db

NOT_FOUND = "未找到该诉求，请核对诉求编号和查询码。"
PERSONAL = ("enterprise_name", "credit_code", "contact_name", "phone", "content")
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    """A browser-like client without CSRF tokens (``app`` starts with no failures)."""
    app.config["WTF_CSRF_ENABLED"] = False
    yield app.test_client()
    app.config["WTF_CSRF_ENABLED"] = True


def html(response: Any) -> str:
    text: str = response.get_data(as_text=True)
    return text


def field_block(page: str, name: str) -> str:
    """The wrapper of form field ``name``: from its opening div to the next one."""
    match = re.search(
        rf'<div class="field[^"]*">\s*<label for="{name}"[^>]*>.*?'
        r'(?=<div class="field(?:"| has)|</fieldset>|</form>)',
        page,
        re.S,
    )
    assert match, f"no field {name}"
    return match.group(0)


def submit(client: FlaskClient, **changes: str) -> Any:
    """Post the form and follow a redirect to the confirmation page."""
    data = {**VALID_APPEAL, **changes}
    return client.post("/appeals/new", data=data, follow_redirects=True)


def codes_of(page: str) -> Appellant:
    number = re.search(r'id="appeal-number">([^<]+)<', page)
    code = re.search(r'id="query-code">([^<]+)<', page)
    assert number and code
    return Appellant(number.group(1), code.group(1))


def look_up(client: FlaskClient, number: str, code: str, **kw: Any) -> Any:
    return client.post(
        "/appeals/lookup", data={"number": number, "query_code": code}, **kw
    )


# Submission


def test_form_lists_fields_categories_and_csrf_token(app: Flask) -> None:
    page = html(app.test_client().get("/appeals/new"))
    assert 'name="csrf_token"' in page
    for name in (*VALID_APPEAL, "category"):
        assert f'name="{name}"' in page
    assert "统一社会信用代码" in page
    assert '<option value="劳动和社会保障"' in page


def test_bad_submission_shows_each_error_beside_its_field_and_keeps_values(
    client: FlaskClient,
) -> None:
    response = submit(
        client, credit_code="91321100MA1N2K3L4X", phone="123", title="   "
    )
    assert response.status_code == 422
    page = html(response)

    assert "提交的内容有误" in page
    credit = field_block(page, "credit_code")
    assert "has-error" in credit
    assert "统一社会信用代码无效" in credit
    assert 'value="91321100MA1N2K3L4X"' in credit
    assert "has-error" in field_block(page, "phone")
    assert "请填写“诉求标题”" in field_block(page, "title")
    assert "has-error" not in field_block(page, "enterprise_name")

    # Everything typed is still there.
    assert 'value="镇江恒泰精密机械有限公司"' in page
    assert 'value="刘建国"' in page
    assert 'value="123"' in page
    assert re.search(r'value="城乡建设"\s+selected', page)
    assert VALID_APPEAL["content"] in page


def test_category_outside_the_list_is_refused_with_other_errors(
    client: FlaskClient,
) -> None:
    response = submit(client, category="随便写的", contact_name="")
    assert response.status_code == 422
    page = html(response)
    assert "请从列表中选择“诉求类别”" in page
    assert "请填写“联系人”" in field_block(page, "contact_name")


def test_confirmation_shows_number_and_code_once_and_is_not_cached(
    client: FlaskClient, driver: Driver
) -> None:
    posted = client.post("/appeals/new", data=VALID_APPEAL)
    # Redirect after post: reloading the confirmation submits nothing again.
    assert posted.status_code == 303
    assert posted.headers["Location"] == "/appeals/submitted"
    response = client.get("/appeals/submitted")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = html(response)
    appellant = codes_of(page)
    assert re.fullmatch(r"\d{8}-\d{4}", appellant.number)
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", appellant.query_code)
    assert "请立即记下诉求编号和查询码" in page

    # The code is in no link; the number prefills the look-up form.
    for link in re.findall(r'href="([^"]*)"', page):
        assert appellant.query_code not in link
    assert f'href="/appeals/lookup?number={appellant.number}"' in page

    view = driver.public(appellant)
    assert view["status"] == "submitted"
    assert view["channel"] == "pc"


def test_reloading_the_confirmation_neither_submits_again_nor_shows_the_code(
    app: Flask, client: FlaskClient
) -> None:
    appellant = codes_of(html(submit(client)))

    again = html(client.get("/appeals/submitted"))
    assert f'id="appeal-number">{appellant.number}<' in again
    assert appellant.query_code not in again
    assert "查询码已在提交后显示过一次，不再显示。" in again
    with app.app_context():
        assert db.session.scalar(select(func.count(Appeal.id))) == 1

    # Another browser opening the same address learns nothing.
    stranger = html(app.test_client().get("/appeals/submitted"))
    assert appellant.number not in stranger
    assert 'id="nothing-submitted"' in stranger


def test_phone_user_agent_submits_on_the_mobile_channel(
    client: FlaskClient, driver: Driver
) -> None:
    response = client.post(
        "/appeals/new",
        data=VALID_APPEAL,
        headers={"User-Agent": IPHONE},
        follow_redirects=True,
    )
    appellant = codes_of(html(response))
    assert driver.public(appellant)["channel"] == "mobile"


def test_form_posted_without_token_is_refused_in_chinese(app: Flask) -> None:
    response = app.test_client().post("/appeals/new", data=VALID_APPEAL)
    assert response.status_code == 400
    assert "页面已过期" in html(response)


# Look-up


def test_lookup_shows_progress_without_personal_data(
    client: FlaskClient, driver: Driver
) -> None:
    appellant = driver.submit()
    driver.dispatch(appellant.number, "zjj")

    response = look_up(client, appellant.number, appellant.query_code.lower())
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = html(response)
    assert "办理中" in page
    assert "诉求已提交，等待平台研判" in page
    assert "平台已转派：主办 市住房和城乡建设局" in page
    assert VALID_APPEAL["title"] in page
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page)
    assert "rating-form" not in page
    for name in PERSONAL:
        assert VALID_APPEAL[name] not in page, name


def test_wrong_code_looks_exactly_like_unknown_number(
    client: FlaskClient, driver: Driver
) -> None:
    appellant = driver.submit()

    wrong_code = look_up(client, appellant.number, "ZZZZZZZZ")
    unknown = look_up(client, "20000101-0001", "ZZZZZZZZ")

    assert wrong_code.status_code == unknown.status_code == 404
    assert NOT_FOUND in html(wrong_code)

    # The same page, but for the number typed and the form's signed token.
    def masked(response: Any, number: str) -> str:
        page = html(response).replace(number, "N")
        return re.sub(r'name="csrf_token" value="[^"]*"', "TOKEN", page)

    assert masked(wrong_code, appellant.number) == masked(unknown, "20000101-0001")


def test_missing_number_or_code_is_asked_for(client: FlaskClient) -> None:
    response = look_up(client, "", "")
    assert response.status_code == 422
    page = html(response)
    assert "请填写“诉求编号”" in field_block(page, "number")
    assert "请填写“查询码”" in field_block(page, "query_code")


def test_repeated_failures_from_one_address_are_slowed_down(
    client: FlaskClient, driver: Driver
) -> None:
    appellant = driver.submit()
    for _attempt in range(5):
        assert look_up(client, appellant.number, "WRONG234").status_code == 404

    # Even the right code has to wait now, on the look-up and the rating page.
    refused = look_up(client, appellant.number, appellant.query_code)
    assert refused.status_code == 429
    assert "请 10 分钟后再试" in html(refused)
    rating = client.post(
        "/appeals/rate",
        data={
            "number": appellant.number,
            "query_code": appellant.query_code,
            "rating": "satisfied",
        },
    )
    assert rating.status_code == 429

    # Another address is not affected.
    other = look_up(
        client,
        appellant.number,
        appellant.query_code,
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other.status_code == 200


def test_typos_on_one_appeal_do_not_lock_out_its_neighbours(
    client: FlaskClient, driver: Driver
) -> None:
    # Two enterprises behind one office address: one mistypes its code.
    mistyped, neighbour = driver.submit(), driver.submit()
    for _attempt in range(5):
        assert look_up(client, mistyped.number, "WRONG234").status_code == 404
    assert look_up(client, mistyped.number, mistyped.query_code).status_code == 429

    found = look_up(client, neighbour.number, neighbour.query_code)
    assert found.status_code == 200


def test_scanning_many_numbers_from_one_address_is_slowed_down(
    client: FlaskClient, driver: Driver
) -> None:
    appellant = driver.submit()
    day = appellant.number.split("-")[0]
    for guess in range(20):  # four wrong codes on each of five other numbers
        number = f"{day}-{9000 + guess // 4:04d}"
        assert look_up(client, number, "WRONG234").status_code == 404

    refused = look_up(client, appellant.number, appellant.query_code)
    assert refused.status_code == 429


def test_failures_expire_after_the_window(client: FlaskClient, driver: Driver) -> None:
    appellant = driver.submit()
    with time_machine.travel("2026-12-03 09:00 +0800", tick=False) as clock:
        for _attempt in range(5):
            look_up(client, appellant.number, "WRONG234")
        refused = look_up(client, appellant.number, appellant.query_code)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "600"

        # Ten minutes and a second later, the right code is answered again.
        clock.shift(601)
        found = look_up(client, appellant.number, appellant.query_code)
        assert found.status_code == 200


# Rating


def rate(client: FlaskClient, appellant: Appellant, rating: str, comment: str) -> Any:
    return client.post(
        "/appeals/rate",
        data={
            "number": appellant.number,
            "query_code": appellant.query_code,
            "rating": rating,
            "comment": comment,
        },
    )


def test_published_appeal_shows_result_and_rating_form(
    client: FlaskClient, driver: Driver
) -> None:
    appellant = driver.submit()
    driver.publish(appellant.number, "zjj", "已完成排水管网疏通。")

    page = html(look_up(client, appellant.number, appellant.query_code))
    assert "已答复" in page
    assert "已完成排水管网疏通。" in page
    assert 'id="rating-form"' in page
    for value in ("satisfied", "basically_satisfied", "dissatisfied"):
        assert f'id="rating-{value}"' in page
    assert f'name="query_code" value="{appellant.query_code}"' in page


def test_satisfied_rating_closes_the_appeal_with_thanks(
    client: FlaskClient, driver: Driver
) -> None:
    appellant = driver.submit()
    driver.publish(appellant.number, "zjj", "已完成排水管网疏通。")

    response = rate(client, appellant, "satisfied", "")
    assert response.status_code == 200
    page = html(response)
    assert "感谢您的评价" in page
    assert "已办结" in page
    assert 'id="appeal-rating">满意<' in page
    assert "rating-form" not in page
    assert driver.public(appellant)["status"] == "closed"


def test_dissatisfied_needs_a_comment_then_reopens_the_appeal(
    client: FlaskClient, driver: Driver
) -> None:
    appellant = driver.submit()
    driver.publish(appellant.number, "zjj", "已处理。")

    refused = rate(client, appellant, "dissatisfied", "  ")
    assert refused.status_code == 422
    page = html(refused)
    comment = field_block(page, "comment")
    assert "has-error" in comment
    assert "请填写“评价意见”" in comment
    assert re.search(r'id="rating-dissatisfied"\s+value="dissatisfied" checked', page)
    assert driver.public(appellant)["status"] == "published"

    response = rate(client, appellant, "dissatisfied", "积水问题没有解决")
    assert response.status_code == 200
    page = html(response)
    assert "感谢您的评价" in page
    assert 'id="appeal-status">重新办理中<' in page
    assert "服务对象评价：不满意，诉求重新办理" in page
    # The rated result stays, labelled as the first round's, with its rating.
    assert re.search(r"第1轮办理结果.*?您的评价：<[^>]+>不满意<.*?已处理。", page, re.S)
    assert "rating-form" not in page
    assert driver.public(appellant)["status"] == "handling"


def test_no_choice_is_asked_for(client: FlaskClient, driver: Driver) -> None:
    appellant = driver.submit()
    driver.publish(appellant.number, "zjj", "已处理。")

    response = rate(client, appellant, "", "")
    assert response.status_code == 422
    assert "请选择 满意、基本满意 或 不满意" in html(response)


def test_rating_outside_the_rating_stage_is_explained(
    client: FlaskClient, driver: Driver
) -> None:
    appellant = driver.submit()

    response = rate(client, appellant, "satisfied", "")
    assert response.status_code == 409
    page = html(response)
    assert "该诉求当前不在评价阶段。" in page
    assert "待研判" in page


def test_rating_with_a_wrong_code_is_not_found(
    client: FlaskClient, driver: Driver
) -> None:
    appellant = driver.submit()
    driver.publish(appellant.number, "zjj", "已处理。")

    response = rate(client, Appellant(appellant.number, "WRONG234"), "satisfied", "")
    assert response.status_code == 404
    assert NOT_FOUND in html(response)
    assert driver.public(appellant)["status"] == "published"


def test_home_page_links_to_both(app: Flask) -> None:
    page = html(app.test_client().get("/"))
    assert 'href="/appeals/new"' in page
    assert 'href="/appeals/lookup"' in page
