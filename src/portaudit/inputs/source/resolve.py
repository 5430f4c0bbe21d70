"""Value resolution inside one source file: a syntax node -> an abstract value (:mod:`portaudit.values`).

Literals become constants; branches and settings become alternatives or configurable values; a
parameter of the enclosing function becomes ``FromParam`` (resolved later at each caller, in any
file); a field whose writes cannot all be seen here becomes ``FromField``; the result of a method of
another file becomes ``FromReturn``.  What cannot be determined is ``Unknown`` with the reason.
Language families add their own knowledge through :class:`~.family.Family` hooks (fields, calls).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...model import Bind
from . import lang as L
from .flowvals import (Addr, Const, FromConfig, OneOf, Record, Seq, SockAddr, Unknown, Value, Via, const_str,
                       map_options, one_of, settle)

if TYPE_CHECKING:
    from .detect import FileScan

MAX_DEPTH = 12

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

# Calls that pass their argument through unchanged for our purpose (conversions, byte order).
PASS_THROUGH = {"htonl", "htons", "CFSwapInt32HostToBig", "bigEndian", "UInt32", "in_addr_t", "in_addr", "UInt16",
                "NSSwapHostIntToBig", "ntohl", "str", "String", "toString", "trim", "strip", "toInt", "Int",
                "int", "Number", "parseInt", "atoi", "valueOf", "Atoi", "toInteger", "intValue", "Integer",
                "requireNonNull", "checkNotNull", "in_port_t", "NWEndpoint.Port", "uint16", "uint32", "Itoa", "Sprint",
                "FormatInt"}
# Host strings parsed into an address object (the null / empty meaning is the API's own).
ADDRESS_PARSERS = {"ParseIP", "inet_addr", "InternetAddress", "IPAddress", "ip_address", "IPv4Address",
                   "IPv6Address", "fromString", "inet_aton", "tryParse", "MustParseAddr", "ParseAddr",
                   "forString"}

_SETTING_ROOTS = re.compile(r"^(process\.env|os\.environ|argv|process\.argv|options|opts|args|config|conf|"
                            r"settings|cfg|program|yargs)\b")


class Resolver:
    def __init__(self, scan: "FileScan"):
        self.scan = scan
        self.lang = scan.lang
        self.root = scan.root
        self.family = scan.family
        self._defs: dict[str, list[tuple[Any, Any]]] | None = None

    # -- indexes --------------------------------------------------------------------
    @property
    def defs(self) -> dict[str, list[tuple[Any, Any]]]:
        if self._defs is None:
            self._defs = L.collect_definitions(self.lang, self.root)
        return self._defs

    def definitions_for(self, name: str, at: Any, qualifier: str = "") -> list[tuple[Any, Any]]:
        """(value node, defining node) pairs defining ``name`` as seen from ``at``.

        Unqualified names: the enclosing functions' locals first, then class / file level, then
        ``self.name`` / ``this.name`` fields of the same class.  ``self.x`` / ``this.x``: fields of
        the same class.  ``Other.x``: class / file level definitions and ``Other.x = ...`` stores.
        Locals of other functions are never used."""
        entries = self.defs.get(name, [])
        if not entries:
            return []
        src = self.scan.src  # the bytes the tree was parsed from (node offsets index them)
        ann = []
        for v, owner in entries:
            prefix = src[owner.start_byte:v.start_byte] if v.start_byte >= owner.start_byte else b""
            fn = None if owner.type in L.FUNC_TYPES else L.function_of(owner)
            is_self = bool(re.search(rb"\b(self|this)\s*\.\s*" + re.escape(name.encode()) + rb"\b", prefix))
            ann.append((v, owner, fn, is_self, prefix))
        cls = class_of(at)

        def same_class(owner: Any) -> bool:
            return cls is None or inside(owner, cls)

        if qualifier in ("self", "this", "cls", "Self"):
            own = [(v, o) for v, o, fn, is_self, _ in ann if same_class(o) and (is_self or fn is None)]
            if own or cls is None:
                return own
            header = src[cls.start_byte:min(cls.end_byte, cls.start_byte + 300)]
            if self.lang == "python":
                header = header.split(b":", 1)[0]
            out = []
            for v, o, fn, is_self, _ in ann:  # inherited field: a base class declared in the same file
                oc = class_of(o)
                if oc is None or not (is_self or fn is None):
                    continue
                nm = oc.child_by_field_name("name")
                if nm is not None and re.search(rb"\b" + re.escape(nm.text) + rb"\b", header) and oc.id != cls.id:
                    out.append((v, o))
            return out
        if qualifier:
            q = re.escape(qualifier.encode())
            return [(v, o) for v, o, fn, is_self, prefix in ann
                    if (fn is None and not is_self) or re.search(q + rb"\s*\.\s*" + re.escape(name.encode()), prefix)]
        chain = []
        fn_at = L.function_of(at)
        while fn_at is not None:
            chain.append(fn_at)
            fn_at = L.function_of(fn_at)
        for f in chain:
            local = [(v, o) for v, o, fn, is_self, _ in ann if fn is not None and fn.id == f.id and not is_self]
            if local:
                return local
        outer = [(v, o) for v, o, fn, is_self, _ in ann if fn is None and not is_self]
        if outer:
            return outer
        return [(v, o) for v, o, fn, is_self, _ in ann if is_self and same_class(o)]

    # -- resolution -----------------------------------------------------------------
    def value(self, node: Any, depth: int = 0, seen: frozenset = frozenset()) -> Value:
        if node is None:
            return Unknown("no value")
        if depth > MAX_DEPTH:
            return Unknown("expression nests too deeply")
        return self._value(node, depth, seen)

    def _value(self, node: Any, depth: int, seen: frozenset) -> Value:  # noqa: C901 - one switch over node kinds
        t = node.type
        txt = L.text(node)
        ctxt = L.compact(txt)
        inner = _transparent(node)
        if inner is not None:
            return self.value(inner, depth + 1, seen)
        # literals
        if t == "preproc_arg":  # #define NAME @"127.0.0.1" / "x" / 8080: the replacement text
            raw = txt.strip()
            m = re.fullmatch(r'@?"((?:[^"\\]|\\.)*)"', raw)
            if m:
                return Const(L.unescape(m.group(1)))
            n = L.parse_int(raw.strip("()"))
            return Const(n) if n is not None else Unknown(f"macro {raw[:40]}")
        if t in L.STRING_TYPES:
            s = L.strip_quotes(node)
            return Const(s) if s is not None else Unknown(f"string built at run time ({ctxt[:40]})")
        if any(k in t for k in ("integer", "number", "int_literal", "hex_literal")) or t in ("float", "integer"):
            n = L.parse_int(txt)
            return Const(n) if n is not None else Unknown(f"number {txt[:20]}")
        if ctxt in L.NULL_TEXT or t in ("null_literal", "none", "nil", "null", "undefined"):
            return Const(None)
        if ctxt in L.TRUE_TEXT:
            return Const(True)
        if ctxt in L.FALSE_TEXT:
            return Const(False)
        # branches, settings, concatenation
        if t in L.CONDITIONAL_TYPES:
            return self._branches(node, depth, seen)
        if t in ("binary_expression", "boolean_operator", "elvis_expression", "nil_coalescing_expression",
                 "infix_expression", "binary_operator"):
            got = self._binary(node, depth, seen)
            if got is not None:
                return got
        if t in ("tuple", "expression_list", "parenthesized_list", "tuple_expression") or \
                (t in ("list", "array") and self.lang in ("python", "javascript", "typescript", "tsx")):
            return Seq(tuple(c for c in node.named_children if c.type != "comment"))
        if t in ("dictionary", "object", "dictionary_literal", "set_or_map_literal", "composite_literal",
                 "initializer_list", "map_literal", "object_literal"):
            return Record(tuple(pairs(node)))
        call_node = node if self.lang != "dart" else dart_call_value(node)
        if call_node is not None and (self.lang == "dart" or t in (
                "call", "call_expression", "new_expression", "object_creation_expression", "method_invocation",
                "message_expression")):
            call = L.extract_call(self.lang, call_node)
            if call is not None:
                return self.call_value(call, depth, seen)
        setting = self._setting(ctxt, node)
        if setting is not None:
            return setting
        if self.lang == "dart" and t != "identifier" and node.named_children and \
                node.named_children[-1].type == "selector":
            seg = L.last_name(node.named_children[-1])
            if seg in SYMBOLS:
                return Addr(*SYMBOLS[seg])
        seg = ctxt.replace("::", ".").replace("->", ".").rsplit(".", 1)[-1]
        if ctxt.lstrip(".") in SYMBOLS:
            return Addr(*SYMBOLS[ctxt.lstrip(".")])
        if seg in SYMBOLS:
            return Addr(*SYMBOLS[seg])
        if t in ("subscript", "subscript_expression", "index_expression", "element_reference"):
            return Unknown(f"element of {ctxt[:40]}")
        return self.name_value(node, ctxt, depth, seen)

    def name_value(self, node: Any, ctxt: str, depth: int, seen: frozenset) -> Value:
        name = L.last_name(node)
        if name is None:
            return Unknown(f"expression {ctxt[:40]}")
        qual = ctxt.replace("::", ".").replace("->", ".").replace("?.", ".")
        qual = qual.rsplit(".", 1)[0] if "." in qual else ""
        if not qual:
            p = self.scan.param_value(node, name)
            if p is not None:
                return p
        if (name, qual) in seen:
            return Unknown(f"{name} depends on itself")
        seen = seen | {(name, qual)}
        fam = self.family.name_value(self.scan, node, name, qual, depth, seen)
        if fam is not None:
            return fam
        found = self.definitions_for(name, node, qual)
        if not found:
            return self.family.unresolved_name(self.scan, node, name, qual) or \
                Unknown(f"value of {ctxt[:40]} not found")
        out = []
        for v, owner in found[:8]:
            if owner.type not in L.FUNC_TYPES and v.start_byte > node.start_byte and len(found) > 1 \
                    and L.function_of(owner) is not None and L.function_of(owner) == L.function_of(node):
                continue  # a later assignment in the same function does not reach this use
            self.scan.hop("assignment", owner, f"{name} = {' '.join(L.text(v).split())[:60]}")
            out.append(self.value(v, depth + 1, seen))
        return settle(one_of(out)) if out else Unknown(f"value of {ctxt[:40]} not found")

    def _setting(self, ctxt: str, node: Any) -> Value | None:
        """``process.env.PORT``, ``os.environ["HOST"]``, ``argv.a``: a setting without a default here."""
        m = re.match(r"^process\.env(?:\.(\w+)|\[['\"`](\w+)['\"`]\])$", ctxt)
        if m:
            return self._config(node, "environment", m.group(1) or m.group(2))
        m = re.match(r"^os\.environ\[['\"](\w+)['\"]\]$", ctxt)
        if m:
            return self._config(node, "environment", m.group(1))
        m = re.match(r"^(?:argv|yargs\.argv|program|options|opts)\.(\w+)$", ctxt)
        if m and self.lang in ("javascript", "typescript", "tsx"):
            return self._config(node, "command-line option", m.group(1))
        m = re.match(r"^(?:os\.Args|sys\.argv|process\.argv|CommandLine\.arguments)\[(\d+)\]$", ctxt)
        if m:
            return self._config(node, "command-line argument", ctxt)
        return None

    def _config(self, node: Any, source: str, key: str | None, default: Value | None = None) -> FromConfig:
        d = f", default {describe_short(default)}" if default is not None else ""
        self.scan.hop("config", node, f"{source} {key!r}{d}" if key else f"{source}{d}")
        return FromConfig(source, key, default)

    def _binary(self, node: Any, depth: int, seen: frozenset) -> Value | None:
        op = _operator(node)
        kids = [c for c in node.named_children if c.type != "comment"]
        left = node.child_by_field_name("left") or node.child_by_field_name("lhs") or (kids[0] if kids else None)
        right = node.child_by_field_name("right") or node.child_by_field_name("rhs") or (kids[-1] if kids else None)
        if left is None or right is None:
            return None
        if op in ("or", "||", "??", "?:"):
            lv = self.value(left, depth + 1, seen)
            rv = self.value(right, depth + 1, seen)
            if isinstance(lv, FromConfig):  # a setting, else the default written here
                return lv if lv.default is not None else FromConfig(lv.source, lv.key, rv)
            if isinstance(lv, Const) and lv.value not in (None, "", 0, False):
                return lv
            if isinstance(lv, Const):
                return rv
            return one_of([lv, rv])
        if op == "+":
            lv = self.value(left, depth + 1, seen)
            rv = self.value(right, depth + 1, seen)
            if isinstance(lv, Const) and isinstance(rv, Const) and isinstance(lv.value, (str, int)) \
                    and isinstance(rv.value, (str, int)) and (isinstance(lv.value, str) or isinstance(rv.value, str)):
                return Const(f"{lv.value}{rv.value}")
            ls = const_str(lv) if not isinstance(lv, FromConfig) else None
            if ls is not None and ls.endswith(":"):
                return SockAddr(Const(ls[:-1]), rv)  # "host:" + port
            return Unknown("address built at run time")
        if op == "|" and self.lang in ("c", "cpp", "objc"):
            return Unknown("bit expression")
        return None

    def _branches(self, node: Any, depth: int, seen: frozenset) -> Value:
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
                if len(rest) == 3 and cond is None:
                    rest = rest[1:]
                if len(rest) == 2:
                    a, b = rest
                    a = a.named_children[-1] if a.type == "control_structure_body" and a.named_children else a
                    b = b.named_children[-1] if b.type == "control_structure_body" and b.named_children else b
            elif len(kids) == 3:
                a, b = kids[1], kids[2]
        out = [self.value(x, depth + 1, seen) for x in (a, b) if x is not None]
        return settle(one_of(out)) if out else Unknown("branch")

    def call_value(self, call: L.Call, depth: int, seen: frozenset) -> Value:
        got = self.family.call_value(self.scan, call, depth, seen)
        if got is not None:
            return got
        return self._generic_call(call, depth, seen)

    def _generic_call(self, call: L.Call, depth: int, seen: frozenset) -> Value:
        name = call.name
        if name in ADDRESS_PARSERS:
            arg = call.arg(0)
            if arg is None:
                return Unknown(f"{name}() without argument")
            return map_options(self.value(arg, depth + 1, seen),
                               lambda v: Unknown(f"{name}({describe_short(v)})") if isinstance(v, Const)
                               and v.value is None else v)
        if name in PASS_THROUGH and call.args:
            arg = call.arg(0) if name != "requireNonNull" else call.args[0][1]
            v = self.value(arg if arg is not None else call.args[-1][1], depth + 1, seen)
            if name in ("int", "Number", "parseInt", "atoi", "Atoi", "toInt", "valueOf", "Integer", "toInteger"):
                return _to_int(v)
            return v
        if name == "Port" and call.arg(None, "rawValue") is not None:  # Swift NWEndpoint.Port(rawValue:)
            return self.value(call.arg(None, "rawValue"), depth + 1, seen)
        if name in ("toInt", "toIntOrNull", "toString", "intValue", "integerValue", "unsignedIntegerValue",
                    "unsignedShortValue", "shortValue") and call.receiver is not None:
            return _to_int(self.value(call.receiver, depth + 1, seen)) if name != "toString" else \
                self.value(call.receiver, depth + 1, seen)
        return self.scan.call_result(call, depth, seen)


def describe_short(v: Value | None) -> str:
    if isinstance(v, Const):
        return repr(v.value) if not isinstance(v.value, str) else f'"{v.value}"'
    if isinstance(v, Addr):
        return v.literal or v.bind.value
    if isinstance(v, OneOf):
        return " | ".join(sorted(describe_short(o) for o in v.options))
    if isinstance(v, Unknown):
        return "?"
    return type(v).__name__


def _to_int(v: Value) -> Value:
    def one(x: Value) -> Value:
        if isinstance(x, Const) and isinstance(x.value, str) and x.value.strip().isdigit():
            return Const(int(x.value.strip()))
        if isinstance(x, FromConfig) and x.default is not None:
            return FromConfig(x.source, x.key, one(x.default))
        return x
    return map_options(v, one)


_TRANSPARENT = {"parenthesized_expression", "await_expression", "try_expression", "as_expression",
                "non_null_assertion_expression", "non_null_expression", "type_assertion", "satisfies_expression",
                "argument", "value_argument", "expression_statement", "unary_expression", "postfix_expression",
                "directly_assignable_expression", "expression", "parenthesized_value", "literal_element",
                "cast_expression", "parenthesized_type", "spread_element"}


def _transparent(node: Any) -> Any:
    """The inner expression of a node that does not change the value (parentheses, casts, await)."""
    t = node.type
    if t == "pointer_expression":
        return node.child_by_field_name("argument")
    if t == "at_expression":
        kids = node.named_children
        return kids[0] if kids and kids[0].type not in L.STRING_TYPES else None
    if t not in _TRANSPARENT:
        return None
    inner = node.child_by_field_name("value") or node.child_by_field_name("expression")
    if inner is None:
        kids = [c for c in node.named_children if c.type not in ("type_descriptor", "comment", "type",
                                                                  "type_identifier", "user_type", "bang")]
        if t == "unary_expression" and L.compact(L.text(node)).startswith(("-", "!", "~")):
            return None
        if t == "postfix_expression" and not L.compact(L.text(node)).endswith("!"):
            return None
        if len(kids) == 1 or (kids and t in ("cast_expression", "as_expression")):
            inner = kids[-1] if t == "cast_expression" else kids[0]
    if inner is None or inner.id == node.id:
        return None
    return inner


_CLASS_TYPES = {"class_definition", "class_declaration", "object_declaration", "class_specifier",
                "struct_specifier", "class_implementation", "class_interface", "class", "struct_declaration",
                "extension_declaration", "protocol_declaration", "enum_declaration", "mixin_declaration",
                "extension_definition", "object_literal", "interface_declaration", "record_declaration",
                "companion_object", "enum_class_body"}


def class_of(node: Any) -> Any:
    n = node.parent
    while n is not None:
        if n.type in _CLASS_TYPES:
            return n
        n = n.parent
    return None


def inside(node: Any, ancestor: Any) -> bool:
    return ancestor.start_byte <= node.start_byte and node.end_byte <= ancestor.end_byte


def _operator(node: Any) -> str:
    op = node.child_by_field_name("operator")
    if op is not None:
        return L.text(op).strip()
    for c in node.children:
        if not c.is_named:
            return L.text(c).strip()
    return ""


def pairs(node: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    keys = node.children_by_field_name("key")
    if keys:  # Swift dictionary literal: key/value fields on the literal itself
        vals = node.children_by_field_name("value")
        return [(L.compact(L.text(k)).lstrip("."), v) for k, v in zip(keys, vals, strict=False)]
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
            out.extend(pairs(c))
    return out


def dart_call_value(node: Any) -> Any:
    """For a Dart expression node whose last selector is an argument part: that selector."""
    kids = node.named_children
    if kids and kids[-1].type == "selector" and kids[-1].named_children and \
            kids[-1].named_children[0].type == "argument_part":
        return kids[-1]
    return None


def via(api: str, v: Value) -> Value:
    return Via(api, v)
