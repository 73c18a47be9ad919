"""The process diagram and the admin pages as people see them in a browser."""

from __future__ import annotations

from browsing import screenshot, sign_in, wait_for_text
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from conftest import Driver


def _widths(browser: WebDriver) -> tuple[float, float, float]:
    """The diagram's drawn width, its box's visible and its scrollable width."""
    return browser.execute_script(
        "const box = document.querySelector('#diagram .diagram');"
        "const svg = box.querySelector('svg');"
        "return [svg.getBoundingClientRect().width, box.clientWidth,"
        " box.scrollWidth];"
    )


def _open_dispatched_appeal(
    window: WebDriver, live_server: str, driver: Driver
) -> None:
    """A dispatched appeal's staff page, with its diagram, as the dispatcher."""
    appellant = driver.submit()
    driver.dispatch(appellant.number, "zjj")
    sign_in(window, live_server, "dispatcher")
    window.get(f"{live_server}/staff/appeals/{appellant.number}")
    wait_for_text(window, "流程图")


def test_the_diagram_fits_its_card_and_zooms(
    browser: WebDriver, live_server: str, driver: Driver
) -> None:
    _open_dispatched_appeal(browser, live_server, driver)
    drawn, visible, scrolled = _widths(browser)
    assert abs(drawn - visible) <= 2 and scrolled <= visible + 2
    screenshot(browser, "polish-diagram-fits")

    browser.find_element(By.CSS_SELECTOR, "label[for=diagram-zoom]").click()
    drawn, visible, scrolled = _widths(browser)
    assert drawn > 2 * visible and scrolled > visible  # natural size, scrolled


def test_a_wide_diagram_scrolls_on_a_phone(
    phone: WebDriver, live_server: str, driver: Driver
) -> None:
    _open_dispatched_appeal(phone, live_server, driver)
    drawn, visible, scrolled = _widths(phone)
    assert drawn > visible and scrolled > visible
    screenshot(phone, "polish-diagram-phone")


def test_admin_cards_are_padded_and_tables_styled(
    browser: WebDriver, live_server: str
) -> None:
    sign_in(browser, live_server, "admin")
    for path in ("/admin/definitions", "/admin/users", "/admin/departments"):
        browser.get(f"{live_server}{path}")
        for card in browser.find_elements(By.CSS_SELECTOR, "main .card"):
            body = card.find_element(By.CSS_SELECTOR, ".card-body")
            padding = body.value_of_css_property("padding-left")
            assert float(padding.removesuffix("px")) >= 8, path
        for table in browser.find_elements(By.CSS_SELECTOR, "main table"):
            assert "table" in (table.get_attribute("class") or "").split(), path
    screenshot(browser, "polish-admin-users")
