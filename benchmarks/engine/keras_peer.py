"""Keras peer for the engine benchmarks (benchmark-only; never in the product path).

Workload A: Fashion-MNIST (Debian dataset-fashion-mnist IDX files), Conv(16,3,ReLU)-MaxPool(2)-
Conv(32,3,ReLU)-MaxPool(2)-Flatten-Dense(10), valid padding, inputs in [0,1], batch 64, Adam 1e-3.
Workload B: keras.applications.MobileNet(alpha=0.25, 96x96x1, weights=None, classes=2) on
synthetic data, batch 32, Adam 1e-3.

Fairness: Keras runs with its defaults (model.fit on NumPy arrays, no per-batch Python
callbacks, which would slow every step); only whole epochs are timed, by an epoch-end
callback. The first epoch (tracing, warm-up) is reported but excluded from the steady rate,
exactly as the Swift engine's figures are computed by benchmarks/engine/summarize.py.
TensorFlow is pinned to 2 threads (intra-op 2, inter-op 2 — TensorFlow's own choice on 2 cores,
measured faster here than inter-op 1 — and OpenMP 2) before it loads.
Settings (issue 15: compare against the fastest Keras one can configure): "default" (eager
graph functions, one step per call), "xla" (`jit_compile=True`), "steps" (`steps_per_execution`
64: one call runs 64 batches), "xla-steps" (both). The runner measures each and compares
against the fastest.
Prints one JSON line per run.
Usage: keras_peer.py a EPOCHS [SETTING] | keras_peer.py b STEPS_PER_EPOCH [EPOCHS [SETTING]]
"""
import gzip, json, os, resource, sys, time

THREADS = 2
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["OMP_NUM_THREADS"] = str(THREADS)
os.environ["TF_NUM_INTRAOP_THREADS"] = str(THREADS)
os.environ["TF_NUM_INTEROP_THREADS"] = str(THREADS)
import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(THREADS)
tf.config.threading.set_inter_op_parallelism_threads(THREADS)
keras = tf.keras
DATA = "/usr/share/datasets/fashion-mnist"
SETTINGS = {
    "default": {},
    "xla": {"jit_compile": True},
    "steps": {"steps_per_execution": 64},
    "xla-steps": {"jit_compile": True, "steps_per_execution": 64},
}


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


class EpochTimer(keras.callbacks.Callback):
    """Wall-clock seconds of every epoch (epoch hooks only: no per-batch Python work)."""

    def __init__(self):
        super().__init__()
        self.seconds, self.start = [], None

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train(model, x, y, batch, epochs):
    """Fits with Keras defaults; returns images/s of every epoch."""
    timer = EpochTimer()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[timer])
    return [len(x) / seconds for seconds in timer.seconds]


def workload_a(epochs, setting):
    x = idx("train-images-idx3-ubyte.gz").astype("float32")[..., None] / 255
    y = idx("train-labels-idx1-ubyte.gz").astype("int64")
    xt = idx("t10k-images-idx3-ubyte.gz").astype("float32")[..., None] / 255
    yt = idx("t10k-labels-idx1-ubyte.gz").astype("int64")
    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        keras.layers.Conv2D(16, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(), keras.layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"],
                  **SETTINGS[setting])
    rates = train(model, x, y, 64, epochs)
    _, accuracy = model.evaluate(xt, yt, batch_size=256, verbose=0)
    print(json.dumps({"workload": "A", "engine": "keras", "tensorflow": tf.__version__, "keras": keras.__version__,
                      "threads": THREADS, "setting": setting, "epochs": epochs, "epochImagesPerSecond": rates,
                      "testAccuracy": accuracy,
                      "parameters": model.count_params(), "peakMemoryMB": peak_mb()}))


def workload_b(steps, epochs, setting):
    keras.utils.set_random_seed(1)
    model = keras.applications.MobileNet(input_shape=(96, 96, 1), alpha=0.25, weights=None, classes=2)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.SparseCategoricalCrossentropy(),
                  **SETTINGS[setting])
    rng = np.random.default_rng(5)
    n = 32 * steps
    x = rng.random((n, 96, 96, 1), dtype=np.float32)
    y = rng.integers(0, 2, n)
    rates = train(model, x, y, 32, epochs)
    print(json.dumps({"workload": "B", "engine": "keras", "threads": THREADS, "setting": setting, "epochImagesPerSecond": rates,
                      "parameters": model.count_params(), "peakMemoryMB": peak_mb()}))


if __name__ == "__main__":
    if sys.argv[1] == "a":
        workload_a(int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "default")
    else:
        workload_b(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3,
                   sys.argv[4] if len(sys.argv) > 4 else "default")
