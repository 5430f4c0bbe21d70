"""PLT entries -> the imported name of the GOT slot each one jumps through.

The usual entry shapes of GNU ld, lld and gold for all four ABIs are decoded from the raw words
(fast, no disassembler); anything else is disassembled with capstone and followed register by
register.  Thumb callers enter ARM PLT entries through a ``bx pc; nop`` veneer just before them.
"""

from __future__ import annotations

import struct

import capstone as cs
import numpy as np

from .arm import modified_imm
from .image import Image
from .machine import SUPPORTED, disassembler


def resolve_plt(img: Image, addr: int, body: bytes) -> dict[int, str]:
    """PLT entry address -> imported name, from the GOT slot each entry jumps through."""
    if img.arch not in SUPPORTED:
        return {}
    fast = _plt_fast(img, addr, body)
    if fast:
        return fast
    return _plt_capstone(img, addr, body)


def _arm_mod_imm(w: int) -> int:
    v, r = w & 0xFF, ((w >> 8) & 0xF) * 2
    return ((v >> r) | (v << (32 - r))) & 0xFFFFFFFF if r else v


def _plt_fast(img: Image, addr: int, body: bytes) -> dict[int, str]:
    """Decode the usual PLT entry shapes (GNU ld, lld, gold) without a disassembler."""
    decode = _FAST.get(img.arch)
    return decode(img, addr, body) if decode is not None else {}


def _fast_arm64(img: Image, addr: int, body: bytes) -> dict[int, str]:
    """adrp x16, page; ldr x17, [x16, #off]"""
    out: dict[int, str] = {}
    n = len(body) // 4
    w = np.frombuffer(body, dtype="<u4", count=n)
    idx = np.nonzero(((w[:-1] & 0x9F00001F) == 0x90000010) & ((w[1:] & 0xFFC003FF) == 0xF9400211))[0]
    for i in idx.tolist():
        a, ldr = int(w[i]), int(w[i + 1])
        imm = ((a >> 29) & 3) | (((a >> 5) & 0x7FFFF) << 2)
        if imm & (1 << 20):
            imm -= 1 << 21
        pc = addr + 4 * i
        slot = (pc & ~0xFFF) + (imm << 12) + ((ldr >> 10) & 0xFFF) * 8
        if slot in img.slots:
            out[pc] = img.slots[slot]
    return out


def _fast_x86(img: Image, addr: int, body: bytes) -> dict[int, str]:
    """jmp [rip+disp] (x86_64), jmp [disp] / jmp [ebx+disp] (x86), with bnd / endbr prefixes."""
    out: dict[int, str] = {}
    b = np.frombuffer(body, dtype=np.uint8)
    if len(b) < 6:
        return out
    modrms = (0x25,) if img.arch == "x86_64" else (0x25, 0xA3)
    idx = np.nonzero((b[:-5] == 0xFF) & np.isin(b[1:-4], modrms))[0]
    for i in idx.tolist():
        (disp,) = struct.unpack_from("<i", body, i + 2)
        modrm = body[i + 1]
        if img.arch == "x86_64":
            slot = addr + i + 6 + disp
        elif modrm == 0xA3:
            if img.got_base is None:
                continue
            slot = (img.got_base + disp) & 0xFFFFFFFF
        else:
            slot = disp & 0xFFFFFFFF
        if slot in img.slots:
            start = i
            if i >= 1 and body[i - 1] == 0xF2:  # bnd jmp
                start = i - 1
            if start >= 4 and body[start - 4:start] in (b"\xf3\x0f\x1e\xfa", b"\xf3\x0f\x1e\xfb"):
                start -= 4  # endbr64 / endbr32 (.plt.sec)
            out[addr + start] = img.slots[slot]
    return out


def _fast_arm(img: Image, addr: int, body: bytes) -> dict[int, str]:
    """add ip, pc, #imm; add ip, ip, #imm...; ldr pc, [ip, #imm]!  and lld's movw/movt long form."""
    out: dict[int, str] = {}
    n = len(body) // 4
    words = struct.unpack_from(f"<{n}I", body)
    for i, w in enumerate(words):
        pc = addr + 4 * i
        slot = None
        if (w & 0xFFFFF000) == 0xE28FC000:  # add ip, pc, #imm
            v = pc + 8 + _arm_mod_imm(w)
            k = i + 1
            while k < n and (words[k] & 0xFFFFF000) == 0xE28CC000:  # add ip, ip, #imm
                v += _arm_mod_imm(words[k])
                k += 1
            if k < n and (words[k] & 0xFFFFF000) == 0xE5BCF000:  # ldr pc, [ip, #imm]!
                slot = (v + (words[k] & 0xFFF)) & 0xFFFFFFFF
        elif (w & 0xFFF0F000) == 0xE300C000 and i + 3 < n and (words[i + 1] & 0xFFF0F000) == 0xE340C000 \
                and words[i + 2] == 0xE08CC00F and words[i + 3] == 0xE59CF000:  # lld long form
            lo = (w & 0xFFF) | ((w >> 4) & 0xF000)
            hi = (words[i + 1] & 0xFFF) | ((words[i + 1] >> 4) & 0xF000)
            slot = ((hi << 16 | lo) + pc + 8 + 8) & 0xFFFFFFFF
        if slot is not None and slot in img.slots:
            out[pc] = img.slots[slot]
    _thumb_veneers(img, out)
    return out


_FAST = {"arm64": _fast_arm64, "x86": _fast_x86, "x86_64": _fast_x86, "arm": _fast_arm}


def _thumb_veneers(img: Image, out: dict[int, str]) -> None:
    """Thumb callers enter an ARM PLT entry through a "bx pc; nop" veneer just before it."""
    for a, name in list(out.items()):
        if img.read(a - 4, 2) == b"\x78\x47":  # bx pc (then nop / b.n)
            out.setdefault(a - 4, name)


def _plt_capstone(img: Image, addr: int, body: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    md = disassembler(img.arch)
    start: int | None = None
    reg: dict[int, int] = {}  # register -> address it holds
    loaded: dict[int, int] = {}  # arm64: register -> GOT slot it was loaded from
    prev = None
    got_base = getattr(img, "got_base", None)
    for ins in _disasm_all(md, body, addr, 4 if img.arch in ("arm", "arm64") else 1):
        m = ins.mnemonic
        ops = ins.operands
        slot = None
        if img.arch == "arm64":
            if m == "adrp":
                start, reg[ops[0].reg] = ins.address, ops[1].imm
                loaded.pop(ops[0].reg, None)
            elif m == "ldr" and len(ops) == 2 and ops[1].type == cs.arm64.ARM64_OP_MEM and ops[1].mem.base in reg:
                loaded[ops[0].reg] = reg[ops[1].mem.base] + ops[1].mem.disp
                reg.pop(ops[0].reg, None)
            elif m == "br" and ops[0].reg in loaded:
                slot = loaded[ops[0].reg]
            elif m in ("nop", "bti") or m.startswith("b"):
                start = None
        elif img.arch == "x86_64":
            if (m in ("jmp", "bnd jmp") and ops and ops[0].type == cs.x86.X86_OP_MEM
                    and ops[0].mem.base == cs.x86.X86_REG_RIP):
                slot = ins.address + ins.size + ops[0].mem.disp
                start = prev.address if prev is not None and prev.mnemonic == "endbr64" else ins.address
        elif img.arch == "x86":
            if m == "jmp" and ops and ops[0].type == cs.x86.X86_OP_MEM:
                mem = ops[0].mem
                if mem.base == 0:
                    slot = mem.disp & 0xFFFFFFFF
                elif got_base is not None and mem.base == cs.x86.X86_REG_EBX:
                    slot = (got_base + mem.disp) & 0xFFFFFFFF
                start = prev.address if prev is not None and prev.mnemonic == "endbr32" else ins.address
        elif img.arch == "arm":
            if (m == "add" and len(ops) in (3, 4) and ops[1].reg == cs.arm.ARM_REG_PC
                    and ops[2].type == cs.arm.ARM_OP_IMM):
                start, reg[ops[0].reg] = ins.address, ins.address + 8 + modified_imm(ops, 2)
            elif m == "add" and len(ops) in (3, 4) and ops[1].reg in reg and ops[2].type == cs.arm.ARM_OP_IMM:
                reg[ops[0].reg] = reg[ops[1].reg] + modified_imm(ops, 2)
            elif m == "movw" and len(ops) == 2:
                start, reg[ops[0].reg] = ins.address, ops[1].imm
            elif m == "movt" and ops[0].reg in reg:
                reg[ops[0].reg] = (reg[ops[0].reg] & 0xFFFF) | (ops[1].imm << 16)
            elif m == "add" and len(ops) == 3 and ops[2].reg == cs.arm.ARM_REG_PC and ops[1].reg in reg:
                reg[ops[0].reg] = reg[ops[1].reg] + ins.address + 8
            elif m == "ldr" and len(ops) == 2 and ops[0].reg == cs.arm.ARM_REG_PC and ops[1].mem.base in reg:
                slot = (reg[ops[1].mem.base] + ops[1].mem.disp) & 0xFFFFFFFF
            else:
                start = None
        if slot is not None:
            name = img.slots.get(slot)
            if name and start is not None:
                out.setdefault(start, name)
            start = None
            reg = {}
        prev = ins
    if img.arch == "arm":
        _thumb_veneers(img, out)
    return out


def _disasm_all(md, body: bytes, addr: int, unit: int):
    """Disassemble everything, skipping undecodable units instead of stopping."""
    pos = 0
    while pos < len(body):
        for ins in md.disasm(body[pos:], addr + pos):
            pos += ins.size  # from sizes, not ins.address: capstone wraps addresses at 2**64
            yield ins
        pos += unit
