"""Hostile input: truncated, bit-flipped and tampered real DEX files never raise."""

from __future__ import annotations

import random
import struct

import pytest

from portaudit.inputs.dex import analyze_dex, raw_call_sites
from portaudit.inputs.dex.parser import DexError, DexFile

from .conftest import SMALI


@pytest.fixture(scope="module")
def main_dex() -> bytes:
    return (SMALI / "main.dex").read_bytes()


def _check(label: str, blob: bytes) -> None:
    r = analyze_dex([(label, blob)])
    for e in r.errors:
        assert "\n" not in e
        assert e.startswith((label + ": ", "DEX analysis"))
    raw_call_sites([(label, blob)])


def test_truncations(main_dex, androguard_examples):
    okhttp = (androguard_examples / "tests/okhttp.d8.038.dex").read_bytes()
    for blob in (main_dex, okhttp):
        for cut in sorted({0, 1, 8, 0x6F, 0x70, 0x71, len(blob) // 3, len(blob) // 2, len(blob) - 1,
                           *random.Random(7).sample(range(len(blob)), 25)}):
            r = analyze_dex([("classes.dex", blob[:cut])])
            assert r.listeners == []
            assert len(r.errors) == 1 and r.errors[0].startswith("classes.dex: bad DEX header"), r.errors


def test_bit_flips(main_dex, androguard_examples):
    rnd = random.Random(1234)
    samples = [("classes.dex", main_dex, 400),
               ("okhttp.dex", (androguard_examples / "tests/okhttp.dx.039.dex").read_bytes(), 40)]
    for label, blob, rounds in samples:
        for _ in range(rounds):
            b = bytearray(blob)
            for _k in range(rnd.randint(1, 16)):
                i = rnd.randrange(len(b)) if rnd.random() < 0.7 else rnd.randrange(0x70)
                b[i] ^= 1 << rnd.randrange(8)
            _check(label, bytes(b))


def test_other_dex_still_analysed(main_dex):
    bad = bytearray(main_dex)
    struct.pack_into("<I", bad, 32, len(bad) + 100)  # header file_size larger than the data
    r = analyze_dex([("classes3.dex", bytes(bad)), ("classes.dex", main_dex)])
    assert r.errors == [f"classes3.dex: bad DEX header: file size {len(bad)} != header {len(bad) + 100}"]
    assert len(r.listeners) > 20


@pytest.mark.parametrize("field,value,message", [
    (0, b"dex\n034\x00", "bad DEX header: unsupported version 034"),
    (0, b"zip\n035\x00", "bad DEX header: magic"),
    (40, struct.pack("<I", 0x78563412), "bad DEX header: endian tag 0x78563412"),
    (92, struct.pack("<I", 0x7FFFFFF0), "bad DEX header: method_ids table"),
    (56, struct.pack("<I", 0x10000000), "bad DEX header: string_ids table"),
])
def test_tampered_headers(main_dex, field, value, message):
    b = bytearray(main_dex)
    b[field : field + len(value)] = value
    with pytest.raises(DexError, match=message.replace("(", r"\(")):
        DexFile(bytes(b))
    r = analyze_dex([("classes.dex", bytes(b))])
    assert r.errors and r.errors[0].startswith("classes.dex: " + message)


def test_versions_and_trailing_data(main_dex):
    for v in (b"035", b"037", b"038", b"039", b"040", b"041"):
        b = bytearray(main_dex)
        b[4:7] = v
        r = analyze_dex([("classes.dex", bytes(b) + b"\x00" * 64)])  # extra data after the map is fine
        assert r.errors == [] and len(r.listeners) > 20


def test_out_of_range_index_is_a_dex_error(main_dex):
    d = DexFile(main_dex)
    for call in (lambda: d.string(10**6), lambda: d.type_desc(10**6), lambda: d.method_ref(10**6),
                 lambda: d.field_ref(10**6), lambda: d.proto(10**6), lambda: d.code_item(len(main_dex))):
        with pytest.raises(DexError):
            call()
