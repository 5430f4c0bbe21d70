"""Swift / Objective-C: Network.framework ``NWListener``, CocoaAsyncSocket, GCDWebServer,
CocoaHTTPServer, Swifter, Telegraph, Criollo, Embassy, and ``WKWebView.isInspectable``.  The receiver's
class comes from how it was made (``GCDWebServer()``, ``[[GCDWebServer alloc] init]``) or declared
(``GCDWebServer *s``, ``s: GCDWebServer``), and the module must be imported."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...model import Bind
from ...values import Addr, Const, FromConfig, Unknown, Value, Verdict, classify_literal, one_of
from . import lang as L
from .catalog import Spec, handler
from .draft import Draft
from .family import Family, register
from .flowvals import Record, is_true

if TYPE_CHECKING:
    from .detect import FileScan


class AppleFamily(Family):
    name = "apple"
    langs = ("swift", "objc")

    def receiver_class(self, scan: "FileScan", call: L.Call) -> set[str]:
        """Class names the receiver is made from (``X()``, ``[[X alloc] init]``) or declared as."""
        if call.receiver is None:
            return set()
        rt = L.compact(L.text(call.receiver))
        names = set(re.findall(r"^\[*([A-Z]\w*)\b", rt))
        name = L.last_name(call.receiver)
        if name:
            qual = rt.rsplit(".", 1)[0] if "." in rt else ""
            for v, _o in scan.r.definitions_for(name, call.node, qual)[:6]:
                names |= set(re.findall(r"^(?:try[?!]?)?\[*([A-Z]\w*)\b", L.compact(L.text(v))))
            pat = r"\b([A-Z]\w*)\s*\*\s*" + re.escape(name) + r"\b|\b" + re.escape(name) + r"\s*:\s*([A-Z]\w*)"
            for a, b in re.findall(pat, scan.src.decode("utf-8", "replace")):
                names.add(a or b)
        return names

    def type_ok(self, scan: "FileScan", spec: "Spec", call: L.Call) -> bool:
        if spec.modules and not any(scan.imports_module(m) for m in spec.modules):
            return False
        if not spec.classes:
            return True
        if call.receiver is None:
            return call.name in spec.classes or call.callee in spec.classes
        return bool(self.receiver_class(scan, call) & set(spec.classes))

    def call_value(self, scan: "FileScan", call: L.Call, depth: int, seen: frozenset) -> Value | None:
        """Info.plist reads: ``Bundle.main.object(forInfoDictionaryKey: "Port")``,
        ``[[NSBundle mainBundle] objectForInfoDictionaryKey:@"Port"]``, ``infoDictionary?["Port"]``."""
        if call.name in ("object", "objectForInfoDictionaryKey"):
            key_node = call.arg(0, ("forInfoDictionaryKey", "objectForInfoDictionaryKey"))
            if key_node is None or (call.name == "object" and call.arg(None, "forInfoDictionaryKey") is None):
                return None
            key = scan.r.value(key_node, depth + 1, seen)
            if not (isinstance(key, Const) and isinstance(key.value, str)):
                return None
            st = scan.project.settings if scan.project is not None else None
            if st is None:
                return scan.r._config(call.node, "Info.plist", key.value)
            value, where = st.plist_key(key.value)
            at = f" ({where[0].short()})" if where else " (not in an Info.plist of the tree)"
            scan.hop("config", call.node, f"Info.plist {key.value}{at}")
            return value
        return None

    def after(self, scan: "FileScan") -> None:
        for name in ("isInspectable", "inspectable"):
            for value, owner in scan.r.defs.get(name, []):
                scan.debug_switch(owner, value, "WKWebView.isInspectable")


register(AppleFamily())


@handler("nwlistener")
def nwlistener(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``NWListener(using: params, on: port)``: every interface unless the parameters require the
    loopback interface or a local endpoint (Apple docs: requiredInterfaceType, requiredLocalEndpoint;
    acceptLocalOnly limits peers to the local link, it does not bind loopback)."""
    port_node = call.arg(1, "on")
    port = scan.value(port_node) if port_node is not None else None
    if port is not None and not isinstance(port, (Const, FromConfig)):
        m = re.search(r"rawValue:\s*(\d+)|\b(\d+)\b", L.text(port_node))
        if m:
            port = Const(int(m.group(1) or m.group(2)))
    fn = L.function_of(call.node)
    scope = (scan.src[fn.start_byte:fn.end_byte] if fn is not None else scan.src).decode("utf-8", "replace")
    guards = []
    if re.search(r"acceptLocalOnly\s*=\s*true", scope):
        guards.append("acceptLocalOnly (local link only, not loopback)")
    transport = "udp" if re.search(r"using:\s*\.udp|NWParameters\.udp|\.udp\b", L.text(call.node)) else "tcp"
    if re.search(r"requiredInterfaceType\s*=\s*\.loopback", scope):
        return [Draft(spec.id, transport, call.node, None, port, guards=guards,
                      fixed=Verdict(Bind.LOOPBACK, None, "requiredInterfaceType = .loopback"))]
    m = re.search(r"requiredLocalEndpoint\s*=\s*\.?(?:NWEndpoint\.)?hostPort\(\s*host:\s*\"?([^\",)]+)", scope)
    if m:
        b, lit = classify_literal(m.group(1).strip().strip('"'))
        return [Draft(spec.id, transport, call.node, None, port, guards=guards,
                      fixed=Verdict(b, lit, "requiredLocalEndpoint"))]
    return [Draft(spec.id, transport, call.node, None, port, Bind.ALL, default_doc=spec.default_doc, guards=guards)]


@handler("gcdwebserver")
def gcdwebserver(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """GCDWebServer ``startWithPort:bonjourName:`` / ``startWithOptions:error:`` (``Port``,
    ``BindToLocalhost``; GCDWebServer.m: "if (bindToLocalhost) addr4.sin_addr.s_addr =
    htonl(INADDR_LOOPBACK)" else INADDR_ANY)."""
    opts = call.arg(0, ("startWithOptions", "options", "runWithOptions"))
    if opts is not None and (call.name in ("startWithOptions", "runWithOptions") or
                             any(lab == "options" for lab, _ in call.args)):
        rec = scan.value(opts)
        host: Value | None = None
        port: Value | None = None
        if isinstance(rec, Record):
            for key, node in rec.pairs:
                if key.endswith("BindToLocalhost"):
                    flag = is_true(scan.value(node))
                    host = Addr(Bind.LOOPBACK, "127.0.0.1") if flag else Addr(Bind.ALL, "0.0.0.0") \
                        if flag is False else Unknown("BindToLocalhost not a constant")
                elif key.endswith("Option_Port"):
                    port = scan.value(node)
        return [Draft(spec.id, "tcp", call.node, host, port, Bind.ALL, default_doc=spec.default_doc)]
    port_node = call.arg(0, ("startWithPort", "withPort", "runWithPort"))
    return [Draft(spec.id, "tcp", call.node, None, scan.value(port_node) if port_node is not None else None,
                  Bind.ALL, default_doc=spec.default_doc)]


@handler("cocoahttp")
def cocoahttp(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """CocoaHTTPServer ``[server start:&error]`` with ``setInterface:`` / ``setPort:`` before it
    (HTTPServer.m: interface nil = every interface; "lo0" / "loopback" = loopback)."""
    hosts: list[Value] = []
    for c in scan.same_receiver_calls(call, ("setInterface",), True):
        v = scan.r.value(c.arg(0, "setInterface") or c.args[0][1])
        if isinstance(v, Const) and v.value in ("lo0", "loopback", "lo"):
            v = Addr(Bind.LOOPBACK, str(v.value))
        hosts.append(v)
        if scan.only_sometimes(c.node, call.node):
            hosts.append(Addr(Bind.ALL, None, "setInterface: not called on every path (nil = every interface)"))
    ports = scan.same_receiver_calls(call, ("setPort",), True)
    port = scan.value(ports[0].arg(0, "setPort") or ports[0].args[0][1]) if ports else None
    return [Draft(spec.id, "tcp", call.node, one_of(hosts) if hosts else None, port, Bind.ALL,
                  default_doc=spec.default_doc)]


@handler("asyncsocket")
def asyncsocket(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """CocoaAsyncSocket ``acceptOnPort:error:`` / ``acceptOnInterface:port:error:``, GCDAsyncUdpSocket
    ``bindToPort:error:`` / ``bindToPort:interface:error:`` (GCDAsyncSocket.m: interface nil = any
    address, "localhost" / "loopback" = loopback)."""
    port_node = call.arg(0, ("acceptOnPort", "port", "bindToPort", "onPort"))
    iface = call.arg(None, ("acceptOnInterface", "interface", "onInterface"))
    if call.name in ("acceptOnInterface",) and iface is None:
        iface = call.arg(0)
        port_node = call.arg(None, "port")
    host = scan.value(iface) if iface is not None else None
    if isinstance(host, Const) and isinstance(host.value, str) and host.value in ("loopback", "localhost"):
        host = Addr(Bind.LOOPBACK, host.value)
    if isinstance(host, Const) and host.value is None:
        host = None
    transport = "udp" if "bindToPort" in (call.name, L.text(call.node)[:200]) else "tcp"
    return [Draft(spec.id, transport, call.node, host, scan.value(port_node) if port_node is not None else None,
                  Bind.ALL, default_doc=spec.default_doc)]


@handler("swifter")
def swifter(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """Swifter ``HttpServer.start(port, forceIPv4:, priority:)`` (default port 8080; HttpServerIO binds
    INADDR_ANY / in6addr_any unless ``listenAddressIPv4`` / ``listenAddressIPv6`` is set)."""
    port_node = call.arg(0)
    host: Value | None = None
    for prop in ("listenAddressIPv4", "listenAddressIPv6"):
        for v, _o in scan.r.defs.get(prop, []):
            host = scan.value(v)
    return [Draft(spec.id, "tcp", call.node, host, scan.value(port_node) if port_node is not None else None,
                  Bind.ALL, default_doc=spec.default_doc, default_port=spec.default_port)]


@handler("labelled_server", host_labels=list, port_labels=list)
def labelled_server(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """A server started or made with labelled arguments (Telegraph ``start(port:interface:)``,
    Criollo ``startListening:portNumber:interface:``, Embassy ``DefaultHTTPServer(eventLoop:interface:port:)``)."""
    host_node = call.arg(None, tuple(spec.opt("host_labels", ())))
    port_node = call.arg(None, tuple(spec.opt("port_labels", ())))
    host = scan.value(host_node) if host_node is not None else None
    if isinstance(host, Const) and host.value is None:
        host = None
    return [Draft(spec.id, "tcp", call.node, host, scan.value(port_node) if port_node is not None else None,
                  spec.default_bind, default_doc=spec.default_doc, default_port=spec.default_port)]

