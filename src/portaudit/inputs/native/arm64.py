"""AArch64: the effect of one instruction on the emulator's abstract state."""

from __future__ import annotations

from typing import Any

import capstone as cs

from .machine import NEXT, C, State, Table, U, Val, note, reg_name

_A64 = cs.arm64
_STORE = {"str": None, "stur": None, "strb": 1, "sturb": 1, "strh": 2, "sturh": 2, "stp": None, "stnp": None}
_LOAD = {"ldr": None, "ldur": None, "ldrb": 1, "ldurb": 1, "ldrh": 2, "ldurh": 2, "ldp": None,
         "ldrsw": 4, "ldursw": 4, "ldrsb": 1, "ldrsh": 2}
_T = Table()


def step(emu: Any, st: State, ins: Any) -> int | None:
    return _T.step(emu, st, ins, ins.mnemonic)


def _size(emu: Any, reg: int) -> int:
    name = reg_name(emu.md, emu.arch, reg) or ""
    if name in ("xzr", "wzr"):
        return 8 if name == "xzr" else 4
    return {"w": 4, "x": 8, "q": 16, "d": 8, "s": 4, "h": 2, "b": 1}.get(name[:1], 8)


def _val(emu: Any, st: State, op: Any) -> Val:
    if op.type == _A64.ARM64_OP_IMM:
        v = op.imm
        if op.shift.type == _A64.ARM64_SFT_LSL and op.shift.value:
            v <<= op.shift.value
        return C(v)
    if op.type == _A64.ARM64_OP_REG:
        v = emu.get(st, emu.rn(op.reg))
        if v[0] == "c" and emu.regbits(op.reg) == 32:
            v = C(v[1] & 0xFFFFFFFF)
        if v[0] == "c" and op.shift.type == _A64.ARM64_SFT_LSL and op.shift.value:
            v = C(v[1] << op.shift.value)
        return v
    return U("operand")


@_T.handles("bl", "b")
def _branch(emu, st, ins, m, ops):
    if not (ops and ops[0].type == _A64.ARM64_OP_IMM):
        return NEXT
    if m == "bl" or ops[0].imm in emu.img.stubs:
        return ops[0].imm
    return None


@_T.handles("blr", "br")
def _indirect(emu, st, ins, m, ops):
    emu.clobber(st, "an indirect call")
    return None


@_T.handles("mov", "movz", "orr")
def _mov(emu, st, ins, m, ops):
    if len(ops) != 2:
        return NEXT
    emu.set(st, emu.rn(ops[0].reg), _val(emu, st, ops[1]), emu.regbits(ops[0].reg))
    note(st, ins)
    return None


@_T.handles("movn")
def _movn(emu, st, ins, m, ops):
    if len(ops) != 2:
        return NEXT
    v = _val(emu, st, ops[1])
    emu.set(st, emu.rn(ops[0].reg), C(~v[1]) if v[0] == "c" else v, emu.regbits(ops[0].reg))
    return None


@_T.handles("movk")
def _movk(emu, st, ins, m, ops):
    dst = emu.rn(ops[0].reg)
    cur = emu.get(st, dst)
    shift = ops[1].shift.value if ops[1].shift.type == _A64.ARM64_SFT_LSL else 0
    if cur[0] == "c":
        v = (cur[1] & ~(0xFFFF << shift)) | ((ops[1].imm & 0xFFFF) << shift)
        emu.set(st, dst, C(v), emu.regbits(ops[0].reg))
    else:
        emu.set(st, dst, cur)
    note(st, ins)
    return None


@_T.handles("adrp", "adr")
def _adr(emu, st, ins, m, ops):
    emu.set(st, emu.rn(ops[0].reg), C(ops[1].imm))
    note(st, ins)
    return None


@_T.handles("add", "sub")
def _add(emu, st, ins, m, ops):
    if len(ops) != 3:
        return NEXT
    a = _val(emu, st, ops[1])
    b = _val(emu, st, ops[2])
    dst = emu.rn(ops[0].reg)
    if b[0] == "c" and a[0] in ("c", "s"):
        delta = b[1] if m == "add" else -b[1]
        if a[0] == "s":
            emu.set(st, dst, ("s", a[1] + (delta if delta < 1 << 63 else delta - (1 << 64))))
        else:
            emu.set(st, dst, C(a[1] + delta), emu.regbits(ops[0].reg))
    elif a[0] == "u":
        emu.set(st, dst, a)
    else:
        emu.set(st, dst, U(f"{m} at {ins.address:#x}"))
    note(st, ins)
    return None


@_T.handles("and", "orr", "eor")
def _logic(emu, st, ins, m, ops):
    if len(ops) != 3:
        return NEXT
    a, b = _val(emu, st, ops[1]), _val(emu, st, ops[2])
    dst = emu.rn(ops[0].reg)
    if a[0] == b[0] == "c":
        r = a[1] & b[1] if m == "and" else (a[1] | b[1] if m == "orr" else a[1] ^ b[1])
        emu.set(st, dst, C(r), emu.regbits(ops[0].reg))
    else:
        emu.set(st, dst, a if a[0] == "u" else (b if b[0] == "u" else U(m)))
    return None


def _shifted(m: str, x: int, n: int, bits: int, ops) -> int | None:
    if m == "lsr":
        return x >> n
    if m == "lsl":
        return x << n
    if m == "asr":
        return (x - (1 << bits) if x >> (bits - 1) & 1 else x) >> n
    if m == "ubfx" and len(ops) == 4:
        return (x >> n) & ((1 << ops[3].imm) - 1)
    return None


@_T.handles("lsr", "lsl", "asr", "ubfx", "ubfiz")
def _shift(emu, st, ins, m, ops):
    if len(ops) < 3:
        return NEXT
    a, b = _val(emu, st, ops[1]), _val(emu, st, ops[2])
    bits = emu.regbits(ops[0].reg)
    dst = emu.rn(ops[0].reg)
    if a[0] == b[0] == "c":
        r = _shifted(m, a[1] & ((1 << bits) - 1), b[1], bits, ops)
        emu.set(st, dst, C(r) if r is not None else U(m), bits)
    else:
        emu.set(st, dst, a if a[0] == "u" else U(m))
    return None


@_T.handles("uxth", "uxtb", "sxth", "sxtb", "sxtw")
def _extend(emu, st, ins, m, ops):
    if len(ops) != 2:
        return NEXT
    v = _val(emu, st, ops[1])
    if v[0] == "c":
        v = C(v[1] & (0xFFFF if m.endswith("h") else (0xFF if m.endswith("b") else 0xFFFFFFFF)))
    emu.set(st, emu.rn(ops[0].reg), v, emu.regbits(ops[0].reg))
    return None


@_T.handles("movi")
def _movi(emu, st, ins, m, ops):
    if len(ops) < 2:
        return NEXT
    v = ops[1].imm if ops[1].type == _A64.ARM64_OP_IMM else None
    emu.set(st, emu.rn(ops[0].reg), ("v", b"\0" * 16) if v == 0 else U("movi"))
    return None


@_T.handles("rev16", "rev")
def _rev(emu, st, ins, m, ops):
    if len(ops) != 2:
        return NEXT
    v = _val(emu, st, ops[1])
    bits = emu.regbits(ops[0].reg)
    if v[0] == "c":
        raw = (v[1] & ((1 << bits) - 1)).to_bytes(bits // 8, "little")
        if m == "rev":
            out = int.from_bytes(raw, "big")
        else:
            out = int.from_bytes(b"".join(raw[i:i + 2][::-1] for i in range(0, len(raw), 2)), "little")
        emu.set(st, emu.rn(ops[0].reg), C(out), bits)
    else:
        emu.set(st, emu.rn(ops[0].reg), v)
    return None


@_T.handles(*_STORE, *_LOAD)
def _memory(emu, st, ins, m, ops):
    """Loads and stores of every width, pairs, pre/post-index write-back.  A load from a literal
    pool (``ldr x0, #imm``, no memory operand) is not modelled: its destination becomes unknown."""
    mem_i = next((i for i, o in enumerate(ops) if o.type == _A64.ARM64_OP_MEM), None)
    if mem_i is None:
        raise ValueError("no memory operand")
    mop = ops[mem_i].mem
    base = emu.get(st, emu.rn(mop.base)) if mop.base else C(0)
    post = ins.writeback and len(ops) > mem_i + 1 and ops[mem_i + 1].type == _A64.ARM64_OP_IMM
    disp = 0 if post else mop.disp
    if mop.index:
        iv = emu.get(st, emu.rn(mop.index))
        if iv[0] == "c":
            disp += iv[1] << (ops[mem_i].shift.value or 0)
    where = emu.addr_of(base, disp)
    regs = ops[:mem_i]
    if m in _STORE:
        size = _STORE[m]
        for k, r in enumerate(regs):
            sz = size or _size(emu, r.reg)
            emu.store(st, emu.addr_of(base, disp + k * sz), _val(emu, st, r), sz)
        note(st, ins)
    else:
        size = _LOAD[m]
        for k, r in enumerate(regs):
            sz = size or _size(emu, r.reg)
            w = emu.addr_of(base, disp + k * sz)
            if sz == 16:
                bs = emu.load_bytes(st, w, 16)
                v = ("v", bytes(bs)) if all(isinstance(b, int) for b in bs) else U("memory")
            else:
                v = emu.load(st, w, sz)
            emu.set(st, emu.rn(r.reg), v, 64 if sz >= 8 else sz * 8)
        if where is not None:
            note(st, ins)
    if ins.writeback and mop.base:
        inc = ops[mem_i + 1].imm if post else mop.disp
        if base[0] == "s":
            emu.set(st, emu.rn(mop.base), ("s", base[1] + inc))
        elif base[0] == "c":
            emu.set(st, emu.rn(mop.base), C(base[1] + inc))
    return None
