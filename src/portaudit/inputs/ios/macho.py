"""A pure-Python Mach-O reader (thin and universal), bounds-checked, producing the shared Image.

Reads segments/sections, the symbol table, the indirect symbol table (``__stubs`` and
pointer sections -> imported names), LC_FUNCTION_STARTS, LC_ENCRYPTION_INFO(_64) and the
code signature's entitlements.  Hostile input raises :class:`FormatError`, never crashes.
"""

from __future__ import annotations

import plistlib
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..native.image import FormatError, Image, Segment, check_range

CPU = {0x0100000C: "arm64", 0x01000007: "x86_64", 12: "arm", 7: "x86", 0x0200000C: "arm64_32"}
MAX_LOAD_COMMANDS = 10_000
PLATFORMS = {1: "macos", 2: "ios", 3: "tvos", 4: "watchos", 6: "maccatalyst", 7: "ios-simulator"}
MAX_SYMBOLS = 4_000_000


@dataclass
class MachO:
    image: Image
    arch: str
    encrypted: bool = False
    entitlements: dict = field(default_factory=dict)
    entitlements_error: str | None = None
    dylibs: list[str] = field(default_factory=list)
    filetype: int = 0
    platform: str | None = None  # from LC_BUILD_VERSION / LC_VERSION_MIN_*


class Slice(NamedTuple):
    arch: str
    body: memoryview


def slices(data: bytes | memoryview) -> list[Slice]:
    """Each slice of a universal binary, or the thin file itself."""
    mv = memoryview(data)
    n = len(mv)
    if n < 8:
        raise FormatError("file too short for a Mach-O header")
    magic = bytes(mv[:4])
    if magic in (b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"):
        is64 = magic[3] == 0xBF
        (count,) = struct.unpack_from(">I", mv, 4)
        if not 0 < count < 64:
            raise FormatError(f"universal header with {count} architectures")
        ent = 32 if is64 else 20
        check_range(n, 8, count * ent, "universal architecture table")
        out = []
        for i in range(count):
            o = 8 + i * ent
            if is64:
                cpu, _sub, off, size, _al, _res = struct.unpack_from(">iiQQII", mv, o)
            else:
                cpu, _sub, off, size, _al = struct.unpack_from(">iiIII", mv, o)
            name = CPU.get(cpu & 0xFFFFFFFF, f"cpu-{cpu & 0xFFFFFFFF:#x}")
            if off + size > n or size < 28:
                raise FormatError(f"universal slice {i} ({name}) at offset {off:#x} size {size:#x} "
                                  f"lies outside the file ({n:#x} bytes)")
            out.append(Slice(name, mv[off:off + size]))
        return out
    if magic in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe"):
        (cpu,) = struct.unpack_from("<i", mv, 4)
        return [Slice(CPU.get(cpu & 0xFFFFFFFF, f"cpu-{cpu & 0xFFFFFFFF:#x}"), mv)]
    if magic in (b"\xfe\xed\xfa\xcf", b"\xfe\xed\xfa\xce"):
        raise FormatError("big-endian Mach-O is not supported")
    raise FormatError("not a Mach-O file (bad magic)")


class Section(NamedTuple):
    name: str
    segment: str
    addr: int
    size: int
    offset: int
    flags: int
    reserved1: int  # stubs / pointer sections: first index into the indirect symbol table
    reserved2: int  # stubs: size of one stub


@dataclass
class _Commands:
    """What the load commands point at."""

    sections: list[Section] = field(default_factory=list)
    symtab: tuple[int, int, int, int] | None = None  # symoff, nsyms, stroff, strsize
    dysymtab: tuple[int, int] | None = None  # indirectsymoff, nindirectsyms
    function_starts: tuple[int, int] | None = None  # dataoff, datasize
    signature: tuple[int, int] | None = None
    text_vmaddr: int = 0


_S_ATTR_CODE = 0x80000400  # S_ATTR_PURE_INSTRUCTIONS | S_ATTR_SOME_INSTRUCTIONS
_S_SYMBOL_STUBS, _S_NON_LAZY_POINTERS, _S_LAZY_POINTERS = 0x8, 0x6, 0x7
_LC_SEGMENT, _LC_SEGMENT_64, _LC_SYMTAB, _LC_DYSYMTAB = 0x1, 0x19, 0x2, 0xB
_LC_FUNCTION_STARTS, _LC_BUILD_VERSION, _LC_CODE_SIGNATURE = 0x26, 0x32, 0x1D
_LC_ENCRYPTION_INFO = (0x21, 0x2C)
_LC_VERSION_MIN = {0x24: "macos", 0x25: "ios", 0x2F: "tvos", 0x30: "watchos"}
_LC_DYLIBS = (0xC, 0xD, 0x18, 0x1F, 0x23)  # LOAD_DYLIB, ID_DYLIB, LOAD_WEAK, REEXPORT, LAZY_LOAD


def parse(data: bytes | memoryview) -> MachO:
    """One thin Mach-O slice."""
    n = len(data)
    if n < 28:
        raise FormatError("truncated Mach-O header")
    magic = bytes(data[:4])
    is64 = magic == b"\xcf\xfa\xed\xfe"
    if not is64 and magic != b"\xce\xfa\xed\xfe":
        raise FormatError("not a little-endian Mach-O slice")
    cpu, _sub, filetype, ncmds, sizeofcmds, _flags = struct.unpack_from("<iiIIII", data, 4)
    arch = CPU.get(cpu & 0xFFFFFFFF, f"cpu-{cpu & 0xFFFFFFFF:#x}")
    hdr = 32 if is64 else 28
    if ncmds > MAX_LOAD_COMMANDS:
        raise FormatError(f"absurd load command count {ncmds}")
    check_range(n, hdr, sizeofcmds, "load commands")
    img = Image(data=data, arch=arch, platform="darwin")
    mo = MachO(image=img, arch=arch, filetype=filetype)
    cmds = _load_commands(mo, data, hdr, ncmds, sizeofcmds)
    img.finalize()
    names_at = _symbols(img, data, is64, cmds)
    if cmds.symtab and cmds.symtab[2] + cmds.symtab[3] <= n:
        # symbol names (Swift mangled names, ObjC classes)
        img.data_ranges.append((cmds.symtab[2], cmds.symtab[3]))
    if not img.data_ranges:
        img.data_ranges.append((0, n))
    _indirect_symbols(img, data, is64, cmds, names_at)
    if cmds.function_starts:
        img.functions.extend(_function_starts(data, *cmds.function_starts, cmds.text_vmaddr))
    img.set_thumb({f for f in img.functions if f & 1} if arch == "arm" else set())
    img.finalize()
    if cmds.signature:
        try:
            mo.entitlements = entitlements_from_signature(data, *cmds.signature)
        except FormatError as exc:
            mo.entitlements_error = str(exc)
    return mo


def _load_commands(mo: MachO, data: bytes | memoryview, hdr: int, ncmds: int, sizeofcmds: int) -> _Commands:
    cmds = _Commands()
    pos = hdr
    end = hdr + sizeofcmds
    for _ in range(ncmds):
        if pos + 8 > end:
            raise FormatError("load commands run past their declared size")
        cmd, size = struct.unpack_from("<II", data, pos)
        if size < 8 or pos + size > end:
            raise FormatError(f"load command {cmd:#x} has bad size {size}")
        _load_command(mo, cmds, data, cmd, pos, size)
        pos += size
    return cmds


def _load_command(mo: MachO, cmds: _Commands, data: bytes | memoryview, cmd: int, pos: int,
                  size: int) -> None:
    if cmd in (_LC_SEGMENT_64, _LC_SEGMENT):
        _segment(mo.image, cmds, data, cmd == _LC_SEGMENT_64, pos, size)
    elif cmd == _LC_SYMTAB:
        cmds.symtab = struct.unpack_from("<IIII", data, pos + 8)
    elif cmd == _LC_DYSYMTAB:
        cmds.dysymtab = struct.unpack_from("<II", data, pos + 56)
    elif cmd == _LC_FUNCTION_STARTS:
        cmds.function_starts = struct.unpack_from("<II", data, pos + 8)
    elif cmd in _LC_ENCRYPTION_INFO:
        _off, _sz, cryptid = struct.unpack_from("<III", data, pos + 8)
        if cryptid:
            mo.encrypted = True
    elif cmd == _LC_BUILD_VERSION:
        (plat,) = struct.unpack_from("<I", data, pos + 8)
        mo.platform = PLATFORMS.get(plat, f"platform-{plat}")
    elif cmd in _LC_VERSION_MIN:
        mo.platform = _LC_VERSION_MIN[cmd]
    elif cmd == _LC_CODE_SIGNATURE:
        cmds.signature = struct.unpack_from("<II", data, pos + 8)
    elif cmd in _LC_DYLIBS:
        (noff,) = struct.unpack_from("<I", data, pos + 8)
        if noff < size:
            raw = bytes(data[pos + noff:pos + size])
            mo.dylibs.append(raw.split(b"\0", 1)[0].decode("utf-8", "replace"))


def _segment(img: Image, cmds: _Commands, data: bytes | memoryview, seg64: bool, pos: int, size: int) -> None:
    n = len(data)
    if seg64:
        segname, vmaddr, vmsize, fileoff, filesize, _maxp, initp, nsects, _fl = struct.unpack_from(
            "<16sQQQQiiII", data, pos + 8)
        sh, se = pos + 72, 80
    else:
        segname, vmaddr, vmsize, fileoff, filesize, _maxp, initp, nsects, _fl = struct.unpack_from(
            "<16sIIIIiiII", data, pos + 8)
        sh, se = pos + 56, 68
    sname = segname.rstrip(b"\0").decode("latin-1")
    if sh + nsects * se > pos + size:
        raise FormatError(f"segment {sname} declares {nsects} sections beyond its load command")
    if vmsize > 1 << 40:
        raise FormatError(f"absurd segment size {vmsize:#x} in {sname}")
    if sname == "__TEXT":
        cmds.text_vmaddr = vmaddr
        img.base = vmaddr
    fs = min(filesize, max(0, n - fileoff)) if fileoff <= n else 0
    if filesize and fileoff + filesize > n:
        img.notes.append(f"segment {sname} extends past the end of the file")
    if vmsize and sname != "__PAGEZERO":
        img.segments.append(Segment(vmaddr, max(vmsize, fs), fileoff, fs, bool(initp & 1), bool(initp & 2),
                                    bool(initp & 4), sname))
    fmt = "<16s16sQQIIIIIIII" if seg64 else "<16s16sIIIIIIIII"
    for k in range(nsects):
        sect, segn, addr, ssize, off, _al, _ro, _nr, flags, r1, r2, *_r3 = struct.unpack_from(
            fmt, data, sh + k * se)
        cmds.sections.append(Section(sect.rstrip(b"\0").decode("latin-1"),
                                     segn.rstrip(b"\0").decode("latin-1"), addr, ssize, off, flags, r1, r2))


def _symbols(img: Image, data: bytes | memoryview, is64: bool, cmds: _Commands) -> Callable[[int], str]:
    """Imports, and function starts and names, from the symbol table (numpy; names decoded only for
    imports and on demand).  Returns the name of a symbol by index (for the indirect table)."""
    n = len(data)
    strx_arr = None
    strs = b""
    n_defined_code = 0
    if cmds.symtab:
        symoff, nsyms, stroff, strsize = cmds.symtab
        ent = 16 if is64 else 12
        if nsyms > MAX_SYMBOLS:
            raise FormatError(f"absurd symbol count {nsyms}")
        try:
            check_range(n, symoff, nsyms * ent, "symbol table")
            check_range(n, stroff, strsize, "string table")
        except FormatError as exc:
            img.notes.append(str(exc))
            nsyms = 0
        if nsyms:
            strs = bytes(data[stroff:stroff + strsize])
            dt = np.dtype([("strx", "<u4"), ("type", "u1"), ("sect", "u1"), ("desc", "<u2"),
                           ("value", "<u8" if is64 else "<u4")])
            arr = np.frombuffer(data, dtype=dt, count=nsyms, offset=symoff)
            strx_arr = arr["strx"]
            img.symbol_blobs.append(strs)
            typ = arr["type"]
            live = ((typ & 0xE0) == 0) & (strx_arr != 0)
            und = np.nonzero(live & ((typ & 0x0E) == 0) & ((typ & 1) == 1))[0]
            for k in und.tolist():
                name = _cstr(strs, int(strx_arr[k]))
                if name:
                    img.imports.add(name.removeprefix("_"))
            code_sects = np.array([0] + [1 if sec.flags & _S_ATTR_CODE else 0 for sec in cmds.sections],
                                  dtype=np.uint8)
            sect = arr["sect"].astype(np.int64)
            in_code = np.where(sect < len(code_sects), code_sects[np.minimum(sect, len(code_sects) - 1)], 0)
            fn = np.nonzero(live & ((typ & 0x0E) == 0x0E) & (sect > 0) & (in_code == 1))[0]
            vals = arr["value"][fn].tolist()
            img.functions.extend(vals)
            img.add_function_names(vals, strx_arr[fn].tolist(), strs, strip_underscore=True)
            n_defined_code = len(vals)
    img.stripped = n_defined_code == 0

    def names_at(si: int) -> str:
        if strx_arr is None or si >= len(strx_arr):
            return ""
        return _cstr(strs, int(strx_arr[si]))

    return names_at


def _indirect_symbols(img: Image, data: bytes | memoryview, is64: bool, cmds: _Commands,
                      names_at: Callable[[int], str]) -> None:
    """Stubs and pointer sections -> imported names; string and code sections."""
    n = len(data)
    indirect: list[int] = []
    if cmds.dysymtab:
        ioff, icount = cmds.dysymtab
        if icount <= MAX_SYMBOLS and ioff + 4 * icount <= n:
            indirect = list(struct.unpack_from(f"<{icount}I", data, ioff))
        elif icount:
            img.notes.append("indirect symbol table lies outside the file")
    ptr = 8 if is64 else 4
    for s in cmds.sections:
        if s.offset + s.size <= n:  # "SEGMENT,section" (ELF section names have no comma)
            img.sections.setdefault(f"{s.segment},{s.name}", (s.addr, s.offset, s.size))
        typ = s.flags & 0xFF
        if not s.flags & _S_ATTR_CODE and typ not in (0x1, 0xC, 0x12) and s.offset and s.size \
                and s.offset + s.size <= n:
            img.data_ranges.append((s.offset, s.size))  # strings, ObjC / Swift metadata
        if typ == _S_SYMBOL_STUBS and s.reserved2:
            count, esize = s.size // s.reserved2, s.reserved2
        elif typ in (_S_NON_LAZY_POINTERS, _S_LAZY_POINTERS):
            count, esize = s.size // ptr, ptr
        else:
            if s.flags & _S_ATTR_CODE and typ == 0 and s.offset and s.offset + s.size <= n:
                img.code.append(Segment(s.addr, s.size, s.offset, s.size, True, False, True, s.name))
            continue
        table = img.stubs if typ == _S_SYMBOL_STUBS else img.slots
        for k in range(min(count, max(0, len(indirect) - s.reserved1))):
            si = indirect[s.reserved1 + k]
            if si & 0xC0000000:  # INDIRECT_SYMBOL_LOCAL / ABS
                continue
            name = names_at(si)
            if name:
                table[s.addr + k * esize] = name.removeprefix("_")


def _function_starts(data: bytes | memoryview, off: int, size: int, text_vmaddr: int) -> list[int]:
    """LC_FUNCTION_STARTS (present in stripped binaries too): ULEB128 deltas, decoded with numpy."""
    if not (off + size <= len(data) and size):
        return []
    b = np.frombuffer(data, dtype=np.uint8, count=size, offset=off)
    ends = np.nonzero((b & 0x80) == 0)[0]
    if not len(ends):
        return []
    starts = np.r_[0, ends[:-1] + 1]
    grp = np.repeat(np.arange(len(ends)), ends - starts + 1)
    pos = np.arange(ends[-1] + 1) - starts[grp]
    pos = np.minimum(pos, 9)
    vals = np.add.reduceat((b[: ends[-1] + 1] & 0x7F).astype(np.uint64) << (7 * pos).astype(np.uint64), starts)
    zero = np.nonzero(vals == 0)[0]
    if len(zero):
        vals = vals[: zero[0]]
    return (np.cumsum(vals) + np.uint64(text_vmaddr)).tolist()


def entitlements_from_signature(data, off: int, size: int) -> dict:
    """The entitlements plist of an embedded code signature (SuperBlob), or {}."""
    n = len(data)
    check_range(n, off, size, "code signature")
    if size < 12:
        raise FormatError("code signature too small")
    magic, _length, count = struct.unpack_from(">III", data, off)
    if magic != 0xFADE0CC0:
        raise FormatError(f"code signature has bad magic {magic:#x}")
    if count > 1000 or 12 + 8 * count > size:
        raise FormatError("code signature index is out of range")
    for k in range(count):
        _typ, boff = struct.unpack_from(">II", data, off + 12 + 8 * k)
        if boff + 8 > size:
            raise FormatError("code signature blob offset out of range")
        bmagic, blen = struct.unpack_from(">II", data, off + boff)
        if bmagic == 0xFADE7171:
            if blen < 8 or boff + blen > size:
                raise FormatError("entitlements blob out of range")
            raw = bytes(data[off + boff + 8:off + boff + blen])
            try:
                val = plistlib.loads(raw)
            except Exception as exc:  # plistlib raises several types on bad XML
                raise FormatError(f"entitlements are not a valid plist ({type(exc).__name__})") from exc
            return val if isinstance(val, dict) else {}
    return {}


def _cstr(strs: bytes, off: int) -> str:
    if off >= len(strs):
        return ""
    end = strs.find(b"\0", off)
    return strs[off:end if end >= 0 else len(strs)].decode("utf-8", "replace")
