"""LiteRT peer for the prediction benchmark (benchmark-only; never in the product path).

A minimal Python HTTP server answering POST /predict with the same int8 .tflite Minnow
serves: decode the PNG (Pillow), scale to [0, 1], quantise with the model's input
parameters, run LiteRT (one interpreter per thread), answer the label scores as JSON.
Usage: litert_server.py MODEL.tflite PORT LABELS_JSON
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from litert_peer import PerThreadInterpreter, answer_json  # noqa: E402

LABELS = json.loads(sys.argv[3])
interpreter = PerThreadInterpreter(open(sys.argv[1], "rb").read())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        it, inp, out = interpreter()
        height, width = inp["shape"][1], inp["shape"][2]
        pixels = np.asarray(Image.open(BytesIO(body)).convert("L").resize((width, height)), dtype=np.float32) / 255
        scale, zero = inp["quantization"]
        it.set_tensor(inp["index"], np.clip(np.round(pixels / scale + zero), -128, 127).astype(np.int8).reshape(inp["shape"]))
        it.invoke()
        oscale, ozero = out["quantization"]
        scores = (it.get_tensor(out["index"]).astype(np.float32).reshape(-1) - ozero) * oscale
        order = np.argsort(-scores)
        answer_json(self, {"label": LABELS[order[0]], "scores": [{"label": LABELS[i], "score": float(scores[i])} for i in order]})

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
