"""Fixtures for the browser tests: the real `minnow serve` binary on a free loopback port
with a temporary data directory, and headless Chromium (Debian's chromium + chromedriver)
driven by Selenium. Screenshots go to test-output/screenshots/."""
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    binary = pathlib.Path(os.environ.get("MINNOW_BIN", ROOT / ".build" / "debug" / "minnow"))
    assert binary.exists(), f"{binary} is missing: build it first (swift build --product minnow)"
    data = tempfile.mkdtemp(prefix="minnow-browser-")
    port = _free_port()
    log = open(pathlib.Path(data) / "server.log", "w")
    process = subprocess.Popen(
        [str(binary), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data, "--bcrypt-cost", "4"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, "minnow serve exited: " + (pathlib.Path(data) / "server.log").read_text()
            assert time.time() < deadline, "minnow serve did not become healthy in 60 s"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(data, ignore_errors=True)


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
