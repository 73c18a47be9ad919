"""Hotline entry in a real browser: enter a call, read the codes, open the detail."""

from __future__ import annotations

from browsing import screenshot, sign_in, submit_form, wait_for_text
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from conftest import VALID_APPEAL

TEXT_FIELDS = ("enterprise_name", "credit_code", "contact_name", "phone", "title")


def test_hotline_operator_enters_a_call_and_opens_its_detail(
    browser: WebDriver, live_server: str
) -> None:
    sign_in(browser, live_server, "hotline")
    browser.get(f"{live_server}/hotline/appeals/new")
    wait_for_text(browser, "热线受理")

    for name in TEXT_FIELDS:
        browser.find_element(By.ID, name).send_keys(VALID_APPEAL[name])
    Select(browser.find_element(By.ID, "category")).select_by_value(
        VALID_APPEAL["category"]
    )
    browser.find_element(By.ID, "content").send_keys(VALID_APPEAL["content"])
    submit_form(browser)

    wait_for_text(browser, "诉求已受理")
    number = browser.find_element(By.ID, "appeal-number").text
    code = browser.find_element(By.ID, "query-code").text
    assert number and len(code) >= 6
    assert browser.find_element(By.ID, "query-code-spelled").text == " ".join(code)
    assert browser.find_element(By.ID, "appeal-number-spelled").text == " ".join(number)
    assert "查询码只显示这一次" in browser.page_source
    screenshot(browser, "hotline-confirmation")

    browser.find_element(By.LINK_TEXT, "查看诉求详情").click()
    wait_for_text(browser, "办理过程")
    assert browser.current_url == f"{live_server}/staff/appeals/{number}"
    assert browser.find_element(By.ID, "channel").text == "热线电话"
    assert VALID_APPEAL["contact_name"] in browser.page_source
    assert "诉求已提交，等待平台研判" in browser.page_source
    screenshot(browser, "staff-appeal-detail")
