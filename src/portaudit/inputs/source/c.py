"""C / C++ (and BSD sockets from Objective-C and Swift): ``bind()`` with the sockaddr traced in the
function, ``CFSocketSetAddress``, and the C server libraries (libmicrohttpd, civetweb, mongoose,
libwebsockets, libvncserver, libevent, libuv).  A library API counts only when the file includes
the library's header (its ``modules``): C has no namespaces, the header is the type."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...model import Bind
from ...values import Addr, Const, Unknown, Value, Verdict, one_of
from . import lang as L
from .catalog import Spec, handler
from .draft import Draft
from .family import Family, register
from .flowvals import const_int, const_str

if TYPE_CHECKING:
    from .detect import FileScan


class CFamily(Family):
    name = "c"
    langs = ("c", "cpp")


register(CFamily())

_SYM = {"INADDR_ANY": Addr(Bind.ALL, "0.0.0.0"), "in6addr_any": Addr(Bind.ALL, "::"),
        "INADDR_LOOPBACK": Addr(Bind.LOOPBACK, "127.0.0.1"), "in6addr_loopback": Addr(Bind.LOOPBACK, "::1")}


def _enclosing_function(scan: "FileScan", node: Any) -> Any:
    fn = L.function_of(node)
    while fn is not None and fn.type in ("lambda_literal", "arrow_function", "function_expression", "func_literal"):
        outer = L.function_of(fn)
        if outer is None:
            break
        fn = outer
    return fn


@handler("c_bind")
def c_bind(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """``bind(fd, (struct sockaddr *)&addr, len)``: the address and port stored into ``addr`` before the
    call in the same function; ``CFSocketSetAddress(sock, data)`` with ``data`` made from ``addr``."""
    if len(call.args) < 2:
        return None
    fd = L.compact(L.text(call.arg(0)))
    sa_text = L.compact(L.text(call.arg(1)))
    m = re.search(r"&\(?([A-Za-z_]\w*)", sa_text) or re.search(r"\b([A-Za-z_]\w*)\)*$", sa_text)
    var = m.group(1) if m else None
    fn = _enclosing_function(scan, call.node)
    if scan.lang == "swift":
        ptr = re.search(r"&([A-Za-z_]\w*)", sa_text)
        if ptr:
            var = ptr.group(1)
        elif sa_text.startswith("$") or var in ("0", None):
            pre = scan.src[(fn.start_byte if fn is not None else 0):call.node.start_byte].decode("utf-8", "replace")
            ms = re.findall(r"withUnsafe(?:Mutable)?(?:Pointer|Bytes)\s*\(\s*(?:to|of)\s*:\s*&\s*([A-Za-z_]\w*)", pre)
            var = ms[-1] if ms else None
    scope = (scan.src[fn.start_byte:fn.end_byte] if fn is not None else scan.src).decode("utf-8", "replace")
    off = len(scan.src[(fn.start_byte if fn is not None else 0):call.node.start_byte].decode("utf-8", "replace"))
    before, after = scope[:off], scope[off:]
    if re.search(r"AF_NETLINK|PF_NETLINK|sockaddr_nl|nl_family", before):
        return []  # netlink: not a network listener
    if fd and re.search(r"\bconnect\s*\(\s*" + re.escape(fd) + r"\b", after):
        return []  # bound, then connected: a client's local address
    transport = "tcp"
    sock = re.search(re.escape(fd) + r"\s*=\s*socket\s*\(([^)]*)\)", before) if fd else None
    sock = sock or re.search(r"socket\s*\(([^)]*)\)", before)
    if sock is not None:
        if re.search(r"AF_UNIX|PF_UNIX|AF_LOCAL|PF_LOCAL", sock.group(1)):
            transport = "unix"
        elif "SOCK_DGRAM" in sock.group(1):
            transport = "udp"
    if var is None:
        return [Draft(spec.id, transport, call.node, Unknown("sockaddr expression not followed"), None)]
    if re.search(r"sockaddr_un\s+\**" + re.escape(var) + r"\b|\b" + re.escape(var) + r"\s*\.\s*sun_", before) \
            or transport == "unix":
        return [_unix(scan, call, var, before)]
    v = re.escape(var)
    assigns = re.findall(v + r"\s*(?:\.|->)\s*(?:sin6?_addr(?:\s*\.\s*s_addr)?|sin_addr\.s_addr)\s*=\s*([^;\n]+)",
                         before)
    assigns += re.findall(r"\.sin6?_addr(?:\.s_addr)?\s*=\s*([^,}\n]+)", before)
    assigns += re.findall(r"sin6?_addr\s*:\s*([^,\n]+(?:\([^)]*\))?)", before)
    pton = re.findall(r"inet_pton\s*\(\s*\w+\s*,\s*(\"[^\"]*\"|\w+)\s*,\s*&?\s*" + v + r"\b", before)
    pton += re.findall(r"inet_aton\s*\(\s*(\"[^\"]*\"|\w+)\s*,\s*&?\s*" + v + r"\b", before)
    hosts: list[Value] = []
    for a in assigns:
        hosts.append(addr_expr(scan, a.strip().rstrip(")") if a.count(")") > a.count("(") else a.strip(), call.node))
    for p in pton:
        hosts.append(addr_expr(scan, p, call.node))
    ports = re.findall(v + r"\s*(?:\.|->)\s*sin6?_port\s*=\s*([^;\n]+)", before) + \
        re.findall(r"sin6?_port\s*[:=]\s*([^,;\n}]+)", before)
    pv: list[Value] = []
    for p in ports:
        pm = re.search(r"(\d+)", p)
        if pm and re.fullmatch(r"\s*(htons|CFSwapInt16HostToBig|UInt16|in_port_t)?\s*\(?\s*\d+\s*\)?(\.bigEndian)?\s*",
                               p.strip()):
            pv.append(Const(int(pm.group(1))))
        else:
            pv.append(Unknown(f"port computed ({p.strip()[:40]})"))
    port = one_of(pv) if pv else None
    if not hosts:
        zeroed = re.search(r"(memset|bzero)\s*\(\s*&?\s*" + v + r"\b|" + v + r"\s*=\s*\{\s*0?\s*\}|"
                           + v + r"\s*=\s*sockaddr_in6?\s*\(\s*\)|sockaddr_in6?\s+" + v + r"\s*(=\s*)?\{", before)
        if zeroed:
            # a zeroed sockaddr_in has sin_addr 0 = INADDR_ANY (netinet/in.h)
            return [Draft(spec.id, transport, call.node, Addr(Bind.ALL, "0.0.0.0", "sockaddr zeroed, address "
                                                                                   "never set (INADDR_ANY)"), port)]
        hosts = [Unknown(f"address of {var} not set in this function")]
    return [Draft(spec.id, transport, call.node, one_of(hosts), port)]


def addr_expr(scan: "FileScan", expr: str, at: Any) -> Value:
    """An address expression written in C text: a symbol, a string, 0, a name defined in the file."""
    e = expr.strip().rstrip(";").strip()
    for sym, val in _SYM.items():
        if sym in e:
            return val
    s = re.search(r"\"([^\"]*)\"", e)
    if s:
        return Const(s.group(1))
    if re.fullmatch(r"(htonl\()?\s*0[xX]?0*\s*\)?|0", e):
        return Addr(Bind.ALL, "0.0.0.0")
    if re.fullmatch(r"htonl\(\s*0x7[fF]000001\s*\)", e):
        return Addr(Bind.LOOPBACK, "127.0.0.1")
    if re.fullmatch(r"[A-Za-z_]\w*", e):
        vals = [addr_expr(scan, L.text(v), at) for v, _o in scan.r.definitions_for(e, at)[:4]]
        return one_of(vals) if vals else Unknown(f"address from {e}")
    return Unknown(f"address from {e[:40]}")


def _unix(scan: "FileScan", call: L.Call, var: str, before: str) -> Draft:
    v = re.escape(var)
    m = re.search(r"(?:strn?cpy|strlcpy|memcpy|snprintf)\s*\(\s*&?\s*" + v + r"\s*(?:\.|->)\s*sun_path"
                  r"(?:\s*\+\s*1|\s*\[\s*1\s*\])?\s*,\s*(\"[^\"]*\"|\w+)", before)
    abstract = bool(re.search(v + r"\s*(?:\.|->)\s*sun_path\s*\[\s*0\s*\]\s*=\s*(0|'\\0')|" + v +
                              r"\s*(?:\.|->)\s*sun_path\s*\+\s*1|&\s*" + v + r"\s*(?:\.|->)\s*sun_path\s*\[\s*1\s*\]",
                              before))
    name = None
    if m:
        raw = m.group(1)
        if raw.startswith('"'):
            name = raw[1:-1]
        else:
            vals = scan.r.definitions_for(raw, call.node)
            if vals:
                name = L.strip_quotes(vals[0][0]) if vals[0][0].type in L.STRING_TYPES else None
    if name is not None:
        name = name.replace("\\0", "\0")
        if name.startswith("\0"):
            abstract, name = True, name[1:]
        addr = ("@" + name) if abstract else name
    else:
        addr = "@?" if abstract else None
    return Draft("bsd bind (AF_UNIX)", "unix", call.node, None, None,
                 fixed=Verdict(Bind.UNIX, addr, None if addr else "socket path computed at run time"))


# ---------------------------------------------------------------------------- server libraries

def _field_stores(scan: "FileScan", call: L.Call, var: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """``var.field = value`` / ``var->field = value`` stores before ``call`` in its function:
    field -> value node (the last one)."""
    fn = _enclosing_function(scan, call.node) or scan.root
    out: dict[str, Any] = {}
    stack = [fn]
    while stack:
        n = stack.pop()
        if n.type == "assignment_expression" and n.start_byte < call.node.start_byte:
            left = n.child_by_field_name("left")
            lt = L.compact(L.text(left)).replace("->", ".")
            for f in fields:
                if lt == f"{var}.{f}" or lt.endswith(f".{var}.{f}") or (var == "*" and lt.endswith("." + f)):
                    prev = out.get(f)
                    if prev is None or prev.start_byte < n.start_byte:
                        out[f] = n.child_by_field_name("right")
        stack.extend(n.named_children)
    return out


def _struct_var(call: L.Call, index: int) -> str | None:
    node = call.arg(index)
    if node is None:
        return None
    t = L.compact(L.text(node))
    m = re.search(r"&\(?([A-Za-z_]\w*)\)?$", t) or re.fullmatch(r"\(*([A-Za-z_]\w*)\)*", t)
    return m.group(1) if m else None


@handler("mhd_start")
def mhd_start(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """libmicrohttpd ``MHD_start_daemon(flags, port, ..., MHD_OPTION_SOCK_ADDR, &sa, ..., MHD_OPTION_END)``;
    without MHD_OPTION_SOCK_ADDR the daemon binds every interface (microhttpd.h: "MHD_OPTION_SOCK_ADDR
    ... Bind daemon to the supplied sockaddr.  ... If not specified, the daemon binds to any address")."""
    if len(call.args) < 2:
        return None
    port = scan.value(call.arg(1))
    flags = L.text(call.arg(0))
    transport = "tcp"
    texts = [L.compact(L.text(n)) for _, n in call.args]
    if "MHD_OPTION_SOCK_ADDR" in texts:
        i = texts.index("MHD_OPTION_SOCK_ADDR")
        var = _struct_var(call, i + 1)
        if var is not None:
            fake = L.Call(call.node, "bind", "bind", None, [(None, call.arg(0)), (None, call.arg(i + 1))])
            got = c_bind(scan, spec, fake)
            if got:
                d = got[0]
                d.api, d.transport = spec.id, transport
                return [d]
        return [Draft(spec.id, transport, call.node, Unknown("MHD_OPTION_SOCK_ADDR not followed"), port)]
    if "MHD_OPTION_LISTEN_SOCKET" in texts:
        return []  # serves a socket bound elsewhere: that bind() is the listener
    del flags
    return [Draft(spec.id, transport, call.node, None, port, default=spec.default_bind,
                  default_doc=spec.default_doc)]


@handler("civetweb")
def civetweb(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """civetweb ``mg_start(callbacks, data, options)``: ``"listening_ports", "8080"`` in the options
    array (``127.0.0.1:8080`` binds loopback; a bare port every interface; ``s`` suffix: TLS)."""
    opts_node = call.arg(2) if call.name == "mg_start" else call.arg(1)
    if opts_node is None:
        return None
    ports_text = _option_value(scan, opts_node, "listening_ports")
    if ports_text is None:
        return [Draft(spec.id, "tcp", call.node, Unknown("listening_ports not found in the options"), None)]
    out = []
    for item in ports_text.split(","):
        item = item.strip().rstrip("sr")
        host, _, p = item.rpartition(":")
        port = Const(int(p)) if p.isdigit() else Unknown(f"port {p!r}")
        if not host:
            out.append(Draft(spec.id, "tcp", call.node, None, port, default=Bind.ALL, default_doc=spec.default_doc))
        else:
            out.append(Draft(spec.id, "tcp", call.node, Const(host.strip("[]")), port))
    return out


def _option_value(scan: "FileScan", node: Any, key: str) -> str | None:
    """The string after ``"key"`` in a ``const char *options[] = {"key", "value", ...}`` array."""
    target = node
    if node.type == "identifier":
        defs = scan.r.definitions_for(L.text(node), node)
        if defs:
            target = defs[-1][0]
    items = [c for c in target.named_children if c.type not in ("comment",)]
    for i, c in enumerate(items[:-1]):
        if c.type in L.STRING_TYPES and L.strip_quotes(c) == key:
            return const_str(scan.value(items[i + 1]))
    return None


@handler("mongoose")
def mongoose(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """mongoose ``mg_http_listen(mgr, "http://0.0.0.0:8000", fn, data)`` (also mg_listen, mg_mqtt_listen,
    mg_bind): the URL's host and port."""
    url_node = call.arg(1)
    if url_node is None:
        return None
    url = scan.value(url_node)
    s = const_str(url)
    if s is None:
        return [Draft(spec.id, "tcp", call.node, url, None)]
    m = re.match(r"^(?:(\w+)://)?(\[[^\]]*\]|[^:/]*)?(?::(\d+))?", s)
    scheme, host, port = (m.group(1) or "", m.group(2) or "", m.group(3)) if m else ("", "", None)
    transport = "udp" if scheme == "udp" else "tcp"
    p = Const(int(port)) if port else Unknown(f"no port in {s!r}")
    # mongoose mg_url_host / mg_aton: an empty host is 0.0.0.0 (mongoose.c, mg_listen)
    h: Value = Addr(Bind.ALL, None, "no host in the URL: mongoose binds 0.0.0.0") if not host else \
        Const(host.strip("[]"))
    return [Draft(spec.id, transport, call.node, h, p)]


@handler("lws_context")
def lws_context(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """libwebsockets ``lws_create_context(&info)`` / ``lws_create_vhost(ctx, &info)``: ``info.port``
    (CONTEXT_PORT_NO_LISTEN = -1: a client) and ``info.iface`` (NULL: every interface)."""
    var = _struct_var(call, 0 if call.name == "lws_create_context" else 1)
    if var is None:
        return None
    st = _field_stores(scan, call, var, ("port", "iface"))
    # lws-context-vhost.h: "You can also set port to 0, in which case the kernel will pick a random
    # port" -- a zeroed info listens on one; CONTEXT_PORT_NO_LISTEN(_SERVER) does not listen
    pv = scan.value(st["port"]) if "port" in st else Const(0)
    if "port" in st and "NO_LISTEN" in L.text(st["port"]):
        return []
    pn = const_int(pv)
    if pn is not None and pn < 0:
        return []
    host = scan.value(st["iface"]) if "iface" in st else None
    if isinstance(host, Const) and host.value is None:
        host = None
    return [Draft(spec.id, "tcp", call.node, host, pv, default=spec.default_bind, default_doc=spec.default_doc)]


@handler("rfb_init")
def rfb_init(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """libvncserver ``rfbInitServer(screen)`` after ``rfbGetScreen``: ``screen->port`` (default 5900,
    rfbDefaultPortNumber) and ``screen->listenInterface`` (default htonl(INADDR_ANY))."""
    var = _struct_var(call, 0)
    if var is None:
        return None
    st = _field_stores(scan, call, var, ("port", "listenInterface", "autoPort", "ipv6port", "listen6Interface"))
    port = scan.value(st["port"]) if "port" in st else None
    host = addr_expr(scan, L.text(st["listenInterface"]), call.node) if "listenInterface" in st else None
    return [Draft(spec.id, "tcp", call.node, host, port, default=spec.default_bind, default_doc=spec.default_doc,
                  default_port=spec.default_port)]


@handler("sockaddr_arg", index=int)
def sockaddr_arg(scan: "FileScan", spec: Spec, call: L.Call) -> list[Draft] | None:
    """An API given a ``struct sockaddr *`` (libevent ``evconnlistener_new_bind(base, cb, arg, flags,
    backlog, sa, len)``, libuv ``uv_tcp_bind(handle, addr, flags)`` with ``uv_ip4_addr("0.0.0.0", 80, &a)``)."""
    idx = spec.opt("index", 1)
    node = call.arg(idx)
    if node is None:
        return None
    var = _struct_var(call, idx)
    if var is not None:
        fn = _enclosing_function(scan, call.node) or scan.root
        before = scan.src[fn.start_byte:call.node.start_byte].decode("utf-8", "replace")
        m = list(re.finditer(r"uv_ip[46]_addr\s*\(\s*(\"[^\"]*\"|\w+)\s*,\s*([^,]+),\s*&\s*" + re.escape(var)
                             + r"\b", before))
        if m:
            h = addr_expr(scan, m[-1].group(1), call.node)
            pm = re.fullmatch(r"\s*(\d+)\s*", m[-1].group(2))
            p: Value = Const(int(pm.group(1))) if pm else Unknown(f"port {m[-1].group(2).strip()[:30]}")
            return [Draft(spec.id, spec.transport, call.node, h, p)]
    fake = L.Call(call.node, "bind", "bind", None, [(None, call.arg(0) or node), (None, node)])
    got = c_bind(scan, spec, fake)
    for d in got or []:
        d.api, d.transport = spec.id, spec.transport
    return got

