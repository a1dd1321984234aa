"""Runs a .tflite on raw int8 inputs with an outside reference interpreter (test-only).

Used by the Swift tests (Engine/Tests/TFLiteTests) to compare Minnow's int8 runtime with
TensorFlow Lite Micro's Python interpreter (PyPI `tflite-micro`, reference kernels) and
LiteRT (PyPI `ai-edge-litert`). Inputs: N concatenated int8 tensors; outputs: N
concatenated int8 output tensors. Prints one JSON line with details (arena size, shapes).

Usage: python run_reference.py --engine tflm|litert|litert-builtin --input-size N MODEL INPUTS.bin OUTPUTS.bin
       python run_reference.py --tflm-arena MODEL   (prints {"arena_bytes": N})
"""
import argparse
import json
import sys

import numpy as np


def run_tflm(model, inputs):
    from tflite_micro.python.tflite_micro import runtime
    interpreter = runtime.Interpreter.from_bytes(model, arena_size=256 * 1024)
    details = interpreter.get_input_details(0)
    shape = tuple(details["shape"])
    outputs = []
    for x in inputs:
        interpreter.set_input(x.reshape(shape), 0)
        interpreter.invoke()
        outputs.append(np.array(interpreter.get_output(0), dtype=np.int8).reshape(-1))
    return outputs, {"input_shape": list(map(int, shape))}


def run_litert(model, inputs, threads=1, builtin=False):
    """LiteRT with its default XNNPACK delegate, or (builtin=True) its built-in kernels only."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    kind = OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES if builtin else OpResolverType.AUTO
    interpreter = Interpreter(model_content=model, num_threads=threads, experimental_op_resolver_type=kind)
    interpreter.allocate_tensors()
    inp = interpreter.get_input_details()[0]
    out = interpreter.get_output_details()[0]
    outputs = []
    for x in inputs:
        interpreter.set_tensor(inp["index"], x.reshape(inp["shape"]))
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(out["index"]).astype(np.int8).reshape(-1))
    return outputs, {"input_shape": [int(d) for d in inp["shape"]]}


def tflm_arena_bytes(model_path):
    """TFLite Micro's total arena use for the model (its recording allocator's report)."""
    import subprocess
    code = ("from tflite_micro.python.tflite_micro import runtime;"
            f"runtime.Interpreter.from_file({model_path!r}, arena_size=256*1024).print_allocations()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for line in (done.stdout + done.stderr).splitlines():
        if "Arena allocation total" in line:
            return int(line.split("total")[1].split()[0])
    raise SystemExit("TFLite Micro did not report its arena")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--tflm-arena":
        print(json.dumps({"arena_bytes": tflm_arena_bytes(sys.argv[2])}))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["tflm", "litert", "litert-builtin"], required=True)
    parser.add_argument("--input-size", type=int, required=True)
    parser.add_argument("model")
    parser.add_argument("inputs")
    parser.add_argument("outputs")
    args = parser.parse_args()
    with open(args.model, "rb") as f:
        model = f.read()
    raw = np.fromfile(args.inputs, dtype=np.int8)
    inputs = raw.reshape(-1, args.input_size)
    if args.engine == "tflm":
        outputs, info = run_tflm(model, inputs)
    else:
        outputs, info = run_litert(model, inputs, builtin=args.engine == "litert-builtin")
    np.concatenate(outputs).astype(np.int8).tofile(args.outputs)
    info.update({"engine": args.engine, "count": len(outputs)})
    print(json.dumps(info))


if __name__ == "__main__":
    sys.exit(main())
