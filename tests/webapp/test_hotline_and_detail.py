"""Hotline entry (热线受理) and the staff appeal detail (诉求详情), test client."""

from __future__ import annotations

import re
from datetime import datetime

import time_machine
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from conftest import VALID_APPEAL, Appellant, Driver, signed_in
from engine.appeals.identifiers import clean_phone
from engine.appeals.models import Appeal
from engine.clock import SHANGHAI
from engine.timers import sweep
from webapp.extensions import db, runtime

HOTLINE_PAGE = "/hotline/appeals/new"
HOTLINE_DONE = "/hotline/appeals/submitted"
# The phone number as stored and shown (national format, with spaces).
PHONE = clean_phone(VALID_APPEAL["phone"])


def at(text: str) -> datetime:
    """A Beijing time, e.g. ``at("2026-11-30 10:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def shown(page: str, element_id: str) -> str:
    """The text of the element with ``element_id`` on ``page``."""
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page)
    assert found, element_id
    return found.group(1).strip()


def hotline_entry(app: Flask, **changes: str) -> Appellant:
    """Enter an appeal on the hotline page; the number and code it shows."""
    client = signed_in(app, "hotline")
    data = {**VALID_APPEAL, **changes}
    response = client.post(HOTLINE_PAGE, data=data, follow_redirects=True)
    assert response.status_code == 200, response.text
    page = response.text
    return Appellant(shown(page, "appeal-number"), shown(page, "query-code"))


def test_hotline_operator_enters_an_appeal_for_a_caller(
    pages: Flask, driver: Driver
) -> None:
    client = signed_in(pages, "hotline")
    form = client.get(HOTLINE_PAGE)
    assert form.status_code == 200
    assert "热线受理" in form.text and 'name="channel"' not in form.text

    posted = client.post(HOTLINE_PAGE, data=VALID_APPEAL)
    assert posted.status_code == 303
    assert posted.headers["Location"] == HOTLINE_DONE

    response = client.get(HOTLINE_DONE)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    page = response.text
    number = shown(page, "appeal-number")
    code = shown(page, "query-code")
    assert shown(page, "appeal-number-spelled") == " ".join(number)
    assert shown(page, "query-code-spelled") == " ".join(code)
    assert "请把诉求编号和查询码逐位读给来电人" in page
    assert "查询码只显示这一次" in page

    # A reload shows the number to read out again, not the code, and enters
    # nothing twice.
    again = client.get(HOTLINE_DONE).text
    assert shown(again, "appeal-number") == number
    assert code not in again and 'id="query-code-gone"' in again
    with pages.app_context():
        assert db.session.scalar(select(func.count(Appeal.id))) == 1

    public = driver.public(Appellant(number, code))
    assert public["channel"] == "hotline"
    assert public["channel_label"] == "热线电话"
    assert public["title"] == VALID_APPEAL["title"]


def test_hotline_errors_show_beside_fields_and_keep_the_typed_values(
    pages: Flask,
) -> None:
    client = signed_in(pages, "hotline")
    typed = {**VALID_APPEAL, "title": "", "phone": "12345", "category": "天气"}

    response = client.post(HOTLINE_PAGE, data=typed)

    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"
    page = response.text
    assert 'id="title-error"' in page and "请填写“诉求标题”" in page
    assert 'id="phone-error"' in page and 'id="category-error"' in page
    assert "请从列表中选择“诉求类别”" in page
    assert f'value="{VALID_APPEAL["enterprise_name"]}"' in page
    assert 'value="12345"' in page
    assert VALID_APPEAL["content"] in page
    assert 'id="form-summary"' in page


def test_only_hotline_operators_get_the_hotline_page(pages: Flask) -> None:
    anonymous = pages.test_client().get(HOTLINE_PAGE)
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]

    client = signed_in(pages, "dispatcher")
    assert client.get(HOTLINE_PAGE).status_code == 404
    refused = client.post(HOTLINE_PAGE, data=VALID_APPEAL)
    assert refused.status_code == 404
    assert "页面不存在" in refused.text
    assert client.get(HOTLINE_DONE).status_code == 404


def test_dispatcher_sees_contact_data_steps_and_timeline(
    pages: Flask, driver: Driver
) -> None:
    appellant = hotline_entry(pages)
    driver.complete(
        "dispatcher",
        appellant.number,
        "triage",
        {"decision": "dispatch", "lead_department": "zjj", "co_departments": []},
        comment="已电话联系企业核实情况。",
    )

    response = signed_in(pages, "dispatcher").get(f"/staff/appeals/{appellant.number}")

    assert response.status_code == 200, response.text
    page = response.text
    for text in (
        appellant.number,
        "办理中",
        VALID_APPEAL["title"],
        VALID_APPEAL["content"],
        VALID_APPEAL["enterprise_name"],
        VALID_APPEAL["credit_code"],
        VALID_APPEAL["contact_name"],
        PHONE,
        "热线电话",
        "诉求已提交，等待平台研判",
        "平台已转派：主办 市住房和城乡建设局",
        "已电话联系企业核实情况。",
        "部门签收",
    ):
        assert text in page, text
    assert shown(page, "channel") == "热线电话"
    # The finished triage names who did it; the acceptance is not the dispatcher's.
    finished = page.split('id="finished-steps"')[1].split('id="contact"')[0]
    assert "研判转派" in finished and "dispatcher" in finished
    assert 'href="/tasks/' not in page  # no link to work a task it cannot do


def test_only_the_dispatched_department_sees_the_appeal(
    pages: Flask, driver: Driver
) -> None:
    appellant = driver.submit()
    url = f"/staff/appeals/{appellant.number}"
    assert signed_in(pages, "handler-zjj").get(url).status_code == 404

    driver.dispatch(appellant.number, "zjj")
    accept = driver.task("handler-zjj", appellant.number, "accept_appeal")

    zjj = signed_in(pages, "handler-zjj").get(url)
    assert zjj.status_code == 200
    assert PHONE in zjj.text
    assert f"/tasks/{accept['id']}" in zjj.text
    assert signed_in(pages, "handler-rsj").get(url).status_code == 404

    driver.accept(appellant.number, "zjj")
    # A finished step still counts: the department keeps seeing the appeal.
    assert signed_in(pages, "handler-zjj").get(url).status_code == 200


def test_hotline_operator_sees_only_the_appeals_they_entered(
    pages: Flask, driver: Driver
) -> None:
    own = hotline_entry(pages)
    other = driver.submit(title="园区路灯不亮")
    client = signed_in(pages, "hotline")

    mine = client.get(f"/staff/appeals/{own.number}")
    assert mine.status_code == 200
    assert VALID_APPEAL["contact_name"] in mine.text
    assert PHONE in mine.text

    assert client.get(f"/staff/appeals/{other.number}").status_code == 404
    assert client.get("/staff/appeals/20990101-0001").status_code == 404
    anonymous = pages.test_client().get(f"/staff/appeals/{own.number}")
    assert anonymous.status_code == 302


def test_detail_shows_the_overdue_badge_after_a_timer_sweep(
    pages: Flask, driver: Driver
) -> None:
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        appellant = hotline_entry(pages)
        driver.dispatch(appellant.number, "zjj")
        before = signed_in(pages, "dispatcher").get(
            f"/staff/appeals/{appellant.number}"
        )
    assert "2026-12-01 24:00" in before.text
    assert 'class="badge overdue"' not in before.text

    with time_machine.travel(at("2026-12-03 09:00"), tick=False):
        with pages.app_context():
            result = sweep(sessionmaker(db.engine), runtime())
        assert result.fired >= 1
        after = signed_in(pages, "dispatcher").get(f"/staff/appeals/{appellant.number}")

    assert after.status_code == 200
    open_steps = after.text.split('id="open-steps"')[1].split('id="finished-steps"')[0]
    assert 'class="badge overdue">超期' in open_steps
    assert "部门签收" in open_steps
