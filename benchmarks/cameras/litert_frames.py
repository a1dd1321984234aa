"""LiteRT peer for the cameras benchmark (benchmark-only; never in the product path).

The prediction benchmark's peer (benchmarks/prediction/litert_server.py) made to read camera
frames with a FOMO detector: a minimal Python HTTP server (ThreadingHTTPServer, HTTP/1.1
keep-alive, a listen backlog of 1024) answering POST /v1/projects/<p>/devices/<d>/frames with
the same int8 .tflite Minnow serves. Per frame: decode the JPEG or PNG (Pillow), gray, resize
to the model's input (bilinear, a no-op for 96x96 frames), quantise with the model's input
parameters exactly as the model card's formula says, run LiteRT (one interpreter per thread),
dequantise, keep the cells whose best class is not background with score >= 0.5, merge
4-connected cells of one label into a centroid (as Minnow's FOMO reader does) and answer the
detections as JSON. It stores nothing durable: each answer is appended to a list in memory
(no database, no frame kept), and GET /count answers how many frames it read.
Usage: litert_frames.py MODEL.tflite PORT LABELS_JSON
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from litert_peer import PerThreadInterpreter, answer_json  # noqa: E402

LABELS = json.loads(sys.argv[3])
interpreter = PerThreadInterpreter(open(sys.argv[1], "rb").read())
seen = []                 # every answer, in memory only
seen_lock = threading.Lock()


def centroids(cells, height, width):
    """4-connected groups of cells with the same non-background class -> (x, y, label) in cells."""
    found, done = [], np.zeros_like(cells, dtype=bool)
    for start_y in range(height):
        for start_x in range(width):
            label = cells[start_y, start_x]
            if label == 0 or done[start_y, start_x]:
                continue
            stack, xs, ys = [(start_y, start_x)], [], []
            done[start_y, start_x] = True
            while stack:
                y, x = stack.pop()
                xs.append(x + 0.5)
                ys.append(y + 0.5)
                for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                    if 0 <= ny < height and 0 <= nx < width and not done[ny, nx] and cells[ny, nx] == label:
                        done[ny, nx] = True
                        stack.append((ny, nx))
            found.append((sum(xs) / len(xs), sum(ys) / len(ys), int(label)))
    return found


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        with seen_lock:
            answer_json(self, {"frames": len(seen)})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        it, inp, out = interpreter()
        height, width = int(inp["shape"][1]), int(inp["shape"][2])
        image = Image.open(BytesIO(body)).convert("L")
        if image.size != (width, height):
            image = image.resize((width, height), Image.BILINEAR)
        pixels = np.asarray(image, dtype=np.float64) / 255
        scale, zero = inp["quantization"]
        it.set_tensor(inp["index"], np.clip(np.floor(pixels / scale + 0.5) + zero, -128, 127).astype(np.int8).reshape(inp["shape"]))
        it.invoke()
        oscale, ozero = out["quantization"]
        grid_h, grid_w, classes = (int(n) for n in out["shape"][1:4])
        scores = ((it.get_tensor(out["index"]).astype(np.float32) - ozero) * oscale).reshape(grid_h, grid_w, classes)
        best = scores.argmax(axis=2)
        cells = np.where((best != 0) & (scores.max(axis=2) >= 0.5), best, 0)
        detections = sorted(({"label": LABELS[label], "x": x / grid_w, "y": y / grid_h,
                              "score": float(scores[min(grid_h - 1, int(y)), min(grid_w - 1, int(x)), label])}
                             for x, y, label in centroids(cells, grid_h, grid_w)), key=lambda d: -d["score"])
        answer = {"label": detections[0]["label"] if detections else None, "detections": detections,
                  "frameWidth": image.width, "frameHeight": image.height, "receivedAt": time.time()}
        with seen_lock:
            seen.append(answer)
        answer_json(self, answer, 201)

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 1024   # 200 cameras connect at once
    daemon_threads = True


Server(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
