"""x86 and x86-64: the effect of one instruction on the emulator's abstract state."""

from __future__ import annotations

import functools
from typing import Any

import capstone as cs

from .machine import M64, NEXT, C, State, Table, U, Val, note, reg_name

_X86 = cs.x86
CANON: dict[str, str] = {}  # any width of a general register -> its 64-bit name
BITS: dict[str, int] = {}  # register name -> width
for _full, _parts in {
    "rax": ("rax", "eax", "ax", "al"), "rbx": ("rbx", "ebx", "bx", "bl"), "rcx": ("rcx", "ecx", "cx", "cl"),
    "rdx": ("rdx", "edx", "dx", "dl"), "rsi": ("rsi", "esi", "si", "sil"), "rdi": ("rdi", "edi", "di", "dil"),
    "rbp": ("rbp", "ebp", "bp", "bpl"), "rsp": ("rsp", "esp", "sp", "spl"),
}.items():
    for _n, _b in zip(_parts, (64, 32, 16, 8), strict=True):
        CANON[_n] = _full
        BITS[_n] = _b
for _k in range(8, 16):
    for _suf, _b in (("", 64), ("d", 32), ("w", 16), ("b", 8)):
        CANON[f"r{_k}{_suf}"] = f"r{_k}"
        BITS[f"r{_k}{_suf}"] = _b

_T = Table()
_NOOPS = ("ret", "nop", "endbr64", "endbr32", "int3", "test", "cmp", "hlt", "cdqe", "cqo", "cdq")
_SSE_MOVES = ("movaps", "movups", "movdqa", "movdqu", "movq", "movd", "movsd", "movss", "movapd", "movupd",
              "vmovaps", "vmovups", "vmovdqa", "vmovdqu", "movlps", "movhps", "movlpd")


def step(emu: Any, st: State, ins: Any) -> int | None:
    m = ins.mnemonic
    r = _T.run(emu, st, ins, m, ins.operands)
    if r is not NEXT:
        return r
    if m.startswith("j"):  # branches are followed linearly
        return None
    emu.unknown_write(st, ins)
    return None


def _sp(emu: Any) -> str:
    return "rsp" if emu.arch == "x86_64" else "esp"


def _canon(emu: Any, name: str) -> str:
    c = CANON.get(name, name)
    if emu.arch == "x86" and c in ("rsp",):
        return "esp"
    return c


def _reg(emu: Any, st: State, reg: int) -> Val:
    name = reg_name(emu.md, emu.arch, reg)
    v = emu.get(st, _canon(emu, name))
    bits = BITS.get(name, 128 if name.startswith(("xmm", "ymm")) else 64)
    if v[0] == "c" and bits < 64:
        v = C(v[1] & ((1 << bits) - 1))
    return v


def _set(emu: Any, st: State, reg: int, v: Val) -> None:
    name = reg_name(emu.md, emu.arch, reg)
    c = _canon(emu, name)
    bits = BITS.get(name, 64)
    if bits in (8, 16):
        cur = emu.get(st, c)
        if cur[0] == "c" and v[0] == "c":
            mask = (1 << bits) - 1
            v = C((cur[1] & ~mask) | (v[1] & mask))
        # else: the upper bits are unknown; keep the constant (reads of this width mask it)
    elif bits == 32 and v[0] == "c":
        v = C(v[1] & 0xFFFFFFFF)
    emu.set(st, c, v)


def _mem_addr(emu: Any, st: State, ins: Any, op: Any) -> tuple[str, int] | None:
    mem = op.mem
    disp = mem.disp
    if mem.segment:
        return None
    if mem.base == 0:
        base = C(0)
    elif mem.base == _X86.X86_REG_RIP:
        base = C(ins.address + ins.size)
    else:
        base = _reg(emu, st, mem.base)
    if mem.index:
        iv = _reg(emu, st, mem.index)
        if iv[0] != "c":
            return None
        disp += iv[1] * mem.scale
    if base[0] == "s":
        return ("s", base[1] + disp)
    if base[0] == "c":
        mask = 0xFFFFFFFF if emu.arch == "x86" else M64
        return ("g", (base[1] + disp) & mask)
    return None


def _val(emu: Any, st: State, ins: Any, op: Any) -> Val:
    if op.type == _X86.X86_OP_IMM:
        return C(op.imm & ((1 << (8 * op.size)) - 1) if op.size < 8 else op.imm)
    if op.type == _X86.X86_OP_REG:
        name = reg_name(emu.md, emu.arch, op.reg)
        if name.startswith("xmm"):
            return st.regs.get(name, U("register"))
        return _reg(emu, st, op.reg)
    if op.type == _X86.X86_OP_MEM:
        return emu.load(st, _mem_addr(emu, st, ins, op), op.size)
    return U("operand")


# -- calls, jumps, the stack -------------------------------------------------------------------
@_T.handles("call")
def _call(emu, st, ins, m, ops):
    if ops and ops[0].type == _X86.X86_OP_IMM:
        t = ops[0].imm
        if t == ins.address + ins.size:  # call next; pop reg  (PIC base)
            sp = emu.get(st, _sp(emu))
            if sp[0] == "s":
                emu.store(st, ("s", sp[1] - emu.ptr), C(t), emu.ptr)
                emu.set(st, _sp(emu), ("s", sp[1] - emu.ptr))
            return None
        thunk = _thunk(emu, t)
        if thunk:
            emu.set(st, thunk, C(ins.address + ins.size))
            return None
        return t
    if ops and ops[0].type == _X86.X86_OP_MEM:
        where = _mem_addr(emu, st, ins, ops[0])
        if where and where[0] == "g" and where[1] in emu.img.slots:
            return _slot_target(emu, where[1])
    emu.clobber(st, "an indirect call")
    return None


@_T.handles("jmp")
def _tail(emu, st, ins, m, ops):
    if ops and ops[0].type == _X86.X86_OP_IMM and ops[0].imm in emu.img.stubs:
        return ops[0].imm
    return NEXT


@_T.handles("push")
def _push(emu, st, ins, m, ops):
    sp = emu.get(st, _sp(emu))
    v = _val(emu, st, ins, ops[0])
    if sp[0] == "s":
        emu.store(st, ("s", sp[1] - emu.ptr), v, emu.ptr)
        emu.set(st, _sp(emu), ("s", sp[1] - emu.ptr))
    note(st, ins)
    return None


@_T.handles("pop")
def _pop(emu, st, ins, m, ops):
    sp = emu.get(st, _sp(emu))
    if sp[0] == "s":
        _set(emu, st, ops[0].reg, emu.load(st, ("s", sp[1]), emu.ptr))
        emu.set(st, _sp(emu), ("s", sp[1] + emu.ptr))
    else:
        _set(emu, st, ops[0].reg, U("pop"))
    return None


@_T.handles("leave")
def _leave(emu, st, ins, m, ops):
    v = emu.get(st, "rbp")  # canonical name of ebp too
    emu.set(st, _sp(emu), ("s", v[1] + emu.ptr) if v[0] == "s" else v)
    return None


@_T.handles(*_NOOPS)
def _noop(emu, st, ins, m, ops):
    return None


# -- moves and arithmetic ----------------------------------------------------------------------
@_T.handles("mov", "movabs", "movzx", "movsx", "movsxd")
def _mov(emu, st, ins, m, ops):
    if len(ops) != 2:
        return NEXT
    dst, src = ops
    if dst.type == _X86.X86_OP_MEM:
        emu.store(st, _mem_addr(emu, st, ins, dst), _val(emu, st, ins, src), dst.size)
        note(st, ins)
        return None
    v = _val(emu, st, ins, src)
    if m == "movsx" and v[0] == "c" and src.size < 8:
        b = src.size * 8
        if v[1] >> (b - 1) & 1:
            v = C(v[1] - (1 << b))
    _set(emu, st, dst.reg, v)
    if src.type == _X86.X86_OP_MEM:
        note(st, ins)
    return None


@_T.handles("lea")
def _lea(emu, st, ins, m, ops):
    where = _mem_addr(emu, st, ins, ops[1])
    v = U(f"lea at {ins.address:#x}") if where is None else (("s", where[1]) if where[0] == "s" else C(where[1]))
    _set(emu, st, ops[0].reg, v)
    note(st, ins)
    return None


@_T.handles("add", "sub")
def _add(emu, st, ins, m, ops):
    if not (len(ops) == 2 and ops[0].type == _X86.X86_OP_REG):
        return NEXT
    a = _reg(emu, st, ops[0].reg)
    b = _val(emu, st, ins, ops[1])
    if b[0] == "c" and a[0] in ("c", "s"):
        bits = ops[1].size * 8 if ops[1].type == _X86.X86_OP_IMM else 64
        bv = b[1]
        if bv >> (bits - 1) & 1 and bits < 64:
            bv -= 1 << bits
        if bv >= 1 << 63:
            bv -= 1 << 64
        d = bv if m == "add" else -bv
        v = ("s", a[1] + d) if a[0] == "s" else C(a[1] + d)
    else:
        v = U(f"{m} at {ins.address:#x}")
    _set(emu, st, ops[0].reg, v)
    return None


@_T.handles("xor", "pxor", "xorps", "xorpd", "vpxor", "vxorps")
def _zero(emu, st, ins, m, ops):
    """``xor r, r``: a zero (the only xor whose result is known without its inputs)."""
    if not (ops[0].type == _X86.X86_OP_REG and all(o.type == _X86.X86_OP_REG and o.reg == ops[0].reg for o in ops[1:])):
        return NEXT
    name = reg_name(emu.md, emu.arch, ops[0].reg)
    if name.startswith(("xmm", "ymm")):
        st.regs[name.replace("ymm", "xmm")] = ("v", b"\0" * 16)
    else:
        _set(emu, st, ops[0].reg, C(0))
    return None


def _vector_source(emu: Any, st: State, ins: Any, src: Any) -> Val:
    if src.type == _X86.X86_OP_MEM:
        bs = emu.load_bytes(st, _mem_addr(emu, st, ins, src), src.size)
        note(st, ins)
        return ("v", bytes(bs).ljust(16, b"\0")) if all(isinstance(b, int) for b in bs) else U("memory")
    sname = reg_name(emu.md, emu.arch, src.reg)
    if sname.startswith("xmm"):
        return st.regs.get(sname, U("register"))
    sv = _reg(emu, st, src.reg)
    return ("v", sv[1].to_bytes(16, "little")) if sv[0] == "c" else sv


@_T.handles(*_SSE_MOVES)
def _vector_move(emu, st, ins, m, ops):
    dst, src = ops[0], ops[1]
    if dst.type == _X86.X86_OP_MEM:
        name = reg_name(emu.md, emu.arch, src.reg)
        v = st.regs.get(name, U("register")) if name.startswith("xmm") else _reg(emu, st, src.reg)
        emu.store(st, _mem_addr(emu, st, ins, dst), v, dst.size)
        note(st, ins)
    elif dst.type == _X86.X86_OP_REG:
        name = reg_name(emu.md, emu.arch, dst.reg)
        v = _vector_source(emu, st, ins, src)
        if name.startswith("xmm"):
            st.regs[name] = v
        else:
            _set(emu, st, dst.reg, C(int.from_bytes(v[1][:8], "little")) if v[0] == "v" else v)
    return None


@_T.handles("bswap")
def _bswap(emu, st, ins, m, ops):
    v = _reg(emu, st, ops[0].reg)
    size = ops[0].size
    if v[0] == "c":
        _set(emu, st, ops[0].reg, C(int.from_bytes((v[1] & ((1 << 8 * size) - 1)).to_bytes(size, "little"), "big")))
    return None


@_T.handles("rol", "ror")
def _rotate16(emu, st, ins, m, ops):
    """``rol r16, 8``: the byte swap compilers emit for htons."""
    if not (ops[0].type == _X86.X86_OP_REG and ops[0].size == 2 and ops[1].type == _X86.X86_OP_IMM
            and ops[1].imm == 8):
        return NEXT
    v = _reg(emu, st, ops[0].reg)
    if v[0] == "c":
        x = v[1] & 0xFFFF
        _set(emu, st, ops[0].reg, C(((x & 0xFF) << 8) | (x >> 8)))
    return None


@_T.handles("shr", "shl", "sar")
def _shift(emu, st, ins, m, ops):
    if not (len(ops) == 2 and ops[0].type == _X86.X86_OP_REG and ops[1].type == _X86.X86_OP_IMM):
        return NEXT
    a = _reg(emu, st, ops[0].reg)
    if a[0] == "c":
        bits = ops[0].size * 8
        x = a[1] & ((1 << bits) - 1)
        r = x >> ops[1].imm if m != "shl" else (x << ops[1].imm) & ((1 << bits) - 1)
        _set(emu, st, ops[0].reg, C(r))
    return None


@_T.handles("and")
def _realign(emu, st, ins, m, ops):
    if ops[0].type == _X86.X86_OP_REG and _canon(emu, reg_name(emu.md, emu.arch, ops[0].reg)) == _sp(emu):
        return None  # stack realignment: offsets stay comparable within the function
    return NEXT


@_T.handles("and", "or")
def _logic(emu, st, ins, m, ops):
    if not (len(ops) == 2 and ops[0].type == _X86.X86_OP_REG):
        return NEXT
    a, b = _reg(emu, st, ops[0].reg), _val(emu, st, ins, ops[1])
    if a[0] == b[0] == "c":
        _set(emu, st, ops[0].reg, C(a[1] & b[1] if m == "and" else a[1] | b[1]))
    else:
        _set(emu, st, ops[0].reg, U(m))
    return None


# -- helpers for calls -----------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _thunk_bytes(b: bytes) -> str | None:
    # mov reg, [esp]; ret  -> __x86.get_pc_thunk.<reg>
    table = {b"\x8b\x1c\x24\xc3": "rbx", b"\x8b\x04\x24\xc3": "rax", b"\x8b\x0c\x24\xc3": "rcx",
             b"\x8b\x14\x24\xc3": "rdx", b"\x8b\x34\x24\xc3": "rsi", b"\x8b\x3c\x24\xc3": "rdi",
             b"\x8b\x2c\x24\xc3": "rbp"}
    return table.get(b)


def _thunk(emu: Any, target: int) -> str | None:
    if emu.arch != "x86":
        return None
    b = emu.img.read(target, 4)
    return _thunk_bytes(b) if b else None


def _slot_target(emu: Any, slot: int) -> int:
    """A pseudo call target for a call through a GOT slot: register it as a stub."""
    name = emu.img.slots[slot]
    key = -(slot + 1)
    emu.img.stubs.setdefault(key, name)
    return key
