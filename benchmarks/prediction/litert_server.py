"""LiteRT peer for the prediction benchmark (benchmark-only; never in the product path).

A minimal Python HTTP server answering POST /predict with the same int8 .tflite Minnow
serves: decode the PNG (Pillow), scale to [0, 1], quantise with the model's input
parameters, run LiteRT (one interpreter per thread), answer the label scores as JSON.
Usage: litert_server.py MODEL.tflite PORT LABELS_JSON
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO

import numpy as np
from ai_edge_litert.interpreter import Interpreter
from PIL import Image

MODEL = open(sys.argv[1], "rb").read()
LABELS = json.loads(sys.argv[3])
local = threading.local()


def interpreter():
    if not hasattr(local, "interpreter"):
        it = Interpreter(model_content=MODEL, num_threads=1)
        it.allocate_tensors()
        local.interpreter = it
        local.input = it.get_input_details()[0]
        local.output = it.get_output_details()[0]
    return local.interpreter, local.input, local.output


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
        answer = json.dumps({"label": LABELS[order[0]], "scores": [{"label": LABELS[i], "score": float(scores[i])} for i in order]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2])), Handler).serve_forever()
