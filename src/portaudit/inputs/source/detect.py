"""One parsed source file: finds the catalogue's listener calls and debug switches, and answers the
cross-file questions of :mod:`.project` (who calls this function, who writes this field, what does
this method return).  The API knowledge itself lives in the family modules' handlers."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

import tree_sitter as ts

from ...model import DebugService, Hop, Location, Origin
from ...values import FromField, FromParam, FromReturn, Unknown, Value, one_of
from . import lang as L
from .catalog import HANDLERS, Spec, index
from .draft import Draft, null_meaning
from .family import Caller, CallRef, FieldFacts, FieldRef, FnInfo, family_of
from .flowvals import portable, substitute
from .resolve import Resolver

if TYPE_CHECKING:
    from .project import Project

# Queries that keep only calls whose callee name is in the catalogue (filtered in the query engine).
_NAME_QUERIES = {
    "python": ["(call function: [(identifier) @n (attribute attribute: (identifier) @n)]) @c"],
    "javascript": ["(call_expression function: [(identifier) @n "
                   "(member_expression property: (property_identifier) @n)]) @c",
                   "(new_expression constructor: [(identifier) @n "
                   "(member_expression property: (property_identifier) @n)]) @c"],
    "go": ["(call_expression function: [(identifier) @n (selector_expression field: (field_identifier) @n)]) @c"],
    "c": ["(call_expression function: [(identifier) @n (field_expression field: (field_identifier) @n)]) @c"],
    "cpp": [("(call_expression function: [(identifier) @n (qualified_identifier name: (identifier) @n) "
             "(field_expression field: (field_identifier) @n)]) @c")],
    "objc": ["(call_expression function: [(identifier) @n (field_expression field: (field_identifier) @n)]) @c",
             "(message_expression method: (identifier) @n) @c"],
    "java": ["(method_invocation name: (identifier) @n) @c",
             "(object_creation_expression type: (_) @n) @c",
             "(explicit_constructor_invocation constructor: (_) @n) @c"],
}
_NAME_QUERIES["typescript"] = _NAME_QUERIES["tsx"] = _NAME_QUERIES["javascript"]
# Calls found whatever their name (constructors are matched by type, not by name).
_ALWAYS = {"java": ("object_creation_expression", "explicit_constructor_invocation")}


@functools.cache
def single_name_query(lang: str, name: str) -> ts.Query | None:
    pats = _NAME_QUERIES.get(lang)
    if not pats or not re.fullmatch(r"[A-Za-z_$][\w$]*", name):
        return None
    if lang == "java":
        pats = pats[:1] + ["(object_creation_expression type: [(type_identifier) @n (scoped_type_identifier "
                           "(type_identifier) @n) (generic_type (type_identifier) @n)]) @c"]
    try:
        return ts.Query(L.language(lang), " ".join(f'({p} (#eq? @n "{name}"))' for p in pats))
    except Exception:  # noqa: BLE001 - a grammar version with other node names: fall back to every call
        return None


@functools.cache
def name_query(lang: str) -> ts.Query | None:
    pats = _NAME_QUERIES.get(lang)
    if not pats:
        return None
    names = sorted({n.rsplit(".", 1)[-1] for n in index(lang) if n != "<init>"} | {"super", "this"})
    quoted = " ".join(f'"{n}"' for n in names)
    always = _ALWAYS.get(lang, ())
    src = " ".join(f"({p} (#any-of? @n {quoted}))" for p in pats if not any(p.startswith(f"({a} ") for a in always))
    src += " " + " ".join(f"({a}) @c" for a in always)
    try:
        return ts.Query(L.language(lang), src)
    except Exception:  # noqa: BLE001 - as above
        return None


@functools.cache
def call_query(lang: str) -> ts.Query:
    pats = " ".join(f"({t})" for t in L.CALL_TYPES[lang])
    return ts.Query(L.language(lang), f"[{pats}] @c")


_RETURN_TYPES = ("return_statement", "return_expression", "control_transfer_statement")
# A file with more listener calls than this is generated or hostile: the rest is a note.
MAX_LISTENERS_PER_FILE = 2000


class FileScan:
    def __init__(self, rel: str, lang: str, src: bytes, origin: Origin, project: "Project | None" = None):
        self.rel = rel
        self.lang = lang
        self.src = src
        self.origin = origin
        self.project = project
        self.family = family_of(lang)
        self.lines: list[bytes] | None = None
        self.drafts: list[Draft] = []
        self.debug: list[DebugService] = []
        self.notes: list[str] = []
        self.tree = L.parser(lang).parse(src)
        self.root = self.tree.root_node
        self.r = Resolver(self)
        self.symbols: dict[str, Any] = {}
        self.hops: list[Hop] | None = None
        self._fn_infos: dict[int, FnInfo] = {}
        self._named: dict[str, list[L.Call]] = {}
        self._all_calls: list[L.Call] | None = None
        self.ctx: dict[str, Any] = {}  # per-family caches (type environment, imports)

    # -- locations, hops, symbols -------------------------------------------------------
    def location(self, node: Any) -> Location:
        if self.lines is None:
            self.lines = self.src.splitlines()
        sr, sc = node.start_point
        er, ec = node.end_point
        snippet_lines = self.lines[sr:min(er, sr + 2) + 1]
        snippet = b"\n".join(x.rstrip() for x in snippet_lines).decode("utf-8", "replace").strip()
        return Location(file=self.rel, line=sr + 1, column=sc + 1, end_line=er + 1, end_column=ec + 1,
                        snippet=snippet[:400])

    def hop(self, role: str, node: Any, note: str | None = None) -> None:
        if self.hops is not None and len(self.hops) < 24 and node is not None:
            self.hops.append(Hop(role, self.location(node), note))

    def symbol(self, key: str, value: Any) -> None:
        self.symbols[key] = value

    # -- functions ------------------------------------------------------------------------
    def functions_named(self, name: str) -> list[L.Function]:
        cache = self.ctx.setdefault("_functions", None)
        if cache is None:
            cache = {}
            for fn in L.iter_functions(self.lang, self.root):
                cache.setdefault(fn.name, []).append(fn)
            self.ctx["_functions"] = cache
        return cache.get(name, [])

    def fn_info(self, fn: L.Function) -> FnInfo:
        got = self._fn_infos.get(fn.node.id)
        if got is None:
            fid, owner, called, kind = self.family.function_id(self, fn)
            params = tuple(p for p, _ in fn.params)
            saved, self.hops = self.hops, None
            try:
                defaults = tuple(portable(self.r.value(d)) if d is not None else None for _, d in fn.params)
            finally:
                self.hops = saved
            offset = 1 if self.lang == "python" and params and params[0] in ("self", "cls") else 0
            got = FnInfo(fid, self.rel, self.lang, called, owner, params, defaults, self.location(fn.node), kind,
                         offset=offset, **self.family.fn_extra(self, fn))
            self._fn_infos[fn.node.id] = got
        self.symbols[got.id] = got
        return got

    def param_value(self, node: Any, name: str) -> Value | None:
        """``FromParam`` when ``name`` is a parameter of a function enclosing ``node``."""
        fn_node = L.function_of(node)
        while fn_node is not None:
            fn = L.describe_function(self.lang, fn_node)
            if fn is not None:
                for i, (pname, _default) in enumerate(fn.params):
                    if pname == name:
                        info = self.fn_info(fn)
                        return FromParam(i, name, info.id)
            fn_node = L.function_of(fn_node)
        return None

    def call_result(self, call: L.Call, depth: int, seen: frozenset) -> Value:
        """The value a call returns: a function of this file is followed (its returns, with the
        call's arguments for its parameters); another file's is left for the project."""
        target = self.family.callee_of(self, call)
        if isinstance(target, FnInfo) and target.file == self.rel:
            key = ("return", target.id)
            if key in seen or depth > 8:
                return Unknown(f"result of {call.callee[:40]}() (recursive)")
            vals = self.returns_in_file(target, depth + 1, seen | {key})
            if vals is None:
                return Unknown(f"result of {call.callee[:40]}()")
            args = self.call_args(call, target)
            self.hop("return", call.node, f"result of {call.callee[:40]}()")
            return substitute(vals, lambda leaf: args.get(leaf.index) if isinstance(leaf, FromParam)
                              and leaf.function == target.id else None) or vals
        if isinstance(target, CallRef):
            self.symbols[target.id] = target
            self.hop("return", call.node, f"result of {call.callee[:40]}()")
            return FromReturn(target.id)
        return Unknown(f"result of {call.callee[:40]}()")

    def returns_in_file(self, fn: FnInfo, depth: int, seen: frozenset) -> Value | None:
        node = self._function_node(fn)
        if node is None:
            return None
        rets = self.return_nodes(node)
        if not rets:
            return None
        return one_of(self.r.value(r, depth, seen) for r in rets[:8])

    def _function_node(self, fn: FnInfo) -> Any:
        for f in self.functions_named(fn.name if fn.kind != "ctor" else ""):
            if self.fn_info(f).id == fn.id:
                return f.node
        for f in L.iter_functions(self.lang, self.root):
            if self._fn_infos.get(f.node.id) is not None and self._fn_infos[f.node.id].id == fn.id:
                return f.node
        return None

    def return_nodes(self, fn_node: Any) -> list[Any]:
        """The returned expressions of a function (an expression body counts as one)."""
        body = fn_node.child_by_field_name("body")
        if body is None:
            body = next((c for c in fn_node.named_children if c.type in ("function_body", "block",
                                                                           "statement_block", "compound_statement")),
                        None)
        if body is None:
            return []
        if body.type == "function_body" and body.named_children and body.named_children[0].type != "block":
            return [body.named_children[0]]  # Kotlin / Dart expression body: fun port() = 8080
        if fn_node.type == "arrow_function" and body.type not in ("statement_block",):
            return [body]
        out = []
        stack = [body]
        while stack:
            n = stack.pop()
            if n.type in _RETURN_TYPES:
                kids = [c for c in n.named_children if c.type not in ("comment",)]
                if kids:
                    out.append(kids[-1] if n.type != "return_statement" or self.lang != "go" else kids[0])
                continue
            if n.type in L.FUNC_TYPES and n.id != body.id:
                continue  # a nested function's returns are its own
            stack.extend(n.named_children)
        return out

    def call_args(self, call: L.Call, fn: FnInfo) -> dict[int, Value]:
        """The call's argument for each parameter of ``fn`` (its default, or unknown, when omitted)."""
        out: dict[int, Value] = {}
        offset = fn.offset if call.receiver is not None or fn.kind in ("method", "ctor") else 0
        if call.name == "__init__" and fn.lang == "python" and call.receiver_text != "super()":
            offset = 0  # Base.__init__(self, ...) passes self itself
        for i, pname in enumerate(fn.params):
            if i < offset:
                continue
            node = call.arg(i - offset, label=pname)
            default = fn.defaults[i]
            if node is not None:
                out[i] = portable(self.r.value(node))
            elif default is not None:
                out[i] = default
            else:
                out[i] = Unknown(f"argument {pname} not passed at {self.rel}:{call.node.start_point[0] + 1}")
        return out

    # -- imports (text level, for families without a module model) -----------------------
    def imports_module(self, module: str) -> bool:
        m = re.escape(module.encode())
        pats = {
            "javascript": rb"require\(\s*['\"]" + m + rb"['\"]\s*\)|from\s+['\"]" + m + rb"['\"]|import\s+['\"]" + m,
            "python": rb"^\s*(from\s+" + m + rb"(\.\w+)*\s+import|import\s+([\w.]+\s*,\s*)*" + m + rb"\b)",
            "go": rb"\"" + m + rb"\"",
            "dart": rb"import\s+['\"]" + m,
            "c": rb"#\s*(include|import)\s*[<\"]" + m,
            "swift": rb"^\s*import\s+" + m + rb"\b",
        }
        key = {"typescript": "javascript", "tsx": "javascript", "cpp": "c", "objc": "c"}.get(self.lang, self.lang)
        pat = pats.get(key)
        if pat is None:
            return True
        found = bool(re.search(pat, self.src, re.M))
        if not found and self.lang == "objc":
            found = bool(re.search(pats["swift"].replace(rb"import", rb"@import"), self.src, re.M))
        return found

    # -- main ------------------------------------------------------------------------------
    def run(self) -> None:
        idx = index(self.lang)
        for call in self.catalogue_calls():
            if len(self.drafts) >= MAX_LISTENERS_PER_FILE:
                self.notes.append(f"more than {MAX_LISTENERS_PER_FILE} listener calls; the rest of the file "
                                  f"was not analysed")
                break
            for name in self.family.call_names(self, call):
                if self._dispatch(idx.get(name, ()), call):
                    break
        self.family.after(self)

    def _dispatch(self, specs: tuple[Spec, ...], call: L.Call) -> bool:
        for spec in specs:
            if spec.kinds and call.kind not in spec.kinds:
                continue
            if spec.match is not None and not spec.match.search(call.callee):
                continue
            if not self.family.type_ok(self, spec, call):
                continue
            self.hops = []
            drafts = HANDLERS[spec.handler].fn(self, spec, call)
            hops, self.hops = self.hops, None
            if drafts is None:  # not this API: try the next spec
                continue
            for d in drafts:
                self.finish(d, spec, hops)
            return True
        return False

    def finish(self, d: Draft, spec: Spec | None, hops: list[Hop]) -> None:
        d.location = self.location(d.node)
        if spec is not None:
            if d.fix is None:
                d.fix = spec.fix
            if d.default_doc is None and spec.default_doc and d.default is spec.default_bind:
                d.default_doc = spec.default_doc
            if d.null is None and spec.null != "none":
                d.null = null_meaning(spec.null, spec.null_doc)
        note = d.api + (f"; fix: {d.fix}" if d.fix else "")
        d.hops = [Hop("api", d.location, note)] + [h for h in hops if h.location != d.location or h.role != "api"]
        d.symbols = dict(self.symbols)
        d.origin = self.family.origin_of(self, d.node)
        if d.guard_sites:
            from .guards import peer_checks
            d.guards = sorted(set(d.guards) | set(peer_checks(self, d.guard_sites)))
        self.drafts.append(d)

    def catalogue_calls(self) -> list[L.Call]:
        q = name_query(self.lang)
        if q is None:
            return self.all_calls() + self.family.extra_calls(self)
        seen: set[int] = set()
        calls = []
        for node in sorted(ts.QueryCursor(q).captures(self.root).get("c", []), key=lambda n: n.start_byte):
            if node.id in seen:
                continue
            seen.add(node.id)
            c = L.extract_call(self.lang, node)
            if c is not None:
                calls.append(c)
        return calls + self.family.extra_calls(self)

    def calls_named(self, name: str) -> list[L.Call]:
        if name not in self._named:
            q = single_name_query(self.lang, name)
            out = []
            if q is not None:
                seen: set[int] = set()
                for node in ts.QueryCursor(q).captures(self.root).get("c", []):
                    if node.id not in seen:
                        seen.add(node.id)
                        c = L.extract_call(self.lang, node)
                        if c is not None and c.name == name:
                            out.append(c)
            else:
                out = [c for c in self.all_calls() if c.name == name]
            out.sort(key=lambda c: c.node.start_byte)
            self._named[name] = out
        return self._named[name]

    def all_calls(self) -> list[L.Call]:
        if self._all_calls is None:
            out = []
            for node in ts.QueryCursor(call_query(self.lang)).captures(self.root).get("c", []):
                c = L.extract_call(self.lang, node)
                if c is not None:
                    out.append(c)
            out.sort(key=lambda c: c.node.start_byte)
            self._all_calls = out
        return self._all_calls

    # -- helpers for handlers -------------------------------------------------------------
    def value(self, node: Any) -> Value | None:
        return self.r.value(node) if node is not None else None

    def receiver_context(self, call: L.Call) -> str:
        """The receiver's text plus the text of its definitions (what it was created from)."""
        if call.receiver is None:
            return ""
        parts = [L.text(call.receiver)]
        name = L.last_name(call.receiver)
        if name:
            rt = L.compact(L.text(call.receiver)).replace("?.", ".").replace("->", ".")
            qual = rt.rsplit(".", 1)[0] if "." in rt else ""
            for v, _o in self.r.definitions_for(name, call.node, qual)[:6]:
                parts.append(L.text(v)[:200])
            if self.lang in ("java", "kotlin", "swift", "objc", "c", "cpp", "typescript", "tsx", "dart"):
                parts.append(self.declared_types(name))
        return " ".join(parts)

    def declared_types(self, name: str) -> str:
        """Types written next to ``name`` in declarations (``ServerSocket ss``, ``ss: ServerSocket``)."""
        cache = self.ctx.setdefault("_types", {})
        if name not in cache:
            found = []
            pat = re.compile(rb"(\w+)\s*\**\s+" + re.escape(name.encode()) + rb"\b|\b" + re.escape(name.encode())
                             + rb"\s*:\s*(\w+)")
            for m in pat.finditer(self.src):
                found.append((m.group(1) or m.group(2) or b"").decode("utf-8", "replace"))
                if len(found) > 12:
                    break
            cache[name] = " ".join(found)
        return cache[name]

    def same_receiver_calls(self, call: L.Call, names: tuple[str, ...], within_function: bool) -> list[L.Call]:
        want = L.compact(call.receiver_text)
        if not want:
            return []
        fn = L.function_of(call.node) if within_function else None
        out = []
        for n in names:
            for c in self.calls_named(n):
                if L.compact(c.receiver_text) != want:
                    continue
                if fn is not None and not (fn.start_byte <= c.node.start_byte < fn.end_byte):
                    continue
                out.append(c)
        return out

    def only_sometimes(self, node: Any, anchor: Any) -> bool:
        """Is ``node`` inside a branch (if / when / a conditional) that does not also hold
        ``anchor``?  Then what it sets may not be set when ``anchor`` runs."""
        n = node.parent
        while n is not None and not (n.start_byte <= anchor.start_byte and anchor.end_byte <= n.end_byte):
            if n.type in ("if_statement", "if_expression", "when_expression", "conditional_expression",
                          "ternary_expression", "switch_statement", "guard_statement", "catch_clause"):
                return True
            n = n.parent
        return False

    def enclosing_class_header(self, node: Any) -> str:
        n = node.parent
        while n is not None:
            if n.type in ("class_declaration", "object_declaration", "object_literal", "class_definition"):
                body = n.child_by_field_name("body")
                if body is None:
                    body = next((c for c in n.named_children if c.type == "class_body"), None)
                end = body.start_byte if body is not None else n.end_byte
                return self.src[n.start_byte:end].decode("utf-8", "replace")
            n = n.parent
        return ""

    # -- debug switches --------------------------------------------------------------------
    _GATE = re.compile(r"BuildConfig\.DEBUG|FLAG_DEBUGGABLE|isDebuggable|kDebugMode|\bDEBUG\b|isDebugBuild")

    def debug_switch(self, node: Any, value: Any, what: str) -> None:
        saved, self.hops = self.hops, None
        try:
            v = self.r.value(value)
        finally:
            self.hops = saved
        from .flowvals import is_true
        atext = L.text(value)
        gated = bool(re.search(r"BuildConfig\.DEBUG|FLAG_DEBUGGABLE|isDebug|kDebugMode|DEBUG\b", atext))
        enabled = True if gated else is_true(v)
        if not gated:
            gated = self.gated(node)
        if enabled is False:
            return
        loc = self.location(node)
        self.debug.append(DebugService(kind="webview-debugging", enabled=enabled, location=loc, gated=gated,
                                       origin=self.family.origin_of(self, node), evidence=loc.snippet,
                                       detail=what))

    def gated(self, node: Any) -> bool:
        n = node.parent
        while n is not None:
            if n.type in ("if_statement", "if_expression", "guard_statement", "when_expression"):
                cond = n.child_by_field_name("condition")
                ctext = L.text(cond) if cond is not None else L.text(n)[:200].split("{", 1)[0]
                if self._GATE.search(ctext):
                    return True
            n = n.parent
        before = self.src[:node.start_byte]  # preprocessor: #if DEBUG ... (C, Objective-C, Swift)
        opened = before.rfind(b"#if")
        if opened >= 0 and before.rfind(b"#endif") < opened:
            line = before[opened:before.find(b"\n", opened)]
            if re.search(rb"DEBUG", line) and b"!" not in line:
                return True
        return False

    # -- cross-file questions (answered in a child process, see project.py) ---------------
    def local_answers(self, drafts: list[Draft], limit: int = 64) -> dict[tuple[str, str], Any]:
        """Answers this file can already give about its own functions and fields (their callers
        and writes here), so that the project does not parse it again to ask."""
        from .flowvals import leaves
        out: dict[tuple[str, str], Any] = {}
        todo = [(leaf, d.symbols) for d in drafts for v in (d.host, d.port) for leaf in leaves(v)]
        while todo and len(out) < limit:
            leaf, symbols = todo.pop()
            if isinstance(leaf, FromParam):
                fn = symbols.get(leaf.function) if leaf.function is not None else None
                if not isinstance(fn, FnInfo) or fn.file != self.rel or ("callers", fn.id) in out:
                    continue
                callers = self.callers(fn)
                out[("callers", fn.id)] = callers
                todo += [(x, c.symbols) for c in callers for v in c.args.values() for x in leaves(v)]
            elif isinstance(leaf, FromField):
                ref = symbols.get(leaf.field)
                if not isinstance(ref, FieldRef) or ref.file != self.rel or ("field", ref.id) in out:
                    continue
                facts = self.field_facts(ref)
                out[("field", ref.id)] = facts
                vals = [facts.initializer] + [w for w, _l, _h in facts.writes]
                todo += [(x, facts.symbols) for v in vals for x in leaves(v)]
        return out

    def callers(self, fn: FnInfo) -> list[Caller]:
        out: list[Caller] = []
        for call in self.family.candidate_calls(self, fn):
            if fn.file == self.rel and _within(call.node, fn.location):
                continue  # a recursive call is not an origin
            if not self.family.calls_function(self, call, fn):
                continue
            self.symbols = {}
            self.hops = []
            args = self.call_args(call, fn)
            hops, self.hops = self.hops, None
            out.append(Caller(self.location(call.node), args, " ".join(L.text(call.node).split())[:80],
                              dict(self.symbols), hops))
            if len(out) >= 32:
                break
        return out

    def field_facts(self, ref: FieldRef) -> FieldFacts:
        self.symbols = {}
        self.hops = None
        facts = self.family.field_facts(self, ref)
        facts.initializer = portable(facts.initializer)
        facts.writes = [(portable(v) or v, loc, how) for v, loc, how in facts.writes]
        facts.symbols = dict(self.symbols)
        return facts

    def returns(self, ref: CallRef) -> tuple[Value | None, Location | None, dict[str, Any]]:
        self.symbols = {}
        self.hops = None
        got = self.family.returns_of(self, ref)
        return (portable(got[0]), got[1], dict(self.symbols)) if got else (None, None, {})


def _within(node: Any, loc: Location) -> bool:
    line = node.start_point[0] + 1
    return (loc.line or 0) <= line <= (loc.end_line or 0)
