"""Generates the TensorFlow-converted int8 fixture for issue 5 (workload A).

Trains workload A (Conv(16,3,ReLU)-MaxPool2-Conv(32,3,ReLU)-MaxPool2-Flatten-Dense(10)
+ softmax, valid padding) on Fashion-MNIST with Keras, converts it with TensorFlow's
converter to a full-integer int8 .tflite (int8 input and output), and writes it to
Engine/Tests/Fixtures/fashion_tf_int8.tflite. Test-only tooling: needs TensorFlow
(`.venv-bench`, benchmarks/requirements.txt); the test suite only reads the result.

Usage: .venv-bench/bin/python tests/reference/make_tf_fixture.py [--epochs 3]
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def idx(name):
    with gzip.open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(ROOT, "Engine/Tests/Fixtures/fashion_tf_int8.tflite"))
    args = parser.parse_args()

    import tensorflow as tf
    tf.keras.utils.set_random_seed(7)
    x_train = idx("train-images-idx3-ubyte.gz").astype(np.float32)[..., None] / 255.0
    y_train = idx("train-labels-idx1-ubyte.gz").astype(np.int64)
    x_test = idx("t10k-images-idx3-ubyte.gz").astype(np.float32)[..., None] / 255.0
    y_test = idx("t10k-labels-idx1-ubyte.gz").astype(np.int64)

    def build(batch_size=None):
        return tf.keras.Sequential([
            tf.keras.Input((28, 28, 1), batch_size=batch_size),
            tf.keras.layers.Conv2D(16, 3, activation="relu"),
            tf.keras.layers.MaxPooling2D(2),
            tf.keras.layers.Conv2D(32, 3, activation="relu"),
            tf.keras.layers.MaxPooling2D(2),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(10),
            tf.keras.layers.Softmax(),
        ])

    model = build()
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=args.epochs, batch_size=64, verbose=2)
    float_accuracy = float(model.evaluate(x_test, y_test, verbose=0)[1])

    def representative():
        for i in range(0, 500):
            yield [x_train[i:i + 1]]

    # A fixed batch of 1 lets the converter fold Flatten's shape into a plain RESHAPE.
    inference = build(batch_size=1)
    inference.set_weights(model.get_weights())
    converter = tf.lite.TFLiteConverter.from_keras_model(inference)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    data = converter.convert()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(data)
    print(json.dumps({"bytes": len(data), "float_accuracy": float_accuracy, "path": args.out}))


if __name__ == "__main__":
    sys.exit(main())
