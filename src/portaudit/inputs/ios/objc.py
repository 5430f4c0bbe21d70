"""Objective-C listener methods (``catalog/ios.toml`` ``[[objc_listener]]``) at objc_msgSend calls.

A method is matched by its class and its selector, not by the selector alone: the binary must
reference the class (an imported ``OBJC_CLASS_$_<class>`` symbol, or the class compiled in), and
the call must send the selector.  Binaries hold many objc_msgSend calls, so they are not all
emulated: the selector references (``__objc_selrefs`` slots pointing at the wanted names) are found
first, then the instructions that load one into the selector register (AArch64 ``adrp`` + ``ldr x1``,
x86-64 ``mov rsi, [rip+x]``), and only the calls that follow such a load are run through the
emulator, which gives the receiver's arguments: the port (an integer), the interface (an NSString
literal: a ``__cfstring`` whose third word points at the characters; nil = the library default).

Xcode 14+ compiles a send as a call to a per-selector stub in ``__TEXT,__objc_stubs``
(``_objc_msgSend$<selector>``; the caller does not set x1): each stub starts with the same
``adrp`` + ``ldr x1`` of its selector reference, so a stub whose load is of a wanted selector makes
every call to the stub's address a send of that selector (release builds strip the stubs' names).
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass

import numpy as np

from ...model import Bind, Listener
from ..native.callsites import CallSite, call_sites, calls_to
from ..native.catalog import catalog
from ..native.image import Image
from ..native.scan import Scanner, Verdict, classify_host, explain, with_default

MAX_FUNCTION_BYTES = 64 * 1024


@dataclass(frozen=True)
class ObjcSpec:
    cls: str
    selector: str
    api: str
    transport: str
    source: str
    fix: str
    port_arg: int | None = None
    interface_arg: int | None = None
    default: str | None = None
    default_bind: str | None = None
    default_address: str | None = None
    default_port: int | None = None
    restricted_by: tuple[str, ...] = ()
    also_classes: tuple[str, ...] = ()


@functools.cache
def specs() -> tuple[ObjcSpec, ...]:
    out = []
    for raw in catalog().get("objc_listener", []):
        raw = dict(raw)
        raw["cls"] = raw.pop("class")
        raw["restricted_by"] = tuple(raw.get("restricted_by", ()))
        raw["also_classes"] = tuple(raw.get("also_classes", ()))
        out.append(ObjcSpec(**raw))
    return tuple(out)


def _has_class(img: Image, name: str) -> bool:
    if img.has_symbol(f"OBJC_CLASS_$_{name}"):
        return True
    rng = img.sections.get("__TEXT,__objc_classname")
    if rng is None:
        return False
    _addr, off, size = rng
    return bytes(img.data[off:off + size]).find(b"\0" + name.encode() + b"\0") >= 0 or \
        bytes(img.data[off:off + len(name) + 1]) == name.encode() + b"\0"


def _selrefs(img: Image, wanted: set[str]) -> dict[int, str]:
    """Selector-reference slot address -> selector, for the wanted selectors."""
    out: dict[int, str] = {}
    ptr = 8 if img.arch in ("arm64", "x86_64") else 4
    for key in ("__DATA,__objc_selrefs", "__DATA_CONST,__objc_selrefs", "__AUTH_CONST,__objc_selrefs"):
        rng = img.sections.get(key)
        if rng is None:
            continue
        addr, off, size = rng
        body = bytes(img.data[off:off + size])
        for k in range(len(body) // ptr):
            (v,) = struct.unpack_from("<Q" if ptr == 8 else "<I", body, k * ptr)
            name = img.read_cstring(v, 128)
            if name is None and v >> 36:  # a chained-fixup rebase: the low 36 bits are the target
                low = v & 0xFFFFFFFFF
                name = img.read_cstring(low, 128) or img.read_cstring(img.base + low, 128)
            if name is not None and name.decode("ascii", "replace") in wanted:
                out[addr + k * ptr] = name.decode("ascii")
    return out


def _selector_loads(img: Image, refs: dict[int, str]) -> list[tuple[int, str]]:
    """(address of the instruction that loads a wanted selector into the selector register, selector)."""
    out = []
    for sec in img.code:
        lo, hi = sec.offset, sec.offset + sec.fsize
        if hi > len(img.data) or hi <= lo:
            continue
        buf = np.frombuffer(img.data, dtype=np.uint8, count=hi - lo, offset=lo)
        if img.arch == "arm64":
            w = buf[: (len(buf) // 4) * 4].view("<u4")
            # ldr x1, [xN, #imm] (64-bit, unsigned offset): 0xF9400000 | imm12 << 10 | Rn << 5 | 1
            for i in np.nonzero((w & 0xFFC0001F) == 0xF9400001)[0].tolist():
                ldr = int(w[i])
                rn = (ldr >> 5) & 31
                for j in range(i - 1, max(i - 5, -1), -1):  # the adrp of the same register just before
                    a = int(w[j])
                    if (a & 0x9F00001F) == (0x90000000 | rn):
                        imm = ((a >> 29) & 3) | (((a >> 5) & 0x7FFFF) << 2)
                        if imm & (1 << 20):
                            imm -= 1 << 21
                        pc = sec.vaddr + 4 * j
                        slot = (pc & ~0xFFF) + (imm << 12) + ((ldr >> 10) & 0xFFF) * 8
                        if slot in refs:
                            out.append((sec.vaddr + 4 * i, refs[slot]))
                        break
        elif img.arch == "x86_64":
            # mov rsi, [rip + disp32]: 48 8b 35 disp32
            for i in np.nonzero((buf[:-6] == 0x48) & (buf[1:-5] == 0x8B) & (buf[2:-4] == 0x35))[0].tolist():
                (disp,) = struct.unpack_from("<i", buf.data, i + 3)
                slot = sec.vaddr + i + 7 + disp
                if slot in refs:
                    out.append((sec.vaddr + i, refs[slot]))
    return out


def nsstring(sc: Scanner, emu, st, v) -> str | None:
    """The characters of an NSString literal (a __cfstring: isa, flags, chars pointer, length)."""
    if v[0] != "c" or v[1] == 0:
        return None
    w = emu.ptr
    chars = emu.load(st, ("g", v[1] + 2 * w), w)
    s = emu.cstring(st, chars) if chars[0] == "c" else None
    return s.decode("utf-8", "replace") if s is not None else None


def listeners(sc: Scanner) -> list[Listener]:
    """The listener methods sent in this image (appended to the scanner's listeners too)."""
    img = sc.img
    if img.arch not in ("arm64", "x86_64") or img.encrypted:
        return []
    present = [s for s in specs() if any(_has_class(img, c) for c in (s.cls, *s.also_classes))]
    if not present:
        return []
    refs = _selrefs(img, {s.selector for s in present})
    loads = _selector_loads(img, refs) if refs else []
    if not loads:
        return []
    stubs = _stubs(img, loads)
    msgsends = call_sites(img, {"objc_msgSend"})
    before = len(sc.listeners)
    by_sel = {s.selector: s for s in present}
    for at, sel in loads:
        if at - 4 in stubs:  # the stub's own load: its callers are below
            continue
        site = next((c for c in msgsends if c.addr > at and img.function_start(c.addr) == img.function_start(at)),
                    None)
        if site is not None:
            _call(sc, site, by_sel[sel])
    for site in calls_to(img, stubs):
        _call(sc, site, by_sel[site.target.removeprefix("objc_msgSend$")], stub=True)
    return sc.listeners[before:]


def _stubs(img: Image, loads: list[tuple[int, str]]) -> dict[int, str]:
    """Selector stubs of wanted selectors: stub address -> ``objc_msgSend$<selector>``.  A stub is
    the ``adrp x1`` + ``ldr x1`` pair at the start of a ``__objc_stubs`` entry."""
    rng = img.sections.get("__TEXT,__objc_stubs")
    if rng is None or img.arch != "arm64":
        return {}
    lo, _off, size = rng
    return {at - 4: f"objc_msgSend${sel}" for at, sel in loads if lo <= at - 4 < lo + size}


def _call(sc: Scanner, site: CallSite, spec: ObjcSpec, stub: bool = False) -> None:
    start = sc.img.function_start(site.addr)
    if start is None or site.addr - start > MAX_FUNCTION_BYTES:
        return
    ctx = sc.run_to(start, site)
    emu, st, args = ctx.emu, ctx.st, ctx.emu.args(ctx.st, 6)
    if not stub and emu.cstring(st, args[1]) != spec.selector.encode():
        return  # another message between the load and this call (a stub call: the stub is the selector)
    port = None
    if spec.port_arg is not None:
        p = args[spec.port_arg]
        port = p[1] & 0xFFFF if p[0] == "c" else None
    v = Verdict(port=port if spec.port_arg is not None else spec.default_port, transport=spec.transport,
                reason=spec.default, defaulted=True)
    if spec.interface_arg is not None:
        iface = args[spec.interface_arg]
        if iface != ("c", 0):  # nil: the default
            text = nsstring(sc, emu, st, iface)
            if text is None:
                v = Verdict(port=v.port, transport=spec.transport, reason="the interface " + explain(iface, ctx.fn))
            elif text:  # an empty interface is the default too (GCDAsyncSocket: no interface component)
                bind, addr = (Bind.LOOPBACK, text) if text in ("localhost", "loopback") else classify_host(text)
                if bind is Bind.UNKNOWN:  # an interface name ("en0"): the address of that interface
                    bind, addr = Bind.SPECIFIC, text
                v = Verdict(bind, addr, v.port, spec.transport, None, (f"interface @{text!r}",))
    v = with_default(sc.img, spec.default_bind, spec.restricted_by, v, spec.default_address)
    via = f" (selector stub objc_msgSend${spec.selector})" if stub else ""
    sc.add_verdict(ctx, f"[{spec.cls} {spec.selector}]{via}", spec.api, v, spec.fix)
