"""Keras peer for the engine benchmarks (benchmark-only; never in the product path).

Workload A: Fashion-MNIST (Debian dataset-fashion-mnist IDX files), Conv(16,3,ReLU)-MaxPool(2)-
Conv(32,3,ReLU)-MaxPool(2)-Flatten-Dense(10), valid padding, inputs in [0,1], batch 64, Adam 1e-3.
Workload B: keras.applications.MobileNet(alpha=0.25, 96x96x1, weights=None, classes=2) on
synthetic data, batch 32, Adam 1e-3. Both pinned to 2 threads. Prints one JSON line per run,
with steady-state images/s measured like the Swift engine (after the first 10 steps).
Usage: keras_peer.py a EPOCHS | keras_peer.py b STEPS
"""
import gzip, json, os, resource, sys, time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np
import tensorflow as tf

tf.config.threading.set_intra_op_parallelism_threads(2)
tf.config.threading.set_inter_op_parallelism_threads(2)
keras = tf.keras
DATA = "/usr/share/datasets/fashion-mnist"


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


class Steady(keras.callbacks.Callback):
    """Images/s after the first 10 training steps (same definition as the engine)."""

    def __init__(self, batch):
        super().__init__()
        self.batch, self.steps, self.start = batch, 0, None

    def on_train_batch_end(self, step, logs=None):
        self.steps += 1
        if self.steps == 10:
            self.start = time.perf_counter()

    def rate(self):
        return (self.steps - 10) * self.batch / (time.perf_counter() - self.start)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workload_a(epochs):
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
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    steady = Steady(64)
    start = time.perf_counter()
    model.fit(x, y, batch_size=64, epochs=epochs, verbose=0, callbacks=[steady])
    seconds = time.perf_counter() - start
    _, accuracy = model.evaluate(xt, yt, batch_size=256, verbose=0)
    print(json.dumps({"workload": "A", "engine": "keras", "tensorflow": tf.__version__, "epochs": epochs,
                      "imagesPerSecond": steady.rate(), "seconds": seconds, "testAccuracy": accuracy,
                      "parameters": model.count_params(), "peakMemoryMB": peak_mb()}))


def workload_b(steps):
    keras.utils.set_random_seed(1)
    model = keras.applications.MobileNet(input_shape=(96, 96, 1), alpha=0.25, weights=None, classes=2)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=keras.losses.SparseCategoricalCrossentropy())
    rng = np.random.default_rng(5)
    n = 32 * (steps + 10)
    x = rng.random((n, 96, 96, 1), dtype=np.float32)
    y = rng.integers(0, 2, n)
    steady = Steady(32)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[steady])
    print(json.dumps({"workload": "B", "engine": "keras", "imagesPerSecond": steady.rate(),
                      "parameters": model.count_params(), "peakMemoryMB": peak_mb()}))


if __name__ == "__main__":
    {"a": workload_a, "b": workload_b}[sys.argv[1]](int(sys.argv[2]))
