"""Peer checks that protect one listener: data flow from its server socket, not the whole class.

The server object of a listener (the object constructed, the receiver of ``bind``, the result of
``createServerSocket``) is followed through the method that creates it, into the fields it is
stored in, the methods it is passed to and the callers it is returned to.  Wherever ``accept()``
(``receive(packet)`` for UDP) is called on it, the accepted socket is followed the same way; a
catalogue guard (``getInetAddress``, ``getRemoteSocketAddress``, ``isLoopbackAddress`` on its
address, ``LocalSocket.getPeerCredentials``, ...) counts only when its receiver is derived from
that accepted socket.  ``SSLServerSocket.setNeedClientAuth(true)`` counts when called on the
server object itself.  A check on some other socket of the same class does not count.

Server libraries (NanoHTTPD, Netty, ...) hand connections to the app through callbacks: there the
handler is the app's server class (the subclass that calls ``super(port)``, with its inner
classes), and guards in it count.
"""

from __future__ import annotations

from ...values import Const, FromParam, Value
from .absval import Call, FieldRead, New, Obj, call
from .callsites import FIELD_READ_OPS, CallSite
from .context import Context
from .dataflow import MethodFlow
from .follow import parse_sig
from .parser import DexError
from .program import MethodBody

MAX_PLACES = 24  # methods / fields a server socket or an accepted socket is followed into
_ACCEPT = {"accept"}
_RECEIVE = {"receive"}
_PLATFORM = ("java.", "javax.", "android.")


def contains(v: Value | None, target: Value) -> bool:
    """Whether ``v`` is ``target`` or derived from it (a call on it, a field of it)."""
    if v is None:
        return False
    if v == target:
        return True
    if isinstance(v, Call):
        return any(contains(a, target) for a in v.args)
    if isinstance(v, FieldRead):
        return contains(v.obj, target)
    return False


class Guards:
    def __init__(self, ctx: Context, guard_sites: list[CallSite]):
        """``guard_sites``: the catalogue guard calls found in the app (their specs name them)."""
        self.ctx = ctx
        self.guard_sites = guard_sites
        self.guard_methods: dict[str, str] = {}  # method (smali) -> guard name
        for s in guard_sites:
            try:
                self.guard_methods[ctx.sig(s.dex, s.target)] = s.spec.method
            except DexError:
                continue

    # ---- entry -------------------------------------------------------------------------------

    def for_site(self, site: CallSite, args: list[Value | None]) -> list[str]:
        ctx = self.ctx
        spec = site.spec
        cls = ctx.method_ref(site.dex, site.method_idx)[0]
        if not spec.classes[0].startswith(_PLATFORM):
            return self._in_class(cls)
        f = ctx.site_flow(site)
        body = ctx.program.method(*ctx.method_ref(site.dex, site.method_idx))
        if f is None or body is None:
            return []
        server = _server_value(ctx, site, args)
        if server is None:
            return []
        found: set[str] = set()
        self._follow(body, f, server, "server", found, set())
        return sorted(found)

    def _in_class(self, cls: str) -> list[str]:
        """Guards anywhere in the server class and its inner classes (library callbacks)."""
        top = cls.removesuffix(";").split("$", 1)[0]
        found = set()
        for s in self.guard_sites:
            scls = self.ctx.method_ref(s.dex, s.method_idx)[0]
            if scls.removesuffix(";").split("$", 1)[0] == top and self._client_auth_on(s):
                found.add(s.spec.method)
        return sorted(found)

    # ---- following an object through the app --------------------------------------------------

    def _follow(self, body: MethodBody, f: MethodFlow, v: Value, kind: str, found: set[str], seen: set) -> None:
        """Follow ``v`` (the server socket, or an accepted socket) inside ``body`` and from there
        into fields, callees and callers."""
        key = (body.sig(), v, kind)
        if key in seen or len(seen) >= MAX_PLACES:
            return
        seen.add(key)
        ctx = self.ctx
        insns = f.code.insns
        for pc in f.pcs:
            op = insns[pc] & 0xFF
            if 0x6E <= op <= 0x72 or 0x74 <= op <= 0x78:
                self._invoke(body, f, pc, op, v, kind, found, seen)
            elif 0x59 <= op <= 0x5F or 0x67 <= op <= 0x6D:
                if f.reached(pc) and f.operand_at(pc) == v:  # the socket itself, not a stream of it
                    self._into_field(f, pc, op, kind, found, seen)
            elif op == 0x11 and f.reached(pc) and f.operand_at(pc) == v:
                for cs in ctx.callers(body)[:MAX_PLACES]:
                    cf = ctx.site_flow(cs)
                    cb = ctx.program.method(*ctx.method_ref(cs.dex, cs.method_idx))
                    if cf is not None and cb is not None:
                        res = call(body.sig(), cf.regs_at(cs.pc), body.static)
                        if res is not None:
                            self._follow(cb, cf, res, kind, found, seen)

    def _invoke(self, body: MethodBody, f: MethodFlow, pc: int, op: int, v: Value, kind: str,
                found: set[str], seen: set) -> None:
        ctx = self.ctx
        if not f.reached(pc):
            return
        try:
            target = ctx.dexes[body.dex].method_str(f.code.insns[pc + 1])
        except DexError:
            return
        args = f.regs_at(pc)
        cls, name, params, ret = parse_sig(target)
        guard = self.guard_methods.get(target)
        if guard is not None:
            recv = args[0] if args and op not in (0x71, 0x77) else None
            on_accepted = kind == "accepted" and guard != "setNeedClientAuth"
            on_server = kind == "server" and guard == "setNeedClientAuth" and len(args) > 1 and args[1] == Const(1)
            if (on_accepted or on_server) and recv is not None and contains(recv, v):
                found.add(guard)
            return
        if kind == "server" and args and args[0] == v and op not in (0x71, 0x77):
            if name in _ACCEPT and ret != "V":
                accepted = call(target, args, False)
                if accepted is not None:
                    self._follow(body, f, accepted, "accepted", found, seen)
                return
            if name in _RECEIVE and len(args) > 1 and args[1] is not None:
                self._follow(body, f, args[1], "accepted", found, seen)
                return
        for k, a in enumerate(args):
            if a == v:
                self._into_callee(cls, name, params, ret, op, k, kind, found, seen)

    def _into_callee(self, cls: str, name: str, params: tuple[str, ...], ret: str, op: int, k: int, kind: str,
                     found: set[str], seen: set) -> None:
        ctx = self.ctx
        if cls.startswith(("Ljava/", "Ljavax/", "Landroid/", "Lkotlin/")):
            return
        for m in ctx.program.implementations(cls, name, params, ret, op in (0x71, 0x77))[:4]:
            mf = ctx.body_flow(m)
            if mf is not None:
                self._follow(m, mf, FromParam(k, None, m.sig()), kind, found, seen)

    def _into_field(self, f: MethodFlow, pc: int, op: int, kind: str, found: set[str], seen: set) -> None:
        """The object is stored in a field: follow it in every method that reads that field."""
        ctx = self.ctx
        try:
            fidx = f.code.insns[pc + 1]
            fcls, fname, ftype = f.dex.field_ref(fidx)
        except (DexError, IndexError):
            return
        classes = {fcls, *ctx.program.subclasses(fcls)}
        for s in self._reads(fcls, fname, ftype)[:MAX_PLACES]:
            rf = ctx.site_flow(s)
            rb = ctx.program.method(*ctx.method_ref(s.dex, s.method_idx))
            if rf is None or rb is None:
                continue
            for v in _field_values(rf, classes, fname, ftype):
                self._follow(rb, rf, v, kind, found, seen)

    def _reads(self, cls: str, name: str, ftype: str) -> list[CallSite]:
        decl = self.ctx.program.field(cls, name, ftype)
        return self.ctx.field_access(decl, FIELD_READ_OPS) if decl is not None else []

    def _client_auth_on(self, s: CallSite) -> bool:
        """Every guard but ``setNeedClientAuth``, which counts only with ``true``."""
        if s.spec.method != "setNeedClientAuth":
            return True
        args = self.ctx.args_at(s)
        return len(args) > 1 and args[1] == Const(1)


def _server_value(ctx: Context, site: CallSite, args: list[Value | None]) -> Value | None:
    """The server object a listener call creates or binds, as it appears in the method's registers
    after the call."""
    spec = site.spec
    if spec.method == "<init>":
        a0 = args[0] if args else None
        return Obj(a0.desc, a0.pc) if isinstance(a0, New) else a0
    static = ctx.dexes[site.dex].data[site.code_off + 16 + 2 * site.pc] in (0x71, 0x77)
    if spec.method == "createServerSocket" or static:
        return call(ctx.sig(site.dex, site.target), args, static)
    return args[0] if args else None


def _field_values(f: MethodFlow, classes: set[str], name: str, ftype: str) -> set[Value]:
    """The values of reads of a field in a method, as they appear in its registers."""
    tail = f"->{name}:{ftype}"
    out: set[Value] = set()
    for st in f.states.values():
        for v in st:
            if isinstance(v, FieldRead) and v.ref.endswith(tail) and v.ref[: -len(tail)] in classes:
                out.add(v)
    return out
