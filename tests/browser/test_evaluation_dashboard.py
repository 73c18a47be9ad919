"""The evaluation dashboard (服务评价) in a real browser, over the demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import screenshot, submit_form, wait_for_text
from flask import Flask
from openpyxl import load_workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from conftest import _empty_tables
from engine.demo import PASSWORD as DEMO_PASSWORD
from engine.demo import load_demo
from webapp.extensions import db, runtime


@pytest.fixture
def demo(app: Flask) -> None:
    with app.app_context():
        _empty_tables()
        runtime().clear_caches()
        from conftest import APPEAL_BPMN
        from engine import deployment
        from webapp import uploads

        # The demo walks every process of workflows/, not only the appeal flow.
        deployment.deploy_folder(db.session, APPEAL_BPMN.parent, deployed_by="tests")
        load_demo(db.session, runtime(), uploads.store())
        db.session.commit()


def _downloaded(folder: Path, suffix: str) -> Path:
    def done(_driver: WebDriver) -> Path | bool:
        found = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        return found[0] if found else False

    return Path(WebDriverWait(None, 15).until(done))  # type: ignore[arg-type]


def test_assessor_opens_the_dashboard_and_exports(
    browser: WebDriver, live_server: str, demo: None, tmp_path: Path
) -> None:
    browser.get(f"{live_server}/login")
    browser.find_element(By.ID, "username").send_keys("assessor")
    browser.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
    submit_form(browser)

    browser.find_element(By.LINK_TEXT, "服务评价").click()
    wait_for_text(browser, "部门排名")
    received = browser.find_element(By.ID, "total-received").text
    assert received == "8"  # the demo's eight appeals, all submitted this month
    charts = browser.find_elements(By.CSS_SELECTOR, "img.chart")
    assert len(charts) == 2
    for chart in charts:  # the SVG images loaded and drew something
        assert browser.execute_script("return arguments[0].naturalWidth", chart) > 0
    screenshot(browser, "evaluation-dashboard")

    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior",
        {"behavior": "allow", "downloadPath": str(tmp_path)},
    )
    browser.find_element(By.ID, "export-xlsx").click()
    workbook = load_workbook(_downloaded(tmp_path, ".xlsx"))
    rows = list(workbook["指标"].iter_rows(min_row=2, values_only=True))
    total = dict(zip(rows[0], rows[-1], strict=True))
    assert total["受理诉求数"] == 8

    # The printable page fits A4 landscape: about 1015 CSS px inside 12 mm margins.
    browser.get(f"{live_server}/reports/print")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.set_window_size(1030, 900)
    table_width = browser.execute_script(
        "return document.getElementById('indicators').scrollWidth"
    )
    page_width = browser.execute_script("return document.documentElement.clientWidth")
    assert table_width <= page_width
