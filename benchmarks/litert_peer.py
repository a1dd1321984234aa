"""The LiteRT side of the benchmarks' HTTP peers (benchmark-only; never in the product path).

One interpreter per server thread, made on the thread's first request from the model's bytes
(num_threads=1: the servers get their parallelism from threads, as Minnow's does), with its
input and output tensor details; and the JSON answer. Used by prediction/litert_server.py and
cameras/litert_frames.py.
"""
import json
import threading

from ai_edge_litert.interpreter import Interpreter


class PerThreadInterpreter:
    def __init__(self, model):
        self.model = model
        self.local = threading.local()

    def __call__(self):
        """(interpreter, input details, output details) of the calling thread."""
        local = self.local
        if not hasattr(local, "interpreter"):
            it = Interpreter(model_content=self.model, num_threads=1)
            it.allocate_tensors()
            local.interpreter = it
            local.input = it.get_input_details()[0]
            local.output = it.get_output_details()[0]
        return local.interpreter, local.input, local.output


def answer_json(handler, value, status=200):
    """Answers `value` as JSON on a BaseHTTPRequestHandler (HTTP/1.1 keep-alive: with its length)."""
    data = json.dumps(value).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
