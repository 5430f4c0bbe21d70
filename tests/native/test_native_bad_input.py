"""Hostile / broken ELF input derived from real files: a clear error or an unknown verdict, never a crash."""

from __future__ import annotations

import random
import struct

import pytest

from portaudit import scan
from portaudit.inputs.native import scan_elf
from portaudit.options import Options

from .conftest import BIN

SAMPLES = ["libserver_arm64_O2.so", "libserver_armv7_O2.so", "libserver_x86_O0.so", "libserver_x86_64_O2.so",
           "libserver_gcc_armhf_O2.so"]


def _check(label, data):
    listeners, _debug, notes = scan_elf(label, data)
    assert isinstance(listeners, list) and isinstance(notes, list)
    for n in notes:
        assert label in n and "\n" not in n
    return listeners, notes


@pytest.mark.parametrize("name", SAMPLES)
def test_truncated(name):
    data = (BIN / name).read_bytes()
    for cut in (0, 3, 16, 51, 63, 64, 200, len(data) // 4, len(data) // 2, len(data) - 100, len(data) - 1):
        _check(name, data[:cut])


@pytest.mark.parametrize("name", SAMPLES)
def test_tampered_headers(name):
    data = bytearray((BIN / name).read_bytes())
    is64 = data[4] == 2
    fields = ({"phoff": (32, "Q"), "shoff": (40, "Q"), "phnum": (56, "H"), "shnum": (60, "H"), "shstrndx": (62, "H"),
               "shentsize": (58, "H"), "phentsize": (54, "H")} if is64 else
              {"phoff": (28, "I"), "shoff": (32, "I"), "phnum": (44, "H"), "shnum": (48, "H"), "shstrndx": (50, "H"),
               "shentsize": (46, "H"), "phentsize": (42, "H")})
    for off, fmt in fields.values():
        for value in (0, 1, 0xFFFF, 0x7FFFFFFF if fmt != "H" else 0x7FFF):
            d = bytearray(data)
            struct.pack_into("<" + fmt, d, off, value)
            _check(name, bytes(d))


@pytest.mark.parametrize("name", SAMPLES)
def test_absurd_section_sizes(name):
    data = bytearray((BIN / name).read_bytes())
    is64 = data[4] == 2
    shoff = struct.unpack_from("<Q" if is64 else "<I", data, 40 if is64 else 32)[0]
    shnum = struct.unpack_from("<H", data, 60 if is64 else 48)[0]
    ent = 64 if is64 else 40
    size_off = 32 if is64 else 20
    for i in range(1, shnum):
        d = bytearray(data)
        struct.pack_into("<Q" if is64 else "<I", d, shoff + i * ent + size_off, (1 << 62) if is64 else 0xFFFFFFF0)
        _check(name, bytes(d))


def test_random_bit_flips():
    rnd = random.Random(1234)
    for name in SAMPLES:
        data = (BIN / name).read_bytes()
        for _ in range(60):
            d = bytearray(data)
            for _ in range(rnd.randint(1, 20)):
                d[rnd.randrange(len(d))] ^= 1 << rnd.randrange(8)
            _check(name, bytes(d))


def test_stripped_binary_still_resolves():
    listeners, _notes = _check("s.so", (BIN / "libserver_arm64_O2_stripped.so").read_bytes())
    assert any(lst.port == 8080 for lst in listeners)


def test_pipeline_reports_one_line_errors(tmp_path):
    data = (BIN / "libserver_arm64_O2.so").read_bytes()
    bad = tmp_path / "libtrunc.so"
    bad.write_bytes(data[:40])
    good = tmp_path / "libgood.so"
    good.write_bytes(data)
    empty = tmp_path / "libempty.so"
    empty.write_bytes(b"")
    report = scan.run([str(bad), str(good), str(empty)], Options())
    by = {t.path: t for t in report.targets}
    assert by[str(bad)].errors and "ELF" in by[str(bad)].errors[0] and "\n" not in by[str(bad)].errors[0]
    assert by[str(empty)].errors
    assert by[str(good)].errors == [] and any(f.target == str(good) for f in report.findings)
