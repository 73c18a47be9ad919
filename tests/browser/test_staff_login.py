"""Staff sign-in in a real browser."""

from __future__ import annotations

from browsing import screenshot, sign_in, submit_form
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver


def test_wrong_password_then_sign_in_and_out(
    browser: WebDriver, live_server: str
) -> None:
    browser.get(f"{live_server}/inbox")
    assert browser.current_url.startswith(f"{live_server}/login")
    assert "请先登录。" in browser.page_source

    browser.find_element(By.ID, "username").send_keys("dispatcher")
    browser.find_element(By.ID, "password").send_keys("wrong")
    submit_form(browser)
    assert "用户名或密码错误。" in browser.page_source
    assert (
        browser.find_element(By.ID, "username").get_attribute("value") == "dispatcher"
    )

    sign_in(browser, live_server, "dispatcher")
    assert browser.find_element(By.TAG_NAME, "h1").text == "我的待办"
    screenshot(browser, "staff-inbox")

    submit_form(browser, "nav.site form button")
    assert "您已退出登录。" in browser.page_source
    browser.get(f"{live_server}/inbox")
    assert browser.current_url.startswith(f"{live_server}/login")
