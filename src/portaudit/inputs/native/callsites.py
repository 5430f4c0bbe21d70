"""Call sites of imported functions, found without disassembling the whole binary.

The executable sections are scanned with numpy for the encodings of direct calls and tail calls
(AArch64 ``BL``/``B``, ARM and Thumb-2 ``BL``/``BLX``/``B``, x86 ``call``/``jmp rel32``) whose
target is a wanted stub, and for calls through a GOT slot (``call [rip+x]``, ``-fno-plt``).
Linker range-extension thunks (``movw/movt ip; add ip, pc; bx ip``) are followed to the stub.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import capstone as cs
import numpy as np

from . import arm
from .emulate import Emulator
from .image import Image
from .machine import M64, State


@dataclass(frozen=True)
class CallSite:
    addr: int  # address of the call instruction
    target: str  # imported name
    thumb: bool = False
    tail: bool = False


def _sext(v: np.ndarray, bits: int) -> np.ndarray:
    v = v.astype(np.int64)
    sign = 1 << (bits - 1)
    return (v ^ sign) - sign


@dataclass(frozen=True)
class _Wanted:
    stubs: dict[int, str]  # stub address -> imported name
    slots: dict[int, str]  # GOT slot address -> imported name
    targets: np.ndarray  # sorted stub addresses


def call_sites(img: Image, wanted: set[str]) -> list[CallSite]:
    """Every direct call / tail call to a stub (or indirect call through a GOT slot) of a wanted import."""
    stubs = {a: n for a, n in img.stubs.items() if n in wanted}
    slots = {a: n for a, n in img.slots.items() if n in wanted}
    if not stubs and not slots:
        return []
    want = _Wanted(stubs, slots, np.array(sorted(stubs), dtype=np.int64))
    scan = _SCANNERS.get(img.arch)
    out: list[CallSite] = []
    for sec in img.code:
        lo, hi = sec.offset, sec.offset + sec.fsize
        if hi > len(img.data) or hi <= lo:
            continue
        base = sec.vaddr
        if base < 0 or base + sec.fsize >= 1 << 62:  # a tampered address: nothing sensible to find
            continue
        if scan is not None:
            buf = np.frombuffer(img.data, dtype=np.uint8, count=hi - lo, offset=lo)
            out.extend(scan(img, buf, base, want))
    out.sort(key=lambda c: c.addr)
    return out


def calls_to(img: Image, targets: dict[int, str]) -> list[CallSite]:
    """Every direct call / tail call to one of ``targets`` (address -> a name for it): code of the
    image itself, such as Objective-C selector stubs.  AArch64 only (the one architecture that has
    them); other architectures answer nothing."""
    if not targets or img.arch != "arm64":
        return []
    want = _Wanted(dict(targets), {}, np.array(sorted(targets), dtype=np.int64))
    out: list[CallSite] = []
    for sec in img.code:
        lo, hi = sec.offset, sec.offset + sec.fsize
        if hi > len(img.data) or hi <= lo or sec.vaddr < 0 or sec.vaddr + sec.fsize >= 1 << 62:
            continue
        buf = np.frombuffer(img.data, dtype=np.uint8, count=hi - lo, offset=lo)
        out.extend(_arm64_sites(img, buf, sec.vaddr, want))
    out.sort(key=lambda c: c.addr)
    return out


def _arm64_sites(img: Image, buf: np.ndarray, base: int, want: _Wanted) -> list[CallSite]:
    """BL (op 0x25) and B (0x05) with a 26-bit word offset."""
    n = len(buf) // 4
    w = buf[: n * 4].view("<u4")
    op = w >> 26
    idx = np.nonzero((op == 0x25) | (op == 0x05))[0]
    tgt = base + idx.astype(np.int64) * 4 + _sext(w[idx] & 0x3FFFFFF, 26) * 4
    return [CallSite(base + i * 4, want.stubs[t], tail=o == 0x05)
            for i, t, o in zip(idx.tolist(), tgt.tolist(), op[idx].tolist(), strict=True) if t in want.stubs]


def _x86_sites(img: Image, buf: np.ndarray, base: int, want: _Wanted) -> list[CallSite]:
    """call / jmp rel32, and call / jmp through a GOT slot."""
    if len(buf) < 6:
        return []
    mask = 0xFFFFFFFF if img.arch == "x86" else M64
    idx = np.nonzero((buf[:-4] == 0xE8) | (buf[:-4] == 0xE9))[0]
    rel = (buf[idx + 1].astype(np.int64) | (buf[idx + 2].astype(np.int64) << 8)
           | (buf[idx + 3].astype(np.int64) << 16) | (buf[idx + 4].astype(np.int64) << 24))
    tgt = (base + idx.astype(np.int64) + 5 + _sext(rel, 32)) & (mask if img.arch == "x86" else -1)
    hit = np.isin(tgt, want.targets)
    out = [CallSite(base + i, want.stubs[int(t)], tail=int(buf[i]) == 0xE9)
           for i, t in zip(idx[hit].tolist(), tgt[hit].tolist(), strict=True)]
    if want.slots:
        out.extend(_x86_slot_sites(img, buf, base, want.slots))
    return out


def _x86_slot_sites(img: Image, buf: np.ndarray, base: int, slots: dict[int, str]) -> list[CallSite]:
    """call/jmp [rip+disp] (x86_64, -fno-plt) or [ebx+disp] (x86 PIC)."""
    out = []
    idx = np.nonzero((buf[:-5] == 0xFF) & np.isin(buf[1:-4], (0x15, 0x25, 0x93, 0xA3)))[0]
    for i in idx.tolist():
        (disp,) = struct.unpack_from("<i", buf.data, i + 2)
        modrm = int(buf[i + 1])
        if img.arch == "x86_64" and modrm in (0x15, 0x25):
            s = base + i + 6 + disp
        elif img.arch == "x86" and modrm in (0x93, 0xA3) and getattr(img, "got_base", None) is not None:
            s = (img.got_base + disp) & 0xFFFFFFFF
        elif img.arch == "x86" and modrm in (0x15, 0x25):
            s = disp & 0xFFFFFFFF
        else:
            continue
        if s in slots:
            out.append(CallSite(base + i, slots[s], tail=modrm in (0x25, 0xA3)))
    return out


def _arm_sites(img: Image, buf: np.ndarray, base: int, want: _Wanted) -> list[CallSite]:
    """ARM mode: BL / BLX(imm) / B on word boundaries; then Thumb-2 BL / BLX / B.W on halfwords."""
    stubs = want.stubs
    n = len(buf) // 4
    w = buf[: n * 4].view("<u4")
    idx = np.nonzero(((w & 0x0F000000) == 0x0B000000) & ((w >> 28) != 0xF) | ((w >> 25) == 0x7D)
                     | ((w & 0xFF000000) == 0xEA000000))[0]
    blx = (w[idx] >> 25) == 0x7D
    tgt = (base + idx.astype(np.int64) * 4 + 8 + _sext(w[idx] & 0xFFFFFF, 24) * 4
           + np.where(blx, ((w[idx] >> 24) & 1) * 2, 0))
    out = [CallSite(base + i * 4, stubs[t], tail=(word >> 24) == 0xEA)
           for i, t, word in zip(idx.tolist(), tgt.tolist(), w[idx].tolist(), strict=True)
           if t in stubs and not _thumb_at(img, base + i * 4)]
    n = len(buf) // 2
    if n < 2:
        return out
    h = buf[: n * 2].view("<u2").astype(np.int64)
    h1, h2 = h[:-1], h[1:]
    idx = np.nonzero(((h1 & 0xF800) == 0xF000) & (((h2 & 0xD000) == 0xD000) | ((h2 & 0xD001) == 0xC000)
                                                  | ((h2 & 0xD000) == 0x9000)))[0]
    for i in idx.tolist():
        a, b = int(h1[i]), int(h2[i])
        t = _thumb_branch_target(base + i * 2 + 4, a, b)
        if t not in stubs and (b & 0x1000):
            v = _veneer(img, t, True)
            if v in stubs:
                t = v
        if t in stubs and _thumb_at(img, base + i * 2) is not False:
            out.append(CallSite(base + i * 2, stubs[t], thumb=True, tail=(b & 0xD000) == 0x9000))
    return out


def _thumb_branch_target(pc: int, a: int, b: int) -> int:
    """Target of a Thumb-2 BL / BLX / B.W from its two halfwords (BLX aligns pc to a word)."""
    s = (a >> 10) & 1
    i1 = (~((b >> 13) & 1 ^ s)) & 1
    i2 = (~((b >> 11) & 1 ^ s)) & 1
    imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((a & 0x3FF) << 12) | ((b & 0x7FF) << 1)
    if s:
        imm -= 1 << 25
    return pc + imm if (b & 0x1000) else ((pc & ~3) + imm)


_SCANNERS = {"arm64": _arm64_sites, "x86": _x86_sites, "x86_64": _x86_sites, "arm": _arm_sites}


def _veneer(img: Image, addr: int, thumb: bool) -> int | None:
    """Where a linker range-extension thunk (movw/movt ip; add ip, pc; bx ip) jumps to."""
    cache = img.__dict__.setdefault("_veneers", {})
    if addr in cache:
        return cache[addr]
    cache[addr] = None
    head = img.read(addr, 16)
    if head is None or (thumb and (int.from_bytes(head[:2], "little") & 0xFBF0) != 0xF240):
        return None
    emu = Emulator(img, thumb)
    st = State()
    for ins in emu.md.disasm(head, addr):
        if ins.mnemonic in ("bx", "br") and ins.operands:
            v = emu.get(st, emu.rn(ins.operands[0].reg))
            if v[0] == "c":
                cache[addr] = v[1] & ~1 if v[1] & ~1 in img.stubs else v[1]
            break
        try:
            arm.step(emu, st, ins)
        except (IndexError, KeyError, AttributeError, ValueError, cs.CsError):
            break
    return cache[addr]


def _thumb_at(img: Image, addr: int) -> bool | None:
    start = img.function_start(addr)
    if start is None:
        return None
    return img.is_thumb_function(start)
