"""Shared by the Python test suites (tests/browser, tests/contract): the real `minnow` binary
serving on a free loopback port with a temporary data directory, and small real PNG images.
Not a fixture module itself: each suite's conftest.py wraps `running_server` in its fixture."""
import contextlib
import os
import pathlib
import random
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
import zlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def minnow_binary():
    binary = pathlib.Path(os.environ.get("MINNOW_BIN", ROOT / ".build" / "debug" / "minnow"))
    assert binary.exists(), f"{binary} is missing: build it first (swift build --product minnow)"
    return binary


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(prefix, *extra_args, keep_log=None):
    """`minnow serve` on 127.0.0.1 with bcrypt cost 4 in a fresh data directory; yields
    (base URL, data directory) once /healthz answers, stops the server and removes the
    directory afterwards. Its log is the data directory's server.log, copied to `keep_log`
    (a path) when given."""
    binary = minnow_binary()
    data = tempfile.mkdtemp(prefix=prefix)
    port = free_port()
    log = open(pathlib.Path(data) / "server.log", "w")
    process = subprocess.Popen(
        [str(binary), "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", data, "--bcrypt-cost", "4", *extra_args],
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
        yield url, pathlib.Path(data)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        if keep_log is not None:
            pathlib.Path(keep_log).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pathlib.Path(data) / "server.log", keep_log)
        shutil.rmtree(data, ignore_errors=True)


def png(seed, size=32):
    """A real PNG of random 4x4 blocks (distinct content and perceptual hash per seed)."""
    rng = random.Random(seed)
    blocks = [[rng.randrange(256) for _ in range(8)] for _ in range(8)]
    rows = b"".join(
        b"\x00" + bytes(blocks[y * 8 // size][x * 8 // size] for x in range(size) for _ in range(3))
        for y in range(size)
    )

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
