"""Issue 13's "done when" in a real browser: a new user registers a camera on the Devices tab,
makes its key there, runs the real `minnow camera` on a folder of photos, searches the
Sightings tab for where the square was last seen, sees the frame with its box drawn over it,
and sends two frames to the dataset's labelling queue. The project (a small FOMO detector of
bright squares, trained by the server's worker) is seeded through the API."""
import json
import os
import shlex
import struct
import subprocess
import time
import urllib.error
import urllib.request
import uuid
import zlib

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from minnow_server import minnow_binary

PASSWORD = "correct horse"


def gray_png(width, height, pixels):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def square_image(seed):
    """A bright 6x6 square on dark noise, 32x32 grayscale (DetectionTrainingTests.squareImage):
    (PNG, box as fractions of the image)."""
    state = (seed * 2654435761 + 3) & 0xFFFFFFFF

    def next_value():
        nonlocal state
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        return state >> 24

    x0, y0 = 2 + next_value() % 22, 2 + next_value() % 22
    pixels = [220 if x0 <= x < x0 + 6 and y0 <= y < y0 + 6 else 30 + next_value() % 30 for y in range(32) for x in range(32)]
    return gray_png(32, 32, pixels), {"x": x0 / 32, "y": y0 / 32, "width": 6 / 32, "height": 6 / 32}


def api(server, method, path, token, body=None, files=None, query=""):
    """One JSON API call with a bearer token; `files` [(name, bytes)] goes as multipart `files` parts."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if files is not None:
        boundary = uuid.uuid4().hex
        parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\n"
                 f"Content-Type: image/png\r\n\r\n".encode() + content + b"\r\n" for name, content in files]
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(server + path + query, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            content = response.read()
            return json.loads(content) if content and response.headers.get_content_type() == "application/json" else content
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {path}{query}: {error.code} {error.read()[:500]!r}") from None


def seed_detector(server, username):
    """A user, a detection project of squares (48 training, 8 test images with their boxes),
    an iteration trained by the server's worker, and its deployment. Returns (token, project)."""
    api(server, "POST", "/v1/auth/register", None, {"username": username, "password": PASSWORD})
    token = api(server, "POST", "/v1/auth/login", None, {"username": username, "password": PASSWORD})["accessToken"]
    project = api(server, "POST", "/v1/projects", token, {
        "name": "Squares", "task": "detection", "input": {"width": 32, "height": 32, "colorMode": "grayscale"}})["id"]
    for split, seeds in (("train", range(48)), ("test", range(100, 108))):
        images = {f"s{seed}.png": square_image(seed) for seed in seeds}
        report = api(server, "POST", f"/v1/projects/{project}/images", token, query=f"?split={split}",
                     files=[(name, png) for name, (png, _) in images.items()])
        assert report["accepted"] == len(images), report
        for file in report["files"]:
            box = dict(images[file["fileName"]][1], label="square")
            api(server, "PATCH", f"/v1/projects/{project}/images/{file['imageId']}", token, {"boxes": [box]})
    iteration = api(server, "POST", f"/v1/projects/{project}/iterations", token, {
        "input": {"width": 32, "height": 32, "colorMode": "grayscale"}, "epochs": 12, "batchSize": 8,
        "learningRate": 0.005, "seed": 5, "augmentation": False})
    deadline = time.time() + 120
    while iteration["status"] not in ("succeeded", "failed", "canceled"):
        assert time.time() < deadline, f"the iteration did not finish in 120 s: {iteration}"
        time.sleep(0.5)
        iteration = api(server, "GET", f"/v1/projects/{project}/iterations/{iteration['id']}", token)
    assert iteration["status"] == "succeeded", iteration
    api(server, "POST", f"/v1/projects/{project}/deployments", token, {"name": "squares", "iterationId": iteration["id"]})
    return token, project


def wait(driver, seconds=30):
    return WebDriverWait(driver, seconds)


def contrast(driver, element):
    """WCAG contrast ratio of an element's text colour on its (opaque) background colour."""
    return driver.execute_script("""
        const style = getComputedStyle(arguments[0]);
        const luminance = (colour) => {
            const [r, g, b] = colour.match(/[\\d.]+/g).slice(0, 3).map((c) => {
                c = c / 255;
                return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
    """, element)


@pytest.fixture
def signed_out_browser(server, browser):
    """The shared browser with no session before the test, nor after it (also when it fails)."""
    browser.get(server + "/sign-in")
    browser.delete_all_cookies()
    yield browser
    browser.get(server + "/sign-in")
    browser.delete_all_cookies()


def test_camera_frames_searched_and_sent_to_the_dataset(server, signed_out_browser, screenshot, tmp_path):
    driver = signed_out_browser
    token, project = seed_detector(server, "carol")

    # Sign in through the page as that new user.
    driver.get(server + "/sign-in")
    driver.find_element(By.ID, "f-username").send_keys("carol")
    driver.find_element(By.ID, "f-password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait(driver).until(ec.url_contains("/projects"))

    # Devices tab: register a camera read by the deployment.
    driver.get(f"{server}/projects/{project}")
    driver.find_element(By.LINK_TEXT, "Devices").click()
    driver.find_element(By.ID, "f-name").send_keys("yard-cam")
    Select(driver.find_element(By.ID, "f-kind")).select_by_value("camera")
    Select(driver.find_element(By.ID, "f-deployment")).select_by_value("squares")
    driver.find_element(By.CSS_SELECTOR, f"form[action='/projects/{project}/devices'] button[type=submit]").click()
    wait(driver).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "Camera saved"))
    device = driver.current_url.split("?")[0].rstrip("/").rsplit("/", 1)[1]
    assert "/devices/" in driver.current_url and device != "devices", driver.current_url

    # Its page makes its key, shown once, and the command to run with it.
    driver.find_element(By.XPATH, "//button[normalize-space()='Create a key for this camera']").click()
    key = wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#camera-key code"))).text
    assert key.startswith("mnw_"), key
    command = driver.find_element(By.ID, "camera-command").text
    screenshot(driver, "camera-key")
    # Problems that leave the rest of the flow testable are collected and fail the test at the end.
    problems = []
    ratio = contrast(driver, driver.find_element(By.ID, "camera-command"))
    if ratio < 4.5:
        problems.append(f"the camera command's text has a contrast of {ratio:.2f}:1 on its background (WCAG AA: 4.5)")
    words = shlex.split(command)
    assert words[0] == f"MINNOW_TOKEN={key}" and words[1] == "minnow" and words[2] == "camera", command
    options = dict(zip(words[3::2], words[4::2]))
    assert options == {"--server": server, "--project": project, "--device": device, "--folder": "/path/to/photos"}, command

    # The real `minnow camera`, run as printed, on a folder of photos it has never seen.
    photos = tmp_path / "photos"
    photos.mkdir()
    order = {}  # frame bytes -> which photo
    taken = time.time() - 600
    for n, seed in enumerate(range(900, 906)):
        png, _ = square_image(seed)
        path = photos / f"frame-{n:04d}.png"
        path.write_bytes(png)
        os.utime(path, (taken + 60 * n, taken + 60 * n))  # the capture time: a minute apart
        order[png] = n
    options["--folder"] = str(photos)
    arguments = [str(minnow_binary()), "camera"] + [word for pair in options.items() for word in pair] + ["--once", "--spool", str(tmp_path / "spool")]
    environment = dict(os.environ, MINNOW_TOKEN=key, MINNOW_CONFIG_DIR=str(tmp_path / "config"))
    run = subprocess.run(arguments, env=environment, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, f"minnow camera: {run.returncode}\n{run.stdout}\n{run.stderr}"
    assert run.stdout.count("frame stored") == 6, run.stdout

    # Sightings tab: where was the square last seen? The newest frame it was seen in, loaded,
    # with its box drawn over it where the search API says the square was.
    driver.get(f"{server}/projects/{project}")
    driver.find_element(By.LINK_TEXT, "Sightings").click()
    driver.find_element(By.ID, "f-label").send_keys("square")
    driver.find_element(By.CSS_SELECTOR, "form[role=search] button[type=submit]").click()
    wait(driver).until(ec.url_contains("label=square"))
    if not driver.find_elements(By.ID, "sightings"):
        problems.append(f"the search form's GET {driver.current_url.split(server, 1)[1]} answered: "
                        + " ".join(driver.find_element(By.TAG_NAME, "main").text.split()))
        driver.get(f"{server}/projects/{project}/sightings?label=square")
    cards = driver.find_elements(By.CSS_SELECTOR, "#sightings .card")
    assert cards, driver.find_element(By.TAG_NAME, "main").get_attribute("innerHTML")
    sightings = api(server, "GET", f"/v1/projects/{project}/sightings", token, query="?label=square")["items"]
    assert len(cards) == len(sightings), (sightings, driver.find_element(By.ID, "sightings").get_attribute("outerHTML"))
    image = cards[0].find_element(By.CSS_SELECTOR, ".viewer img")
    wait(driver).until(lambda d: d.execute_script("return arguments[0].complete", image))
    assert driver.execute_script("return arguments[0].naturalWidth", image) > 0, image.get_attribute("outerHTML")
    # Every card: its frame and one box, the sighting's cell around the object's centre.
    for card, sighting in zip(cards, sightings):
        assert sighting["observationId"] in card.find_element(By.CSS_SELECTOR, ".viewer img").get_attribute("src"), sighting
        rects = card.find_elements(By.CSS_SELECTOR, ".viewer svg rect")
        assert len(rects) == 1, card.get_attribute("outerHTML")
        drawn = [float(rects[0].get_attribute(name)) / 1000 for name in ("x", "y", "width", "height")]
        expected = (sighting["x"] - sighting["width"] / 2, sighting["y"] - sighting["height"] / 2, sighting["width"], sighting["height"])
        assert all(abs(a - b) <= 0.002 for a, b in zip(drawn, expected)), (sighting, card.get_attribute("outerHTML"))
    # The first card's box is over its picture (not beside or under it, nor of no size).
    placed = driver.execute_script("""
        const [image, rect] = arguments, a = image.getBoundingClientRect(), b = rect.getBoundingClientRect();
        return {inside: b.left >= a.left - 1 && b.right <= a.right + 1 && b.top >= a.top - 1 && b.bottom <= a.bottom + 1,
                size: b.width * b.height};
    """, image, cards[0].find_element(By.CSS_SELECTOR, ".viewer svg rect"))
    assert placed["inside"] and placed["size"] > 0, (placed, cards[0].get_attribute("outerHTML"))
    # The cards show frames the camera posted, the first from the newest photo the square was seen in.
    taken_order = [order[api(server, "GET", f"/v1/projects/{project}/observations/{s['observationId']}/frame", token)] for s in sightings]
    assert taken_order[0] == max(taken_order), (taken_order, sightings)
    screenshot(driver, "sightings")

    # Tick two frames (a frame can give several sightings: two different ones) and send them
    # to the labelling queue.
    ticked = []
    for checkbox in driver.find_elements(By.CSS_SELECTOR, "#sightings input[name=observationIds]"):
        if checkbox.get_attribute("value") not in ticked and len(ticked) < 2:
            checkbox.click()
            ticked.append(checkbox.get_attribute("value"))
    assert len(ticked) == 2, driver.find_element(By.ID, "sightings").get_attribute("outerHTML")
    Select(driver.find_element(By.CSS_SELECTOR, "#to-dataset select[name=labelled]")).select_by_value("0")
    driver.find_element(By.XPATH, "//form[@id='to-dataset']//button[normalize-space()='Add to the dataset']").click()
    wait(driver).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "Added 2 frames to the dataset"))
    assert "unlabelled=1" in driver.current_url and "source=device" in driver.current_url, driver.current_url
    tiles = driver.find_elements(By.CSS_SELECTOR, ".tile")
    assert len(tiles) == 2, driver.find_element(By.TAG_NAME, "main").get_attribute("innerHTML")
    queue = api(server, "GET", f"/v1/projects/{project}/images", token, query="?unlabelled=true&source=device")
    assert len(queue["items"]) == 2, queue
    screenshot(driver, "labelling-queue")
    driver.find_element(By.CSS_SELECTOR, "form[action='/sign-out'] button").click()
    assert not problems, "\n".join(problems)
