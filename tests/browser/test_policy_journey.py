"""Policy service in a real browser: search in Chinese, open a policy, ask about it."""

from __future__ import annotations

from browsing import PHONE_WIDTH, screenshot, sign_in, submit_form, wait_for_text
from flask import Flask
from policy_fixtures import add_maintainer, publish
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from conftest import VALID_APPEAL


def test_search_open_and_ask(browser: WebDriver, live_server: str, app: Flask) -> None:
    publish(app)
    publish(
        app,
        title="镇江市促进外贸企业稳订单拓市场若干措施",
        issuing_body="镇江市商务局",
        industries=["批发和零售业"],
        body="对参加境外展会的外贸企业，按展位费的50%给予补贴。",
    )

    # Search from the navigation bar's link.
    browser.get(f"{live_server}/")
    browser.find_element(By.LINK_TEXT, "政策服务").click()
    wait_for_text(browser, "查找各级政府发布的涉企政策")
    browser.find_element(By.ID, "q").send_keys("智能化改造 补助")
    submit_form(browser, "#search-button")
    wait_for_text(browser, "共找到 1 条")
    marked = {mark.text for mark in browser.find_elements(By.CSS_SELECTOR, "mark")}
    assert {"智能化", "改造", "补助"} <= marked
    screenshot(browser, "policies-search")

    # Open the policy at its stable address.
    browser.find_element(By.CSS_SELECTOR, ".results h2 a").click()
    wait_for_text(browser, "政策咨询")
    title = browser.find_element(By.ID, "policy-title").text
    assert title == "镇江市支持制造业智能化改造若干措施"
    assert "/policies/" in browser.current_url

    # Ask a question about it: it becomes an appeal with a number.
    for name in ("enterprise_name", "credit_code", "contact_name", "phone"):
        browser.find_element(By.ID, name).send_keys(VALID_APPEAL[name])
    assert browser.find_element(By.ID, "title").get_attribute("value") == (
        "咨询：镇江市支持制造业智能化改造若干措施"
    )
    browser.find_element(By.ID, "content").send_keys("去年购置的设备能否申请补助？")
    screenshot(browser, "policies-consult")
    submit_form(browser, "#consult-button")
    wait_for_text(browser, "诉求已提交")
    number = browser.find_element(By.ID, "appeal-number").text
    assert len(number) == len("20261203-0001")
    screenshot(browser, "policies-consult-submitted")


# What on a page does not look like the rest of the site: a card whose text
# touches its border (no .card-body), a table, field or button without
# Bootstrap's classes.
UNSTYLED = """
const main = document.querySelector('main');
const cramped = [...main.querySelectorAll('.card')].filter(card => {
  const first = card.querySelector('h1, h2, p, form, table, ul, ol, dl');
  if (!first) return false;
  const inset = first.getBoundingClientRect().left - card.getBoundingClientRect().left;
  return inset < 12;
}).map(card => card.id || card.className);
const tables = [...main.querySelectorAll('table:not(.table)')].map(t => t.id);
const fields = [...main.querySelectorAll(
  'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea'
)].filter(f => !f.matches('.form-control, .form-select')).map(f => f.id);
const buttons = [...main.querySelectorAll('button, a.button')]
  .filter(b => !b.classList.contains('btn')).map(b => b.textContent.trim());
return {cramped, tables, fields, buttons};
"""


def test_policy_pages_look_like_the_rest(
    browser: WebDriver, live_server: str, app: Flask
) -> None:
    add_maintainer(app)
    policy_id = publish(app)
    clean = {"cramped": [], "tables": [], "fields": [], "buttons": []}

    browser.get(f"{live_server}/policies?q=智能化")
    wait_for_text(browser, "共找到 1 条")
    assert browser.execute_script(UNSTYLED) == clean
    browser.get(f"{live_server}/policies/{policy_id}")
    wait_for_text(browser, "政策咨询")
    assert browser.execute_script(UNSTYLED) == clean
    screenshot(browser, "policies-show")

    sign_in(browser, live_server, "maintainer")
    browser.get(f"{live_server}/staff/policies")
    wait_for_text(browser, "共 1 条")
    assert browser.execute_script(UNSTYLED) == clean
    screenshot(browser, "policies-maintain-list")
    browser.get(f"{live_server}/staff/policies/{policy_id}/edit")
    wait_for_text(browser, "修改记录")
    assert browser.execute_script(UNSTYLED) == clean
    screenshot(browser, "policies-maintain-form")


def test_policy_pages_fit_a_phone(
    phone: WebDriver, live_server: str, app: Flask
) -> None:
    policy_id = publish(
        app,
        source_url="https://www.zhenjiang.gov.cn/zjszf/zcwj/2026/art_0000000001.html",
        document_number="镇工信发〔2026〕1号",
    )
    width = "return [document.documentElement.scrollWidth, window.innerWidth]"

    phone.get(f"{live_server}/policies?q=智能化")
    wait_for_text(phone, "共找到 1 条")
    assert phone.execute_script(width) == [PHONE_WIDTH, PHONE_WIDTH]
    screenshot(phone, "policies-phone-search")
    phone.get(f"{live_server}/policies/{policy_id}")
    wait_for_text(phone, "政策咨询")
    assert phone.execute_script(width) == [PHONE_WIDTH, PHONE_WIDTH]
    screenshot(phone, "policies-phone-show")
