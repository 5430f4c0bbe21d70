"""Types in one Java / Kotlin file: which class a name, a receiver or a ``new`` means, fully qualified,
through the file's package and imports, its own declarations and the tree's class hierarchy
(:class:`~.jvm_outline.Outline`); declared and inferred types of locals, parameters and fields."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import lang as L
from .jvm_outline import Outline, outline

if TYPE_CHECKING:
    from .detect import FileScan

CLASS_NODES = ("class_declaration", "interface_declaration", "enum_declaration", "record_declaration",
               "object_declaration")
CTOR_NODES = ("constructor_declaration", "secondary_constructor", "compact_constructor_declaration")
INIT_NODES = ("anonymous_initializer", "static_initializer", "block")  # `block` only directly in a class body


@dataclass
class FieldDecl:
    owner: str
    name: str
    node: Any  # the declaration
    value: Any  # initialiser node (None when none)
    type: str | None  # type as written
    final: bool
    static: bool
    private: bool
    getter: Any = None  # Kotlin custom getter
    ctor_param: int | None = None  # Kotlin primary-constructor property: its parameter index


class JvmEnv:
    def __init__(self, scan: "FileScan"):
        self.scan = scan
        self.lang = scan.lang
        self.fo = outline(scan.rel, scan.lang, scan.src)
        project = scan.project
        if project is not None and project.outline is not None:
            self.outline = project.outline
        else:
            from .catalog import library_supers
            self.outline = Outline([self.fo], library_supers())
        self._classes: list[tuple[Any, str]] | None = None
        self._decls: dict[str, list[tuple[Any, str | None, Any]]] | None = None
        self._fields: dict[tuple[str, str], FieldDecl | None] = {}

    # -- classes ---------------------------------------------------------------------------
    @property
    def classes(self) -> list[tuple[Any, str]]:
        """(node, fully-qualified name) of every class / object / interface declared here."""
        if self._classes is None:
            out = []
            stack: list[tuple[Any, str]] = [(self.scan.root, self.fo.package)]
            while stack:
                n, prefix = stack.pop()
                for c in n.named_children:
                    if c.type in CLASS_NODES:
                        nm = c.child_by_field_name("name") or next(
                            (k for k in c.named_children if k.type in ("identifier", "type_identifier")), None)
                        fqn = f"{prefix}.{L.text(nm)}" if prefix else L.text(nm)
                        out.append((c, fqn))
                        stack.append((c, fqn))
                    elif c.type == "companion_object":
                        out.append((c, prefix + ".Companion"))
                        stack.append((c, prefix))
                    else:
                        stack.append((c, prefix))
            self._classes = out
        return self._classes

    def class_at(self, node: Any) -> tuple[Any, str] | None:
        """The innermost class declaration around ``node`` (a companion object counts as its class)."""
        n = node.parent
        while n is not None:
            if n.type in CLASS_NODES:
                for c, fqn in self.classes:
                    if c.id == n.id:
                        return c, fqn
            n = n.parent
        return None

    def class_node(self, fqn: str) -> Any:
        for c, f in self.classes:
            if f == fqn:
                return c
        return None

    def resolve(self, name: str) -> str:
        name = re.sub(r"<.*", "", name).strip().rstrip("?")
        for _c, fqn in self.classes:
            if fqn.rsplit(".", 1)[-1] == name or fqn.endswith("." + name):
                return fqn
        return self.outline.resolve(name, self.fo)

    def supertypes(self, fqn: str) -> tuple[str, ...]:
        node = self.class_node(fqn)
        if node is not None:
            return tuple(self.resolve(s) for s in self.super_names(node))
        return self.outline.supertypes(fqn)

    def super_names(self, cls: Any) -> list[str]:
        out = []
        for c in cls.named_children:
            if c.type == "superclass":
                out += [L.text(k) for k in c.named_children]
            elif c.type == "super_interfaces":
                out += [L.text(k) for t in c.named_children for k in t.named_children]
            elif c.type == "delegation_specifiers":
                for d in c.named_children:
                    for k in d.named_children:
                        ut = k if k.type == "user_type" else next(
                            (x for x in k.named_children if x.type == "user_type"), None)
                        if ut is not None:
                            out.append(L.text(ut))
        return [re.sub(r"<.*", "", s).strip() for s in out]

    def superclass(self, fqn: str) -> str | None:
        sup = self.supertypes(fqn)
        return sup[0] if sup else None

    def ancestors(self, fqn: str) -> list[str]:
        seen = [fqn]
        i = 0
        while i < len(seen) and len(seen) < 32:
            for s in self.supertypes(seen[i]):
                if s not in seen:
                    seen.append(s)
            i += 1
        return seen

    def is_subtype(self, fqn: str | None, targets: tuple[str, ...] | set[str]) -> bool:
        return fqn is not None and any(a in targets for a in self.ancestors(fqn))

    # -- declarations ----------------------------------------------------------------------
    @property
    def decls(self) -> dict[str, list[tuple[Any, str | None, Any]]]:
        """name -> [(declaring node, type as written or None, initialiser or None)]: locals,
        parameters, fields, Kotlin properties and constructor parameters."""
        if self._decls is None:
            out: dict[str, list[tuple[Any, str | None, Any]]] = {}
            stack = [self.scan.root]
            while stack:
                n = stack.pop()
                t = n.type
                if t in ("local_variable_declaration", "field_declaration"):
                    typ = n.child_by_field_name("type")
                    for d in n.children_by_field_name("declarator"):
                        nm = d.child_by_field_name("name")
                        out.setdefault(L.text(nm), []).append((d, L.text(typ) if typ is not None else None,
                                                                d.child_by_field_name("value")))
                elif t in ("formal_parameter", "catch_formal_parameter", "enhanced_for_statement"):
                    nm, typ = n.child_by_field_name("name"), n.child_by_field_name("type")
                    if nm is not None:
                        out.setdefault(L.text(nm), []).append((n, L.text(typ) if typ is not None else None, None))
                elif t == "property_declaration" and self.lang == "kotlin":
                    vd = next((c for c in n.named_children if c.type == "variable_declaration"), None)
                    if vd is not None and vd.named_children:
                        ut = next((c for c in vd.named_children if c.type in ("user_type", "nullable_type")), None)
                        kids = n.named_children
                        init = kids[-1] if kids and kids[-1].id != vd.id and kids[-1].type not in (
                            "getter", "setter", "modifiers") else None
                        out.setdefault(L.text(vd.named_children[0]), []).append(
                            (n, L.text(ut).rstrip("?") if ut is not None else None, init))
                elif t in ("parameter", "class_parameter") and self.lang == "kotlin":
                    kids = n.named_children
                    nm = next((c for c in kids if c.type == "identifier"), None)
                    ut = next((c for c in kids if c.type in ("user_type", "nullable_type")), None)
                    if nm is not None:
                        out.setdefault(L.text(nm), []).append((n, L.text(ut).rstrip("?") if ut is not None else None,
                                                               None))
                stack.extend(n.named_children)
            self._decls = out
        return self._decls

    def var_decl(self, name: str, at: Any) -> tuple[Any, str | None, Any] | None:
        """The declaration of ``name`` visible at ``at``: enclosing functions first, then the
        enclosing classes (and their supertypes declared here), then the file."""
        cands = self.decls.get(name, [])
        if not cands:
            return None
        fn = L.function_of(at)
        while fn is not None:
            inner = [c for c in cands if _within(c[0], fn) and c[0].start_byte <= at.start_byte]
            if inner:
                return inner[-1]
            fn = L.function_of(fn)
        cls = self.class_at(at)
        while cls is not None:
            members = [c for c in cands if self._member_of(c[0], cls[0])]
            if members:
                return members[0]
            cls = self.class_at(cls[0])
        top = [c for c in cands if L.function_of(c[0]) is None and self.class_at(c[0]) is None]
        return top[0] if top else None

    def _member_of(self, decl: Any, cls: Any) -> bool:
        if not _within(decl, cls) or L.function_of(decl) is not None and decl.type not in ("class_parameter",):
            return False
        owner = self.class_at(decl)
        return owner is not None and owner[0].id == cls.id

    def field(self, owner: str, name: str) -> FieldDecl | None:
        """The field ``name`` declared by class ``owner`` in this file (also a Kotlin primary
        constructor property and a companion object's property)."""
        key = (owner, name)
        if key in self._fields:
            return self._fields[key]
        found = None
        cls = self.class_node(owner)
        if cls is not None:
            for decl, typ, init in self.decls.get(name, []):
                owner_cls = self.class_at(decl)
                if owner_cls is None or (owner_cls[0].id != cls.id and not (
                        owner_cls[0].type == "companion_object" and _within(owner_cls[0], cls))):
                    continue
                if decl.type in ("local_variable_declaration",) or (L.function_of(decl) is not None
                                                                      and decl.type != "class_parameter"):
                    continue
                if decl.type == "parameter":
                    continue
                found = self._field_decl(owner, name, decl, typ, init)
                break
        self._fields[key] = found
        return found

    def _field_decl(self, owner: str, name: str, decl: Any, typ: str | None, init: Any) -> FieldDecl:
        mods = ""
        holder = decl.parent if decl.type == "variable_declarator" else decl
        m = next((c for c in holder.named_children if c.type == "modifiers"), None)
        if m is not None:
            mods = L.text(m)
        kw = " ".join(L.text(c) for c in holder.children if not c.is_named)
        final = bool(re.search(r"\bfinal\b|\bconst\b", mods)) or bool(re.search(r"\bval\b", kw))
        static = "static" in mods or "const" in mods or (holder.parent is not None and any(
            a.type in ("companion_object", "object_declaration") for a in _ancestors(holder, 3)))
        getter = next((c for c in holder.named_children if c.type == "getter"), None)
        ctor_param = None
        if decl.type == "class_parameter":
            params = [c for c in decl.parent.named_children if c.type == "class_parameter"]
            ctor_param = next(i for i, c in enumerate(params) if c.id == decl.id)
            final = True
            init = None
        if self.class_node(owner) is not None and self.class_node(owner).type == "interface_declaration":
            static = final = True  # interface fields are constants
        return FieldDecl(owner, name, decl, init, typ, final, static, "private" in mods, getter, ctor_param)

    # -- expression types ------------------------------------------------------------------
    def expr_type(self, node: Any, depth: int = 0) -> str | None:  # noqa: C901 - one switch over node kinds
        if node is None or depth > 8:
            return None
        t = node.type
        if t in ("parenthesized_expression", "value_argument") and node.named_children:
            return self.expr_type(node.named_children[-1], depth + 1)
        if t == "object_creation_expression":
            return self.resolve(L.text(node.child_by_field_name("type")))
        if t in ("cast_expression",):
            return self.resolve(L.text(node.child_by_field_name("type")))
        if t == "as_expression" and node.named_children:
            return self.resolve(L.text(node.named_children[-1]))
        if t in ("this", "this_expression"):
            cls = self.class_at(node)
            return cls[1] if cls else None
        if t in ("identifier", "simple_identifier"):
            return self.name_type(L.text(node), node, depth)
        if t in ("field_access", "navigation_expression"):
            kids = node.named_children
            if not kids:
                return None
            obj, fld = kids[0], kids[-1]
            if obj.type in ("this", "this_expression"):
                cls = self.class_at(node)
                decl = self.field(cls[1], L.text(fld)) if cls else None
                return self.resolve(decl.type) if decl and decl.type else None
            if obj.type == "identifier" and L.text(obj)[:1].isupper():  # Class.STATIC
                fqn = self.resolve(L.text(obj))
                decl = self.field(fqn, L.text(fld))
                if decl and decl.type:
                    return self.resolve(decl.type)
                return self.resolve(L.text(node)) if L.text(fld)[:1].isupper() else None
            ot = self.expr_type(obj, depth + 1)
            if ot:
                decl = self.field(ot, L.text(fld))
                return self.resolve(decl.type) if decl and decl.type else None
            return None
        call = L.extract_call(self.lang, node) if t in ("method_invocation", "call_expression") else None
        if call is not None:
            return self.call_type(call, depth)
        return None

    def name_type(self, name: str, at: Any, depth: int = 0) -> str | None:
        d = self.var_decl(name, at)
        if d is not None:
            decl, typ, init = d
            if typ and typ != "var":
                return self.resolve(typ)
            if init is not None:
                return self.expr_type(init, depth + 1)
            return None
        cls = self.class_at(at)
        if cls is not None:
            for anc in self.ancestors(cls[1]):
                f = self.field(anc, name)
                if f is not None:
                    return self.resolve(f.type) if f.type else (self.expr_type(f.value, depth + 1) if f.value
                                                                 else None)
        if name[:1].isupper():
            return self.resolve(name)  # a class used as a receiver (static call)
        return None

    def call_type(self, call: L.Call, depth: int = 0) -> str | None:
        """The type a call returns: a constructor, a known factory / fluent method of the catalogue,
        or a method of this file with a declared return type."""
        from .catalog import factories, fluent_methods
        if self.lang == "kotlin" and call.receiver is None and call.name[:1].isupper():
            fqn = self.resolve(call.name)
            if fqn in self.outline.classes or fqn in self.outline.library or "." in fqn:
                return fqn
        if call.kind == "new":
            return self.resolve(call.callee)
        if call.name in ("apply", "also") and call.receiver is not None:
            return self.expr_type(call.receiver, depth + 1)
        if call.receiver is not None:
            rt = self.expr_type(call.receiver, depth + 1)
        else:
            cls = self.class_at(call.node)
            rt = cls[1] if cls else None
        if rt:
            for anc in self.ancestors(rt):
                got = factories().get(f"{anc}.{call.name}")
                if got:
                    return got
                if call.name in fluent_methods().get(anc, ()):
                    return rt
            node = self.class_node(rt)
            if node is not None:
                m = self.method_node(rt, call.name, len(call.args))
                if m is not None:
                    typ = m.child_by_field_name("type") or next(
                        (c for c in m.named_children if c.type in ("user_type", "nullable_type")), None)
                    if typ is not None:
                        return self.resolve(L.text(typ))
        return None

    def method_node(self, owner: str, name: str, arity: int | None = None) -> Any:
        cls = self.class_node(owner)
        if cls is None:
            return None
        for fn in L.iter_functions(self.lang, cls):
            if fn.name == name and fn.node.type not in CTOR_NODES and (arity is None or len(fn.params) == arity
                                                                       or _kotlin_defaults(fn, arity)):
                owner_cls = self.class_at(fn.node)
                if owner_cls is not None and owner_cls[0].id == cls.id:
                    return fn.node
        return None


def _kotlin_defaults(fn: L.Function, arity: int) -> bool:
    return len(fn.params) > arity and all(d is not None for _, d in fn.params[arity:])


def _within(node: Any, anc: Any) -> bool:
    return anc.start_byte <= node.start_byte and node.end_byte <= anc.end_byte


def _ancestors(node: Any, n: int) -> list[Any]:
    out: list[Any] = []
    p = node.parent
    while p is not None and len(out) < n:
        out.append(p)
        p = p.parent
    return out


def env(scan: "FileScan") -> JvmEnv:
    got = scan.ctx.get("jvm")
    if got is None:
        got = scan.ctx["jvm"] = JvmEnv(scan)
    return got
