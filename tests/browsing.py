"""Fixtures for browser journeys, a pytest plugin of ``tests/conftest.py``.

The app is served by waitress on a free port and driven by headless Chromium
through Selenium (Debian packages ``chromium`` and ``chromium-driver``).

``.ci/run`` installs the browser where it is missing; a local run without it says
so in the skip reason.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from selenium import webdriver
from selenium.common.exceptions import (
    StaleElementReferenceException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait
from waitress.server import create_server

from conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "instance" / "screenshots"


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app, with its test database, served on 127.0.0.1 at a free port."""
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


# The phone the phone-sized journeys show: a common Android screen in CSS pixels
# at a device pixel ratio of 2. Chromium's window cannot be narrower than 500
# px, so a --window-size of 360 would still lay pages out at 500; mobile
# emulation sets the viewport itself (and touch, and the DPR of a phone).
PHONE_WIDTH = 360
PHONE_HEIGHT = 740
PHONE_PIXEL_RATIO = 2


def _options(width: int, height: int) -> Options:
    options = Options()
    options.binary_location = CHROMIUM or ""
    # Flags for a closed network and a root user in a container.
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=zh-CN",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    return options


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    """Headless Chromium at a PC window size."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(
            "headless Chromium not installed: apt-get install chromium "
            "chromium-driver (.ci/run does this)"
        )
    driver = webdriver.Chrome(
        service=Service(CHROMEDRIVER), options=_options(1280, 900)
    )
    driver.implicitly_wait(3)
    yield driver
    driver.quit()


@pytest.fixture
def phone() -> Iterator[WebDriver]:
    """Headless Chromium emulating a phone: pages laid out 360 CSS px wide."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(
            "headless Chromium not installed: apt-get install chromium "
            "chromium-driver (.ci/run does this)"
        )
    options = _options(500, 900)
    options.add_experimental_option(
        "mobileEmulation",
        {
            "deviceMetrics": {
                "width": PHONE_WIDTH,
                "height": PHONE_HEIGHT,
                "pixelRatio": PHONE_PIXEL_RATIO,
                "touch": True,
            }
        },
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(3)
    yield driver
    driver.quit()


def submit_form(
    driver: WebDriver, selector: str = "main form button[type=submit]"
) -> None:
    """Click a submit button and wait until the next page has replaced this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 10).until(lambda _driver: _detached(old))


def _detached(element: WebElement) -> bool:
    """Whether ``element`` has left the document (its page was replaced).

    Chromium reports a replaced node either as a stale element or, since version
    156, as a general inspector error ("does not belong to the document").
    """
    try:
        element.is_enabled()
    except (StaleElementReferenceException, WebDriverException):
        return True
    return False


def wait_for_text(driver: WebDriver, text: str) -> None:
    """Wait until ``text`` shows on the page (fails after 10 seconds)."""
    # A page being replaced can answer with an inspector error: try again.
    wait = WebDriverWait(driver, 10, ignored_exceptions=(WebDriverException,))
    wait.until(lambda d: text in d.page_source)


def sign_in(driver: WebDriver, base: str, username: str) -> None:
    """Sign in on the staff login page as one of the test accounts."""
    driver.get(f"{base}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    submit_form(driver)


def screenshot(driver: WebDriver, name: str) -> Path:
    """Save a PNG of the page under instance/screenshots/ for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path
