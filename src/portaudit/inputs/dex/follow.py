"""Follow a value across methods, classes and DEX files, to a bounded depth.

* A field read becomes what the app writes into that field: a ``static final`` field with a
  constant folds to it; otherwise every ``sput`` / ``iput`` of the field in every DEX file is read
  (constructors, ``<clinit>``, Kotlin property setters, anywhere).  All writes constant: the value,
  or ``OneOf`` when they differ.  One write not known: ``Unknown`` naming the write site(s).  A
  non-final field that no code writes is ``Unknown``: it is **never** taken to be null / 0.
* A call result becomes what the called method returns (every app implementation: the class's
  own, the nearest superclass's, and overrides in app subclasses), with the call's arguments put
  in for its parameters: getters, static accessors, synthetic ``access$NNN`` methods, methods that
  return a parameter or another such call.
* A parameter inside a field write (a setter, a constructor) becomes the arguments of every call
  of that method.
* Platform calls the engine understands (``InetAddress.getByName``, ``Integer.parseInt``,
  configuration reads) are evaluated again once their arguments are known.

Each step that decides a value adds a :class:`Hop` (the field write, the returning method, the
caller, the configuration read) to the list the caller passes in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeGuard

from ...model import Hop
from ...values import (
    NULL,
    Addr,
    Const,
    FromConfig,
    FromParam,
    OneOf,
    SockAddr,
    Unknown,
    Value,
    describe,
    one_of,
)
from .absval import AppFlags, Bytes, Call, DebugFlag, FieldRead, HostOf, New, Obj, call, dotted, host_of
from .callsites import CallSite
from .context import Context
from .dataflow import known_call, understood
from .program import FieldDecl, MethodBody, const_initial

MAX_STACK = 10  # nested follow-ups (fields, calls, callers) per value
MAX_IMPLS = 4  # implementations of one virtual call
MAX_WRITES = 16  # writes of one field
MAX_CALLERS = 16  # callers of a setter / constructor whose parameter is written to a field
_ATOMS = (Const, Addr, Unknown, FromParam, New, Obj, Bytes, DebugFlag, AppFlags)
# results worth following: what an address, a host, a port or a socket name can be
_VALUE_TYPES = {"I", "J", "S", "Z", "Ljava/lang/String;", "Ljava/lang/CharSequence;", "Ljava/lang/Integer;",
                "Ljava/lang/Object;", "Ljava/net/InetAddress;", "Ljava/net/Inet4Address;", "Ljava/net/Inet6Address;",
                "Ljava/net/SocketAddress;", "Ljava/net/InetSocketAddress;"}


def parse_sig(sig: str) -> tuple[str, str, tuple[str, ...], str]:
    """``Lc;->m(ILjava/lang/String;)V`` -> (``Lc;``, ``m``, (``I``, ``Ljava/lang/String;``), ``V``)."""
    cls, _, rest = sig.partition("->")
    name, _, rest = rest.partition("(")
    plist, _, ret = rest.partition(")")
    params: list[str] = []
    i = 0
    while i < len(plist):
        j = i
        while plist[j] == "[":
            j += 1
        if plist[j] == "L":
            j = plist.index(";", j)
        params.append(plist[i:j + 1])
        i = j + 1
    return cls, name, tuple(params), ret


def has_param(v: Value | None) -> bool:
    if isinstance(v, FromParam):
        return True
    if isinstance(v, SockAddr):
        return has_param(v.host) or has_param(v.port)
    if isinstance(v, HostOf):
        return has_param(v.host)
    if isinstance(v, OneOf):
        return any(has_param(o) for o in v.options)
    if isinstance(v, FromConfig):
        return has_param(v.default)
    return False


def subst(v: Value | None, args: list[Value | None]) -> Value | None:
    """``v`` (in a callee's terms) with each ``FromParam(k)`` replaced by the caller's ``args[k]``."""

    def arg(p: FromParam) -> Value:
        a = args[p.index] if p.index < len(args) else None
        if a is None:
            return Unknown(f"the caller passes a value not known for parameter {p.index} of {p.function}")
        return a

    return map_params(v, arg)


def map_params(v: Value | None, fn: Callable[[FromParam], Value]) -> Value | None:
    """``v`` with every ``FromParam`` replaced by ``fn(param)`` (constructors re-applied)."""
    if v is None or isinstance(v, (Const, Addr, Unknown)):
        return v
    if isinstance(v, FromParam):
        return fn(v)
    if isinstance(v, SockAddr):
        return SockAddr(map_params(v.host, fn) or Unknown("host not known"),
                        map_params(v.port, fn) or Unknown("port not known"))
    if isinstance(v, HostOf):
        return host_of(map_params(v.host, fn), v.api)
    if isinstance(v, OneOf):
        return one_of(map_params(o, fn) or Unknown("not known") for o in v.options)
    if isinstance(v, FromConfig):
        return FromConfig(v.source, v.key, map_params(v.default, fn)) if v.default is not None else v
    if isinstance(v, Call):
        return call(v.method, [map_params(a, fn) for a in v.args], v.static)
    if isinstance(v, FieldRead) and v.obj is not None:
        return replace(v, obj=map_params(v.obj, fn))
    return v


def settled(v: Value | None) -> TypeGuard[Value]:
    """A value the user can be told (a constant, an address, a configuration read), as opposed to
    one the analysis could not determine."""
    if isinstance(v, (Const, Addr, Bytes, Obj, FromConfig)):
        return True
    if isinstance(v, SockAddr):
        return settled(v.host) and settled(v.port)
    if isinstance(v, OneOf):
        return all(settled(o) for o in v.options)
    return False


def brief(text: str, limit: int = 160) -> str:
    """The first clause of a reason, for a reason that quotes another one."""
    head = text.split(" (", 1)[0]
    return head if len(head) <= limit else head[: limit - 1] + "…"


def show(v: Value | None) -> str:
    """A short text of a value for a hop's note."""
    if isinstance(v, Const):
        if v.value is None:
            return "null"
        return repr(v.value) if not isinstance(v.value, str) else f'"{v.value}"'
    if isinstance(v, Addr):
        return v.literal or v.bind.value
    if isinstance(v, SockAddr):
        return f"{show(v.host)}:{show(v.port)}"
    if isinstance(v, OneOf):
        return " | ".join(sorted(show(o) for o in v.options))
    if isinstance(v, FromConfig):
        k = f"{v.key!r}" if v.key else ""
        d = f", default {show(v.default)}" if v.default is not None else ""
        return f"{v.source}({k}{d})"
    if isinstance(v, Obj):
        return f"new {dotted(v.desc)}"
    if v is None:
        return "a value not known"
    return brief(describe(v), 400)


class Follow:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._fields: dict[str, tuple[Value, list[Hop]]] = {}
        self._returns: dict[MethodBody, tuple[Value, int | None]] = {}
        self._stack: list[str] = []

    # ---- entry point -----------------------------------------------------------------------

    def resolve(self, v: Value | None, hops: list[Hop]) -> Value | None:
        """``v`` with every field read, call and configuration read replaced by what it gives."""
        if v is None or isinstance(v, _ATOMS):
            return v
        if isinstance(v, SockAddr):
            return SockAddr(self.resolve(v.host, hops) or v.host, self.resolve(v.port, hops) or v.port)
        if isinstance(v, HostOf):
            h = self.resolve(v.host, hops)
            return host_of(h, v.api) if h is not None else v
        if isinstance(v, OneOf):
            return one_of(self.resolve(o, hops) or Unknown("a value not known") for o in v.options)
        if isinstance(v, FromConfig):
            return FromConfig(v.source, v.key, self.resolve(v.default, hops)) if v.default is not None else v
        if isinstance(v, FieldRead):
            return self.field(v, hops)
        if isinstance(v, Call):
            return self.call(v, hops)
        return v

    def _enter(self, key: str) -> bool:
        if key in self._stack or len(self._stack) >= MAX_STACK:
            return False
        self._stack.append(key)
        return True

    # ---- fields ----------------------------------------------------------------------------

    def field(self, v: FieldRead, hops: list[Hop]) -> Value:
        cls, _, rest = v.ref.partition("->")
        name, _, ftype = rest.partition(":")
        decl = self.ctx.program.field(cls, name, ftype)
        if decl is None:
            return replace(v, reason="declared outside the app's code")
        key = decl.ref()
        got = self._fields.get(key)
        if got is None:
            if key in self._stack:
                return Unknown(f"field {dotted(decl.cls)}.{decl.name} is computed from itself")
            if not self._enter(key):
                return replace(v, reason="followed too many steps deep")
            try:
                got = self._field_value(decl)
            finally:
                self._stack.pop()
            self._fields[key] = got
        hops.extend(got[1])
        return got[0]

    def _field_value(self, decl: FieldDecl) -> tuple[Value, list[Hop]]:
        ctx = self.ctx
        fname = f"{dotted(decl.cls)}.{decl.name}"
        initial = decl.initial
        if decl.static and decl.final and const_initial(initial) and initial is not None:
            return _config(decl, Const(initial)), []
        sites = [s for s in ctx.field_access(decl) if _is_static_op(ctx, s) == decl.static]
        hops: list[Hop] = []
        if len(sites) > MAX_WRITES:
            return Unknown(f"field {fname} is written in {len(sites)} places (more than {MAX_WRITES} are not "
                           "followed)"), hops
        values: list[Value] = []
        unknown: list[tuple[str, Value | None]] = []
        resets: list[Hop] = []
        for s in sites:
            sub: list[Hop] = []
            val = self._written(s, sub)
            loc = ctx.site_location(s)
            hop = Hop("field-write", loc, f"{fname} = {show(val)}")
            if val == NULL and not (loc.method or "").startswith(("<init>(", "<clinit>(")):
                resets.append(hop)  # `server = null` in stop(): a reset, counted only when it is the only write
                continue
            hops.append(hop)
            hops.extend(sub)
            if settled(val):
                values.append(val)
            else:
                unknown.append((loc.short(), val))
        if resets and not values and not unknown:
            hops.extend(resets)
            values.append(NULL)
        if unknown:
            where = ", ".join(w for w, _ in unknown[:3]) + (" and more" if len(unknown) > 3 else "")
            why = brief(describe(unknown[0][1]), 120) if unknown[0][1] is not None else "not a constant"
            return Unknown(f"field {fname} is written with a value not known at {where} ({why})"), hops
        if const_initial(initial) and initial not in (None, 0, False):
            values.append(Const(initial))
        if not values:
            if decl.final:
                return _config(decl, Const(initial if const_initial(initial) else None)), hops
            return Unknown(f"field {fname} is never written by the app's code (set by reflection, native code or "
                           "code outside these DEX files)"), hops
        return _config(decl, one_of(values)), hops

    def _written(self, s: CallSite, hops: list[Hop]) -> Value | None:
        """The value a field write stores, followed (through the writer's callers when it is one
        of the writer's parameters: setters, constructors)."""
        f = self.ctx.site_flow(s)
        if f is None or not f.reached(s.pc):
            return Unknown("the write was not analysed")
        val = self.resolve(f.operand_at(s.pc), hops)
        if has_param(val):
            body = self.ctx.program.method(*self.ctx.method_ref(s.dex, s.method_idx))
            val = self.through_callers(val, body, hops)
        return val

    # ---- calls -----------------------------------------------------------------------------

    def call(self, v: Call, hops: list[Hop]) -> Value | None:
        cls, name, params, ret = parse_sig(v.method)
        if understood(cls, name, params):
            known = known_call(cls, name, params, [self.resolve(a, hops) for a in v.args], self.ctx.resources)
            return self.resolve(known, hops) if known is not None else v
        if ret not in _VALUE_TYPES or name == "<init>":
            return v
        impls = self.ctx.program.implementations(cls, name, params, ret, v.static)
        if not impls or not self._enter(v.method):
            return v
        args = [self.resolve(a, hops) for a in v.args]
        try:
            values = []
            for m in impls[:MAX_IMPLS]:
                summary, pc = self.returns(m)
                sub: list[Hop] = []
                rv = self.resolve(subst(summary, args), sub)
                if pc is not None:
                    hops.append(Hop("return", self.ctx.location(m.dex, m.code_off, m.midx, pc),
                                    f"{dotted(m.cls)}.{m.name} returns {show(rv)}"))
                hops.extend(sub)
                values.append(rv if rv is not None else Unknown(f"{dotted(m.cls)}.{m.name} returns a value not known"))
            return one_of(values)
        finally:
            self._stack.pop()

    def returns(self, m: MethodBody) -> tuple[Value, int | None]:
        """What ``m`` returns, in terms of its own parameters, and the pc of a return."""
        got = self._returns.get(m)
        if got is not None:
            return got
        f = self.ctx.body_flow(m)
        out: tuple[Value, int | None] = (Unknown(f"{dotted(m.cls)}.{m.name} was not analysed"), None)
        if f is not None:
            pcs = [pc for pc in f.pcs if (f.code.insns[pc] & 0xFF) in (0x0F, 0x11) and f.reached(pc)]
            vals = [f.operand_at(pc) for pc in pcs]
            known = [x for x in vals if x is not None]
            if pcs and len(known) == len(vals):
                out = (one_of(known), pcs[0])
            elif pcs:
                out = (Unknown(f"{dotted(m.cls)}.{m.name} returns a value that is not a constant"), pcs[0])
        self._returns[m] = out
        return out

    # ---- parameters of setters and constructors --------------------------------------------

    def through_callers(self, v: Value | None, body: MethodBody | None, hops: list[Hop]) -> Value | None:
        """``v`` (holding parameters of ``body``) evaluated at every call of ``body``."""
        if body is None:
            return Unknown("parameter of a method not in the app")
        key = "callers " + body.sig()
        if not self._enter(key):
            return Unknown(f"parameter of {body.sig()}: callers followed too many steps deep")
        try:
            calls = self.ctx.callers(body)
            if not calls:
                return Unknown(f"parameter of {body.sig()}, no caller found")
            if len(calls) > MAX_CALLERS:
                return Unknown(f"parameter of {body.sig()}, which has {len(calls)} callers (more than "
                               f"{MAX_CALLERS} are not followed)")
            values = []
            for cs in calls:
                sub: list[Hop] = []
                rv = self.resolve(subst(v, self.ctx.args_at(cs)), sub)
                if has_param(rv):
                    cb = self.ctx.program.method(*self.ctx.method_ref(cs.dex, cs.method_idx))
                    rv = self.through_callers(rv, cb, sub)
                hops.append(Hop("caller", self.ctx.site_location(cs), f"passes {show(rv)}"))
                hops.extend(sub)
                values.append(rv if rv is not None else Unknown("a caller passes a value not known"))
            return one_of(values)
        finally:
            self._stack.pop()


def _is_static_op(ctx: Context, s: CallSite) -> bool:
    return 0x67 <= (ctx.dexes[s.dex].data[s.code_off + 16 + 2 * s.pc]) <= 0x6D


def _config(decl: FieldDecl, v: Value) -> Value:
    """A field of a BuildConfig class is a build setting (Gradle buildConfigField)."""
    if decl.cls.endswith("/BuildConfig;") or decl.cls == "LBuildConfig;":
        return FromConfig("BuildConfig", decl.name, v)
    return v
