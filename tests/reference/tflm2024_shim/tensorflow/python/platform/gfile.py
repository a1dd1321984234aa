"""Test-only stand-in for TensorFlow's gfile: plain local files (see ../../../README.md)."""
import os

Exists = os.path.exists


def GFile(name, mode="r"):
    return open(name, mode)
