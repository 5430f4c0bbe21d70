"""Java / Kotlin listener handlers: ``java.net`` / NIO sockets, Android local sockets and the server
libraries (NanoHTTPD, Java-WebSocket, AndroidAsync, Netty, Jetty, Ktor, Apache FtpServer / SSHD / MINA,
okhttp MockWebServer, Undertow, Javalin, Spark).  Which class a call belongs to is decided by type
(:mod:`.jvm_values`); each handler reads how the address and port are given."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...model import Bind
from ...values import Addr, Const, OneOf, SockAddr, Unknown, Value, Verdict, one_of
from . import lang as L
from .catalog import Spec, handler
from .draft import Draft
from .flowvals import Via, split_sockaddr
from .jvm_types import env
from .jvm_values import JvmFamily

if TYPE_CHECKING:
    from .detect import FileScan

FAMILY = JvmFamily()


def make(scan: "FileScan", spec: Spec, call: L.Call, host: Value | None, port: Value | None,
         api: str | None = None, **kw: Any) -> Draft:
    kw.setdefault("default", spec.default_bind)
    kw.setdefault("default_port", spec.default_port)
    return Draft(api or spec.id, kw.pop("transport", spec.transport), kw.pop("node", call.node), host, port, **kw)


def _sig(n: int, sigs: tuple[str, ...]) -> str:
    return sigs[min(n, len(sigs)) - 1]


# ---------------------------------------------------------------------------- java.net / NIO

@handler("java_ctor", unbound_without_port=bool)
def java_ctor(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``new ServerSocket(port[, backlog[, bindAddr]])``, ``ServerSocketFactory.createServerSocket(...)``."""
    if not call.args:
        return []  # unbound until bind()
    sig = _sig(len(call.args), ("int", "int,int", "int,int,InetAddress"))
    if call.name == "createServerSocket":
        api = f"javax.net.ServerSocketFactory.createServerSocket({sig})"
    else:
        api = f"java.net.ServerSocket({sig})"
    host = scan.value(call.arg(2)) if len(call.args) >= 3 else None
    port = scan.value(call.arg(0))
    if isinstance(port, Const) and port.value == 0 and _free_port_probe(scan, call):
        return []
    return [make(scan, spec, call, host, port, api, guard_sites=[call.node])]


def _free_port_probe(scan: "FileScan", call: L.Call) -> bool:
    """``try (ServerSocket s = new ServerSocket(0)) { return s.getLocalPort(); }``,
    ``ServerSocket(0).use { it.localPort }``, or a port-0 socket whose local port is read and that
    is never accept()ed: opened to learn a free port and closed -- not a listening service."""
    from .guards import _calls_on, _holder
    p = call.node.parent
    while p is not None and p.type in ("navigation_expression", "value_argument", "parenthesized_expression"):
        p = p.parent
    kotlin_use = p is not None and p.type == "call_expression" and L.text(p).split("{", 1)[0].rstrip().endswith(
        ".use")
    holder = _holder(call.node)
    scope = L.function_of(call.node) or scan.root
    names = {n for n, _ in _calls_on(scan, scope, holder)} if holder else set()
    if kotlin_use:
        names |= {n for n, _ in _calls_on(scan, p, "it")}
    if "accept" in names:
        return False
    return kotlin_use or bool(names & {"getLocalPort", "localPort"})


@handler("java_sockaddr")
def java_sockaddr(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``ServerSocket`` / ``ServerSocketChannel`` / ``DatagramChannel`` ... ``.bind(SocketAddress[, n])``."""
    cls = FAMILY.matched_class(scan, spec, call)
    if cls is None or not call.args:
        return None
    if scan.same_receiver_calls(call, ("connect",), True):
        return []  # bound, then connected: a client's local address
    udp = "Datagram" in cls or "Datagram" in (FAMILY.receiver_type(scan, call) or "")
    api = f"{cls}.bind(SocketAddress{',int' if len(call.args) > 1 else ''})" if cls.startswith("java") else spec.id
    v = scan.value(call.arg(0))
    if isinstance(v, Const) and v.value is None:
        # javadoc ServerSocket.bind: "If the address is null, then the system will pick up an ephemeral
        # port and a valid local address to bind the socket." (the wildcard address)
        from ...values import Addr
        host: Value | None = Addr(Bind.ALL, None, "bind(null): the wildcard address and an ephemeral port "
                                                  "(javadoc ServerSocket.bind)")
        port: Value | None = Const(0)
    else:
        host, port = split_sockaddr(v)
    return [make(scan, spec, call, host, port, api, transport="udp" if udp else "tcp",
                 guard_sites=[call.node])]


@handler("datagram")
def datagram(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``new DatagramSocket(port[, laddr])`` / ``(SocketAddress)`` / ``MulticastSocket(...)``."""
    if not call.args:
        return []  # DatagramSocket(): an unbound client socket
    first = scan.value(call.arg(0))
    cls = "java.net.MulticastSocket" if call.callee.endswith("MulticastSocket") else "java.net.DatagramSocket"
    if len(call.args) == 1 and (isinstance(first, SockAddr) or isinstance(first, Const) and first.value is None):
        if isinstance(first, Const):
            return []  # DatagramSocket(null): "creates an unbound socket" (javadoc)
        host, port = split_sockaddr(first)
        return [make(scan, spec, call, host, port, f"{cls}(SocketAddress)")]
    sig = "int,InetAddress" if len(call.args) > 1 else "int"
    host = scan.value(call.arg(1)) if len(call.args) > 1 else None
    return [make(scan, spec, call, host, first, f"{cls}({sig})")]


@handler("unix_name", abstract=bool, namespace_arg=int)
def unix_name(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``new LocalServerSocket(name)`` (abstract namespace), ``LocalSocket.bind(LocalSocketAddress)``."""
    arg = call.arg(0)
    if arg is None:
        return []
    node = arg
    namespace = "ABSTRACT" if spec.opt("abstract") else None
    if call.name == "bind":
        inner = L.extract_call(scan.lang, arg) if arg.type in ("object_creation_expression",
                                                               "call_expression") else None
        if inner is None or inner.name != "LocalSocketAddress":
            return [make(scan, spec, call, None, None, fixed=Verdict(Bind.UNIX, None, "socket name not a "
                                                                                       "constant"))]
        node = inner.arg(0)
        namespace = L.text(inner.arg(1)).rsplit(".", 1)[-1] if inner.arg(1) is not None else "ABSTRACT"
    v = scan.value(node)
    name = v.value if isinstance(v, Const) and isinstance(v.value, str) else None
    if name is None:
        return [make(scan, spec, call, None, None, fixed=Verdict(Bind.UNIX, "@?" if namespace == "ABSTRACT"
                                                                 else None, "socket name not a constant"))]
    addr = "@" + name if namespace == "ABSTRACT" else name
    return [make(scan, spec, call, None, None, fixed=Verdict(Bind.UNIX, addr), guard_sites=[call.node])]


# ---------------------------------------------------------------------------- server libraries

@handler("nanohttpd")
def nanohttpd(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """NanoHTTPD / SimpleWebServer / NanoWSD ``(port)`` and ``(hostname, port)``; Java-WebSocket
    ``WebSocketServer()`` / ``(InetSocketAddress)``; as ``new``, ``super(...)`` or a Kotlin supertype."""
    cls = FAMILY.matched_class(scan, spec, call) or ""
    if cls.endswith("WebSocketServer"):
        if not call.args:
            # WebSocketServer(): "this(new InetSocketAddress(WebSocketImpl.DEFAULT_PORT), ...)", DEFAULT_PORT = 80
            return [make(scan, spec, call, None, None, "Java-WebSocket WebSocketServer()", default=Bind.ALL,
                         default_port=80, default_doc="WebSocketServer(): new InetSocketAddress(DEFAULT_PORT = 80)")]
        host, port = split_sockaddr(scan.value(call.arg(0)))
        return [make(scan, spec, call, host, port, "Java-WebSocket WebSocketServer(InetSocketAddress)")]
    if not call.args:
        return []
    if len(call.args) == 1:
        return [make(scan, spec, call, None, scan.value(call.arg(0)), "NanoHTTPD(int)")]
    host = Via("NanoHTTPD(String,int)", scan.r.value(call.arg(0)))
    return [make(scan, spec, call, host, scan.value(call.arg(1)), "NanoHTTPD(String,int)")]


@handler("netty_bind")
def netty_bind(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``ServerBootstrap.bind(port)`` / ``(host, port)`` / ``(InetAddress, port)`` / ``(SocketAddress)``
    / ``()`` with ``localAddress(...)`` set before."""
    n = len(call.args)
    if n >= 2:
        first = scan.r.value(call.arg(0))
        kind = "InetAddress" if isinstance(first, (Via,)) or env(scan).expr_type(call.arg(0)) in (
            "java.net.InetAddress",) else "String"
        host = Via("java.net.InetSocketAddress(String,int)", first) if kind == "String" else first
        return [make(scan, spec, call, host, scan.value(call.arg(1)), f"Netty ServerBootstrap.bind({kind},int)")]
    if n == 0:
        local = scan.same_receiver_calls(call, ("localAddress",), False) + _chained(scan, call, "localAddress")
        if not local:
            return [make(scan, spec, call, Unknown("bind() without localAddress(...) in this file"), None,
                         "Netty ServerBootstrap.bind()")]
        c = local[-1]
        if len(c.args) >= 2:
            return [make(scan, spec, call, scan.value(c.arg(0)), scan.value(c.arg(1)),
                         "Netty ServerBootstrap.bind()")]
        lv = scan.value(c.arg(0))
        lhost, lport = split_sockaddr(lv) if isinstance(lv, (SockAddr, OneOf)) else (None, lv)
        return [make(scan, spec, call, lhost, lport, "Netty ServerBootstrap.bind()")]
    v = scan.value(call.arg(0))
    if isinstance(v, SockAddr):
        return [make(scan, spec, call, v.host, v.port, "Netty ServerBootstrap.bind(SocketAddress)")]
    return [make(scan, spec, call, None, v, "Netty ServerBootstrap.bind(int)")]


def _chained(scan: "FileScan", call: L.Call, name: str) -> list[L.Call]:
    """Calls named ``name`` in the builder chain the receiver was made from
    (``b = new ServerBootstrap().localAddress(...)``)."""
    out: list[L.Call] = []
    rname = L.last_name(call.receiver) if call.receiver is not None else None
    roots = [call.receiver] if call.receiver is not None else []
    if rname:
        roots += [v for v, _o in scan.r.definitions_for(rname, call.node)[:4]]
    for root in roots:
        stack = [root]
        while stack:
            n = stack.pop()
            c = L.extract_call(scan.lang, n) if n.type in ("method_invocation", "call_expression") else None
            if c is not None and c.name == name:
                out.append(c)
            stack.extend(n.named_children)
    return out


@handler("setter_server", host_setters=list, property=str)
def setter_server(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """A port setter whose server binds when started: the host setter on the same receiver in this
    file gives the address (FtpServer ListenerFactory, SSHD SshServer, Jetty ServerConnector, Spark)."""
    setters = tuple(spec.opt("host_setters", ()))
    host: Value | None = None
    found = [c for c in scan.same_receiver_calls(call, setters, False) if c.arg(0) is not None]
    hosts = [scan.r.value(c.arg(0)) for c in found]
    hosts += [scan.r.value(v) for v in _property_writes(scan, call, setters)]
    if hosts and spec.default_bind is not Bind.UNKNOWN and any(scan.only_sometimes(c.node, call.node)
                                                               for c in found):
        hosts.append(Addr(spec.default_bind, None, f"{setters[0]} is not called on every path"))
    if hosts:
        host = one_of(hosts)
    if call.receiver is None and spec.opt("property") is None:  # static Spark.port / import static
        hosts = [scan.r.value(c.arg(0)) for c in scan.calls_named(setters[0]) if c.arg(0) is not None] \
            if setters else []
        host = one_of(hosts) if hosts else None
    port_node = call.arg(0)
    return [make(scan, spec, call, host, scan.value(port_node) if port_node is not None else None,
                 guard_sites=[call.node])]


def _property_writes(scan: "FileScan", call: L.Call, setters: tuple[str, ...]) -> list[Any]:
    """Kotlin ``receiver.host = v`` for a ``setHost`` setter: the values written."""
    if scan.lang != "kotlin" or call.receiver is None:
        return []
    want = L.compact(L.text(call.receiver))
    return [c.args[0][1] for c in property_setter_calls(scan)
            if c.name in setters and L.compact(L.text(c.receiver)) == want]


@handler("ktor")
def ktor(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """Ktor ``embeddedServer(factory, port = 80, host = "0.0.0.0")``, or its ``connector { host; port }``
    / ``sslConnector(...) { port }`` blocks (one listener each)."""
    blocks = _ktor_connectors(scan, call)
    if blocks:
        out = []
        for block, ssl in blocks:
            host = _lambda_assign(scan, block, "host")
            port = _lambda_assign(scan, block, "port")
            out.append(make(scan, spec, call, host, port, "Ktor embeddedServer", node=block,
                            default_port=None if ssl else spec.default_port))
            if port is None:
                out[-1].default_port = 443 if ssl else 80
                out[-1].reason = "connector port not set: EngineConnectorBuilder.port defaults to 80"
        return out
    host = scan.value(call.arg(None, "host")) if call.arg(None, "host") is not None else None
    port_node = call.arg(None, "port")
    port = scan.value(port_node) if port_node is not None else None
    return [make(scan, spec, call, host, port, "Ktor embeddedServer")]


def _ktor_connectors(scan: "FileScan", call: L.Call) -> list[tuple[Any, bool]]:
    """``connector { ... }`` / ``sslConnector(...) { ... }`` lambdas inside the call or inside the
    environment value it is given."""
    roots = [call.node]
    for _label, arg in call.args:
        if arg.type == "identifier":  # embeddedServer(Netty, env) / environment = env
            roots += [v for v, _o in scan.r.definitions_for(L.text(arg), call.node)]
    out = []
    for root in roots:
        stack = [root]
        while stack:
            n = stack.pop()
            if n.type == "call_expression" and n.named_children and L.text(n.named_children[0]) in (
                    "connector", "sslConnector"):
                outer = n.parent if n.parent is not None and n.parent.type == "call_expression" else n
                lams = [c for c in _walk(outer) if c.type == "lambda_literal"]
                trailing = [c for c in lams if c.parent is not None and c.parent.type == "annotated_lambda"]
                lam = (trailing or lams or [None])[-1]
                if lam is not None:
                    out.append((lam, L.text(n.named_children[0]) == "sslConnector"))
                continue
            stack.extend(n.named_children)
    out.sort(key=lambda b: b[0].start_byte)
    return out


def _lambda_assign(scan: "FileScan", block: Any, name: str) -> Value | None:
    for n in _walk(block):
        if n.type == "assignment" and n.named_children and L.text(n.named_children[0]) in (name, f"this.{name}"):
            return scan.value(n.named_children[-1])
    return None


def _walk(node: Any) -> list[Any]:
    out = []
    stack = [node]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(n.named_children))
    return out


@handler("undertow")
def undertow(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """Undertow ``builder().addHttpListener(port, host)`` / ``addHttpsListener(port, host, ssl)``."""
    if len(call.args) < 2:
        return None
    host = Via("java.net.InetSocketAddress(String,int)", scan.r.value(call.arg(1)))
    return [make(scan, spec, call, host, scan.value(call.arg(0)), f"Undertow.Builder.{call.name}")]


@handler("javalin")
def javalin(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """Javalin ``start()`` / ``start(port)`` / ``start(host, port)``."""
    n = len(call.args)
    if n >= 2:
        return [make(scan, spec, call, scan.value(call.arg(0)), scan.value(call.arg(1)),
                     "Javalin.start(String,int)")]
    if n == 1:
        return [make(scan, spec, call, None, scan.value(call.arg(0)), "Javalin.start(int)")]
    return [make(scan, spec, call, None, None, "Javalin.start()")]


def property_setter_calls(scan: "FileScan") -> list[L.Call]:
    """Kotlin ``x.port = 8080`` on a typed receiver, seen as the setter call ``x.setPort(8080)``."""
    got = scan.ctx.get("kt_setters")
    if got is not None:
        return got
    out: list[L.Call] = []
    stack = [scan.root]
    while stack:
        n = stack.pop()
        if n.type == "assignment" and n.named_children:
            left = n.named_children[0]
            if left.type == "navigation_expression" and len(left.named_children) == 2:
                prop = L.text(left.named_children[1])
                if re.fullmatch(r"[a-z]\w*", prop):
                    setter = "set" + prop[0].upper() + prop[1:]
                    recv = left.named_children[0]
                    out.append(L.Call(n, f"{L.compact(L.text(recv))}.{setter}", setter, recv,
                                      [(None, n.named_children[-1])]))
        stack.extend(n.named_children)
    scan.ctx["kt_setters"] = out
    return out

