"""Fixtures for the browser tests: the real `minnow serve` binary on a free loopback port
with a temporary data directory (tests/minnow_server.py), and headless Chromium (Debian's
chromium + chromedriver) driven by Selenium. Screenshots go to test-output/screenshots/."""
import pathlib
import shutil
import sys

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from minnow_server import ROOT, running_server  # noqa: E402  (tests/minnow_server.py, shared with tests/contract)

SCREENSHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def server():
    with running_server("minnow-browser-") as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(argument)
    service = Service(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    # Lookups wait up to 5 s for the element: a click that navigates may return before the
    # next page is there, more so on a loaded machine.
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    counter = {"n": 0}

    def take(driver, name):
        counter["n"] += 1
        path = SCREENSHOTS / f"{counter['n']:02d}-{name}.png"
        # The whole page, not only the window: grow the window to the document's height.
        height = driver.execute_script("return Math.max(document.body.scrollHeight, 600)")
        width = driver.get_window_size()["width"]
        driver.set_window_size(width, min(height + 120, 4000))
        # Let lazily loaded images that came into view arrive.
        driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const images = Array.from(document.images).filter((i) => !i.complete);
            Promise.all(images.map((i) => new Promise((r) => { i.onload = i.onerror = r; }))).then(() => setTimeout(done, 100));
        """)
        driver.save_screenshot(str(path))
        driver.set_window_size(width, 900)
        return path

    return take
