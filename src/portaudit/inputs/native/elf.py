"""A pure-Python ELF reader: just what the listener search needs, with every offset checked.

Reads program headers (address map), section headers (.plt, .text, .dynsym, .symtab,
relocations, .eh_frame_hdr, .ARM.exidx) and builds an :class:`~.image.Image`.  No native
code runs on the untrusted bytes here, so a hostile file can only raise
:class:`~.image.FormatError`.
"""

from __future__ import annotations

import struct

import numpy as np

from .image import FormatError, Image, Segment, check_range

EM = {3: "x86", 62: "x86_64", 40: "arm", 183: "aarch64"}
ARCH = {"x86": "x86", "x86_64": "x86_64", "arm": "arm", "aarch64": "arm64"}
MAX_SECTIONS = 65535
MAX_SYMBOLS = 2_000_000

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


def parse(data: bytes | memoryview) -> Image:
    n = len(data)
    if n < 52 or bytes(data[:4]) != b"\x7fELF":
        raise FormatError("not an ELF file (bad magic or too short)")
    cls, enc = data[4], data[5]
    if cls not in (1, 2) or enc not in (1, 2):
        raise FormatError(f"bad ELF class/encoding ({cls}/{enc})")
    is64 = cls == 2
    e = "<" if enc == 1 else ">"
    if is64:
        if n < 64:
            raise FormatError("truncated ELF header")
        (_etype, mach, _ver, _entry, phoff, shoff, _flags, _ehsz, phentsz, phnum, shentsz, shnum, shstrndx) = \
            struct.unpack_from(e + "HHIQQQIHHHHHH", data, 16)
    else:
        (_etype, mach, _ver, _entry, phoff, shoff, _flags, _ehsz, phentsz, phnum, shentsz, shnum, shstrndx) = \
            struct.unpack_from(e + "HHIIIIIHHHHHH", data, 16)
    arch = ARCH.get(EM.get(mach, ""), f"machine-{mach}")
    img = Image(data=data, arch=arch if e == "<" else f"{arch}-be", platform="linux")

    # -- program headers: the address map ------------------------------------
    if phnum:
        if phentsz < (56 if is64 else 32):
            raise FormatError(f"bad program header entry size {phentsz}")
        check_range(n, phoff, phnum * phentsz, "program header table")
        for i in range(phnum):
            o = phoff + i * phentsz
            if is64:
                ptype, pflags, poff, pva, _pa, pfsz, pmsz, _al = struct.unpack_from(e + "IIQQQQQQ", data, o)
            else:
                ptype, poff, pva, _pa, pfsz, pmsz, pflags, _al = struct.unpack_from(e + "IIIIIIII", data, o)
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

    # -- section headers -------------------------------------------------------
    sections: list[tuple[str, int, int, int, int, int, int, int]] = []
    if shnum and shoff:
        try:
            if shentsz < (64 if is64 else 40):
                raise FormatError(f"bad section header entry size {shentsz}")
            check_range(n, shoff, shnum * shentsz, "section header table")
        except FormatError as exc:
            img.notes.append(f"{exc}; section headers ignored")
            shnum = 0
        raw = []
        for i in range(shnum):
            o = shoff + i * shentsz
            if is64:
                name, stype, flags, addr, off, size, link, info, _al, entsz = struct.unpack_from(e + "IIQQQQIIQQ", data, o)
            else:
                name, stype, flags, addr, off, size, link, info, _al, entsz = struct.unpack_from(e + "IIIIIIIIII", data, o)
            raw.append((name, stype, flags, addr, off, size, link, info, entsz))
        strtab = b""
        if 0 <= shstrndx < len(raw):
            _, st, _, _, off, size, *_ = raw[shstrndx]
            if off + size <= n and st == 3:
                strtab = bytes(data[off:off + size])
        for (name, stype, flags, addr, off, size, link, info, entsz) in raw:
            end = strtab.find(b"\0", name) if name < len(strtab) else -1
            nm = strtab[name:end].decode("latin-1") if end >= 0 else ""
            sections.append((nm, stype, flags, addr, off, size, link, info, entsz))
    for nm, stype, _f, addr, off, size, *_ in sections:
        if nm and stype != 8 and off + size <= n:
            img.sections.setdefault(nm, (addr, off, size))
    if not img.segments and sections:  # relocatable object: map sections at their file offsets
        for nm, stype, flags, addr, off, size, *_ in sections:
            if flags & 2 and stype != 8 and off + size <= n:
                img.segments.append(Segment(off, size, off, size, True, bool(flags & 1), bool(flags & 4), nm))
    img.finalize()

    def sec_bytes(s) -> bytes | None:
        nm, stype, _f, _a, off, size, *_ = s
        if stype == 8:  # NOBITS
            return None
        if off + size > n or size > n:
            img.notes.append(f"section {nm or '?'} (size {size:#x}) lies outside the file")
            return None
        return bytes(data[off:off + size])

    # string-bearing sections (searched for embedded-server signatures)
    for nm, stype, flags, _a, off, size, *_ in sections:
        if stype in (1, 3) and not flags & 4 and size and off + size <= n and not nm.startswith(
                (".eh_frame", ".gcc_except", ".debug", ".rel", ".got", ".shstrtab", ".ARM.")):
            img.data_ranges.append((off, size))
    if not img.data_ranges:
        img.data_ranges.append((0, n))
    # executable sections to scan for call instructions
    for s in sections:
        nm, stype, flags, addr, off, size, *_ = s
        if flags & 4 and stype == 1 and size and off + size <= n and nm not in (".plt", ".plt.got", ".plt.sec", ".iplt"):
            img.code.append(Segment(addr if img.segments and addr else off, size, off, size, True, False, True, nm))
    if not sections:  # no section headers: scan executable segments
        img.code = [s for s in img.segments if s.x]

    # -- symbols (numpy: one pass over each table, names decoded only where needed) -------------
    symsize = 24 if is64 else 16
    dt = _sym_dtype(is64, e)
    dynsyms: list[tuple[str, int, int, int]] = []  # name, value, info, shndx (dynsym only)
    has_symtab = False
    for s in sections:
        nm, stype, _f, _a, off, size, link, _i, _es = s
        if stype not in (2, 11):  # SYMTAB, DYNSYM
            continue
        if stype == 2:
            has_symtab = True
        body = sec_bytes(s)
        if body is None or not (0 <= link < len(sections)):
            continue
        strs = sec_bytes(sections[link]) or b""
        count = min(len(body) // symsize, MAX_SYMBOLS)
        arr = np.frombuffer(body, dtype=dt, count=count)
        img.symbol_blobs.append(strs)
        typ = arr["info"] & 0xF
        if stype == 11:
            names = [_name(strs, o) for o in arr["name"].tolist()]
            dynsyms = list(zip(names, arr["value"].tolist(), arr["info"].tolist(), arr["shndx"].tolist()))
            und = np.nonzero((arr["shndx"] == 0) & ((typ == 0) | (typ == 2)) & (arr["name"] != 0))[0]
            for k in und.tolist():
                img.imports.add(names[k].split("@", 1)[0])
        fn = np.nonzero((typ == 2) & (arr["shndx"] != 0) & (arr["value"] != 0))[0]
        vals = arr["value"][fn].tolist()
        offs = arr["name"][fn].tolist()
        img.functions.extend(vals)
        img.add_function_names(vals, offs, strs)
    img.stripped = not has_symtab
    dyn_relocs: list[tuple[int, int, bool]] = []  # (vaddr, size, rela) from PT_DYNAMIC
    if not any(sec[1] == 11 for sec in sections):
        dynsyms, dyn_relocs = _dynamic_symbols(img, data, e, is64, phoff, phnum, phentsz)
        for name, _v, sinfo, shndx in dynsyms:
            if name:
                if shndx == 0 and (sinfo & 0xF) in (0, 2):
                    img.imports.add(name.split("@", 1)[0])
                elif (sinfo & 0xF) == 2 and _v:
                    img.exports.setdefault(_v, name)
                    img.functions.append(_v)
            img.symbol_blobs.append(b"\0" + "\0".join(x[0] for x in dynsyms).encode() + b"\0")

    # -- relocations: GOT slot -> imported symbol ---------------------------
    slot_types = _SLOT_RELOCS.get(img.arch, set())
    reloc_bodies = []
    for s in sections:
        nm, stype, _f, _a, off, size, link, _i, _es = s
        if stype in (4, 9):  # RELA, REL
            reloc_bodies.append((sec_bytes(s), stype == 4))
    for vaddr, size, rela in dyn_relocs:
        reloc_bodies.append((img.read(vaddr, size) if size < 1 << 28 else None, rela))
    for body, rela in reloc_bodies:
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
        for roff, k in zip(arr["off"][sel].tolist(), rsym[sel].tolist()):
            name = dynsyms[int(k)][0].split("@", 1)[0]
            if name:  # imported, or an exported function called through the PLT (preemptible)
                img.slots[roff] = name

    # -- function starts from unwind tables (stripped binaries) ---------------
    for s in sections:
        nm = s[0]
        if nm == ".eh_frame_hdr":
            body = sec_bytes(s)
            if body:
                img.functions.extend(_eh_frame_hdr_starts(body, s[3], e))
        elif nm == ".ARM.exidx":
            body = sec_bytes(s)
            if body:
                base = s[3]
                for k in range(len(body) // 8):
                    (w,) = struct.unpack_from(e + "I", body, k * 8)
                    off31 = w & 0x7FFFFFFF
                    if off31 & 0x40000000:
                        off31 -= 0x80000000
                    img.functions.append((base + k * 8 + off31) & 0xFFFFFFFF)
    thumb = {f for f in img.functions if f & 1} if img.arch == "arm" else set()
    img.set_thumb(thumb)
    img.finalize()
    for s in sections:
        if s[0] == ".got.plt":
            img.got_base = s[3]
    plt_sections = [s for s in sections if s[0] in (".plt", ".plt.got", ".plt.sec", ".iplt")]
    from .disasm import resolve_plt  # local import: disasm pulls capstone

    for s in plt_sections:
        body = sec_bytes(s)
        if body:
            img.stubs.update(resolve_plt(img, s[3], body))
    return img


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


def _dynamic_symbols(img: Image, data, e: str, is64: bool, phoff: int, phnum: int, phentsz: int):
    """Dynamic symbols and relocation tables from PT_DYNAMIC (files without section headers)."""
    n = len(data)
    dyn = None
    for i in range(phnum):
        o = phoff + i * phentsz
        if o + phentsz > n:
            break
        if is64:
            ptype, _f, poff, _va, _pa, pfsz, *_ = struct.unpack_from(e + "IIQQQQQQ", data, o)
        else:
            ptype, poff, _va, _pa, pfsz, *_ = struct.unpack_from(e + "IIIIIIII", data, o)
        if ptype == 2:
            dyn = (poff, min(pfsz, max(0, n - poff)))
    if dyn is None:
        return [], []
    ent = 16 if is64 else 8
    tags: dict[int, int] = {}
    off, size = dyn
    for k in range(min(size // ent, 4096)):
        tag, val = struct.unpack_from(e + ("qQ" if is64 else "iI"), data, off + k * ent)
        if tag == 0:
            break
        tags.setdefault(tag, val)
    symtab, strtab, strsz = tags.get(6), tags.get(5), tags.get(10, 0)
    syment = tags.get(11, 24 if is64 else 16)
    if not symtab or not strtab or syment not in (16, 24):
        return [], []
    count = 0
    if 4 in tags:  # DT_HASH: nchain
        h = img.read(tags[4] + 4, 4)
        count = struct.unpack(e + "I", h)[0] if h else 0
    if not count and strtab > symtab:
        count = (strtab - symtab) // syment
    count = min(count, MAX_SYMBOLS)
    strs = img.read(strtab, min(strsz, 1 << 26)) or b""
    body = img.read(symtab, count * syment) or b""
    syms = []
    for k in range(len(body) // syment):
        o = k * syment
        if is64:
            sname, sinfo, _oth, shndx, sval, _ssz = struct.unpack_from(e + "IBBHQQ", body, o)
        else:
            sname, sval, _ssz, sinfo, _oth, shndx = struct.unpack_from(e + "IIIBBH", body, o)
        end = strs.find(b"\0", sname) if sname < len(strs) else -1
        name = strs[sname:end].decode("utf-8", "replace") if end >= 0 else ""
        syms.append((name, sval, sinfo, shndx))
    relocs = []
    if 23 in tags and 2 in tags:
        relocs.append((tags[23], tags[2], tags.get(20, 7) == 7))
    if 7 in tags and 8 in tags:
        relocs.append((tags[7], tags[8], True))
    if 17 in tags and 18 in tags:
        relocs.append((tags[17], tags[18], False))
    return syms, relocs


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
