"""JavaScript / TypeScript: node ``net`` / ``http`` / ``https`` / ``http2`` / ``tls`` servers and ``dgram``
sockets, express / koa / fastify / hapi, React Native modules (react-native-tcp-socket,
react-native-http-bridge, react-native-static-server) and the Cordova httpd plugin.

A receiver is matched by its *origin*: the chain from a module import to the value
(``require('net').createServer()`` is ``net.createServer()``, ``express()`` is ``express()``).  A
``.listen()`` whose receiver cannot be traced to a module is reported as unresolved (never as a
definite bind) when its name says "server", and not at all otherwise."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any

from ...model import Bind
from ...values import Addr, Const, Unknown, Value, Verdict
from . import lang as L
from .catalog import Spec, handler
from .draft import Draft, null_meaning
from .family import Family, FnInfo, register
from .flowvals import Record, const_str, is_true

if TYPE_CHECKING:
    from .detect import FileScan

SERVER_NAME = re.compile(r"^(app|server|srv|httpServer|httpsServer|webServer|tcpServer|api|proxy|devServer|"
                         r"staticServer|wsServer)$", re.IGNORECASE)


def origin(scan: "FileScan", node: Any, depth: int = 0) -> str | None:
    """The import chain a JS value comes from (``net.createServer()``), None when unknown."""
    if node is None or depth > 10:
        return None
    t = node.type
    if t in ("parenthesized_expression", "await_expression", "as_expression", "non_null_expression",
             "satisfies_expression") and node.named_children:
        return origin(scan, node.named_children[0], depth + 1)
    if t == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is not None and L.text(fn) == "require":
            arg = node.child_by_field_name("arguments")
            lit = arg.named_children[0] if arg is not None and arg.named_children else None
            return _module(L.strip_quotes(lit)) if lit is not None and lit.type in L.STRING_TYPES else None
        o = origin(scan, fn, depth + 1)
        return o + "()" if o else None
    if t == "new_expression":
        o = origin(scan, node.child_by_field_name("constructor"), depth + 1)
        return o + "()" if o else None
    if t == "member_expression":
        o = origin(scan, node.child_by_field_name("object"), depth + 1)
        prop = L.text(node.child_by_field_name("property"))
        return f"{o}.{prop}" if o else None
    if t == "identifier":
        name = L.text(node)
        imp = imports(scan).get(name)
        if imp is not None:
            return imp
        for value, owner in scan.r.definitions_for(name, node)[:3]:
            if owner.type == "variable_declarator" and owner.child_by_field_name("name") is not None and \
                    owner.child_by_field_name("name").type == "object_pattern":
                continue
            o = origin(scan, value, depth + 1)
            if o:
                return o
    return None


def _module(name: str | None) -> str | None:
    return name.removeprefix("node:") if name else None


def imports(scan: "FileScan") -> dict[str, str]:
    """Local name -> origin for ``require`` / ``import`` bindings of this file."""
    got = scan.ctx.get("js_imports")
    if got is not None:
        return got
    got = {}
    src = scan.src.decode("utf-8", "replace")
    for m in re.finditer(r"(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*['\"]([^'\"]+)['\"]\s*\)", src):
        for part in m.group(1).split(","):
            a, _, b = part.partition(":")
            if a.strip():
                got[(b or a).strip()] = f"{_module(m.group(2))}.{a.strip()}"
    for m in re.finditer(r"import\s+(?:(\w+)\s*,?\s*)?(?:\*\s+as\s+(\w+))?(?:\{([^}]*)\})?"
                         r"\s*from\s*['\"]([^'\"]+)['\"]", src):
        mod = _module(m.group(4))
        if m.group(1):
            got[m.group(1)] = mod
        if m.group(2):
            got[m.group(2)] = mod
        for part in (m.group(3) or "").split(","):
            a, _, b = part.strip().partition(" as ")
            if a.strip():
                got[(b or a).strip()] = f"{mod}.{a.strip()}"
    scan.ctx["js_imports"] = got
    return got


class JsFamily(Family):
    name = "js"
    langs = ("javascript", "typescript", "tsx")

    def type_ok(self, scan: "FileScan", spec: "Spec", call: L.Call) -> bool:
        if spec.opt("unresolved"):
            return True
        if spec.modules and not any(scan.imports_module(m) for m in spec.modules):
            return False
        if not spec.classes:
            return True
        callee = call.node.child_by_field_name("constructor" if call.kind == "new" else "function")
        if origin(scan, callee) in spec.classes:
            return True
        return call.receiver is not None and origin(scan, call.receiver) in spec.classes

    def calls_function(self, scan: "FileScan", call: L.Call, fn: FnInfo) -> bool:
        if fn.file == scan.rel:
            return call.receiver_text in ("", "this")
        o = origin(scan, call.node.child_by_field_name("function"))
        if not o or not o.startswith(".") or not o.endswith("." + fn.name):
            return False  # only calls through a relative import of the declaring file
        module = o[:-(len(fn.name) + 1)]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(scan.rel), module))
        stem = posixpath.splitext(fn.file)[0]
        return target in (stem, posixpath.dirname(stem) if stem.endswith("/index") else stem)


register(JsFamily())


def _server_default(spec: Spec) -> Bind:
    return spec.default_bind


@handler("js_listen", unresolved=bool)
def js_listen(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``server.listen(port[, host][, backlog][, cb])``, ``listen({port, host, path})``,
    ``listen(path)`` (UNIX socket).  Node.js docs: "If host is omitted, the server will accept
    connections on the unspecified IPv6 address (::) ... or the unspecified IPv4 address (0.0.0.0)"."""
    if call.receiver is None:
        return None
    if spec.opt("unresolved") and not SERVER_NAME.match(L.last_name(call.receiver) or ""):
        return None
    meaning = null_meaning(spec.null, spec.null_doc, "node.net.Server.listen" if spec.null == "none" else None)
    drafts = _listen_args(scan, spec, call, meaning)
    if spec.opt("unresolved"):
        for d in drafts:
            d.fixed = Verdict(Bind.UNKNOWN, reason=f"the receiver of {call.callee}() was not traced to a server "
                                                   f"module (matched by its name only)")
    return drafts


def _listen_args(scan: "FileScan", spec: Spec, call: L.Call, meaning: Any) -> list[Draft]:
    spread = next((n for _, n in call.args if n.type == "spread_element"), None)
    if spread is not None:  # listen(...args): the arguments of whoever calls the wrapper
        why = Unknown(f"arguments passed through {L.text(spread)[:30]}")
        return [Draft(spec.id, spec.transport, call.node, why, why, spec.default_bind, null=meaning)]
    if not call.args:
        return [Draft(spec.id, spec.transport, call.node, None, Const(0), spec.default_bind,
                      default_doc=spec.default_doc, null=meaning)]
    first = scan.value(call.arg(0))
    if isinstance(first, Record):
        if first.get("path") is not None:
            path = const_str(scan.value(first.get("path")))
            return [Draft(spec.id, "unix", call.node, None, None, fixed=Verdict(Bind.UNIX, path))]
        host = scan.value(first.get("host")) if first.get("host") is not None else None
        port = scan.value(first.get("port")) if first.get("port") is not None else None
        return [Draft(spec.id, spec.transport, call.node, host, port, spec.default_bind,
                      default_doc=spec.default_doc, null=meaning)]
    s = const_str(first)
    if s is not None and not s.isdigit():
        return [Draft(spec.id, "unix", call.node, None, None, fixed=Verdict(Bind.UNIX, s))]
    host = None
    second = call.arg(1)
    if second is not None and second.type not in ("arrow_function", "function_expression", "function"):
        hv = scan.value(second)
        looks_host = bool(re.search(r"(?i)host|addr|ip|bind|interface", L.text(second)))
        if not (isinstance(hv, Const) and isinstance(hv.value, int)) and (
                isinstance(hv, (Const, Addr)) or looks_host or not isinstance(hv, Unknown)):
            host = hv
    return [Draft(spec.id, spec.transport, call.node, host, first, spec.default_bind, default_doc=spec.default_doc,
                  null=meaning)]


@handler("dgram_bind")
def dgram_bind(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """dgram ``socket.bind(port[, address][, cb])`` / ``bind({port, address})`` (Node.js docs: "If
    address is not specified, the operating system will attempt to listen on all addresses")."""
    meaning = null_meaning("all-interfaces", "Node.js docs socket.bind")
    if not call.args:
        return [Draft(spec.id, "udp", call.node, None, Const(0), Bind.ALL, null=meaning)]
    first = scan.value(call.arg(0))
    if isinstance(first, Record):
        host = scan.value(first.get("address")) if first.get("address") is not None else None
        port = scan.value(first.get("port")) if first.get("port") is not None else Const(0)
        return [Draft(spec.id, "udp", call.node, host, port, Bind.ALL, default_doc=spec.default_doc, null=meaning)]
    second = call.arg(1)
    host = scan.value(second) if second is not None and second.type not in (
        "arrow_function", "function_expression", "function") else None
    return [Draft(spec.id, "udp", call.node, host, first, Bind.ALL, default_doc=spec.default_doc, null=meaning)]


@handler("options_server", host_keys=list, port_keys=list, local_keys=list, arg=int)
def options_server(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """A server configured by an options object (hapi ``server({port, host})``, the Cordova httpd
    plugin ``startServer({port, localhost_only})``, react-native-static-server ``{localOnly}``): the
    host key, or a "local only" flag, and the port key; a port may also be the first argument."""
    opts = None
    idx = spec.opt("arg")
    nodes = [call.arg(idx)] if idx is not None else [n for _, n in reversed(call.args)]
    for node in nodes:
        v = scan.value(node) if node is not None else None
        if isinstance(v, Record):
            opts = v
            break
    host: Value | None = None
    port: Value | None = None
    if opts is not None:
        for k in spec.opt("host_keys", ()):
            if opts.get(k) is not None:
                host = scan.value(opts.get(k))
        for k in spec.opt("local_keys", ()):
            if opts.get(k) is not None:
                flag = is_true(scan.value(opts.get(k)))
                host = Addr(Bind.LOOPBACK, "127.0.0.1", f"{k}: true") if flag else \
                    Addr(Bind.ALL, "0.0.0.0", f"{k}: false") if flag is False else Unknown(f"{k} not a constant")
        for k in spec.opt("port_keys", ()):
            if opts.get(k) is not None:
                port = scan.value(opts.get(k))
    first = call.arg(0)
    if port is None and first is not None and first.type != "object" and spec.port is not None:
        port = scan.value(call.arg(spec.port))
    return [Draft(spec.id, spec.transport, call.node, host, port, spec.default_bind, default_doc=spec.default_doc,
                  default_port=spec.default_port, null=null_meaning(spec.null, spec.null_doc))]
