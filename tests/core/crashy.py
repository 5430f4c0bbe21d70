"""Analyzers used by test_isolation: they misbehave the way native libraries can."""

import ctypes
import time

from portaudit.model import Facts


def analyze(target, options):
    name = target.path.rsplit("/", 1)[-1]
    if name.startswith("segv"):
        ctypes.string_at(0)  # a real SIGSEGV inside native code
    if name.startswith("hang"):
        while True:
            time.sleep(0.05)
    if name.startswith("hog"):
        blocks = []
        while True:
            blocks.append(bytearray(64 * 1024 * 1024))
    return Facts(target=target)
