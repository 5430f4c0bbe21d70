"""Peer checks that apply to one listener: calls on the sockets *accepted from it* (or on the
listener itself, such as ``setNeedClientAuth(true)``), followed one call deep into the method that
receives the accepted socket.  A check on any other socket of the class -- a client socket in a
logging method -- does not count."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import lang as L

if TYPE_CHECKING:
    from .detect import FileScan

# Java / Kotlin method names (and Kotlin property names) that look at the peer.
PEER_CALLS = {"getInetAddress": "getInetAddress", "getRemoteSocketAddress": "getRemoteSocketAddress",
              "getRemoteAddress": "getRemoteAddress", "getPeerCredentials": "getPeerCredentials",
              "getRemoteIpAddress": "getRemoteIpAddress", "getRemoteHostName": "getRemoteHostName",
              "inetAddress": "getInetAddress", "remoteSocketAddress": "getRemoteSocketAddress",
              "remoteAddress": "getRemoteAddress", "peerCredentials": "getPeerCredentials",
              "remoteIpAddress": "getRemoteIpAddress", "getSession": "TLS session (client certificate)"}
SERVER_CHECKS = {"setNeedClientAuth": "setNeedClientAuth(true)", "setWantClientAuth": "setWantClientAuth(true)",
                 "needClientAuth": "setNeedClientAuth(true)"}
ACCEPTS = {"accept", "acceptAndOpen"}


def peer_checks(scan: "FileScan", sites: list[Any]) -> list[str]:
    out: set[str] = set()
    for site in sites:
        server = _holder(site)
        if server is None:
            continue
        scope = _class_or_file(site)
        for name, via in _calls_on(scan, scope, server):
            if name in SERVER_CHECKS and _true_arg(via):
                out.add(SERVER_CHECKS[name])
            if name in ACCEPTS:
                out |= _checks_on_accepted(scan, via)
    return sorted(out)


def _holder(node: Any) -> str | None:
    """The variable or field that holds the object made by ``node`` (or its receiver for x.bind())."""
    call = node
    p = node.parent
    while p is not None and p.type in ("parenthesized_expression", "cast_expression", "as_expression",
                                       "value_argument", "try_expression"):
        p = p.parent
    if p is None:
        return None
    if p.type in ("variable_declarator", "property_declaration", "variable_declaration", "resource"):
        nm = p.child_by_field_name("name")
        if nm is None and p.type == "property_declaration":
            vd = next((c for c in p.named_children if c.type == "variable_declaration"), None)
            nm = vd.named_children[0] if vd is not None and vd.named_children else None
        return L.text(nm) if nm is not None else None
    if p.type in ("assignment_expression", "assignment"):
        left = p.child_by_field_name("left") or (p.named_children[0] if p.named_children else None)
        return L.last_name(left)
    obj = call.child_by_field_name("object")  # ss.bind(...): the receiver holds the listener
    if obj is not None:
        return L.last_name(obj)
    if call.type == "call_expression" and call.named_children and call.named_children[0].type == \
            "navigation_expression":
        return L.last_name(call.named_children[0].named_children[0])
    return None


def _class_or_file(node: Any) -> Any:
    from .resolve import class_of
    return class_of(node) or _root(node)


def _root(node: Any) -> Any:
    while node.parent is not None:
        node = node.parent
    return node


def _calls_on(scan: "FileScan", scope: Any, var: str) -> list[tuple[str, Any]]:
    """(method name, call node) of calls whose receiver is ``var`` (``x.m()``, ``this.x.m()``) and
    Kotlin property reads ``x.prop`` inside ``scope``."""
    out = []
    stack = [scope]
    while stack:
        n = stack.pop()
        if n.type in ("method_invocation", "call_expression", "navigation_expression"):
            recv, name = _receiver_and_name(n)
            if recv is not None and L.last_name(recv) == var and name:
                out.append((name, n))
        stack.extend(n.named_children)
    return out


def _receiver_and_name(n: Any) -> tuple[Any, str | None]:
    if n.type == "method_invocation":
        return n.child_by_field_name("object"), L.text(n.child_by_field_name("name"))
    if n.type == "call_expression" and n.named_children and n.named_children[0].type == "navigation_expression":
        nav = n.named_children[0]
        return (nav.named_children[0] if nav.named_children else None), L.last_name(nav)
    if n.type == "navigation_expression" and len(n.named_children) == 2:
        return n.named_children[0], L.text(n.named_children[1])
    return None, None


def _true_arg(call: Any) -> bool:
    return "true" in L.text(call).split("(", 1)[-1] or call.type == "navigation_expression"


def _checks_on_accepted(scan: "FileScan", accept_call: Any) -> set[str]:
    """Peer checks on the socket an ``accept()`` call returns."""
    node = accept_call if accept_call.type != "navigation_expression" else accept_call.parent
    found: set[str] = set()
    holder = _holder(node)
    fn = L.function_of(node) or _root(node)
    if holder is not None:
        found |= _peer_calls(scan, fn, holder, depth=0)
    lam = _kotlin_lambda_param(node)  # server.accept().use { s -> s.inetAddress }
    if lam is not None:
        found |= _peer_calls(scan, lam[0], lam[1], depth=0)
    arg_of = node.parent
    while arg_of is not None and arg_of.type in ("argument_list", "value_argument", "value_arguments"):
        arg_of = arg_of.parent
    if arg_of is not None and arg_of is not node.parent and arg_of.type in (
            "method_invocation", "object_creation_expression", "call_expression"):
        found |= _into_callee(scan, arg_of, node, depth=0)
    return found


def _peer_calls(scan: "FileScan", scope: Any, var: str, depth: int) -> set[str]:
    found = set()
    for name, _call in _calls_on(scan, scope, var):
        if name in PEER_CALLS:
            found.add(PEER_CALLS[name])
    if depth < 2:
        for call in _calls_passing(scope, var):
            found |= _into_callee(scan, call, None, depth + 1, var)
    return found


def _calls_passing(scope: Any, var: str) -> list[Any]:
    out = []
    stack = [scope]
    while stack:
        n = stack.pop()
        if n.type in ("method_invocation", "object_creation_expression", "call_expression"):
            args = n.child_by_field_name("arguments") or next(
                (c for c in n.named_children if c.type in ("value_arguments", "call_suffix")), None)
            if args is not None and any(L.compact(L.text(a)) == var for a in _arg_nodes(args)):
                out.append(n)
        stack.extend(n.named_children)
    return out


def _arg_nodes(args: Any) -> list[Any]:
    if args.type == "call_suffix":
        args = next((c for c in args.named_children if c.type == "value_arguments"), args)
    return [c.named_children[-1] if c.type == "value_argument" and c.named_children else c
            for c in args.named_children]


def _into_callee(scan: "FileScan", call_node: Any, arg_node: Any, depth: int, var: str | None = None) -> set[str]:
    """Checks on the parameter of the method (of this file) that receives the accepted socket."""
    call = L.extract_call(scan.lang, call_node)
    if call is None:
        return set()
    idx = None
    for i, (_lab, a) in enumerate(call.args):
        if (arg_node is not None and a.start_byte <= arg_node.start_byte and arg_node.end_byte <= a.end_byte) or \
                (var is not None and L.compact(L.text(a)) == var):
            idx = i
    if idx is None:
        return set()
    found: set[str] = set()
    name = call.name
    for fn in L.iter_functions(scan.lang, scan.root):
        if fn.name != name and not (call.kind == "new" and fn.node.type in ("constructor_declaration",
                                                                             "secondary_constructor")
                                    and fn.name == name):
            continue
        if idx >= len(fn.params):
            continue
        pname = fn.params[idx][0]
        found |= _peer_calls(scan, fn.node, pname, depth + 1)
        field = _stored_in_field(fn.node, pname)
        if field is not None:  # new Handler(socket): this.socket = socket, checked in a method
            from .resolve import class_of
            found |= _peer_calls(scan, class_of(fn.node) or fn.node, field, depth + 1)
    return found


def _stored_in_field(fn_node: Any, pname: str) -> str | None:
    stack = [fn_node]
    while stack:
        n = stack.pop()
        if n.type in ("assignment_expression", "assignment"):
            right = n.child_by_field_name("right") or (n.named_children[-1] if n.named_children else None)
            left = n.child_by_field_name("left") or (n.named_children[0] if n.named_children else None)
            if right is not None and L.compact(L.text(right)) == pname and left is not None:
                return L.last_name(left)
        stack.extend(n.named_children)
    return None


def _kotlin_lambda_param(node: Any) -> tuple[Any, str] | None:
    p = node.parent
    if p is None or p.type != "navigation_expression":
        return None
    call = p.parent
    if call is None or call.type != "call_expression":
        return None
    lam = next((c for c in _descendants(call, 3) if c.type == "lambda_literal"), None)
    if lam is None:
        return None
    params = next((c for c in lam.named_children if c.type == "lambda_parameters"), None)
    name = L.text(params.named_children[0]) if params is not None and params.named_children else "it"
    return lam, name.split(":", 1)[0].strip()


def _descendants(node: Any, depth: int) -> list[Any]:
    out = []
    level = [node]
    for _ in range(depth):
        level = [c for n in level for c in n.named_children]
        out += level
    return out
