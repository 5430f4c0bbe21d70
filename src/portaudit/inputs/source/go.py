"""Go: ``net.Listen*`` / ``tls.Listen`` / ``net.ListenConfig``, ``http.ListenAndServe(TLS)``,
``(&http.Server{Addr: ...}).ListenAndServe()``.  The package of a call is its import path; callers of
a wrapper are found in its package (unqualified) and in the packages that import it."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any

from ...model import Bind
from ...values import Addr, Const, Unknown, Value, Verdict
from . import lang as L
from .catalog import Spec, handler
from .draft import Draft
from .family import Family, FnInfo, register
from .flowvals import Record, const_str

if TYPE_CHECKING:
    from .detect import FileScan

PACKAGES = {"net": "net", "tls": "crypto/tls", "http": "net/http", "fasthttp": "github.com/valyala/fasthttp"}


class GoFamily(Family):
    name = "go"
    langs = ("go",)

    def imports(self, scan: "FileScan") -> dict[str, str]:
        got = scan.ctx.get("go_imports")
        if got is None:
            got = {}
            for m in re.finditer(rb"(?m)^\s*(?:import\s+)?(\w+\s+)?\"([\w./-]+)\"", scan.src):
                path = m.group(2).decode()
                alias = (m.group(1) or b"").decode().strip() or path.rsplit("/", 1)[-1]
                got[alias] = path
            scan.ctx["go_imports"] = got
        return got

    def type_ok(self, scan: "FileScan", spec: "Spec", call: L.Call) -> bool:
        head = call.callee.split(".", 1)[0] if "." in call.callee else ""
        imports = self.imports(scan)
        if head in PACKAGES or head in imports:
            want = PACKAGES.get(head)
            return imports.get(head) == want if want else bool(spec.modules and imports.get(head) in spec.modules)
        if call.name in ("Listen", "ListenPacket") and call.receiver is not None:
            recv = re.escape(call.receiver_text.encode())
            return bool(re.search(rb"\b" + recv + rb"\s+\*?net\.ListenConfig\b|\b" + recv +
                                  rb"\s*:?=\s*&?net\.ListenConfig\s*\{", scan.src)) or \
                "ListenConfig" in scan.receiver_context(call)
        # an http.Server value: checked by the handler
        return call.name in ("ListenAndServe", "ListenAndServeTLS") and call.receiver is not None

    def call_value(self, scan: "FileScan", call: L.Call, depth: int, seen: frozenset) -> Value | None:
        """Settings with their defaults: ``os.Getenv``, ``flag.String("addr", ":8080", ...)``."""
        path = self.imports(scan).get(call.callee.split(".", 1)[0]) if "." in call.callee else None
        key = const_str(scan.r.value(call.arg(0), depth + 1, seen)) if call.arg(0) is not None else None
        if path == "net" and call.name in ("ResolveTCPAddr", "ResolveUDPAddr", "ResolveIPAddr") and \
                call.arg(1) is not None:
            return scan.r.value(call.arg(1), depth + 1, seen)  # the "host:port" it parses
        if path == "os" and call.name in ("Getenv", "LookupEnv"):
            return scan.r._config(call.node, "environment", key)
        if path == "flag" and call.name in ("String", "Int", "Uint", "Int64") and call.arg(1) is not None:
            return scan.r._config(call.node, "command-line flag", key, scan.r.value(call.arg(1), depth + 1, seen))
        return None

    def function_id(self, scan: "FileScan", fn: L.Function) -> tuple[str, str | None, str, str]:
        pkg = posixpath.dirname(scan.rel) or "."
        recv = fn.node.child_by_field_name("receiver")
        owner = re.sub(r"[^\w]", "", L.text(recv).split()[-1]) if recv is not None and L.text(recv).split() else None
        kind = "method" if owner else "function"
        return f"{pkg}::{owner + '.' if owner else ''}{fn.name}", pkg, fn.name, kind

    def fn_extra(self, scan: "FileScan", fn: L.Function) -> dict[str, Any]:
        package = re.search(rb"(?m)^package\s+(\w+)", scan.src)
        name = package.group(1).decode() if package else ""
        if fn.name[:1].isupper() and name != "main":
            return {"note": f"exported by package {name}: callers may be outside the tree (another module, "
                            f"or Java / Objective-C through a gomobile binding)"}
        return {}

    def calls_function(self, scan: "FileScan", call: L.Call, fn: FnInfo) -> bool:
        here = posixpath.dirname(scan.rel) or "."
        if fn.kind == "method":
            return call.receiver is not None and here == fn.owner
        if call.receiver is None:
            return here == fn.owner
        path = self.imports(scan).get(call.receiver_text)
        return path is not None and path.rsplit("/", 1)[-1] == posixpath.basename(fn.owner or "")

    def extra_calls(self, scan: "FileScan") -> list[L.Call]:
        """Calls through a variable holding a listen function (``var listen = net.Listen``)."""
        out: list[L.Call] = []
        for name, entries in scan.r.defs.items():
            for value, _owner in entries:
                if value is None or value.type != "selector_expression":
                    continue
                target = L.compact(L.text(value))
                last = target.rsplit(".", 1)[-1]
                if not target.startswith(("net.", "http.", "tls.")) or not last.startswith("Listen"):
                    continue
                for c in scan.calls_named(name):
                    out.append(L.Call(c.node, target, last, None, c.args, c.kind))
        return out


register(GoFamily())


@handler("go_addr")
def go_addr(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``net.Listen(network, address)`` and its relatives, ``ListenConfig.Listen(ctx, network, address)``."""
    args = [n for _, n in call.args]
    if len(args) >= 3 and args[0].type not in L.STRING_TYPES and call.name in ("Listen", "ListenPacket") and \
            not call.callee.startswith(("net.", "tls.")):
        args = args[1:]
    if len(args) < 2:
        return None
    network = const_str(scan.value(args[0])) or ""
    transport = "udp" if network.startswith("udp") or call.name in ("ListenUDP", "ListenMulticastUDP") else "tcp"
    api = "go " + call.callee if call.callee.startswith(("net.", "tls.")) else \
        ("go net.ListenPacket" if call.name == "ListenPacket" else "go net.Listen")
    if network.startswith("unix") or call.name.startswith("ListenUnix"):
        v = scan.value(args[1])
        path = const_str(v)
        if path is None and isinstance(v, Record) and v.get("Name") is not None:
            path = const_str(scan.value(v.get("Name")))
        return [Draft(api, "unix", call.node, None, None,
                      fixed=Verdict(Bind.UNIX, path, None if path else "socket path computed at run time"))]
    if call.name == "ListenMulticastUDP":
        return [Draft(api, "udp", call.node, None, None, Bind.ALL, reason="multicast group receiver")]
    v = scan.value(args[-1] if call.name in ("ListenTCP", "ListenUDP") else args[1])
    if isinstance(v, Record) or (isinstance(v, Const) and v.value is None):
        host, port = _tcp_addr(scan, v)
        return [Draft(api, transport, call.node, host, port)]
    return [Draft(api, transport, call.node, v, None, go_split=True)]


def _tcp_addr(scan: "FileScan", v: Value) -> tuple[Value, Value | None]:
    """``&net.TCPAddr{IP: ..., Port: ...}`` (no IP: every address; nil: every address, any port)."""
    if isinstance(v, Const):
        return Addr(Bind.ALL, "0.0.0.0", "nil address: every local address (Go net docs)"), Const(0)
    assert isinstance(v, Record)
    host: Value = scan.r.value(v.get("IP")) if v.get("IP") is not None else \
        Addr(Bind.ALL, "0.0.0.0", "no IP: every local address (Go net docs)")
    port = scan.value(v.get("Port")) if v.get("Port") is not None else Const(0)
    return host, port


@handler("go_server")
def go_server(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``http.ListenAndServe(addr, h)``; ``srv.ListenAndServe()`` of an ``http.Server{Addr: ...}``
    (no Addr: ":http" / ":https", net/http docs)."""
    if call.callee.startswith(("http.", "fasthttp.")):
        if not call.args:
            return None
        return [Draft("go " + call.callee, "tcp", call.node, scan.value(call.arg(0)), None, go_split=True)]
    if call.receiver is None:
        return None
    v = scan.value(call.receiver)
    tls = call.name.endswith("TLS")
    if isinstance(v, Record):
        if v.get("Addr") is None:
            return [Draft("go net/http.Server." + call.name, "tcp", call.node, None, None, Bind.ALL,
                          default_port=443 if tls else 80,
                          default_doc="net/http: an empty Server.Addr means \":http\" (\":https\" for TLS)")]
        return [Draft("go net/http.Server." + call.name, "tcp", call.node, scan.value(v.get("Addr")), None,
                      go_split=True)]
    if "http.Server" in scan.receiver_context(call):
        return [Draft("go net/http.Server." + call.name, "tcp", call.node,
                      Unknown("http.Server address not found"), None)]
    return None
