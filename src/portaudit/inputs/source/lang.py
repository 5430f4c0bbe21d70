"""Tree-sitter languages and a uniform view of calls, definitions and functions.

Every grammar names its nodes differently; this module hides that behind three
small shapes the detectors work with:

* :class:`Call`  -- a call / constructor / message send / super(...) call, with its
  callee as dotted text, its receiver node and its arguments (label, node);
* definitions -- ``name -> [value nodes]`` from assignments, declarations,
  fields, constants and default parameter values (file-wide, innermost first);
* functions -- name, ordered parameter names and default values, body range.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass, field
from typing import Any

import tree_sitter as ts

EXT_LANG = {
    ".py": "python", ".java": "java", ".kt": "kotlin", ".kts": "kotlin", ".swift": "swift",
    ".m": "objc", ".mm": "objc", ".dart": "dart", ".js": "javascript", ".jsx": "javascript",
    ".mjs": "javascript", ".cjs": "javascript", ".ts": "typescript", ".mts": "typescript",
    ".cts": "typescript", ".tsx": "tsx", ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp",
    ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".go": "go",
}

_MODULES = {"tsx": ("tree_sitter_typescript", "language_tsx"),
            "typescript": ("tree_sitter_typescript", "language_typescript")}


@functools.cache
def language(name: str) -> ts.Language:
    mod_name, fn = _MODULES.get(name, (f"tree_sitter_{name}", "language"))
    mod = importlib.import_module(mod_name)
    return ts.Language(getattr(mod, fn)())


@functools.cache
def parser(name: str) -> ts.Parser:
    return ts.Parser(language(name))


# -- node kinds per language ---------------------------------------------------------

CALL_TYPES: dict[str, tuple[str, ...]] = {
    "python": ("call",),
    "javascript": ("call_expression", "new_expression"),
    "typescript": ("call_expression", "new_expression"),
    "tsx": ("call_expression", "new_expression"),
    "go": ("call_expression",),
    "c": ("call_expression",),
    "cpp": ("call_expression", "new_expression"),
    "objc": ("call_expression", "message_expression"),
    "java": ("method_invocation", "object_creation_expression", "explicit_constructor_invocation"),
    "kotlin": ("call_expression", "constructor_invocation", "constructor_delegation_call"),
    "swift": ("call_expression",),
    "dart": ("selector",),
}

STRING_TYPES = {
    "string", "string_literal", "interpreted_string_literal", "raw_string_literal",
    "line_string_literal", "template_string", "concatenated_string", "string_content",
    "multi_line_string_literal", "char_literal", "at_expression",
}
NULL_TEXT = {"null", "None", "nil", "NULL", "nullptr", "undefined", "Nil"}
TRUE_TEXT = {"true", "True", "YES", "@YES", "TRUE"}
FALSE_TEXT = {"false", "False", "NO", "@NO", "FALSE"}

# Seconds one file may take (parse and analysis) when scan_file is called without options.
PARSE_SECONDS = 20.0

FUNC_TYPES = {
    "function_definition", "function_declaration", "method_declaration", "method_definition",
    "constructor_declaration", "func_literal", "arrow_function", "function_expression",
    "function_signature", "method_signature", "lambda_literal", "init_declaration",
    "secondary_constructor", "function", "generator_function_declaration",
}
CONDITIONAL_TYPES = {"conditional_expression", "ternary_expression", "if_expression"}


@dataclass
class Call:
    node: Any
    callee: str  # dotted text of the callee, whitespace removed, "new " dropped
    name: str  # last segment of the callee
    receiver: Any = None  # node of the receiver (obj in obj.m(...)), if any
    args: list[tuple[str | None, Any]] = field(default_factory=list)  # (label, node)
    kind: str = "call"  # call | new | super | message | supertype

    def arg(self, index: int | None = None, label: str | tuple[str, ...] | None = None) -> Any:
        """The argument with this label, else the positional one at ``index``."""
        if label is not None:
            labels = (label,) if isinstance(label, str) else label
            for lab, node in self.args:
                if lab in labels:
                    return node
        if index is not None:
            positional = [n for lab, n in self.args if lab is None]
            if -len(positional) <= index < len(positional):
                return positional[index]
        return None

    @property
    def receiver_text(self) -> str:
        return text(self.receiver) if self.receiver is not None else ""


def text(node: Any) -> str:
    try:
        return node.text.decode("utf-8", "replace")
    except AttributeError:
        return ""


def compact(s: str) -> str:
    return "".join(s.split())


def strip_quotes(node: Any) -> str | None:
    """The value of a string literal node (escapes decoded), None if it is not a plain literal."""
    t = node.type
    if t == "at_expression":  # ObjC @"..." / @8080
        kids = [c for c in node.named_children]
        return strip_quotes(kids[0]) if kids and kids[0].type in STRING_TYPES else None
    if t == "concatenated_string":
        parts = [strip_quotes(c) for c in node.named_children]
        texts = [p for p in parts if p is not None]
        return "".join(texts) if len(texts) == len(parts) else None
    if t == "string_content":
        return unescape(text(node))
    for c in node.named_children:  # interpolation -> not a constant
        if c.type in {"interpolation", "template_substitution", "interpolated_expression",
                      "interpolated_identifier", "template_string_substitution", "line_str_text_interp"}:
            return None
    raw = text(node)
    for prefix in ("@", "r", "R", "b", "u", "f", "L", "u8"):
        if raw.startswith(prefix) and len(raw) > len(prefix) and raw[len(prefix)] in "\"'`":
            if prefix in ("f",) and "{" in raw:
                return None
            raw = raw[len(prefix):]
            break
    for q in ('"""', "'''", '"', "'", "`"):
        if raw.startswith(q) and raw.endswith(q) and len(raw) >= 2 * len(q):
            body = raw[len(q):-len(q)]
            if q == "`" and "${" in body:
                return None
            if "$" in body and node.type in {"string_literal", "line_string_literal"} and _dollar_interp(body):
                return None
            return unescape(body)
    return None


def _dollar_interp(body: str) -> bool:
    # Kotlin / Dart / Swift string templates: "$x" "${x}" "\(x)"
    import re
    return bool(re.search(r"\$\{|\$[A-Za-z_]|\\\(", body))


def unescape(s: str) -> str:
    if "\\" not in s:
        return s
    out = []
    i = 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            nx = s[i + 1]
            if nx == "0":
                out.append("\0")
                i += 2
                continue
            out.append({"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}.get(nx, nx))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def parse_int(raw: str) -> int | None:
    raw = raw.strip().rstrip("uUlL").replace("_", "")
    raw = raw.removeprefix("@")
    try:
        return int(raw, 0)
    except ValueError:
        try:
            return int(raw)
        except ValueError:
            return None


# -- calls ----------------------------------------------------------------------------

def extract_call(lang: str, node: Any) -> Call | None:
    fn = _EXTRACTORS.get(lang)
    return fn(node) if fn else None


def _positional(arglist: Any, skip: tuple[str, ...] = ("comment",)) -> list[tuple[str | None, Any]]:
    if arglist is None:
        return []
    return [(None, c) for c in arglist.named_children if c.type not in skip]


def _py_call(node: Any) -> Call | None:
    fn = node.child_by_field_name("function")
    args_node = node.child_by_field_name("arguments")
    if fn is None:
        return None
    args: list[tuple[str | None, Any]] = []
    if args_node is not None:
        for c in args_node.named_children:
            if c.type == "keyword_argument":
                args.append((text(c.child_by_field_name("name")), c.child_by_field_name("value")))
            elif c.type != "comment":
                args.append((None, c))
    callee = compact(text(fn))
    recv = fn.child_by_field_name("object") if fn.type == "attribute" else None
    return Call(node, callee, callee.rsplit(".", 1)[-1], recv, args)


def _js_call(node: Any) -> Call | None:
    if node.type == "new_expression":
        fn = node.child_by_field_name("constructor")
        kind = "new"
    else:
        fn = node.child_by_field_name("function")
        kind = "call"
    if fn is None:
        return None
    args = _positional(node.child_by_field_name("arguments"))
    callee = compact(text(fn)).replace("?.", ".")
    recv = fn.child_by_field_name("object") if fn.type == "member_expression" else None
    return Call(node, callee, callee.rsplit(".", 1)[-1], recv, args, kind)


def _go_call(node: Any) -> Call | None:
    fn = node.child_by_field_name("function")
    if fn is None:
        return None
    callee = compact(text(fn))
    recv = fn.child_by_field_name("operand") if fn.type == "selector_expression" else None
    return Call(node, callee, callee.rsplit(".", 1)[-1], recv, _positional(node.child_by_field_name("arguments")))


def _c_call(node: Any) -> Call | None:
    if node.type == "message_expression":
        return _objc_message(node)
    fn = node.child_by_field_name("function") or node.child_by_field_name("type")
    if fn is None:
        return None
    callee = compact(text(fn)).replace("->", ".").replace("::", ".")
    recv = None
    if fn.type == "field_expression":
        recv = fn.child_by_field_name("argument")
    args_node = node.child_by_field_name("arguments")
    return Call(node, callee, callee.rsplit(".", 1)[-1], recv, _positional(args_node),
                "new" if node.type == "new_expression" else "call")


def _objc_message(node: Any) -> Call | None:
    recv = node.child_by_field_name("receiver")
    parts: list[str] = []
    args: list[tuple[str | None, Any]] = []
    pending: str | None = None
    for i, c in enumerate(node.children):
        fname = node.field_name_for_child(i)
        if fname == "receiver" or not c.is_named:
            continue
        if fname == "method":
            pending = text(c)
            parts.append(pending)
        elif pending is not None:
            args.append((pending, c))
            pending = None
    recv_text = compact(text(recv)) if recv is not None else ""
    return Call(node, f"{recv_text}.{parts[0] if parts else ''}", parts[0] if parts else "", recv, args,
                "message")


def _java_call(node: Any) -> Call | None:
    t = node.type
    if t == "method_invocation":
        name = text(node.child_by_field_name("name"))
        obj = node.child_by_field_name("object")
        callee = (compact(text(obj)) + "." if obj is not None else "") + name
        return Call(node, callee, name, obj, _positional(node.child_by_field_name("arguments")))
    if t == "object_creation_expression":
        ty = compact(text(node.child_by_field_name("type")))
        ty = ty.split("<", 1)[0]
        return Call(node, ty, ty.rsplit(".", 1)[-1], None,
                    _positional(node.child_by_field_name("arguments")), "new")
    if t == "explicit_constructor_invocation":
        ctor = text(node.child_by_field_name("constructor"))
        return Call(node, ctor, ctor, None, _positional(node.child_by_field_name("arguments")), "super")
    return None


def _kotlin_args(va: Any) -> list[tuple[str | None, Any]]:
    out: list[tuple[str | None, Any]] = []
    if va is None:
        return out
    for arg in va.named_children:
        if arg.type != "value_argument":
            continue
        kids = arg.named_children
        has_eq = any(not c.is_named and text(c) == "=" for c in arg.children)
        if has_eq and len(kids) >= 2:
            out.append((text(kids[0]), kids[-1]))
        elif kids:
            out.append((None, kids[-1]))
    return out


def _kotlin_call(node: Any) -> Call | None:
    t = node.type
    if t == "call_expression":
        kids = node.named_children
        if not kids:
            return None
        fn = kids[0]
        va = next((c for c in kids[1:] if c.type == "value_arguments"), None)
        if va is None:
            cs = next((c for c in kids[1:] if c.type == "call_suffix"), None)
            va = next((c for c in cs.named_children if c.type == "value_arguments"), None) if cs else None
        if va is None:
            return None
        callee = compact(text(fn)).replace("?.", ".").split("<", 1)[0]
        recv = None
        if fn.type == "navigation_expression" and fn.named_children:
            recv = fn.named_children[0]
        return Call(node, callee, callee.rsplit(".", 1)[-1], recv, _kotlin_args(va))
    if t == "constructor_invocation":
        ty = next((c for c in node.named_children if c.type == "user_type"), None)
        va = next((c for c in node.named_children if c.type == "value_arguments"), None)
        name = compact(text(ty)).split("<", 1)[0] if ty is not None else ""
        return Call(node, name, name.rsplit(".", 1)[-1], None, _kotlin_args(va), "supertype")
    if t == "constructor_delegation_call":
        kw = text(node.children[0]) if node.children else "super"
        va = next((c for c in node.named_children if c.type == "value_arguments"), None)
        return Call(node, kw, kw, None, _kotlin_args(va), "super")
    return None


def _swift_call(node: Any) -> Call | None:
    kids = node.named_children
    if len(kids) < 2:
        return None
    fn, suffix = kids[0], kids[-1]
    if suffix.type != "call_suffix":
        return None
    va = next((c for c in suffix.named_children if c.type == "value_arguments"), None)
    args: list[tuple[str | None, Any]] = []
    if va is not None:
        for arg in va.named_children:
            if arg.type != "value_argument":
                continue
            label = arg.child_by_field_name("name")
            value = arg.child_by_field_name("value")
            if value is None:
                continue
            args.append((text(label) if label is not None else None, value))
    callee = compact(text(fn)).replace("?.", ".")
    recv = None
    if fn.type == "navigation_expression":
        recv = fn.child_by_field_name("target")
    return Call(node, callee, callee.rsplit(".", 1)[-1], recv, args)


def _dart_call(node: Any) -> Call | None:
    ap = next((c for c in node.named_children if c.type == "argument_part"), None)
    if ap is None:
        return None
    parent = node.parent
    if parent is None:
        return None
    before: list[Any] = []
    for c in parent.named_children:
        if c.id == node.id:
            break
        before.append(c)
    if not before:
        return None
    # the callee is the run of identifier + selectors before this argument part
    # (stop at an earlier call's argument part, keep it as receiver text)
    parts = []
    for c in before:
        if c.type == "selector":
            sub = c.named_children[0] if c.named_children else None
            if sub is not None and sub.type == "argument_part":
                parts.append("()")
                continue
            parts.append(compact(text(c)).lstrip("?"))
        else:
            parts.append(compact(text(c)))
    callee = "".join(p if p.startswith(".") or p == "()" or i == 0 else "." + p for i, p in enumerate(parts))
    callee = callee.replace("?.", ".").replace("new.", "").replace("const.", "")
    name = callee.rsplit(".", 1)[-1]
    args: list[tuple[str | None, Any]] = []
    arglist = next((c for c in ap.named_children if c.type == "arguments"), None)
    if arglist is not None:
        for a in arglist.named_children:
            if a.type == "named_argument":
                lab = a.named_children[0]
                val = a.named_children[-1]
                args.append((text(lab).rstrip(":").strip(), val))
            elif a.type == "argument":
                args.append((None, a.named_children[0] if len(a.named_children) == 1 else a))
            else:
                args.append((None, a))
    recv = before[0] if len(before) > 1 else None
    return Call(node, callee, name, recv, args)


_EXTRACTORS = {
    "python": _py_call, "javascript": _js_call, "typescript": _js_call, "tsx": _js_call,
    "go": _go_call, "c": _c_call, "cpp": _c_call, "objc": _c_call, "java": _java_call,
    "kotlin": _kotlin_call, "swift": _swift_call, "dart": _dart_call,
}


# -- definitions ---------------------------------------------------------------------

def last_name(node: Any) -> str | None:
    """``self.host`` -> host, ``addr.sin_addr.s_addr`` -> s_addr, ``*p`` -> p."""
    if node is None:
        return None
    t = compact(text(node))
    for sep in ("->", "::", "?."):
        t = t.replace(sep, ".")
    t = t.strip("*&()")
    if not t:
        return None
    seg = t.rsplit(".", 1)[-1]
    seg = seg.split("[", 1)[0].split(":", 1)[0]
    return seg if seg.replace("_", "a").replace("$", "a").isalnum() else None


def collect_definitions(lang: str, root: Any) -> dict[str, list[tuple[Any, Any]]]:
    """name -> [(value node, defining node)] in source order."""
    defs: dict[str, list[tuple[Any, Any]]] = {}

    def add(name_node: Any, value: Any, owner: Any) -> None:
        if value is None:
            return
        name = name_node if isinstance(name_node, str) else last_name(name_node)
        if name:
            defs.setdefault(name, []).append((value, owner))

    for n in _definition_nodes(lang, root):
        t = n.type
        f = n.child_by_field_name
        if t in ("assignment", "assignment_expression", "augmented_assignment") and lang not in ("swift", "kotlin"):
            left, right = f("left"), f("right")
            if (left is not None and left.type in ("pattern_list", "tuple_pattern", "expression_list")
                    and right is not None and right.type in ("expression_list", "tuple", "pattern_list")):
                for ln, rn in zip(left.named_children, right.named_children, strict=False):
                    add(ln, rn, n)
            elif t != "augmented_assignment":
                add(left, right, n)
        elif t in ("variable_declarator", "init_declarator"):
            add(f("name") or f("declarator"), f("value"), n)
        elif t in ("default_parameter", "typed_default_parameter", "keyword_argument") and lang == "python":
            if t != "keyword_argument":
                add(f("name"), f("value"), n)
        elif t in ("assignment_pattern",):  # JS default parameter
            add(f("left"), f("right"), n)
        elif t in ("field_definition", "public_field_definition"):
            add(f("property") or f("name"), f("value"), n)
        elif t in ("short_var_declaration", "assignment_statement", "var_spec", "const_spec"):
            if t in ("var_spec", "const_spec"):
                names = [c for c in n.children_by_field_name("name")]
                vals = f("value")
            else:
                lst = f("left")
                names = lst.named_children if lst is not None else []
                vals = f("right")
            if vals is not None:
                for ln, rn in zip(names, vals.named_children, strict=False):
                    add(ln, rn, n)
        elif t == "preproc_def":
            add(f("name"), f("value"), n)
        elif t == "property_declaration" and lang == "kotlin":
            vd = next((c for c in n.named_children if c.type == "variable_declaration"), None)
            kids = n.named_children
            if vd is not None and kids and kids[-1].id != vd.id:
                add(vd.named_children[0] if vd.named_children else vd, kids[-1], n)
        elif t == "assignment" and lang == "kotlin":
            kids = n.named_children
            if len(kids) >= 2:
                add(kids[0], kids[-1], n)
        elif t == "class_parameter" and lang == "kotlin":
            kids = n.named_children
            if any(text(c) == "=" for c in n.children if not c.is_named) and len(kids) >= 2:
                add(kids[0], kids[-1], n)
        elif t == "property_declaration" and lang == "swift":
            add(f("name"), f("value"), n)
        elif t == "assignment" and lang == "swift":
            add(f("target"), f("result"), n)
        elif t in ("initialized_variable_definition", "static_final_declaration", "initialized_identifier"):
            kids = n.named_children
            name = f("name") or (kids[0] if kids else None)
            add(name, f("value") or (kids[-1] if len(kids) >= 2 else None), n)
    if lang == "kotlin" or lang == "dart":
        _collect_default_params(lang, root, defs)
    return defs


_DEF_TYPES = ("assignment", "assignment_expression", "augmented_assignment", "variable_declarator",
              "init_declarator", "default_parameter", "typed_default_parameter", "assignment_pattern",
              "field_definition", "public_field_definition", "short_var_declaration", "assignment_statement",
              "var_spec", "const_spec", "preproc_def", "property_declaration", "class_parameter",
              "initialized_variable_definition", "static_final_declaration", "initialized_identifier")


@functools.cache
def _definition_query(lang: str) -> ts.Query | None:
    lg = language(lang)
    kinds = [t for t in _DEF_TYPES if lg.id_for_node_kind(t, True)]
    if not kinds:
        return None
    return ts.Query(lg, "[" + " ".join(f"({t})" for t in kinds) + "] @d")


def _definition_nodes(lang: str, root: Any) -> list[Any]:
    q = _definition_query(lang)
    if q is None:
        return []
    nodes = ts.QueryCursor(q).captures(root).get("d", [])
    nodes.sort(key=lambda n: n.start_byte)
    return nodes


def _collect_default_params(lang: str, root: Any, defs: dict[str, list[tuple[Any, Any]]]) -> None:
    for fn in iter_functions(lang, root):
        for pname, default in fn.params:
            if default is not None:
                defs.setdefault(pname, []).append((default, fn.node))


# -- functions -----------------------------------------------------------------------

@dataclass
class Function:
    node: Any
    name: str
    params: list[tuple[str, Any]]  # (name, default value node or None)


def function_of(node: Any) -> Any:
    n = node.parent
    while n is not None:
        if n.type in FUNC_TYPES:
            return n
        n = n.parent
    return None


def describe_function(lang: str, fn: Any) -> Function | None:
    """Name and parameters of a function node."""
    if fn is None:
        return None
    name_node = fn.child_by_field_name("name")
    if name_node is None and lang in ("c", "cpp", "objc"):
        d = fn.child_by_field_name("declarator")
        while d is not None and d.type not in ("function_declarator",):
            d = d.child_by_field_name("declarator")
        if d is not None:
            name_node = d.child_by_field_name("declarator")
            plist = d.child_by_field_name("parameters")
            return Function(fn, last_name(name_node) or "", _params(lang, plist))
    if name_node is None and lang == "kotlin":
        name_node = next((c for c in fn.named_children if c.type in ("identifier", "simple_identifier")), None)
    if name_node is None and lang == "swift" and fn.type == "init_declaration":
        return Function(fn, "init", _params(lang, fn))
    if name_node is None and fn.type in ("arrow_function", "function_expression", "function"):
        parent = fn.parent
        if parent is not None and parent.type == "variable_declarator":
            name_node = parent.child_by_field_name("name")
        elif parent is not None and parent.type in ("assignment_expression", "pair"):
            name_node = parent.child_by_field_name("left") or parent.child_by_field_name("key")
    plist = (fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
             or next((c for c in fn.named_children if c.type in (
                 "function_value_parameters", "formal_parameter_list", "parameter_list", "parameters",
                 "formal_parameters")), None))
    if lang == "swift":
        plist = fn
    if lang == "dart" and fn.type == "function_body":
        return None
    return Function(fn, last_name(name_node) or "", _params(lang, plist))


def _params(lang: str, plist: Any) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if plist is None:
        return out
    if lang == "swift":
        for c in plist.named_children:
            if c.type == "parameter":
                nm = c.child_by_field_name("name")
                out.append((text(nm), None))
        # defaults are siblings after the parameter in the grammar
        kids = plist.children
        for i, c in enumerate(kids):
            if c.type == "=" and i > 0 and i + 1 < len(kids):
                prev = kids[i - 1]
                if prev.type == "parameter":
                    nm = text(prev.child_by_field_name("name"))
                    out = [(n, kids[i + 1] if n == nm else d) for n, d in out]
        return out
    if lang == "kotlin":
        kids = plist.children
        for i, c in enumerate(kids):
            if c.type == "parameter":
                nm = c.named_children[0] if c.named_children else None
                default = None
                if i + 2 < len(kids) and kids[i + 1].type == "=":
                    default = kids[i + 2]
                out.append((text(nm), default))
        return out
    for c in plist.named_children:
        t = c.type
        f = c.child_by_field_name
        if lang == "python":
            if t == "identifier":
                out.append((text(c), None))
            elif t in ("default_parameter", "typed_default_parameter"):
                out.append((text(f("name")), f("value")))
            elif t == "typed_parameter":
                nm = next((x for x in c.named_children if x.type == "identifier"), None)
                out.append((text(nm), None))
        elif lang in ("javascript", "typescript", "tsx"):
            if t == "identifier":
                out.append((text(c), None))
            elif t == "assignment_pattern":
                out.append((text(f("left")), f("right")))
            elif t in ("required_parameter", "optional_parameter"):
                pat = f("pattern")
                out.append((text(pat), f("value")))
        elif lang == "go":
            if t == "parameter_declaration":
                for nm in c.children_by_field_name("name"):
                    out.append((text(nm), None))
        elif lang in ("c", "cpp", "objc"):
            if t == "parameter_declaration":
                out.append((last_name(f("declarator")) or "", None))
        elif lang == "java":
            if t in ("formal_parameter", "spread_parameter"):
                out.append((text(f("name")), None))
        elif lang == "dart":
            _dart_params(c, out)
    return out


def _dart_params(node: Any, out: list[tuple[str, Any]]) -> None:
    t = node.type
    if t in ("formal_parameter",):
        nm = node.child_by_field_name("name") or next(
            (x for x in node.named_children if x.type == "identifier"), None)
        out.append((text(nm), None))
    elif t in ("optional_formal_parameters", "named_formal_parameters"):
        for c in node.named_children:
            if c.type == "formal_parameter":
                _dart_params(c, out)
            elif c.type in ("default_formal_parameter", "default_named_parameter"):
                fp = next((x for x in c.named_children if x.type == "formal_parameter"), None)
                nm = None
                if fp is not None:
                    nm = fp.child_by_field_name("name") or next(
                        (x for x in fp.named_children if x.type == "identifier"), None)
                val = c.named_children[-1] if len(c.named_children) > 1 else None
                out.append((text(nm), val))


def iter_functions(lang: str, root: Any):
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type in FUNC_TYPES:
            fn = describe_function(lang, n)
            if fn is not None:
                yield fn
        stack.extend(n.named_children)
