"""Times the peers on the same int8 model and inputs (benchmark only, not a test).

TFLite Micro's Python interpreter (reference kernels) and LiteRT (default XNNPACK delegate,
and built-in kernels only), one thread, µs per image over Fashion-MNIST test images
quantised with the model's input parameters (for a 28x28x1 input; any other input shape gets
seeded random int8 inputs, latency only, as Int8Benchmark does); also TFLite Micro's arena
use. One JSON line per engine. Usage: peers.py MODEL.tflite [IMAGES]
"""
import gzip
import json
import os
import subprocess
import sys
import time

import numpy as np


def images(count, scale, zero_point):
    with gzip.open("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz", "rb") as f:
        raw = f.read()[16:]
    x = np.frombuffer(raw, dtype=np.uint8)[: count * 784].reshape(count, 1, 28, 28, 1).astype(np.float32) / 255.0
    return np.clip(np.round(x / np.float32(scale)) + zero_point, -128, 127).astype(np.int8)


def best_of(repeats, body):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - start)
    return best


def tflm_arena(model_path):
    code = ("from tflite_micro.python.tflite_micro import runtime;"
            f"runtime.Interpreter.from_file({model_path!r}, arena_size=256*1024).print_allocations()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    out = done.stdout + done.stderr
    for line in out.splitlines():
        if "Arena allocation total" in line:
            return int(line.split("total")[1].split()[0])
    return None


def main():
    path = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    model = open(path, "rb").read()
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    probe = Interpreter(model_content=model)
    details = probe.get_input_details()[0]
    scale, zero_point = details["quantization"]
    shape = tuple(details["shape"])
    if shape == (1, 28, 28, 1):
        xs = images(count, scale, zero_point)
    else:
        xs = np.random.default_rng(1).integers(-128, 128, size=(count,) + shape, dtype=np.int8)

    from tflite_micro.python.tflite_micro import runtime
    tflm = runtime.Interpreter.from_bytes(model, arena_size=256 * 1024)
    def run_tflm():
        for x in xs:
            tflm.set_input(x, 0)
            tflm.invoke()
    seconds = best_of(2, run_tflm)
    print(json.dumps({"engine": "tflite-micro-reference", "images": count, "us_per_image": round(seconds / count * 1e6, 2),
                      "arena_bytes": tflm_arena(path)}))

    for name, kind in [("litert-xnnpack", OpResolverType.AUTO), ("litert-builtin", OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)]:
        interpreter = Interpreter(model_content=model, num_threads=1, experimental_op_resolver_type=kind)
        interpreter.allocate_tensors()
        i = interpreter.get_input_details()[0]["index"]
        def run_litert():
            for x in xs:
                interpreter.set_tensor(i, x)
                interpreter.invoke()
        seconds = best_of(3, run_litert)
        print(json.dumps({"engine": name, "images": count, "us_per_image": round(seconds / count * 1e6, 2)}))


if __name__ == "__main__":
    main()
