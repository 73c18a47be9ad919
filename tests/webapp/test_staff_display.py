"""What staff read on their pages: names instead of ids, deadlines at 24:00 of
their last working day, one comment box per step."""

from __future__ import annotations

import re
from datetime import datetime

import time_machine
from flask import Flask
from sqlalchemy.orm import Session

from conftest import Driver, signed_in
from engine.appeals.notices import recipient_of
from engine.clock import SHANGHAI
from engine.directory import create_user, hash_password
from engine.enterprises import Enterprise
from engine.names import NameBook


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def section(page: str, element_id: str) -> str:
    """The part of ``page`` from the card with ``element_id`` to the next card."""
    start = page.index(f'id="{element_id}"')
    following = re.compile(r'<div class="card[ "]').search(page, start)
    return page[start : following.start() if following else None]


def test_appeal_detail_and_task_name_people_and_departments(
    pages: Flask, driver: Driver
) -> None:
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        appeal = driver.submit()
        driver.dispatch(appeal.number, "zjj")
        task = driver.task("handler-zjj", appeal.number, "accept_appeal")
        driver.api.post(f"/tasks/{task['id']}/claim", user="handler-zjj")

        dispatcher = signed_in(pages, "dispatcher")
        detail = dispatcher.get(f"/staff/appeals/{appeal.number}").text
        task_page = dispatcher.get(f"/tasks/{task['id']}").text

    open_steps = section(detail, "open-steps")
    assert "市住房和城乡建设局" in open_steps and "handler zjj" in open_steps
    assert "handler-zjj" not in open_steps and ">zjj<" not in open_steps
    # The deadline is the end of Tuesday 1 December, not Wednesday 00:00.
    assert "2026-12-01 24:00" in open_steps
    assert "2026-12-02 00:00" not in detail

    timeline = section(detail, "timeline")
    assert "服务对象" in timeline and "· public" not in timeline

    assert "办理人：handler zjj" in task_page
    assert "办理时限：2026-12-01 24:00" in task_page
    assert "已由 handler zjj 认领" in task_page


def test_names_of_enterprises_personal_groups_and_roles(session: Session) -> None:
    enterprise = Enterprise(
        credit_code="91321100MA1X9Y8Y76",
        name="镇江华科新材料股份有限公司",
        contact_name="王磊",
        phone="13805291234",
        password_hash=hash_password("secret-password"),
    )
    session.add(enterprise)
    create_user(
        session, "org-qihang", "secret-password", display_name="启航服务中心", roles=[]
    )
    session.flush()
    book = NameBook(session)

    assert book.person(recipient_of(enterprise.id)) == "镇江华科新材料股份有限公司"
    assert book.group("user:org-qihang") == "启航服务中心"
    assert book.group("zjj") == "市住房和城乡建设局"
    assert book.group("dispatcher") == "转派岗"
    # The account called dispatcher is a person, whatever its role is called.
    assert book.person("dispatcher") == "dispatcher"
    assert book.person("public") == "服务对象"
    assert book.person("nobody-known") == "nobody-known"


def test_extension_step_shows_one_comment_box(pages: Flask, driver: Driver) -> None:
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj")
    driver.accept(appeal.number, "zjj")
    extend = {"decision": "extend", "extension_days": 2, "material": "需现场勘查。"}
    driver.complete("handler-zjj", appeal.number, "handle_appeal", extend)
    task = driver.task("reviewer", appeal.number, "file_extension")

    reviewer = signed_in(pages, "reviewer")
    page = reviewer.get(f"/tasks/{task['id']}").text

    assert len(re.findall(r"<textarea[^>]*name=\"comment\"", page)) == 1
    assert "备案意见" in page and "审批意见" not in page
    assert 'data-target="field-comment"' in page

    # A phrase chosen without JavaScript becomes the 备案意见 of a rejection.
    posted = reviewer.post(
        f"/tasks/{task['id']}",
        data={"decision": "reject", "phrase": "延期理由不充分，请按期办结。"},
    )
    assert posted.status_code == 302
    detail = reviewer.get(f"/staff/appeals/{appeal.number}").text
    timeline = section(detail, "timeline")
    assert "平台不同意延期" in timeline
    assert timeline.count("延期理由不充分，请按期办结。") == 1
