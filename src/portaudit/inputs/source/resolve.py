"""Value resolution inside one source file.

A node resolves to a list of *outcomes* (more than one when a branch or a setting
chooses).  Outcome kinds:

``("str", s)`` ``("int", n)`` ``("null", None)`` ``("bool", b)``
``("addr", (bind, address))`` an address already classified (INADDR_ANY, anyIPv4...)
``("sockaddr", (host outcomes, port outcomes))`` an InetSocketAddress / TCPAddr / tuple
``("tuple", [nodes])`` ``("dict", [(key, node)])``
``("param", (Function, index, name, default node))`` a parameter of the enclosing function
``("unknown", reason)``
"""

from __future__ import annotations

import re
from typing import Any

from ...model import Bind
from . import lang as L

MAX_DEPTH = 8

# Symbolic constants that name an address (by the last segment of their text).
SYMBOLS: dict[str, tuple[Bind, str | None]] = {
    "INADDR_ANY": (Bind.ALL, "0.0.0.0"),
    "in6addr_any": (Bind.ALL, "::"),
    "IN6ADDR_ANY_INIT": (Bind.ALL, "::"),
    "INADDR_LOOPBACK": (Bind.LOOPBACK, "127.0.0.1"),
    "in6addr_loopback": (Bind.LOOPBACK, "::1"),
    "IN6ADDR_LOOPBACK_INIT": (Bind.LOOPBACK, "::1"),
    "anyIPv4": (Bind.ALL, "0.0.0.0"),
    "anyIPv6": (Bind.ALL, "::"),
    "loopbackIPv4": (Bind.LOOPBACK, "127.0.0.1"),
    "loopbackIPv6": (Bind.LOOPBACK, "::1"),
    "INADDR_BROADCAST": (Bind.SPECIFIC, "255.255.255.255"),
    "IPv4zero": (Bind.ALL, "0.0.0.0"),
    "IPv6zero": (Bind.ALL, "::"),
    "IPv6unspecified": (Bind.ALL, "::"),
    "IPv6loopback": (Bind.LOOPBACK, "::1"),
}
# Calls that produce an address (by last segment of the callee).
LOOPBACK_CALLS = {"getLoopbackAddress", "loopback"}
ENV_CALLS = re.compile(r"(^|\.)(getenv|environ\.get|env\.get|Getenv|LookupEnv|getProperty|getString|"
                       r"getInt|get_env|environment\[)$")

ALL_HOSTS = {"", "0.0.0.0", "::", "*", "[::]", "0:0:0:0:0:0:0:0", "::0", "0", "any", "INADDR_ANY",
             "0.0.0.0/0", "::/0"}
LOOPBACK_HOSTS = {"localhost", "::1", "[::1]", "ip6-localhost", "0:0:0:0:0:0:0:1", "localhost.localdomain"}


def classify_host(s: str) -> tuple[Bind, str]:
    h = s.strip()
    if h in ALL_HOSTS:
        return Bind.ALL, h if h not in ("", "*") else ("0.0.0.0" if h == "" else "*")
    if h.lower() in LOOPBACK_HOSTS or h.startswith(("127.", "::ffff:127.")):
        return Bind.LOOPBACK, h
    return Bind.SPECIFIC, h


class Resolver:
    def __init__(self, lang: str, root: Any):
        self.lang = lang
        self.root = root
        self._defs: dict[str, list[tuple[Any, Any]]] | None = None
        self._calls_by_name: dict[str, list[L.Call]] | None = None
        self.all_calls: list[L.Call] = []
        self.calls_loader = None  # callable returning every call of the file (built on first need)
        self.named_loader = None  # callable returning the calls of one callee name (query-filtered)

    # -- indexes --------------------------------------------------------------------
    @property
    def defs(self) -> dict[str, list[tuple[Any, Any]]]:
        if self._defs is None:
            self._defs = L.collect_definitions(self.lang, self.root)
        return self._defs

    def calls_named(self, name: str) -> list[L.Call]:
        if self._calls_by_name is None:
            if not self.all_calls and self.calls_loader is not None:
                if self.named_loader is not None:
                    return self.named_loader(name)
                self.all_calls = self.calls_loader()
            idx: dict[str, list[L.Call]] = {}
            for c in self.all_calls:
                idx.setdefault(c.name, []).append(c)
            self._calls_by_name = idx
        return self._calls_by_name.get(name, [])

    def definitions_for(self, name: str, at: Any, qualifier: str = "") -> list[Any]:
        """Value nodes defining ``name`` as seen from ``at``.

        Unqualified names: the enclosing functions' locals first, then class / file level, then
        ``self.name`` / ``this.name`` fields of the same class.  ``self.x`` / ``this.x``: fields of
        the same class.  ``Other.x``: class / file level definitions and ``Other.x = ...`` stores.
        Locals of other functions are never used."""
        entries = self.defs.get(name, [])
        if not entries:
            return []
        src = self.root.text
        ann = []
        for v, owner in entries:
            prefix = src[owner.start_byte:v.start_byte] if v.start_byte >= owner.start_byte else b""
            fn = None if owner.type in L.FUNC_TYPES else L.function_of(owner)
            is_self = bool(re.search(rb"\b(self|this)\s*\.\s*" + re.escape(name.encode()) + rb"\b", prefix))
            ann.append((v, owner, fn, is_self, prefix))
        cls = _class_of(at)

        def same_class(owner: Any) -> bool:
            return cls is None or _inside(owner, cls)

        if qualifier in ("self", "this", "cls", "Self"):
            own = [v for v, o, fn, is_self, _ in ann if same_class(o) and (is_self or fn is None)]
            if own or cls is None:
                return own
            # inherited field: a base class declared in the same file
            header = src[cls.start_byte:min(cls.end_byte, cls.start_byte + 300)].split(b":", 1)[0] \
                if self.lang == "python" else src[cls.start_byte:min(cls.end_byte, cls.start_byte + 300)]
            out = []
            for v, o, fn, is_self, _ in ann:
                oc = _class_of(o)
                if oc is None or not (is_self or fn is None):
                    continue
                nm = oc.child_by_field_name("name")
                if nm is not None and re.search(rb"\b" + re.escape(nm.text) + rb"\b", header) and oc.id != cls.id:
                    out.append(v)
            return out
        if qualifier:
            q = re.escape(qualifier.encode())
            return [v for v, o, fn, is_self, prefix in ann
                    if (fn is None and not is_self) or re.search(q + rb"\s*\.\s*" + re.escape(name.encode()), prefix)]
        fn_at = L.function_of(at)
        chain = []
        while fn_at is not None:
            chain.append(fn_at)
            fn_at = L.function_of(fn_at)
        for f in chain:
            local = [v for v, o, fn, is_self, _ in ann if fn is not None and fn.id == f.id and not is_self]
            if local:
                return local
        outer = [v for v, o, fn, is_self, _ in ann if fn is None and not is_self]
        if outer:
            return outer
        return [v for v, o, fn, is_self, _ in ann if is_self and same_class(o)]

    # -- resolution -----------------------------------------------------------------
    def resolve(self, node: Any, depth: int = 0, seen: frozenset = frozenset(),
                params: bool = True) -> list[tuple[str, Any]]:
        if node is None:
            return []
        if depth > MAX_DEPTH:
            return [("unknown", "expression nests too deeply")]
        out: list[tuple[str, Any]] = []
        for o in self._resolve(node, depth, seen, params):
            if o not in out:
                out.append(o)
        return out

    def _resolve(self, node: Any, depth: int, seen: frozenset, params: bool) -> list[tuple[str, Any]]:
        t = node.type
        txt = L.text(node)
        ctxt = L.compact(txt)
        # wrappers that do not change the value
        if t in ("as_expression", "satisfies_expression", "type_assertion") and node.named_children:
            return self.resolve(node.named_children[0], depth + 1, seen, params)
        if t in ("parenthesized_expression", "await_expression", "try_expression", "as_expression",
                 "non_null_assertion_expression", "non_null_expression", "type_assertion",
                 "satisfies_expression", "argument", "value_argument", "expression_statement",
                 "unary_expression", "postfix_expression", "directly_assignable_expression",
                 "expression", "parenthesized_value", "literal_element") or (t == "cast_expression"):
            inner = node.child_by_field_name("value") or node.child_by_field_name("expression")
            if inner is None:
                kids = [c for c in node.named_children if c.type not in ("type_descriptor", "comment", "type")]
                if t == "unary_expression" and L.compact(txt).startswith(("-", "!", "~")):
                    kids = []
                inner = kids[-1] if len(kids) >= 1 and (len(kids) == 1 or t in ("cast_expression", "as_expression")) \
                    else (kids[0] if kids and t in ("as_expression", "type_assertion") else None)
            if inner is not None and inner.id != node.id:
                return self.resolve(inner, depth + 1, seen, params)
        if t == "pointer_expression":
            arg = node.child_by_field_name("argument")
            if arg is not None:
                return self.resolve(arg, depth + 1, seen, params)
        if t == "at_expression":
            kids = node.named_children
            if kids:
                return self.resolve(kids[0], depth + 1, seen, params)
        # literals
        if t in L.STRING_TYPES:
            s = L.strip_quotes(node)
            if s is not None:
                return [("str", s)]
            return [("unknown", "string built at run time")]
        if any(k in t for k in ("integer", "number", "int_literal", "hex_literal")) or t in ("float", "integer"):
            n = L.parse_int(txt)
            return [("int", n)] if n is not None else [("unknown", f"number {txt}")]
        if ctxt in L.NULL_TEXT or t in ("null_literal", "none", "nil", "null", "undefined"):
            return [("null", None)]
        if ctxt in L.TRUE_TEXT:
            return [("bool", True)]
        if ctxt in L.FALSE_TEXT:
            return [("bool", False)]
        # branches and settings
        if t in L.CONDITIONAL_TYPES:
            return self._branches(node, depth, seen, params)
        if t in ("binary_expression", "boolean_operator", "elvis_expression", "nil_coalescing_expression",
                 "infix_expression", "binary_operator"):
            op = _operator(node)
            kids = [c for c in node.named_children if c.type != "comment"]
            left = node.child_by_field_name("left") or node.child_by_field_name("lhs") or (kids[0] if kids else None)
            right = node.child_by_field_name("right") or node.child_by_field_name("rhs") or (kids[-1] if kids else None)
            if op in ("or", "||", "??", "?:") and left is not None and right is not None:
                lv = self.resolve(left, depth + 1, seen, params)
                rv = self.resolve(right, depth + 1, seen, params)
                return lv + rv
            if op == "+" and left is not None and right is not None:
                lv = self.resolve(left, depth + 1, seen, params)
                rv = self.resolve(right, depth + 1, seen, params)
                if len(lv) == 1 and len(rv) == 1 and lv[0][0] in ("str", "int") and rv[0][0] in ("str", "int") \
                        and "str" in (lv[0][0], rv[0][0]):
                    return [("str", f"{lv[0][1]}{rv[0][1]}")]
                if len(lv) == 1 and lv[0][0] == "str" and lv[0][1].endswith(":"):
                    return [("str", lv[0][1] + "<port>")]
                return [("unknown", "address built at run time")]
            if op == "|" and self.lang in ("c", "cpp", "objc"):
                return [("unknown", "bit expression")]
        if t in ("tuple", "expression_list", "parenthesized_list", "tuple_expression") or \
                (t == "list" and self.lang == "python"):
            return [("tuple", [c for c in node.named_children if c.type != "comment"])]
        if t in ("dictionary", "object", "dictionary_literal", "set_or_map_literal", "composite_literal",
                 "initializer_list", "map_literal", "object_literal"):
            return [("dict", _pairs(node))]
        if t in ("call", "call_expression", "new_expression", "object_creation_expression", "method_invocation",
                 "message_expression") or (self.lang == "dart" and _dart_call_value(node) is not None):
            call = L.extract_call(self.lang, node if self.lang != "dart" else _dart_call_value(node))
            if call is not None:
                return self._call_value(call, depth, seen, params)
        if t == "member_expression" and ctxt.startswith(("process.env.", "process.env[")):
            return [("unknown", f"setting {ctxt}")]
        if self.lang == "dart" and node.type not in ("identifier",) and node.named_children and \
                node.named_children[-1].type == "selector":
            # dart "InternetAddress.anyIPv4" = identifier + selector
            seg = L._last_name(node.named_children[-1])
            if seg in SYMBOLS:
                return [("addr", SYMBOLS[seg])]
        # names
        seg = ctxt.replace("::", ".").replace("->", ".").rsplit(".", 1)[-1]
        if ctxt.lstrip(".") in SYMBOLS:
            return [("addr", SYMBOLS[ctxt.lstrip(".")])]
        if seg in SYMBOLS and t not in L.STRING_TYPES:
            return [("addr", SYMBOLS[seg])]
        if t in ("subscript", "subscript_expression", "index_expression", "element_reference"):
            if "environ" in ctxt or "env" in ctxt.lower() or "argv" in ctxt.lower() or "config" in ctxt.lower():
                return [("unknown", f"setting {ctxt}")]
            return [("unknown", f"element of {ctxt[:40]}")]
        name = L._last_name(node)
        if name is None:
            return [("unknown", f"expression {ctxt[:40]}")]
        if params:
            p = self._param(node, name)
            if p is not None:
                return [p]
        key = (name, node.start_byte) if False else name
        if key in seen:
            return [("unknown", f"{name} depends on itself")]
        qual = ctxt.replace("::", ".").replace("->", ".").replace("?.", ".")
        qual = qual.rsplit(".", 1)[0] if "." in qual else ""
        values = self.definitions_for(name, node, qual)
        if not values:
            if ctxt.startswith(("process.env", "os.environ", "System.getenv", "ProcessInfo")):
                return [("unknown", f"setting {ctxt}")]
            return [("unknown", f"value of {ctxt[:40]} not found in this file")]
        out: list[tuple[str, Any]] = []
        for v in values[:8]:
            out.extend(self.resolve(v, depth + 1, seen | {key}, params))
        return out

    def _branches(self, node: Any, depth: int, seen: frozenset, params: bool) -> list[tuple[str, Any]]:
        f = node.child_by_field_name
        a = f("consequence") or f("if_true") or f("then")
        b = f("alternative") or f("if_false") or f("else")
        kids = [c for c in node.named_children if c.type != "comment"]
        if a is None or b is None:
            if self.lang == "python" and len(kids) == 3:
                a, b = kids[0], kids[2]
            elif self.lang == "kotlin":
                cond = f("condition")
                rest = [c for c in kids if cond is None or c.id != cond.id]
                if len(rest) == 2:
                    a, b = rest
                    a = a.named_children[-1] if a.type == "control_structure_body" and a.named_children else a
                    b = b.named_children[-1] if b.type == "control_structure_body" and b.named_children else b
            elif len(kids) == 3:
                a, b = kids[1], kids[2]
        out = []
        for x in (a, b):
            if x is not None:
                out.extend(self.resolve(x, depth + 1, seen, params))
        return out or [("unknown", "branch")]

    def _param(self, node: Any, name: str) -> tuple[str, Any] | None:
        fn_node = L.function_of(node)
        while fn_node is not None:
            fn = L.describe_function(self.lang, fn_node)
            if fn is not None:
                for i, (pname, default) in enumerate(fn.params):
                    if pname == name:
                        return ("param", (fn, i, name, default))
            fn_node = L.function_of(fn_node)
        return None

    def _call_value(self, call: L.Call, depth: int, seen: frozenset, params: bool) -> list[tuple[str, Any]]:
        name = call.name
        callee = call.callee
        if ENV_CALLS.search(callee) or callee in ("os.getenv", "getenv"):
            key = L.text(call.arg(0)) if call.arg(0) is not None else "?"
            default = call.arg(1)
            out: list[tuple[str, Any]] = [("unknown", f"setting {key}")]
            if default is not None:
                out += self.resolve(default, depth + 1, seen, params)
            return out
        if name in LOOPBACK_CALLS and ("InetAddress" in callee or callee == name):
            return [("addr", (Bind.LOOPBACK, "127.0.0.1"))]
        if name == "getLocalHost":
            return [("unknown", "InetAddress.getLocalHost() resolves the device host name")]
        if name in ("getByName", "getAllByName", "ParseIP", "inet_addr", "InternetAddress", "IPAddress",
                    "ip_address", "IPv4Address", "IPv6Address", "lookup", "fromString", "parse",
                    "ResolveTCPAddr", "ResolveUDPAddr", "ResolveIPAddr", "MustParseAddr", "ParseAddr",
                    "inet_aton", "tryParse"):
            idx = 1 if name.startswith("Resolve") else 0
            arg = call.arg(idx)
            if arg is None:
                return [("unknown", f"{name}() without argument")]
            vals = self.resolve(arg, depth + 1, seen, params)
            if name.startswith("Resolve"):
                return vals
            return [("null", None) if (v[0] == "null" and name == "getByName") else v for v in vals]
        if name == "getByAddress":
            arg = call.arg(1) if len(call.args) > 1 else call.arg(0)
            raw = L.compact(L.text(arg)) if arg is not None else ""
            nums = re.findall(r"-?\d+", raw.split("{", 1)[-1]) if "{" in raw else []
            if len(nums) in (4, 16):
                vals = [int(x) & 0xFF for x in nums]
                if all(v == 0 for v in vals):
                    return [("addr", (Bind.ALL, "0.0.0.0" if len(nums) == 4 else "::"))]
                if len(nums) == 4:
                    addr = ".".join(str(v) for v in vals)
                    return [("addr", classify_host(addr))]
            return [("unknown", "getByAddress with a computed array")]
        if name in ("int", "Number", "parseInt", "atoi", "Int", "toInt", "valueOf", "Atoi") and call.args:
            vals = self.resolve(call.args[-1][1] if name != "parseInt" else call.args[0][1], depth + 1, seen, params)
            return [("int", int(v)) if k == "str" and v.strip().isdigit() else (k, v) for k, v in vals]
        if name in ("htonl", "htons", "CFSwapInt32HostToBig", "bigEndian", "UInt32", "in_addr_t", "in_addr",
                    "UInt16", "NSSwapHostIntToBig", "ntohl"):
            arg = call.arg(0) or (call.args[0][1] if call.args else None)
            if arg is not None:
                return self.resolve(arg, depth + 1, seen, params)
        if name in ("InetSocketAddress", "TCPAddr", "UDPAddr") or name.endswith("SocketAddress"):
            if name == "createUnresolved":
                pass
            if len(call.args) == 1:
                return [("sockaddr", ([("addr", (Bind.ALL, "0.0.0.0"))], self.resolve(call.arg(0), depth + 1, seen, params)))]
            if len(call.args) >= 2:
                hv = self.resolve(call.arg(0), depth + 1, seen, params)
                pv = self.resolve(call.arg(1), depth + 1, seen, params)
                return [("sockaddr", (hv, pv))]
            return [("unknown", f"{name}()")]
        if name in ("getenv", "Getenv", "environ"):
            return [("unknown", "setting")]
        # a function of this file returning a constant: follow one level
        if params and depth < 4:
            for fn in L.iter_functions(self.lang, self.root) if False else ():
                pass
        return [("unknown", f"result of {callee[:40]}()")]


_CLASS_TYPES = {"class_definition", "class_declaration", "object_declaration", "class_specifier",
                "struct_specifier", "class_implementation", "class_interface", "class", "struct_declaration",
                "extension_declaration", "protocol_declaration", "enum_declaration", "mixin_declaration",
                "extension_definition", "object_literal", "class_body"}


def _class_of(node: Any) -> Any:
    n = node.parent
    while n is not None:
        if n.type in _CLASS_TYPES and n.type != "class_body":
            return n
        n = n.parent
    return None


def _inside(node: Any, ancestor: Any) -> bool:
    return ancestor.start_byte <= node.start_byte and node.end_byte <= ancestor.end_byte


def _operator(node: Any) -> str:
    op = node.child_by_field_name("operator")
    if op is not None:
        return L.text(op).strip()
    for c in node.children:
        if not c.is_named:
            return L.text(c).strip()
    return ""


def _pairs(node: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    keys = node.children_by_field_name("key")
    if keys:  # Swift dictionary literal: key/value fields on the literal itself
        vals = node.children_by_field_name("value")
        return [(L.compact(L.text(k)).lstrip("."), v) for k, v in zip(keys, vals)]
    for c in node.named_children:
        if c.type in ("pair", "dictionary_pair", "keyed_element", "pair_pattern", "shorthand_property_identifier",
                      "initializer_pair", "literal_element", "map_entry"):
            if c.type == "shorthand_property_identifier":
                out.append((L.text(c), c))
                continue
            key = c.child_by_field_name("key") or c.child_by_field_name("designator")
            val = c.child_by_field_name("value")
            kids = [k for k in c.named_children if k.type != "comment"]
            if key is None and kids:
                key = kids[0]
            if val is None and len(kids) >= 2:
                val = kids[-1]
            ktxt = L.compact(L.text(key)).strip("\"'`").lstrip(".") if key is not None else ""
            if key is not None and key.type in L.STRING_TYPES:
                ktxt = L.strip_quotes(key) or ktxt
            out.append((ktxt, val))
        elif c.type == "literal_value":
            out.extend(_pairs(c))
    return out


def _dart_call_value(node: Any) -> Any:
    """For a Dart expression node whose last selector is an argument part: that selector."""
    kids = node.named_children
    if kids and kids[-1].type == "selector" and kids[-1].named_children and \
            kids[-1].named_children[0].type == "argument_part":
        return kids[-1]
    return None


# -- interpreting outcomes ------------------------------------------------------------

def host_outcomes(values: list[tuple[str, Any]], null_bind: Bind = Bind.ALL) -> list[tuple[Bind, str | None, str | None]]:
    """(bind, address, reason) per outcome of a host / address value."""
    out: list[tuple[Bind, str | None, str | None]] = []
    for kind, v in values:
        if kind == "str":
            if v.startswith(("\0", "@")):
                out.append((Bind.UNIX, "@" + v.lstrip("\0@"), None))
            elif v.startswith(("/", "./")):
                out.append((Bind.UNIX, v, None))
            else:
                b, a = classify_host(v)
                out.append((b, a, None))
        elif kind == "addr":
            out.append((v[0], v[1], None))
        elif kind == "null":
            out.append((null_bind, "0.0.0.0" if null_bind is Bind.ALL else None, None))
        elif kind == "int":
            if v == 0:
                out.append((Bind.ALL, "0.0.0.0", None))
            elif v == 0x7F000001:
                out.append((Bind.LOOPBACK, "127.0.0.1", None))
            else:
                out.append((Bind.SPECIFIC, str(v), None))
        elif kind == "sockaddr":
            out.extend(host_outcomes(v[0], null_bind))
        elif kind == "param":
            fn, _, name, _ = v
            out.append((Bind.UNKNOWN, None, f"parameter {name} of {fn.name or 'a function'}() with no caller in this file"))
        elif kind == "unknown":
            out.append((Bind.UNKNOWN, None, v))
        elif kind == "tuple":
            out.append((Bind.UNKNOWN, None, "a sequence of hosts"))
        else:
            out.append((Bind.UNKNOWN, None, f"unexpected {kind} value"))
    # dedupe
    uniq: list[tuple[Bind, str | None, str | None]] = []
    for o in out:
        if o not in uniq:
            uniq.append(o)
    return uniq


def port_of(values: list[tuple[str, Any]]) -> int | None:
    ints = {v for k, v in values if k == "int"}
    strs = {v for k, v in values if k == "str" and v.isdigit()}
    ints |= {int(s) for s in strs}
    if len(ints) == 1 and len(values) == 1:
        return next(iter(ints))
    if len(ints) == 1 and all(k in ("int", "str") for k, _ in values):
        return next(iter(ints))
    for k, v in values:
        if k == "sockaddr":
            return port_of(v[1])
    return None
