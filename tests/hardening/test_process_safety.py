"""Containment: a native crash, a runaway allocation or a hang in one target's analysis ends
only that target (one clear error); the rest of the batch is scanned as usual.

The misbehaving analyzer is a test double wrapped around the real ELF analyzer: for a file
whose name says so it really crashes (SIGSEGV through ctypes), allocates past the memory
limit, or spins; for every other file it runs the real analysis.
"""

from __future__ import annotations

import ctypes
import shutil
import sys

import pytest

from portaudit import inputs, scan
from portaudit.options import Limits, Options

from . import mutate as M

SERVER = M.FIXTURES / "native" / "bin" / "libserver_arm64_O2.so"
HOSTILE = sys.modules[__name__]


def misbehaving_analyze(target, options):
    from portaudit.inputs.native import analyze

    name = target.path.rsplit("/", 1)[-1]
    if name.startswith("segv"):
        ctypes.string_at(0)  # a real SIGSEGV, as a crash inside LIEF / tree-sitter / capstone would be
    if name.startswith("hog"):
        hog = bytearray(64 * 1024**3)  # far past the address-space limit of the child
        return hog
    if name.startswith("spin"):
        while True:
            pass
    return analyze(target, options)


@pytest.fixture
def batch(tmp_path, monkeypatch):
    monkeypatch.setitem(inputs.ANALYZERS, "elf", f"{__name__}:misbehaving_analyze")
    for name in ("a_good.so", "segv.so", "hog.so", "spin.so", "z_good.so"):
        shutil.copy(SERVER, tmp_path / name)
    return tmp_path


def test_native_crash_memory_and_hang_are_contained(batch):
    limits = Limits(timeout_seconds=2.0)  # default memory limit (8 GiB of address space)
    report = scan.run([str(batch)], Options(limits=limits, isolate=True, jobs=2))
    by = {t.path.rsplit("/", 1)[-1]: t for t in report.targets}
    assert set(by) == {"a_good.so", "segv.so", "hog.so", "spin.so", "z_good.so"}
    assert len(by["segv.so"].errors) == 1 and "crashed (SIGSEGV)" in by["segv.so"].errors[0]
    assert by["hog.so"].errors == ["out of memory while analysing"]
    assert len(by["spin.so"].errors) == 1 and "time limit" in by["spin.so"].errors[0]
    for good in ("a_good.so", "z_good.so"):
        assert by[good].errors == []
    alone = scan.run([str(SERVER)], Options())
    want = sorted((f.rule, f.message) for f in alone.findings)
    assert want
    for good in ("a_good.so", "z_good.so"):
        got = sorted((f.rule, f.message) for f in report.findings if f.target.endswith(good))
        assert got == want, good
