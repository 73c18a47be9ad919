"""The social-service journey in a real browser (社会化服务, clause 5.3).

An organisation signs up, applies and, once the platform admits it, publishes a
service; an enterprise signs up, finds the service in the catalogue and requests
it; the organisation accepts and records the delivery; the enterprise rates it.
Every page is saved under instance/screenshots/services-*.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import screenshot, sign_in, submit_form, wait_for_text
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from conftest import PDF, REPOSITORY
from engine import deployment
from webapp.extensions import db

SUBMIT = "form.task-form button[type=submit]"
PASSWORD = "journey-pass-1"
ENTERPRISE_CODE = "91321100MA1N2K3L4E"


@pytest.fixture
def deployed(app: Flask) -> None:
    with app.app_context():
        for name in ("organisation_admission", "social_service"):
            path = REPOSITORY / "workflows" / f"{name}.bpmn"
            deployment.deploy_path(db.session, path, deployed_by="tests")
        db.session.commit()


def _fill(browser: WebDriver, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = browser.find_element(By.ID, f"field-{name}")
        field.clear()
        field.send_keys(value)


def _choose(browser: WebDriver, name: str, value: str) -> None:
    browser.find_element(
        By.CSS_SELECTOR, f"input[name={name}][value='{value}']"
    ).click()


def _fill_ids(browser: WebDriver, values: dict[str, str]) -> None:
    for name, value in values.items():
        browser.find_element(By.ID, name).send_keys(value)


def _organisation_signs_up(browser: WebDriver, base: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{base}/services")
    browser.find_element(By.LINK_TEXT, "服务机构入驻").click()
    wait_for_text(browser, "注册账号后填写入驻申请")
    _fill_ids(
        browser,
        {
            "username": "qihang",
            "display_name": "镇江启航创业服务中心",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    screenshot(browser, "services-signup-organisation")
    submit_form(browser)


def _enterprise_signs_up(browser: WebDriver, base: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{base}/account/signup")
    _fill_ids(
        browser,
        {
            "name": "镇江恒泰精密机械有限公司",
            "credit_code": ENTERPRISE_CODE,
            "contact_name": "刘建国",
            "phone": "13805291234",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
    )
    submit_form(browser)


def _sign_in(browser: WebDriver, base: str, username: str) -> None:
    """Organisations sign in on the staff page, enterprises with their code."""
    browser.delete_all_cookies()
    enterprise = username == ENTERPRISE_CODE
    browser.get(f"{base}/account/login" if enterprise else f"{base}/login")
    field = "credit_code" if enterprise else "username"
    _fill_ids(browser, {field: username, "password": PASSWORD})
    submit_form(browser)


def _open_step(browser: WebDriver, base: str, step_name: str) -> None:
    """Open a step from the staff inbox, or from "my services" outside staff."""
    if "我的待办" in browser.page_source:
        browser.get(f"{base}/inbox")
        row = browser.find_element(By.XPATH, f"//tr[td[text()='{step_name}']]")
    else:
        browser.get(f"{base}/services/mine")
        row = browser.find_element(By.XPATH, f"//li[span[contains(., '{step_name}')]]")
    row.find_element(By.LINK_TEXT, "办理").click()
    wait_for_text(browser, step_name)


def _organisation_joins_and_publishes(
    browser: WebDriver, base: str, tmp_path: Path
) -> None:
    _organisation_signs_up(browser, base)
    wait_for_text(browser, "填写入驻申请")
    _fill(
        browser,
        {
            "organisation_name": "镇江启航创业服务中心",
            "credit_code": "52321100MJ1234567X",
            "contact_name": "吴晓燕",
            "phone": "0511-85012345",
        },
    )
    _choose(browser, "service_type", "创业辅导")
    licence = tmp_path / "启航执照.pdf"
    licence.write_bytes(PDF)
    browser.find_element(By.ID, "field-licence").send_keys(str(licence))
    screenshot(browser, "services-apply")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：填写入驻申请")

    browser.delete_all_cookies()
    sign_in(browser, base, "dispatcher")
    browser.get(f"{base}/inbox")
    # The inbox numbers the vetting with the credit code and titles it.
    row = browser.find_element(By.XPATH, "//tr[td[text()='审核入驻机构']]")
    assert "52321100MJ1234567X" in row.text and "镇江启航创业服务中心" in row.text
    _open_step(browser, base, "审核入驻机构")
    assert "启航执照.pdf" in browser.page_source
    # The credit code's history sits beside the form: so far, this application.
    history = browser.find_element(By.ID, "field-history")
    assert "入驻申请" in history.text
    _choose(browser, "decision", "approve")
    screenshot(browser, "services-vet")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：审核入驻机构")

    _sign_in(browser, base, "qihang")
    _open_step(browser, base, "发布服务")
    _choose(browser, "service_type", "创业辅导")
    _fill(
        browser,
        {
            "title": "初创企业商业计划书辅导",
            "description": "创业导师一对一辅导商业计划书撰写，含两次面谈。",
            "price": "免费",
            "area": "京口区",
        },
    )
    screenshot(browser, "services-publish")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：发布服务")


def _enterprise_finds_and_requests(browser: WebDriver, base: str) -> None:
    _enterprise_signs_up(browser, base)
    wait_for_text(browser, "我的诉求")
    browser.find_element(By.LINK_TEXT, "社会化服务").click()
    wait_for_text(browser, "社会化服务目录")
    Select(browser.find_element(By.ID, "type")).select_by_value("创业辅导")
    Select(browser.find_element(By.ID, "area")).select_by_value("京口区")
    browser.find_element(By.ID, "q").send_keys("计划书")
    submit_form(browser, "form[role=search] button[type=submit]")
    wait_for_text(browser, "共 1 项服务")
    screenshot(browser, "services-catalogue")

    browser.find_element(By.LINK_TEXT, "初创企业商业计划书辅导").click()
    wait_for_text(browser, "申请此服务")
    screenshot(browser, "services-detail")
    submit_form(browser)
    wait_for_text(browser, "填写服务需求")
    _fill(
        browser,
        {
            "enterprise_name": "镇江恒泰精密机械有限公司",
            "need": "拟孵化智能装备项目，需要商业计划书辅导。",
            "phone": "13805291234",
        },
    )
    screenshot(browser, "services-request")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：填写服务需求")


def _organisation_delivers(browser: WebDriver, base: str) -> None:
    _sign_in(browser, base, "qihang")
    _open_step(browser, base, "答复服务申请")
    assert "拟孵化智能装备项目" in browser.page_source
    _choose(browser, "decision", "accept")
    screenshot(browser, "services-answer")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：答复服务申请")

    _open_step(browser, base, "记录服务办理")
    _fill(browser, {"delivery_note": "完成两次面谈，修改商业计划书。"})
    date = browser.find_element(By.ID, "field-delivered_on")
    browser.execute_script("arguments[0].value = '2026-12-03'", date)
    screenshot(browser, "services-delivery")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：记录服务办理")
    browser.get(f"{base}/services/mine")
    wait_for_text(browser, "收到的服务申请")
    assert "已服务，待评价" in browser.page_source
    screenshot(browser, "services-organisation-mine")


def test_organisation_joins_enterprise_requests_and_rates(
    browser: WebDriver, live_server: str, deployed: None, tmp_path: Path
) -> None:
    # Tall enough for the longest form's submit button to be clicked in view.
    browser.set_window_size(1280, 1600)
    _organisation_joins_and_publishes(browser, live_server, tmp_path)
    _enterprise_finds_and_requests(browser, live_server)
    _organisation_delivers(browser, live_server)

    _sign_in(browser, live_server, ENTERPRISE_CODE)
    _open_step(browser, live_server, "评价服务")
    assert "完成两次面谈，修改商业计划书。" in browser.page_source
    _choose(browser, "rating", "satisfied")
    _fill(browser, {"rating_comment": "导师很专业。"})
    screenshot(browser, "services-rate")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：评价服务")

    browser.get(f"{live_server}/services/mine")
    wait_for_text(browser, "我的服务申请")
    row = browser.find_element(By.XPATH, "//tr[td[text()='初创企业商业计划书辅导']]")
    assert "已评价" in row.text and "满意" in row.text
    screenshot(browser, "services-enterprise-mine")
