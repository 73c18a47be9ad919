"""A registered enterprise on a phone: sign up, submit, follow and rate its appeal."""

from __future__ import annotations

from browsing import screenshot, submit_form, wait_for_text
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from conftest import VALID_APPEAL, Driver

ACCOUNT = {
    "name": "镇江恒泰精密机械有限公司",
    "credit_code": "91321100MA1N2K3L4E",
    "contact_name": "刘建国",
    "phone": "13805291234",
    "password": "heng-tai-2026",
}


def fits(phone: WebDriver) -> bool:
    """Nothing is wider than the screen: no sideways scrolling."""
    width = phone.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth"
    )
    return bool(width <= 0)


def type_into(phone: WebDriver, values: dict[str, str]) -> None:
    for name, value in values.items():
        element = phone.find_element(By.ID, name)
        element.clear()
        element.send_keys(value)


def test_enterprise_signs_up_submits_and_rates_from_my_appeals(
    phone: WebDriver, live_server: str, driver: Driver
) -> None:
    # Sign up: a mistyped confirmation is pointed out, the rest is kept.
    phone.get(f"{live_server}/account/signup")
    type_into(phone, {**ACCOUNT, "password_confirm": "heng-tai-2025"})
    submit_form(phone)
    wait_for_text(phone, "两次输入的密码不一致")
    assert (
        phone.find_element(By.ID, "credit_code").get_attribute("value")
        == (ACCOUNT["credit_code"])
    )
    assert fits(phone)
    screenshot(phone, "account-signup-errors")
    type_into(phone, {"password": ACCOUNT["password"]})
    type_into(phone, {"password_confirm": ACCOUNT["password"]})
    submit_form(phone)
    wait_for_text(phone, "您还没有提交过诉求")
    screenshot(phone, "account-appeals-empty")

    # Sign out through the folded menu, then in again.
    phone.find_element(By.CSS_SELECTOR, "button.navbar-toggler").click()
    submit_form(phone, "nav.site form button")
    wait_for_text(phone, "您已退出登录。")
    type_into(phone, {"credit_code": ACCOUNT["credit_code"]})
    type_into(phone, {"password": ACCOUNT["password"]})
    screenshot(phone, "account-login")
    submit_form(phone)
    wait_for_text(phone, "您还没有提交过诉求")

    # The appeal form starts with the account's data.
    phone.get(f"{live_server}/appeals/new")
    wait_for_text(phone, "已按您的企业账号填写企业信息")

    def value(name: str) -> str:
        return phone.find_element(By.ID, name).get_attribute("value") or ""

    assert value("contact_name") == ACCOUNT["contact_name"]
    assert value("phone") == "138 0529 1234"  # as phonenumbers writes it
    assert phone.find_element(By.ID, "credit_code").get_attribute("readonly")
    Select(phone.find_element(By.ID, "category")).select_by_value("城乡建设")
    type_into(phone, {"title": VALID_APPEAL["title"]})
    type_into(phone, {"content": VALID_APPEAL["content"]})
    assert fits(phone)
    screenshot(phone, "account-submit-prefilled")
    submit_form(phone)
    wait_for_text(phone, "诉求已提交")
    number = phone.find_element(By.ID, "appeal-number").text

    # "My appeals" lists it as waiting for triage.
    phone.find_element(By.LINK_TEXT, "我的诉求").click()
    wait_for_text(phone, number)
    row = phone.find_element(By.ID, f"appeal-{number}")
    assert "待研判" in row.text
    assert fits(phone)
    screenshot(phone, "account-my-appeals")

    # Staff publish the answer; a notice says so.
    driver.publish(number, "zjj", "已联系园区疏通排水管网。")
    phone.get(f"{live_server}/account/notices")
    wait_for_text(phone, "已有办理结果，请查看并评价")
    assert phone.find_element(By.ID, "unread-count").get_attribute("textContent") == "1"
    assert fits(phone)
    screenshot(phone, "account-notices")

    # The enterprise rates it dissatisfied from "my appeals": handled again.
    phone.get(f"{live_server}/account/appeals")
    phone.find_element(By.ID, f"appeal-{number}").click()
    wait_for_text(phone, "满意度评价")
    assert phone.find_element(By.ID, "appeal-result").text == "已联系园区疏通排水管网。"
    phone.find_element(By.ID, "rating-dissatisfied").click()
    phone.find_element(By.ID, "comment").send_keys("雨后仍有积水，货车无法进出。")
    screenshot(phone, "account-appeal-rating")
    submit_form(phone, "#rating-form button[type=submit]")
    wait_for_text(phone, "感谢您的评价")
    assert phone.find_element(By.ID, "appeal-status").text == "重新办理中"
    # The answer just rated stays readable, labelled as the first round's.
    earlier = phone.find_element(By.ID, "result-round-1").text
    assert "第1轮办理结果" in earlier and "已联系园区疏通排水管网。" in earlier
    assert "您的评价：不满意" in earlier
    assert "服务对象评价：不满意，诉求重新办理" in phone.page_source
    assert fits(phone)
    screenshot(phone, "account-appeal-rated")
