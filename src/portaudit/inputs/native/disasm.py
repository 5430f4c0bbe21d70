"""Call sites of imported functions and the sockaddr they receive, by disassembly (capstone).

Three steps, shared by ELF (Android, Linux) and Mach-O (iOS, macOS):

1. :func:`resolve_plt` maps PLT entries to the imported name of the GOT slot they jump through.
2. :func:`call_sites` finds every direct call (and tail call) whose target is such a stub, by
   scanning the executable sections for call encodings with numpy (fast: no disassembly of
   the whole binary), and calls through a GOT slot.
3. :class:`Emulator` runs the instructions of the calling function, from its start to the
   call, over a small abstract state (registers and stack bytes hold constants, stack
   addresses, or "unknown because ..."), so the bytes of the ``sockaddr`` the call receives
   can be read back.  Branches are followed linearly (last write wins), which matches how
   compilers build a ``sockaddr`` before ``bind``.
"""

from __future__ import annotations

import functools
import struct
from dataclasses import dataclass, field

import capstone as cs
import numpy as np

from .image import Image

M64 = (1 << 64) - 1

# Values: ("c", int) constant / address, ("s", int) stack address (offset from the SP at
# function entry), ("v", bytes) vector register with known bytes, ("u", str) unknown + why.
Val = tuple


def C(v: int) -> Val:
    return ("c", v & M64)


def U(why: str) -> Val:
    return ("u", why)


@functools.cache
def _md(arch: str, thumb: bool = False) -> cs.Cs:
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


SUPPORTED = {"arm64", "arm", "x86", "x86_64"}


# ---------------------------------------------------------------------------------------------
# PLT entries
# ---------------------------------------------------------------------------------------------
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
    out: dict[int, str] = {}
    slots = img.slots
    if img.arch == "arm64":
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
            if slot in slots:
                out[pc] = slots[slot]
    elif img.arch in ("x86_64", "x86"):
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
            if slot in slots:
                start = i
                if i >= 1 and body[i - 1] == 0xF2:  # bnd jmp
                    start = i - 1
                if start >= 4 and body[start - 4:start] in (b"\xf3\x0f\x1e\xfa", b"\xf3\x0f\x1e\xfb"):
                    start -= 4  # endbr64 / endbr32 (.plt.sec)
                out[addr + start] = slots[slot]
    elif img.arch == "arm":
        n = len(body) // 4
        words = struct.unpack_from(f"<{n}I", body)
        for i, w in enumerate(words):
            pc = addr + 4 * i
            if (w & 0xFFFFF000) == 0xE28FC000:  # add ip, pc, #imm
                v = pc + 8 + _arm_mod_imm(w)
                k = i + 1
                while k < n and (words[k] & 0xFFFFF000) == 0xE28CC000:  # add ip, ip, #imm
                    v += _arm_mod_imm(words[k])
                    k += 1
                if k < n and (words[k] & 0xFFFFF000) == 0xE5BCF000:  # ldr pc, [ip, #imm]!
                    slot = (v + (words[k] & 0xFFF)) & 0xFFFFFFFF
                    if slot in slots:
                        out[pc] = slots[slot]
            elif (w & 0xFFF0F000) == 0xE300C000 and i + 3 < n and (words[i + 1] & 0xFFF0F000) == 0xE340C000 \
                    and words[i + 2] == 0xE08CC00F and words[i + 3] == 0xE59CF000:  # lld long form
                lo = (w & 0xFFF) | ((w >> 4) & 0xF000)
                hi = (words[i + 1] & 0xFFF) | ((words[i + 1] >> 4) & 0xF000)
                slot = ((hi << 16 | lo) + pc + 8 + 8) & 0xFFFFFFFF
                if slot in slots:
                    out[pc] = slots[slot]
        for a, name in list(out.items()):
            if img.read(a - 4, 2) == b"\x78\x47":  # Thumb entry veneer: bx pc
                out.setdefault(a - 4, name)
    return out


def _plt_capstone(img: Image, addr: int, body: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    md = _md(img.arch)
    start: int | None = None
    reg: dict[int, int] = {}
    prev = None
    got_base = getattr(img, "got_base", None)
    for ins in _disasm_all(md, body, addr, 4 if img.arch in ("arm", "arm64") else 1):
        m = ins.mnemonic
        ops = ins.operands
        slot = None
        if img.arch == "arm64":
            if m == "adrp":
                start, reg[ops[0].reg] = ins.address, ops[1].imm
            elif m == "ldr" and len(ops) == 2 and ops[1].type == cs.arm64.ARM64_OP_MEM and ops[1].mem.base in reg:
                reg[ops[0].reg] = ("slot", reg[ops[1].mem.base] + ops[1].mem.disp)
            elif m == "br" and isinstance(reg.get(ops[0].reg), tuple):
                slot = reg[ops[0].reg][1]
            elif m in ("nop", "bti") or m.startswith("b"):
                start = None
        elif img.arch == "x86_64":
            if m in ("jmp", "bnd jmp") and ops and ops[0].type == cs.x86.X86_OP_MEM and ops[0].mem.base == cs.x86.X86_REG_RIP:
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
            if m == "add" and len(ops) in (3, 4) and ops[1].reg == cs.arm.ARM_REG_PC and ops[2].type == cs.arm.ARM_OP_IMM:
                start, reg[ops[0].reg] = ins.address, ins.address + 8 + _arm_imm(ops, 2)
            elif m == "add" and len(ops) in (3, 4) and ops[1].reg in reg and ops[2].type == cs.arm.ARM_OP_IMM:
                reg[ops[0].reg] = reg[ops[1].reg] + _arm_imm(ops, 2)
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
    if img.arch == "arm":  # Thumb callers enter through a "bx pc; nop" veneer just before the ARM entry
        for a, name in list(out.items()):
            if img.read(a - 4, 2) == b"\x78\x47":  # bx pc (then nop / b.n)
                out.setdefault(a - 4, name)
    return out


def _disasm_all(md, body: bytes, addr: int, unit: int):
    """Disassemble everything, skipping undecodable units instead of stopping."""
    pos = 0
    while pos < len(body):
        for ins in md.disasm(body[pos:], addr + pos):
            pos += ins.size  # from sizes, not ins.address: capstone wraps addresses at 2**64
            yield ins
        pos += unit


def _arm_imm(ops, i: int) -> int:
    """An ARM modified immediate; capstone splits ``#imm, #rot`` into two operands."""
    v = ops[i].imm & 0xFFFFFFFF
    if len(ops) > i + 1 and ops[i + 1].type == cs.arm.ARM_OP_IMM:
        r = ops[i + 1].imm & 31
        v = ((v >> r) | (v << (32 - r))) & 0xFFFFFFFF
    return v


# ---------------------------------------------------------------------------------------------
# Call sites
# ---------------------------------------------------------------------------------------------
@dataclass
class CallSite:
    addr: int  # address of the call instruction
    target: str  # imported name
    thumb: bool = False
    tail: bool = False


def _sext(v: np.ndarray, bits: int) -> np.ndarray:
    v = v.astype(np.int64)
    sign = 1 << (bits - 1)
    return (v ^ sign) - sign


def call_sites(img: Image, wanted: set[str]) -> list[CallSite]:
    """Every direct call / tail call to a stub (or indirect call through a GOT slot) of a wanted import."""
    stubs = {a: n for a, n in img.stubs.items() if n in wanted}
    slots = {a: n for a, n in img.slots.items() if n in wanted}
    if not stubs and not slots:
        return []
    targets = np.array(sorted(stubs), dtype=np.int64)
    out: list[CallSite] = []
    for sec in img.code:
        lo, hi = sec.offset, sec.offset + sec.fsize
        if hi > len(img.data) or hi <= lo:
            continue
        base = sec.vaddr
        if base < 0 or base + sec.fsize >= 1 << 62:  # a tampered address: nothing sensible to find
            continue
        buf = np.frombuffer(img.data, dtype=np.uint8, count=hi - lo, offset=lo)
        if img.arch == "arm64":
            n = len(buf) // 4
            w = buf[: n * 4].view("<u4")
            op = w >> 26
            idx = np.nonzero((op == 0x25) | (op == 0x05))[0]
            tgt = base + idx.astype(np.int64) * 4 + _sext(w[idx] & 0x3FFFFFF, 26) * 4
            for i, t, o in zip(idx.tolist(), tgt.tolist(), op[idx].tolist()):
                if t in stubs:
                    out.append(CallSite(base + i * 4, stubs[t], tail=o == 0x05))
        elif img.arch in ("x86", "x86_64"):
            if len(buf) < 6:
                continue
            mask = 0xFFFFFFFF if img.arch == "x86" else M64
            idx = np.nonzero((buf[:-4] == 0xE8) | (buf[:-4] == 0xE9))[0]
            rel = (buf[idx + 1].astype(np.int64) | (buf[idx + 2].astype(np.int64) << 8)
                   | (buf[idx + 3].astype(np.int64) << 16) | (buf[idx + 4].astype(np.int64) << 24))
            tgt = (base + idx.astype(np.int64) + 5 + _sext(rel, 32)) & (mask if img.arch == "x86" else -1)
            hit = np.isin(tgt, targets)
            for i, t in zip(idx[hit].tolist(), tgt[hit].tolist()):
                out.append(CallSite(base + i, stubs[int(t)], tail=int(buf[i]) == 0xE9))
            if slots:  # call/jmp [rip+disp] (x86_64, -fno-plt) or [ebx+disp] (x86 PIC)
                idx = np.nonzero((buf[:-5] == 0xFF) & np.isin(buf[1:-4], (0x15, 0x25, 0x93, 0xA3)))[0]
                for i in idx.tolist():
                    (disp,) = struct.unpack_from("<i", buf, i + 2)
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
        elif img.arch == "arm":
            # ARM mode: BL / BLX(imm) on word boundaries
            n = len(buf) // 4
            w = buf[: n * 4].view("<u4")
            idx = np.nonzero(((w & 0x0F000000) == 0x0B000000) & ((w >> 28) != 0xF) | ((w >> 25) == 0x7D)
                             | ((w & 0xFF000000) == 0xEA000000))[0]
            blx = (w[idx] >> 25) == 0x7D
            tgt = base + idx.astype(np.int64) * 4 + 8 + _sext(w[idx] & 0xFFFFFF, 24) * 4 + np.where(blx, ((w[idx] >> 24) & 1) * 2, 0)
            for i, t, word in zip(idx.tolist(), tgt.tolist(), w[idx].tolist()):
                if t in stubs and not _thumb_at(img, base + i * 4):
                    out.append(CallSite(base + i * 4, stubs[t], tail=(word >> 24) == 0xEA))
            # Thumb-2: BL / BLX on halfword boundaries
            n = len(buf) // 2
            h = buf[: n * 2].view("<u2").astype(np.int64)
            if n < 2:
                continue
            h1, h2 = h[:-1], h[1:]
            idx = np.nonzero(((h1 & 0xF800) == 0xF000) & (((h2 & 0xD000) == 0xD000) | ((h2 & 0xD001) == 0xC000)
                                                          | ((h2 & 0xD000) == 0x9000)))[0]
            for i in idx.tolist():
                a, b = int(h1[i]), int(h2[i])
                s = (a >> 10) & 1
                i1 = (~((b >> 13) & 1 ^ s)) & 1
                i2 = (~((b >> 11) & 1 ^ s)) & 1
                imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((a & 0x3FF) << 12) | ((b & 0x7FF) << 1)
                if s:
                    imm -= 1 << 25
                pc = base + i * 2 + 4
                t = pc + imm if (b & 0x1000) else ((pc & ~3) + imm)
                if t not in stubs and (b & 0x1000):
                    v = _veneer(img, t, True)
                    if v in stubs:
                        t = v
                if t in stubs and _thumb_at(img, base + i * 2) is not False:
                    out.append(CallSite(base + i * 2, stubs[t], thumb=True, tail=(b & 0xD000) == 0x9000))
    out.sort(key=lambda c: c.addr)
    return out


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
            _step_arm(emu, st, ins)
        except (IndexError, KeyError, AttributeError, ValueError, cs.CsError):
            break
    return cache[addr]


def _thumb_at(img: Image, addr: int) -> bool | None:
    start = img.function_start(addr)
    if start is None:
        return None
    return img.is_thumb_function(start)


# ---------------------------------------------------------------------------------------------
# Emulation
# ---------------------------------------------------------------------------------------------
# Calls the emulator understands (by imported name, Mach-O names without the leading '_').
_SWAP16 = {"htons", "ntohs", "__bswap_16", "_OSSwapInt16"}
_SWAP32 = {"htonl", "ntohl", "__bswap_32", "_OSSwapInt32"}


_RN_CACHE: dict[tuple[str, int], str] = {}
_NAME_CACHE: dict[tuple[str, int], str] = {}


def _reg_name(md, arch: str, reg: int) -> str:
    """capstone's register name, cached (the binding's reg_name goes through ctypes every time)."""
    key = (arch, reg)
    hit = _NAME_CACHE.get(key)
    if hit is None:
        hit = _NAME_CACHE[key] = md.reg_name(reg) or ""
    return hit


@dataclass
class State:
    regs: dict[str, Val] = field(default_factory=dict)
    mem: dict[tuple[str, int], object] = field(default_factory=dict)  # ("s"|"g", addr) -> byte int | unknown Val
    trace: list[tuple[int, str]] = field(default_factory=list)  # (address, text) of effective instructions


class Emulator:
    """Abstract interpretation of one function's straight-line code up to a call site."""

    MAX_INSNS = 6000

    def __init__(self, img: Image, thumb: bool = False):
        self.img = img
        self.arch = img.arch
        self.thumb = thumb
        self.md = _md(img.arch, thumb)
        self.ptr = 4 if img.arch in ("arm", "x86") else 8

    # -- register naming ----------------------------------------------------------
    def rn(self, reg: int) -> str:
        key = (self.arch, reg)
        hit = _RN_CACHE.get(key)
        if hit is None:
            hit = _RN_CACHE[key] = self._rn(reg)
        return hit

    def _rn(self, reg: int) -> str:
        name = self.md.reg_name(reg) or f"r{reg}"
        if self.arch == "arm64":
            if name in ("wzr", "xzr"):
                return "zr"
            if name in ("wsp", "sp"):
                return "sp"
            if name[0] in "wx" and name[1:].isdigit():
                return "x" + name[1:]
            if name[0] in "qvdsbh" and name[1:].isdigit():
                return "v" + name[1:]
            return name
        if self.arch == "x86_64" or self.arch == "x86":
            return _X86_CANON.get(name, name)
        if self.arch == "arm":
            return {"r13": "sp", "r14": "lr", "r15": "pc", "r12": "ip", "r11": "fp", "sb": "r9", "sl": "r10"}.get(name, name)
        return name

    def regbits(self, reg: int) -> int:
        name = _reg_name(self.md, self.arch, reg)
        if self.arch == "arm64":
            return 32 if name.startswith("w") else 64
        if self.arch in ("x86", "x86_64"):
            return _X86_BITS.get(name, 64 if self.arch == "x86_64" else 32)
        return 32

    # -- state helpers -----------------------------------------------------------
    def get(self, st: State, r: str) -> Val:
        if r == "zr":
            return C(0)
        return st.regs.get(r, U("register"))

    def set(self, st: State, r: str, v: Val, bits: int = 64) -> None:
        if r in ("zr", "pc", "rip", "eip"):
            return
        if v[0] == "c" and bits < 64:
            v = C(v[1] & ((1 << bits) - 1))
        st.regs[r] = v

    def addr_of(self, base: Val, disp: int) -> tuple[str, int] | None:
        if base[0] == "s":
            return ("s", base[1] + disp)
        if base[0] == "c":
            return ("g", (base[1] + disp) & M64)
        return None

    def store(self, st: State, where: tuple[str, int] | None, v: Val, size: int) -> None:
        if where is None:
            return
        space, a = where
        if v[0] == "c":
            bs = (v[1] & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
            for k in range(size):
                st.mem[(space, a + k)] = bs[k]
        elif v[0] == "v":
            bs = v[1][:size].ljust(size, b"\0")
            for k in range(size):
                st.mem[(space, a + k)] = bs[k]
        else:
            for k in range(size):
                st.mem[(space, a + k)] = v

    def store_bytes(self, st: State, where, data: bytes | Val, size: int) -> None:
        if where is None:
            return
        space, a = where
        for k in range(size):
            st.mem[(space, a + k)] = data[k] if isinstance(data, (bytes, bytearray)) else data

    def load_bytes(self, st: State, where: tuple[str, int] | None, size: int) -> list:
        """Each byte as int, or an unknown Val."""
        if where is None:
            return [U("memory")] * size
        space, a = where
        out = []
        for k in range(size):
            b = st.mem.get((space, a + k))
            if b is None:
                if space == "g":
                    raw = self.img.read(a + k, 1)
                    if raw is None:
                        b = U("memory outside the image")
                    elif self.img.writable(a + k):
                        b = U("a global variable") if self._is_ptr_slot(a + k) else raw[0]
                    else:
                        b = raw[0]
                else:
                    b = U("uninitialised stack" if a + k < 0 else "caller's stack (a stack-passed parameter)")
            out.append(b)
        return out

    def _is_ptr_slot(self, addr: int) -> bool:
        base = addr - addr % self.ptr
        return base in self.img.slots

    def load(self, st: State, where, size: int) -> Val:
        bs = self.load_bytes(st, where, size)
        if all(isinstance(b, int) for b in bs):
            return C(int.from_bytes(bytes(bs), "little"))
        first = next(b for b in bs if not isinstance(b, int))
        if all(b is first for b in bs):
            return first
        if where is not None and where[0] == "g" and self._is_ptr_slot(where[1]):
            return U(f"the address of {self.img.slots.get(where[1] - where[1] % self.ptr)}")
        return first if first[1] != "register" else U("memory")

    # -- calls ------------------------------------------------------------------
    def args(self, st: State, n: int) -> list[Val]:
        if self.arch == "arm64":
            return [self.get(st, f"x{i}") for i in range(n)]
        if self.arch == "arm":
            regs = [self.get(st, f"r{i}") for i in range(min(n, 4))]
            sp = self.get(st, "sp")
            for i in range(4, n):
                regs.append(self.load(st, self.addr_of(sp, 4 * (i - 4)), 4) if sp[0] == "s" else U("stack"))
            return regs
        if self.arch == "x86_64":
            return [self.get(st, r) for r in ("rdi", "rsi", "rdx", "rcx", "r8", "r9")[:n]]
        sp = self.get(st, "esp")
        if sp[0] != "s":
            return [U("stack")] * n
        return [self.load(st, ("s", sp[1] + 4 * i), 4) for i in range(n)]

    def set_ret(self, st: State, v: Val) -> None:
        r = {"arm64": "x0", "arm": "r0", "x86_64": "rax", "x86": "rax"}[self.arch]
        st.regs[r] = v

    def clobber(self, st: State, why: str) -> None:
        if self.arch == "arm64":
            regs = [f"x{i}" for i in range(19)] + [f"v{i}" for i in range(8)] + [f"v{i}" for i in range(16, 32)]
        elif self.arch == "arm":
            regs = ["r0", "r1", "r2", "r3", "ip", "lr"] + [f"d{i}" for i in range(8)] + [f"d{i}" for i in range(16, 32)]
        elif self.arch == "x86_64":
            regs = ["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"] + [f"xmm{i}" for i in range(16)]
        else:
            regs = ["rax", "rcx", "rdx"] + [f"xmm{i}" for i in range(8)]
        for r in regs:
            st.regs.pop(r, None)
        self.set_ret(st, U(why))

    def model_call(self, st: State, name: str, addr: int, call_no: int) -> None:
        """Effect of a call on the state (known libc functions are modelled, others clobber)."""
        a = self.args(st, 4)
        n = name.lstrip("_") if self.img.platform == "darwin" else name
        if n in _SWAP16 and a[0][0] == "c":
            v = a[0][1] & 0xFFFF
            self.clobber(st, f"the return value of {name}()")
            self.set_ret(st, C(((v & 0xFF) << 8) | (v >> 8)))
            return
        if n in _SWAP32 and a[0][0] == "c":
            v = a[0][1] & 0xFFFFFFFF
            self.clobber(st, f"the return value of {name}()")
            self.set_ret(st, C(int.from_bytes(v.to_bytes(4, "little"), "big")))
            return
        if n in ("memset", "__memset_chk", "bzero", "__bzero"):
            dst = a[0]
            val, cnt = (C(0), a[1]) if "bzero" in n else (a[1], a[2])
            if dst[0] in ("s", "c") and cnt[0] == "c" and 0 < cnt[1] <= 4096:
                where = self.addr_of(dst, 0)
                fill = bytes([val[1] & 0xFF]) * cnt[1] if val[0] == "c" else val
                self.store_bytes(st, where, fill, cnt[1])
        elif n in ("memcpy", "__memcpy_chk", "memmove", "__memmove_chk", "strcpy", "__strcpy_chk",
                   "strncpy", "__strncpy_chk", "strlcpy", "__strlcpy_chk", "stpcpy"):
            dst, src = a[0], a[1]
            where = self.addr_of(dst, 0) if dst[0] in ("s", "c") else None
            if where is not None:
                if n.startswith(("mem",)) or "memcpy" in n or "memmove" in n:
                    cnt = a[2]
                    if cnt[0] == "c" and 0 < cnt[1] <= 4096:
                        data = self.load_bytes(st, self.addr_of(src, 0), cnt[1]) if src[0] in ("s", "c") else [src] * cnt[1]
                        for k, b in enumerate(data):
                            st.mem[(where[0], where[1] + k)] = b
                else:
                    s = self.cstring(st, src)
                    if s is not None:
                        self.store_bytes(st, where, s + b"\0", len(s) + 1)
                    else:
                        self.store_bytes(st, where, U(f"a string copied by {name}()"), 108)
        elif n in ("inet_pton",) and a[2][0] in ("s", "c"):
            s = self.cstring(st, a[1])
            where = self.addr_of(a[2], 0)
            packed = _inet_pton(s) if s is not None else None
            if packed is not None:
                self.store_bytes(st, where, packed, len(packed))
            else:
                self.store_bytes(st, where, U(f"an address string parsed by {name}()"), 4)
        elif n == "inet_aton" and a[1][0] in ("s", "c"):
            s = self.cstring(st, a[0])
            packed = _inet_pton(s) if s is not None else None
            where = self.addr_of(a[1], 0)
            self.store_bytes(st, where, packed if packed and len(packed) == 4 else U(f"{name}()"), 4)
        elif n == "inet_addr":
            s = self.cstring(st, a[0])
            packed = _inet_pton(s) if s is not None else None
            self.clobber(st, f"the return value of {name}()")
            if packed is not None and len(packed) == 4:
                self.set_ret(st, C(int.from_bytes(packed, "little")))
            return
        else:
            # unknown callee: any stack buffer passed to it may be written
            for v in a:
                if v[0] == "s":
                    for k in range(128):
                        st.mem[("s", v[1] + k)] = U(f"memory written by {name}()")
        self.clobber(st, f"the return value of {name}()")
        if n == "socket":
            st.regs[f"socket#{call_no}"] = (a[0], a[1])
            self.set_ret(st, U(f"socket#{call_no}"))

    def cstring(self, st: State, v: Val) -> bytes | None:
        if v[0] == "c":
            s = self.img.read_cstring(v[1], 256)
            if s is None and self.img.platform == "darwin" and v[1] >> 36:
                # a chained-fixup pointer (rebase): low 36 bits are the target (vmaddr or offset)
                low = v[1] & 0xFFFFFFFFF
                s = self.img.read_cstring(low, 256) or self.img.read_cstring(self.img.base + low, 256)
            return s
        if v[0] == "s":
            out = bytearray()
            for k in range(256):
                b = st.mem.get(("s", v[1] + k))
                if not isinstance(b, int):
                    return None
                if b == 0:
                    return bytes(out)
                out.append(b)
        return None

    # -- running ----------------------------------------------------------------
    def run(self, start: int, stop: int, param_regs: bool = True, args: list[Val] | None = None) -> State:
        """Execute from ``start`` up to (not including) the instruction at ``stop``.

        ``args``: known argument values (constants from a caller) instead of "parameter i".
        """
        st = State()
        self._args = args
        if self.arch == "arm64":
            st.regs["sp"] = ("s", 0)
            for i in range(8):
                st.regs[f"x{i}"] = U(f"param:{i}") if param_regs else U("register")
        elif self.arch == "arm":
            st.regs["sp"] = ("s", 0)
            for i in range(4):
                st.regs[f"r{i}"] = U(f"param:{i}") if param_regs else U("register")
        elif self.arch == "x86_64":
            st.regs["rsp"] = ("s", 0)
            for i, r in enumerate(("rdi", "rsi", "rdx", "rcx", "r8", "r9")):
                st.regs[r] = U(f"param:{i}") if param_regs else U("register")
        else:
            st.regs["esp"] = ("s", 0)
            if param_regs:
                for i in range(6):
                    self.store(st, ("s", 4 + 4 * i), U(f"param:{i}"), 4)
        if args:
            for i, v in enumerate(args):
                if v[0] != "c":
                    continue
                if self.arch == "arm64" and i < 8:
                    st.regs[f"x{i}"] = v
                elif self.arch == "arm" and i < 4:
                    st.regs[f"r{i}"] = v
                elif self.arch == "x86_64" and i < 6:
                    st.regs[("rdi", "rsi", "rdx", "rcx", "r8", "r9")[i]] = v
                elif self.arch == "x86":
                    self.store(st, ("s", 4 + 4 * i), v, 4)
        self.init_state(st, param_regs, args)
        if stop - start > self.MAX_INSNS * 4:  # very long function: only the code before the call
            return self.run(stop - self.MAX_INSNS * 4, stop, param_regs=False)
        size = stop - start
        if size <= 0:
            return st
        code = self.img.read(start, size)
        if code is None:
            return st
        n_calls = 0
        pos = start
        count = 0
        while pos < stop and count < self.MAX_INSNS:
            progressed = False
            for ins in self.md.disasm(code[pos - start:], pos):
                if ins.address >= stop:
                    break
                count += 1
                pos = ins.address + ins.size
                progressed = True
                try:
                    target = self.step(st, ins)
                except (IndexError, KeyError, AttributeError, ValueError, cs.CsError):
                    target = None
                    self._unknown_write(st, ins)
                if target is not None:
                    n_calls += 1
                    name = self.img.stubs.get(target) or self.img.function_name(target) or f"sub_{target:x}"
                    st.trace.append((ins.address, f"{ins.mnemonic} {ins.op_str}".strip() + f"  ; {name}"))
                    self.model_call(st, name, ins.address, n_calls)
                if count >= self.MAX_INSNS:
                    break
            if not progressed:  # undecodable bytes: skip one unit and go on
                pos += 2 if (self.arch == "arm" and self.thumb) else (4 if self.arch in ("arm", "arm64") else 1)
                count += 1
        return st

    def init_state(self, st: State, param_regs: bool, args: list[Val] | None) -> None:
        """Hook for other calling conventions (Go's register ABI): adjust the entry state."""

    def _unknown_write(self, st: State, ins) -> None:
        try:
            read, written = ins.regs_access()
        except cs.CsError:
            return
        val = U(f"{ins.mnemonic} at {ins.address:#x}")
        for r in read:  # a value computed from a parameter still comes from that parameter
            v = st.regs.get(self.rn(r))
            if v is not None and v[0] == "u" and v[1].startswith("param:"):
                val = v
                break
        for r in written:
            name = self.rn(r)
            if name not in ("sp", "rsp", "esp", "pc", "rip", "eip", "nzcv", "eflags", "cpsr", "itstate"):
                st.regs[name] = val

    def step(self, st: State, ins) -> int | None:
        if self.arch == "arm64":
            return _step_arm64(self, st, ins)
        if self.arch == "arm":
            return _step_arm(self, st, ins)
        return _step_x86(self, st, ins)


def _inet_pton(s: bytes | None) -> bytes | None:
    import ipaddress

    if s is None:
        return None
    try:
        return ipaddress.ip_address(s.decode("ascii")).packed
    except (ValueError, UnicodeDecodeError):
        return None


def _note(st: State, ins) -> None:
    st.trace.append((ins.address, f"{ins.mnemonic} {ins.op_str}".strip()))


# ---------------------------------------------------------------------------------------------
# AArch64
# ---------------------------------------------------------------------------------------------
_A64 = cs.arm64
_A64_STORE = {"str": None, "stur": None, "strb": 1, "sturb": 1, "strh": 2, "sturh": 2, "stp": None, "stnp": None}
_A64_LOAD = {"ldr": None, "ldur": None, "ldrb": 1, "ldurb": 1, "ldrh": 2, "ldurh": 2, "ldp": None,
             "ldrsw": 4, "ldursw": 4, "ldrsb": 1, "ldrsh": 2}


def _a64_size(emu: Emulator, reg: int) -> int:
    name = _reg_name(emu.md, emu.arch, reg) or ""
    return {"w": 4, "x": 8, "q": 16, "d": 8, "s": 4, "h": 2, "b": 1}.get(name[:1], 8) if name not in ("xzr", "wzr") else (8 if name == "xzr" else 4)


def _a64_val(emu: Emulator, st: State, op) -> Val:
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


def _step_arm64(emu: Emulator, st: State, ins) -> int | None:
    m = ins.mnemonic
    ops = ins.operands
    if m in ("bl", "b") and ops and ops[0].type == _A64.ARM64_OP_IMM:
        if m == "bl" or ops[0].imm in emu.img.stubs:
            return ops[0].imm
        return None
    if m in ("blr", "br"):
        emu.clobber(st, "an indirect call")
        return None
    if m in ("mov", "movz", "orr") and len(ops) == 2:
        dst = emu.rn(ops[0].reg)
        emu.set(st, dst, _a64_val(emu, st, ops[1]), emu.regbits(ops[0].reg))
        _note(st, ins)
        return None
    if m == "movn" and len(ops) == 2:
        v = _a64_val(emu, st, ops[1])
        emu.set(st, emu.rn(ops[0].reg), C(~v[1]) if v[0] == "c" else v, emu.regbits(ops[0].reg))
        return None
    if m == "movk":
        dst = emu.rn(ops[0].reg)
        cur = emu.get(st, dst)
        shift = ops[1].shift.value if ops[1].shift.type == _A64.ARM64_SFT_LSL else 0
        if cur[0] == "c":
            v = (cur[1] & ~(0xFFFF << shift)) | ((ops[1].imm & 0xFFFF) << shift)
            emu.set(st, dst, C(v), emu.regbits(ops[0].reg))
        else:
            emu.set(st, dst, cur)
        _note(st, ins)
        return None
    if m in ("adrp", "adr"):
        emu.set(st, emu.rn(ops[0].reg), C(ops[1].imm))
        _note(st, ins)
        return None
    if m in ("add", "sub") and len(ops) == 3:
        a = _a64_val(emu, st, ops[1])
        b = _a64_val(emu, st, ops[2])
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
        _note(st, ins)
        return None
    if m in ("and", "orr", "eor") and len(ops) == 3:
        a, b = _a64_val(emu, st, ops[1]), _a64_val(emu, st, ops[2])
        dst = emu.rn(ops[0].reg)
        if a[0] == b[0] == "c":
            r = a[1] & b[1] if m == "and" else (a[1] | b[1] if m == "orr" else a[1] ^ b[1])
            emu.set(st, dst, C(r), emu.regbits(ops[0].reg))
        else:
            emu.set(st, dst, a if a[0] == "u" else (b if b[0] == "u" else U(m)))
        return None
    if m in ("lsr", "lsl", "asr", "ubfx", "ubfiz") and len(ops) >= 3:
        a, b = _a64_val(emu, st, ops[1]), _a64_val(emu, st, ops[2])
        bits = emu.regbits(ops[0].reg)
        dst = emu.rn(ops[0].reg)
        if a[0] == b[0] == "c":
            x = a[1] & ((1 << bits) - 1)
            if m == "lsr":
                r = x >> b[1]
            elif m == "lsl":
                r = x << b[1]
            elif m == "asr":
                r = (x - (1 << bits) if x >> (bits - 1) & 1 else x) >> b[1]
            elif m == "ubfx" and len(ops) == 4:
                r = (x >> b[1]) & ((1 << ops[3].imm) - 1)
            else:
                r = None
            emu.set(st, dst, C(r) if r is not None else U(m), bits)
        else:
            emu.set(st, dst, a if a[0] == "u" else U(m))
        return None
    if m in ("uxth", "uxtb", "sxth", "sxtb", "sxtw") and len(ops) == 2:
        v = _a64_val(emu, st, ops[1])
        if v[0] == "c":
            v = C(v[1] & (0xFFFF if m.endswith("h") else (0xFF if m.endswith("b") else 0xFFFFFFFF)))
        emu.set(st, emu.rn(ops[0].reg), v, emu.regbits(ops[0].reg))
        return None
    if m == "movi" and len(ops) >= 2:
        v = ops[1].imm if ops[1].type == _A64.ARM64_OP_IMM else None
        dst = emu.rn(ops[0].reg)
        if v == 0:
            emu.set(st, dst, ("v", b"\0" * 16))
        else:
            emu.set(st, dst, U("movi"))
        return None
    if m in ("rev16", "rev") and len(ops) == 2:
        v = _a64_val(emu, st, ops[1])
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
    if m in _A64_STORE or m in _A64_LOAD:
        mem_i = next((i for i, o in enumerate(ops) if o.type == _A64.ARM64_OP_MEM), None)
        if mem_i is None:
            raise ValueError("no memory operand")
        mop = ops[mem_i].mem
        base = emu.get(st, emu.rn(mop.base)) if mop.base else C(0)
        post = ins.writeback and len(ops) > mem_i + 1 and ops[mem_i + 1].type == _A64.ARM64_OP_IMM
        disp = 0 if post else mop.disp
        if mop.index:
            iv = emu.get(st, emu.rn(mop.index))
            if iv[0] != "c":
                where = None
            else:
                disp += iv[1] << (ops[mem_i].shift.value or 0)
        where = emu.addr_of(base, disp)
        regs = ops[:mem_i]
        if m in _A64_STORE:
            size = _A64_STORE[m]
            for k, r in enumerate(regs):
                sz = size or _a64_size(emu, r.reg)
                emu.store(st, emu.addr_of(base, disp + k * sz), _a64_val(emu, st, r), sz)
            _note(st, ins)
        else:
            size = _A64_LOAD[m]
            for k, r in enumerate(regs):
                sz = size or _a64_size(emu, r.reg)
                w = emu.addr_of(base, disp + k * sz)
                if sz == 16:
                    bs = emu.load_bytes(st, w, 16)
                    v = ("v", bytes(bs)) if all(isinstance(b, int) for b in bs) else U("memory")
                else:
                    v = emu.load(st, w, sz)
                emu.set(st, emu.rn(r.reg), v, 64 if sz >= 8 else sz * 8)
            if where is not None:
                _note(st, ins)
        if ins.writeback and mop.base:
            inc = ops[mem_i + 1].imm if post else mop.disp
            if base[0] == "s":
                emu.set(st, emu.rn(mop.base), ("s", base[1] + inc))
            elif base[0] == "c":
                emu.set(st, emu.rn(mop.base), C(base[1] + inc))
        return None
    if m == "ldr" and len(ops) == 2 and ops[1].type == _A64.ARM64_OP_IMM:  # literal
        v = emu.load(st, ("g", ops[1].imm), _a64_size(emu, ops[0].reg))
        emu.set(st, emu.rn(ops[0].reg), v)
        return None
    emu._unknown_write(st, ins)
    return None


# ---------------------------------------------------------------------------------------------
# ARM / Thumb
# ---------------------------------------------------------------------------------------------
_ARM = cs.arm


def _arm_pc(emu: Emulator, ins) -> int:
    return ins.address + (4 if emu.thumb else 8)


def _arm_val(emu: Emulator, st: State, ins, op) -> Val:
    if op.type == _ARM.ARM_OP_IMM:
        return C(op.imm & 0xFFFFFFFF)
    if op.type == _ARM.ARM_OP_REG:
        r = emu.rn(op.reg)
        if r == "pc":
            return C(_arm_pc(emu, ins))
        v = emu.get(st, r)
        if v[0] == "c" and op.shift.type == _ARM.ARM_SFT_LSL and op.shift.value:
            v = C((v[1] << op.shift.value) & 0xFFFFFFFF)
        return v
    return U("operand")


def _arm_dregs(emu: Emulator, reg: int) -> list[str]:
    name = _reg_name(emu.md, emu.arch, reg) or ""
    if name.startswith("q") and name[1:].isdigit():
        k = int(name[1:])
        return [f"d{2 * k}", f"d{2 * k + 1}"]
    return [name]


def _step_arm(emu: Emulator, st: State, ins) -> int | None:
    m = ins.mnemonic.split(".")[0]
    ops = ins.operands
    if m in ("bl", "blx") and ops and ops[0].type == _ARM.ARM_OP_IMM:
        return ops[0].imm
    if m in ("b", "b.w", "b.n") and ops and ops[0].type == _ARM.ARM_OP_IMM and ops[0].imm in emu.img.stubs:
        return ops[0].imm
    if m in ("blx", "bx") and ops and ops[0].type == _ARM.ARM_OP_REG and m == "blx":
        emu.clobber(st, "an indirect call")
        return None
    if m in ("mov", "movs", "movw", "mvn", "mvns") and len(ops) in (2, 3) and (len(ops) == 2 or ops[2].type == _ARM.ARM_OP_IMM):
        v = C(_arm_imm(ops, 1)) if ops[1].type == _ARM.ARM_OP_IMM else _arm_val(emu, st, ins, ops[1])
        if m.startswith("mvn") and v[0] == "c":
            v = C(~v[1] & 0xFFFFFFFF)
        emu.set(st, emu.rn(ops[0].reg), v, 32)
        _note(st, ins)
        return None
    if m == "movt":
        dst = emu.rn(ops[0].reg)
        cur = emu.get(st, dst)
        if cur[0] == "c":
            emu.set(st, dst, C((cur[1] & 0xFFFF) | ((ops[1].imm & 0xFFFF) << 16)), 32)
        _note(st, ins)
        return None
    if m in ("add", "adds", "sub", "subs", "addw", "subw") and len(ops) in (2, 3, 4):
        if len(ops) == 2:
            a, b = _arm_val(emu, st, ins, ops[0]), _arm_val(emu, st, ins, ops[1])
        else:
            a = _arm_val(emu, st, ins, ops[1])
            b = C(_arm_imm(ops, 2)) if ops[2].type == _ARM.ARM_OP_IMM else _arm_val(emu, st, ins, ops[2])
        dst = emu.rn(ops[0].reg)
        if a[0] == "c" and b[0] == "s":
            a, b = b, a
        neg = m.startswith("sub")
        if b[0] == "c" and a[0] in ("c", "s"):
            d = -b[1] if neg else b[1]
            if a[0] == "s":
                d = d - (1 << 32) if d >= 1 << 31 else d
                emu.set(st, dst, ("s", a[1] + d))
            else:
                emu.set(st, dst, C(a[1] + d), 32)
        else:
            emu.set(st, dst, a if a[0] == "u" else U(f"{m} at {ins.address:#x}"))
        _note(st, ins)
        return None
    if m in ("adr",):
        emu.set(st, emu.rn(ops[0].reg), C(ops[1].imm))
        return None
    if m in ("push", "stmdb") and (m == "push" or emu.rn(ops[0].reg) == "sp"):
        regs = ops if m == "push" else ops[1:]
        sp = emu.get(st, "sp")
        if sp[0] == "s":
            new = sp[1] - 4 * len(regs)
            for k, r in enumerate(regs):
                emu.store(st, ("s", new + 4 * k), emu.get(st, emu.rn(r.reg)), 4)
            emu.set(st, "sp", ("s", new))
        return None
    if m in ("pop", "ldm", "ldmia") and (m == "pop" or emu.rn(ops[0].reg) == "sp"):
        regs = ops if m == "pop" else ops[1:]
        sp = emu.get(st, "sp")
        for r in regs:
            emu.set(st, emu.rn(r.reg), U("pop"))
        if sp[0] == "s":
            emu.set(st, "sp", ("s", sp[1] + 4 * len(regs)))
        return None
    if m in ("ldm", "ldmia", "stm", "stmia", "ldmib", "stmib", "ldmdb", "ldmda", "stmda") and ops \
            and ops[0].type == _ARM.ARM_OP_REG:
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
            step = -4 * len(regs) if m.endswith(("db", "da")) else 4 * len(regs)
            emu.set(st, bname, (base[0], base[1] + step))
        _note(st, ins)
        return None
    if m in ("str", "strh", "strb", "strd", "ldr", "ldrh", "ldrb", "ldrd", "ldrsb", "ldrsh"):
        mem_i = next((i for i, o in enumerate(ops) if o.type == _ARM.ARM_OP_MEM), None)
        if mem_i is None:
            raise ValueError("no memory operand")
        mop = ops[mem_i].mem
        bname = emu.rn(mop.base)
        base = C(_arm_pc(emu, ins) & ~3) if bname == "pc" else emu.get(st, bname)
        disp = mop.disp
        if mop.index:
            iv = emu.get(st, emu.rn(mop.index))
            disp = disp + iv[1] if iv[0] == "c" else None
        post = len(ops) > mem_i + 1
        d = 0 if post else disp
        where = emu.addr_of(base, d) if d is not None else None
        size = {"h": 2, "b": 1}.get(m[3:4] if m.startswith(("ldrs",)) else m[-1:], 4)
        if m.startswith("ldrs"):
            size = 1 if m.endswith("b") else 2
        regs = ops[:mem_i]
        if m.endswith("d"):
            size = 4
        if m.startswith("st"):
            for k, r in enumerate(regs):
                emu.store(st, emu.addr_of(base, d + 4 * k) if d is not None else None, emu.get(st, emu.rn(r.reg)), size)
            _note(st, ins)
        else:
            for k, r in enumerate(regs):
                w = emu.addr_of(base, d + 4 * k) if d is not None else None
                emu.set(st, emu.rn(r.reg), emu.load(st, w, size), 32)
            if where is not None:
                _note(st, ins)
        if (ins.writeback or post) and bname != "pc" and disp is not None:
            inc = ops[mem_i + 1].imm if post and ops[mem_i + 1].type == _ARM.ARM_OP_IMM else disp
            if base[0] in ("s", "c"):
                emu.set(st, bname, (base[0], base[1] + inc))
        return None
    if m == "vmov" and len(ops) == 2 and ops[1].type == _ARM.ARM_OP_IMM:
        for d in _arm_dregs(emu, ops[0].reg):
            st.regs[d] = ("v", (ops[1].imm & 0xFFFFFFFF).to_bytes(4, "little") * 2) if ops[1].imm == 0 else U("vmov")
        return None
    if m in ("vldr",):
        mop = ops[1].mem
        bname = emu.rn(mop.base)
        base = C(_arm_pc(emu, ins) & ~3) if bname == "pc" else emu.get(st, bname)
        bs = emu.load_bytes(st, emu.addr_of(base, mop.disp), 8)
        st.regs[_reg_name(emu.md, emu.arch, ops[0].reg)] = ("v", bytes(bs)) if all(isinstance(b, int) for b in bs) else U("memory")
        return None
    if m in ("vstr",):
        mop = ops[1].mem
        base = emu.get(st, emu.rn(mop.base))
        v = st.regs.get(_reg_name(emu.md, emu.arch, ops[0].reg), U("register"))
        emu.store(st, emu.addr_of(base, mop.disp), v, 8)
        _note(st, ins)
        return None
    if m in ("vst1", "vld1"):
        mem_i = next((i for i, o in enumerate(ops) if o.type == _ARM.ARM_OP_MEM), None)
        mop = ops[mem_i].mem
        bname = emu.rn(mop.base)
        base = emu.get(st, bname)
        dregs = []
        for r in ops[:mem_i]:
            dregs += _arm_dregs(emu, r.reg)
        for k, dn in enumerate(dregs):
            w = emu.addr_of(base, 8 * k)
            if m == "vst1":
                emu.store(st, w, st.regs.get(dn, U("register")), 8)
            else:
                bs = emu.load_bytes(st, w, 8)
                st.regs[dn] = ("v", bytes(bs)) if all(isinstance(b, int) for b in bs) else U("memory")
        if m == "vst1":
            _note(st, ins)
        if (ins.writeback or len(ops) > mem_i + 1) and base[0] in ("s", "c"):
            if len(ops) > mem_i + 1 and ops[mem_i + 1].type == _ARM.ARM_OP_REG:
                inc = emu.get(st, emu.rn(ops[mem_i + 1].reg))
                emu.set(st, bname, (base[0], base[1] + inc[1]) if inc[0] == "c" else U("vst1"))
            else:
                emu.set(st, bname, (base[0], base[1] + 8 * len(dregs)))
        return None
    if m in ("lsr", "lsrs", "lsl", "lsls") and len(ops) == 3:
        a, b = _arm_val(emu, st, ins, ops[1]), _arm_val(emu, st, ins, ops[2])
        if a[0] == b[0] == "c":
            r = (a[1] & 0xFFFFFFFF) >> b[1] if m.startswith("lsr") else (a[1] << b[1]) & 0xFFFFFFFF
            emu.set(st, emu.rn(ops[0].reg), C(r), 32)
        else:
            emu.set(st, emu.rn(ops[0].reg), a if a[0] == "u" else U(m))
        return None
    if m in ("uxth", "uxtb") and len(ops) == 2:
        v = _arm_val(emu, st, ins, ops[1])
        emu.set(st, emu.rn(ops[0].reg), C(v[1] & (0xFFFF if m == "uxth" else 0xFF)) if v[0] == "c" else v, 32)
        return None
    if m in ("rev16", "rev") and len(ops) == 2:
        v = _arm_val(emu, st, ins, ops[1])
        if v[0] == "c":
            raw = (v[1] & 0xFFFFFFFF).to_bytes(4, "little")
            out = int.from_bytes(raw, "big") if m == "rev" else int.from_bytes(raw[1::-1] + raw[3:1:-1], "little")
            emu.set(st, emu.rn(ops[0].reg), C(out), 32)
        else:
            emu.set(st, emu.rn(ops[0].reg), v)
        return None
    if m in ("orr", "orrs") and len(ops) in (3, 4):
        a = _arm_val(emu, st, ins, ops[1])
        b = C(_arm_imm(ops, 2)) if ops[2].type == _ARM.ARM_OP_IMM else _arm_val(emu, st, ins, ops[2])
        if a[0] == "s" and b[0] == "c" and b[1] < 8 and not a[1] & b[1] & 7:
            emu.set(st, emu.rn(ops[0].reg), ("s", a[1] + b[1]))  # orr of an aligned stack address = add
        else:
            emu.set(st, emu.rn(ops[0].reg), C(a[1] | b[1]) if a[0] == b[0] == "c" else U("orr"), 32)
        return None
    emu._unknown_write(st, ins)
    return None


# ---------------------------------------------------------------------------------------------
# x86 / x86-64
# ---------------------------------------------------------------------------------------------
_X86 = cs.x86
_X86_CANON: dict[str, str] = {}
_X86_BITS: dict[str, int] = {}
for _full, _parts in {
    "rax": ("rax", "eax", "ax", "al"), "rbx": ("rbx", "ebx", "bx", "bl"), "rcx": ("rcx", "ecx", "cx", "cl"),
    "rdx": ("rdx", "edx", "dx", "dl"), "rsi": ("rsi", "esi", "si", "sil"), "rdi": ("rdi", "edi", "di", "dil"),
    "rbp": ("rbp", "ebp", "bp", "bpl"), "rsp": ("rsp", "esp", "sp", "spl"),
}.items():
    for _n, _b in zip(_parts, (64, 32, 16, 8)):
        _X86_CANON[_n] = _full
        _X86_BITS[_n] = _b
for _k in range(8, 16):
    for _suf, _b in (("", 64), ("d", 32), ("w", 16), ("b", 8)):
        _X86_CANON[f"r{_k}{_suf}"] = f"r{_k}"
        _X86_BITS[f"r{_k}{_suf}"] = _b


def _x86_sp(emu: Emulator) -> str:
    return "rsp" if emu.arch == "x86_64" else "esp"


def _x86_canon(emu: Emulator, name: str) -> str:
    c = _X86_CANON.get(name, name)
    if emu.arch == "x86" and c in ("rsp",):
        return "esp"
    return c


def _x86_reg(emu: Emulator, st: State, reg: int) -> Val:
    name = _reg_name(emu.md, emu.arch, reg)
    c = _x86_canon(emu, name)
    v = emu.get(st, c)
    bits = _X86_BITS.get(name, 128 if name.startswith(("xmm", "ymm")) else 64)
    if v[0] == "c" and bits < 64:
        v = C(v[1] & ((1 << bits) - 1))
    return v


def _x86_set(emu: Emulator, st: State, reg: int, v: Val) -> None:
    name = _reg_name(emu.md, emu.arch, reg)
    c = _x86_canon(emu, name)
    bits = _X86_BITS.get(name, 64)
    if bits in (8, 16):
        cur = emu.get(st, c)
        if cur[0] == "c" and v[0] == "c":
            mask = (1 << bits) - 1
            v = C((cur[1] & ~mask) | (v[1] & mask))
        # else: the upper bits are unknown; keep the constant (reads of this width mask it)
    elif bits == 32 and v[0] == "c":
        v = C(v[1] & 0xFFFFFFFF)
    emu.set(st, c, v)


def _x86_mem_addr(emu: Emulator, st: State, ins, op) -> tuple[str, int] | None:
    mem = op.mem
    disp = mem.disp
    if mem.segment:
        return None
    if mem.base == 0:
        base = C(0)
    elif mem.base == _X86.X86_REG_RIP:
        base = C(ins.address + ins.size)
    else:
        base = _x86_reg(emu, st, mem.base)
    if mem.index:
        iv = _x86_reg(emu, st, mem.index)
        if iv[0] != "c":
            return None
        disp += iv[1] * mem.scale
    if base[0] == "s":
        return ("s", base[1] + disp)
    if base[0] == "c":
        mask = 0xFFFFFFFF if emu.arch == "x86" else M64
        return ("g", (base[1] + disp) & mask)
    return None


def _step_x86(emu: Emulator, st: State, ins) -> int | None:
    m = ins.mnemonic
    ops = ins.operands
    spn = _x86_sp(emu)
    w = emu.ptr
    if m == "call":
        if ops and ops[0].type == _X86.X86_OP_IMM:
            t = ops[0].imm
            if t == ins.address + ins.size:  # call next; pop reg  (PIC base)
                sp = emu.get(st, spn)
                if sp[0] == "s":
                    emu.store(st, ("s", sp[1] - w), C(t), w)
                    emu.set(st, spn, ("s", sp[1] - w))
                return None
            thunk = _x86_thunk(emu, t)
            if thunk:
                emu.set(st, thunk, C(ins.address + ins.size))
                return None
            return t
        if ops and ops[0].type == _X86.X86_OP_MEM:
            where = _x86_mem_addr(emu, st, ins, ops[0])
            if where and where[0] == "g" and where[1] in emu.img.slots:
                return _slot_target(emu, where[1])
        emu.clobber(st, "an indirect call")
        return None
    if m == "jmp" and ops and ops[0].type == _X86.X86_OP_IMM and ops[0].imm in emu.img.stubs:
        return ops[0].imm
    if m in ("push",):
        sp = emu.get(st, spn)
        v = _x86_val(emu, st, ins, ops[0])
        if sp[0] == "s":
            emu.store(st, ("s", sp[1] - w), v, w)
            emu.set(st, spn, ("s", sp[1] - w))
        _note(st, ins)
        return None
    if m == "pop":
        sp = emu.get(st, spn)
        if sp[0] == "s":
            _x86_set(emu, st, ops[0].reg, emu.load(st, ("s", sp[1]), w))
            emu.set(st, spn, ("s", sp[1] + w))
        else:
            _x86_set(emu, st, ops[0].reg, U("pop"))
        return None
    if m in ("mov", "movabs", "movzx", "movsx", "movsxd") and len(ops) == 2:
        dst, src = ops
        if dst.type == _X86.X86_OP_MEM:
            emu.store(st, _x86_mem_addr(emu, st, ins, dst), _x86_val(emu, st, ins, src), dst.size)
            _note(st, ins)
        else:
            v = _x86_val(emu, st, ins, src)
            if m == "movsx" and v[0] == "c" and src.size < 8:
                b = src.size * 8
                if v[1] >> (b - 1) & 1:
                    v = C(v[1] - (1 << b))
            _x86_set(emu, st, dst.reg, v)
            if src.type == _X86.X86_OP_MEM:
                _note(st, ins)
        return None
    if m == "lea":
        where = _x86_mem_addr(emu, st, ins, ops[1])
        v = U(f"lea at {ins.address:#x}") if where is None else (("s", where[1]) if where[0] == "s" else C(where[1]))
        _x86_set(emu, st, ops[0].reg, v)
        _note(st, ins)
        return None
    if m in ("add", "sub") and len(ops) == 2 and ops[0].type == _X86.X86_OP_REG:
        a = _x86_reg(emu, st, ops[0].reg)
        b = _x86_val(emu, st, ins, ops[1])
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
        _x86_set(emu, st, ops[0].reg, v)
        return None
    if m in ("xor", "pxor", "xorps", "xorpd", "vpxor", "vxorps") and ops[0].type == _X86.X86_OP_REG and \
            all(o.type == _X86.X86_OP_REG and o.reg == ops[0].reg for o in ops[1:]):
        name = _reg_name(emu.md, emu.arch, ops[0].reg)
        if name.startswith(("xmm", "ymm")):
            st.regs[name.replace("ymm", "xmm")] = ("v", b"\0" * 16)
        else:
            _x86_set(emu, st, ops[0].reg, C(0))
        return None
    if m in ("movaps", "movups", "movdqa", "movdqu", "movq", "movd", "movsd", "movss", "movapd", "movupd",
             "vmovaps", "vmovups", "vmovdqa", "vmovdqu", "movlps", "movhps", "movlpd"):
        dst, src = ops[0], ops[1]
        if dst.type == _X86.X86_OP_MEM:
            name = _reg_name(emu.md, emu.arch, src.reg)
            v = st.regs.get(name, U("register")) if name.startswith("xmm") else _x86_reg(emu, st, src.reg)
            if v[0] == "c" and m in ("movq", "movd"):
                pass
            emu.store(st, _x86_mem_addr(emu, st, ins, dst), v, dst.size)
            _note(st, ins)
        elif dst.type == _X86.X86_OP_REG:
            name = _reg_name(emu.md, emu.arch, dst.reg)
            if src.type == _X86.X86_OP_MEM:
                bs = emu.load_bytes(st, _x86_mem_addr(emu, st, ins, src), src.size)
                v = ("v", bytes(bs).ljust(16, b"\0")) if all(isinstance(b, int) for b in bs) else U("memory")
                _note(st, ins)
            else:
                sname = _reg_name(emu.md, emu.arch, src.reg)
                if sname.startswith("xmm"):
                    v = st.regs.get(sname, U("register"))
                else:
                    sv = _x86_reg(emu, st, src.reg)
                    v = ("v", sv[1].to_bytes(16, "little")) if sv[0] == "c" else sv
            if name.startswith("xmm"):
                st.regs[name] = v
            else:
                _x86_set(emu, st, dst.reg, C(int.from_bytes(v[1][:8], "little")) if v[0] == "v" else v)
        return None
    if m == "bswap":
        v = _x86_reg(emu, st, ops[0].reg)
        size = ops[0].size
        if v[0] == "c":
            _x86_set(emu, st, ops[0].reg, C(int.from_bytes((v[1] & ((1 << 8 * size) - 1)).to_bytes(size, "little"), "big")))
        return None
    if m in ("rol", "ror") and ops[0].type == _X86.X86_OP_REG and ops[0].size == 2 and \
            ops[1].type == _X86.X86_OP_IMM and ops[1].imm == 8:
        v = _x86_reg(emu, st, ops[0].reg)
        if v[0] == "c":
            x = v[1] & 0xFFFF
            _x86_set(emu, st, ops[0].reg, C(((x & 0xFF) << 8) | (x >> 8)))
        return None
    if m in ("shr", "shl", "sar") and len(ops) == 2 and ops[0].type == _X86.X86_OP_REG and ops[1].type == _X86.X86_OP_IMM:
        a = _x86_reg(emu, st, ops[0].reg)
        if a[0] == "c":
            bits = ops[0].size * 8
            x = a[1] & ((1 << bits) - 1)
            r = x >> ops[1].imm if m != "shl" else (x << ops[1].imm) & ((1 << bits) - 1)
            _x86_set(emu, st, ops[0].reg, C(r))
        return None
    if m in ("and",) and ops[0].type == _X86.X86_OP_REG and _x86_canon(emu, _reg_name(emu.md, emu.arch, ops[0].reg)) == spn:
        return None  # stack realignment: offsets stay comparable within the function
    if m in ("and", "or") and len(ops) == 2 and ops[0].type == _X86.X86_OP_REG:
        a, b = _x86_reg(emu, st, ops[0].reg), _x86_val(emu, st, ins, ops[1])
        if a[0] == b[0] == "c":
            _x86_set(emu, st, ops[0].reg, C(a[1] & b[1] if m == "and" else a[1] | b[1]))
        else:
            _x86_set(emu, st, ops[0].reg, U(m))
        return None
    if m in ("ret", "leave", "nop", "endbr64", "endbr32", "int3", "test", "cmp", "hlt") or m.startswith("j") \
            or m.startswith("cmov") is False and m.startswith("set") is False and m in ("cdqe", "cqo", "cdq"):
        if m == "leave":
            bp = "rbp"  # canonical name of ebp too
            v = emu.get(st, bp)
            emu.set(st, spn, ("s", v[1] + w) if v[0] == "s" else v)
        return None
    emu._unknown_write(st, ins)
    return None


def _x86_val(emu: Emulator, st: State, ins, op) -> Val:
    if op.type == _X86.X86_OP_IMM:
        return C(op.imm & ((1 << (8 * op.size)) - 1) if op.size < 8 else op.imm)
    if op.type == _X86.X86_OP_REG:
        name = _reg_name(emu.md, emu.arch, op.reg)
        if name.startswith("xmm"):
            return st.regs.get(name, U("register"))
        return _x86_reg(emu, st, op.reg)
    if op.type == _X86.X86_OP_MEM:
        return emu.load(st, _x86_mem_addr(emu, st, ins, op), op.size)
    return U("operand")


@functools.lru_cache(maxsize=4096)
def _thunk_bytes(b: bytes) -> str | None:
    # mov reg, [esp]; ret  -> __x86.get_pc_thunk.<reg>
    table = {b"\x8b\x1c\x24\xc3": "rbx", b"\x8b\x04\x24\xc3": "rax", b"\x8b\x0c\x24\xc3": "rcx",
             b"\x8b\x14\x24\xc3": "rdx", b"\x8b\x34\x24\xc3": "rsi", b"\x8b\x3c\x24\xc3": "rdi",
             b"\x8b\x2c\x24\xc3": "rbp"}
    return table.get(b)


def _x86_thunk(emu: Emulator, target: int) -> str | None:
    if emu.arch != "x86":
        return None
    b = emu.img.read(target, 4)
    return _thunk_bytes(b) if b else None


def _slot_target(emu: Emulator, slot: int) -> int:
    """A pseudo call target for a call through a GOT slot: register it as a stub."""
    name = emu.img.slots[slot]
    key = -(slot + 1)
    emu.img.stubs.setdefault(key, name)
    return key
