"""Handlers shared by several language families: an API whose address and port sit at known
argument positions (by argument count) or labels, and debug switches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...values import SockAddr, Value
from . import lang as L
from .catalog import Spec, handler
from .draft import Draft, null_meaning
from .flowvals import Via, split_sockaddr

if TYPE_CHECKING:
    from .detect import FileScan


@handler("hostport", shapes=list, sigs=list, meaning=str, udp_if=str, via=str, name_in_id=bool)
def hostport(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """Address and port at fixed places.  ``shapes[n]`` names the roles of the positional arguments
    of a call with ``n`` of them (``"host,port"``, ``"-,port"``, ``"sockaddr"``, ``"none"`` for an
    overload that does not listen); without ``shapes``, ``host`` / ``port`` (indexes) and
    ``host_label`` / ``port_label`` apply.  ``sigs[n]`` completes the API id for ``n`` arguments;
    ``meaning`` names what a null / empty host means (values.HOST_SEMANTICS); ``via`` wraps the host
    in an address producer whose null meaning applies (``java.net.InetSocketAddress(String,int)``)."""
    positional = [n for lab, n in call.args if lab is None]
    host_node = port_node = sock_node = None
    shapes = spec.opt("shapes")
    if shapes:
        n = len(positional)
        if n >= len(shapes):
            return None
        roles = [r.strip() for r in shapes[n].split(",")] if shapes[n] else []
        if roles == ["none"]:
            return []
        for i, role in enumerate(roles):
            node = positional[i] if i < len(positional) else None
            if role == "host":
                host_node = node
            elif role == "port":
                port_node = node
            elif role == "sockaddr":
                sock_node = node
    else:
        if spec.host is not None:
            host_node = call.arg(spec.host)
        if spec.port is not None:
            port_node = call.arg(spec.port)
    if spec.host_label:
        host_node = call.arg(None, spec.host_label) or host_node
    if spec.port_label:
        port_node = call.arg(None, spec.port_label) or port_node
    host: Value | None = scan.value(host_node) if host_node is not None else None
    port: Value | None = scan.value(port_node) if port_node is not None else None
    if sock_node is not None:
        host, port = split_sockaddr(scan.value(sock_node))
    if isinstance(host, SockAddr):
        sock = host
        host, port = sock.host, sock.port
    if host is not None and spec.opt("via"):
        host = Via(spec.opt("via"), host)
    api = spec.id if not spec.opt("name_in_id") else f"{spec.id.rsplit('.', 1)[0]}.{call.name}"
    sigs = spec.opt("sigs")
    if sigs:
        api = f"{spec.id}({sigs[min(len(positional), len(sigs) - 1)]})"
    transport = "udp" if spec.opt("udp_if") and spec.opt("udp_if") in call.callee else spec.transport
    key = spec.opt("meaning")
    return [Draft(api, transport, call.node, host, port, default=spec.default_bind, default_port=spec.default_port,
                  null=null_meaning(spec.null, spec.null_doc, key), guard_sites=[call.node])]


@handler("webview_debug")
def webview_debug(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``WebView.setWebContentsDebuggingEnabled(flag)``, ``[view setInspectable:flag]``."""
    arg = call.arg(0) or (call.args[0][1] if call.args else None)
    if arg is not None:
        scan.debug_switch(call.node, arg, spec.id)
    return []
