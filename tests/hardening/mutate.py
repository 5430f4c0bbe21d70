"""Seeded, documented transformations that turn real inputs into hostile ones.

Every broken input of the hardening tests is made here from a real file (a fixture built
by a real toolchain or a third-party binary) by one of these functions; nothing pretends
to be a valid DEX / ELF / Mach-O / zip on its own.  Each function is deterministic for a
given input and seed, so a failing case is reproduced by calling it again.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
DEMO_APK = ROOT / "src" / "portaudit" / "samples" / "demo.apk"
ANDROGUARD = ROOT / "tests/.cache/third_party/androguard/usr/share/doc/androguard/examples"


# ------------------------------------------------------------------ generic
def truncate(data: bytes, fraction: float) -> bytes:
    """The first ``fraction`` of the file."""
    return data[: max(1, int(len(data) * fraction))]


def bit_flips(data: bytes, seed: int, count: int, start: int = 0) -> bytes:
    """``count`` single-bit flips at positions drawn by ``random.Random(seed)`` from ``start`` on."""
    rng = random.Random(seed)
    b = bytearray(data)
    for _ in range(count):
        pos = rng.randrange(start, len(b))
        b[pos] ^= 1 << rng.randrange(8)
    return bytes(b)


def put(data: bytes, offset: int, fmt: str, *values) -> bytes:
    """Overwrite a little-endian field (``struct`` format) at ``offset``."""
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, *values)
    return bytes(b)


# ------------------------------------------------------------------ zip structure
@dataclass
class ZipRecord:
    name: str
    cd_offset: int  # offset of the central-directory record
    lh_offset: int  # offset of the local header
    method: int
    csize: int
    usize: int


def zip_records(data: bytes) -> list[ZipRecord]:
    """Central-directory records of a well-formed zip (for locating fields to tamper with)."""
    eocd = data.rfind(b"PK\x05\x06")
    assert eocd >= 0, "not a zip"
    n, _cd_size, cd_off = struct.unpack_from("<HII", data, eocd + 10)
    out = []
    pos = cd_off
    for _ in range(n):
        assert data[pos:pos + 4] == b"PK\x01\x02"
        method, = struct.unpack_from("<H", data, pos + 10)
        csize, usize, nlen, xlen, klen = struct.unpack_from("<IIHHH", data, pos + 20)
        lh, = struct.unpack_from("<I", data, pos + 42)
        name = data[pos + 46:pos + 46 + nlen].decode("utf-8", "replace")
        out.append(ZipRecord(name, pos, lh, method, csize, usize))
        pos += 46 + nlen + xlen + klen
    return out


def record(data: bytes, name: str) -> ZipRecord:
    for r in zip_records(data):
        if r.name == name:
            return r
    raise KeyError(name)


def local_header_disagrees(data: bytes, name: str) -> bytes:
    """The local header of ``name`` lies: method 99, sizes 0 and CRC 0 (the central directory is intact)."""
    r = record(data, name)
    b = put(data, r.lh_offset + 8, "<H", 99)  # method
    return put(b, r.lh_offset + 14, "<III", 0, 0, 0)  # crc, csize, usize


def local_name_length_lies(data: bytes, name: str, delta: int = 7) -> bytes:
    """The local header's name length is off by ``delta`` (so its data offset is wrong)."""
    r = record(data, name)
    nlen, = struct.unpack_from("<H", data, r.lh_offset + 26)
    return put(data, r.lh_offset + 26, "<H", nlen + delta)


def method_unknown(data: bytes, name: str, method: int = 0x4242) -> bytes:
    """A *stored* entry labelled with an unknown compression method in both headers."""
    r = record(data, name)
    assert r.method == 0, f"{name} is not stored"
    b = put(data, r.cd_offset + 10, "<H", method)
    return put(b, r.lh_offset + 8, "<H", method)


def cd_version_needed(data: bytes, value: int = 0x94) -> bytes:
    """The first central-directory record asks for zip version ``value`` / 10 (0x94: 14.8) to extract."""
    return put(data, zip_records(data)[0].cd_offset + 6, "<H", value)


def encrypted_flag(data: bytes) -> bytes:
    """Set the 'encrypted' general-purpose bit on every entry (Android ignores it)."""
    for r in zip_records(data):
        flags, = struct.unpack_from("<H", data, r.cd_offset + 8)
        data = put(data, r.cd_offset + 8, "<H", flags | 1)
        flags, = struct.unpack_from("<H", data, r.lh_offset + 6)
        data = put(data, r.lh_offset + 6, "<H", flags | 1)
    return data


def drop_central_directory(data: bytes) -> bytes:
    """Cut the file where its central directory starts (only local headers remain)."""
    return data[: min(r.cd_offset for r in zip_records(data))]


def cd_offset_outside(data: bytes) -> bytes:
    """EOCD's central-directory offset points past the end of the file."""
    eocd = data.rfind(b"PK\x05\x06")
    return put(data, eocd + 16, "<I", len(data) * 4 + 0x1000)


def rezip(data: bytes, *, stored: tuple[str, ...] = (), add: list[tuple[str, bytes]] = (),
          replace: dict[str, bytes] | None = None, first: list[tuple[str, bytes]] = ()) -> bytes:
    """Rewrite a real zip with Python's zipfile: chosen entries stored, entries added
    (before all others with ``first``), contents replaced.  Duplicate names are kept."""
    replace = replace or {}
    out = io.BytesIO()
    import warnings

    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" is the point of some cases
        for name, blob in first:
            dst.writestr(zipfile.ZipInfo(name), blob, compress_type=zipfile.ZIP_DEFLATED)
        for info in src.infolist():
            body = replace.get(info.filename, src.read(info))
            method = zipfile.ZIP_STORED if info.filename in stored else zipfile.ZIP_DEFLATED
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            dst.writestr(zi, body, compress_type=method)
        for name, blob in add:
            dst.writestr(zipfile.ZipInfo(name), blob, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def nest(inner: bytes, levels: int, names=("base.apk", "inner.apks")) -> bytes:
    """Wrap ``inner`` (an APK) ``levels`` times: apks -> apks -> ... -> base.apk."""
    data = inner
    for i in range(levels):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr(names[0] if i == 0 else names[1], data, compress_type=zipfile.ZIP_STORED)
        data = out.getvalue()
    return data


def zip_bomb(base_apk: bytes, name: str = "classes.dex", mib: int = 64) -> bytes:
    """``base_apk`` whose ``name`` is replaced by ``mib`` MiB of zeros, really deflated (~1000:1)."""
    return rezip(base_apk, replace={name: b"\0" * (mib * 1024 * 1024)})


# ------------------------------------------------------------------ DEX / ELF / Mach-O headers
def dex_field(data: bytes, offset: int, value: int) -> bytes:
    """Overwrite one u32 of the DEX header (e.g. 0x38 string_ids_size, 0x3C string_ids_off)."""
    return put(data, offset, "<I", value)


def elf_field(data: bytes, field: str, value: int) -> bytes:
    """Overwrite e_shoff / e_phoff / e_phnum / e_shnum / e_shstrndx of a 32- or 64-bit little-endian ELF."""
    is64 = data[4] == 2
    offs = ({"e_phoff": (0x20, "<Q"), "e_shoff": (0x28, "<Q"), "e_phnum": (0x38, "<H"),
             "e_shnum": (0x3C, "<H"), "e_shstrndx": (0x3E, "<H")} if is64 else
            {"e_phoff": (0x1C, "<I"), "e_shoff": (0x20, "<I"), "e_phnum": (0x2C, "<H"),
             "e_shnum": (0x30, "<H"), "e_shstrndx": (0x32, "<H")})
    off, fmt = offs[field]
    return put(data, off, fmt, value)


def macho_ncmds(data: bytes, value: int) -> bytes:
    """Overwrite ncmds of a thin little-endian Mach-O."""
    return put(data, 16, "<I", value)


def fat_offset(data: bytes, index: int, value: int) -> bytes:
    """Overwrite the offset of slice ``index`` in a universal (big-endian fat) header."""
    b = bytearray(data)
    struct.pack_into(">I", b, 8 + 20 * index + 8, value)
    return bytes(b)


# ------------------------------------------------------------------ Android binary XML / resources
def _chunks(data: bytes, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        t, h, sz = struct.unpack_from("<HHI", data, pos)
        if sz < 8:
            return
        yield pos, t, h, sz
        pos += sz


def axml_attribute_bomb(manifest: bytes, copies: int) -> bytes:
    """The first start-element chunk of a real binary manifest, its attributeCount set to 0xFFFF,
    inserted ``copies`` times before itself (each copy claims attributes far past its chunk)."""
    pos, _t, h, sz = next(c for c in _chunks(manifest, 8, len(manifest)) if c[1] == 0x0102)
    chunk = bytearray(manifest[pos:pos + sz])
    struct.pack_into("<H", chunk, h + 12, 0xFFFF)
    out = bytearray(manifest[:pos] + bytes(chunk) * copies + manifest[pos:])
    struct.pack_into("<I", out, 4, len(out))
    return bytes(out)


def arsc_type_bomb(arsc: bytes, copies: int) -> bytes:
    """The first type chunk of a real resources.arsc, its entryCount set to 0xFFFF, inserted
    ``copies`` times into its package (each copy claims an offset table far past its chunk)."""
    _t, hsize, _size = struct.unpack_from("<HHI", arsc, 0)
    pkg, _pt, ph, psz = next(c for c in _chunks(arsc, hsize, len(arsc)) if c[1] == 0x0200)
    pos, _t, _h, sz = next(c for c in _chunks(arsc, pkg + ph, pkg + psz) if c[1] == 0x0201)
    chunk = bytearray(arsc[pos:pos + sz])
    struct.pack_into("<I", chunk, 12, 0xFFFF)
    ins = bytes(chunk) * copies
    out = bytearray(arsc[:pos] + ins + arsc[pos:])
    struct.pack_into("<I", out, 4, len(out))
    struct.pack_into("<I", out, pkg + 4, psz + len(ins))
    return bytes(out)


def elf64_section_addr(data: bytes, name: str, value: int) -> bytes:
    """Overwrite sh_addr of the section called ``name`` in a 64-bit little-endian ELF."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    str_off, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
    for i in range(shnum):
        sh = shoff + i * shentsize
        name_off, = struct.unpack_from("<I", data, sh)
        end = data.index(b"\0", str_off + name_off)
        if data[str_off + name_off:end] == name.encode():
            return put(data, sh + 0x10, "<Q", value)
    raise KeyError(name)


def _elf32_phdrs(data: bytes) -> list[tuple[int, tuple[int, ...]]]:
    """(file offset, (p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align))
    of each program header of a 32-bit little-endian ELF."""
    phoff, = struct.unpack_from("<I", data, 0x1C)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x2A)
    heads = [phoff + i * phentsize for i in range(phnum)]
    return [(o, struct.unpack_from("<IIIIIIII", data, o)) for o in heads]


def elf32_load_memsz(data: bytes, index: int, value: int) -> bytes:
    """Overwrite p_memsz of the index-th PT_LOAD of a 32-bit little-endian ELF."""
    loads = [o for o, p in _elf32_phdrs(data) if p[0] == 1]
    return put(data, loads[index] + 0x14, "<I", value)


def elf32_dynamic_word(data: bytes, tag: int, delta: int, value: int) -> bytes:
    """Overwrite the u32 at (address named by dynamic tag) + delta of a 32-bit little-endian ELF.

    E.g. tag 4 (DT_HASH), delta 4: the hash table's nchain, the symbol count of a file
    without section headers."""
    phdrs = [p for _o, p in _elf32_phdrs(data)]
    dyn = next(p for p in phdrs if p[0] == 2)
    for o in range(dyn[1], dyn[1] + dyn[4], 8):
        t, v = struct.unpack_from("<II", data, o)
        if t == tag:
            load = next(p for p in phdrs if p[0] == 1 and p[2] <= v + delta < p[2] + p[4])
            return put(data, load[1] + v + delta - load[2], "<I", value)
    raise KeyError(tag)
