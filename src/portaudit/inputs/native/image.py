"""A small, bounds-checked view of an executable image shared by the ELF and Mach-O readers.

The disassembly layer (:mod:`.plt`, :mod:`.callsites`, :mod:`.emulate`) only needs: the architecture, a way to read
bytes at a virtual address, which addresses are executable / writable, the call
targets that stand for imported functions (PLT entries, ``__stubs``), the GOT slots
holding imported addresses, and function start addresses.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field


class FormatError(Exception):
    """The binary is malformed (message names the problem)."""


@dataclass
class Segment:
    vaddr: int
    vsize: int
    offset: int
    fsize: int
    r: bool = True
    w: bool = False
    x: bool = False
    name: str = ""


@dataclass
class Image:
    data: bytes | memoryview
    arch: str  # "arm64" | "arm" | "x86" | "x86_64" | other (analysed for imports / strings only)
    platform: str  # "linux" (ELF, Android) | "darwin" (Mach-O)
    segments: list[Segment] = field(default_factory=list)
    code: list[Segment] = field(default_factory=list)  # executable sections to scan for calls
    stubs: dict[int, str] = field(default_factory=dict)  # call target -> imported name
    slots: dict[int, str] = field(default_factory=dict)  # GOT slot address -> imported name
    imports: set[str] = field(default_factory=set)  # imported function names (no leading '_')
    exports: dict[int, str] = field(default_factory=dict)  # function address -> name
    functions: list[int] = field(default_factory=list)  # sorted function starts (ARM: LSB = thumb)
    symbols: list[str] = field(default_factory=list)  # symbol names (Mach-O); ELF keeps string tables:
    symbol_blobs: list[bytes] = field(default_factory=list)  # raw string tables ("\0name\0" lookups)
    notes: list[str] = field(default_factory=list)
    stripped: bool = False
    data_ranges: list[tuple[int, int]] = field(default_factory=list)  # file ranges searched for strings
    got_base: int | None = None
    sections: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # ELF: name -> (vaddr, offset, size)
    relative: dict[int, int] = field(default_factory=dict)  # ELF RELA R_*_RELATIVE: slot -> addend (base 0)
    # Mach-O: the __TEXT vmaddr (chained-fixup targets are relative to it);
    # x86: address of .got.plt (PLT entries index it through ebx)
    base: int = 0
    encrypted: bool = False  # Mach-O LC_ENCRYPTION_INFO cryptid=1: the code bytes are not the program

    def __post_init__(self) -> None:
        self._seg_starts: list[int] = []
        self._fn_plain: list[int] = []
        self._thumb: set[int] = set()
        self._lazy_names: list[tuple[dict[int, int], bytes]] = []
        self._symset: set[str] | None = None
        self._strip_underscore = False

    def finalize(self) -> None:
        self.segments.sort(key=lambda s: s.vaddr)
        self._seg_starts = [s.vaddr for s in self.segments]
        self.functions = sorted(set(self.functions))
        self._fn_plain = sorted({f & ~1 for f in self.functions}) if self.arch == "arm" else self.functions

    def segment_at(self, addr: int) -> Segment | None:
        i = bisect.bisect_right(self._seg_starts, addr) - 1
        if i < 0:
            return None
        s = self.segments[i]
        if s.vaddr <= addr < s.vaddr + s.vsize:
            return s
        return None

    def read(self, addr: int, size: int) -> bytes | None:
        """Bytes at a virtual address (zero-fill for bss), or None if not mapped."""
        s = self.segment_at(addr)
        if s is None or size < 0 or addr + size > s.vaddr + s.vsize:
            return None
        rel = addr - s.vaddr
        out = bytearray()
        if rel < s.fsize:
            end = min(rel + size, s.fsize)
            lo, hi = s.offset + rel, s.offset + end
            if hi > len(self.data):
                return None
            out += bytes(self.data[lo:hi])
        out += b"\0" * (size - len(out))
        return bytes(out)

    def file_backed(self, addr: int) -> int:
        """How many bytes from addr are backed by the file (not bss zero-fill) in its segment."""
        s = self.segment_at(addr)
        if s is None or addr - s.vaddr >= s.fsize:
            return 0
        return max(0, min(s.fsize - (addr - s.vaddr), len(self.data) - s.offset - (addr - s.vaddr)))

    def read_cstring(self, addr: int, limit: int = 256) -> bytes | None:
        s = self.segment_at(addr)
        if s is None:
            return None
        rel = addr - s.vaddr
        if rel >= s.fsize:
            return None
        lo = s.offset + rel
        hi = min(s.offset + s.fsize, lo + limit, len(self.data))
        chunk = bytes(self.data[lo:hi])
        end = chunk.find(b"\0")
        return chunk if end < 0 else chunk[:end]

    def writable(self, addr: int) -> bool:
        s = self.segment_at(addr)
        return bool(s and s.w)

    def function_start(self, addr: int) -> int | None:
        """The nearest function start at or before ``addr`` (ARM: without the thumb bit)."""
        fns = self._fn_plain
        i = bisect.bisect_right(fns, addr) - 1
        return fns[i] if i >= 0 else None

    def is_thumb_function(self, start: int) -> bool:
        return self.arch == "arm" and (start | 1) in self._thumb

    def set_thumb(self, thumb: set[int]) -> None:
        self._thumb = thumb

    def add_function_names(self, values: list[int], name_offsets: list[int], strtab: bytes,
                           strip_underscore: bool = False) -> None:
        """Function names, decoded lazily from ``strtab`` (big symbol tables cost nothing up front)."""
        self._lazy_names.append((dict(zip(values, name_offsets, strict=True)), strtab))
        self._strip_underscore = strip_underscore

    def function_name(self, start: int) -> str | None:
        for a in (start, start | 1):
            if a in self.exports:
                return self.exports[a]
            for table, strtab in self._lazy_names:
                off = table.get(a)
                if off is not None and off < len(strtab):
                    end = strtab.find(b"\0", off)
                    name = strtab[off:end if end >= 0 else len(strtab)].decode("utf-8", "replace")
                    if name:
                        if self._strip_underscore and name.startswith("_"):
                            name = name[1:]
                        self.exports[a] = name
                        return name
        return None

    def has_symbol(self, name: str) -> bool:
        """Whether any symbol table holds ``name`` exactly (also with a leading '_')."""
        if name in self.imports or name in self._symbol_set():
            return True
        needles = (b"\0" + name.encode() + b"\0", b"\0_" + name.encode() + b"\0")
        return any(n in blob for blob in self.symbol_blobs for n in needles)

    def _symbol_set(self) -> set[str]:
        if self._symset is None:
            self._symset = {s.lstrip("_") for s in self.symbols}
        return self._symset


def check_range(total: int, off: int, size: int, what: str) -> None:
    if off < 0 or size < 0 or off + size > total:
        raise FormatError(f"{what} at offset {off:#x} size {size:#x} lies outside the file ({total:#x} bytes)")
