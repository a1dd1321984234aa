#!/usr/bin/env python3
"""Soak load for a running `minnow serve` (issue 16); started by benchmarks/soak/run.

  soak.py URL SERVER_PID MINUTES LABEL

Seeds a user, a training project (300 Fashion-MNIST 28x28 PNGs), an ingest project with its
API key, a first iteration and a deployment, then for MINUTES runs, concurrently (one thread
each unless said): uploads (1-4 PNGs per multipart request, with the ingest API key), zip
imports (20 PNGs, polled to the end), trainings (tiny-cnn, 1-3 epochs, one after the other as
the single worker takes them; each one re-points the deployment, its artifacts are downloaded
and an old iteration is deleted), predictions (2 threads, the deployment's key, single images
and batches of 8), exports (dataset zips and every artifact kind of the deployed iteration) and
listing pages (API lists, thumbnails, analysis and the web app's pages with the session cookie).

Every response is checked: a status other than the one the route answers when all is well,
a body that does not say what it should (a rejected upload, a failed job or training, a zip
that does not open, a prediction without scores) or a connection error is an error of its
route. Meanwhile the server process's VmRSS (and its workers') is read from /proc every
SAMPLE seconds, with its anonymous part (heap and stacks, where growth shows; the rest is the
mapped binary). Prints per-route counts, errors and p50/p99 latency, what was completed,
and memory after warm-up: start, end, max and the least-squares slope per minute.
Exit status 1 when there was any error.
"""
import gzip
import io
import json
import os
import random
import re
import sys
import threading
import time
import zipfile

import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datasets"))
from make_data import CLASSES, ROOT, png  # noqa: E402

URL, PID, MINUTES, LABEL = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
SAMPLE = float(os.environ.get("SAMPLE_SECONDS", "2"))
WARMUP = min(60.0, MINUTES * 60 / 5)      # seconds of load before memory counts
PASSWORD = "correct horse battery"
TIMEOUT = 180

# ---------------------------------------------------------------- images


class Images:
    """Distinct 28x28 grayscale PNGs: the Fashion-MNIST training set, then twisted copies."""

    def __init__(self):
        self.pixels = gzip.open(f"{ROOT}/train-images-idx3-ubyte.gz").read()[16:]
        self.labels = gzip.open(f"{ROOT}/train-labels-idx1-ubyte.gz").read()[8:]
        self.test_pixels = gzip.open(f"{ROOT}/t10k-images-idx3-ubyte.gz").read()[16:]
        self.test_labels = gzip.open(f"{ROOT}/t10k-labels-idx1-ubyte.gz").read()[8:]
        self.next = 0
        self.lock = threading.Lock()

    def fresh(self):
        """(label, png bytes) never handed out before."""
        with self.lock:
            i = self.next
            self.next += 1
        n = i % 60000
        pixels = self.pixels[n * 784:(n + 1) * 784]
        if i >= 60000:
            pixels = bytes((p + i // 60000) % 256 for p in pixels)
        return CLASSES[self.labels[n]], png(28, 28, pixels)

    def test(self, n):
        return CLASSES[self.test_labels[n]], png(28, 28, self.test_pixels[n * 784:(n + 1) * 784])


# ---------------------------------------------------------------- bookkeeping


class Problem(Exception):
    """A 2xx answer that does not say what it should."""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = {}      # route -> [seconds]
        self.errors = {}       # route -> count
        self.examples = []     # first few errors, for the report
        self.done = {}         # what was completed -> count

    def record(self, route, seconds, error=None):
        with self.lock:
            self.latency.setdefault(route, []).append(seconds)
            self.errors.setdefault(route, 0)
            if error is not None:
                self.errors[route] += 1
                if len(self.examples) < 20:
                    self.examples.append(f"{time.strftime('%H:%M:%S')} {route}: {error}")

    def count(self, what, n=1):
        with self.lock:
            self.done[what] = self.done.get(what, 0) + n


stats = Stats()
stop = threading.Event()


class Client:
    """One keep-alive connection pool per thread; every call is timed and checked."""

    def __init__(self, token=None, headers=None, cookies=None):
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = "Bearer " + token
        self.http.headers.update(headers or {})
        for name, value in (cookies or {}).items():
            self.http.cookies.set(name, value)

    def call(self, route, method, path, expect=200, check=None, **kwargs):
        """The response (already checked), or None after recording an error."""
        start = time.monotonic()
        try:
            response = self.http.request(method, URL + path, timeout=TIMEOUT, **kwargs)
            seconds = time.monotonic() - start
        except requests.RequestException as error:
            stats.record(route, time.monotonic() - start, f"connection error: {type(error).__name__}: {error}")
            return None
        if response.status_code != expect:
            stats.record(route, seconds, f"HTTP {response.status_code} (expected {expect}): {response.text[:300]!r}")
            return None
        try:
            if check:
                check(response)
        except Exception as error:  # noqa: BLE001 - any failed check is this route's error
            stats.record(route, seconds, f"bad answer: {type(error).__name__}: {error}")
            return None
        stats.record(route, seconds)
        return response


def require(condition, message):
    if not condition:
        raise Problem(message)


def multipart(files):
    return [("files", (f"{i}.png", data, "image/png")) for i, data in enumerate(files)]


def archive(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in entries:
            z.writestr(name, data)
    return buffer.getvalue()


def zip_entries(response):
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        require(z.testzip() is None, "a corrupt zip entry")
        return z.namelist()


def paced(period, action):
    """Runs action every `period` seconds until the end of the soak."""
    while not stop.is_set():
        start = time.monotonic()
        try:
            action()
        except Exception as error:  # noqa: BLE001 - a bug in the load itself must not end the soak silently
            stats.record("(load driver)", 0.0, f"{type(error).__name__}: {error}")
        stop.wait(max(0.0, period - (time.monotonic() - start)))


# ---------------------------------------------------------------- memory


def rss_kib(pid, field="VmRSS"):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def children(pid):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid and fields[0] != "Z":
                    with open(f"/proc/{entry}/cmdline", "rb") as f:
                        if f.read().split(b"\0")[1:2] == [b"worker"]:  # not a compiler run for a C library
                            found.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return found


samples = []          # {t, server MiB, anon MiB, workers MiB, fds, threads} of the server process (workers: their RSS)
workers_seen = set()


def sample_memory():
    while not stop.is_set():
        server = rss_kib(PID)
        if server is None:
            stats.record("(server process)", 0.0, "the server process is gone")
            stop.set()
            return
        pids = children(PID)
        workers_seen.update(pids)
        try:
            fds = len(os.listdir(f"/proc/{PID}/fd"))
        except OSError:
            fds = 0
        if "start" not in fd_snapshots and load_started.is_set() and time.monotonic() >= load_started.at + WARMUP:
            fd_snapshots["start"] = fd_kinds(PID)
        samples.append({"t": time.monotonic(), "server": server / 1024, "anon": (rss_kib(PID, "RssAnon") or 0) / 1024,
                        "workers": sum(rss_kib(p) or 0 for p in pids) / 1024,
                        "fds": fds, "threads": rss_kib(PID, "Threads") or 0})
        stop.wait(SAMPLE)


def fd_kinds(pid):
    """The process's open files by kind: socket, pipe, anon_inode:[eventfd], or a file's directory."""
    kinds = {}
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            kind = target.split(":")[0] if target.startswith(("socket:", "pipe:")) else target if target.startswith("anon_inode") else os.path.dirname(target) + "/*"
            kinds[kind] = kinds.get(kind, 0) + 1
    except OSError:
        pass
    return kinds


fd_snapshots = {}


def slope_per_minute(points):
    if len(points) < 2:
        return 0.0
    xs = [t / 60 for t, _ in points]
    ys = [v for _, v in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


# ---------------------------------------------------------------- setup


def must(response):
    if response is None:
        sys.exit("seeding failed: " + stats.examples[-1])
    return response


def setup(images):
    anonymous = Client()
    must(anonymous.call("POST /v1/auth/register", "POST", "/v1/auth/register", 201, json={"username": "soak", "password": PASSWORD}))
    token = must(anonymous.call("POST /v1/auth/login", "POST", "/v1/auth/login", 200,
                                json={"username": "soak", "password": PASSWORD})).json()["accessToken"]
    me = Client(token)
    spec = {"width": 28, "height": 28, "colorMode": "grayscale"}
    train, ingest = (must(me.call("POST /v1/projects", "POST", "/v1/projects", 201,
                                  json={"name": name, "task": "classification", "input": spec})).json()["id"]
                     for name in ("soak-train", "soak-ingest"))
    key = must(me.call("POST /v1/api-keys", "POST", "/v1/api-keys", 201,
                       json={"name": "soak-uploader", "projectId": ingest, "permissions": ["ingest", "read"]})).json()["key"]
    seed = archive([(f"{label}/{n:04d}.png", data) for n in range(300) for label, data in [images.test(n)]])
    job = must(me.call("POST /v1/projects/{id}/images/import", "POST", f"/v1/projects/{train}/images/import", 202,
                       data=seed, headers={"Content-Type": "application/zip"})).json()
    job = wait_job(me, job)
    if job["status"] != "succeeded" or job["result"]["accepted"] != 300:
        sys.exit(f"seeding the training project failed: {job}")
    first = train_once(me, train, epochs=1)
    if first is None:
        sys.exit("the first training failed: " + "; ".join(stats.examples))
    created = must(me.call("POST /v1/projects/{id}/deployments", "POST", f"/v1/projects/{train}/deployments", 201,
                           json={"name": "soak", "iterationId": first["id"]})).json()
    return token, key, train, ingest, first, created["predictionKey"]


def wait_job(client, job):
    while job["status"] in ("queued", "running"):
        time.sleep(0.5)
        response = client.call("GET /v1/jobs/{id}", "GET", f"/v1/jobs/{job['id']}")
        if response is None:
            return {"status": "unknown"}
        job = response.json()
    return job


def sse(client, route, path, seconds=None):
    """Reads a server-sent event stream to its end (or for `seconds`, then hangs up as a closed
    browser tab does); the number of events, or None after recording an error."""
    start = time.monotonic()
    events = 0
    # Hanging up early: at the first line after `seconds`, or when nothing came for 5 s more
    # (between events the stream is quiet for up to 15 s).
    timeout = (30, seconds + 5) if seconds is not None else TIMEOUT
    try:
        with client.http.get(URL + path, headers={"Accept": "text/event-stream"}, stream=True, timeout=timeout) as response:
            if response.status_code != 200:
                stats.record(route, time.monotonic() - start, f"HTTP {response.status_code} (expected 200): {response.text[:300]!r}")
                return None
            for line in response.iter_lines():
                events += line.startswith(b"event: ")
                if (seconds is not None and time.monotonic() - start >= seconds) or (stop.is_set() and setup_done.is_set()):
                    break
    except requests.RequestException as error:
        hung_up = seconds is not None and events > 0 and "timed out" in str(error).lower()
        if not hung_up:
            stats.record(route, time.monotonic() - start, f"connection error: {type(error).__name__}: {error}")
            return None
    if events == 0:
        if stop.is_set():
            return None  # the run ended before the first event came: not the server's failure
        stats.record(route, time.monotonic() - start, "no events")
        return None
    stats.record(route, time.monotonic() - start)
    return events


def train_once(client, project, epochs, sse_follow=False):
    """Trains one small model and follows it with long-polled events; the iteration, or None."""
    response = client.call("POST /v1/projects/{id}/iterations", "POST", f"/v1/projects/{project}/iterations", 202,
                           json={"architecture": "tiny-cnn", "epochs": epochs, "batchSize": 32, "augmentation": False,
                                 "seed": random.randrange(1 << 20)})
    if response is None:
        return None
    iteration = response.json()
    stats.count("trainings started")
    started = time.monotonic()
    after, deadline = 0, started + 900
    if sse_follow:  # as the web app's Train page does: one stream to the end
        path = f"/v1/projects/{project}/iterations/{iteration['id']}/events"
        if sse(client, "GET /v1/projects/{id}/iterations/{id}/events (SSE to the end)", path) is None:
            return None
        deadline = 0
    while time.monotonic() < deadline:
        page = client.call("GET /v1/projects/{id}/iterations/{id}/events (long poll, wait=10)", "GET",
                           f"/v1/projects/{project}/iterations/{iteration['id']}/events?after={after}&wait=10",
                           headers={"Accept": "application/json"})
        if page is None:
            time.sleep(1)
            continue
        body = page.json()
        if body["items"]:
            after = body["items"][-1]["id"]
        if body["finished"]:
            break
        if stop.is_set() and setup_done.is_set():
            return None  # the soak is over; the server's shutdown hands the job back
    final = client.call("GET /v1/projects/{id}/iterations/{id}", "GET", f"/v1/projects/{project}/iterations/{iteration['id']}")
    if final is None:
        return None
    iteration = final.json()
    if iteration["status"] in ("queued", "running") and stop.is_set() and setup_done.is_set():
        return None  # the run ended while it trained (the event stream stops then): not the server's failure
    if iteration["status"] != "succeeded":
        stats.record(TRAINING, time.monotonic() - started, f"iteration {iteration['number']} {iteration['status']}: {iteration.get('error')}")
        return None
    stats.record(TRAINING, time.monotonic() - started)
    stats.count("trainings succeeded")
    return iteration


setup_done = threading.Event()
load_started = threading.Event()
# Rows that are whole operations (several requests), not one request.
TRAINING = "= training: POST to succeeded (1-3 epochs)"
IMPORT = "= zip import: POST to job succeeded (20 images)"

# ---------------------------------------------------------------- load


def main():
    images = Images()
    server_thread = threading.Thread(target=sample_memory, daemon=True)
    server_thread.start()
    t0 = time.monotonic()
    token, key, train, ingest, first, prediction_key = setup(images)
    setup_done.set()
    print(f"seeded in {time.monotonic() - t0:.0f} s: 300 images, iteration 1, deployment 'soak'; "
          f"{MINUTES:g} min of load ({LABEL}), memory counted after {WARMUP:.0f} s", flush=True)
    deployed = {"iteration": first, "previous": None}
    deployed_lock = threading.Lock()
    cookies = {"minnow_session": token}

    def uploader():
        client = Client(key)

        def upload():
            files = [images.fresh() for _ in range(random.randint(1, 4))]
            label = files[0][0]
            split = random.choice(["auto", "auto", "auto", "test"])
            response = client.call("POST /v1/projects/{id}/images", "POST", f"/v1/projects/{ingest}/images?label={label}&split={split}",
                                   files=multipart([data for _, data in files]),
                                   check=lambda r: require(r.json()["accepted"] == len(files), f"report {r.json()['accepted']} accepted of {len(files)}: {r.text[:200]}"))
            if response is not None:
                stats.count("uploads (requests)")
                stats.count("uploaded images", len(files))
        paced(1.0, upload)

    def importer():
        client = Client(token)

        def import_zip():
            started = time.monotonic()
            files = [images.fresh() for _ in range(20)]
            data = archive([(f"{label}/soak-{i}.png", png_bytes) for i, (label, png_bytes) in enumerate(files)])
            response = client.call("POST /v1/projects/{id}/images/import", "POST", f"/v1/projects/{ingest}/images/import", 202,
                                   data=data, headers={"Content-Type": "application/zip"})
            if response is None:
                return
            job = wait_job(client, response.json())
            if job["status"] == "succeeded" and (job.get("result") or {}).get("accepted") == 20:
                stats.record(IMPORT, time.monotonic() - started)
                stats.count("zip imports")
                stats.count("imported images", 20)
            elif job["status"] != "unknown":
                stats.record(IMPORT, time.monotonic() - started, f"job {job['status']}: {job.get('error')} {json.dumps(job.get('result'))[:200]}")
        paced(8.0, import_zip)

    def trainer():
        client = Client(token)

        def once():
            iteration = train_once(client, train, epochs=random.randint(1, 3), sse_follow=random.random() < 0.5)
            if iteration is None:
                stop.wait(5)
                return
            for kind in ("tflite", "model-card", "checkpoint"):
                download(client, iteration, kind)
            response = client.call("PATCH /v1/projects/{id}/deployments/{name}", "PATCH", f"/v1/projects/{train}/deployments/soak",
                                   json={"iterationId": iteration["id"]},
                                   check=lambda r: require(r.json()["iterationId"] == iteration["id"], "not re-pointed"))
            if response is None:
                return
            stats.count("re-points")
            with deployed_lock:
                older = deployed["previous"]
                deployed["previous"], deployed["iteration"] = deployed["iteration"], iteration
            if older is not None:  # no longer published: delete it, as someone tidying up does
                if client.call("DELETE /v1/projects/{id}/iterations/{id}", "DELETE", f"/v1/projects/{train}/iterations/{older['id']}", 204):
                    stats.count("iterations deleted")
        paced(0.0, once)

    def download(client, iteration, kind, board=None):
        checks = {
            "tflite": lambda r: require(r.content[4:8] == b"TFL3", "not a .tflite"),
            "model-card": lambda r: require(len(r.json()["labels"]) == 10, "labels missing"),
            "checkpoint": lambda r: require(len(r.content) > 1000, "checkpoint too small"),
            "c-library": lambda r: require(any(n.endswith(".c") for n in zip_entries(r)), "no .c in the C library"),
            "arduino-library": lambda r: require(any(n.endswith("library.properties") for n in zip_entries(r)), "no library.properties"),
        }
        query = f"?board={board}" if board else ""
        path = f"/v1/projects/{train}/iterations/{iteration['id']}/artifacts/{kind}{query}"
        # A deleted iteration's artifacts are gone (404) when the trainer tidied up meanwhile.
        if client.call(f"GET .../artifacts/{kind}", "GET", path, check=checks[kind]) is not None:
            stats.count(f"artifact downloads ({kind})")

    def exporter():
        client = Client(token)
        boards = ["nano33ble", "pico", "nucleo-l4r5zi", "portenta-h7", "esp32-s3"]
        step = [0]

        def export():
            step[0] += 1
            with deployed_lock:
                iteration = deployed["iteration"]
            kind = ["tflite", "model-card", "arduino-library", "checkpoint", "c-library"][step[0] % 5]
            download(client, iteration, kind, boards[step[0] % 5] if kind == "arduino-library" else None)
            if step[0] % 2 == 0:
                response = client.call("GET /v1/projects/{id}/dataset/export", "GET", f"/v1/projects/{train}/dataset/export",
                                       check=lambda r: require(len([n for n in zip_entries(r) if n.endswith(".png")]) == 300, "not 300 images"))
                if response is not None:
                    stats.count("dataset exports")
            else:
                label = random.choice(CLASSES)
                if client.call("GET /v1/projects/{id}/dataset/export?label=", "GET", f"/v1/projects/{ingest}/dataset/export?label={label}",
                               check=lambda r: zip_entries(r)) is not None:
                    stats.count("dataset exports")
        paced(4.0, export)

    def predictor(seed):
        client = Client(headers={"Prediction-Key": prediction_key})
        rng = random.Random(seed)
        pngs = [images.test(n)[1] for n in range(300, 400)]

        def scored(count):
            def check(r):
                answers = r.json()["predictions"]
                require(len(answers) == count and all(len(a["scores"]) == 10 for a in answers), f"answers: {r.text[:200]}")
            return check

        def predict():
            if rng.random() < 0.1:
                batch = rng.sample(pngs, 8)
                if client.call("POST /v1/predict/{name} (batch of 8)", "POST", "/v1/predict/soak", files=multipart(batch), check=scored(8)):
                    stats.count("predictions (images)", 8)
            elif client.call("POST /v1/predict/{name}", "POST", "/v1/predict/soak", data=rng.choice(pngs),
                             headers={"Content-Type": "image/png"}, check=scored(1)):
                stats.count("predictions (images)")
        paced(0.02, predict)

    def watcher():
        """Opens the live progress of the newest iteration for a few seconds and hangs up."""
        client = Client(token)

        def watch():
            newest = client.call("GET /v1/projects/{id}/iterations", "GET", f"/v1/projects/{train}/iterations?perPage=1")
            if newest is not None and newest.json()["items"]:
                iteration = newest.json()["items"][0]
                if sse(client, "GET /v1/projects/{id}/iterations/{id}/events (SSE, hung up early)",
                       f"/v1/projects/{train}/iterations/{iteration['id']}/events", seconds=random.uniform(0.2, 3)) is not None:
                    stats.count("event streams watched")
        paced(4.0, watch)

    def lister():
        client = Client(token)
        browser = Client(cookies=cookies)
        step = [0]

        def page(r):
            require(b"</html>" in r.content, "not a whole page")

        def items(r):
            require("items" in r.json(), "no items")

        def listing():
            step[0] += 1
            n = step[0] % 12
            if n == 0:
                client.call("GET /v1/projects", "GET", "/v1/projects?perPage=20", check=items)
            elif n == 1:
                response = client.call("GET /v1/projects/{id}/images", "GET", f"/v1/projects/{ingest}/images?perPage=1", check=items)
                if response is not None:
                    pages = max(1, response.json()["metadata"]["total"] // 50)
                    response = client.call("GET /v1/projects/{id}/images?page=", "GET",
                                           f"/v1/projects/{ingest}/images?perPage=50&page={random.randint(1, pages)}&label={random.choice(CLASSES)}", check=items)
                    if response is not None and response.json()["items"]:
                        image = random.choice(response.json()["items"])["id"]
                        client.call("GET /v1/projects/{id}/images/{id}/thumbnail", "GET", f"/v1/projects/{ingest}/images/{image}/thumbnail",
                                    check=lambda r: require(r.content[:2] == b"\xff\xd8", "not a JPEG"))
            elif n == 2:
                client.call("GET /v1/projects/{id}/iterations", "GET", f"/v1/projects/{train}/iterations", check=items)
            elif n == 3:
                client.call("GET /v1/projects/{id}/deployments", "GET", f"/v1/projects/{train}/deployments", check=items)
            elif n == 4:
                client.call("GET /v1/projects/{id}/labels", "GET", f"/v1/projects/{ingest}/labels")
            elif n == 5:
                client.call("GET /v1/projects/{id}/dataset/analysis", "GET", f"/v1/projects/{random.choice([train, ingest])}/dataset/analysis")
            elif n == 6:
                browser.call("GET /projects (web)", "GET", "/projects", check=page)
            elif n == 7:
                browser.call("GET /projects/{id}/images (web)", "GET", f"/projects/{ingest}/images", check=page)
            elif n == 8:
                browser.call("GET /projects/{id}/iterations (web)", "GET", f"/projects/{train}/iterations", check=page)
            elif n == 9:
                browser.call("GET /projects/{id}/deploy (web)", "GET", f"/projects/{train}/deploy", check=page)
            elif n == 10:
                with deployed_lock:
                    iteration = deployed["iteration"]
                browser.call("GET /projects/{id}/iterations/{id} (web)", "GET", f"/projects/{train}/iterations/{iteration['id']}", check=page)
            else:
                client.call("GET /metrics", "GET", "/metrics")
            stats.count("listing pages")
        paced(0.25, listing)

    threads = [threading.Thread(target=f, args=a, daemon=True) for f, a in
               [(uploader, ()), (importer, ()), (trainer, ()), (watcher, ()), (exporter, ()), (predictor, (1,)), (predictor, (2,)), (lister, ())]]
    load_start = load_started.at = time.monotonic()
    load_started.set()
    for thread in threads:
        thread.start()
    stop.wait(MINUTES * 60)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    load_end = time.monotonic()
    fd_snapshots["end"] = fd_kinds(PID)
    report(load_start, load_end, Client(token))


# ---------------------------------------------------------------- report


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def report(load_start, load_end, client):
    metrics = client.http.get(URL + "/metrics", timeout=30).text if rss_kib(PID) else ""
    server_5xx = {}
    for match in re.finditer(r'minnow_http_requests_total\{[^}]*route="([^"]*)"[^}]*status="(5\d\d)"[^}]*\}\s+(\d+)', metrics):
        server_5xx[match.group(1)] = server_5xx.get(match.group(1), 0) + int(match.group(3))

    print()
    print(f"soak: {(load_end - load_start) / 60:.1f} min of mixed load against minnow serve --workers 1 ({LABEL}), server PID {PID}")
    width = max(len(r) for r in stats.latency)
    print(f"{'route':{width}} {'count':>7} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    total_errors, total_requests = 0, 0
    for route in sorted(stats.latency, key=lambda r: (r[0] in "=(", r[0] == "(", r.split(" ", 1)[-1], r)):
        values = sorted(stats.latency[route])
        errors = stats.errors[route]
        total_errors += errors
        if not route.startswith(("=", "(")):
            total_requests += len(values)
        ms = "" if route.startswith("(") else f" {percentile(values, 0.5) * 1000:8.1f} {percentile(values, 0.99) * 1000:8.1f} {values[-1] * 1000:8.1f}"
        print(f"{route:{width}} {len(values):7d} {errors:6d}{ms}")
    print(f"{'all requests (errors: all rows)':{width}} {total_requests:7d} {total_errors:6d}")
    d = lambda k: stats.done.get(k, 0)  # noqa: E731
    artifacts = ", ".join(f"{d(k)} {k[len('artifact downloads ('):-1]}" for k in sorted(stats.done) if k.startswith("artifact downloads"))
    print(f"completed: {d('uploads (requests)')} uploads ({d('uploaded images')} images), {d('zip imports')} zip imports ({d('imported images')} images), "
          f"{d('trainings succeeded')} of {d('trainings started')} trainings succeeded, {d('re-points')} re-points, {d('iterations deleted')} iterations deleted, "
          f"{d('predictions (images)')} images predicted, {d('dataset exports')} dataset exports, artifacts: {artifacts}, "
          f"{d('listing pages')} listing pages, {d('event streams watched')} event streams watched")
    if stats.examples:
        print("first errors:")
        for example in stats.examples:
            print("  " + example)
    print("server-side 5xx in /metrics: " + (", ".join(f"{r} {n}" for r, n in server_5xx.items()) or "none"))

    window = [dict(v, t=v["t"] - load_start) for v in samples if load_start + WARMUP <= v["t"] <= load_end]
    if len(window) < 2:
        print("memory: too few samples")
        sys.exit(1)
    minutes = (window[-1]["t"] - window[0]["t"]) / 60
    before = [v["server"] for v in samples if v["t"] <= load_start]

    def line(name, key, unit="MiB", digits=1):
        values = [v[key] for v in window]
        points = [(v["t"], v[key]) for v in window]
        slope = slope_per_minute(points)
        print(f"{name:17} start {values[0]:7.{digits}f} {unit}  end {values[-1]:7.{digits}f} {unit}  max {max(values):7.{digits}f} {unit}  "
              f"slope {slope:+6.2f} {unit}/min (second half {slope_per_minute(points[len(points) // 2:]):+6.2f})")
        return values[0], slope
    print(f"memory (VmRSS every {SAMPLE:g} s, {len(window)} samples from {WARMUP:.0f} s of load to its end, {minutes:.1f} min; "
          f"server {before[-1] if before else 0:.1f} MiB after seeding, peak VmHWM {(rss_kib(PID, 'VmHWM') or 0) / 1024:.1f} MiB):")
    start, slope = line("server RSS", "server")
    line("server RssAnon", "anon")  # heap and stacks: VmRSS less the mapped binary and files
    line("worker(s) RSS", "workers")
    line("server open files", "fds", "", 0)
    line("server threads", "threads", "", 0)
    first, last = fd_snapshots.get("start", {}), fd_snapshots.get("end", {})
    change = {k: last.get(k, 0) - first.get(k, 0) for k in set(first) | set(last) if last.get(k, 0) != first.get(k, 0)}
    print("server open files from warm-up to the end, by kind: "
          + (", ".join(f"{k} {v:+d}" for k, v in sorted(change.items(), key=lambda kv: -abs(kv[1]))) or "no change"))
    print(f"worker processes seen: {len(workers_seen)} (a restart would show more than 1)")
    allowed = max(5.0, 0.05 * start)
    flat = abs(slope) * minutes <= allowed
    print(f"targets: 0 errors {'met' if total_errors == 0 else 'NOT met'}; server memory flat "
          f"(|slope| x {minutes:.1f} min = {abs(slope) * minutes:.1f} MiB <= {allowed:.1f} MiB) {'met' if flat else 'NOT met'}")
    sys.stdout.flush()
    sys.exit(0 if total_errors == 0 else 1)


if __name__ == "__main__":
    main()
