#!/usr/bin/env python3
"""Benchmark data for dataset ingestion (benchmark-only; stdlib Python).

  make_data.py fashion-zip OUT.zip COUNT   Fashion-MNIST test images as 28x28 grayscale PNGs,
                                           one folder per class (Debian dataset-fashion-mnist)
  make_data.py ppm-dir OUT_DIR COUNT       640x480 RGB PPM pictures (turned into JPEGs by cjpeg)
"""
import gzip
import os
import random
import struct
import sys
import zipfile
import zlib

CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]
ROOT = "/usr/share/datasets/fashion-mnist"


def png(width, height, pixels):
    raw = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def fashion_zip(out, count):
    images = gzip.open(f"{ROOT}/t10k-images-idx3-ubyte.gz").read()[16:]
    labels = gzip.open(f"{ROOT}/t10k-labels-idx1-ubyte.gz").read()[8:]
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(count):
            n = i % 10000
            name = f"{CLASSES[labels[n]]}/{i:05d}.png"
            pixels = images[n * 784:(n + 1) * 784]
            if i >= 10000:  # repeat with a twist so every file is distinct
                pixels = bytes((p + i // 10000) % 256 for p in pixels)
            archive.writestr(name, png(28, 28, pixels))


def ppm_dir(out, count):
    os.makedirs(out, exist_ok=True)
    rng = random.Random(7)
    for i in range(count):
        base = [rng.randrange(256) for _ in range(3)]
        rows = []
        for y in range(480):
            shade = (y * 255) // 479
            rows.append(bytes((base[c] + shade + x // 4) % 256 for x in range(640) for c in range(3)))
        with open(f"{out}/{i:04d}.ppm", "wb") as f:
            f.write(b"P6 640 480 255\n" + b"".join(rows))


if __name__ == "__main__":
    kind, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    {"fashion-zip": fashion_zip, "ppm-dir": ppm_dir}[kind](out, count)
