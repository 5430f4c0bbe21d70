"""Go programs and libraries (executables, gomobile / c-shared ``.so``): build info, function
names from the pclntab, and the address string at each call to a Go listen API.

Go does not call ``bind`` through an import: the runtime makes the system call itself, so the
C-oriented search finds nothing.  What a Go binary keeps, even built with ``-ldflags="-s -w"``:

* ``.go.buildinfo`` (magic ``\\xff Go buildinf:``): the Go version, the main package path and
  module, the build settings;
* the pclntab (``.gopclntab``, or inside ``.data.rel.ro`` in PIE / shared builds): every
  function's entry address and name, so ``net.Listen`` is found by name in stripped binaries.

Each direct call to a listen API (``catalog/native.toml`` ``[[go_listener]]``) from non-standard
library code is run by the same abstract interpreter as C code, with the Go register ABI
(amd64 since Go 1.17: RAX, RBX, RCX, RDI, RSI, R8...; arm64 since Go 1.18: R0...R15; the stack
before that).  A Go string is a (pointer, length) pair: the pointer is a ``lea``/``adrp+add`` to
read-only data, the length an immediate, and the bytes are read from the image.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...model import Bind, Listener, Location, Origin
from .callsites import call_sites
from .emulate import Emulator
from .image import Image

BUILDINFO_MAGIC = b"\xff Go buildinf:"
# pclntab magics: Go 1.2-1.15, 1.16-1.17, 1.18-1.19, 1.20+
PCLN_MAGICS = {0xFFFFFFFB: "1.2", 0xFFFFFFFA: "1.16", 0xFFFFFFF0: "1.18", 0xFFFFFFF1: "1.20"}
MAX_FUNCS = 2_000_000
HEAP = 1 << 40  # fake "stack" region standing for objects from runtime.newobject
MAX_SITES = 256
# argument registers of Go's internal register ABI, by word index
GO_REGS = {"x86_64": ("rax", "rbx", "rcx", "rdi", "rsi", "r8", "r9", "r10", "r11"),
           "arm64": tuple(f"x{i}" for i in range(16))}


@dataclass
class GoInfo:
    version: str | None = None
    path: str | None = None  # main package path
    module: str | None = None  # main module path
    module_version: str | None = None
    settings: dict[str, str] = field(default_factory=dict)
    pclntab: str | None = None  # "1.18" ... (format), None when not found
    functions: int = 0
    deps: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"version": self.version, "path": self.path, "module": self.module,
                "module_version": self.module_version, "settings": dict(self.settings),
                "pclntab": self.pclntab, "functions": self.functions, "deps": list(self.deps)}

    def summary(self) -> str:
        bits = [self.version or "Go (version unknown)"]
        if self.path:
            bits.append(f"package {self.path}")
        if self.module and self.module != self.path:
            bits.append(f"module {self.module}")
        return ", ".join(bits)


# -- build info ------------------------------------------------------------------------------
def _uvarint(b: bytes, pos: int) -> tuple[int, int]:
    x = shift = 0
    while pos < len(b) and shift < 64:
        c = b[pos]
        pos += 1
        x |= (c & 0x7F) << shift
        if not c & 0x80:
            return x, pos
        shift += 7
    raise ValueError("bad varint")


def _buildinfo_offset(img: Image) -> int | None:
    sec = img.sections.get(".go.buildinfo")
    data = img.data
    if sec and bytes(data[sec[1]:sec[1] + 14]) == BUILDINFO_MAGIC:
        return sec[1]
    raw = data if isinstance(data, bytes) else bytes(data)
    pos = raw.find(BUILDINFO_MAGIC)
    while pos >= 0 and pos % 16:
        pos = raw.find(BUILDINFO_MAGIC, pos + 1)
    return pos if pos >= 0 else None


def _read_gostring(img: Image, addr: int, ptr: int, e: str) -> str | None:
    hdr = img.read(addr, 2 * ptr)
    if hdr is None:
        return None
    p, n = struct.unpack(e + ("QQ" if ptr == 8 else "II"), hdr)
    if not 0 < n < 1 << 20:
        return None
    b = img.read(p, n)
    return b.decode("utf-8", "replace") if b is not None else None


def parse_buildinfo(img: Image, info: GoInfo) -> bool:
    off = _buildinfo_offset(img)
    if off is None:
        return False
    data = img.data
    hdr = bytes(data[off:off + 32])
    if len(hdr) < 32:
        return True
    ptr, flags = hdr[14], hdr[15]
    version = mod = None
    if flags & 2:  # Go 1.18+: inline varint-prefixed strings
        blob = bytes(data[off + 32:off + 32 + 64 * 1024])
        try:
            n, p = _uvarint(blob, 0)
            version = blob[p:p + n].decode("utf-8", "replace")
            p += n
            n, p = _uvarint(blob, p)
            mod = blob[p:p + n].decode("utf-8", "replace")
        except (ValueError, IndexError):
            pass
    elif ptr in (4, 8):  # before 1.18: two pointers to string headers
        e = ">" if flags & 1 else "<"
        fmt = e + ("Q" if ptr == 8 else "I")
        (va,) = struct.unpack_from(fmt, hdr, 16)
        (vm,) = struct.unpack_from(fmt, hdr, 16 + ptr)
        version = _read_gostring(img, va, ptr, e)
        mod = _read_gostring(img, vm, ptr, e)
    info.version = version or None
    if mod and len(mod) >= 33 and mod[-17] == "\n":
        mod = mod[16:-16]
    for line in (mod or "").splitlines():
        parts = line.split("\t")
        if parts[0] == "path" and len(parts) > 1:
            info.path = parts[1]
        elif parts[0] == "mod" and len(parts) > 1:
            info.module = parts[1]
            info.module_version = parts[2] if len(parts) > 2 else None
        elif parts[0] == "dep" and len(parts) > 2:
            info.deps.append(f"{parts[1]}@{parts[2]}")
        elif parts[0] == "build" and len(parts) > 1:
            k, _, v = parts[1].partition("=")
            info.settings[k] = v
    return True


# -- pclntab -----------------------------------------------------------------------------------
_PCLN_RE = re.compile(rb"(?:\xfb|\xfa|\xf0|\xf1)\xff\xff\xff\x00\x00[\x01\x02\x04][\x04\x08]")


def _vaddr_of(img: Image, off: int) -> int | None:
    for s in img.segments:
        if s.offset <= off < s.offset + s.fsize:
            return s.vaddr + off - s.offset
    return None


def _relocated(img: Image, vaddr: int, ptr: int) -> int | None:
    """The addend of a RELATIVE relocation at ``vaddr`` (PIE / shared objects store 0 in the file)."""
    for name in (".rela.dyn", ".rel.dyn"):
        sec = img.sections.get(name)
        if not sec or ptr != 8 or name != ".rela.dyn":
            continue
        _a, off, size = sec
        n = size // 24
        if n <= 0 or off + n * 24 > len(img.data):
            continue
        arr = np.frombuffer(img.data, dtype=np.dtype([("o", "<u8"), ("i", "<u8"), ("a", "<i8")]), count=n, offset=off)
        hit = np.nonzero(arr["o"] == vaddr)[0]
        if len(hit):
            return int(arr["a"][hit[0]])
    return None


def _pclntab_offset(img: Image) -> int | None:
    sec = img.sections.get(".gopclntab")
    data = img.data
    if sec and (struct.unpack_from("<I", data, sec[1])[0] if sec[2] >= 8 else 0) in PCLN_MAGICS:
        return sec[1]
    # PIE / c-shared: inside .data.rel.ro (or anywhere): look for a header that checks out
    raw = data if isinstance(data, bytes) else bytes(data)
    ranges = [(v[1], v[2]) for k, v in img.sections.items()  # ELF names (Mach-O "SEG,sect": the whole file)
              if "," not in k and ("rel.ro" in k or "rodata" in k)] or [(0, len(raw))]
    for lo, size in ranges:
        for m in _PCLN_RE.finditer(raw, lo, lo + size):
            o = m.start()
            if o % 4:
                continue
            ptr = raw[o + 7]
            nfunc = int.from_bytes(raw[o + 8:o + 8 + ptr], "little")
            if 0 < nfunc < MAX_FUNCS:
                return o
    return None


def parse_pclntab(img: Image, info: GoInfo) -> dict[int, int] | None:
    """Adds every Go function's entry and name to ``img``; returns {entry: name offset}."""
    off = _pclntab_offset(img)
    if off is None:
        return None
    data = img.data
    total = len(data)
    magic = struct.unpack_from("<I", data, off)[0]
    fmt = PCLN_MAGICS[magic]
    ptr = data[off + 7]
    P = "<Q" if ptr == 8 else "<I"

    def word(i: int) -> int:
        return struct.unpack_from(P, data, off + 8 + i * ptr)[0]

    nfunc = word(0)
    if not 0 < nfunc < MAX_FUNCS:
        return None
    if fmt in ("1.18", "1.20"):
        text = word(2)
        if text == 0:
            va = _vaddr_of(img, off + 8 + 2 * ptr)
            text = (_relocated(img, va, ptr) if va is not None else None) or 0
        if text == 0 and ".text" in img.sections:
            text = img.sections[".text"][0]
        nameoff_base, pcln = off + word(3), off + word(7)
        if pcln + (nfunc + 1) * 8 > total:
            return None
        tab = np.frombuffer(data, dtype="<u4", count=2 * nfunc, offset=pcln).reshape(-1, 2)
        entries = tab[:, 0].astype(np.int64) + text
        fo = tab[:, 1].astype(np.int64) + pcln + 4
    elif fmt == "1.16":
        nameoff_base, pcln = off + word(2), off + word(6)
        dt = "<u8" if ptr == 8 else "<u4"
        if pcln + (nfunc + 1) * 2 * ptr > total:
            return None
        tab = np.frombuffer(data, dtype=dt, count=2 * nfunc, offset=pcln).reshape(-1, 2)
        entries = tab[:, 0].astype(np.int64)
        fo = tab[:, 1].astype(np.int64) + pcln + ptr
    else:  # 1.2
        nameoff_base = off
        dt = "<u8" if ptr == 8 else "<u4"
        if off + 8 + ptr + (nfunc + 1) * 2 * ptr > total:
            return None
        tab = np.frombuffer(data, dtype=dt, count=2 * nfunc, offset=off + 8 + ptr).reshape(-1, 2)
        entries = tab[:, 0].astype(np.int64)
        fo = tab[:, 1].astype(np.int64) + off + ptr
    ok = (fo >= 0) & (fo + 4 <= total)
    entries, fo = entries[ok], fo[ok]
    buf = np.frombuffer(data, dtype=np.uint8)
    nameoffs = (buf[fo].astype(np.int64) | (buf[fo + 1].astype(np.int64) << 8)
                | (buf[fo + 2].astype(np.int64) << 16) | (buf[fo + 3].astype(np.int64) << 24))
    names_blob_end = min(total, nameoff_base + 64 * 1024 * 1024)
    strtab = bytes(data[nameoff_base:names_blob_end])
    good = nameoffs < len(strtab)
    entries, nameoffs = entries[good], nameoffs[good]
    ev, nv = entries.tolist(), nameoffs.tolist()
    if not ev:
        return None
    img.add_function_names(ev, nv, strtab, strip_underscore=getattr(img, "_strip_underscore", False))
    img.functions.extend(ev)
    img.finalize()
    info.pclntab = fmt
    info.functions = len(ev)
    img.__dict__["_go_names"] = (dict(zip(ev, nv, strict=True)), strtab)
    return dict(zip(ev, nv, strict=True))


def find_functions(img: Image, names: list[str]) -> dict[str, int]:
    """Entry addresses of the Go functions called ``names`` (searched in the name table)."""
    table, strtab = img.__dict__.get("_go_names", ({}, b""))
    by_off = {v: k for k, v in table.items()}
    out: dict[str, int] = {}
    for n in names:
        needle = n.encode() + b"\0"
        pos = strtab.find(needle)
        while pos >= 0:
            if (pos == 0 or strtab[pos - 1] == 0) and pos in by_off:
                out[n] = by_off[pos]
                break
            pos = strtab.find(needle, pos + 1)
    return out


def is_std(fn: str) -> bool:
    """Whether a Go function belongs to the standard library (or the runtime's generated code)."""
    if fn.startswith(("main.", "sub_")):
        return False
    head = re.split(r"[\[(]", fn, maxsplit=1)[0]  # drop receivers and type arguments
    slash = head.rfind("/")
    dot = head.find(".", slash + 1)
    pkg = head[:dot] if dot >= 0 else head
    return "." not in pkg.split("/", 1)[0] and pkg != "main"


# -- listen strings ----------------------------------------------------------------------------
def classify_listen(network: str | None, address: str | None) -> tuple[str, Bind, str | None, int | None, str | None]:
    """transport, bind, address, port, reason for Go's (network, address) pair."""
    net = (network or "tcp").lower()
    transport = "udp" if net.startswith("udp") else "unix" if net.startswith("unix") else "tcp"
    if address is None:
        return transport, Bind.UNKNOWN, None, None, None
    if transport == "unix":
        return transport, Bind.UNIX, address, None, None
    if net.startswith("ip"):
        return transport, Bind.UNKNOWN, address, None, f"raw IP socket ({network})"
    host, sep, port = address.rpartition(":")
    if not sep:
        return transport, Bind.UNKNOWN, address, None, f"unrecognised listen address {address!r}"
    p = int(port) if port.isdigit() and int(port) < 65536 else None
    h = host.strip("[]")
    if h in ("", "0.0.0.0", "::", "0"):
        return transport, Bind.ALL, h or None, p, None
    if h == "localhost" or h.startswith("127.") or h == "::1":
        return transport, Bind.LOOPBACK, h, p, None
    if re.fullmatch(r"[0-9.]+|[0-9a-fA-F:]+", h):
        return transport, Bind.SPECIFIC, h, p, None
    return transport, Bind.UNKNOWN, h, p, f"host name {h!r} (resolved at run time)"


# Go string data is not NUL-terminated (strings are packed back to back), so boundaries are guessed:
# an address with a host, or a bare ":port" not glued to a preceding digit or letter
_LISTEN_STR = re.compile(rb"(?:(?:0\.0\.0\.0|127\.0\.0\.1|localhost|\[::1?\]):|(?<![0-9A-Za-z.:]):)[1-9][0-9]{1,4}")


def candidate_strings(img: Image, limit: int = 20) -> list[str]:
    """Listen-address-looking strings in read-only data (evidence when call sites are not resolved)."""
    sec = img.sections.get(".rodata")
    lo, size = (sec[1], sec[2]) if sec else (0, len(img.data))
    raw = bytes(img.data[lo:lo + size])
    out: list[str] = []
    for m in _LISTEN_STR.finditer(raw):
        s = m.group(0).decode()
        host, _, port = s.rpartition(":")
        if int(port) > 65535:  # glued to the next string's digits
            s = f"{host}:{port[:-1]}"
        if s not in out:
            out.append(s)
        if len(out) >= limit:
            break
    return out


# -- call sites -----------------------------------------------------------------------------------
class GoEmulator(Emulator):
    """The C emulator with Go's register ABI at entry and Go's allocation modelled:
    ``runtime.newobject`` returns a fresh object whose fields can be followed
    (``&http.Server{Addr: ":8080"}``)."""

    def __init__(self, img: Image, regabi: bool = True):
        super().__init__(img, False)
        self.regabi = regabi

    def init_state(self, st, param_regs: bool, args) -> None:
        regs = GO_REGS.get(self.arch)
        if not regs or not self.regabi:  # stack ABI: argument words above the entry stack pointer
            base = {"arm64": 8, "arm": 4}.get(self.arch, self.ptr)  # x86: past the return address
            for i in range(9):
                v = args[i] if args and i < len(args) and args[i][0] == "c" else (
                    ("u", f"param:{i}") if param_regs else None)
                if v is not None:
                    self.store(st, ("s", base + self.ptr * i), v, self.ptr)
            return
        if self.arch == "x86_64":
            st.regs["rdx"] = ("u", "register")  # the closure context, not a parameter
        for i, r in enumerate(regs):
            st.regs[r] = ("u", f"param:{i}") if param_regs else ("u", "register")
        for i, v in enumerate(args or ()):
            if i < len(regs) and v[0] == "c":
                st.regs[regs[i]] = v

    def model_call(self, st, name: str, addr: int, call_no: int) -> None:
        if name in ("runtime.newobject", "runtime.mallocgc"):
            self.clobber(st, f"the return value of {name}()")
            obj = ("s", HEAP * (call_no + 1))
            self.set_ret(st, obj)
            if not self.regabi:  # stack ABI: the result is the stack word after the arguments
                nargs = 1 if name == "runtime.newobject" else 3
                sp = self.get(st, {"x86_64": "rsp", "x86": "esp"}.get(self.arch, "sp"))
                if sp[0] == "s":
                    base = 8 if self.arch == "arm64" else 4 if self.arch == "arm" else 0
                    self.store(st, ("s", sp[1] + base + self.ptr * nargs), obj, self.ptr)
            return
        self.clobber(st, f"the return value of {name}()")
        if self.arch == "x86_64":  # Go's ABI: every general register is caller-saved
            for r in ("rbx", "r12", "r13"):
                st.regs.pop(r, None)


def go_args(emu: GoEmulator, st, words: int, regabi: bool) -> list:
    if regabi and emu.arch in GO_REGS:
        return [emu.get(st, r) for r in GO_REGS[emu.arch][:words]]
    sp = emu.get(st, "rsp" if emu.arch == "x86_64" else "sp" if emu.arch in ("arm64", "arm") else "esp")
    if sp[0] != "s":
        return [("u", "stack")] * words
    base = 8 if emu.arch == "arm64" else 4 if emu.arch == "arm" else 0
    return [emu.load(st, ("s", sp[1] + base + emu.ptr * i), emu.ptr) for i in range(words)]


def read_string(emu: GoEmulator, st, ptr, length) -> str | None:
    if length[0] != "c" or not 0 <= length[1] <= 4096:
        return None
    if length[1] == 0:
        return ""
    if ptr[0] == "c":
        b = emu.img.read(ptr[1], length[1])
    elif ptr[0] == "s":
        bs = emu.load_bytes(st, emu.addr_of(ptr, 0), length[1])
        b = bytes(bs) if all(isinstance(x, int) for x in bs) else None
    else:
        b = None
    return b.decode("utf-8", "replace") if b is not None else None


def regabi(info: GoInfo, arch: str) -> bool:
    if arch not in GO_REGS:
        return False
    m = re.match(r"go1\.(\d+)", info.version or "")
    if not m:
        return True
    minor = int(m.group(1))
    return minor >= (17 if arch == "x86_64" else 18)


def _describe(v, fn: str) -> str:
    if v[0] == "u" and isinstance(v[1], str):
        if v[1].startswith("param:"):
            return f"comes from a parameter of {fn}"
        if v[1].startswith("the return value"):
            return f"comes from {v[1]}"
    return "is not a constant string at the call"


def _values(img: Image, start: int, stop: int, spec: dict, abi: bool, fn: str, args_in=None):
    """network, address, reason, the state and the argument words at one call."""
    api_name = spec["name"]
    emu = GoEmulator(img, abi)
    st = emu.run(start, stop, args=args_in)
    args = go_args(emu, st, spec.get("words", 4), abi)
    network = spec.get("network")
    if "network_word" in spec:
        w = spec["network_word"]
        network = read_string(emu, st, args[w], args[w + 1]) or network
    address = reason = None
    if "address_word" in spec:
        w = spec["address_word"]
        address = read_string(emu, st, args[w], args[w + 1])
        if address is None:
            reason = f"the address passed to {api_name} " + _describe(args[w], fn)
    elif "field_word" in spec:  # a struct pointer whose first field is the address string
        recv = args[spec["field_word"]]
        if recv[0] == "s":
            p = emu.load(st, emu.addr_of(recv, 0), emu.ptr)
            n = emu.load(st, emu.addr_of(recv, emu.ptr), emu.ptr)
            address = read_string(emu, st, p, n)
        if address is None:
            reason = spec.get("reason") or f"the address of {api_name} is not followed"
    else:
        reason = spec.get("reason") or f"the address of {api_name} is not followed"
    return network, address, reason, st, args


def _params_used(spec: dict, args: list) -> bool:
    w = spec.get("address_word")
    return w is not None and any(v[0] == "u" and str(v[1]).startswith("param:") for v in args[w:w + 2])


def _callers(sc, img: Image, start: int, abi: bool) -> list[tuple[int, int, list]]:
    """(caller start, call address, argument words) of each direct call to ``start`` (one level)."""
    key = f"\0gofn:{start:x}"
    saved = dict(img.stubs)
    img.stubs[start] = key
    try:
        calls = call_sites(img, {key})[:16]
    finally:
        img.stubs.clear()
        img.stubs.update(saved)
    out = []
    for c in calls:
        cstart = img.function_start(c.addr)
        if cstart is None or cstart == start or c.addr - cstart > 64 * 1024:
            continue
        emu = GoEmulator(img, abi)
        st = emu.run(cstart, c.addr)
        out.append((cstart, c.addr, go_args(emu, st, 9, abi)))
    return out


def scan_go(sc, info: GoInfo, specs: list[dict]) -> None:
    """Listeners at each call to a Go listen API (``sc`` is the :class:`~.scan.Scanner`)."""
    img: Image = sc.img
    found = find_functions(img, [s["name"] for s in specs])
    if not found:
        return
    by_name = {s["name"]: s for s in specs}
    origin = Origin(kind="library", sdk="Go runtime", package=info.path)
    abi = regabi(info, img.arch)
    done: set[str] = set()
    if img.arch in GO_REGS or img.arch in ("arm", "x86"):  # 386 / arm: Go's stack ABI
        saved = dict(img.stubs)
        for n, a in found.items():
            img.stubs[a] = "\0go:" + n
        try:
            sites = call_sites(img, {"\0go:" + n for n in found})
        finally:
            img.stubs.clear()
            img.stubs.update(saved)
        n_sites = 0
        for site in sites:
            api_name = site.target[4:]
            start = img.function_start(site.addr)
            fn = sc.fn_name(start)
            if start is None or is_std(fn) or site.addr - start > 64 * 1024:
                continue
            n_sites += 1
            if n_sites > MAX_SITES:
                sc.notes.append(f"{sc.label}: more than {MAX_SITES} Go listen call sites; the rest not analysed")
                break
            spec = by_name[api_name]
            try:
                network, address, reason, st, args = _values(img, start, site.addr, spec, abi, fn)
                resolved = []
                if address is None and _params_used(spec, args):
                    for cstart, caddr, cargs in _callers(sc, img, start, abi):
                        if not any(v[0] == "c" for v in cargs):
                            continue
                        r = _values(img, start, site.addr, spec, abi, fn, cargs)
                        if r[1] is not None:
                            resolved.append((f"{sc.fn_name(cstart)}@{caddr:#x}", r))
            except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError) as exc:
                sc.notes.append(f"{sc.label}: Go call site {site.addr:#x} ({api_name}) not analysed "
                                f"({type(exc).__name__})")
                continue
            outcomes: list[tuple[str | None, tuple[Any, ...]]] = (
                [(via, r) for via, r in resolved] or [(None, (network, address, reason, st, args))])
            for via, (network, address, reason, st, _args) in outcomes:
                transport, bind, addr, port, why = classify_listen(network, address)
                reason = reason or why
                if bind is Bind.UNKNOWN and reason is None:
                    reason = f"the address passed to {api_name} could not be read"
                head = f"{api_name}({network or '?'!r}, {address!r}) at {site.addr:#x} in {fn}"
                if via:
                    head += f", called from {via} with a constant address"
                ev = [f"{head} [{info.summary()}]"]
                ev += [f"{a:#x}: {t}" for a, t in st.trace[-8:]]
                ev.append(f"{site.addr:#x}: call {api_name}")
                if address is not None and bind is Bind.ALL and transport != "unix":
                    addr = addr or "0.0.0.0"
                sc.listeners.append(Listener(
                    api=spec["api"], transport=transport, bind=bind,
                    location=Location(file=sc.label, function=fn, offset=site.addr),
                    address=addr, port=port, reason=reason, origin=Origin(), via=via,
                    evidence="\n".join(ev)))
            done.add(api_name)
    # listen APIs present in the binary but no call from non-standard-library code resolved:
    # one listener per API, unknown, with the listen-looking strings of .rodata as evidence
    if done:
        return
    cands = candidate_strings(img)
    for n in sorted(found):
        spec = by_name[n]
        if not spec.get("fallback", True):
            continue
        how = (f"Go call sites are not analysed on {img.arch}" if img.arch not in GO_REGS
               else "called through an interface, a closure or a wrapper?")
        sc.listeners.append(Listener(
            api=spec["api"], transport=spec.get("transport", "tcp"), bind=Bind.UNKNOWN,
            location=Location(file=sc.label, function=n, offset=found[n]),
            reason=f"{n} is in the binary but no direct call to it from non-standard-library code was found ({how})",
            origin=origin, evidence=f"function {n} at {found[n]:#x} (pclntab) [{info.summary()}]"
            + (f"; candidate listen strings in .rodata: {', '.join(map(repr, cands))}" if cands else "")))


def analyse(sc, specs: list[dict]) -> GoInfo | None:
    """Go build info + pclntab + listeners; None when the image is not Go."""
    img: Image = sc.img
    info = GoInfo()
    has_bi = parse_buildinfo(img, info)
    try:
        has_pcln = parse_pclntab(img, info) is not None
    except (struct.error, ValueError, IndexError, OverflowError) as exc:
        sc.notes.append(f"{sc.label}: Go pclntab unreadable ({type(exc).__name__})")
        has_pcln = False
    if not has_bi and not has_pcln:
        return None
    if not has_pcln:
        sc.notes.append(f"{sc.label}: Go build info found but no pclntab: Go functions not named")
        return info
    scan_go(sc, info, specs)
    return info
