"""In a browser: a department files an extension with a PDF, the reviewer gets it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from browsing import screenshot, sign_in, submit_form, wait_for_text
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from conftest import PDF, Driver

SUBMIT = "form.task-form button[type=submit]"


def open_task(browser: WebDriver, number: str) -> None:
    row = browser.find_element(By.XPATH, f"//tr[td[text()='{number}']]")
    row.find_element(By.LINK_TEXT, "办理").click()


def downloaded(folder: Path, name: str) -> bytes:
    """The file Chromium saved under ``folder`` (waits up to 10 seconds)."""
    target = folder / name
    for _ in range(100):
        if target.exists():
            return target.read_bytes()
        time.sleep(0.1)
    pytest.fail(f"{name} was not downloaded; found {list(folder.iterdir())}")


def test_extension_material_travels_from_department_to_reviewer(
    browser: WebDriver,
    live_server: str,
    driver: Driver,
    app: Flask,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "BANGBAN_ATTACHMENTS_DIR", str(tmp_path / "store"))
    material = tmp_path / "延期申请.pdf"
    material.write_bytes(PDF)
    appellant = driver.submit()
    driver.dispatch(appellant.number, "zjj")
    driver.accept(appellant.number, "zjj")

    sign_in(browser, live_server, "handler-zjj")
    wait_for_text(browser, appellant.number)
    open_task(browser, appellant.number)
    wait_for_text(browser, "延期材料附件")

    def shown(field_id: str) -> bool:
        return browser.find_element(By.ID, f"field-{field_id}-wrap").is_displayed()

    # Only the fields the chosen decision needs are shown (conditions.js).
    browser.find_element(By.CSS_SELECTOR, "input[name=decision][value=reply]").click()
    assert shown("reply") and not shown("extension_days") and not shown("reason")
    browser.find_element(By.CSS_SELECTOR, "input[name=decision][value=extend]").click()
    assert shown("extension_days") and shown("material") and not shown("reply")
    browser.find_element(By.ID, "field-extension_days").send_keys("5")
    browser.find_element(By.ID, "field-material").send_keys("需协调施工单位。")
    browser.find_element(By.ID, "field-material_files").send_keys(str(material))
    Select(browser.find_element(By.ID, "phrase")).select_by_index(3)
    comment = browser.find_element(By.ID, "comment").get_attribute("value")
    assert comment == "需协调多个单位，申请延期办理。"  # phrases.js filled it in
    screenshot(browser, "staff-task-extension-upload")
    submit_form(browser, SUBMIT)
    wait_for_text(browser, "已提交：办理答复")

    browser.delete_all_cookies()
    sign_in(browser, live_server, "reviewer")
    browser.get(f"{live_server}/staff/appeals/{appellant.number}")
    wait_for_text(browser, "延期申请.pdf")
    assert "需协调多个单位，申请延期办理。" in browser.page_source
    screenshot(browser, "staff-appeal-attachments")

    folder = tmp_path / "downloads"
    folder.mkdir()
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(folder)},
    )
    browser.find_element(By.LINK_TEXT, "延期申请.pdf").click()
    assert downloaded(folder, "延期申请.pdf") == PDF
