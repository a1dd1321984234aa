"""Synthetic camera scenes for the cameras benchmark (benchmark-only; numpy and Pillow).

The FOMO workload of `minnow-engine bench --workload fomo` at camera size: bright filled
squares and plus signs (the labels `square` and `plus`) pasted at random places on noisy
gray gradients. `dataset_zip` writes a detection dataset in the YOLO layout the zip import
reads (`train/` and `test/` PNGs, one `.txt` of `class cx cy w h` per image, `classes.txt`);
`jpeg_pool` encodes frames for the simulated cameras and `unique` makes every posted frame a
distinct file (a JPEG comment with a counter after the SOI marker: the pixels stay those of
the pool frame, the bytes and so their SHA-256 differ, so the server stores each frame as a
blob of its own instead of finding it already stored).
"""
import io
import struct
import zipfile

import numpy as np
from PIL import Image

LABELS = ["square", "plus"]


def scene(rng, width, height):
    """(uint8 height x width gray pixels, [(label index, cx, cy, w, h) in pixels])."""
    unit = max(1, round(width / 96))                 # 96x96: 1; 320x240: 3 (the same size once resized to 96)
    half = 5 * unit                                  # objects are 11x11 at 96x96
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    gx, gy, level = rng.uniform(-0.2, 0.2), rng.uniform(-0.2, 0.2), rng.uniform(0.2, 0.4)
    pixels = level + gx * xs / width + gy * ys / height + 0.05 * rng.standard_normal((height, width))
    objects, taken = [], []
    for _ in range(1 + rng.integers(3)):
        cx, cy = int(rng.integers(half + 1, width - half - 1)), int(rng.integers(half + 1, height - half - 1))
        if any(abs(cx - x) < 3 * half and abs(cy - y) < 3 * half for x, y in taken):
            continue  # keep objects apart so that each is one detection
        taken.append((cx, cy))
        label = int(rng.integers(2))
        brightness = rng.uniform(0.75, 1.0)
        if label == 0:
            pixels[cy - half:cy + half + 1, cx - half:cx + half + 1] = brightness
        else:
            arm = max(1, unit)
            pixels[cy - half:cy + half + 1, cx - arm:cx + arm + 1] = brightness
            pixels[cy - arm:cy + arm + 1, cx - half:cx + half + 1] = brightness
        objects.append((label, cx + 0.5, cy + 0.5, 2 * half + 1, 2 * half + 1))
    return np.clip(pixels * 255, 0, 255).astype(np.uint8), objects


def encode(pixels, kind="PNG"):
    out = io.BytesIO()
    Image.fromarray(pixels, "L").save(out, kind, **({"quality": 85} if kind == "JPEG" else {}))
    return out.getvalue()


def dataset_zip(path, count, size, seed=1):
    """`count` scenes of `size`x`size`, 80% under train/ and 20% under test/, YOLO boxes."""
    rng = np.random.default_rng(seed)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("classes.txt", "\n".join(LABELS) + "\n")
        for n in range(count):
            pixels, objects = scene(rng, size, size)
            split = "test" if n % 5 == 4 else "train"
            archive.writestr(f"{split}/scene-{n:05d}.png", encode(pixels))
            archive.writestr(f"{split}/scene-{n:05d}.txt", "".join(
                f"{label} {cx / size:.6f} {cy / size:.6f} {w / size:.6f} {h / size:.6f}\n" for label, cx, cy, w, h in objects))


def jpeg_pool(count, width, height, seed=2):
    rng = np.random.default_rng(seed)
    return [encode(scene(rng, width, height)[0], "JPEG") for _ in range(count)]


def unique(jpeg, counter):
    """The same JPEG with a comment segment holding `counter` right after SOI."""
    comment = b"minnow-bench " + struct.pack(">Q", counter)
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + jpeg[2:]
