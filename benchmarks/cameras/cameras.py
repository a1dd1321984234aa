#!/usr/bin/env python3
"""Cameras benchmark (issue 13); started by benchmarks/cameras/run.

  cameras.py MINNOW_BIN WORK_DIR

1. Seeds a real `minnow serve --workers 0` (SQLite in WORK_DIR/data, loopback): a detection
   project (96x96 gray), a synthetic FOMO dataset imported as a zip with YOLO boxes
   (frames.py), a FOMO iteration trained by a `minnow worker` of our own (stopped afterwards,
   so that only the server runs under load), a deployment, CAMERAS camera devices linked to it,
   each with its own key (exactly `ingest`, bound to the camera).
2. Ingest: CAMERAS simulated cameras (load.py) post distinct 96x96 JPEG frames back to back
   for DURATION seconds; frames/s, p50/p99, non-201 answers, frames sent against observations
   stored (counted through the API, per camera), the server's RSS and CPU. Then the same load
   against the same .tflite behind LiteRT in a minimal Python HTTP server (litert_frames.py).
   The same for 320x240 frames (LARGE=0 skips), and at a fixed rate (RATE frames/s per camera,
   0 skips) to show latency below saturation.
3. Search: stops the server, adds SEARCH_ROWS observations with one sighting each straight
   into the SQLite file in the column encodings the server writes (read back from the rows it
   wrote in step 2), restarts it and times QUERIES requests of each kind of
   GET .../sightings, next to the same SQL run by Python's sqlite3 on the same file.
Environment: DURATION (60), CAMERAS (200), LARGE (1), RATE (0.2), SEARCH_ROWS (1000000),
QUERIES (200).
"""
import calendar
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frames  # noqa: E402
import load  # noqa: E402

BIN, WORK = sys.argv[1], sys.argv[2]
DURATION = float(os.environ.get("DURATION", "60"))
CAMERAS = int(os.environ.get("CAMERAS", "200"))
LARGE = os.environ.get("LARGE", "1") != "0"
RATE = float(os.environ.get("RATE", "0.2"))
SEARCH_ROWS = int(os.environ.get("SEARCH_ROWS", "1000000"))
QUERIES = int(os.environ.get("QUERIES", "200"))
DATA = os.path.join(WORK, "data")
PASSWORD = "correct horse battery"
HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """JSON over one keep-alive HTTP/1.1 connection (stdlib only)."""

    def __init__(self, port, token=None):
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def call(self, method, path, body=None, content_type="application/json", token=None, expect=None):
        headers = {"Accept": "*/*"}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        if body is not None and content_type == "application/json":
            body = json.dumps(body).encode()
        if body is not None:
            headers["Content-Type"] = content_type
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                if attempt:
                    raise
        if expect is not None and response.status != expect:
            raise SystemExit(f"error: {method} {path}: {response.status} {data[:500]!r}")
        return response.status, (json.loads(data) if data and data[:1] in (b"{", b"[") else data)


class Server:
    running = []   # stopped on the way out, also after an error

    def __init__(self):
        Server.running.append(self)
        self.port = free_port()
        self.log = open(os.path.join(WORK, "server.log"), "a")
        self.process = subprocess.Popen(
            [BIN, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", DATA, "--workers", "0",
             "--bcrypt-cost", "4", "--log-level", "warning"], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                if Client(self.port).call("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if self.process.poll() is not None or time.time() > deadline:
                raise SystemExit("error: the server did not start; see " + self.log.name)
            time.sleep(0.2)

    def stop(self):
        Server.running.remove(self)
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def wait_for(client, path, done=("succeeded", "failed", "canceled"), seconds=900):
    deadline = time.time() + seconds
    while True:
        current = client.call("GET", path, expect=200)[1]
        if current["status"] in done:
            return current
        if time.time() > deadline:
            raise SystemExit(f"error: {path} did not finish in {seconds} s: {current}")
        time.sleep(1)


def seed(server):
    anonymous = Client(server.port)
    anonymous.call("POST", "/v1/auth/register", {"username": "bench", "password": PASSWORD}, expect=201)
    token = anonymous.call("POST", "/v1/auth/login", {"username": "bench", "password": PASSWORD}, expect=200)[1]["accessToken"]
    api = Client(server.port, token)
    project = api.call("POST", "/v1/projects", {"name": "cameras", "task": "detection",
                                                "input": {"width": 96, "height": 96, "colorMode": "grayscale"}}, expect=201)[1]["id"]
    archive = os.path.join(WORK, "scenes.zip")
    frames.dataset_zip(archive, 600, 96)
    job = api.call("POST", f"/v1/projects/{project}/images/import", open(archive, "rb").read(), "application/zip", expect=202)[1]
    imported = wait_for(api, f"/v1/jobs/{job['id']}")
    assert imported["status"] == "succeeded" and imported["result"]["accepted"] == 600, imported
    worker_log = open(os.path.join(WORK, "worker.log"), "w")
    worker = subprocess.Popen([BIN, "worker", "--data-dir", DATA], stdout=worker_log, stderr=subprocess.STDOUT)
    try:
        started = time.time()
        iteration = api.call("POST", f"/v1/projects/{project}/iterations",
                             {"architecture": "fomo", "epochs": 20, "batchSize": 32, "augmentation": False}, expect=202)[1]
        iteration = wait_for(api, f"/v1/projects/{project}/iterations/{iteration['id']}")
        assert iteration["status"] == "succeeded", iteration
        trained = time.time() - started
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        worker_log.close()
    api.call("POST", f"/v1/projects/{project}/deployments", {"name": "cameras", "iterationId": iteration["id"]}, expect=201)
    tflite = api.call("GET", f"/v1/projects/{project}/iterations/{iteration['id']}/artifacts/tflite", expect=200)[1]
    card = api.call("GET", f"/v1/projects/{project}/iterations/{iteration['id']}/artifacts/model-card", expect=200)[1]
    open(os.path.join(WORK, "model.tflite"), "wb").write(tflite)
    cameras = []
    for n in range(CAMERAS):
        device = api.call("POST", f"/v1/projects/{project}/devices",
                          {"name": f"cam-{n:03d}", "kind": "camera", "deployment": "cameras"}, expect=201)[1]["id"]
        key = api.call("POST", "/v1/api-keys", {"name": f"cam-{n:03d}", "projectId": project, "permissions": ["ingest"],
                                                "deviceId": device}, expect=201)[1]["key"]
        cameras.append((device, key))
    return {"token": token, "project": project, "iteration": iteration, "card": card, "cameras": cameras,
            "trainedSeconds": trained, "tfliteBytes": len(tflite)}


def stored(api, world):
    """Observations stored, per the API: the sum of every camera's observation count."""
    return sum(api.call("GET", f"/v1/projects/{world['project']}/devices/{device}/observations?perPage=1", expect=200)[1]["metadata"]["total"]
               for device, _ in world["cameras"])


def rss_summary(samples, pid):
    values = [s[pid][0] for _, s in samples if s.get(pid)]
    if not values:
        return {}
    return {"start": values[0], "middle": values[len(values) // 2], "end": values[-1], "max": max(values)}


def ingest(server, world, pool, name, interval=0.0):
    api = Client(server.port, world["token"])
    before = stored(api, world)
    targets = [(f"http://127.0.0.1:{server.port}/v1/projects/{world['project']}/devices/{device}/frames", key)
               for device, key in world["cameras"]]
    result = load.run(targets, pool, DURATION, watch=[server.process.pid], interval=interval)
    result["stored"] = stored(api, world) - before
    result["rssMiB"] = rss_summary(result.pop("rss"), server.process.pid)
    result["serverCpu"] = result["serverCpu"].get(server.process.pid)
    result["name"] = name
    return result


def peer(world, pool, name):
    port = free_port()
    labels = world["card"]["labels"]
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "litert_frames.py"), os.path.join(WORK, "model.tflite"),
                                str(port), json.dumps(labels)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = Client(port)
        for _ in range(100):
            try:
                client.call("GET", "/count")
                break
            except OSError:
                time.sleep(0.2)
        targets = [(f"http://127.0.0.1:{port}/v1/projects/{world['project']}/devices/{device}/frames", key)
                   for device, key in world["cameras"]]
        result = load.run(targets, pool, DURATION, watch=[process.pid])
        result["stored"] = client.call("GET", "/count")[1]["frames"]
        result["rssMiB"] = rss_summary(result.pop("rss"), process.pid)
        result["serverCpu"] = result["serverCpu"].get(process.pid)
        result["name"] = name
        return result
    finally:
        process.terminate()
        process.wait(timeout=30)


def compare(server, world, count=50):
    """Minnow's answers against LiteRT's on the same pixels (PNG scenes posted as frames): each
    label's best cell score, Minnow's observation against the dequantised output of LiteRT
    with its reference kernels and with its default (XNNPACK) ones."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    model = os.path.join(WORK, "model.tflite")
    interpreters = {"reference": Interpreter(model_path=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF),
                    "xnnpack": Interpreter(model_path=model)}
    for it in interpreters.values():
        it.allocate_tensors()
    labels = world["card"]["labels"]
    device, key = world["cameras"][0]
    api = Client(server.port)
    rng = frames.np.random.default_rng(99)
    result = {"frames": count, "reference": 0, "xnnpack": 0, "largest": 0.0}
    for _ in range(count):
        pixels = frames.scene(rng, 96, 96)[0]
        observation = api.call("POST", f"/v1/projects/{world['project']}/devices/{device}/frames", frames.encode(pixels), "image/png",
                               token=key, expect=201)[1]
        minnow = {score["label"]: score["score"] for score in observation["scores"]}
        for name, it in interpreters.items():
            inp, out = it.get_input_details()[0], it.get_output_details()[0]
            scale, zero = inp["quantization"]
            it.set_tensor(inp["index"], frames.np.clip(frames.np.floor(pixels / 255 / scale + 0.5) + zero, -128, 127)
                          .astype(frames.np.int8).reshape(inp["shape"]))
            it.invoke()
            oscale, ozero = out["quantization"]
            scores = (it.get_tensor(out["index"]).astype(frames.np.float64) - ozero) * oscale
            best = {label: float(scores[..., k].max()) for k, label in enumerate(labels) if k}
            difference = max(abs(best[label] - minnow[label]) for label in best)
            result[name] += difference < 1e-9
            if name == "xnnpack":
                result["largest"] = max(result["largest"], difference)
    return result


# ------------------------------------------------------------------ search

def bulk_insert(world, count):
    """`count` camera observations (frames long expired) with one sighting each, over the last
    30 days, in the encodings the server itself wrote (checked against its own rows first)."""
    db = sqlite3.connect(os.path.join(DATA, "minnow.sqlite"))
    # The server's own rows: UUIDs as upper-case text, dates as REAL seconds since 1970,
    # sightings.seen_at as INTEGER microseconds, scores and detections as JSON text.
    row = db.execute("SELECT typeof(id), id, typeof(received_at), typeof(scores), typeof(detections) FROM observations "
                     "WHERE frame_status = 'stored' LIMIT 1").fetchone()
    assert row[0] == "text" and row[1] == row[1].upper() and len(row[1]) == 36 and row[2:] == ("real", "text", "text"), row
    sighting = db.execute("SELECT typeof(seen_at), seen_at, received_at, typeof(project_id), project_id FROM sightings LIMIT 1").fetchone()
    assert sighting[0] == "integer" and abs(sighting[1] / 1e6 - sighting[2]) < 600 and sighting[4] == world["project"].upper(), sighting
    project, iteration = world["project"].upper(), world["iteration"]["id"].upper()
    devices = [device.upper() for device, _ in world["cameras"]]
    rng = random.Random(13)
    now = time.time() - 3600
    started = time.time()
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    chunk = 50_000
    for first in range(0, count, chunk):
        observations, sightings = [], []
        for _ in range(min(chunk, count - first)):
            oid, sid = str(uuid.uuid4()).upper(), str(uuid.uuid4()).upper()
            device = devices[rng.randrange(len(devices))]
            seen = now - rng.random() * 30 * 86400
            label = "square" if rng.random() < 0.5 else "plus"
            other = "plus" if label == "square" else "square"
            score = rng.randrange(128, 256) / 256
            cx, cy = rng.randrange(12), rng.randrange(12)
            x, y = (cx + 0.5) / 12, (cy + 0.5) / 12
            scores = json.dumps([{"label": label, "score": score}, {"label": other, "score": rng.randrange(0, 128) / 256}], separators=(",", ":"))
            detections = json.dumps([{"x": x, "y": y, "label": label, "score": score}], separators=(",", ":"))
            observations.append((oid, project, device, iteration, label, scores, "[]", seen, seen + 0.05, detections))
            sightings.append((sid, project, device, oid, label, score, x, y, 1 / 12, 1 / 12, int(round(seen * 1e6)), seen + 0.05))
        db.executemany("INSERT INTO observations (id, project_id, device_id, iteration_id, label, scores, output, observed_at, "
                       "received_at, detections, frame_status, frame_blob_id, frame_bytes, frame_width, frame_height) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'expired', NULL, 0, 96, 96)", observations)
        db.executemany("INSERT INTO sightings (id, project_id, device_id, observation_id, label, score, x, y, width, height, "
                       "seen_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", sightings)
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    totals = db.execute("SELECT (SELECT COUNT(*) FROM observations), (SELECT COUNT(*) FROM sightings)").fetchone()
    db.close()
    return time.time() - started, totals


def search(server, world):
    api = Client(server.port, world["token"])
    base = f"/v1/projects/{world['project']}/sightings"
    rng = random.Random(7)
    devices = [device for device, _ in world["cameras"]]
    now = time.time() - 3600

    def day():
        start = now - rng.randrange(1, 29) * 86400
        fmt = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
        return fmt(start), fmt(start + 86400)

    kinds = {
        "label (last seen)": lambda: {"label": rng.choice(["square", "plus"])},
        "deviceId": lambda: {"deviceId": rng.choice(devices)},
        "label + minScore 0.95": lambda: {"label": rng.choice(["square", "plus"]), "minScore": 0.95},
        "label + one day (from/to)": lambda: dict(zip(("from", "to"), day()), label=rng.choice(["square", "plus"])),
        "time range only (one day)": lambda: dict(zip(("from", "to"), day())),
    }
    db = sqlite3.connect(f"file:{os.path.join(DATA, 'minnow.sqlite')}?mode=ro", uri=True)
    results = {}
    for name, make in kinds.items():
        times, rows, sql_times = [], 0, []
        for _ in range(QUERIES):
            query = {**make(), "limit": 50}
            began = time.perf_counter()
            status, page = api.call("GET", base + "?" + urllib.parse.urlencode(query))
            times.append(time.perf_counter() - began)
            assert status == 200, (status, page)
            seen = [item["seenAt"] for item in page["items"]]
            assert seen == sorted(seen, reverse=True), "not newest first"
            rows += len(page["items"])
            sql_times.append(sql_query(db, world, query))
        results[name] = {"p50ms": load.percentile(times, 50) * 1000, "p99ms": load.percentile(times, 99) * 1000,
                         "rowsPerPage": rows / QUERIES, "sqlP50ms": load.percentile(sql_times, 50) * 1000,
                         "sqlP99ms": load.percentile(sql_times, 99) * 1000}
    # Cursors: pages 1..10 of `label=...&limit=50`, QUERIES requests in all.
    times, deepest, sql_times = [], [], []
    for chain in range(max(1, QUERIES // 10)):
        query = {"label": rng.choice(["square", "plus"]), "limit": 50}
        for page_number in range(10):
            began = time.perf_counter()
            status, page = api.call("GET", base + "?" + urllib.parse.urlencode(query))
            elapsed = time.perf_counter() - began
            assert status == 200 and len(page["items"]) == 50, (status, page)
            times.append(elapsed)
            if page_number == 9:
                deepest.append(elapsed)
            sql_times.append(sql_query(db, world, query))
            query["cursor"] = page["nextCursor"]
    results["label, cursor pages 1-10"] = {"p50ms": load.percentile(times, 50) * 1000, "p99ms": load.percentile(times, 99) * 1000,
                                           "page10P50ms": load.percentile(deepest, 50) * 1000, "rowsPerPage": 50,
                                           "sqlP50ms": load.percentile(sql_times, 50) * 1000, "sqlP99ms": load.percentile(sql_times, 99) * 1000}
    # A sighting of the bulk rows reads back whole (its observation and device too).
    first_day = api.call("GET", base + "?" + urllib.parse.urlencode({"to": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 20 * 86400)), "limit": 1}))[1]
    observation = api.call("GET", f"/v1/projects/{world['project']}/observations/{first_day['items'][0]['observationId']}")
    assert observation[0] == 200 and observation[1]["frame"] == "expired", observation
    db.close()
    return results


def sql_query(db, world, query):
    """The page's SQL straight on the file (Python sqlite3): sightings with their device and
    observation, as the server's query does, newest first; the time it takes."""
    where, binds = ["s.project_id = ?"], [world["project"].upper()]
    if "label" in query:
        where.append("s.label = ?"); binds.append(query["label"])  # noqa: E702
    if "deviceId" in query:
        where.append("s.device_id = ?"); binds.append(query["deviceId"].upper())  # noqa: E702
    if "minScore" in query:
        where.append("s.score >= ?"); binds.append(query["minScore"])  # noqa: E702
    for key, op in (("from", ">="), ("to", "<")):
        if key in query:
            t = calendar.timegm(time.strptime(query[key], "%Y-%m-%dT%H:%M:%SZ"))
            where.append(f"s.seen_at {op} ?"); binds.append(int(t * 1e6))  # noqa: E702
    if "cursor" in query:
        micros, cid = query["cursor"].split("_")
        where.append("(s.seen_at < ? OR (s.seen_at = ? AND s.id < ?))"); binds += [int(micros), int(micros), cid.upper()]  # noqa: E702
    began = time.perf_counter()
    rows = db.execute(f"SELECT s.*, d.name, o.frame_status FROM sightings s JOIN devices d ON d.id = s.device_id "
                      f"JOIN observations o ON o.id = s.observation_id WHERE {' AND '.join(where)} "
                      f"ORDER BY s.seen_at DESC, s.id DESC LIMIT ?", binds + [query["limit"] + 1]).fetchall()
    assert rows is not None
    return time.perf_counter() - began


# ------------------------------------------------------------------ report

def line(r, note=""):
    statuses = {k: v for k, v in r["statuses"].items() if k != "201"}
    rss = r["rssMiB"]
    memory = f"RSS {rss['start']:.0f}/{rss['middle']:.0f}/{rss['end']:.0f} MiB (start/middle/end), max {rss['max']:.0f}" if rss else ""
    return (f"  {r['name']:<16} {r['framesPerSecond']:7.1f} frames/s  p50 {r['p50ms']:7.1f} ms  p99 {r['p99ms']:7.1f} ms  "
            f"non-201 {sum(statuses.values())}{' ' + json.dumps(statuses) if statuses else ''}  sent {r['sent']}  stored {r['stored']}  "
            f"server CPU {r['serverCpu'] or 0:.2f} cores  load generator CPU {r['clientCpu']:.2f} cores  {memory}{note}")


def main():
    os.makedirs(WORK, exist_ok=True)
    server = Server()
    world = seed(server)
    print(f"seeded: FOMO 96x96 gray trained in {world['trainedSeconds']:.0f} s (20 epochs, 480 train images; int8 F1 "
          f"{world['iteration']['results']['int8']['f1']:.2f}), {CAMERAS} cameras with their own keys", flush=True)
    small, large = frames.jpeg_pool(2000, 96, 96), frames.jpeg_pool(500, 320, 240, seed=3)
    runs = []
    runs.append(ingest(server, world, small, "minnow 96x96"))
    print(line(runs[-1]), file=sys.stderr, flush=True)
    runs.append(peer(world, small, "litert 96x96"))
    print(line(runs[-1]), file=sys.stderr, flush=True)
    if LARGE:
        runs.append(ingest(server, world, large, "minnow 320x240"))
        print(line(runs[-1]), file=sys.stderr, flush=True)
        runs.append(peer(world, large, "litert 320x240"))
        print(line(runs[-1]), file=sys.stderr, flush=True)
    if RATE > 0:
        runs.append(ingest(server, world, small, f"minnow {RATE:g}/s/cam", interval=1 / RATE))
        print(line(runs[-1]), file=sys.stderr, flush=True)
    agreement = compare(server, world)
    server.stop()

    inserted_seconds, totals = bulk_insert(world, SEARCH_ROWS)
    print(f"search: added {SEARCH_ROWS} observations with one sighting each in {inserted_seconds:.0f} s "
          f"(now {totals[0]} observations, {totals[1]} sightings)", flush=True)
    server = Server()
    searches = search(server, world)
    server.stop()

    json.dump({"runs": runs, "search": searches, "agreement": agreement, "seed": {k: world[k] for k in ("trainedSeconds", "tfliteBytes")}},
              open(os.path.join(WORK, "results.json"), "w"), indent=1)

    print()
    print(f"camera ingest: {CAMERAS} simulated cameras (one asyncio + aiohttp event loop, a keep-alive connection each), "
          f"each posting its next JPEG as soon as the last is answered, {DURATION:.0f} s after a 3 s warm-up; every frame a distinct file")
    print("  minnow: POST .../devices/{id}/frames with the camera's own key: FOMO int8 read, observation, sightings, frame kept (default retention), SQLite")
    print("  litert: the same .tflite in LiteRT behind Python's ThreadingHTTPServer: decode, quantise, invoke, detections as JSON, appended to a list in memory")
    for r in runs:
        print(line(r))
    by_name = {r["name"]: r for r in runs}
    for size in ("96x96", "320x240"):
        if f"minnow {size}" in by_name:
            m, p = by_name[f"minnow {size}"], by_name[f"litert {size}"]
            lost = m["sent"] - m["stored"]
            print(f"  {size}: minnow/litert {m['framesPerSecond'] / p['framesPerSecond']:.2f}x the frames/s; "
                  f"lost frames {lost} (sent {m['sent']}, stored {m['stored']}); non-201 {sum(v for k, v in m['statuses'].items() if k != '201')}")
    print(f"  answers: on {agreement['frames']} PNG scenes, Minnow's per-label scores equal LiteRT's reference kernels' on "
          f"{agreement['reference']}, LiteRT's default (XNNPACK, the peer's) on {agreement['xnnpack']} "
          f"(largest difference {agreement['largest']:.4f}: XNNPACK rounds differently)")
    print()
    print(f"sighting search: {totals[1]} sightings of {totals[0]} observations, {QUERIES} sequential requests of each kind "
          f"(limit=50, one keep-alive connection), next to the same SQL through Python's sqlite3 on the same file")
    for name, r in searches.items():
        extra = f"  page 10 p50 {r['page10P50ms']:.2f} ms" if "page10P50ms" in r else ""
        print(f"  {name:<28} p50 {r['p50ms']:7.2f} ms  p99 {r['p99ms']:7.2f} ms  ({r['rowsPerPage']:.0f} rows/page){extra}   "
              f"sqlite3: p50 {r['sqlP50ms']:6.2f} ms  p99 {r['sqlP99ms']:6.2f} ms")
    lost_any = any(r["sent"] != r["stored"] or any(k != "201" for k in r["statuses"]) for r in runs if r["name"].startswith("minnow"))
    return 1 if lost_any else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        for leftover in list(Server.running):
            leftover.process.kill()
