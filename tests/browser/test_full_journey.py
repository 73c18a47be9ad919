"""One appeal end to end in the browser: every person works their own page.

The enterprise submits and looks up from a phone; the dispatcher, the department
handler and the reviewer each work their step from the inbox until the answer is
published; the enterprise rates it 不满意 and the department finds it in its inbox
again.
"""

from __future__ import annotations

from browsing import screenshot, sign_in, submit_form, wait_for_text
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from conftest import VALID_APPEAL

SUBMIT = "form.task-form button[type=submit]"


def submit_on_phone(phone: WebDriver, base: str) -> tuple[str, str]:
    phone.get(f"{base}/appeals/new")
    for field in ("enterprise_name", "credit_code", "contact_name", "phone"):
        phone.find_element(By.ID, field).send_keys(VALID_APPEAL[field])
    Select(phone.find_element(By.ID, "category")).select_by_value(
        VALID_APPEAL["category"]
    )
    phone.find_element(By.ID, "title").send_keys(VALID_APPEAL["title"])
    phone.find_element(By.ID, "content").send_keys(VALID_APPEAL["content"])
    submit_form(phone)
    wait_for_text(phone, "诉求已提交")
    number = phone.find_element(By.ID, "appeal-number").text
    code = phone.find_element(By.ID, "query-code").text
    return number, code


def look_up(phone: WebDriver, base: str, number: str, code: str) -> None:
    phone.get(f"{base}/appeals/lookup")
    phone.find_element(By.ID, "number").send_keys(number)
    phone.find_element(By.ID, "query_code").send_keys(code)
    submit_form(phone)
    wait_for_text(phone, "办理过程")


def work_step(browser: WebDriver, base: str, user: str, number: str, step: str) -> None:
    """Sign in as ``user`` and open the task ``step`` of ``number`` from the inbox."""
    browser.delete_all_cookies()
    sign_in(browser, base, user)
    wait_for_text(browser, number)
    row = browser.find_element(
        By.XPATH, f"//tr[td[text()='{number}'] and td[contains(., '{step}')]]"
    )
    row.find_element(By.LINK_TEXT, "办理").click()
    wait_for_text(browser, step)


def choose(browser: WebDriver, name: str, value: str) -> None:
    browser.find_element(By.CSS_SELECTOR, f"input[name={name}][value={value}]").click()


def test_appeal_from_phone_to_dissatisfied_rating_and_back(
    browser: WebDriver, phone: WebDriver, live_server: str
) -> None:
    number, code = submit_on_phone(phone, live_server)
    look_up(phone, live_server, number, code)
    assert phone.find_element(By.ID, "appeal-status").text == "待研判"

    work_step(browser, live_server, "dispatcher", number, "研判转派")
    choose(browser, "decision", "dispatch")
    Select(browser.find_element(By.ID, "field-lead_department")).select_by_value("jtj")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：研判转派")

    work_step(browser, live_server, "handler-jtj", number, "部门签收")
    choose(browser, "decision", "accept")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：部门签收")

    work_step(browser, live_server, "handler-jtj", number, "办理答复")
    choose(browser, "decision", "reply")
    answer = "已协调施工单位本周内修复排水管网。"
    browser.find_element(By.ID, "field-reply").send_keys(answer)
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：办理答复")

    work_step(browser, live_server, "reviewer", number, "审核答复")
    assert answer in browser.page_source
    choose(browser, "decision", "publish")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：审核答复")

    # The enterprise reads the published answer and is not satisfied.
    look_up(phone, live_server, number, code)
    assert phone.find_element(By.ID, "appeal-result").text == answer
    phone.find_element(By.ID, "rating-dissatisfied").click()
    phone.find_element(By.ID, "comment").send_keys("雨后仍然积水，问题没有解决。")
    submit_form(phone, "#rating-form button[type=submit]")
    wait_for_text(phone, "感谢您的评价")
    screenshot(phone, "journey-rated-dissatisfied")
    assert phone.find_element(By.ID, "appeal-status").text != "已办结"

    # The department finds the appeal in its inbox again, at the handling step.
    work_step(browser, live_server, "handler-jtj", number, "办理答复")
    assert "雨后仍然积水，问题没有解决。" in browser.page_source
    screenshot(browser, "journey-reopened-task")
