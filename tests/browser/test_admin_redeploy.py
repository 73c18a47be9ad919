"""An admin redeploys a revised appeal flow in the browser; a department sees it."""

from __future__ import annotations

from pathlib import Path

from browsing import screenshot, sign_in, submit_form, wait_for_text
from flask import Flask
from revised_appeal import NEW_FIELD, NEW_FIELD_LABEL, revised_appeal_bpmn
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy import select

from conftest import Driver
from engine.appeals.models import Appeal
from webapp.extensions import db


def test_admin_uploads_a_revision_and_a_department_sees_the_new_field(
    browser: WebDriver,
    live_server: str,
    driver: Driver,
    app: Flask,
    tmp_path: Path,
) -> None:
    older = driver.submit(title="修订前提交的诉求")
    driver.dispatch(older.number, "zjj")
    revised = tmp_path / "appeal.bpmn"
    revised.write_bytes(revised_appeal_bpmn())

    sign_in(browser, live_server, "admin")
    browser.find_element(By.LINK_TEXT, "管理").click()
    wait_for_text(browser, "部署新版本")
    browser.find_element(By.ID, "files").send_keys(str(revised))
    submit_form(browser)
    wait_for_text(browser, "已部署：诉求帮办 第 2 版")
    rows = browser.find_elements(By.CSS_SELECTOR, "table.versions tbody tr")
    assert [row.text.split()[0:2] for row in rows] == [["第", "2"], ["第", "1"]]
    assert "admin" in rows[0].text
    screenshot(browser, "admin-versions")

    browser.find_element(By.LINK_TEXT, "与上一版比较").click()
    wait_for_text(browser, "第 1 版 → 第 2 版")
    assert "新增人工环节“核实诉求”" in browser.page_source
    screenshot(browser, "admin-diff")

    newer = driver.submit(title="修订后提交的诉求")
    driver.dispatch(newer.number, "zjj")
    driver.accept(newer.number, "zjj")
    driver.accept(older.number, "zjj")
    with app.app_context():
        instance_id = db.session.scalar(
            select(Appeal.instance_id).where(Appeal.number == newer.number)
        )
    browser.get(f"{live_server}/admin/instances/{instance_id}")
    wait_for_text(browser, "流程图")
    current = browser.find_element(By.CSS_SELECTOR, "#shape-verify_appeal")
    assert "current" in (current.get_attribute("class") or "").split()
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', inline: 'center'})", current
    )
    screenshot(browser, "admin-instance-diagram")

    task = driver.task("handler-zjj", newer.number, "verify_appeal")
    old_task = driver.task("handler-zjj", older.number, "handle_appeal")
    browser.delete_all_cookies()
    sign_in(browser, live_server, "handler-zjj")
    browser.get(f"{live_server}/tasks/{task['id']}")
    wait_for_text(browser, NEW_FIELD_LABEL)
    assert browser.find_element(By.NAME, NEW_FIELD).is_displayed()
    screenshot(browser, "staff-task-new-field")

    # The appeal from before the revision carries on without the new step.
    browser.get(f"{live_server}/tasks/{old_task['id']}")
    wait_for_text(browser, "办理结果")
    assert NEW_FIELD_LABEL not in browser.page_source
