"""Fixtures for the contract tests: the real `minnow serve` (tests/minnow_server.py) with a
seeded world for the fuzzer to find (a user signed in through the web form, a project with
labelled images, a trained iteration, a deployment, a device with an install, a bridge, a
job, API keys, a camera linked to the deployment with its own key and a first frame), and the
record of every status code each operation answered."""
import contextlib
import html
import pathlib
import re
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from minnow_server import ROOT, minnow_binary, png, running_server  # noqa: E402

PASSWORD = "contract-password-1"
PERMISSIONS = ["read", "write", "ingest", "predict", "bridge"]
PREDICTIONS_PER_MINUTE = 20


@dataclass
class World:
    url: str
    data_dir: pathlib.Path
    username: str
    token: str                 # a person's access token (API)
    session_cookie: str        # the web session: cookie ...
    csrf: str                  # ... and the CSRF token of its pages
    api_key: str               # every permission on the project
    predict_only_key: str      # only `predict`: 403 for everything else in the project
    spare_tokens: list         # signed-in tokens of users spare-0..3, for password, logout and deletion
    prediction_key: str        # the `contract` deployment's
    image_ids: list
    targeted_device: str       # board-2 on bridge `targeted`, with a built install the fuzzer never claims
    targeted_install: str
    camera_device: str         # camera-1, a camera reading its frames with the `contract` deployment
    camera_key: str            # camera-1's own key: exactly `ingest`, bound to it, no frame limits
    ids: dict                  # path parameter name -> a seeded value
    predictions_per_minute: int = PREDICTIONS_PER_MINUTE  # the server's --prediction-rate-limit
    observed: dict = field(default_factory=lambda: defaultdict(set))  # (METHOD, path) -> statuses

    def bearer(self, token=None):
        return {"Authorization": f"Bearer {token or self.token}"}

    def record(self, method, path, status):
        self.observed[(method.upper(), path)].add(str(status))


def _json(response, status):
    assert response.status_code == status, f"{response.request.method} {response.url}: {response.status_code} {response.text[:500]}"
    return response.json() if response.content else None


def _web_session(url, username):
    """Signs in through the web form like a browser; returns (session cookie, page CSRF token)."""
    browser = requests.Session()
    form = browser.get(url + "/sign-in")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    signed_in = browser.post(url + "/sign-in", data={"csrf": token, "username": username, "password": PASSWORD},
                             headers={"Origin": url}, allow_redirects=False)
    assert signed_in.status_code == 303, signed_in.text[:500]
    page = browser.get(url + "/projects")
    csrf = html.unescape(re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text).group(1))
    return browser.cookies["minnow_session"], csrf


@contextlib.contextmanager
def _worker(data_dir):
    """A `minnow worker` of our own for the seed jobs, stopped afterwards: the server runs
    with --workers 0 so that what the fuzzer queues (iterations of up to 500 epochs,
    evaluations, firmware builds) never runs on this shared machine."""
    log = open(data_dir / "worker.log", "w")
    worker = subprocess.Popen([str(minnow_binary()), "worker", "--data-dir", str(data_dir)], stdout=log, stderr=subprocess.STDOUT)
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()


def _wait_for(url, path, headers, done, worker, data_dir, what):
    deadline = time.time() + 180
    while True:
        current = _json(requests.get(url + path, headers=headers), 200)
        if current["status"] in done:
            return current
        assert worker.poll() is None, "minnow worker exited: " + (data_dir / "worker.log").read_text()
        assert time.time() < deadline, f"{what} did not finish in 180 s: {current}"
        time.sleep(0.5)


def _seed(url, data_dir):
    username = "contract"
    _json(requests.post(url + "/v1/auth/register", json={"username": username, "password": PASSWORD}), 201)
    token = _json(requests.post(url + "/v1/auth/login", json={"username": username, "password": PASSWORD}), 200)["accessToken"]
    headers = {"Authorization": f"Bearer {token}"}
    cookie, csrf = _web_session(url, username)

    spare_tokens = []
    for n in range(4):
        name = f"spare-{n}"
        _json(requests.post(url + "/v1/auth/register", json={"username": name, "password": PASSWORD}), 201)
        spare_tokens.append(_json(requests.post(url + "/v1/auth/login", json={"username": name, "password": PASSWORD}), 200)["accessToken"])

    project = _json(requests.post(url + "/v1/projects", headers=headers, json={
        "name": "Contract", "task": "classification", "input": {"width": 16, "height": 16, "colorMode": "grayscale"}}), 201)["id"]
    image_ids = []
    for label, base in (("cat", 0), ("dog", 1000)):
        for split, count, offset in (("train", 8, 0), ("test", 3, 500)):
            files = [("files", (f"{label}-{split}-{i}.png", png(base + offset + i, size=16), "image/png")) for i in range(count)]
            report = _json(requests.post(f"{url}/v1/projects/{project}/images", headers=headers,
                                         params={"label": label, "split": split}, files=files), 200)
            assert report["accepted"] == count, report
            image_ids += [f["imageId"] for f in report["files"]]

    with _worker(data_dir) as worker:
        iteration = _json(requests.post(f"{url}/v1/projects/{project}/iterations", headers=headers,
                                        json={"architecture": "tiny-cnn", "epochs": 1, "batchSize": 8}), 202)
        iteration = _wait_for(url, f"/v1/projects/{project}/iterations/{iteration['id']}", headers,
                              ("succeeded", "failed", "canceled"), worker, data_dir, "the seed iteration")
        assert iteration["status"] == "succeeded", iteration
        deployment = _json(requests.post(f"{url}/v1/projects/{project}/deployments", headers=headers,
                                         json={"name": "contract", "iterationId": iteration["id"]}), 201)
        key = _json(requests.post(url + "/v1/api-keys", headers=headers,
                                  json={"name": "fuzzer", "projectId": project, "permissions": PERMISSIONS}), 201)
        predict_only = _json(requests.post(url + "/v1/api-keys", headers=headers,
                                           json={"name": "predict only", "projectId": project, "permissions": ["predict"]}), 201)
        # Two bridges, each with a board and a built install: the fuzzer works on `bench`,
        # the targeted tests carry `targeted`'s install through claim, flash and verify.
        installs = {}
        for bridge, device_name in (("bench", "board-1"), ("targeted", "board-2")):
            _json(requests.post(f"{url}/v1/projects/{project}/bridges/{bridge}/heartbeat",
                                headers={"Authorization": f"Bearer {key['key']}"},
                                json={"version": "contract", "hostname": "localhost", "ports": []}), 200)
            device = _json(requests.post(f"{url}/v1/projects/{project}/devices", headers=headers,
                                         json={"name": device_name, "profile": "mps2-an386", "bridge": bridge}), 201)["id"]
            install = _json(requests.post(f"{url}/v1/projects/{project}/devices/{device}/installs", headers=headers,
                                          json={"iterationId": iteration["id"]}), 202)["id"]
            built = _wait_for(url, f"/v1/projects/{project}/devices/{device}/installs/{install}", headers,
                              ("ready", "failed"), worker, data_dir, "the seed firmware")
            assert built["status"] == "ready", built
            installs[bridge] = (device, install)

    # A camera read by the `contract` deployment, its own key, and its first frame (the
    # observation the fuzzer reads; its frame is kept under the default retention).
    camera = _json(requests.post(f"{url}/v1/projects/{project}/devices", headers=headers,
                                 json={"name": "camera-1", "kind": "camera", "deployment": deployment["name"]}), 201)["id"]
    camera_key = _json(requests.post(url + "/v1/api-keys", headers=headers, json={
        "name": "camera-1", "projectId": project, "permissions": ["ingest"], "deviceId": camera}), 201)
    assert camera_key["deviceId"] == camera and camera_key["permissions"] == ["ingest"], camera_key
    observation = _json(requests.post(f"{url}/v1/projects/{project}/devices/{camera}/frames",
                                      headers={"Authorization": f"Bearer {camera_key['key']}", "Content-Type": "image/png"},
                                      data=png(4242, size=16)), 201)
    assert observation["frame"] == "stored" and observation["deviceId"] == camera, observation

    return World(
        url=url, data_dir=data_dir, username=username, token=token, session_cookie=cookie, csrf=csrf,
        api_key=key["key"], predict_only_key=predict_only["key"], spare_tokens=spare_tokens,
        prediction_key=deployment["predictionKey"], image_ids=image_ids,
        targeted_device=installs["targeted"][0], targeted_install=installs["targeted"][1],
        camera_device=camera, camera_key=camera_key["key"],
        ids={
            "projectId": project, "imageId": image_ids[0], "iterationId": iteration["id"], "jobId": iteration["jobId"],
            "keyId": key["id"], "deployment": deployment["name"], "deviceId": installs["bench"][0],
            "installId": installs["bench"][1], "bridgeName": "bench", "label": "cat", "kind": "model-card",
            "observationId": observation["id"],
        },
    )


@pytest.fixture(scope="session")
def world():
    # --workers 0: see _worker. --prediction-rate-limit: low enough for a test to reach 429.
    # --login-attempts-per-address: the fuzzer's sign-ins all come from 127.0.0.1; however many
    # it makes, the targeted sign-ins still answer (the per-username limit gives their 429).
    # The server's log is kept in test-output/contract/server.log.
    arguments = ("--workers", "0", "--prediction-rate-limit", str(PREDICTIONS_PER_MINUTE),
                 "--login-attempts-per-address", "100000")
    with running_server("minnow-contract-", *arguments, keep_log=ROOT / "test-output" / "contract" / "server.log") as (url, data_dir):
        yield _seed(url, data_dir)
