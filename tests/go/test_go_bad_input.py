"""Damaged Go binaries (derived from the real fixtures): a clear error or notes, never a traceback."""

from __future__ import annotations

import random
import struct

import pytest

from portaudit import scan
from portaudit.inputs.native import elf, scan_elf
from portaudit.inputs.native import go as gomod
from portaudit.options import Options


def _pclntab_offset(data: bytes) -> int:
    img = elf.parse(data)
    return gomod._pclntab_offset(img)


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.8, 0.95])
def test_truncated(gobin, tmp_path, cut):
    data = (gobin / "listeners_arm64_stripped").read_bytes()
    p = tmp_path / "trunc"
    p.write_bytes(data[: int(len(data) * cut)])
    report = scan.run([str(p)], Options())
    t = report.targets[0]
    assert not any("internal error" in e for e in t.errors), t.errors
    for e in t.errors:
        assert "\n" not in e


def test_tampered_pclntab_header(gobin, tmp_path):
    data = bytearray((gobin / "listeners_amd64_stripped").read_bytes())
    off = _pclntab_offset(bytes(data))
    assert off is not None
    # absurd function count, table offset, name table offset
    for field, value in ((8, 1 << 40), (8 + 7 * 8, 1 << 50), (8 + 3 * 8, 1 << 50)):
        bad = bytearray(data)
        struct.pack_into("<Q", bad, off + field, value)
        listeners, _debug, notes = scan_elf("bad", bytes(bad))
        assert any("no pclntab" in n for n in notes), notes
        # the string signature still says a Go listener is there, address unknown
        assert [(lst.api, lst.bind.value) for lst in listeners] == [("Go net.Listen", "unknown")]


def test_tampered_buildinfo(gobin):
    data = bytearray((gobin / "listeners_arm64_stripped").read_bytes())
    img = elf.parse(bytes(data))
    off = img.sections[".go.buildinfo"][1]
    data[off + 32] = 0xFF  # the version's varint never ends within reason
    data[off + 33:off + 45] = b"\xff" * 12
    listeners, _debug, notes = scan_elf("bi", bytes(data))
    assert len(listeners) == 4  # the pclntab still names net.Listen; only the version is lost
    assert all("\n" not in n for n in notes)


def test_random_bit_flips(gobin):
    data = (gobin / "wrapper_amd64_stripped").read_bytes()
    img = elf.parse(data)
    lo = gomod._pclntab_offset(img)
    rng = random.Random(1234)
    for _ in range(25):
        bad = bytearray(data)
        for _ in range(16):
            k = rng.randrange(lo, min(len(bad), lo + 4096))
            bad[k] ^= 1 << rng.randrange(8)
        _listeners, _debug, notes = scan_elf("flip", bytes(bad))  # must not raise
        assert all("\n" not in n for n in notes)
