"""The public portal in a real browser: submit, look up, rate; and on a phone."""

from __future__ import annotations

import struct
from pathlib import Path

from browsing import (
    PHONE_PIXEL_RATIO,
    PHONE_WIDTH,
    screenshot,
    submit_form,
    wait_for_text,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from conftest import VALID_APPEAL, Driver

PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"
)


def fill_submission(browser: WebDriver, **changes: str) -> None:
    """Type an appeal into the submission form, replacing what is there."""
    values = {**VALID_APPEAL, **changes}
    for name, value in values.items():
        if name == "category":
            Select(browser.find_element(By.ID, name)).select_by_value(value)
            continue
        element = browser.find_element(By.ID, name)
        element.clear()
        element.send_keys(value)


def value_of(browser: WebDriver, element_id: str) -> str:
    return browser.find_element(By.ID, element_id).get_attribute("value") or ""


def test_submit_fix_look_up_and_rate(
    browser: WebDriver, live_server: str, driver: Driver
) -> None:
    # A bad credit code: the error shows beside it and nothing typed is lost.
    browser.get(f"{live_server}/")
    browser.find_element(By.LINK_TEXT, "提交诉求").click()
    wait_for_text(browser, "统一社会信用代码")
    fill_submission(browser, credit_code="91321100MA1N2K3L4X")
    submit_form(browser)
    wait_for_text(browser, "提交的内容有误")
    wrapper = browser.find_element(By.CSS_SELECTOR, ".has-error")
    assert wrapper.find_element(By.ID, "credit_code")
    message = wrapper.find_element(By.CLASS_NAME, "field-error").text
    assert "统一社会信用代码无效" in message
    assert len(browser.find_elements(By.CSS_SELECTOR, ".has-error")) == 1
    assert value_of(browser, "credit_code") == "91321100MA1N2K3L4X"
    assert value_of(browser, "enterprise_name") == VALID_APPEAL["enterprise_name"]
    assert value_of(browser, "content") == VALID_APPEAL["content"]
    assert value_of(browser, "category") == VALID_APPEAL["category"]
    screenshot(browser, "portal-submit-error")

    # Fixed: the confirmation shows the number and the code, in no URL.
    field = browser.find_element(By.ID, "credit_code")
    field.clear()
    field.send_keys(VALID_APPEAL["credit_code"])
    submit_form(browser)
    wait_for_text(browser, "诉求已提交")
    number = browser.find_element(By.ID, "appeal-number").text
    code = browser.find_element(By.ID, "query-code").text
    assert number and len(code) == 8
    assert code not in browser.current_url
    assert browser.current_url == f"{live_server}/appeals/submitted"
    screenshot(browser, "portal-submitted")

    # Reloading the confirmation submits nothing again and hides the code.
    browser.refresh()
    wait_for_text(browser, "查询码已在提交后显示过一次")
    assert browser.find_element(By.ID, "appeal-number").text == number
    assert code not in browser.page_source
    inbox = driver.api.get("/tasks", user="dispatcher").json
    assert [item["appeal_number"] for item in inbox["items"]] == [number]
    screenshot(browser, "portal-submitted-reloaded")

    # Look it up through the confirmation's link (the number is filled in).
    browser.find_element(By.CSS_SELECTOR, "main a.btn-primary").click()
    wait_for_text(browser, "请输入提交诉求时获得的诉求编号和查询码")
    assert value_of(browser, "number") == number
    browser.find_element(By.ID, "query_code").send_keys(code)
    submit_form(browser)
    wait_for_text(browser, "办理过程")
    assert browser.find_element(By.ID, "appeal-status").text == "待研判"
    assert "诉求已提交，等待平台研判" in browser.page_source
    assert VALID_APPEAL["contact_name"] not in browser.page_source
    screenshot(browser, "portal-lookup")

    # Staff publish an answer; the appellant looks again and rates it.
    driver.publish(number, "zjj", "答复内容")
    browser.get(f"{live_server}/appeals/lookup")
    browser.find_element(By.ID, "number").send_keys(number)
    browser.find_element(By.ID, "query_code").send_keys(code)
    submit_form(browser)
    wait_for_text(browser, "满意度评价")
    assert browser.find_element(By.ID, "appeal-result").text == "答复内容"

    browser.find_element(By.ID, "rating-dissatisfied").click()
    submit_form(browser, "#rating-form button[type=submit]")
    wait_for_text(browser, "请填写“评价意见”")
    assert browser.find_element(By.ID, "rating-dissatisfied").is_selected()
    screenshot(browser, "portal-rating-error")

    browser.find_element(By.ID, "rating-basically_satisfied").click()
    browser.find_element(By.ID, "comment").send_keys("处理及时")
    submit_form(browser, "#rating-form button[type=submit]")
    wait_for_text(browser, "感谢您的评价")
    assert browser.find_element(By.ID, "appeal-status").text == "已办结"
    assert browser.find_element(By.ID, "appeal-rating").text == "基本满意"
    assert not browser.find_elements(By.ID, "rating-form")
    screenshot(browser, "portal-rated")


def png_width(path: Path) -> int:
    """The width in pixels a PNG file's header gives."""
    header = path.read_bytes()[:24]
    return int(struct.unpack(">I", header[16:20])[0])


def test_submission_on_a_phone(phone: WebDriver, live_server: str) -> None:
    phone.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": PHONE_AGENT})
    phone.get(f"{live_server}/")
    wait_for_text(phone, "提交诉求")

    # Laid out on a 360 CSS px screen, nothing wider: no sideways scrolling.
    def fits() -> bool:
        width, viewport = phone.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]"
        )
        return bool(viewport == PHONE_WIDTH and width <= PHONE_WIDTH)

    assert fits()
    phone.get(f"{live_server}/appeals/new")
    wait_for_text(phone, "提交诉求")
    assert fits()
    shot = screenshot(phone, "portal-phone-form")
    assert png_width(shot) == PHONE_WIDTH * PHONE_PIXEL_RATIO

    submit_form(phone)
    wait_for_text(phone, "请填写“企业名称”")
    assert fits()
    assert len(phone.find_elements(By.CSS_SELECTOR, ".has-error")) == 6
    screenshot(phone, "portal-phone-errors")

    fill_submission(phone)
    submit_form(phone)
    wait_for_text(phone, "诉求已提交")
    assert fits()
    number = phone.find_element(By.ID, "appeal-number").text
    code = phone.find_element(By.ID, "query-code").text
    screenshot(phone, "portal-phone-submitted")

    phone.get(f"{live_server}/appeals/lookup")
    phone.find_element(By.ID, "number").send_keys(number)
    phone.find_element(By.ID, "query_code").send_keys(code)
    submit_form(phone)
    wait_for_text(phone, "办理过程")
    assert "移动端" in phone.page_source
    assert fits()
    screenshot(phone, "portal-phone-lookup")
