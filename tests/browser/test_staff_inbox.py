"""The staff inbox and task forms in a real browser: triage, then acceptance."""

from __future__ import annotations

from datetime import datetime

from browsing import screenshot, sign_in, submit_form, wait_for_text
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from conftest import Driver
from engine.clock import deadline_text

SUBMIT = "form.task-form button[type=submit]"


def shown(iso: str) -> str:
    """An ISO deadline of the API as the pages show it (24:00 of its last day)."""
    return deadline_text(datetime.fromisoformat(iso))


def open_task(browser: WebDriver, number: str) -> None:
    row = browser.find_element(By.XPATH, f"//tr[td[text()='{number}']]")
    row.find_element(By.LINK_TEXT, "办理").click()


def test_dispatcher_triages_and_department_accepts(
    browser: WebDriver, live_server: str, driver: Driver
) -> None:
    appellant = driver.submit()

    sign_in(browser, live_server, "dispatcher")
    wait_for_text(browser, appellant.number)
    open_task(browser, appellant.number)
    wait_for_text(browser, "研判结果")
    assert "园区南门道路每逢下雨积水严重" in browser.page_source

    submit_form(browser, SUBMIT)
    wait_for_text(browser, "请填写“研判结果”")
    screenshot(browser, "staff-task-errors")

    browser.find_element(
        By.CSS_SELECTOR, "input[name=decision][value=dispatch]"
    ).click()
    Select(browser.find_element(By.ID, "field-lead_department")).select_by_value("zjj")
    browser.find_element(By.ID, "comment").send_keys("已电话联系企业核实情况。")
    screenshot(browser, "staff-task-triage")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：研判转派")
    assert browser.current_url == f"{live_server}/inbox"
    assert appellant.number not in browser.page_source

    due = shown(driver.task("handler-zjj", appellant.number, "accept_appeal")["due_at"])
    browser.delete_all_cookies()
    sign_in(browser, live_server, "handler-zjj")
    wait_for_text(browser, appellant.number)
    row = browser.find_element(By.XPATH, f"//tr[td[text()='{appellant.number}']]")
    assert "部门签收" in row.text and due in row.text
    screenshot(browser, "staff-inbox-department")

    open_task(browser, appellant.number)
    wait_for_text(browser, "签收结果")
    assert "平台已转派：主办 市住房和城乡建设局" in browser.page_source
    browser.find_element(By.CSS_SELECTOR, "input[name=decision][value=accept]").click()
    screenshot(browser, "staff-task-accept")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：部门签收")
    assert "办理答复" in browser.page_source


def test_inbox_on_a_phone(phone: WebDriver, live_server: str, driver: Driver) -> None:
    for title in ("厂区道路积水影响通行", "园区路灯不亮"):
        appellant = driver.submit(title=title)
        driver.dispatch(appellant.number, "zjj")

    sign_in(phone, live_server, "handler-zjj")
    wait_for_text(phone, "园区路灯不亮")
    assert "认领" in phone.page_source
    screenshot(phone, "staff-inbox-phone")

    submit_form(phone, "td.actions form button")
    wait_for_text(phone, "已认领：")
    assert "退回待办池" in phone.page_source
    screenshot(phone, "staff-inbox-phone-claimed")
