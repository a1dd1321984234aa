"""The web app in a real browser: sign up, create a project, upload a zip (drag-and-drop
input, progress, background import job polled from the page), browse and relabel in the
grid, read the analysis, manage labels, create an API key, export, train a small model and
watch it live, open the iteration, download the Arduino library, publish, try an image,
sign out."""
import io
import time
import urllib.error
import urllib.request
import zipfile

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from minnow_server import png


def make_zip(path):
    with zipfile.ZipFile(path, "w") as archive:
        for split, count in (("train", 6), ("test", 2)):
            for label, base in (("cat", 0), ("dog", 1000)):
                for i in range(count):
                    archive.writestr(f"{split}/{label}/{label}-{split}-{i}.png", png(base + i + (500 if split == "test" else 0)))
        archive.writestr("notes.txt", "not an image")
    return path


def wait(driver, seconds=30):
    return WebDriverWait(driver, seconds)


def test_sign_up_to_sign_out(server, browser, screenshot, tmp_path):
    driver = browser
    driver.get(server + "/")
    assert "/sign-in" in driver.current_url
    screenshot(driver, "sign-in")

    # Sign up: a short password is refused next to the field, then a good one works.
    driver.find_element(By.LINK_TEXT, "Create an account").click()
    driver.find_element(By.ID, "f-username").send_keys("ada")
    driver.find_element(By.ID, "f-password").send_keys("short")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    error = wait(driver).until(ec.presence_of_element_located((By.ID, "f-password-error")))
    assert "at least 8 characters" in error.text
    screenshot(driver, "sign-up-error")
    driver.find_element(By.ID, "f-password").send_keys("correct horse")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait(driver).until(ec.url_contains("/projects"))
    assert driver.get_cookie("minnow_session")["httpOnly"] is True

    # Create a project.
    driver.find_element(By.ID, "f-name").send_keys("Pets")
    driver.find_element(By.CSS_SELECTOR, "form[action='/projects'] button[type=submit]").click()
    wait(driver).until(ec.url_contains("/upload"))
    screenshot(driver, "upload-empty")

    # Upload a zip through the drop zone's file input: progress, job polling, per-file report.
    archive = make_zip(tmp_path / "pets.zip")
    driver.find_element(By.ID, "file-input").send_keys(str(archive))
    wait(driver, 90).until(ec.visibility_of_element_located((By.ID, "upload-done")))
    status = driver.find_element(By.ID, "upload-status").text
    assert "16 added" in status and "1 rejected" in status, status
    report = driver.find_element(By.ID, "upload-report").text
    assert "notes.txt" in report and "rejected" in report
    screenshot(driver, "upload-report")

    # The grid: 16 tiles; select two cats and relabel them.
    driver.find_element(By.LINK_TEXT, "See the images").click()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".grid")))
    assert len(driver.find_elements(By.CSS_SELECTOR, ".tile")) == 16
    screenshot(driver, "grid")
    Select(driver.find_element(By.ID, "filter-label")).select_by_value("cat")
    driver.find_element(By.CSS_SELECTOR, "form[aria-label='Filter images'] button").click()
    wait(driver).until(ec.url_contains("label=cat"))
    picks = driver.find_elements(By.CSS_SELECTOR, "input.pick")
    assert len(picks) == 8
    picks[0].click()
    picks[1].click()
    assert driver.find_element(By.ID, "selected-count").text == "2 selected"
    Select(driver.find_element(By.ID, "f-action")).select_by_value("relabel")
    driver.find_element(By.ID, "f-label").send_keys("kitten")
    driver.find_element(By.CSS_SELECTOR, "#batch button[type=submit]").click()
    wait(driver).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "Relabelled 2 images"))
    assert len(driver.find_elements(By.CSS_SELECTOR, ".tile")) == 6
    screenshot(driver, "grid-relabelled")

    # One image's page.
    driver.find_elements(By.CSS_SELECTOR, ".tile a")[0].click()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".viewer img")))
    screenshot(driver, "image")

    # Analysis: SVG charts, problems linking to images.
    driver.find_element(By.LINK_TEXT, "Analysis").click()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "svg.chart")))
    assert "Too Few Examples" in driver.page_source  # "kitten" has 2 images
    screenshot(driver, "analysis")

    # Labels: merge kitten back into cat.
    driver.find_element(By.LINK_TEXT, "Labels").click()
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "th").text for r in rows] == ["cat", "dog", "kitten"]
    screenshot(driver, "labels")
    kitten = rows[2]
    name = kitten.find_element(By.CSS_SELECTOR, "input[name=name]")
    name.clear()
    name.send_keys("cat")
    kitten.find_element(By.CSS_SELECTOR, "form[action$='/labels/rename'] button").click()
    wait(driver).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".notice"), "Label renamed"))
    assert [r.find_element(By.CSS_SELECTOR, "th").text for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr")] == ["cat", "dog"]

    # Export: the link downloads the zip with the session cookie.
    driver.find_element(By.LINK_TEXT, "Data").click()
    href = driver.find_element(By.LINK_TEXT, "Export all as zip").get_attribute("href")
    cookie = driver.get_cookie("minnow_session")["value"]
    request = urllib.request.Request(href, headers={"Cookie": "minnow_session=" + cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        exported = zipfile.ZipFile(io.BytesIO(response.read()))
    names = exported.namelist()
    assert len(names) == 16 and any(n.startswith("train/cat/") for n in names) and any(n.startswith("test/dog/") for n in names)

    # An API key, shown once.
    driver.find_element(By.LINK_TEXT, "API keys").click()
    driver.find_element(By.ID, "f-name").send_keys("door camera")
    Select(driver.find_element(By.ID, "f-projectId")).select_by_visible_text("Pets")
    driver.find_element(By.CSS_SELECTOR, "form[action='/keys'] button[type=submit]").click()
    secret = driver.find_element(By.ID, "new-key").text
    assert secret.startswith("mnw_") and len(secret) == 47
    assert driver.current_url.endswith("/keys"), "the form redirected (post/redirect/get)"
    screenshot(driver, "api-key")
    driver.refresh()  # a reload sends no form again and no longer shows the secret
    assert "door camera" in driver.find_element(By.CSS_SELECTOR, "tbody").text
    assert secret not in driver.page_source and not driver.find_elements(By.ID, "new-key")
    assert len(driver.find_elements(By.CSS_SELECTOR, "tbody tr")) == 1, "no second key was created"

    # Train: the form shows the dataset's defaults; a bad value is refused next to its field.
    driver.find_element(By.LINK_TEXT, "Projects").click()
    driver.find_element(By.LINK_TEXT, "Pets").click()
    driver.find_element(By.LINK_TEXT, "Train").click()
    wait(driver).until(ec.presence_of_element_located((By.ID, "f-epochs")))
    assert driver.find_element(By.ID, "f-epochs").get_attribute("value") == "20"
    screenshot(driver, "train-form")

    def fill(name, value):
        element = driver.find_element(By.ID, "f-" + name)
        element.clear()
        element.send_keys(value)

    Select(driver.find_element(By.ID, "f-architecture")).select_by_value("tiny-cnn")
    fill("epochs", "0")
    driver.find_element(By.CSS_SELECTOR, "form.train-form button[type=submit]").click()
    wait(driver).until(ec.presence_of_element_located((By.ID, "f-epochs-error")))
    assert "epochs must be 1–500" in driver.find_element(By.ID, "f-epochs-error").text
    screenshot(driver, "train-error")

    # A small model: 16x16 grayscale tiny-cnn, a few epochs; the page follows it live.
    for name, value in (("width", "16"), ("height", "16"), ("epochs", "12"), ("batchSize", "4"),
                        ("learningRate", "0.005"), ("validationFraction", "0.2"), ("note", "browser test")):
        fill(name, value)
    Select(driver.find_element(By.ID, "f-colorMode")).select_by_value("grayscale")
    driver.find_element(By.CSS_SELECTOR, "form.train-form button[type=submit]").click()
    wait(driver).until(ec.url_contains("/iterations/"))
    iteration_url = driver.current_url.split("?")[0]
    screenshot(driver, "iteration-live")
    finished = WebDriverWait(driver, 240, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))
    # The badge turns live; the page then reloads with the results (no live section).
    finished.until(lambda d: not d.find_elements(By.ID, "live")
                   and d.find_element(By.ID, "status-badge").text in ("succeeded", "failed", "canceled"))
    assert driver.find_element(By.ID, "status-badge").text == "succeeded", driver.find_element(By.TAG_NAME, "main").text
    assert len(driver.find_elements(By.CSS_SELECTOR, "#curves polyline")) >= 2
    assert "Confusion matrix" in driver.page_source and "Memory per board" in driver.page_source
    screenshot(driver, "iteration")

    # The Arduino library for a chosen board downloads with the session cookie.
    Select(driver.find_element(By.ID, "f-board")).select_by_value("pico")
    action = driver.find_element(By.ID, "arduino-download").get_attribute("action")
    cookie = driver.get_cookie("minnow_session")["value"]
    request = urllib.request.Request(action + "?board=pico", headers={"Cookie": "minnow_session=" + cookie})
    with urllib.request.urlopen(request, timeout=120) as response:
        assert "arduino-pico.zip" in response.headers["Content-Disposition"]
        library = zipfile.ZipFile(io.BytesIO(response.read()))
    assert any(n.endswith("library.properties") for n in library.namelist()), library.namelist()

    # Iterations tab.
    driver.find_element(By.LINK_TEXT, "Iterations").click()
    assert "Iteration 1" in driver.find_element(By.CSS_SELECTOR, "tbody").text
    screenshot(driver, "iterations")

    # Deploy: publish under a name; the prediction key is shown once and fills the try-it box.
    driver.find_element(By.LINK_TEXT, "Deploy").click()
    fill("name", "pets-web")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/deploy'] button[type=submit]").click()
    key = wait(driver).until(ec.presence_of_element_located((By.ID, "new-prediction-key"))).text
    assert key.startswith("mnwp_")
    assert driver.find_element(By.ID, "try-key").get_attribute("value") == key
    assert "minnow predict pets-web photo.jpg" in driver.find_element(By.ID, "snippet-cli").text
    screenshot(driver, "deploy-key")

    # Try an image: the prediction API answers with every label's score.
    sample = tmp_path / "try.png"
    sample.write_bytes(png(7))
    driver.find_element(By.ID, "try-file").send_keys(str(sample))
    wait(driver, 60).until(ec.visibility_of_element_located((By.ID, "try-scores")))
    assert "It sees" in driver.find_element(By.ID, "try-status").text
    assert len(driver.find_elements(By.CSS_SELECTOR, "#try-scores tbody tr")) == 2
    screenshot(driver, "try-it")

    # The request is counted (statistics are written every few seconds).
    deadline = time.time() + 20
    while True:
        driver.get(driver.current_url.split("?")[0])
        cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "tbody tr td")]
        if len(cells) > 3 and cells[2] == "1" or time.time() > deadline:
            break
        time.sleep(1)
    assert cells[2] == "1", cells
    assert key not in driver.page_source, "the key is shown only once"
    screenshot(driver, "deploy")

    # The iteration page at phone width.
    driver.set_window_size(390, 900)
    driver.get(iteration_url)
    screenshot(driver, "iteration-phone")
    driver.set_window_size(1280, 900)

    # A longer run followed live: epoch, speed and loss change from the event stream without a
    # reload while it trains, and Cancel stops it.
    driver.find_element(By.LINK_TEXT, "Train").click()
    wait(driver).until(ec.presence_of_element_located((By.ID, "f-epochs")))
    Select(driver.find_element(By.ID, "f-architecture")).select_by_value("mobilenet-v1")
    for name, value in (("width", "96"), ("height", "96"), ("epochs", "500"), ("batchSize", "4"), ("note", "long run")):
        fill(name, value)
    driver.find_element(By.CSS_SELECTOR, "form.train-form button[type=submit]").click()
    wait(driver).until(ec.url_contains("/iterations/"))
    driver.execute_script("window.sameDocument = true")
    live = WebDriverWait(driver, 180, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))

    def epoch(d):
        text = d.find_element(By.ID, "live-epoch").text
        return int(text.split(" / ")[0]) if " / " in text else 0

    live.until(lambda d: epoch(d) >= 1)
    first = epoch(driver)
    live.until(lambda d: epoch(d) > first)
    assert driver.execute_script("return window.sameDocument === true"), "the numbers changed without a reload"
    assert driver.find_element(By.ID, "live-speed").text.isdigit()
    assert driver.find_element(By.ID, "live-status").text == "running"
    assert driver.find_element(By.ID, "status-badge").text == "running"
    screenshot(driver, "iteration-progress")
    driver.find_element(By.CSS_SELECTOR, "form[action$='/cancel'] button").click()
    driver.switch_to.alert.accept()
    live.until(lambda d: not d.find_elements(By.ID, "live") and d.find_element(By.ID, "status-badge").text == "canceled")
    screenshot(driver, "iteration-canceled")

    # Phone width: the grid still works.
    driver.set_window_size(390, 900)
    driver.find_element(By.LINK_TEXT, "Projects").click()
    screenshot(driver, "projects-phone")
    driver.set_window_size(1280, 900)
    screenshot(driver, "projects")

    # Sign out: the old cookie no longer works.
    driver.find_element(By.CSS_SELECTOR, "form[action='/sign-out'] button").click()
    wait(driver).until(ec.url_contains("/sign-in"))
    assert "You are signed out" in driver.page_source
    request = urllib.request.Request(server + "/v1/auth/me", headers={"Cookie": "minnow_session=" + cookie})
    try:
        urllib.request.urlopen(request, timeout=10)
        assert False, "the revoked session still works"
    except urllib.error.HTTPError as error:
        assert error.code == 401
    screenshot(driver, "signed-out")


def test_boxes_are_drawn_on_detection_images(server, browser, screenshot, tmp_path):
    driver = browser
    driver.get(server + "/sign-up")
    driver.find_element(By.ID, "f-username").send_keys("bob")
    driver.find_element(By.ID, "f-password").send_keys("correct horse")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait(driver).until(ec.url_contains("/projects"))
    driver.find_element(By.ID, "f-name").send_keys("Birds")
    Select(driver.find_element(By.ID, "f-task")).select_by_value("detection")
    driver.find_element(By.CSS_SELECTOR, "form[action='/projects'] button[type=submit]").click()
    wait(driver).until(ec.url_contains("/upload"))

    # A loose image upload (multipart to the API), then its page.
    image = tmp_path / "feeder.png"
    image.write_bytes(png(4242, size=64))
    driver.find_element(By.ID, "file-input").send_keys(str(image))
    wait(driver, 60).until(ec.visibility_of_element_located((By.ID, "upload-done")))
    assert "1 added" in driver.find_element(By.ID, "upload-status").text
    driver.find_element(By.LINK_TEXT, "See the images").click()
    driver.find_element(By.CSS_SELECTOR, ".tile a").click()
    wait(driver).until(ec.presence_of_element_located((By.ID, "box-editor")))

    # Draw a box with the pointer, label it, save; it is there after a reload.
    driver.find_element(By.ID, "box-label").send_keys("robin")
    canvas = driver.find_element(By.ID, "box-canvas")
    ActionChains(driver).move_to_element_with_offset(canvas, -100, -100).click_and_hold() \
        .move_by_offset(150, 120).release().perform()
    wait(driver).until(ec.text_to_be_present_in_element((By.ID, "box-status"), "Box added"))
    driver.find_element(By.ID, "save-boxes").click()
    wait(driver).until(ec.text_to_be_present_in_element((By.ID, "box-status"), "Saved 1 boxes"))
    driver.refresh()
    wait(driver).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#box-layer rect")))
    labels = [i.get_attribute("value") for i in driver.find_elements(By.CSS_SELECTOR, "#box-table input[type=text]")]
    assert labels == ["robin"]
    screenshot(driver, "detection-boxes")
    driver.find_element(By.CSS_SELECTOR, "form[action='/sign-out'] button").click()
