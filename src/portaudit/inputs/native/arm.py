"""ARM (A32) and Thumb-2: the effect of one instruction on the emulator's abstract state."""

from __future__ import annotations

from typing import Any

import capstone as cs

from .machine import NEXT, C, State, Table, U, Val, note, reg_name

_ARM = cs.arm
_T = Table()


def step(emu: Any, st: State, ins: Any) -> int | None:
    return _T.step(emu, st, ins, ins.mnemonic.split(".")[0])  # "add.w" -> "add"


def modified_imm(ops: Any, i: int) -> int:
    """An ARM modified immediate; capstone splits ``#imm, #rot`` into two operands."""
    v = ops[i].imm & 0xFFFFFFFF
    if len(ops) > i + 1 and ops[i + 1].type == _ARM.ARM_OP_IMM:
        r = ops[i + 1].imm & 31
        v = ((v >> r) | (v << (32 - r))) & 0xFFFFFFFF
    return v


def _pc(emu: Any, ins: Any) -> int:
    return ins.address + (4 if emu.thumb else 8)


def _val(emu: Any, st: State, ins: Any, op: Any) -> Val:
    if op.type == _ARM.ARM_OP_IMM:
        return C(op.imm & 0xFFFFFFFF)
    if op.type == _ARM.ARM_OP_REG:
        r = emu.rn(op.reg)
        if r == "pc":
            return C(_pc(emu, ins))
        v = emu.get(st, r)
        if v[0] == "c" and op.shift.type == _ARM.ARM_SFT_LSL and op.shift.value:
            v = C((v[1] << op.shift.value) & 0xFFFFFFFF)
        return v
    return U("operand")


def _dregs(emu: Any, reg: int) -> list[str]:
    name = reg_name(emu.md, emu.arch, reg) or ""
    if name.startswith("q") and name[1:].isdigit():
        k = int(name[1:])
        return [f"d{2 * k}", f"d{2 * k + 1}"]
    return [name]


def _base(emu: Any, st: State, ins: Any, mop: Any) -> tuple[str, Val]:
    """Name and value of a memory operand's base register (pc-relative: the aligned pc)."""
    bname = emu.rn(mop.base)
    return bname, C(_pc(emu, ins) & ~3) if bname == "pc" else emu.get(st, bname)


# -- branches and calls -----------------------------------------------------------------------
@_T.handles("bl", "blx")
def _call(emu, st, ins, m, ops):
    if ops and ops[0].type == _ARM.ARM_OP_IMM:
        return ops[0].imm
    return NEXT


@_T.handles("b")
def _tail(emu, st, ins, m, ops):
    if ops and ops[0].type == _ARM.ARM_OP_IMM and ops[0].imm in emu.img.stubs:
        return ops[0].imm
    return NEXT


@_T.handles("blx")
def _indirect(emu, st, ins, m, ops):
    if ops and ops[0].type == _ARM.ARM_OP_REG:
        emu.clobber(st, "an indirect call")
        return None
    return NEXT


# -- moves and arithmetic ---------------------------------------------------------------------
@_T.handles("mov", "movs", "movw", "mvn", "mvns")
def _mov(emu, st, ins, m, ops):
    if not (len(ops) in (2, 3) and (len(ops) == 2 or ops[2].type == _ARM.ARM_OP_IMM)):
        return NEXT
    v = C(modified_imm(ops, 1)) if ops[1].type == _ARM.ARM_OP_IMM else _val(emu, st, ins, ops[1])
    if m.startswith("mvn") and v[0] == "c":
        v = C(~v[1] & 0xFFFFFFFF)
    emu.set(st, emu.rn(ops[0].reg), v, 32)
    note(st, ins)
    return None


@_T.handles("movt")
def _movt(emu, st, ins, m, ops):
    dst = emu.rn(ops[0].reg)
    cur = emu.get(st, dst)
    if cur[0] == "c":
        emu.set(st, dst, C((cur[1] & 0xFFFF) | ((ops[1].imm & 0xFFFF) << 16)), 32)
    note(st, ins)
    return None


@_T.handles("add", "adds", "sub", "subs", "addw", "subw")
def _add(emu, st, ins, m, ops):
    if len(ops) not in (2, 3, 4):
        return NEXT
    if len(ops) == 2:
        a, b = _val(emu, st, ins, ops[0]), _val(emu, st, ins, ops[1])
    else:
        a = _val(emu, st, ins, ops[1])
        b = C(modified_imm(ops, 2)) if ops[2].type == _ARM.ARM_OP_IMM else _val(emu, st, ins, ops[2])
    dst = emu.rn(ops[0].reg)
    if a[0] == "c" and b[0] == "s":
        a, b = b, a
    if b[0] == "c" and a[0] in ("c", "s"):
        d = -b[1] if m.startswith("sub") else b[1]
        if a[0] == "s":
            d = d - (1 << 32) if d >= 1 << 31 else d
            emu.set(st, dst, ("s", a[1] + d))
        else:
            emu.set(st, dst, C(a[1] + d), 32)
    else:
        emu.set(st, dst, a if a[0] == "u" else U(f"{m} at {ins.address:#x}"))
    note(st, ins)
    return None


@_T.handles("adr")
def _adr(emu, st, ins, m, ops):
    emu.set(st, emu.rn(ops[0].reg), C(ops[1].imm))
    return None


@_T.handles("lsr", "lsrs", "lsl", "lsls")
def _shift(emu, st, ins, m, ops):
    if len(ops) != 3:
        return NEXT
    a, b = _val(emu, st, ins, ops[1]), _val(emu, st, ins, ops[2])
    if a[0] == b[0] == "c":
        r = (a[1] & 0xFFFFFFFF) >> b[1] if m.startswith("lsr") else (a[1] << b[1]) & 0xFFFFFFFF
        emu.set(st, emu.rn(ops[0].reg), C(r), 32)
    else:
        emu.set(st, emu.rn(ops[0].reg), a if a[0] == "u" else U(m))
    return None


@_T.handles("uxth", "uxtb")
def _extend(emu, st, ins, m, ops):
    if len(ops) != 2:
        return NEXT
    v = _val(emu, st, ins, ops[1])
    emu.set(st, emu.rn(ops[0].reg), C(v[1] & (0xFFFF if m == "uxth" else 0xFF)) if v[0] == "c" else v, 32)
    return None


@_T.handles("rev16", "rev")
def _rev(emu, st, ins, m, ops):
    if len(ops) != 2:
        return NEXT
    v = _val(emu, st, ins, ops[1])
    if v[0] == "c":
        raw = (v[1] & 0xFFFFFFFF).to_bytes(4, "little")
        out = int.from_bytes(raw, "big") if m == "rev" else int.from_bytes(raw[1::-1] + raw[3:1:-1], "little")
        emu.set(st, emu.rn(ops[0].reg), C(out), 32)
    else:
        emu.set(st, emu.rn(ops[0].reg), v)
    return None


@_T.handles("orr", "orrs")
def _orr(emu, st, ins, m, ops):
    if len(ops) not in (3, 4):
        return NEXT
    a = _val(emu, st, ins, ops[1])
    b = C(modified_imm(ops, 2)) if ops[2].type == _ARM.ARM_OP_IMM else _val(emu, st, ins, ops[2])
    if a[0] == "s" and b[0] == "c" and b[1] < 8 and not a[1] & b[1] & 7:
        emu.set(st, emu.rn(ops[0].reg), ("s", a[1] + b[1]))  # orr of an aligned stack address = add
    else:
        emu.set(st, emu.rn(ops[0].reg), C(a[1] | b[1]) if a[0] == b[0] == "c" else U("orr"), 32)
    return None


# -- the stack and multiple registers -----------------------------------------------------------
@_T.handles("push", "stmdb")
def _push(emu, st, ins, m, ops):
    if not (m == "push" or emu.rn(ops[0].reg) == "sp"):
        return NEXT
    regs = ops if m == "push" else ops[1:]
    sp = emu.get(st, "sp")
    if sp[0] == "s":
        new = sp[1] - 4 * len(regs)
        for k, r in enumerate(regs):
            emu.store(st, ("s", new + 4 * k), emu.get(st, emu.rn(r.reg)), 4)
        emu.set(st, "sp", ("s", new))
    return None


@_T.handles("pop", "ldm", "ldmia")
def _pop(emu, st, ins, m, ops):
    if not (m == "pop" or emu.rn(ops[0].reg) == "sp"):
        return NEXT
    regs = ops if m == "pop" else ops[1:]
    sp = emu.get(st, "sp")
    for r in regs:
        emu.set(st, emu.rn(r.reg), U("pop"))
    if sp[0] == "s":
        emu.set(st, "sp", ("s", sp[1] + 4 * len(regs)))
    return None


@_T.handles("ldm", "ldmia", "stm", "stmia", "ldmib", "stmib", "ldmdb", "ldmda", "stmda")
def _multiple(emu, st, ins, m, ops):
    if not (ops and ops[0].type == _ARM.ARM_OP_REG):
        return NEXT
    bname = emu.rn(ops[0].reg)
    base = emu.get(st, bname)
    regs = ops[1:]
    first = {"ib": 4, "db": -4 * len(regs), "da": -4 * len(regs) + 4}.get(m[-2:], 0)
    for k, r in enumerate(regs):
        w = emu.addr_of(base, first + 4 * k)
        if m.startswith("st"):
            emu.store(st, w, emu.get(st, emu.rn(r.reg)), 4)
        else:
            emu.set(st, emu.rn(r.reg), emu.load(st, w, 4), 32)
    if ins.writeback and base[0] in ("s", "c"):
        step_ = -4 * len(regs) if m.endswith(("db", "da")) else 4 * len(regs)
        emu.set(st, bname, (base[0], base[1] + step_))
    note(st, ins)
    return None


# -- loads and stores ---------------------------------------------------------------------------
def _width(m: str) -> int:
    if m.startswith("ldrs"):
        return 1 if m.endswith("b") else 2
    if m.endswith("d"):
        return 4  # a register pair, one word each
    return {"h": 2, "b": 1}.get(m[-1:], 4)


@_T.handles("str", "strh", "strb", "strd", "ldr", "ldrh", "ldrb", "ldrd", "ldrsb", "ldrsh")
def _memory(emu, st, ins, m, ops):
    mem_i = next((i for i, o in enumerate(ops) if o.type == _ARM.ARM_OP_MEM), None)
    if mem_i is None:
        raise ValueError("no memory operand")
    mop = ops[mem_i].mem
    bname, base = _base(emu, st, ins, mop)
    disp = mop.disp
    if mop.index:
        iv = emu.get(st, emu.rn(mop.index))
        disp = disp + iv[1] if iv[0] == "c" else None
    post = len(ops) > mem_i + 1
    d = 0 if post else disp
    size = _width(m)
    regs = ops[:mem_i]
    if m.startswith("st"):
        for k, r in enumerate(regs):
            emu.store(st, emu.addr_of(base, d + 4 * k) if d is not None else None, emu.get(st, emu.rn(r.reg)), size)
        note(st, ins)
    else:
        for k, r in enumerate(regs):
            w = emu.addr_of(base, d + 4 * k) if d is not None else None
            emu.set(st, emu.rn(r.reg), emu.load(st, w, size), 32)
        if d is not None and emu.addr_of(base, d) is not None:
            note(st, ins)
    if (ins.writeback or post) and bname != "pc" and disp is not None:
        inc = ops[mem_i + 1].imm if post and ops[mem_i + 1].type == _ARM.ARM_OP_IMM else disp
        if base[0] in ("s", "c"):
            emu.set(st, bname, (base[0], base[1] + inc))
    return None


@_T.handles("vmov")
def _vmov(emu, st, ins, m, ops):
    if not (len(ops) == 2 and ops[1].type == _ARM.ARM_OP_IMM):
        return NEXT
    for d in _dregs(emu, ops[0].reg):
        st.regs[d] = ("v", (ops[1].imm & 0xFFFFFFFF).to_bytes(4, "little") * 2) if ops[1].imm == 0 else U("vmov")
    return None


@_T.handles("vldr")
def _vldr(emu, st, ins, m, ops):
    _bname, base = _base(emu, st, ins, ops[1].mem)
    bs = emu.load_bytes(st, emu.addr_of(base, ops[1].mem.disp), 8)
    known = all(isinstance(b, int) for b in bs)
    st.regs[reg_name(emu.md, emu.arch, ops[0].reg)] = ("v", bytes(bs)) if known else U("memory")
    return None


@_T.handles("vstr")
def _vstr(emu, st, ins, m, ops):
    mop = ops[1].mem
    base = emu.get(st, emu.rn(mop.base))
    v = st.regs.get(reg_name(emu.md, emu.arch, ops[0].reg), U("register"))
    emu.store(st, emu.addr_of(base, mop.disp), v, 8)
    note(st, ins)
    return None


@_T.handles("vst1", "vld1")
def _vector_list(emu, st, ins, m, ops):
    mem_i = next((i for i, o in enumerate(ops) if o.type == _ARM.ARM_OP_MEM), None)
    if mem_i is None:  # both always have a memory operand: nothing to model without one
        return None
    mop = ops[mem_i].mem
    bname = emu.rn(mop.base)
    base = emu.get(st, bname)
    dregs = []
    for r in ops[:mem_i]:
        dregs += _dregs(emu, r.reg)
    for k, dn in enumerate(dregs):
        w = emu.addr_of(base, 8 * k)
        if m == "vst1":
            emu.store(st, w, st.regs.get(dn, U("register")), 8)
        else:
            bs = emu.load_bytes(st, w, 8)
            st.regs[dn] = ("v", bytes(bs)) if all(isinstance(b, int) for b in bs) else U("memory")
    if m == "vst1":
        note(st, ins)
    if (ins.writeback or len(ops) > mem_i + 1) and base[0] in ("s", "c"):
        if len(ops) > mem_i + 1 and ops[mem_i + 1].type == _ARM.ARM_OP_REG:
            inc = emu.get(st, emu.rn(ops[mem_i + 1].reg))
            emu.set(st, bname, (base[0], base[1] + inc[1]) if inc[0] == "c" else U("vst1"))
        else:
            emu.set(st, bname, (base[0], base[1] + 8 * len(dregs)))
    return None
