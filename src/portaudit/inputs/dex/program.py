"""The whole app: every DEX file together, for questions that cross classes and files.

Where is a class defined, what is its superclass, which method body does a call reach (walking
up the app's own class hierarchy), which classes extend a given one, how is a field declared
(access flags, initial value).  Everything is computed on first use and cached; nothing here
decodes code.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import TypeGuard

from .parser import ACC_FINAL, ACC_STATIC, NO_INDEX, DexError, DexFile


@dataclass(frozen=True)
class MethodBody:
    """A method defined in the app, with code."""

    dex: int  # index in Program.dexes
    midx: int  # method index in that DEX
    code_off: int
    flags: int
    cls: str  # descriptor of the defining class
    name: str
    params: tuple[str, ...]
    ret: str

    @property
    def static(self) -> bool:
        return bool(self.flags & ACC_STATIC)

    def sig(self) -> str:
        return f"{self.cls}->{self.name}({''.join(self.params)}){self.ret}"


@dataclass(frozen=True)
class FieldDecl:
    cls: str  # declaring class
    name: str
    type: str
    flags: int
    initial: object  # the static_values entry (int, str, bool, None) or NO_INIT

    @property
    def final(self) -> bool:
        return bool(self.flags & ACC_FINAL)

    @property
    def static(self) -> bool:
        return bool(self.flags & ACC_STATIC)

    def ref(self) -> str:
        return f"{self.cls}->{self.name}:{self.type}"


NO_INIT = object()


def const_initial(v: object) -> TypeGuard[int | str | bool | None]:
    """A static_values entry that is a constant: not NO_INIT, an array or an annotation (the parser
    gives those as tuples, and other value types as ("other", type))."""
    return v is None or isinstance(v, (int, str))


class Program:
    """Every DEX file of one app."""

    def __init__(self, dexes: list[DexFile], errors: list[str] | None = None):
        self.dexes = dexes
        self.errors = errors if errors is not None else []
        self._where: dict[str, tuple[int, int] | None] = {}
        self._supers: dict[str, str | None] = {}
        self._subs: dict[str, set[str]] = {}
        self._super_cols: dict[int, array] = {}
        self._type_cols: dict[int, array] = {}
        self._methods: dict[str, list[MethodBody]] = {}
        self._fields: dict[str, list[FieldDecl]] = {}

    # ---- classes ---------------------------------------------------------------------

    def class_def(self, desc: str) -> tuple[int, int] | None:
        """(dex index, class_def index) of the first DEX that defines ``desc``."""
        if desc in self._where:
            return self._where[desc]
        hit = None
        for i, d in enumerate(self.dexes):
            try:
                t = d.find_type(desc)
                cd = d.class_def_for_type(t) if t is not None else None
            except DexError:
                continue
            if cd is not None:
                hit = (i, cd)
                break
        self._where[desc] = hit
        return hit

    def defined(self, desc: str) -> bool:
        return self.class_def(desc) is not None

    def superclass(self, desc: str) -> str | None:
        if desc in self._supers:
            return self._supers[desc]
        sup = None
        hit = self.class_def(desc)
        if hit is not None:
            d = self.dexes[hit[0]]
            try:
                s = d.class_def(hit[1])[2]
                sup = d.type_desc(s) if s != NO_INDEX else None
            except DexError:
                sup = None
        self._supers[desc] = sup
        return sup

    def supertypes(self, desc: str, limit: int = 32) -> list[str]:
        """``desc`` and its superclasses, nearest first (stops at the first class not in the app,
        which is still listed: ``Lfi/iki/elonen/NanoHTTPD;`` when only the subclass is in the DEX)."""
        out = [desc]
        cur = desc
        while len(out) < limit:
            sup = self.superclass(cur)
            if sup is None or sup in out:
                break
            out.append(sup)
            cur = sup
        return out

    def subclasses(self, desc: str) -> set[str]:
        """Every app class that extends ``desc`` (transitively), ``desc`` excluded."""
        got = self._subs.get(desc)
        if got is not None:
            return got
        out: set[str] = set()
        todo = [desc]
        while todo and len(out) < 10_000:
            for c in self._children(todo.pop()):
                if c not in out:
                    out.add(c)
                    todo.append(c)
        self._subs[desc] = out
        return out

    def _children(self, desc: str) -> list[str]:
        """Classes whose direct superclass is ``desc`` (a C-speed scan of each DEX's class_defs)."""
        out = []
        for i, d in enumerate(self.dexes):
            try:
                t = d.find_type(desc)
                if t is None:
                    continue
                col = self._super_cols.get(i)
                if col is None:
                    col = self._super_cols[i] = d.class_def_column(2)
                types = self._type_cols.get(i)
                if types is None:
                    types = self._type_cols[i] = d.class_def_column(0)
                k = -1
                while True:
                    try:
                        k = col.index(t, k + 1)
                    except ValueError:
                        break
                    out.append(d.type_desc(types[k]))
            except DexError:
                continue
        return out

    # ---- methods ---------------------------------------------------------------------

    def methods(self, desc: str) -> list[MethodBody]:
        """The methods with code that class ``desc`` defines."""
        got = self._methods.get(desc)
        if got is not None:
            return got
        out: list[MethodBody] = []
        hit = self.class_def(desc)
        if hit is not None:
            i, cd = hit
            d = self.dexes[i]
            try:
                data = d.class_data(cd)
                for m in data.direct_methods + data.virtual_methods:
                    if not m.code_off:
                        continue
                    _c, name, params, ret = d.method_ref(m.idx)
                    out.append(MethodBody(i, m.idx, m.code_off, m.flags, desc, name, params, ret))
            except DexError as exc:
                self.errors.append(f"{d.label}: {exc}")
        self._methods[desc] = out
        return out

    def method(self, desc: str, name: str, params: tuple[str, ...], ret: str | None) -> MethodBody | None:
        """The body a call of ``desc->name(params)ret`` reaches: defined in ``desc`` or the nearest
        superclass in the app."""
        for c in self.supertypes(desc):
            for m in self.methods(c):
                if m.name == name and m.params == params and (ret is None or m.ret == ret):
                    return m
        return None

    def implementations(self, desc: str, name: str, params: tuple[str, ...], ret: str,
                        static: bool) -> list[MethodBody]:
        """Bodies a call may reach: the one found from ``desc`` upwards, and (for virtual calls)
        every override in an app subclass of ``desc``."""
        out = []
        base = self.method(desc, name, params, ret)
        if base is not None:
            out.append(base)
        if not static and name != "<init>":
            for sub in sorted(self.subclasses(desc)):
                for m in self.methods(sub):
                    if m.name == name and m.params == params and m.ret == ret and m not in out:
                        out.append(m)
        return out

    # ---- fields ----------------------------------------------------------------------

    def fields(self, desc: str) -> list[FieldDecl]:
        got = self._fields.get(desc)
        if got is not None:
            return got
        out: list[FieldDecl] = []
        hit = self.class_def(desc)
        if hit is not None:
            i, cd = hit
            d = self.dexes[i]
            try:
                data = d.class_data(cd)
                init = d.static_values(cd)
                for f in data.static_fields + data.instance_fields:
                    _c, name, ftype = d.field_ref(f.idx)
                    out.append(FieldDecl(desc, name, ftype, f.flags, init.get(f.idx, NO_INIT)))
            except DexError as exc:
                self.errors.append(f"{d.label}: {exc}")
        self._fields[desc] = out
        return out

    def field(self, desc: str, name: str, ftype: str) -> FieldDecl | None:
        """The declaration a field reference ``desc->name:ftype`` resolves to (up the hierarchy)."""
        for c in self.supertypes(desc):
            for f in self.fields(c):
                if f.name == name and f.type == ftype:
                    return f
        return None
