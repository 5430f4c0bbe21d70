"""What every part of the engine shares: the DEX files, the whole-app index, the interpreted
methods (cached), locations, and searches for calls and field writes across every DEX file."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...model import Location
from ...options import Limits
from ...values import Const, Value
from .absval import dotted
from .callsites import FIELD_WRITE_OPS, CallSite, Searcher
from .dataflow import MethodFlow, Resources
from .opcodes import NAMES, decode
from .parser import ACC_PRIVATE, DexError, DexFile
from .program import NO_INIT, FieldDecl, MethodBody, Program, const_initial

if TYPE_CHECKING:
    from ...libmatch import LibraryMatch

# A final static field's initial value is folded at the read only when it is not the type's
# default: DEX writers fill the encoded array with defaults for fields set in <clinit> at run time.
_DEFAULTS = (None, 0, False)


class Context:
    def __init__(self, dexes: list[DexFile], errors: list[str], limits: Limits, resources: Resources | None,
                 libraries: LibraryMatch | None = None):
        self.dexes = dexes
        self.libraries = libraries  # library profiles matched in the app (docs/profiles.md)
        self.errors = errors
        self.limits = limits
        self.resources = resources
        self.program = Program(dexes, errors)
        self.searchers = [Searcher(d, i) for i, d in enumerate(dexes)]
        self.deadline = time.monotonic() + limits.timeout_seconds
        self._flows: dict[tuple[int, int], MethodFlow | None] = {}
        self._callers: dict[tuple, list[CallSite]] = {}
        self._writes: dict[str, list[CallSite]] = {}
        self.interpreted = 0

    def original(self, cls_desc: str) -> str:
        """The library's own name of a class that library matching found renamed."""
        return self.libraries.original_class(cls_desc) if self.libraries else cls_desc

    # ---- time ------------------------------------------------------------------------

    def out_of_time(self) -> bool:
        return time.monotonic() > self.deadline

    # ---- names and locations ---------------------------------------------------------------

    def method_ref(self, dex_i: int, midx: int) -> tuple[str, str, tuple[str, ...], str]:
        return self.dexes[dex_i].method_ref(midx)

    def sig(self, dex_i: int, midx: int) -> str:
        cls, name, params, ret = self.method_ref(dex_i, midx)
        return f"{cls}->{name}({''.join(params)}){ret}"

    def location(self, dex_i: int, code_off: int, midx: int, pc: int) -> Location:
        """class + method + offset of an instruction, with the instruction (smali) as snippet."""
        dex = self.dexes[dex_i]
        cls, name, params, ret = dex.method_ref(midx)
        try:
            snippet = render(dex, dex.code_item(code_off), pc)
        except DexError:
            snippet = None
        return Location(file=dex.label, class_=dotted(cls), method=f"{name}({''.join(params)}){ret}", offset=pc,
                        snippet=snippet)

    def site_location(self, s: CallSite) -> Location:
        return self.location(s.dex, s.code_off, s.method_idx, s.pc)

    # ---- interpreted methods -------------------------------------------------------------

    def flow(self, dex_i: int, code_off: int, midx: int) -> MethodFlow | None:
        """The fixpoint of a method (states kept at every invoke, field access and return)."""
        key = (dex_i, code_off)
        if key in self._flows:
            return self._flows[key]
        f = None
        if not self.out_of_time():
            dex = self.dexes[dex_i]
            try:
                f = MethodFlow(dex, dex.code_item(code_off), self.sig(dex_i, midx), resources=self.resources,
                               final_static=self.final_static)
                self.interpreted += 1
            except DexError as exc:
                self.errors.append(f"{dex.label}: {exc}")
            except Exception as exc:  # noqa: BLE001 - one hostile method must not end the analysis
                self.errors.append(f"{dex.label}: method at {code_off:#x} not analysed ({type(exc).__name__}: {exc})")
        self._flows[key] = f
        return f

    def site_flow(self, s: CallSite) -> MethodFlow | None:
        return self.flow(s.dex, s.code_off, s.method_idx)

    def body_flow(self, m: MethodBody) -> MethodFlow | None:
        return self.flow(m.dex, m.code_off, m.midx)

    def args_at(self, s: CallSite) -> list[Value | None]:
        """The argument values of the invoke at a call site (in the caller's own terms)."""
        f = self.site_flow(s)
        return f.regs_at(s.pc) if f is not None else []

    def final_static(self, cls: str, name: str, ftype: str) -> Value | None:
        decl = self.program.field(cls, name, ftype)
        if decl is None or not (decl.static and decl.final) or decl.initial is NO_INIT:
            return None
        v = decl.initial
        if not const_initial(v) or any(v is d or (type(v) is type(d) and v == d) for d in _DEFAULTS):
            return None
        return Const(v)

    # ---- searches across every DEX -------------------------------------------------------

    def calls_to(self, refs: Sequence[tuple[str, str, tuple[str, ...] | None, str | None]], key: object,
                 within: str | None = None) -> list[CallSite]:
        """Verified invoke sites of the given method references (class, name, params, return);
        ``within``: only in the methods of that class (a private method's callers)."""
        ck = (tuple(refs), within)
        got = self._callers.get(ck)
        if got is not None:
            return got
        out: list[CallSite] = []
        for i, d in enumerate(self.dexes):
            try:
                idxs: list[int] = []
                for cls, name, params, ret in refs:
                    idxs += d.find_method(cls, name, params, ret)
                if idxs:
                    out.extend(self.searchers[i].search({m: key for m in idxs}, code_offs=self._scope(i, within)))
            except DexError as exc:
                self.errors.append(f"{d.label}: {exc}")
        self._callers[ck] = out
        return out

    def _scope(self, dex_i: int, cls: str | None) -> list[int] | None:
        """The code offsets of ``cls``'s methods in DEX ``dex_i`` (None: the whole DEX)."""
        if cls is None:
            return None
        return [m.code_off for m in self.program.methods(cls) if m.dex == dex_i]

    def callers(self, body: MethodBody) -> list[CallSite]:
        """Calls that may reach ``body``: references to it through its class, through an app
        subclass that does not override it, or (virtual methods) through an app superclass that
        declares it."""
        classes = [body.cls]
        if body.name != "<init>":
            prog = self.program
            for sub in sorted(prog.subclasses(body.cls)):
                if prog.method(sub, body.name, body.params, body.ret) == body:
                    classes.append(sub)
            if not body.static:
                for sup in prog.supertypes(body.cls)[1:]:
                    if any(m.name == body.name and m.params == body.params for m in prog.methods(sup)):
                        classes.append(sup)
        refs = [(c, body.name, body.params, body.ret) for c in classes]
        return self.calls_to(refs, ("caller", body.sig()), body.cls if body.flags & ACC_PRIVATE else None)

    def field_access(self, decl: FieldDecl, ops: bytes = FIELD_WRITE_OPS) -> list[CallSite]:
        """Every write (``iput*`` / ``sput*``; reads with ``FIELD_READ_OPS``) of a field, referenced
        through its class or an app subclass; a private field only in its own class's code."""
        key = f"{decl.ref()} {ops!r}"
        got = self._writes.get(key)
        if got is not None:
            return got
        private = decl.flags & ACC_PRIVATE
        classes = [decl.cls] if private else [decl.cls, *sorted(self.program.subclasses(decl.cls))]
        out: list[CallSite] = []
        for i, d in enumerate(self.dexes):
            try:
                idxs = [f for c in classes for f in d.find_field(c, decl.name, decl.type)]
                if idxs:
                    out.extend(self.searchers[i].search({f: key for f in idxs}, ops,
                                                        self._scope(i, decl.cls if private else None)))
            except DexError as exc:
                self.errors.append(f"{d.label}: {exc}")
        self._writes[key] = out
        return out


def render(dex: DexFile, code, pc: int) -> str:
    """The instruction at ``pc`` in smali syntax (invokes and field accesses)."""
    try:
        op, a, b, c, regs = decode(code.insns, pc)
        name = NAMES[op]
        if regs is not None:
            target = dex.method_str(b)
            if name.endswith("/range") and regs:
                rl = f"{{v{regs[0]} .. v{regs[-1]}}}"
            else:
                rl = "{" + ", ".join(f"v{r}" for r in regs) + "}"
            return f"{name} {rl}, {target}"
        if 0x52 <= op <= 0x5F:
            fc, fn, ft = dex.field_ref(c)
            return f"{name} v{a}, v{b}, {fc}->{fn}:{ft}"
        if 0x60 <= op <= 0x6D:
            fc, fn, ft = dex.field_ref(b)
            return f"{name} v{a}, {fc}->{fn}:{ft}"
        if 0x0F <= op <= 0x11:
            return f"{name} v{a}"
    except (DexError, IndexError):
        return "?"
    return name
