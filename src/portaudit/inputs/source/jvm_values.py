"""Java / Kotlin values: fields (final and constant, or every write in the tree), configuration reads
with their defaults (SharedPreferences, System properties, environment, BuildConfig, Android
resources), address producers with their documented null meaning, and which calls reach a method or
constructor (by the receiver's type, not by name)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...catalog import sdk_for_class
from ...model import Bind, Origin
from ...values import Addr, Const, FromConfig, FromField, FromParam, SockAddr, Unknown, Value
from . import lang as L
from .family import CallRef, FieldFacts, FieldRef, Family, FnInfo, register
from .flowvals import Via, const_str
from .jvm_types import CTOR_NODES, FieldDecl, env
from .resolve import describe_short

if TYPE_CHECKING:
    from .catalog import Spec
    from .detect import FileScan

INET = ("java.net.InetAddress", "java.net.Inet4Address", "java.net.Inet6Address")
PREFS_READS = {"getInt", "getString", "getLong", "getBoolean", "getFloat"}
JSON_READS = {"optInt", "optString", "optLong", "optBoolean"}  # org.json JSONObject: the options a JS plugin passes


class JvmFamily(Family):
    name = "jvm"
    langs = ("java", "kotlin")

    # -- matching ---------------------------------------------------------------------------
    def is_ctor(self, scan: "FileScan", call: L.Call) -> bool:
        if call.kind in ("new", "supertype"):
            return True
        if call.kind == "super":
            return call.name != "this"
        if scan.lang == "kotlin" and call.kind == "call" and call.name[:1].isupper():
            head = call.callee.rsplit(".", 1)[0] if "." in call.callee else ""
            return not head or head[:1].islower() or env(scan).expr_type(call.receiver) is None
        return False

    def ctor_type(self, scan: "FileScan", call: L.Call) -> str | None:
        e = env(scan)
        if call.kind == "super":
            cls = e.class_at(call.node)
            return e.superclass(cls[1]) if cls else None
        return e.resolve(call.callee)

    def call_names(self, scan: "FileScan", call: L.Call) -> tuple[str, ...]:
        if self.is_ctor(scan, call):
            return ("<init>",)
        return (call.name,)

    def receiver_type(self, scan: "FileScan", call: L.Call) -> str | None:
        e = env(scan)
        if call.receiver is None:
            static = _static_import(scan.src, call.name)
            cls = e.class_at(call.node)
            if static and not (cls and any(e.method_node(a, call.name) is not None for a in e.ancestors(cls[1]))):
                return static
        if call.receiver is None or L.text(call.receiver) in ("this", "super"):
            cls = e.class_at(call.node)
            if cls is None:
                return None
            if L.text(call.receiver) == "super":
                return e.superclass(cls[1])
            return cls[1]
        return e.expr_type(call.receiver)

    def type_ok(self, scan: "FileScan", spec: "Spec", call: L.Call) -> bool:
        if spec.modules and not any(self.imports(scan, m, call.name) for m in spec.modules):
            return False
        if not spec.classes:
            return True
        targets = set(spec.classes)
        e = env(scan)
        if self.is_ctor(scan, call):
            t = self.ctor_type(scan, call)
            if t is None or t in e.outline.classes:
                return False  # an app class: its own super(...) call is the listener
            return e.is_subtype(t, targets)
        return e.is_subtype(self.receiver_type(scan, call), targets)

    def extra_calls(self, scan: "FileScan") -> list[L.Call]:
        if scan.lang != "kotlin":
            return []
        from .jvm import property_setter_calls
        return property_setter_calls(scan)

    def imports(self, scan: "FileScan", module: str, name: str) -> bool:
        fo = env(scan).fo
        return (fo.imports.get(name) == f"{module}.{name}" or module in fo.wildcards or fo.package == module
                or any(v.startswith(module + ".") for v in fo.imports.values()))

    def matched_class(self, scan: "FileScan", spec: "Spec", call: L.Call) -> str | None:
        """Which of the entry's classes the receiver (or constructed class) descends from."""
        t = self.ctor_type(scan, call) if self.is_ctor(scan, call) else self.receiver_type(scan, call)
        if t is None:
            return None
        for anc in env(scan).ancestors(t):
            if anc in spec.classes:
                return anc
        return None

    # -- values -----------------------------------------------------------------------------
    def name_value(self, scan: "FileScan", node: Any, name: str, qual: str, depth: int,
                   seen: frozenset) -> Value | None:
        e = env(scan)
        if qual == "BuildConfig" or qual.endswith(".BuildConfig"):
            return self._build_config(scan, node, name)
        if qual in ("", "this", "super"):
            if qual == "" and self._is_local(scan, node, name):
                return None
            cls = e.class_at(node)
            earlier = self._written_before(scan, node, name)
            if earlier is not None:  # this.port = p; ... new ServerSocket(port): that write, here
                scan.hop("field-write", earlier[0], " ".join(L.text(earlier[0]).split())[:80])
                return scan.r.value(earlier[1], depth + 1, seen)
            while cls is not None:
                for anc in e.ancestors(cls[1]):
                    decl = e.field(anc, name)
                    if decl is not None:
                        return self._field_value(scan, decl, node, depth, seen)
                    if anc != cls[1] and anc in e.outline.classes and e.class_node(anc) is None:
                        return self._field_ref(scan, anc, name, e.outline.classes[anc].file)
                p = self._primary_param(scan, cls[0], cls[1], name)
                if p is not None:
                    return p
                cls = e.class_at(cls[0])
            return None
        owner = None
        if qual[:1].isupper() or re.fullmatch(r"[a-z_][\w]*(\.[a-z_]\w*)*\.[A-Z]\w*", qual):
            owner = e.resolve(qual)
        else:
            obj = node.named_children[0] if node.named_children else None
            owner = e.expr_type(obj) if obj is not None else None
        if owner is None:
            return None
        decl = e.field(owner, name)
        if decl is not None:
            return self._field_value(scan, decl, node, depth, seen)
        if owner in e.outline.classes:
            return self._field_ref(scan, owner, name, e.outline.classes[owner].file)
        return None

    def unresolved_name(self, scan: "FileScan", node: Any, name: str, qual: str) -> Value | None:
        if qual:
            return None
        e = env(scan)
        imported = e.fo.imports.get(name)
        if imported and imported.rsplit(".", 1)[0] and not imported.rsplit(".", 1)[0][-1:].isupper():
            return self._field_ref(scan, imported.rsplit(".", 1)[0], name, "")  # Kotlin top-level val
        static = _static_import(scan.src, name)
        if static:
            cls = static
            return self._field_ref(scan, cls, name, e.outline.classes[cls].file if cls in e.outline.classes else "")
        if scan.lang == "kotlin" and name[:1].isupper() and e.fo.package:
            return self._field_ref(scan, e.fo.package, name, "")  # same-package top-level constant
        return None

    def _written_before(self, scan: "FileScan", node: Any, name: str) -> tuple[Any, Any] | None:
        """The last plain write of field ``name`` earlier in the same function, on every path to
        ``node`` (straight-line code: not inside a branch that does not also hold ``node``)."""
        fn = L.function_of(node)
        if fn is None:
            return None
        best = None
        for n, left, right in _assignments(scan):
            if not (fn.start_byte <= n.start_byte and n.end_byte <= node.start_byte):
                continue
            if L.function_of(n) != fn or L.last_name(left) != name:
                continue
            if L.text(left) not in (name, f"this.{name}") or scan.only_sometimes(n, node):
                continue
            op = next((L.text(c) for c in n.children if not c.is_named), "=")
            if op == "=" and (best is None or n.start_byte > best[0].start_byte):
                best = (n, right)
        return best

    def _is_local(self, scan: "FileScan", node: Any, name: str) -> bool:
        d = env(scan).var_decl(name, node)
        return d is not None and L.function_of(d[0]) is not None and d[0].type not in ("class_parameter",)

    def _field_value(self, scan: "FileScan", decl: FieldDecl, at: Any, depth: int, seen: frozenset) -> Value:
        if decl.ctor_param is not None:
            cls = env(scan).class_node(decl.owner)
            return self._primary_param(scan, cls, decl.owner, decl.name) or Unknown(f"constructor parameter "
                                                                                     f"{decl.name}")
        if decl.getter is not None:
            rets = scan.return_nodes(decl.getter)
            if rets:
                scan.hop("return", decl.getter, f"getter of {decl.name}")
                from ...values import one_of
                return one_of(scan.r.value(r, depth + 1, seen) for r in rets)
        if decl.final and decl.value is not None:
            scan.hop("field-write", decl.node, f"{decl.name} = {' '.join(L.text(decl.value).split())[:60]} (final)")
            return scan.r.value(decl.value, depth + 1, seen)
        return self._field_ref(scan, decl.owner, decl.name, scan.rel, decl.private)

    def _field_ref(self, scan: "FileScan", owner: str, name: str, file: str, private: bool = False) -> Value:
        ref = FieldRef(f"{owner}.{name}", owner, name, file, scan.lang, private)
        scan.symbol(ref.id, ref)
        return FromField(ref.id, "written outside this expression")

    def _primary_param(self, scan: "FileScan", cls: Any, fqn: str, name: str) -> Value | None:
        """A Kotlin primary-constructor parameter used in the class body: the constructor's parameter."""
        if cls is None or scan.lang != "kotlin":
            return None
        pc = next((c for c in cls.named_children if c.type == "primary_constructor"), None)
        if pc is None:
            return None
        params = [c for c in (next((k for k in pc.named_children if k.type == "class_parameters"), pc)
                              ).named_children if c.type == "class_parameter"]
        names = [L.text(next((k for k in p.named_children if k.type == "identifier"), p)) for p in params]
        if name not in names:
            return None
        info = self.primary_ctor(scan, cls, fqn, params, names)
        return FromParam(names.index(name), name, info.id)

    def primary_ctor(self, scan: "FileScan", cls: Any, fqn: str, params: list[Any], names: list[str]) -> FnInfo:
        types = tuple(_type_name(next((k for k in p.named_children if k.type in ("user_type", "nullable_type")),
                                      None)) for p in params)
        key = f"{fqn}#<init>({','.join(t or '?' for t in types)})"
        got = scan.symbols.get(key)
        if isinstance(got, FnInfo):
            return got
        defaults = []
        for p in params:
            has_eq = any(not c.is_named and L.text(c) == "=" for c in p.children)
            defaults.append(scan.r.value(p.named_children[-1]) if has_eq else None)
        info = FnInfo(key, scan.rel, scan.lang, "<init>", fqn, tuple(names), tuple(defaults), scan.location(cls),
                      "ctor", private=False, types=types)
        scan.symbol(key, info)
        return info

    def _build_config(self, scan: "FileScan", node: Any, name: str) -> Value | None:
        if name == "DEBUG":
            return None
        st = scan.project.settings if scan.project is not None else None
        got = st.build_field(name) if st is not None else None
        if got is None:
            scan.hop("config", node, f"BuildConfig.{name} (no buildConfigField in the tree)")
            return FromConfig("BuildConfig", name, None)
        value, where = got
        scan.hop("config", node, f"BuildConfig.{name} = {describe_short(value.default)} "
                                 f"({', '.join(w.short() for w in where[:3])})")
        return value

    def call_value(self, scan: "FileScan", call: L.Call, depth: int, seen: frozenset) -> Value | None:
        name, r = call.name, scan.r
        rtext = call.receiver_text
        if name in ("getByName", "getAllByName") and (rtext.endswith("InetAddress") or
                                                       env(scan).expr_type(call.receiver) in INET):
            arg = call.arg(0)
            v = r.value(arg, depth + 1, seen) if arg is not None else Unknown("getByName() without argument")
            return Via("java.net.InetAddress.getByName(String)", v)
        if name == "getLocalHost" and "InetAddress" in rtext:
            return Unknown("InetAddress.getLocalHost() resolves the device's host name (often a LAN address)")
        if name in ("getLoopbackAddress",):
            return Addr(Bind.LOOPBACK, None, "InetAddress.getLoopbackAddress()")
        if name == "getByAddress":
            return _by_address(call)
        if name in ("InetSocketAddress", "createUnresolved") and call.kind in ("new", "call"):
            return self._sockaddr(scan, call, depth, seen)
        if name in PREFS_READS and len(call.args) == 2:
            return self._prefs(scan, call, depth, seen)
        if name in JSON_READS and len(call.args) == 2:
            key = const_str(r.value(call.arg(0), depth + 1, seen))
            return r._config(call.node, f"JSONObject.{name}", key, r.value(call.arg(1), depth + 1, seen))
        if name == "getProperty" and rtext.endswith("System"):
            key = const_str(r.value(call.arg(0), depth + 1, seen))
            default = r.value(call.arg(1), depth + 1, seen) if call.arg(1) is not None else None
            return r._config(call.node, "System.getProperty", key, default)
        if name == "getenv" and rtext.endswith("System"):
            if call.arg(0) is None:
                return Unknown("System.getenv()")
            return r._config(call.node, "environment", const_str(r.value(call.arg(0), depth + 1, seen)))
        if name == "getOrDefault" and L.compact(rtext).endswith("System.getenv()"):
            key = const_str(r.value(call.arg(0), depth + 1, seen))
            return r._config(call.node, "environment", key, r.value(call.arg(1), depth + 1, seen))
        if name in ("getInteger", "getString", "getBoolean") and call.args and \
                re.match(r"(\w+\.)*R\.(integer|string|bool)\.\w+$", L.compact(L.text(call.args[0][1]))):
            return self._resource(scan, call)
        return None

    def _sockaddr(self, scan: "FileScan", call: L.Call, depth: int, seen: frozenset) -> Value:
        r = scan.r
        if len(call.args) == 1:
            return SockAddr(Addr(Bind.ALL, None, "InetSocketAddress(port) is the wildcard address (javadoc)"),
                            r.value(call.arg(0), depth + 1, seen))
        if len(call.args) < 2:
            return Unknown("InetSocketAddress()")
        host_node = call.arg(0)
        host = r.value(host_node, depth + 1, seen)
        port = r.value(call.arg(1), depth + 1, seen)
        if call.name == "createUnresolved":
            return SockAddr(Via("java.net.InetSocketAddress(String,int)", host), port)
        ht = env(scan).expr_type(host_node)
        if ht in INET or isinstance(host, (Addr, Via)) or isinstance(host, Const) and isinstance(host.value, bytes):
            key = "java.net.InetSocketAddress(InetAddress,int)"
        elif ht == "java.lang.String" or const_str(host) is not None:
            key = "java.net.InetSocketAddress(String,int)"
        else:
            key = self._param_overload(scan, host_node) or "java.net.InetSocketAddress(?)"
        return SockAddr(Via(key, host), port)

    def _param_overload(self, scan: "FileScan", node: Any) -> str | None:
        d = env(scan).var_decl(L.text(node), node) if node is not None and node.type == "identifier" else None
        typ = env(scan).resolve(d[1]) if d and d[1] else None
        if typ in INET:
            return "java.net.InetSocketAddress(InetAddress,int)"
        if typ == "java.lang.String":
            return "java.net.InetSocketAddress(String,int)"
        return None

    def _prefs(self, scan: "FileScan", call: L.Call, depth: int, seen: frozenset) -> Value | None:
        rt = env(scan).expr_type(call.receiver) if call.receiver is not None else None
        ctx = scan.receiver_context(call)
        if rt == "android.content.SharedPreferences" or re.search(r"SharedPreferences|[pP]refs?\b|preferences",
                                                                  ctx):
            source = f"SharedPreferences.{call.name}"
        elif rt in ("android.os.Bundle", "android.content.Intent"):
            source = f"{rt.rsplit('.', 1)[-1]}.{call.name}"
        else:
            return None
        key = const_str(scan.r.value(call.arg(0), depth + 1, seen))
        return scan.r._config(call.node, source, key, scan.r.value(call.arg(1), depth + 1, seen))

    def _resource(self, scan: "FileScan", call: L.Call) -> Value:
        ref = L.compact(L.text(call.args[0][1]))
        kind, name = ref.rsplit(".", 2)[-2:]
        st = scan.project.settings if scan.project is not None else None
        got = st.resource(kind, name) if st is not None else None
        if got is None:
            scan.hop("config", call.node, f"R.{kind}.{name} (not found in res/values of the tree)")
            return FromConfig(f"R.{kind}", name, None)
        value, where = got
        scan.hop("config", call.node, f"R.{kind}.{name} = {describe_short(value.default)} "
                                      f"({', '.join(w.short() for w in where)})")
        return value

    # -- functions and callers ----------------------------------------------------------
    def function_id(self, scan: "FileScan", fn: L.Function) -> tuple[str, str | None, str, str]:
        e = env(scan)
        cls = e.class_at(fn.node)
        owner = cls[1] if cls else (e.fo.package or scan.rel)
        if fn.node.type in CTOR_NODES:
            name, kind = "<init>", "ctor"
        else:
            name, kind = fn.name, ("method" if cls else "function")
        types = ",".join(t or "?" for t in param_types(fn.node))
        return f"{owner}#{name}({types})", owner, name, kind

    def fn_extra(self, scan: "FileScan", fn: L.Function) -> dict[str, Any]:
        mods = next((c for c in fn.node.named_children if c.type == "modifiers"), None)
        text = L.text(mods) if mods is not None else ""
        out: dict[str, Any] = {"static": "static" in text, "private": "private" in text,
                               "types": tuple(param_types(fn.node))}
        for mark, why in (("@ReactMethod", "a React Native @ReactMethod: JavaScript passes its arguments"),
                          ("@JavascriptInterface", "a @JavascriptInterface method: the WebView's JavaScript "
                                                   "passes its arguments"),
                          ("@JvmStatic", "callable from Java outside the tree")):
            if mark in text:
                out["note"] = why
        return out

    def candidate_calls(self, scan: "FileScan", fn: FnInfo) -> list[L.Call]:
        if fn.kind == "ctor":
            simple = (fn.owner or "").rsplit(".", 1)[-1]
            return [c for c in scan.all_calls() if c.kind in ("new", "super", "supertype") or c.name == simple]
        return scan.calls_named(fn.name)

    def calls_function(self, scan: "FileScan", call: L.Call, fn: FnInfo) -> bool:
        e = env(scan)
        if fn.kind == "ctor":
            if not _arity_ok(call, fn, scan):
                return False
            if call.kind == "super" and call.name == "this":
                cls = e.class_at(call.node)
                return cls is not None and cls[1] == fn.owner
            if call.kind == "super":
                cls = e.class_at(call.node)
                return cls is not None and e.superclass(cls[1]) == fn.owner
            if call.kind in ("new", "supertype") or self.is_ctor(scan, call):
                return e.resolve(call.callee) == fn.owner
            return False
        if call.name != fn.name or not _arity_ok(call, fn, scan):
            return False
        if fn.kind == "function":  # Kotlin top-level function: same package or imported
            if call.receiver is not None:
                return False
            return e.fo.package == fn.owner or e.fo.imports.get(fn.name) == f"{fn.owner}.{fn.name}" or \
                fn.owner in e.fo.wildcards
        rt = self.receiver_type(scan, call)
        if rt is None:
            return False
        if e.is_subtype(rt, {fn.owner} if fn.owner else set()):
            return True
        # an unqualified call inside an inner class reaches the outer class's method
        cls = e.class_at(call.node)
        while call.receiver is None and cls is not None:
            cls = e.class_at(cls[0])
            if cls is not None and e.is_subtype(cls[1], {fn.owner} if fn.owner else set()):
                return True
        return False

    def callee_of(self, scan: "FileScan", call: L.Call) -> FnInfo | CallRef | None:
        if self.is_ctor(scan, call):
            return None
        e = env(scan)
        if call.receiver is None and scan.lang == "kotlin" and e.class_at(call.node) is None:
            return self._top_level(scan, call)
        owner = self.receiver_type(scan, call)
        if owner is None:
            return self._top_level(scan, call) if call.receiver is None else None
        for anc in e.ancestors(owner):
            m = e.method_node(anc, call.name, len(call.args))
            if m is not None:
                fn = L.describe_function(scan.lang, m)
                return scan.fn_info(fn) if fn is not None else None
            if anc in e.outline.classes and e.class_node(anc) is None:
                return self._ref(scan, call, anc)
        if call.receiver is None:
            return self._top_level(scan, call)
        return None

    def _top_level(self, scan: "FileScan", call: L.Call) -> FnInfo | CallRef | None:
        for fn in scan.functions_named(call.name):
            if env(scan).class_at(fn.node) is None:
                return scan.fn_info(fn)
        e = env(scan)
        for pkg, _file in e.outline.functions.get(call.name, []):
            if pkg == e.fo.package or e.fo.imports.get(call.name) == f"{pkg}.{call.name}":
                return self._ref(scan, call, pkg)
        return None

    def _ref(self, scan: "FileScan", call: L.Call, owner: str) -> CallRef:
        from .flowvals import portable
        args = tuple(portable(scan.r.value(n)) or Unknown("argument") for _, n in call.args)
        loc = scan.location(call.node)
        return CallRef(f"{owner}#{call.name}/{len(args)}@{loc.file}:{loc.line}:{loc.column}", owner, call.name, args,
                       loc, scan.lang)

    # -- answers to the project ----------------------------------------------------------
    def field_facts(self, scan: "FileScan", ref: FieldRef) -> FieldFacts:
        e = env(scan)
        facts = FieldFacts()
        decl = e.field(ref.owner, ref.name) if e.class_node(ref.owner) is not None else self._top_decl(scan, ref)
        if decl is not None:
            facts.declared = True
            facts.final = decl.final
            if decl.ctor_param is not None:
                cls = e.class_node(ref.owner)
                facts.initializer = self._primary_param(scan, cls, ref.owner, ref.name)
                facts.init_location = scan.location(decl.node)
            elif decl.getter is not None:
                rets = scan.return_nodes(decl.getter)
                if rets:
                    from ...values import one_of
                    facts.final = True
                    facts.initializer = one_of(scan.r.value(x) for x in rets)
                    facts.init_location = scan.location(decl.getter)
            elif decl.value is not None:
                facts.initializer = scan.r.value(decl.value)
                facts.init_location = scan.location(decl.node)
        for node, left, right in _assignments(scan):
            if L.last_name(left) != ref.name or not self._writes_field(scan, left, ref):
                continue
            how = " ".join(L.text(node).split())[:80]
            op = next((L.text(c) for c in node.children if not c.is_named), "=")
            value = scan.r.value(right) if op == "=" else Unknown(f"computed ({how})")
            facts.writes.append((value, scan.location(node), how))
            in_ctor = any(a.type in CTOR_NODES + ("anonymous_initializer", "static_initializer") for a in
                          _ancestors(node))
            facts.ctor_only = facts.ctor_only and in_ctor
        return facts

    def _top_decl(self, scan: "FileScan", ref: FieldRef) -> FieldDecl | None:
        e = env(scan)
        if e.fo.package != ref.owner:
            return None
        for decl, typ, init in e.decls.get(ref.name, []):
            if decl.type == "property_declaration" and e.class_at(decl) is None and L.function_of(decl) is None:
                return e._field_decl(ref.owner, ref.name, decl, typ, init)
        return None

    def _writes_field(self, scan: "FileScan", left: Any, ref: FieldRef) -> bool:
        e = env(scan)
        kids = left.named_children
        if left.type in ("identifier", "simple_identifier"):
            if self._is_local(scan, left, ref.name):
                return False
            cls = e.class_at(left)
            while cls is not None:
                if e.is_subtype(cls[1], {ref.owner}):
                    return True
                cls = e.class_at(cls[0])
            return e.class_at(left) is None and e.fo.package == ref.owner
        if left.type in ("field_access", "navigation_expression") and kids:
            obj = kids[0]
            if obj.type in ("this", "this_expression"):
                cls = e.class_at(left)
                return cls is not None and e.is_subtype(cls[1], {ref.owner})
            t = e.resolve(L.text(obj)) if L.text(obj)[:1].isupper() else e.expr_type(obj)
            return t is not None and e.is_subtype(t, {ref.owner})
        return False

    def returns_of(self, scan: "FileScan", ref: CallRef) -> tuple[Value, Any] | None:
        e = env(scan)
        node = None
        for anc in e.ancestors(ref.owner or ""):
            node = e.method_node(anc, ref.name, len(ref.args))
            if node is not None:
                break
        if node is None and ref.owner == e.fo.package:
            node = next((f.node for f in scan.functions_named(ref.name) if e.class_at(f.node) is None), None)
        if node is None:
            return None
        fn = L.describe_function(scan.lang, node)
        if fn is None:
            return None
        info = scan.fn_info(fn)
        value = scan.returns_in_file(info, 0, frozenset())
        if value is None:
            return None
        from .flowvals import substitute
        args = dict(enumerate(ref.args))
        value = substitute(value, lambda x: args.get(x.index) if isinstance(x, FromParam) and x.function == info.id
                           else None) or value
        return value, scan.location(node)

    def origin_of(self, scan: "FileScan", node: Any) -> Any:
        cls = env(scan).class_at(node) if node is not None else None
        name = cls[1] if cls else env(scan).fo.package
        got = sdk_for_class(name) if name else None
        if got is not None:
            sdk, prefix = got
            return Origin(kind="library", sdk=sdk.name, package=prefix)
        return Origin(kind=scan.origin.kind, sdk=scan.origin.sdk, package=scan.origin.package)


def _arity_ok(call: L.Call, fn: FnInfo, scan: "FileScan | None" = None) -> bool:
    n = len(call.args)
    if not (n == len(fn.params) or n < len(fn.params) and all(d is not None for d in fn.defaults[n:])):
        return False
    if scan is None or not fn.types:
        return True
    e = env(scan)
    for (_label, arg), want in zip(call.args, fn.types, strict=False):
        have = _literal_type(arg) or e.expr_type(arg)
        if want and have and not _compatible(e, have, want):
            return False  # another overload
    return True


_BOXES = {"int": "Integer", "long": "Long", "short": "Short", "byte": "Byte", "boolean": "Boolean", "char": "Character",
          "double": "Double", "float": "Float", "Int": "Integer", "Long": "Long", "Boolean": "Boolean"}
_NUMBERS = {"int", "long", "short", "byte", "Integer", "Long", "Short", "Byte", "Int"}


def _literal_type(node: Any) -> str | None:
    t = node.type
    if "integer" in t or t in ("number_literal", "decimal_integer_literal", "hex_integer_literal"):
        return "int"
    if t in L.STRING_TYPES:
        return "java.lang.String"
    return None


_VALUES = _NUMBERS | {"boolean", "Boolean", "char", "Character", "double", "Double", "float", "Float", "Int"}
_TOP = {"Object", "Any", "T", "?", "Number", "Comparable", "Serializable", "CharSequence"}


def _compatible(e: Any, have: str, want: str) -> bool:
    """May an argument of type ``have`` go to a parameter of type ``want``?  False only when that is
    known: a primitive or String against an unrelated type, or classes of the tree that are not
    related (library classes whose hierarchy is not known are given the benefit of the doubt)."""
    hs, ws = have.rsplit(".", 1)[-1], want.rsplit(".", 1)[-1]
    if hs == ws or ws in _TOP or _BOXES.get(hs, hs) == _BOXES.get(ws, ws):
        return True
    if hs in _VALUES or ws in _VALUES:
        return hs in _NUMBERS and ws in _NUMBERS
    if hs == "String" or ws == "String":
        return False
    rh, rw = e.resolve(have), e.resolve(want)
    if rh in e.outline.classes and rw in e.outline.classes:
        return e.is_subtype(rh, {rw})
    return True


def _type_name(node: Any) -> str | None:
    if node is None:
        return None
    return re.sub(r"<.*", "", L.text(node)).strip().rstrip("?").rstrip("[]") or None


def param_types(fn_node: Any) -> list[str | None]:
    """Declared parameter types of a Java / Kotlin function, as written (generics dropped)."""
    plist = fn_node.child_by_field_name("parameters") or next(
        (c for c in fn_node.named_children if c.type in ("formal_parameters", "function_value_parameters")), None)
    if plist is None:
        return []
    out = []
    for p in plist.named_children:
        if p.type in ("formal_parameter", "spread_parameter"):
            out.append(_type_name(p.child_by_field_name("type") or next(
                (k for k in p.named_children if "type" in k.type), None)))
        elif p.type == "parameter":
            out.append(_type_name(next((k for k in p.named_children if k.type in ("user_type", "nullable_type",
                                                                                  "function_type")), None)))
    return out


def _ancestors(node: Any) -> list[Any]:
    out = []
    p = node.parent
    while p is not None:
        out.append(p)
        p = p.parent
    return out


def _assignments(scan: "FileScan") -> list[tuple[Any, Any, Any]]:
    got = scan.ctx.get("jvm_assignments")
    if got is None:
        got = []
        stack = [scan.root]
        while stack:
            n = stack.pop()
            if n.type in ("assignment_expression", "assignment"):
                left = n.child_by_field_name("left") or (n.named_children[0] if n.named_children else None)
                right = n.child_by_field_name("right") or (n.named_children[-1] if n.named_children else None)
                if left is not None and right is not None:
                    got.append((n, left, right))
            stack.extend(n.named_children)
        scan.ctx["jvm_assignments"] = got
    return got


def _static_import(src: bytes, name: str) -> str | None:
    """The class of a statically imported member (``import static a.B.name;`` / ``a.B.*``; Kotlin
    ``import a.B.name`` of an object member is not told apart from a top-level one)."""
    m = re.search(rb"^\s*import\s+static\s+([\w.]+)\.(?:" + re.escape(name.encode()) + rb"|\*)\s*;", src, re.M)
    return m.group(1).decode("ascii", "replace") if m else None


def _by_address(call: L.Call) -> Value:
    arg = call.arg(1) if len(call.args) > 1 else call.arg(0)
    raw = L.compact(L.text(arg)) if arg is not None else ""
    nums = re.findall(r"-?\d+", raw.split("{", 1)[-1]) if "{" in raw else []
    if len(nums) in (4, 16):
        return Const(bytes(int(x) & 0xFF for x in nums))
    return Unknown("InetAddress.getByAddress with a computed array")


register(JvmFamily())
