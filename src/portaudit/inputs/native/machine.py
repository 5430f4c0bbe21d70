"""What every disassembly module shares: capstone handles, the abstract values, the state.

Values are small tuples (they are created for every instruction emulated, so they stay plain):
``("c", int)`` a constant or an address, ``("s", int)`` a stack address (offset from the SP at
function entry), ``("v", bytes)`` a vector register with known bytes, ``("u", str)`` unknown,
with the reason.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import capstone as cs

M64 = (1 << 64) - 1
SUPPORTED = {"arm64", "arm", "x86", "x86_64"}

Val = tuple


def C(v: int) -> Val:
    return ("c", v & M64)


def U(why: str) -> Val:
    return ("u", why)


@functools.cache
def disassembler(arch: str, thumb: bool = False) -> cs.Cs:
    if arch == "arm64":
        md = cs.Cs(cs.CS_ARCH_ARM64, cs.CS_MODE_ARM)
    elif arch == "arm":
        md = cs.Cs(cs.CS_ARCH_ARM, cs.CS_MODE_THUMB if thumb else cs.CS_MODE_ARM)
    elif arch == "x86_64":
        md = cs.Cs(cs.CS_ARCH_X86, cs.CS_MODE_64)
    elif arch == "x86":
        md = cs.Cs(cs.CS_ARCH_X86, cs.CS_MODE_32)
    else:
        raise ValueError(arch)
    md.detail = True
    return md


_NAME_CACHE: dict[tuple[str, int], str] = {}


def reg_name(md: cs.Cs, arch: str, reg: int) -> str:
    """capstone's register name, cached (the binding's reg_name goes through ctypes every time)."""
    key = (arch, reg)
    hit = _NAME_CACHE.get(key)
    if hit is None:
        hit = _NAME_CACHE[key] = md.reg_name(reg) or ""
    return hit


@dataclass
class State:
    regs: dict[str, Val] = field(default_factory=dict)
    # ("s"|"g", addr) -> byte int | unknown Val
    mem: dict[tuple[str, int], object] = field(default_factory=dict)
    trace: list[tuple[int, str]] = field(default_factory=list)  # (address, text) of effective instructions


def note(st: State, ins: Any) -> None:
    """Keep an instruction in the evidence trace."""
    st.trace.append((ins.address, f"{ins.mnemonic} {ins.op_str}".strip()))


# -- per-architecture instruction tables --------------------------------------------------------
# A handler models one group of mnemonics: handler(emu, st, ins, m, ops) returns the call target
# (an address), None when the instruction was modelled, or NEXT when its operands are not a
# shape it models (the next handler registered for the mnemonic is tried, then the fallback).
NEXT = object()
Handler = Callable[..., Any]


class Table:
    """Mnemonic -> handlers, in the order they were registered."""

    def __init__(self) -> None:
        self._by_mnemonic: dict[str, list[Handler]] = {}

    def handles(self, *mnemonics: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            for m in mnemonics:
                self._by_mnemonic.setdefault(m, []).append(fn)
            return fn
        return register

    def run(self, emu: Any, st: State, ins: Any, m: str, ops: Any) -> Any:
        for handler in self._by_mnemonic.get(m, ()):
            r = handler(emu, st, ins, m, ops)
            if r is not NEXT:
                return r
        return NEXT

    def step(self, emu: Any, st: State, ins: Any, m: str) -> int | None:
        """Run the instruction; one no handler models makes the registers it writes unknown."""
        r = self.run(emu, st, ins, m, ins.operands)
        if r is NEXT:
            emu.unknown_write(st, ins)
            return None
        return r
