"""Python: ``socket.bind`` / ``socket.create_server``, ``socketserver`` / ``http.server`` /
``xmlrpc.server`` / ``wsgiref`` servers, asyncio ``start_server`` / ``create_server``, aiohttp, Flask /
Quart, uvicorn, tornado, twisted.  A receiver or callee is matched by its *origin* -- the import it
comes from (``socket.socket()``, ``flask.Flask()``, a class of the file based on
``socketserver.TCPServer``) -- not by its name."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any

from ...model import Bind
from ...values import Const, Value, Verdict, one_of
from . import lang as L
from .catalog import Spec, handler
from .draft import Draft, null_meaning
from .family import Family, FnInfo, register
from .flowvals import Seq, const_str

if TYPE_CHECKING:
    from .detect import FileScan

NOT_IP = re.compile(r"[AP]F_(NETLINK|PACKET|BLUETOOTH|CAN|ALG|VSOCK|TIPC|RDS|QIPCRTR)")


def module_of(rel: str) -> str:
    return posixpath.splitext(rel)[0].replace("/", ".").removesuffix(".__init__")


def imports(scan: "FileScan") -> dict[str, str]:
    got = scan.ctx.get("py_imports")
    if got is not None:
        return got
    got = {}
    here = module_of(scan.rel)
    src = scan.src.decode("utf-8", "replace")
    for m in re.finditer(r"(?m)^\s*import\s+([\w., ]+?)\s*$", src):
        for part in m.group(1).split(","):
            name, _, alias = part.strip().partition(" as ")
            if name:
                got[alias.strip() or name.split(".")[0]] = name if alias.strip() else name.split(".")[0]
    for m in re.finditer(r"(?m)^\s*from\s+(\.*[\w.]*)\s+import\s+\(?([\w., \n]+?)\)?\s*$", src):
        mod = m.group(1)
        if mod.startswith("."):
            dots = len(mod) - len(mod.lstrip("."))
            base = here.split(".")[:-dots] if dots else here.split(".")
            mod = ".".join(base + ([mod.lstrip(".")] if mod.lstrip(".") else []))
        for part in m.group(2).replace("\n", " ").split(","):
            name, _, alias = part.strip().partition(" as ")
            if name:
                got[alias.strip() or name] = f"{mod}.{name}"
    scan.ctx["py_imports"] = got
    return got


def origin(scan: "FileScan", node: Any, depth: int = 0) -> str | None:
    """The import chain a Python value comes from (``socket.socket()``), None when unknown."""
    if node is None or depth > 10:
        return None
    t = node.type
    if t == "parenthesized_expression" and node.named_children:
        return origin(scan, node.named_children[0], depth + 1)
    if t == "call":
        o = origin(scan, node.child_by_field_name("function"), depth + 1)
        return o + "()" if o else None
    if t == "attribute":
        obj = node.child_by_field_name("object")
        attr = L.text(node.child_by_field_name("attribute"))
        if obj is not None and obj.type == "identifier" and L.text(obj) in ("self", "cls"):
            for v, _o in scan.r.definitions_for(attr, node, "self")[:3]:
                o = origin(scan, v, depth + 1)
                if o:
                    return o
            return None
        o = origin(scan, obj, depth + 1)
        return f"{o}.{attr}" if o else None
    if t == "identifier":
        name = L.text(node)
        imp = imports(scan).get(name)
        if imp is not None:
            return imp
        cls = _class_named(scan, name)
        if cls is not None:  # a class of this file: what it is based on
            bases = cls.child_by_field_name("superclasses")
            first = bases.named_children[0] if bases is not None and bases.named_children else None
            return origin(scan, first, depth + 1) if first is not None else f"{module_of(scan.rel)}.{name}"
        for v, _o in scan.r.definitions_for(name, node)[:3]:
            o = origin(scan, v, depth + 1)
            if o:
                return o
    return None


def _class_named(scan: "FileScan", name: str) -> Any:
    """A module-level class of this file."""
    classes = scan.ctx.get("py_classes")
    if classes is None:
        classes = {}
        for n in scan.root.named_children:
            inner = n.child_by_field_name("definition") if n.type == "decorated_definition" else n
            if inner is not None and inner.type == "class_definition":
                classes.setdefault(L.text(inner.child_by_field_name("name")), inner)
        scan.ctx["py_classes"] = classes
    return classes.get(name)


class PythonFamily(Family):
    name = "python"
    langs = ("python",)

    def type_ok(self, scan: "FileScan", spec: "Spec", call: L.Call) -> bool:
        if spec.opt("unresolved"):
            return True
        if not spec.classes and not spec.modules:
            return True
        fn = call.node.child_by_field_name("function")
        o = origin(scan, fn)
        if o is None:
            return False
        if spec.modules and any(o == f"{m}.{call.name}" for m in spec.modules):
            return True
        if spec.classes:
            recv = origin(scan, call.receiver) if call.receiver is not None else None
            return recv in spec.classes or o.removesuffix("." + call.name) in spec.classes
        return False

    def call_value(self, scan: "FileScan", call: L.Call, depth: int, seen: frozenset) -> Value | None:
        """Settings with their defaults: ``os.getenv(k, d)``, ``os.environ.get(k, d)``."""
        o = origin(scan, call.node.child_by_field_name("function"))
        if o in ("os.getenv", "os.environ.get", "os.environ.setdefault"):
            key = const_str(scan.r.value(call.arg(0, "key"), depth + 1, seen)) if call.arg(0, "key") else None
            d = call.arg(1, "default")
            return scan.r._config(call.node, "environment", key,
                                  scan.r.value(d, depth + 1, seen) if d is not None else None)
        return None

    def function_id(self, scan: "FileScan", fn: L.Function) -> tuple[str, str | None, str, str]:
        from .resolve import class_of
        cls = class_of(fn.node)
        cname = L.text(cls.child_by_field_name("name")) if cls is not None else None
        owner = f"{module_of(scan.rel)}.{cname}" if cname else module_of(scan.rel)
        fid = f"{scan.rel}::{cname + '.' if cname else ''}{fn.name}@{fn.node.start_byte}"
        if cname and fn.name == "__init__":
            return fid, owner, cname, "ctor"  # called as the class: Service(...)
        return fid, owner, fn.name, "method" if cname else "function"

    def candidate_calls(self, scan: "FileScan", fn: FnInfo) -> list[L.Call]:
        if fn.kind == "ctor":
            return scan.calls_named(fn.name) + scan.calls_named("__init__")
        return scan.calls_named(fn.name)

    def calls_function(self, scan: "FileScan", call: L.Call, fn: FnInfo) -> bool:
        recv = call.receiver_text
        if fn.kind == "ctor":
            if call.name == "__init__":  # super().__init__(...) / Base.__init__(self, ...) in a subclass
                return _based_on(scan, call, fn)
            o = origin(scan, call.node.child_by_field_name("function"))
            return o is not None and _same_module(o, fn.owner or "")
        if fn.kind == "method":
            if recv in ("self", "cls"):
                from .resolve import class_of
                cls = class_of(call.node)
                return cls is not None and fn.file == scan.rel and \
                    f"{module_of(scan.rel)}.{L.text(cls.child_by_field_name('name'))}" == fn.owner or \
                    _based_on(scan, call, fn)
            o = origin(scan, call.receiver) if call.receiver is not None else None
            return o is not None and _same_module(o.removesuffix("()"), fn.owner or "")
        if fn.file == scan.rel and recv == "":
            return imports(scan).get(fn.name) is None
        o = origin(scan, call.node.child_by_field_name("function"))
        return o is not None and _same_module(o, f"{fn.owner}.{fn.name}")


def _same_module(dotted: str, target: str) -> bool:
    """``a.b.f`` names ``src/a/b.py::f`` (module paths may carry a source-root prefix)."""
    return dotted == target or target.endswith("." + dotted) or dotted.endswith("." + target)


def _based_on(scan: "FileScan", call: L.Call, fn: FnInfo) -> bool:
    from .resolve import class_of
    cls = class_of(call.node)
    bases = cls.child_by_field_name("superclasses") if cls is not None else None
    if bases is None:
        return False
    for b in bases.named_children:
        o = origin(scan, b) or f"{module_of(scan.rel)}.{L.text(b)}"
        if _same_module(o, fn.owner or ""):
            return True
    return False


register(PythonFamily())


def _tuple(scan: "FileScan", v: Value) -> tuple[Value, Value] | None:
    """(host, port) of an address tuple value, None when it is not one."""
    if isinstance(v, Seq):
        if len(v.items) < 2:
            return None
        return scan.r.value(v.items[0]), scan.r.value(v.items[1])  # the items are syntax nodes
    return None


def _split(scan: "FileScan", v: Value | None) -> tuple[list[Value], list[Value], bool]:
    """Hosts and ports of an address value (no value: none)."""
    from ...values import OneOf
    hosts: list[Value] = []
    ports: list[Value] = []
    is_tuple = False
    for o in (sorted(v.options, key=repr) if isinstance(v, OneOf) else [v] if v is not None else []):
        t = _tuple(scan, o)
        if t is not None:
            is_tuple = True
            hosts.append(t[0])
            ports.append(t[1])
        else:
            hosts.append(o)
    return hosts, ports, is_tuple


@handler("py_bind", unresolved=bool)
def py_bind(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``sock.bind((host, port))`` of a ``socket.socket()``; ``sock.bind(path)`` for AF_UNIX.  Python
    docs (socket families): "'' represents INADDR_ANY"."""
    if call.receiver is None or not call.args:
        return None
    recv_origin = origin(scan, call.receiver)
    if spec.opt("unresolved"):
        rname = L.last_name(call.receiver) or ""
        if recv_origin is not None or not re.search(r"(?i)sock|^s$|^srv$|^server$|^listener$", rname):
            return None
    if scan.same_receiver_calls(call, ("connect", "connect_ex"), True):
        return []  # bound, then connected: a client's local address
    ctx = scan.receiver_context(call)
    fn = L.function_of(call.node)
    scope = scan.src[fn.start_byte:call.node.start_byte] if fn is not None else b""
    if NOT_IP.search(ctx) or NOT_IP.search(scope.decode("utf-8", "replace")):
        return []
    transport = "udp" if "SOCK_DGRAM" in ctx else "tcp"
    v = scan.value(call.arg(0))
    hosts, ports, is_tuple = _split(scan, v)
    if isinstance(v, Seq) and len(v.items) < 2:
        return []
    s = const_str(v)
    if not is_tuple and ("AF_UNIX" in ctx or (s is not None and s.startswith(("/", "\0", "@", ".")))):
        path = ("@" + s[1:]) if s and s.startswith("\0") else s
        return [Draft("python socket.bind (AF_UNIX)", "unix", call.node, None, None,
                      fixed=Verdict(Bind.UNIX, path, None if path else "socket path computed at run time"))]
    if not is_tuple and s is not None:
        return None
    if is_tuple and all(isinstance(h, Const) and isinstance(h.value, int) for h in hosts):
        return []  # (pid, groups): a netlink address
    host = one_of(hosts)
    d = Draft(spec.id, transport, call.node, host, one_of(ports) if ports else None,
              null=null_meaning("none", None, "python.socket.bind"))
    if spec.opt("unresolved"):
        d.fixed = Verdict(Bind.UNKNOWN, reason="the receiver of bind() was not traced to socket.socket() "
                                               "(matched by its name only)")
    return [d]


@handler("py_create_server")
def py_create_server(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``socket.create_server(address, *, family=AF_INET, ...)``."""
    arg = call.arg(0, "address")
    if arg is None:
        return None
    hosts, ports, _ = _split(scan, scan.value(arg))
    fam = call.arg(None, "family")
    if fam is not None and "AF_UNIX" in L.text(fam):
        return [Draft(spec.id, "unix", call.node, None, None,
                      fixed=Verdict(Bind.UNIX, const_str(hosts[0]) if hosts else None))]
    return [Draft(spec.id, "tcp", call.node, one_of(hosts), one_of(ports) if ports else None,
                  null=null_meaning("none", None, "python.socket.bind"))]


@handler("py_server_tuple")
def py_server_tuple(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``socketserver.TCPServer((host, port), Handler)`` and its relatives (also a class of the file
    based on one of them)."""
    arg = call.arg(0, spec.host_label)
    if arg is None:
        return None
    v = scan.value(arg)
    base = (origin(scan, call.node.child_by_field_name("function")) or call.callee).rsplit(".", 1)[-1]
    transport = "udp" if "UDP" in base else "tcp"
    api = "python " + {"HTTPServer": "http.server.HTTPServer", "ThreadingHTTPServer": "http.server.ThreadingHTTPServer",
                       "SimpleXMLRPCServer": "xmlrpc.server.SimpleXMLRPCServer", "WSGIServer": "pywsgi.WSGIServer",
                       "DocXMLRPCServer": "xmlrpc.server.DocXMLRPCServer"}.get(base, "socketserver." + base)
    if base.startswith(("Unix", "ThreadingUnix", "ForkingUnix")):
        return [Draft(api, "unix", call.node, None, None, fixed=Verdict(Bind.UNIX, const_str(v)))]
    hosts, ports, _ = _split(scan, v)
    return [Draft(api, transport, call.node, one_of(hosts), one_of(ports) if ports else None,
                  null=null_meaning("none", None, "python.socket.bind"))]


@handler("py_asyncio", unresolved=bool)
def py_asyncio(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """asyncio ``start_server(cb, host, port)`` / ``loop.create_server(factory, host, port)`` and the
    ``*_unix_server`` forms (Python docs: "If host is an empty string or None, all interfaces are
    assumed"); ``sock=`` serves a socket bound elsewhere (that bind is the listener).  With
    ``unresolved``: a ``...loop.create_server`` whose loop was not traced to asyncio, reported
    without a bind class."""
    if call.arg(None, "sock") is not None:
        return []
    if spec.opt("unresolved") and (call.receiver is None or not re.search(r"(?i)loop$", L.text(call.receiver))):
        return None
    if "unix" in call.name:
        path = const_str(scan.value(call.arg(1, "path")))
        return [Draft(f"python asyncio {call.name}", "unix", call.node, None, None,
                      fixed=Verdict(Bind.UNIX, path, None if path else "socket path not a constant"))]
    host_node = call.arg(1, "host")
    port_node = call.arg(2, "port")
    d = Draft(f"python asyncio {call.name}", "tcp", call.node,
              scan.value(host_node) if host_node is not None else None,
              scan.value(port_node) if port_node is not None else None, Bind.ALL,
              default_doc=spec.default_doc, null=null_meaning("none", None, "python.asyncio.create_server"))
    if spec.opt("unresolved"):
        d.api = spec.id
        d.fixed = Verdict(Bind.UNKNOWN, reason=f"the receiver of {call.callee}() was not traced to an asyncio "
                                               f"event loop (matched by its name only)")
    return [d]
