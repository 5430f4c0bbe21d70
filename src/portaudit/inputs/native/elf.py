"""A pure-Python ELF reader: just what the listener search needs, with every offset checked.

Reads program headers (address map), section headers (.plt, .text, .dynsym, .symtab,
relocations, .eh_frame_hdr, .ARM.exidx) and builds an :class:`~.image.Image`.  No native
code runs on the untrusted bytes here, so a hostile file can only raise
:class:`~.image.FormatError`.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

import numpy as np

from .image import FormatError, Image, Segment, check_range

EM = {3: "x86", 62: "x86_64", 40: "arm", 183: "aarch64"}
ARCH = {"x86": "x86", "x86_64": "x86_64", "arm": "arm", "aarch64": "arm64"}
MAX_SECTIONS = 65535
MAX_SYMBOLS = 2_000_000

# relocation types that store "load base + addend" (pointers in .data.rel.ro, e.g. arrays of strings)
_RELATIVE = {"x86_64": 8, "x86": 8, "arm": 23, "arm64": 1027}
# relocation types that fill a GOT slot with a symbol's address
_SLOT_RELOCS = {
    "x86_64": {6, 7},  # GLOB_DAT, JUMP_SLOT
    "x86": {6, 7},
    "arm": {21, 22},  # GLOB_DAT, JUMP_SLOT
    "arm64": {1025, 1026},  # GLOB_DAT, JUMP_SLOT
}


def machine_name(data: bytes) -> str:
    if len(data) < 20:
        return "?"
    endian = "<" if data[5] == 1 else ">"
    (m,) = struct.unpack_from(endian + "H", data, 18)
    return EM.get(m, f"machine {m}")


class Header(NamedTuple):
    is64: bool
    e: str  # struct byte order: "<" or ">"
    machine: int
    phoff: int
    shoff: int
    phentsize: int
    phnum: int
    shentsize: int
    shnum: int
    shstrndx: int


class Section(NamedTuple):
    name: str
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int


_PLT_SECTIONS = (".plt", ".plt.got", ".plt.sec", ".iplt")
_SHT_PROGBITS, _SHT_SYMTAB, _SHT_STRTAB, _SHT_RELA, _SHT_NOBITS, _SHT_REL, _SHT_DYNSYM = 1, 2, 3, 4, 8, 9, 11
_SHF_ALLOC, _SHF_EXECINSTR = 2, 4


def parse(data: bytes | memoryview) -> Image:
    h = _header(data)
    arch = ARCH.get(EM.get(h.machine, ""), f"machine-{h.machine}")
    img = Image(data=data, arch=arch if h.e == "<" else f"{arch}-be", platform="linux")
    _load_segments(img, data, h)
    sections = _sections(img, data, h)
    _map_sections(img, sections, len(data))
    img.finalize()
    _code_and_strings(img, sections, len(data))
    dynsyms = _symbols(img, data, h, sections)
    _got_slots(img, data, h, sections, dynsyms)
    _unwind_starts(img, data, h, sections)
    img.set_thumb({f for f in img.functions if f & 1} if img.arch == "arm" else set())
    img.finalize()
    for s in sections:
        if s.name == ".got.plt":
            img.got_base = s.addr
    from .plt import resolve_plt  # local import: plt pulls capstone

    for s in sections:
        if s.name in _PLT_SECTIONS:
            body = _section_bytes(img, data, s)
            if body:
                img.stubs.update(resolve_plt(img, s.addr, body))
    return img


def _header(data: bytes | memoryview) -> Header:
    n = len(data)
    if n < 52 or bytes(data[:4]) != b"\x7fELF":
        raise FormatError("not an ELF file (bad magic or too short)")
    cls, enc = data[4], data[5]
    if cls not in (1, 2) or enc not in (1, 2):
        raise FormatError(f"bad ELF class/encoding ({cls}/{enc})")
    is64 = cls == 2
    e = "<" if enc == 1 else ">"
    if is64 and n < 64:
        raise FormatError("truncated ELF header")
    fmt = "HHIQQQIHHHHHH" if is64 else "HHIIIIIHHHHHH"
    (_etype, mach, _ver, _entry, phoff, shoff, _flags, _ehsz, phentsz, phnum, shentsz, shnum, shstrndx) = \
        struct.unpack_from(e + fmt, data, 16)
    return Header(is64, e, mach, phoff, shoff, phentsz, phnum, shentsz, shnum, shstrndx)


def _load_segments(img: Image, data: bytes | memoryview, h: Header) -> None:
    """PT_LOAD program headers: the address map."""
    n = len(data)
    if not h.phnum:
        return
    if h.phentsize < (56 if h.is64 else 32):
        raise FormatError(f"bad program header entry size {h.phentsize}")
    check_range(n, h.phoff, h.phnum * h.phentsize, "program header table")
    for i in range(h.phnum):
        o = h.phoff + i * h.phentsize
        if h.is64:
            ptype, pflags, poff, pva, _pa, pfsz, pmsz, _al = struct.unpack_from(h.e + "IIQQQQQQ", data, o)
        else:
            ptype, poff, pva, _pa, pfsz, pmsz, pflags, _al = struct.unpack_from(h.e + "IIIIIIII", data, o)
        if ptype != 1:  # PT_LOAD
            continue
        if poff > n:
            img.notes.append(f"load segment {i} starts beyond the end of the file")
            continue
        fsz = min(pfsz, n - poff, pmsz if pmsz else pfsz)
        msz = max(pmsz, fsz)
        if msz > 1 << 40:
            raise FormatError(f"absurd segment size {msz:#x}")
        img.segments.append(Segment(pva, msz, poff, fsz, bool(pflags & 4), bool(pflags & 2), bool(pflags & 1)))


def _sections(img: Image, data: bytes | memoryview, h: Header) -> list[Section]:
    """The section header table, names decoded (a broken table is ignored with a note)."""
    n = len(data)
    shnum = h.shnum
    if not (shnum and h.shoff):
        return []
    try:
        if h.shentsize < (64 if h.is64 else 40):
            raise FormatError(f"bad section header entry size {h.shentsize}")
        check_range(n, h.shoff, shnum * h.shentsize, "section header table")
    except FormatError as exc:
        img.notes.append(f"{exc}; section headers ignored")
        return []
    fmt = h.e + ("IIQQQQIIQQ" if h.is64 else "IIIIIIIIII")
    raw = []
    for i in range(shnum):
        o = h.shoff + i * h.shentsize
        name, stype, flags, addr, off, size, link, info, _al, entsz = struct.unpack_from(fmt, data, o)
        raw.append((name, stype, flags, addr, off, size, link, info, entsz))
    strtab = b""
    if 0 <= h.shstrndx < len(raw):
        _, st, _, _, off, size, *_ = raw[h.shstrndx]
        if off + size <= n and st == _SHT_STRTAB:
            strtab = bytes(data[off:off + size])
    out = []
    for (name, *rest) in raw:
        end = strtab.find(b"\0", name) if name < len(strtab) else -1
        out.append(Section(strtab[name:end].decode("latin-1") if end >= 0 else "", *rest))
    return out


def _map_sections(img: Image, sections: list[Section], n: int) -> None:
    """Named sections, and the address map of relocatable objects."""
    for s in sections:
        if s.name and s.type != _SHT_NOBITS and s.offset + s.size <= n:
            img.sections.setdefault(s.name, (s.addr, s.offset, s.size))
    if not img.segments:  # relocatable object: map sections at their file offsets
        for s in sections:
            if s.flags & _SHF_ALLOC and s.type != _SHT_NOBITS and s.offset + s.size <= n:
                img.segments.append(Segment(s.offset, s.size, s.offset, s.size, True, bool(s.flags & 1),
                                            bool(s.flags & _SHF_EXECINSTR), s.name))


def _code_and_strings(img: Image, sections: list[Section], n: int) -> None:
    """The ranges searched for strings and the code scanned for calls (after the map is final)."""
    # string-bearing sections (searched for embedded-server signatures)
    for s in sections:
        if s.type in (_SHT_PROGBITS, _SHT_STRTAB) and not s.flags & _SHF_EXECINSTR and s.size \
                and s.offset + s.size <= n and not s.name.startswith(
                    (".eh_frame", ".gcc_except", ".debug", ".rel", ".got", ".shstrtab", ".ARM.")):
            img.data_ranges.append((s.offset, s.size))
    if not img.data_ranges:
        img.data_ranges.append((0, n))
    # executable sections to scan for call instructions
    for s in sections:
        if s.flags & _SHF_EXECINSTR and s.type == _SHT_PROGBITS and s.size and s.offset + s.size <= n \
                and s.name not in _PLT_SECTIONS:
            img.code.append(Segment(s.addr if img.segments and s.addr else s.offset, s.size, s.offset, s.size,
                                    True, False, True, s.name))
    if not sections:  # no section headers: scan executable segments
        img.code = [s for s in img.segments if s.x]


def _section_bytes(img: Image, data: bytes | memoryview, s: Section) -> bytes | None:
    n = len(data)
    if s.type == _SHT_NOBITS:
        return None
    if s.offset + s.size > n or s.size > n:
        img.notes.append(f"section {s.name or '?'} (size {s.size:#x}) lies outside the file")
        return None
    return bytes(data[s.offset:s.offset + s.size])


def _symbols(img: Image, data: bytes | memoryview, h: Header, sections: list[Section]) -> list[DynSym]:
    """Imports, function starts and names from .symtab / .dynsym (numpy: one pass over each
    table, names decoded only where needed), or from PT_DYNAMIC without section headers.
    Returns the dynamic symbols (relocations index them)."""
    symsize = 24 if h.is64 else 16
    dt = _sym_dtype(h.is64, h.e)
    dynsyms: list[DynSym] = []
    has_symtab = False
    for s in sections:
        if s.type not in (_SHT_SYMTAB, _SHT_DYNSYM):
            continue
        has_symtab = has_symtab or s.type == _SHT_SYMTAB
        body = _section_bytes(img, data, s)
        if body is None or not (0 <= s.link < len(sections)):
            continue
        strs = _section_bytes(img, data, sections[s.link]) or b""
        count = min(len(body) // symsize, MAX_SYMBOLS)
        arr = np.frombuffer(body, dtype=dt, count=count)
        img.symbol_blobs.append(strs)
        typ = arr["info"] & 0xF
        if s.type == _SHT_DYNSYM:
            dynsyms = _dynsyms(arr, strs)
            und = np.nonzero((arr["shndx"] == 0) & ((typ == 0) | (typ == 2)) & (arr["name"] != 0))[0]
            for k in und.tolist():
                img.imports.add(dynsyms[k].name.split("@", 1)[0])
        fn = np.nonzero((typ == 2) & (arr["shndx"] != 0) & (arr["value"] != 0))[0]
        vals = arr["value"][fn].tolist()
        img.functions.extend(vals)
        img.add_function_names(vals, arr["name"][fn].tolist(), strs)
    img.stripped = not has_symtab
    if not any(s.type == _SHT_DYNSYM for s in sections):
        dynsyms = _dynamic_symbols(img, data, h)
        for sym in dynsyms:
            if sym.name:
                if sym.shndx == 0 and (sym.info & 0xF) in (0, 2):
                    img.imports.add(sym.name.split("@", 1)[0])
                elif (sym.info & 0xF) == 2 and sym.value:
                    img.exports.setdefault(sym.value, sym.name)
                    img.functions.append(sym.value)
        img.symbol_blobs.append(b"\0" + "\0".join(x.name for x in dynsyms).encode() + b"\0")
    return dynsyms


def _got_slots(img: Image, data: bytes | memoryview, h: Header, sections: list[Section],
               dynsyms: list[DynSym]) -> None:
    """Relocations that fill a GOT slot with a symbol's address: slot -> imported name."""
    slot_types = _SLOT_RELOCS.get(img.arch, set())
    bodies = [(_section_bytes(img, data, s), s.type == _SHT_RELA)
              for s in sections if s.type in (_SHT_RELA, _SHT_REL)]
    if not any(s.type == _SHT_DYNSYM for s in sections):
        for r in _dynamic_relocations(img, data, h):
            size = min(r.size, img.file_backed(r.vaddr))  # bss zero-fill holds no relocations
            bodies.append((img.read(r.vaddr, size) if size else None, r.rela))
    is64, e = h.is64, h.e
    for body, rela in bodies:
        if body is None:
            continue
        ent = (24 if rela else 16) if is64 else (12 if rela else 8)
        cnt = min(len(body) // ent, MAX_SYMBOLS)
        rdt = np.dtype([("off", e + ("u8" if is64 else "u4")), ("info", e + ("u8" if is64 else "u4"))]
                       + ([("add", e + ("i8" if is64 else "i4"))] if rela else []))
        arr = np.frombuffer(body, dtype=rdt, count=cnt)
        info = arr["info"].astype(np.uint64)
        rtype = (info & np.uint64(0xFFFFFFFF)) if is64 else (info & np.uint64(0xFF))
        rsym = (info >> np.uint64(32)) if is64 else (info >> np.uint64(8))
        sel = np.nonzero(np.isin(rtype, list(slot_types)) & (rsym > 0) & (rsym < len(dynsyms)))[0]
        for roff, k in zip(arr["off"][sel].tolist(), rsym[sel].tolist(), strict=True):
            name = dynsyms[int(k)].name.split("@", 1)[0]
            if name:  # imported, or an exported function called through the PLT (preemptible)
                img.slots[roff] = name
        if rela and img.arch in _RELATIVE:  # REL keeps the addend in place: the file bytes are right
            rel = np.nonzero(rtype == np.uint64(_RELATIVE[img.arch]))[0]
            img.relative.update(zip(arr["off"][rel].tolist(), arr["add"][rel].tolist(), strict=True))


def _unwind_starts(img: Image, data: bytes | memoryview, h: Header, sections: list[Section]) -> None:
    """Function starts from unwind tables (stripped binaries): .eh_frame_hdr, .ARM.exidx."""
    for s in sections:
        if s.name == ".eh_frame_hdr":
            body = _section_bytes(img, data, s)
            if body:
                img.functions.extend(_eh_frame_hdr_starts(body, s.addr, h.e))
        elif s.name == ".ARM.exidx":
            body = _section_bytes(img, data, s)
            if body:
                for k in range(len(body) // 8):
                    (w,) = struct.unpack_from(h.e + "I", body, k * 8)
                    off31 = w & 0x7FFFFFFF
                    if off31 & 0x40000000:
                        off31 -= 0x80000000
                    img.functions.append((s.addr + k * 8 + off31) & 0xFFFFFFFF)


def _eh_frame_hdr_starts(body: bytes, addr: int, e: str) -> list[int]:
    """Function starts from the binary-search table of .eh_frame_hdr (datarel sdata4 encoding)."""
    if len(body) < 12 or body[0] != 1:
        return []
    eh_ptr_enc, count_enc, table_enc = body[1], body[2], body[3]
    pos = 4
    sizes = {0x03: 4, 0x0B: 4, 0x1B: 4, 0x04: 8, 0x0C: 8}
    if (eh_ptr_enc & 0x0F) not in (0x03, 0x0B, 0x04, 0x0C):
        return []
    pos += sizes.get(eh_ptr_enc & 0x0F, 4)
    if count_enc != 0x03 or table_enc != 0x3B:  # udata4 count, datarel|sdata4 table
        return []
    if pos + 4 > len(body):
        return []
    (count,) = struct.unpack_from(e + "I", body, pos)
    pos += 4
    count = min(count, (len(body) - pos) // 8)
    out = []
    for k in range(count):
        (loc,) = struct.unpack_from(e + "i", body, pos + 8 * k)
        out.append((addr + loc) & 0xFFFFFFFFFFFFFFFF)
    return out


class DynSym(NamedTuple):
    name: str
    value: int
    info: int
    shndx: int


class DynReloc(NamedTuple):
    vaddr: int
    size: int
    rela: bool


def _dynamic_tags(img: Image, data: bytes | memoryview, h: Header) -> dict[int, int]:
    """The PT_DYNAMIC entries (first value of each tag)."""
    n = len(data)
    dyn = None
    for i in range(h.phnum):
        o = h.phoff + i * h.phentsize
        if o + h.phentsize > n:
            break
        if h.is64:
            ptype, _f, poff, _va, _pa, pfsz, *_ = struct.unpack_from(h.e + "IIQQQQQQ", data, o)
        else:
            ptype, poff, _va, _pa, pfsz, *_ = struct.unpack_from(h.e + "IIIIIIII", data, o)
        if ptype == 2:
            dyn = (poff, min(pfsz, max(0, n - poff)))
    tags: dict[int, int] = {}
    if dyn is None:
        return tags
    ent = 16 if h.is64 else 8
    off, size = dyn
    for k in range(min(size // ent, 4096)):
        tag, val = struct.unpack_from(h.e + ("qQ" if h.is64 else "iI"), data, off + k * ent)
        if tag == 0:
            break
        tags.setdefault(tag, val)
    return tags


def _dynamic_symbols(img: Image, data: bytes | memoryview, h: Header) -> list[DynSym]:
    """Dynamic symbols from PT_DYNAMIC (files without section headers)."""
    tags = _dynamic_tags(img, data, h)
    symtab, strtab, strsz = tags.get(6), tags.get(5), tags.get(10, 0)
    syment = tags.get(11, 24 if h.is64 else 16)
    if not symtab or not strtab or syment != (24 if h.is64 else 16):
        return []
    count = 0
    if 4 in tags:  # DT_HASH: nchain
        hb = img.read(tags[4] + 4, 4)
        count = struct.unpack(h.e + "I", hb)[0] if hb else 0
    if not count and strtab > symtab:
        count = (strtab - symtab) // syment
    # a table in bss zero-fill holds no symbols: count only what the file backs
    count = min(count, MAX_SYMBOLS, img.file_backed(symtab) // syment)
    strs = img.read(strtab, min(strsz, img.file_backed(strtab), 1 << 26)) or b""
    body = img.read(symtab, count * syment) or b""
    return _dynsyms(np.frombuffer(body, dtype=_sym_dtype(h.is64, h.e), count=len(body) // syment), strs)


def _dynsyms(arr: np.ndarray, strs: bytes) -> list[DynSym]:
    """Symbol records (a _sym_dtype array) with their names from the string table."""
    names = [_name(strs, o) for o in arr["name"].tolist()]
    return [DynSym(*t) for t in zip(names, arr["value"].tolist(), arr["info"].tolist(),
                                    arr["shndx"].tolist(), strict=True)]


def _dynamic_relocations(img: Image, data: bytes | memoryview, h: Header) -> list[DynReloc]:
    """Relocation tables named by PT_DYNAMIC: DT_JMPREL (+PLTREL), DT_RELA, DT_REL."""
    tags = _dynamic_tags(img, data, h)
    if not tags.get(6) or not tags.get(5) or tags.get(11, 24 if h.is64 else 16) not in (16, 24):
        return []  # no usable dynamic symbol table: nothing for the relocations to name
    relocs = []
    if 23 in tags and 2 in tags:
        relocs.append(DynReloc(tags[23], tags[2], tags.get(20, 7) == 7))
    if 7 in tags and 8 in tags:
        relocs.append(DynReloc(tags[7], tags[8], True))
    if 17 in tags and 18 in tags:
        relocs.append(DynReloc(tags[17], tags[18], False))
    return relocs


def _sym_dtype(is64: bool, e: str) -> np.dtype:
    if is64:
        return np.dtype([("name", e + "u4"), ("info", "u1"), ("other", "u1"), ("shndx", e + "u2"),
                         ("value", e + "u8"), ("size", e + "u8")])
    return np.dtype([("name", e + "u4"), ("value", e + "u4"), ("size", e + "u4"), ("info", "u1"),
                     ("other", "u1"), ("shndx", e + "u2")])


def _name(strs: bytes, off: int) -> str:
    if off >= len(strs):
        return ""
    end = strs.find(b"\0", off)
    return strs[off:end if end >= 0 else len(strs)].decode("utf-8", "replace")
