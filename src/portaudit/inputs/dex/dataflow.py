"""Constant propagation inside one method (abstract interpretation over basic blocks).

Abstract values are small tuples (hashable, compared by value):

``("i", n)``            int constant (also ``null`` / ``false`` when 0)
``("s", text)``         string constant
``("a", kind, lit, note)``  an InetAddress: kind is a Bind value, lit the literal if known
``("sa", addr, port)``  an InetSocketAddress (addr / port are abstract values)
``("b", bytes)``        a byte[] with known contents
``("n", desc, pc)``     an object allocated by new-instance, not yet constructed
``("o", desc)``         some object of a known type
``("p", k)``            the k-th parameter register of the method (``this`` is 0)
``("f", field)``        read from a field (not a known constant)
``("c", method)``       returned by a method call
``("d",)``              derived from a debug flag (BuildConfig.DEBUG, FLAG_DEBUGGABLE)
``("fl",)``             ApplicationInfo.flags
``("phi", frozenset)``  one of several values (from different branches)
``None``                unknown

Each state is a list: the registers, then the last invoke result, then the polarity of the
debug flag on the current path (``None``, ``"T"`` or ``"F"``).
"""

from __future__ import annotations

from ...model import Bind
from .opcodes import FORMATS, boundaries, decode
from .parser import CodeItem, DexError, DexFile

MAX_PHI = 6
ALL, LOOP, SPEC = Bind.ALL.value, Bind.LOOPBACK.value, Bind.SPECIFIC.value
DBG = ("d",)
FLAGS = ("fl",)

_ADDR_CLASSES = {"Ljava/net/InetAddress;", "Ljava/net/Inet4Address;", "Ljava/net/Inet6Address;"}
_WIDE_UNOP = {0x7D, 0x7E, 0x80, 0x81, 0x83, 0x86, 0x88, 0x89, 0x8B}


def classify_host(h: str) -> tuple[str, str]:
    """A host string as passed to getByName / InetSocketAddress -> (kind, literal)."""
    t = h.strip().lower().strip("[]")
    if t in ("0.0.0.0", "::", "0:0:0:0:0:0:0:0", "::0", "0"):
        return ALL, h
    if t in ("", "localhost", "ip6-localhost", "::1", "0:0:0:0:0:0:0:1", "localhost.localdomain") \
            or t.startswith("127.") or t == "::ffff:127.0.0.1":
        return LOOP, h or "localhost"
    return SPEC, h


def classify_bytes(b: tuple[int, ...]) -> tuple[str, str | None]:
    if len(b) == 4:
        lit = ".".join(str(x & 0xFF) for x in b)
        if not any(b):
            return ALL, lit
        if b[0] & 0xFF == 127:
            return LOOP, lit
        return SPEC, lit
    if len(b) == 16:
        if not any(b):
            return ALL, "::"
        if not any(b[:15]) and b[15] == 1:
            return LOOP, "::1"
        return SPEC, ":".join(f"{(b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF):x}" for i in range(0, 16, 2))
    return SPEC, None


def join(a, b):
    if a == b:
        return a
    if a is None or b is None:
        return None
    sa = a[1] if a[0] == "phi" else frozenset((a,))
    sb = b[1] if b[0] == "phi" else frozenset((b,))
    u = sa | sb
    if len(u) > MAX_PHI:
        return None
    return ("phi", u)


def _wrap32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _int_op(name: str, x, y):
    if name == "and" and ((x == FLAGS and y and y[0] == "i" and y[1] & 2)
                          or (y == FLAGS and x and x[0] == "i" and x[1] & 2)):
        return DBG
    if (x == DBG and y and y[0] == "i") or (y == DBG and x and x[0] == "i"):
        return DBG if name in ("xor", "and", "or", "rsub", "add", "sub") else None
    if not (x and y and x[0] == "i" and y[0] == "i"):
        return None
    a, b = x[1], y[1]
    try:
        r = {
            "add": lambda: a + b, "sub": lambda: a - b, "rsub": lambda: b - a, "mul": lambda: a * b,
            "div": lambda: int(a / b) if b else None, "rem": lambda: (a - int(a / b) * b) if b else None,
            "and": lambda: a & b, "or": lambda: a | b, "xor": lambda: a ^ b,
            "shl": lambda: a << (b & 31), "shr": lambda: a >> (b & 31),
            "ushr": lambda: (a & 0xFFFFFFFF) >> (b & 31),
        }[name]()
    except (KeyError, ZeroDivisionError):
        return None
    return None if r is None else ("i", _wrap32(r))


_BIN_NAMES = ["add", "sub", "mul", "div", "rem", "and", "or", "xor", "shl", "shr", "ushr"]
_LIT16 = ["add", "rsub", "mul", "div", "rem", "and", "or", "xor"]
_LIT8 = ["add", "rsub", "mul", "div", "rem", "and", "or", "xor", "shl", "shr", "ushr"]


class Program:
    """All DEX files of the app, for resolving static fields across files."""

    def __init__(self, dexes: list[DexFile]):
        self.dexes = dexes
        self._sv: dict[str, dict[str, object]] = {}
        self._acc: dict[tuple, object] = {}

    def static_value(self, cls: str, name: str):
        """Constant initial value of static field ``cls->name`` if some DEX defines it; else _MISSING."""
        vals = self._sv.get(cls)
        if vals is None:
            vals = {}
            for d in self.dexes:
                try:
                    t = d.find_type(cls)
                    if t is None:
                        continue
                    cd = d.class_def_for_type(t)
                    if cd is None:
                        continue
                    self._sv[cls] = vals  # guards against recursion through <clinit>
                    sv = d.static_values(cd)
                    sfields, _if, dm, _vm = d.class_data(cd)
                    for f in sfields:
                        _c, fname, _t = d.field_ref(f)
                        vals[fname] = sv.get(f, _NOINIT)
                    # fields written by <clinit> take the value stored there
                    for mi, off in dm:
                        if off and d.method_ref(mi)[1] == "<clinit>":
                            self._clinit_values(d, cls, d.code_item(off), vals)
                    break
                except DexError:
                    continue
            self._sv[cls] = vals
        return vals.get(name, _MISSING)


    def _clinit_values(self, d: DexFile, cls: str, code: CodeItem, vals: dict) -> None:
        flow = MethodFlow(self, d, code, budget=20_000)
        written: dict[str, object] = {}
        for pc in flow.pcs:
            op = code.insns[pc] & 0xFF
            if 0x67 <= op <= 0x6D:
                _op, a, b, _c, _r = decode(code.insns, pc)
                try:
                    fcls, fname, _t = d.field_ref(b)
                except DexError:
                    continue
                if fcls != cls:
                    continue
                v = flow._get(flow.state_at(pc), a) if op != 0x68 else None
                if v is not None and v[0] not in ("i", "s", "a", "sa", "b"):
                    v = None
                written[fname] = v if fname not in written else join(written[fname], v)
        for k, v in written.items():
            vals[k] = ("flow", v)

    def method_code(self, cls: str, name: str, params: tuple[str, ...], ret: str):
        """(dex, CodeItem) of a method defined in the app, or None."""
        for d in self.dexes:
            try:
                t = d.find_type(cls)
                if t is None:
                    continue
                cd = d.class_def_for_type(t)
                if cd is None:
                    continue
                mids = set(d.find_method(cls, name, params, ret))
                _sf, _if, dm, vm = d.class_data(cd)
                for mi, off in dm + vm:
                    if mi in mids and off:
                        return d, d.code_item(off)
            except DexError:
                continue
        return None

    def accessor_value(self, cls: str, name: str, params, ret):
        """Value returned by a trivial static getter (``sget vX, F; return vX``), else None."""
        key = (cls, name, params, ret)
        if key in self._acc:
            return self._acc[key]
        v = None
        mc = self.method_code(cls, name, params, ret)
        if mc is not None:
            d, code = mc
            ins = code.insns
            if 3 <= len(ins) <= 4 and 0x60 <= (ins[0] & 0xFF) <= 0x66 and (ins[2] & 0xFF) in (0x0F, 0x11) \
                    and (ins[0] >> 8) == (ins[2] >> 8):
                v = sget_value(self, d, ins[1])
        self._acc[key] = v
        return v


def sget_value(prog: Program, dex: DexFile, fidx: int):
    try:
        cls, name, ftype = dex.field_ref(fidx)
    except DexError:
        return None
    if name == "DEBUG" and (cls.endswith("/BuildConfig;") or cls == "LBuildConfig;"):
        return DBG
    v = prog.static_value(cls, name)
    if v is not _MISSING:
        cv = _const_value(v, ftype)
        if cv is not None:
            return cv
    return ("f", f"{cls}->{name}")


_MISSING = object()
_NOINIT = object()


def _const_value(v, ftype: str):
    if isinstance(v, tuple) and v and v[0] == "flow":
        return v[1]
    if v is None:
        return ("i", 0)
    if v is _NOINIT:  # no static_values entry: the default (0 / null / false)
        return ("i", 0) if ftype[0] in "ZBSCIL[" else None
    if isinstance(v, bool):
        return ("i", int(v))
    if isinstance(v, int):
        return ("i", _wrap32(v))
    if isinstance(v, str):
        return ("s", v)
    return None


class MethodFlow:
    """The fixpoint of one method; ``state_at(pc)`` gives the abstract state before ``pc``."""

    def __init__(self, prog: Program, dex: DexFile, code: CodeItem, budget: int = 200_000,
                 interest: set[int] | None = None, params: list | None = None):
        """``interest``: the pcs whose state is kept (None: every sput and invoke).
        ``params``: known values of the parameter registers (a caller's arguments); then a
        zero-test of a known int only follows the branch taken (Kotlin ``f$default`` bit masks)."""
        self.interest = interest
        self.params = params
        self.prog = prog
        self.dex = dex
        self.code = code
        self.nregs = code.registers
        self.states: dict[int, list] = {}
        self._run(budget)

    # ---- CFG ------------------------------------------------------------------

    def _run(self, budget: int) -> None:
        insns = self.code.insns
        pcs: list[int] = []
        widths: dict[int, int] = {}
        for pc, w in boundaries(insns):
            pcs.append(pc)
            widths[pc] = w
        self.pcs = pcs
        if not pcs:
            return
        try:
            tries = self.dex.tries(self.code)
        except DexError:
            tries = []
        leaders = {0}
        succ_of: dict[int, list[int]] = {}
        for pc in pcs:
            op = insns[pc] & 0xFF
            if op == 0 and insns[pc]:
                continue  # payload
            if 0x28 <= op <= 0x2A or 0x32 <= op <= 0x3D or op in (0x2B, 0x2C):
                _op, a, b, c, _r = decode(insns, pc)
                if 0x28 <= op <= 0x2A:
                    targets = [pc + a]
                elif 0x32 <= op <= 0x37:
                    targets = [pc + c, pc + widths[pc]]
                elif 0x38 <= op <= 0x3D:
                    targets = [pc + b, pc + widths[pc]]
                else:
                    targets = self._switch_targets(pc, b) + [pc + widths[pc]]
                targets = [t for t in targets if t in widths]
                succ_of[pc] = targets
                leaders.update(targets)
                leaders.add(pc + widths[pc])
            elif op in (0x0E, 0x0F, 0x10, 0x11, 0x27):
                succ_of[pc] = []
                leaders.add(pc + widths[pc])
        handlers: list[tuple[int, int, list[int]]] = []
        for start, end, addrs in tries:
            hs = [h for h in addrs if h in widths]
            handlers.append((start, end, hs))
            leaders.update(hs)
            leaders.add(start)
            leaders.add(end)
        leaders = sorted(x for x in leaders if x in widths)
        self.blocks: dict[int, list[int]] = {}
        li = 0
        for pc in pcs:
            if li < len(leaders) and pc == leaders[li]:
                cur: list[int] = []
                self.blocks[pc] = cur
                li += 1
            cur.append(pc)
        bsucc: dict[int, list[int]] = {}
        bexc: dict[int, list[int]] = {}
        for lead, body in self.blocks.items():
            last = body[-1]
            if last in succ_of:
                bsucc[lead] = succ_of[last]
            else:
                nxt = last + widths[last]
                bsucc[lead] = [nxt] if nxt in widths else []
            ex: list[int] = []
            for start, end, hs in handlers:
                if start <= lead < end or start <= last < end:
                    ex.extend(hs)
            bexc[lead] = ex
        R = self.nregs
        keep = self.interest
        if keep is None:
            keep = {pc for pc in pcs if 0x67 <= (insns[pc] & 0xFF) <= 0x78}
        ins = self.code.ins
        init = [None] * (R + 2)
        for k in range(ins):
            r = R - ins + k
            if 0 <= r < R:
                init[r] = ("p", k)
                if self.params is not None and k < len(self.params):
                    init[r] = self.params[k]
        inb: dict[int, list] = {0: init}
        work = [0]
        visits = 0
        limit = 30 * len(self.blocks) + 100
        while work and visits < limit and budget > 0:
            lead = work.pop()
            visits += 1
            budget -= R // 32
            st = list(inb[lead])
            in_copy = list(st)
            outs = None
            for pc in self.blocks[lead]:
                if pc in keep:
                    self.states[pc] = list(st)
                budget -= 1
                outs = self._step(st, pc)
            targets: list[tuple[int, list]] = []
            last = self.blocks[lead][-1]
            op = insns[last] & 0xFF
            succ = bsucc[lead]
            if outs is not None and 0x38 <= op <= 0x3D and len(succ) == 2:
                targets = [(t, o) for t, o in zip(succ, outs) if o is not None]
            else:
                targets = [(s, st) for s in succ]
            for h in bexc[lead]:
                ex_state = [join(x, y) for x, y in zip(in_copy, st)]
                ex_state[R] = None
                targets.append((h, ex_state))
            for t, s in targets:
                old = inb.get(t)
                if old is None:
                    inb[t] = list(s)
                    work.append(t)
                else:
                    new = [join(x, y) for x, y in zip(old, s)]
                    pa, pb = old[R + 1], s[R + 1]
                    if pa != pb:
                        new[R + 1] = None
                        if pa and pb:  # two paths with opposite debug-flag polarity merge
                            for i in range(R):
                                if old[i] != s[i] and old[i] is not None and s[i] is not None:
                                    new[i] = DBG
                    if new != old:
                        inb[t] = new
                        if t not in work:
                            work.append(t)

    def _switch_targets(self, pc: int, off: int) -> list[int]:
        insns = self.code.insns
        p = pc + off
        if not 0 <= p < len(insns) - 1:
            return []
        ident = insns[p]
        size = insns[p + 1]
        out = []
        if ident == 0x0100:
            base = p + 4
            for i in range(size):
                j = base + 2 * i
                if j + 1 >= len(insns):
                    break
                v = insns[j] | (insns[j + 1] << 16)
                out.append(pc + (v - (1 << 32) if v & 0x80000000 else v))
        elif ident == 0x0200:
            base = p + 2 + 2 * size
            for i in range(size):
                j = base + 2 * i
                if j + 1 >= len(insns):
                    break
                v = insns[j] | (insns[j + 1] << 16)
                out.append(pc + (v - (1 << 32) if v & 0x80000000 else v))
        return out

    def state_at(self, pc: int) -> list:
        st = self.states.get(pc)
        if st is None:
            return [None] * (self.nregs + 2)
        return st

    # ---- transfer function ------------------------------------------------------

    def _set(self, st: list, r, v, wide: bool = False) -> None:
        if r is None:
            return
        R = self.nregs
        if 0 <= r < R:
            st[r] = v
        if wide and 0 <= r + 1 < R:
            st[r + 1] = None

    def _get(self, st: list, r):
        if r is None or not 0 <= r < self.nregs:
            return None
        return st[r]

    def _step(self, st: list, pc: int):
        insns = self.code.insns
        op = insns[pc] & 0xFF
        if op == 0:
            return None
        R = self.nregs
        try:
            op, a, b, c, regs = decode(insns, pc)
        except IndexError:
            return None
        fmt = FORMATS[op]
        dex = self.dex
        if 0x01 <= op <= 0x09:
            wide = op in (0x04, 0x05, 0x06)
            self._set(st, a, None if wide else self._get(st, b), wide)
        elif 0x0A <= op <= 0x0C:
            self._set(st, a, None if op == 0x0B else st[R], op == 0x0B)
        elif op == 0x0D:
            self._set(st, a, None)
        elif op == 0x12 or op == 0x13 or op == 0x14:
            self._set(st, a, ("i", b))
        elif op == 0x15:
            self._set(st, a, ("i", _wrap32(b << 16)))
        elif 0x16 <= op <= 0x19:
            self._set(st, a, None, True)
        elif op in (0x1A, 0x1B):
            try:
                self._set(st, a, ("s", dex.string(b)))
            except DexError:
                self._set(st, a, None)
        elif op == 0x1C:
            self._set(st, a, ("o", "Ljava/lang/Class;"))
        elif op == 0x20:
            self._set(st, a, None)
        elif op == 0x21:
            v = self._get(st, b)
            self._set(st, a, ("i", len(v[1])) if v and v[0] == "b" else None)
        elif op == 0x22:
            try:
                self._set(st, a, ("n", dex.type_desc(b), pc))
            except DexError:
                self._set(st, a, None)
        elif op == 0x23:
            try:
                desc = dex.type_desc(c)
            except DexError:
                desc = "?"
            n = self._get(st, b)
            if desc in ("[B", "[Z") and n and n[0] == "i" and 0 <= n[1] <= 64:
                self._set(st, a, ("b", (0,) * n[1]))
            else:
                self._set(st, a, ("o", desc))
        elif op in (0x24, 0x25):
            st[R] = None
        elif op == 0x26:
            self._fill(st, pc, a, b)
        elif 0x2D <= op <= 0x31:
            self._set(st, a, None)
        elif 0x44 <= op <= 0x4A:
            self._set(st, a, None, op == 0x45)
        elif op in (0x4B, 0x4F):  # aput / aput-byte
            arr, idx, val = self._get(st, b), self._get(st, c), self._get(st, a)
            if arr and arr[0] == "b" and idx and idx[0] == "i" and 0 <= idx[1] < len(arr[1]) \
                    and val and val[0] == "i":
                new = list(arr[1])
                new[idx[1]] = val[1] & 0xFF
                nv = ("b", tuple(new))
                for i in range(R):
                    if st[i] == arr:
                        st[i] = nv
            elif arr and arr[0] == "b":
                for i in range(R):
                    if st[i] == arr:
                        st[i] = ("o", "[B")
        elif 0x52 <= op <= 0x58:
            try:
                cls, name, _ftype = dex.field_ref(c)
                fv = FLAGS if (cls == "Landroid/content/pm/ApplicationInfo;" and name == "flags") \
                    else ("f", f"{cls}->{name}")
            except DexError:
                fv = None
            self._set(st, a, fv, op == 0x53)
        elif 0x60 <= op <= 0x66:
            self._set(st, a, self._sget(b), op == 0x61)
        elif 0x6E <= op <= 0x72 or 0x74 <= op <= 0x78:
            self._invoke(st, pc, op, b, regs or [])
        elif 0xFA <= op <= 0xFD:
            st[R] = None
        elif 0x7B <= op <= 0x8F:
            v = self._get(st, b)
            if op == 0x8D or op == 0x8E or op == 0x8F:  # int-to-byte/char/short
                self._set(st, a, v if v and v[0] == "i" else None)
            else:
                self._set(st, a, None, op in _WIDE_UNOP)
        elif 0x90 <= op <= 0xAF:
            if op <= 0x9A:
                self._set(st, a, _int_op(_BIN_NAMES[op - 0x90], self._get(st, b), self._get(st, c)))
            else:
                self._set(st, a, None, 0x9B <= op <= 0xA5 or op >= 0xAB)
        elif 0xB0 <= op <= 0xCF:
            if op <= 0xBA:
                self._set(st, a, _int_op(_BIN_NAMES[op - 0xB0], self._get(st, a), self._get(st, b)))
            else:
                self._set(st, a, None, 0xBB <= op <= 0xC5 or op >= 0xCB)
        elif 0xD0 <= op <= 0xD7:
            self._set(st, a, _int_op(_LIT16[op - 0xD0], self._get(st, b), ("i", c)))
        elif 0xD8 <= op <= 0xE2:
            self._set(st, a, _int_op(_LIT8[op - 0xD8], self._get(st, b), ("i", c)))
        elif 0x38 <= op <= 0x3D:
            v = self._get(st, a)
            if self.params is not None and v and v[0] == "i" and isinstance(v[1], int):
                n = v[1]
                taken = (n == 0, n != 0, n < 0, n >= 0, n > 0, n <= 0)[op - 0x38]
                return [list(st), None] if taken else [None, list(st)]
            if v == DBG:
                taken, fall = list(st), list(st)
                # if-eqz: taken when the flag is false
                if op == 0x38:
                    taken[R + 1], fall[R + 1] = "F", "T"
                elif op == 0x39:
                    taken[R + 1], fall[R + 1] = "T", "F"
                else:
                    return None
                return [taken, fall]
        elif fmt in ("22c",) and 0x59 <= op <= 0x5F:
            pass
        return None

    def _fill(self, st: list, pc: int, a: int, off: int) -> None:
        insns = self.code.insns
        p = pc + off
        arr = self._get(st, a)
        if not (arr and arr[0] == "b"):
            return
        if not 0 <= p < len(insns) - 3 or insns[p] != 0x0300:
            return
        ew = insns[p + 1]
        size = insns[p + 2] | (insns[p + 3] << 16)
        if ew != 1 or size > 64 or p + 4 + (size + 1) // 2 > len(insns):
            return
        raw = b"".join(insns[p + 4 + i].to_bytes(2, "little") for i in range((size + 1) // 2))[:size]
        nv = ("b", tuple(raw))
        for i in range(self.nregs):
            if st[i] == arr:
                st[i] = nv

    def _sget(self, fidx: int):
        return sget_value(self.prog, self.dex, fidx)

    def _invoke(self, st: list, pc: int, op: int, midx: int, regs: list[int]) -> None:
        R = self.nregs
        try:
            cls, name, params, ret = self.dex.method_ref(midx)
        except DexError:
            st[R] = None
            return
        args = [self._get(st, r) for r in regs]
        res = None
        if cls in _ADDR_CLASSES:
            if name in ("getByName", "getAllByName") and params == ("Ljava/lang/String;",):
                h = args[0] if args else None
                if h and h[0] == "s":
                    k, lit = classify_host(h[1])
                    res = ("a", k, lit, None)
                elif h == ("i", 0):
                    res = ("a", LOOP, None, "InetAddress.getByName(null) is the loopback address")
                elif h is not None and h[0] in ("p", "phi"):
                    res = ("gbn", h)  # resolved at the caller (wrapper)
            elif name == "getByAddress":
                bv = args[-1] if args else None
                if bv and bv[0] == "b":
                    k, lit = classify_bytes(bv[1])
                    res = ("a", k, lit, None)
            elif name == "getLoopbackAddress":
                res = ("a", LOOP, None, None)
            elif name == "getLocalHost":
                res = ("a", SPEC, None, ("InetAddress.getLocalHost() resolves the device host name; "
                                        "not loopback on most devices"))
        elif cls == "Ljava/net/InetSocketAddress;":
            if name == "<init>" and args and args[0] and args[0][0] == "n":
                if params == ("I",):
                    sa = ("sa", ("a", ALL, None, None), args[1] if len(args) > 1 else None)
                elif params == ("Ljava/lang/String;", "I"):
                    sa = ("sa", _host_to_addr(args[1] if len(args) > 1 else None),
                          args[2] if len(args) > 2 else None)
                elif params == ("Ljava/net/InetAddress;", "I"):
                    av = args[1] if len(args) > 1 else None
                    sa = ("sa", ("a", ALL, None, None) if av == ("i", 0) else av,
                          args[2] if len(args) > 2 else None)
                else:
                    sa = ("o", cls)
                self._replace(st, args[0], sa)
                return
            if name == "createUnresolved" and len(args) >= 2:
                res = ("sa", _host_to_addr(args[0]), args[1])
        if name == "<init>" and args and args[0] and args[0][0] == "n":
            self._replace(st, args[0], ("o", args[0][1]))
            return
        if res is None and ret != "V" and op in (0x71, 0x77) and not params:
            res = self.prog.accessor_value(cls, name, params, ret)
        if res is None and ret != "V":
            res = ("c", f"{cls}->{name}({''.join(params)}){ret}")
        st[R] = res

    def _replace(self, st: list, old, new) -> None:
        for i in range(self.nregs):
            if st[i] == old:
                st[i] = new


def get_by_name(h):
    """The InetAddress getByName(h) returns, for an abstract host value."""
    if h is None:
        return None
    if h[0] == "s":
        k, lit = classify_host(h[1])
        return ("a", k, lit, None)
    if h == ("i", 0):
        return ("a", LOOP, None, "InetAddress.getByName(null) is the loopback address")
    if h[0] == "phi":
        return ("phi", frozenset(get_by_name(x) for x in h[1]))
    return ("gbn", h)


def _host_to_addr(h):
    if h is None:
        return None
    if h[0] == "s":
        k, lit = classify_host(h[1])
        return ("a", k, lit, None)
    if h[0] == "phi":
        return ("phi", frozenset(_host_to_addr(x) for x in h[1]))
    return h  # param / field / call: keep for the reason
