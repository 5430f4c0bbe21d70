"""Constant propagation inside one method (abstract interpretation over basic blocks).

Registers hold the values of :mod:`.absval` (``None``: nothing known).  Parameters start as
``FromParam(k)`` (``k`` counts the parameter registers, ``this`` is 0, a wide parameter takes
two), field reads are ``FieldRead``, call results ``Call`` (with their arguments): the engine
follows them later (:mod:`.follow`) only for the values that reach a listener.  What the
platform fixes is evaluated here: address producers (``InetAddress``, ``InetSocketAddress``),
configuration reads with a default (``SharedPreferences``, ``System.getProperty``, resources),
number parsing and boxing.

Each state is a list: the registers, then the last invoke result, then the polarity of the
debug flag on the current path (``None``, ``"T"`` or ``"F"``).
"""

from __future__ import annotations

from collections.abc import Callable

from ...model import Bind
from ...values import NULL, Addr, Const, FromConfig, FromParam, OneOf, SockAddr, Unknown, Value, classify_bytes
from .absval import DBG, FLAGS, Bytes, FieldRead, New, Obj, UnixName, call, field_read, host_of, join
from .opcodes import boundaries, decode
from .parser import CodeItem, DexError, DexFile

_ADDR_CLASSES = {"Ljava/net/InetAddress;", "Ljava/net/Inet4Address;", "Ljava/net/Inet6Address;"}
_WIDE_UNOP = {0x7D, 0x7E, 0x80, 0x81, 0x83, 0x86, 0x88, 0x89, 0x8B}
_UNRESOLVED = ("InetSocketAddress.createUnresolved gives an unresolved address, which bind() rejects "
               "(javadoc ServerSocket.bind: SocketException if the address is unresolved)")

# configuration reads: (class, method, params) -> (source name, index of the key, index of the default)
_CONFIG: dict[tuple[str, str, tuple[str, ...]], tuple[str, int, int | None]] = {
    ("Landroid/content/SharedPreferences;", "getInt", ("Ljava/lang/String;", "I")): ("SharedPreferences.getInt", 1, 2),
    ("Landroid/content/SharedPreferences;", "getLong", ("Ljava/lang/String;", "J")):
        ("SharedPreferences.getLong", 1, 2),
    ("Landroid/content/SharedPreferences;", "getString", ("Ljava/lang/String;", "Ljava/lang/String;")):
        ("SharedPreferences.getString", 1, 2),
    ("Ljava/lang/System;", "getProperty", ("Ljava/lang/String;", "Ljava/lang/String;")): ("System.getProperty", 0, 1),
    ("Ljava/lang/System;", "getProperty", ("Ljava/lang/String;",)): ("System.getProperty", 0, None),
    ("Ljava/lang/System;", "getenv", ("Ljava/lang/String;",)): ("environment", 0, None),
    ("Ljava/lang/Integer;", "getInteger", ("Ljava/lang/String;", "I")): ("Integer.getInteger", 0, 1),
}
# resource reads by id: (class, method) -> resource type
_RESOURCES = {
    ("Landroid/content/res/Resources;", "getInteger"): "integer",
    ("Landroid/content/res/Resources;", "getString"): "string",
    ("Landroid/content/Context;", "getString"): "string",
}
_PARSE = {("Ljava/lang/Integer;", "parseInt"), ("Ljava/lang/Integer;", "valueOf"), ("Ljava/lang/Long;", "parseLong"),
          ("Ljava/lang/Integer;", "decode")}
_UNBOX = {("Ljava/lang/Integer;", "intValue"), ("Ljava/lang/Long;", "longValue"), ("Ljava/lang/Long;", "intValue"),
          ("Ljava/lang/Number;", "intValue"), ("Ljava/lang/String;", "trim")}


def _wrap32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def _int(v: Value | None) -> int | None:
    if isinstance(v, Const) and isinstance(v.value, int) and not isinstance(v.value, bool):
        return v.value
    return None


def _int_op(name: str, x: Value | None, y: Value | None) -> Value | None:
    xi, yi = _int(x), _int(y)
    if name == "and" and ((x == FLAGS and yi is not None and yi & 2) or (y == FLAGS and xi is not None and xi & 2)):
        return DBG
    if (x == DBG and yi is not None) or (y == DBG and xi is not None):
        return DBG if name in ("xor", "and", "or", "rsub", "add", "sub") else None
    if xi is None or yi is None:
        return None
    a, b = xi, yi
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
    return None if r is None else Const(_wrap32(r))


_BIN_NAMES = ["add", "sub", "mul", "div", "rem", "and", "or", "xor", "shl", "shr", "ushr"]
_LIT16 = ["add", "rsub", "mul", "div", "rem", "and", "or", "xor"]
_LIT8 = ["add", "rsub", "mul", "div", "rem", "and", "or", "xor", "shl", "shr", "ushr"]


def parse_int(v: Value | None) -> Value | None:
    """``Integer.parseInt`` of a value: digits become the int; a configuration read keeps its key
    and parses its default; alternatives parse each option."""
    if isinstance(v, Const):
        if isinstance(v.value, int) and not isinstance(v.value, bool):
            return v
        if isinstance(v.value, str) and v.value.strip().lstrip("-").isdigit():
            return Const(_wrap32(int(v.value.strip())))
        return None
    if isinstance(v, FromConfig):
        return FromConfig(v.source, v.key, parse_int(v.default) if v.default is not None else None)
    if isinstance(v, OneOf):
        opts = [parse_int(o) for o in v.options]
        return None if any(o is None for o in opts) else join_all(opts)
    return None


def join_all(vals: list[Value | None]) -> Value | None:
    out = vals[0] if vals else None
    for v in vals[1:]:
        out = join(out, v)
    return out


class Resources:
    """Resource values by id (from resources.arsc), given to the engine by the container."""

    def __init__(self, lookup: Callable[[int], tuple[str | None, int | str | bool | None]] | None):
        self.lookup = lookup

    def value(self, kind: str, rid: Value | None) -> Value | None:
        n = _int(rid)
        if n is None:
            return None
        name, val = (None, None)
        if self.lookup is not None:
            try:
                name, val = self.lookup(n & 0xFFFFFFFF)
            except Exception:  # noqa: BLE001 - a damaged table resolves nothing
                name, val = None, None
        key = name or f"0x{n & 0xFFFFFFFF:08x}"
        wanted = {"integer": int, "string": str}.get(kind)
        if val is None or isinstance(val, bool) or (wanted is not None and not isinstance(val, wanted)):
            return FromConfig(f"R.{kind}", key, None)  # not in the table, or not that kind: no guess
        return FromConfig(f"R.{kind}", key, Const(val))


class MethodFlow:
    """The fixpoint of one method; ``state_at(pc)`` gives the abstract state before ``pc``."""

    def __init__(self, dex: DexFile, code: CodeItem, sig: str, budget: int = 200_000,
                 interest: set[int] | None = None, params: list | None = None,
                 resources: Resources | None = None,
                 final_static: Callable[[str, str, str], Value | None] | None = None):
        """``sig``: the method (``Lc;->m(I)V``), named by parameter values.  ``interest``: the pcs
        whose state is kept (None: every field write, invoke and return).  ``params``: known values
        of the parameter registers (a caller's arguments); then a zero-test of a known int only
        follows the branch taken (Kotlin ``f$default`` bit masks).  ``final_static``: the
        constant of a static final field (class, name, type) or None."""
        self.interest = interest
        self.params = params
        self.dex = dex
        self.code = code
        self.sig = sig
        self.nregs = code.registers
        self.resources = resources
        self.final_static = final_static
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
        leaders_sorted = sorted(x for x in leaders if x in widths)
        self.blocks: dict[int, list[int]] = {}
        li = 0
        cur: list[int] = []
        for pc in pcs:
            if li < len(leaders_sorted) and pc == leaders_sorted[li]:
                cur = []
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
            keep = {pc for pc in pcs if 0x59 <= (insns[pc] & 0xFF) <= 0x78 or 0x0F <= (insns[pc] & 0xFF) <= 0x11
                    or 0xFA <= (insns[pc] & 0xFF) <= 0xFD}
        ins = self.code.ins
        init: list = [None] * (R + 2)
        for k in range(ins):
            r = R - ins + k
            if 0 <= r < R:
                init[r] = FromParam(k, None, self.sig)
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
            edges: list[tuple[int, list]] = []
            last = self.blocks[lead][-1]
            op = insns[last] & 0xFF
            succ = bsucc[lead]
            if outs is not None and 0x38 <= op <= 0x3D and len(succ) == 2:
                edges = [(t, o) for t, o in zip(succ, outs, strict=True) if o is not None]
            else:
                edges = [(s, st) for s in succ]
            for h in bexc[lead]:
                ex_state = [join(x, y) for x, y in zip(in_copy, st, strict=True)]
                ex_state[R] = None
                edges.append((h, ex_state))
            for t, s in edges:
                old = inb.get(t)
                if old is None:
                    inb[t] = list(s)
                    work.append(t)
                else:
                    new = [join(x, y) for x, y in zip(old, s, strict=True)]
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

    def reached(self, pc: int) -> bool:
        return pc in self.states

    def regs_at(self, pc: int) -> list[Value | None]:
        """The argument values an invoke at ``pc`` passes (empty if not an invoke); a 0 passed
        for a reference parameter is null."""
        try:
            op, _a, b, _c, regs = decode(self.code.insns, pc)
            params = self.dex.method_ref(b)[2] if regs is not None else ()
        except (IndexError, DexError):
            return []
        st = self.state_at(pc)
        return nulls([self.get(st, r) for r in regs or []], params, op in (0x71, 0x77))

    def operand_at(self, pc: int) -> Value | None:
        """The value a field write (the stored register) or a return at ``pc`` uses (a 0 stored
        by ``iput-object`` / ``sput-object`` or returned by ``return-object`` is null)."""
        try:
            op, a, _b, _c, _r = decode(self.code.insns, pc)
        except IndexError:
            return None
        v = self.get(self.state_at(pc), a)
        if op in (0x11, 0x5B, 0x69) and v == Const(0):
            return NULL
        return v

    # ---- transfer function ------------------------------------------------------

    def _set(self, st: list, r, v, wide: bool = False) -> None:
        if r is None:
            return
        R = self.nregs
        if 0 <= r < R:
            st[r] = v
        if wide and 0 <= r + 1 < R:
            st[r + 1] = None

    def get(self, st: list, r) -> Value | None:
        if r is None or not 0 <= r < self.nregs:
            return None
        return st[r]

    def _step(self, st: list, pc: int):  # noqa: C901 - one branch per opcode group
        insns = self.code.insns
        op = insns[pc] & 0xFF
        if op == 0:
            return None
        R = self.nregs
        try:
            op, a, b, c, regs = decode(insns, pc)
        except IndexError:
            return None
        dex = self.dex
        if 0x01 <= op <= 0x09:
            wide = op in (0x04, 0x05, 0x06)
            self._set(st, a, None if wide else self.get(st, b), wide)
        elif 0x0A <= op <= 0x0C:
            self._set(st, a, None if op == 0x0B else st[R], op == 0x0B)
        elif op == 0x0D:
            self._set(st, a, None)
        elif op in (0x12, 0x13, 0x14):
            self._set(st, a, Const(b))
        elif op == 0x15:
            self._set(st, a, Const(_wrap32(b << 16)))
        elif 0x16 <= op <= 0x19:
            self._set(st, a, None, True)
        elif op in (0x1A, 0x1B):
            try:
                self._set(st, a, Const(dex.string(b)))
            except DexError:
                self._set(st, a, None)
        elif op == 0x1C:
            self._set(st, a, Obj("Ljava/lang/Class;"))
        elif op == 0x20:
            self._set(st, a, None)
        elif op == 0x21:
            v = self.get(st, b)
            self._set(st, a, Const(len(v.data)) if isinstance(v, Bytes) else None)
        elif op == 0x22:
            try:
                self._set(st, a, New(dex.type_desc(b), pc))
            except DexError:
                self._set(st, a, None)
        elif op == 0x23:
            self._new_array(st, a, b, c)
        elif op in (0x24, 0x25):
            st[R] = None
        elif op == 0x26:
            self._fill(st, pc, a, b)
        elif 0x2D <= op <= 0x31:
            self._set(st, a, None)
        elif 0x44 <= op <= 0x4A:
            self._set(st, a, None, op == 0x45)
        elif op in (0x4B, 0x4F):  # aput / aput-byte
            self._aput(st, a, b, c)
        elif 0x52 <= op <= 0x58:
            self._set(st, a, self._iget(c, self.get(st, b)), op == 0x53)
        elif 0x60 <= op <= 0x66:
            self._set(st, a, self._sget(b), op == 0x61)
        elif 0x6E <= op <= 0x72 or 0x74 <= op <= 0x78:
            self._invoke(st, op, b, regs or [])
        elif 0xFA <= op <= 0xFD:
            st[R] = None
        elif 0x7B <= op <= 0x8F:
            v = self.get(st, b)
            if op in (0x8D, 0x8E, 0x8F):  # int-to-byte/char/short
                self._set(st, a, v if _int(v) is not None else None)
            else:
                self._set(st, a, None, op in _WIDE_UNOP)
        elif 0x90 <= op <= 0xAF:
            if op <= 0x9A:
                self._set(st, a, _int_op(_BIN_NAMES[op - 0x90], self.get(st, b), self.get(st, c)))
            else:
                self._set(st, a, None, 0x9B <= op <= 0xA5 or op >= 0xAB)
        elif 0xB0 <= op <= 0xCF:
            if op <= 0xBA:
                self._set(st, a, _int_op(_BIN_NAMES[op - 0xB0], self.get(st, a), self.get(st, b)))
            else:
                self._set(st, a, None, 0xBB <= op <= 0xC5 or op >= 0xCB)
        elif 0xD0 <= op <= 0xD7:
            self._set(st, a, _int_op(_LIT16[op - 0xD0], self.get(st, b), Const(c)))
        elif 0xD8 <= op <= 0xE2:
            self._set(st, a, _int_op(_LIT8[op - 0xD8], self.get(st, b), Const(c)))
        elif 0x38 <= op <= 0x3D:
            return self._branch(st, op, self.get(st, a))
        return None

    def _branch(self, st: list, op: int, v: Value | None):
        R = self.nregs
        n = _int(v)
        if self.params is not None and n is not None:
            jumps = (n == 0, n != 0, n < 0, n >= 0, n > 0, n <= 0)[op - 0x38]
            return [list(st), None] if jumps else [None, list(st)]
        if v == DBG:
            taken, fall = list(st), list(st)
            if op == 0x38:  # if-eqz: taken when the flag is false
                taken[R + 1], fall[R + 1] = "F", "T"
            elif op == 0x39:
                taken[R + 1], fall[R + 1] = "T", "F"
            else:
                return None
            return [taken, fall]
        return None

    def _new_array(self, st: list, a: int, b: int, c: int) -> None:
        try:
            desc = self.dex.type_desc(c)
        except DexError:
            desc = "?"
        n = _int(self.get(st, b))
        if desc in ("[B", "[Z") and n is not None and 0 <= n <= 64:
            self._set(st, a, Bytes((0,) * n))
        else:
            self._set(st, a, Obj(desc))

    def _aput(self, st: list, a: int, b: int, c: int) -> None:
        arr, idx, val = self.get(st, b), _int(self.get(st, c)), _int(self.get(st, a))
        if not isinstance(arr, Bytes):
            return
        if idx is not None and 0 <= idx < len(arr.data) and val is not None:
            new = list(arr.data)
            new[idx] = val & 0xFF
            self._replace(st, arr, Bytes(tuple(new)))
        else:
            self._replace(st, arr, Obj("[B"))

    def _fill(self, st: list, pc: int, a: int, off: int) -> None:
        insns = self.code.insns
        p = pc + off
        arr = self.get(st, a)
        if not isinstance(arr, Bytes):
            return
        if not 0 <= p < len(insns) - 3 or insns[p] != 0x0300:
            return
        ew = insns[p + 1]
        size = insns[p + 2] | (insns[p + 3] << 16)
        if ew != 1 or size > 64 or p + 4 + (size + 1) // 2 > len(insns):
            return
        raw = b"".join(insns[p + 4 + i].to_bytes(2, "little") for i in range((size + 1) // 2))[:size]
        self._replace(st, arr, Bytes(tuple(raw)))

    def _iget(self, fidx: int, obj: Value | None) -> Value | None:
        try:
            cls, name, ftype = self.dex.field_ref(fidx)
        except DexError:
            return None
        if cls == "Landroid/content/pm/ApplicationInfo;" and name == "flags":
            return FLAGS
        return field_read(f"{cls}->{name}:{ftype}", obj, static=False)

    def _sget(self, fidx: int) -> Value | None:
        try:
            cls, name, ftype = self.dex.field_ref(fidx)
        except DexError:
            return None
        if name == "DEBUG" and (cls.endswith("/BuildConfig;") or cls == "LBuildConfig;"):
            return DBG
        if self.final_static is not None:
            v = self.final_static(cls, name, ftype)
            if v is not None:
                return v
        return field_read(f"{cls}->{name}:{ftype}", None, static=True)

    def _invoke(self, st: list, op: int, midx: int, regs: list[int]) -> None:
        R = self.nregs
        try:
            cls, name, params, ret = self.dex.method_ref(midx)
        except DexError:
            st[R] = None
            return
        args = nulls([self.get(st, r) for r in regs], params, op in (0x71, 0x77))
        if name == "<init>" and args and isinstance(args[0], New):
            self._replace(st, args[0], self._construct(cls, params, args))
            return
        res = known_call(cls, name, params, args, self.resources)
        if res is None and ret != "V":
            res = call(f"{cls}->{name}({''.join(params)}){ret}", args, op in (0x71, 0x77))
        st[R] = res

    def _construct(self, cls: str, params: tuple[str, ...], args: list) -> Value:
        new = args[0]
        if cls == "Ljava/net/InetSocketAddress;":
            port = args[-1] if len(args) > 1 else None
            if params == ("I",):
                return SockAddr(Addr(Bind.ALL), _or_unknown(port))
            if params == ("Ljava/lang/String;", "I"):
                return SockAddr(_or_unknown(host_of(args[1], "java.net.InetSocketAddress(String,int)")),
                                _or_unknown(port))
            if params == ("Ljava/net/InetAddress;", "I"):
                return SockAddr(_or_unknown(host_of(args[1], "java.net.InetSocketAddress(InetAddress,int)")),
                                _or_unknown(port))
        if cls == "Landroid/net/LocalSocketAddress;" and params and params[0] == "Ljava/lang/String;":
            return UnixName(_or_unknown(args[1]), _namespace(args[2]) if len(args) > 2 else "ABSTRACT")
        if cls in ("Ljava/lang/Integer;", "Ljava/lang/String;") and len(args) == 2:
            return (parse_int(args[1]) or Obj(new.desc, new.pc)) if cls == "Ljava/lang/Integer;" \
                else (args[1] if isinstance(args[1], Const) else Obj(new.desc, new.pc))
        return Obj(new.desc, new.pc)

    def _replace(self, st: list, old, new) -> None:
        for i in range(self.nregs):
            if st[i] == old:
                st[i] = new


def understood(cls: str, name: str, params: tuple[str, ...]) -> bool:
    """Whether :func:`known_call` evaluates calls of this method."""
    return (cls in _ADDR_CLASSES or (cls == "Ljava/net/InetSocketAddress;" and name == "createUnresolved")
            or (cls, name, params) in _CONFIG or (cls, name) in _RESOURCES or (cls, name) in _PARSE
            or (cls, name) in _UNBOX)


def known_call(cls: str, name: str, params: tuple[str, ...], args: list, resources: Resources | None) -> Value | None:
    """The value of a platform call the engine understands (address producers, configuration
    reads, number parsing), or None for any other call."""
    if cls in _ADDR_CLASSES:
        return _address_call(name, params, args)
    if cls == "Ljava/net/InetSocketAddress;" and name == "createUnresolved" and len(args) >= 2:
        return SockAddr(Unknown(_UNRESOLVED), _or_unknown(args[1]))
    cfg = _CONFIG.get((cls, name, params))
    if cfg is not None:
        source, ki, di = cfg
        key = args[ki] if ki < len(args) else None
        kt = key.value if isinstance(key, Const) and isinstance(key.value, str) else None
        default = args[di] if di is not None and di < len(args) else None
        return FromConfig(source, kt, default)
    kind = _RESOURCES.get((cls, name))
    if kind is not None and params == ("I",) and len(args) == 2 and resources is not None:
        return resources.value(kind, args[1])
    if (cls, name) in _PARSE and args:
        return parse_int(args[0])
    if (cls, name) in _UNBOX and args and params == ():
        return args[0] if isinstance(args[0], Const | FromConfig | OneOf) else None
    return None



def nulls(args: list[Value | None], params: tuple[str, ...], static: bool) -> list[Value | None]:
    """Dalvik has no null literal: ``const/4 vX, 0`` passed for a reference parameter is null."""
    kinds: list[str] = [] if static else ["L"]
    for p in params:
        kinds.append(p[0])
        if p in ("J", "D"):
            kinds.append("-")
    return [NULL if (k in "L[" and isinstance(a, Const) and a.value == 0 and not isinstance(a.value, bool)) else a
            for a, k in zip(args, kinds, strict=False)] + args[len(kinds):]


def _namespace(v: Value | None) -> str:
    """``LocalSocketAddress.Namespace.FILESYSTEM`` read with sget-object -> "FILESYSTEM"."""
    if isinstance(v, FieldRead) and v.ref.startswith("Landroid/net/LocalSocketAddress$Namespace;->"):
        return v.ref.split("->", 1)[1].split(":", 1)[0]
    return "?"


def _or_unknown(v: Value | None) -> Value:
    return v if v is not None else Unknown("not a constant")


def _address_call(name: str, params: tuple[str, ...], args: list) -> Value | None:
    if name in ("getByName", "getAllByName") and params == ("Ljava/lang/String;",):
        api = f"java.net.InetAddress.{name}(String)"
        return host_of(args[0] if args else None, api)
    if name == "getByAddress":
        bv = args[-1] if args else None
        if isinstance(bv, Bytes):
            kind, lit = classify_bytes(bytes(x & 0xFF for x in bv.data))
            return Addr(kind, lit)
        return None
    if name == "getLoopbackAddress":
        return Addr(Bind.LOOPBACK, None)
    if name == "getLocalHost":
        return Addr(Bind.SPECIFIC, None, "InetAddress.getLocalHost() resolves the device host name; "
                                         "not loopback on most devices")
    return None
