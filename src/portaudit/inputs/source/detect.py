"""Listener and debug-switch detection in one parsed source file, driven by the catalogue."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import tree_sitter as ts

from ...model import Bind, DebugService, Listener, Location, Origin
from . import lang as L
from .resolve import Resolver, classify_host, host_outcomes, port_of

# ------------------------------------------------------------------ catalogue


@dataclass(frozen=True)
class Spec:
    id: str
    langs: tuple[str, ...]
    names: tuple[str, ...]
    handler: str
    transport: str = "tcp"
    match: Any = None
    receiver: Any = None
    kinds: tuple[str, ...] | None = None
    host: int | None = None
    port: int | None = None
    host_label: str | None = None
    port_label: str | None = None
    default: str = "unknown"
    null: str = "all-interfaces"
    default_port: int | None = None
    requires: str | None = None  # regex a file must contain for this API to be possible there
    extra: dict = field(default_factory=dict, hash=False, compare=False)


_FIELDS = {"id", "langs", "names", "handler", "transport", "match", "receiver", "kinds", "host", "port",
           "host_label", "port_label", "default", "null", "default_port", "requires"}


@functools.cache
def catalogue() -> tuple[Spec, ...]:
    with resources.files("portaudit.catalog").joinpath("source/apis.toml").open("rb") as fh:
        data = tomllib.load(fh)
    out = []
    for raw in data["api"]:
        out.append(Spec(
            id=raw["id"], langs=tuple(raw["langs"]), names=tuple(raw["names"]), handler=raw["handler"],
            transport=raw.get("transport", "tcp"),
            match=re.compile(raw["match"]) if raw.get("match") else None,
            receiver=re.compile(raw["receiver"]) if raw.get("receiver") else None,
            kinds=tuple(raw["kinds"]) if raw.get("kinds") else None,
            host=raw.get("host"), port=raw.get("port"), host_label=raw.get("host_label"),
            port_label=raw.get("port_label"), default=raw.get("default", "unknown"),
            null=raw.get("null", "all-interfaces"), default_port=raw.get("default_port"),
            requires=raw.get("requires"),
            extra={k: v for k, v in raw.items() if k not in _FIELDS},
        ))
    return tuple(out)


@functools.cache
def index(lang: str) -> dict[str, tuple[Spec, ...]]:
    idx: dict[str, list[Spec]] = {}
    for s in catalogue():
        if lang in s.langs:
            for n in s.names:
                idx.setdefault(n, []).append(s)
    return {k: tuple(v) for k, v in idx.items()}


@functools.cache
def _triggers(lang: str | None) -> tuple[tuple[tuple[bytes, ...], re.Pattern[bytes]], ...]:
    """Per API: literal anchors (one must occur: a cheap ``in`` test) and the regex that confirms."""
    out = []
    for s in catalogue():
        if lang is not None and lang not in s.langs:
            continue
        if s.requires:
            rx = s.requires
            anchors = tuple(sorted({a.encode() for a in re.findall(r"[A-Za-z_]{4,}", rx)}))
        else:
            names = sorted({n.rsplit(".", 1)[-1] for n in s.names})
            rx = r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\s*[(:]"
            anchors = tuple(n.encode() for n in names)
        out.append((anchors, re.compile(rx.encode())))
    out.append(((b"DebuggingEnabled",), re.compile(b"DebuggingEnabled")))
    if lang in (None, "go"):  # a Go listen function used as a value (var listen = net.Listen)
        out.append(((b"Listen",), re.compile(rb"\b(?:net|http|tls)\.Listen\w*\b(?!\s*\()")))
    return tuple(out)


def worth_parsing(src: bytes, lang: str | None = None) -> bool:
    """Does the file contain anything a catalogue API needs?  (Files that do not are never parsed.)"""
    for anchors, rx in _triggers(lang):
        if any(a in src for a in anchors) and rx.search(src):
            return True
    return False


# Queries that keep only calls whose callee name is in the catalogue (filtered in the query engine).
_NAME_QUERIES = {
    "python": ["(call function: [(identifier) @n (attribute attribute: (identifier) @n)]) @c"],
    "javascript": ["(call_expression function: [(identifier) @n (member_expression property: (property_identifier) @n)]) @c",
                   "(new_expression constructor: [(identifier) @n (member_expression property: (property_identifier) @n)]) @c"],
    "go": ["(call_expression function: [(identifier) @n (selector_expression field: (field_identifier) @n)]) @c"],
    "c": ["(call_expression function: [(identifier) @n (field_expression field: (field_identifier) @n)]) @c"],
    "cpp": [("(call_expression function: [(identifier) @n (qualified_identifier name: (identifier) @n) "
             "(field_expression field: (field_identifier) @n)]) @c")],
    "objc": ["(call_expression function: [(identifier) @n (field_expression field: (field_identifier) @n)]) @c",
             "(message_expression method: (identifier) @n) @c"],
    "java": ["(method_invocation name: (identifier) @n) @c",
             ("(object_creation_expression type: [(type_identifier) @n (scoped_type_identifier (type_identifier) @n)"
              " (generic_type (type_identifier) @n)]) @c"),
             "(explicit_constructor_invocation constructor: (_) @n) @c"],
}
_NAME_QUERIES["typescript"] = _NAME_QUERIES["tsx"] = _NAME_QUERIES["javascript"]


@functools.cache
def single_name_query(lang: str, name: str) -> ts.Query | None:
    pats = _NAME_QUERIES.get(lang)
    if not pats or not re.fullmatch(r"[A-Za-z_$][\w$]*", name):
        return None
    try:
        return ts.Query(L.language(lang), " ".join(f'({p} (#eq? @n "{name}"))' for p in pats))
    except Exception:  # noqa: BLE001 - as above
        return None


@functools.cache
def name_query(lang: str) -> ts.Query | None:
    pats = _NAME_QUERIES.get(lang)
    if not pats:
        return None
    names = sorted({n.rsplit(".", 1)[-1] for n in index(lang)} | {"super", "this"})
    quoted = " ".join(f'"{n}"' for n in names)
    src = " ".join(f"({p} (#any-of? @n {quoted}))" for p in pats)
    try:
        return ts.Query(L.language(lang), src)
    except Exception:  # noqa: BLE001 - a grammar version with other node names: fall back to every call
        return None


@functools.cache
def call_query(lang: str) -> ts.Query:
    pats = " ".join(f"({t})" for t in L.CALL_TYPES[lang])
    return ts.Query(L.language(lang), f"[{pats}] @c")


_BIND = {"all-interfaces": Bind.ALL, "loopback": Bind.LOOPBACK, "unknown": Bind.UNKNOWN, "specific": Bind.SPECIFIC}


# ------------------------------------------------------------------ results

@dataclass
class Draft:
    """A listener before wrapper expansion: value outcomes, not yet classified."""

    spec_id: str
    transport: str
    node: Any
    host: list[tuple[str, Any]] | None  # resolved outcomes, None = argument missing
    port: list[tuple[str, Any]] | None
    default: Bind = Bind.UNKNOWN
    null: Bind = Bind.ALL
    default_port: int | None = None
    guards: list[str] = field(default_factory=list)
    reason: str | None = None
    fixed: tuple[Bind, str | None, str | None] | None = None  # already classified
    go_split: bool = False  # host values are Go "host:port" strings (split after wrapper expansion)


class FileScan:
    def __init__(self, rel: str, lang: str, src: bytes, origin: Origin):
        self.rel = rel
        self.lang = lang
        self.src = src
        self.origin = origin
        self.lines: list[bytes] | None = None
        self.listeners: list[Listener] = []
        self.debug: list[DebugService] = []
        self.notes: list[str] = []
        self.tree = L.parser(lang).parse(src)
        self.root = self.tree.root_node
        self.r = Resolver(lang, self.root)

    # -- helpers ---------------------------------------------------------------------
    def location(self, node: Any) -> Location:
        if self.lines is None:
            self.lines = self.src.splitlines()
        sr, sc = node.start_point
        er, ec = node.end_point
        snippet_lines = self.lines[sr:min(er, sr + 2) + 1]
        snippet = b"\n".join(x.rstrip() for x in snippet_lines).decode("utf-8", "replace").strip()
        return Location(file=self.rel, line=sr + 1, column=sc + 1, end_line=er + 1, end_column=ec + 1,
                        snippet=snippet[:400])

    def receiver_context(self, call: L.Call) -> str:
        """The receiver's text plus the text of its definitions (what it was created from)."""
        if call.receiver is None:
            return ""
        parts = [L.text(call.receiver)]
        name = L._last_name(call.receiver)
        if name:
            rt = L.compact(L.text(call.receiver)).replace("?.", ".").replace("->", ".")
            qual = rt.rsplit(".", 1)[0] if "." in rt else ""
            for v in self.r.definitions_for(name, call.node, qual)[:6]:
                parts.append(L.text(v)[:200])
            if self.lang in ("java", "kotlin", "swift", "objc", "c", "cpp", "typescript", "tsx", "dart"):
                parts.append(self._declared_types(name))
        return " ".join(parts)

    def _declared_types(self, name: str) -> str:
        """Types written next to ``name`` in declarations (``ServerSocket ss``, ``ss: ServerSocket``)."""
        cache = self.__dict__.setdefault("_types", {})
        if name not in cache:
            found = []
            pat = re.compile(rb"(\w+)\s*\**\s+" + re.escape(name.encode()) + rb"\b|\b" + re.escape(name.encode())
                             + rb"\s*:\s*(\w+)")
            for m in pat.finditer(self.src):
                found.append((m.group(1) or m.group(2) or b"").decode("utf-8", "replace"))
                if len(found) > 12:
                    break
            cache[name] = " ".join(found)
        return cache[name]

    def same_receiver_calls(self, call: L.Call, names: tuple[str, ...], within_function: bool) -> list[L.Call]:
        want = L.compact(call.receiver_text)
        if not want:
            return []
        fn = L.function_of(call.node) if within_function else None
        out = []
        for n in names:
            for c in self.r.calls_named(n):
                if L.compact(c.receiver_text) != want:
                    continue
                if fn is not None and not (fn.start_byte <= c.node.start_byte < fn.end_byte):
                    continue
                out.append(c)
        return out

    # -- main ------------------------------------------------------------------------
    def run(self) -> None:
        idx = index(self.lang)
        q = name_query(self.lang)
        if q is None:
            self.r.all_calls = self.all_calls()
            calls = self.r.all_calls
        else:
            seen: set[int] = set()
            calls = []
            for node in sorted(ts.QueryCursor(q).captures(self.root).get("c", []), key=lambda n: n.start_byte):
                if node.id in seen:
                    continue
                seen.add(node.id)
                c = L.extract_call(self.lang, node)
                if c is not None:
                    calls.append(c)
            self.r.calls_loader = self.all_calls
            self.r.named_loader = self.calls_named
        if self.lang == "go":
            calls = calls + self._go_aliased_calls(idx)
        for call in calls:
            specs = idx.get(call.name)
            if not specs:
                continue
            for spec in specs:
                if spec.kinds and call.kind not in spec.kinds and not (self.lang == "kotlin" and call.kind == "call"):
                    continue
                if spec.match is not None and not spec.match.search(call.callee):
                    continue
                if spec.receiver is not None and not spec.receiver.search(self.receiver_context(call)):
                    continue
                handler = getattr(self, "h_" + spec.handler)
                drafts = handler(spec, call)
                if drafts is None:  # not this API: try the next spec
                    continue
                for d in drafts:
                    self.emit(d)
                break
        self.assignments()

    def _go_aliased_calls(self, idx) -> list[L.Call]:
        """Calls through a variable holding a listen function (``var listen = net.Listen``),
        rewritten as calls to that function."""
        out: list[L.Call] = []
        for name, entries in self.r.defs.items():
            if name in idx:
                continue
            for value, _owner in entries:
                if value is None or value.type != "selector_expression":
                    continue
                target = L.compact(L.text(value))
                last = target.rsplit(".", 1)[-1]
                if last not in idx or not target.startswith(("net.", "http.", "tls.")):
                    continue
                for c in self.calls_named(name):
                    out.append(L.Call(c.node, target, last, None, c.args, c.kind))
        return out

    def calls_named(self, name: str) -> list[L.Call]:
        cache = self.__dict__.setdefault("_named", {})
        if name not in cache:
            q = single_name_query(self.lang, name)
            out = []
            if q is not None:
                seen: set[int] = set()
                for node in ts.QueryCursor(q).captures(self.root).get("c", []):
                    if node.id not in seen:
                        seen.add(node.id)
                        c = L.extract_call(self.lang, node)
                        if c is not None and c.name == name:
                            out.append(c)
            out.sort(key=lambda c: c.node.start_byte)
            cache[name] = out
        return cache[name]

    def all_calls(self) -> list[L.Call]:
        out = []
        for node in ts.QueryCursor(call_query(self.lang)).captures(self.root).get("c", []):
            c = L.extract_call(self.lang, node)
            if c is not None:
                out.append(c)
        out.sort(key=lambda c: c.node.start_byte)
        return out

    # -- emission with wrapper expansion ----------------------------------------------
    def emit(self, d: Draft) -> None:
        params = [v for v in (d.host or []) + (d.port or []) if v[0] == "param"]
        if params:
            fn = params[0][1][0]
            callers = [c for c in self.r.calls_named(fn.name)
                       if fn.name and not (fn.node.start_byte <= c.node.start_byte < fn.node.end_byte)
                       and c.receiver_text in ("", "this", "self", "cls", "super", "Self")
                       and len(c.args) <= len(fn.params)]
            if callers:
                for c in callers[:20]:
                    host = self._substitute(d.host, fn, c)
                    port = self._substitute(d.port, fn, c)
                    nd = Draft(d.spec_id, d.transport, c.node, host, port, d.default, d.null, d.default_port,
                               list(d.guards), d.reason, d.fixed, d.go_split)
                    self._emit(nd, via=fn.name)
                return
            host = self._substitute(d.host, fn, None)
            port = self._substitute(d.port, fn, None)
            d = Draft(d.spec_id, d.transport, d.node, host, port, d.default, d.null, d.default_port,
                      d.guards, d.reason, d.fixed, d.go_split)
        self._emit(d, via=None)

    def _substitute(self, values, fn, caller: L.Call | None):
        if values is None:
            return None
        out: list[tuple[str, Any]] = []
        for kind, v in values:
            if kind != "param" or v[0].node.id != fn.node.id:
                out.append((kind, v))
                continue
            _, index_, name, default = v
            arg = None
            if caller is not None:
                offset = 1 if (self.lang == "python" and fn.params and fn.params[0][0] in ("self", "cls")) else 0
                arg = caller.arg(index_ - offset, label=name)
            if arg is not None:
                vals = self.r.resolve(arg, params=False)
                out.extend(("unknown", f"parameter {L.text(arg)[:30]} of the caller") if k == "param" else (k, x)
                           for k, x in vals)
            elif default is not None:
                out.extend(self.r.resolve(default, params=False))
            elif caller is None:
                out.append(("unknown", f"parameter {name} of {fn.name or 'a function'}() with no caller in this file"))
            else:
                out.append(("unknown", f"argument {name} not passed"))
        return out

    def _emit(self, d: Draft, via: str | None) -> None:
        if d.go_split and d.host is not None:
            host, port2 = _go_split(d.host, self.r)
            d.host = host
            if not d.port:
                d.port = port2
        if d.fixed is not None:
            outcomes = [d.fixed]
        elif d.host is None:
            addr = None  # implicit: no literal in the code (as for bytecode)
            outcomes = [(d.default, addr, d.reason or ("API default" if d.default is not Bind.UNKNOWN
                                                       else "no address argument"))]
        else:
            outcomes = host_outcomes(d.host, d.null)
        port = port_of(d.port) if d.port else d.default_port
        if d.transport == "udp" and port == 0:
            return  # ephemeral UDP socket: a client / send-only socket
        binds = []
        for b, _, _ in outcomes:
            if b.value not in binds:
                binds.append(b.value)
        reasons = [r for _, _, r in outcomes if r]
        if len(binds) == 1:
            bind = outcomes[0][0]
            addrs = sorted({a for _, a, _ in outcomes if a})
            address = "|".join(addrs) if addrs else None
            alternatives: list[str] = []
        else:
            bind = Bind.CONDITIONAL
            address = "|".join(a or "?" for _, a, _ in outcomes)
            alternatives = binds
        transport = "unix" if bind is Bind.UNIX else d.transport
        reason = "; ".join(dict.fromkeys(reasons)) if reasons and bind in (Bind.UNKNOWN, Bind.CONDITIONAL) else None
        loc = self.location(d.node)
        self.listeners.append(Listener(
            api=d.spec_id, transport=transport, bind=bind, location=loc, address=address,
            port=None if transport == "unix" else port, reason=reason, alternatives=alternatives,
            guards=list(d.guards), origin=Origin(kind=self.origin.kind, sdk=self.origin.sdk,
                                                  package=self.origin.package),
            via=via, evidence=loc.snippet))

    # ------------------------------------------------------------------ handlers
    def _arg(self, call: L.Call, index_: int | None, label: str | None):
        return call.arg(index_, label)

    def _res(self, node):
        return self.r.resolve(node) if node is not None else None

    def h_hostport(self, spec: Spec, call: L.Call):
        host_node = call.arg(spec.host, spec.host_label)
        port_node = call.arg(spec.port, spec.port_label)
        transport = spec.transport
        if spec.extra.get("udp_if") and spec.extra["udp_if"] in call.callee:
            transport = "udp"
        default = _BIND[spec.default]
        if spec.id.startswith("python asyncio"):
            if call.receiver is not None and not re.search(r"asyncio|loop", self.receiver_context(call)):
                return None
            if call.receiver is None and not re.search(
                    rb"from\s+asyncio\s+import[^\n]*\b" + call.name.encode(), self.src):
                return None  # a function of the file that happens to have this name
            if call.arg(None, "sock") is not None:
                return []  # serves an already-bound socket: its own bind() is the listener
        if spec.extra.get("unix_if_name") and spec.extra["unix_if_name"] in call.name:
            path = _str_or_none(self._res(call.arg(1, "path")))
            return [Draft(f"python asyncio {call.name}", "unix", call.node, None, None,
                          fixed=(Bind.UNIX, path, None if path else "socket path not a constant"))]
        if spec.id.startswith("dart") and host_node is not None:
            vals = self.r.resolve(host_node)
            return [Draft(spec.id, transport, call.node, vals, self._res(port_node), default,
                          _BIND[spec.null], spec.default_port)]
        api = f"python asyncio {call.name}" if spec.id.startswith("python asyncio") else spec.id
        return [Draft(api, transport, call.node, self._res(host_node), self._res(port_node), default,
                      _BIND[spec.null], spec.default_port)]

    def h_java_ctor(self, spec: Spec, call: L.Call):
        if not call.args:
            return [] if spec.extra.get("unbound_without_port") else None
        port = self._res(call.arg(spec.port))
        host_node = call.arg(spec.host)
        sig = ["int", "int,int", "int,int,InetAddress"][min(len(call.args), 3) - 1]
        api = (f"javax.net.ServerSocketFactory.createServerSocket({sig})" if call.name == "createServerSocket"
               else f"java.net.ServerSocket({sig})")
        return [Draft(api, spec.transport, call.node, self._res(host_node), port, _BIND[spec.default])]

    _CLIENT_SOCK = re.compile(r"\bSocket\(|SocketChannel\.open|\bnew Socket\b|DatagramSocket\(\)")
    _SERVER_SOCK = re.compile(r"ServerSocket|ServerSocketChannel|DatagramChannel|DatagramSocket|serverSocket|"
                              r"(?i:server)")

    def h_java_sockaddr(self, spec: Spec, call: L.Call):
        ctx = self.receiver_context(call)
        if "Bootstrap" in ctx:
            return None  # Netty: its own spec
        if not self._SERVER_SOCK.search(ctx) or (self._CLIENT_SOCK.search(ctx) and "Server" not in ctx):
            return None
        if self.same_receiver_calls(call, ("connect",), True):
            return []
        transport = "udp" if "Datagram" in ctx else "tcp"
        cls = ("java.nio.channels.DatagramChannel" if "DatagramChannel" in ctx else
               "java.nio.channels.AsynchronousServerSocketChannel" if "AsynchronousServerSocketChannel" in ctx else
               "java.nio.channels.ServerSocketChannel" if "Channel" in ctx else
               "java.net.DatagramSocket" if "DatagramSocket" in ctx else "java.net.ServerSocket")
        api = f"{cls}.bind(SocketAddress{',int' if len(call.args) > 1 else ''})"
        arg = call.arg(0)
        if arg is None:
            return []
        vals = self.r.resolve(arg)
        host: list = []
        port: list = []
        for k, v in vals:
            if k == "sockaddr":
                host += v[0]
                port += v[1]
            elif k == "null":
                host.append(("addr", (Bind.ALL, "0.0.0.0")))
                port.append(("int", 0))
            else:
                host.append((k, v))
        if transport == "udp" and port == [("int", 0)]:
            return []
        return [Draft(api, transport, call.node, host, port or None)]

    def h_datagram(self, spec: Spec, call: L.Call):
        if not call.args:
            return []  # DatagramSocket(): unbound client socket
        first = self.r.resolve(call.arg(0))
        if len(call.args) == 1 and any(k in ("sockaddr", "null") for k, _ in first):
            host = [x for k, v in first if k == "sockaddr" for x in v[0]]
            port = [x for k, v in first if k == "sockaddr" for x in v[1]]
            if not host:
                return []
            return [Draft(f"java.net.{call.name}(SocketAddress)", "udp", call.node, host, port)]
        sig = "int,InetAddress" if len(call.args) > 1 else "int"
        return [Draft(f"java.net.{call.name}({sig})", "udp", call.node, self._res(call.arg(spec.host)), first,
                      Bind.ALL)]

    def h_unix_name(self, spec: Spec, call: L.Call):
        vals = self.r.resolve(call.arg(0)) if call.arg(0) is not None else [("unknown", "no name")]
        host = []
        for k, v in vals:
            if k == "str":
                host.append(("addr", (Bind.UNIX, "@" + v if spec.extra.get("abstract") else v)))
            else:
                host.append(("addr", (Bind.UNIX, None)))
        return [Draft(spec.id, "unix", call.node, host, None)]

    _NANO_SUPER = re.compile(r"NanoHTTPD|WebSocketServer|SimpleWebServer|HTTPD\b")

    def h_nanohttpd(self, spec: Spec, call: L.Call):
        if call.kind == "super" or call.name == "super":
            cls = self._enclosing_class_header(call.node)
            m = self._NANO_SUPER.search(cls)
            if not m:
                return None
            base = m.group(0)
        else:
            base = call.name
        api = {"WebSocketServer": "Java-WebSocket WebSocketServer(InetSocketAddress)"}.get(
            base, "NanoHTTPD(String,int)" if len(call.args) >= 2 else "NanoHTTPD(int)")
        if not call.args:
            if base == "WebSocketServer":
                api = "Java-WebSocket WebSocketServer()"
                return [Draft(api, "tcp", call.node, None, None, Bind.ALL, default_port=80)]
            return []
        if len(call.args) == 1:
            vals = self.r.resolve(call.arg(0))
            if any(k == "sockaddr" for k, _ in vals):
                host = [x for k, v in vals if k == "sockaddr" for x in v[0]]
                port = [x for k, v in vals if k == "sockaddr" for x in v[1]]
                return [Draft(api, "tcp", call.node, host, port)]
            return [Draft(api, "tcp", call.node, None, vals, Bind.ALL)]
        return [Draft(api, "tcp", call.node, self._res(call.arg(0)), self._res(call.arg(1)))]

    def _enclosing_class_header(self, node: Any) -> str:
        n = node.parent
        while n is not None:
            if n.type in ("class_declaration", "object_declaration", "object_literal", "class_definition"):
                body = n.child_by_field_name("body")
                end = body.start_byte if body is not None else n.end_byte
                hdr = self.src[n.start_byte:end].decode("utf-8", "replace")
                if n.type == "class_declaration" and body is None:
                    kids = [c for c in n.named_children if c.type == "class_body"]
                    if kids:
                        hdr = self.src[n.start_byte:kids[0].start_byte].decode("utf-8", "replace")
                return hdr
            n = n.parent
        return ""

    def h_netty_bind(self, spec: Spec, call: L.Call):
        if "ServerBootstrap" not in self.receiver_context(call) and "ServerBootstrap" not in self.src.decode(
                "utf-8", "replace"):
            return None
        if len(call.args) >= 2:
            return [Draft("Netty ServerBootstrap.bind(String,int)", "tcp", call.node, self._res(call.arg(0)),
                          self._res(call.arg(1)))]
        if not call.args:
            return []
        vals = self.r.resolve(call.arg(0))
        if any(k == "sockaddr" for k, _ in vals):
            return [Draft("Netty ServerBootstrap.bind(SocketAddress)", "tcp", call.node,
                          [x for k, v in vals if k == "sockaddr" for x in v[0]],
                          [x for k, v in vals if k == "sockaddr" for x in v[1]])]
        return [Draft("Netty ServerBootstrap.bind(int)", "tcp", call.node, None, vals, Bind.ALL)]

    def h_setter_server(self, spec: Spec, call: L.Call):
        ctx = self.receiver_context(call)
        want = "ListenerFactory" if "ftpserver" in spec.id else "SshServer"
        if want not in ctx and want not in self.src.decode("utf-8", "replace"):
            return None
        setters = tuple(spec.extra.get("host_setter", ()))
        hosts = self.same_receiver_calls(call, setters, False)
        host = None
        for h in hosts:
            host = (host or []) + self.r.resolve(h.arg(0))
        return [Draft(spec.id, "tcp", call.node, host, self._res(call.arg(0)), Bind.ALL)]

    def h_webview_debug(self, spec: Spec, call: L.Call):
        arg = call.arg(0) or (call.args[0][1] if call.args else None)
        if arg is None:
            return []
        self._debug(call.node, arg, spec.id)
        return []

    def _debug(self, node: Any, value: Any, what: str) -> None:
        vals = self.r.resolve(value, params=False)
        if self.lang in ("objc", "c", "cpp"):  # BOOL is an integer there: [view setInspectable:1] is YES
            vals = [("bool", v != 0) if k == "int" else (k, v) for k, v in vals]
        atext = L.text(value)
        gated = bool(re.search(r"BuildConfig\.DEBUG|FLAG_DEBUGGABLE|isDebug|kDebugMode|DEBUG\b", atext))
        enabled: bool | None
        if gated:
            enabled = True
        elif vals and all(k == "bool" for k, _ in vals):
            bools = {v for _, v in vals}
            enabled = True if bools == {True} else (False if bools == {False} else None)
        else:
            enabled = None
        if not gated:
            gated = self._gated(node)
        if enabled is False:
            return
        loc = self.location(node)
        self.debug.append(DebugService(kind="webview-debugging", enabled=enabled, location=loc, gated=gated,
                                       origin=Origin(kind=self.origin.kind), evidence=loc.snippet,
                                       detail=what))

    _GATE = re.compile(r"BuildConfig\.DEBUG|FLAG_DEBUGGABLE|isDebuggable|kDebugMode|\bDEBUG\b|isDebugBuild")

    def _gated(self, node: Any) -> bool:
        n = node.parent
        while n is not None:
            if n.type in ("if_statement", "if_expression", "guard_statement", "when_expression"):
                cond = n.child_by_field_name("condition")
                ctext = L.text(cond) if cond is not None else L.text(n)[:200].split("{", 1)[0]
                if self._GATE.search(ctext):
                    return True
            n = n.parent
        # preprocessor: #if DEBUG ... (C, Objective-C, Swift)
        before = self.src[:node.start_byte]
        opened = before.rfind(b"#if")
        if opened >= 0 and before.rfind(b"#endif") < opened:
            line = before[opened:before.find(b"\n", opened)]
            if re.search(rb"DEBUG", line) and b"!" not in line:
                return True
        return False

    # C / Objective-C / Swift: bind(fd, (struct sockaddr *)&addr, len)
    def h_c_bind(self, spec: Spec, call: L.Call):
        if len(call.args) < 2:
            return None
        fd = L.compact(L.text(call.arg(0)))
        sa_node = call.arg(1)
        sa_text = L.compact(L.text(sa_node))
        m = re.search(r"&\(?([A-Za-z_]\w*)", sa_text) or re.search(r"\b([A-Za-z_]\w*)\)*$", sa_text) \
            or re.search(r"([A-Za-z_]\w*)", sa_text[::-1])
        var = m.group(1) if m else None
        fn = L.function_of(call.node)
        while fn is not None and fn.type in ("lambda_literal", "arrow_function", "function_expression",
                                             "func_literal"):
            outer = L.function_of(fn)
            if outer is None:
                break
            fn = outer
        if self.lang == "swift":
            ptr = re.search(r"&([A-Za-z_]\w*)", sa_text)
            if ptr:
                var = ptr.group(1)
            elif sa_text.startswith("$") or var in ("0", None):
                pre = self.src[(fn.start_byte if fn is not None else 0):call.node.start_byte].decode("utf-8", "replace")
                ms = re.findall(r"withUnsafe(?:Mutable)?(?:Pointer|Bytes)\s*\(\s*(?:to|of)\s*:\s*&\s*([A-Za-z_]\w*)", pre)
                var = ms[-1] if ms else None
        scope = self.src[fn.start_byte:fn.end_byte] if fn is not None else self.src
        scope_s = scope.decode("utf-8", "replace")
        call_off = call.node.start_byte - (fn.start_byte if fn is not None else 0)
        before = scope_s[:call_off]
        after = scope_s[call_off:]
        # quiet: netlink, client bind before connect
        if re.search(r"AF_NETLINK|PF_NETLINK|sockaddr_nl|nl_family", before):
            return []
        if fd and re.search(r"\bconnect\s*\(\s*" + re.escape(fd) + r"\b", after):
            return []
        # transport from socket(...)
        transport = "tcp"
        sock = re.search(re.escape(fd) + r"\s*=\s*socket\s*\(([^)]*)\)", before) if fd else None
        if sock is None:
            sock = re.search(r"socket\s*\(([^)]*)\)", before)
        if sock is not None:
            if re.search(r"AF_UNIX|PF_UNIX|AF_LOCAL|PF_LOCAL", sock.group(1)):
                transport = "unix"
            elif "SOCK_DGRAM" in sock.group(1):
                transport = "udp"
        if var is None:
            return [Draft(spec.id, transport, call.node, [("unknown", "sockaddr expression")], None)]
        if re.search(r"sockaddr_un\s+\**" + re.escape(var) + r"\b|\b" + re.escape(var) + r"\s*\.\s*sun_",
                     before) or transport == "unix":
            return [self._c_unix(spec, call, var, before)]
        v = re.escape(var)
        host: list = []
        port: list | None = None
        # designated / Swift memberwise initialisers and field stores
        assigns = re.findall(v + r"\s*(?:\.|->)\s*(?:sin6?_addr(?:\s*\.\s*s_addr)?|sin_addr\.s_addr)\s*=\s*([^;\n]+)", before)
        assigns += re.findall(r"\.sin6?_addr(?:\.s_addr)?\s*=\s*([^,}\n]+)", before)
        assigns += re.findall(r"sin6?_addr\s*:\s*([^,\n]+(?:\([^)]*\))?)", before)
        pton = re.findall(r"inet_pton\s*\(\s*\w+\s*,\s*(\"[^\"]*\"|\w+)\s*,\s*&?\s*" + v + r"\b", before)
        pton += re.findall(r"inet_aton\s*\(\s*(\"[^\"]*\"|\w+)\s*,\s*&?\s*" + v + r"\b", before)
        for a in assigns:
            host.extend(self._c_addr_expr(a.strip().rstrip(")") if a.count(")") > a.count("(") else a.strip(),
                                          call.node))
        for p in pton:
            host.extend(self._c_addr_expr(p, call.node))
        ports = re.findall(v + r"\s*(?:\.|->)\s*sin6?_port\s*=\s*([^;\n]+)", before) + \
            re.findall(r"sin6?_port\s*[:=]\s*([^,;\n}]+)", before)
        pv = []
        for p in ports:
            pm = re.search(r"(\d+)", p)
            if pm and re.fullmatch(r"\s*(htons|CFSwapInt16HostToBig|UInt16|in_port_t)?\s*\(?\s*\d+\s*\)?(\.bigEndian)?\s*",
                                   p.strip()):
                pv.append(("int", int(pm.group(1))))
            else:
                pv.append(("unknown", "port computed"))
        port = pv or None
        if not host:
            zeroed = re.search(r"(memset|bzero)\s*\(\s*&?\s*" + v + r"\b|" + v + r"\s*=\s*\{\s*0?\s*\}|"
                               + v + r"\s*=\s*sockaddr_in6?\s*\(\s*\)|sockaddr_in6?\s+" + v + r"\s*(=\s*)?\{", before)
            if zeroed:
                host = [("addr", (Bind.ALL, "0.0.0.0"))]
                reason = "sockaddr zeroed, address never set (INADDR_ANY)"
                return [Draft(spec.id, transport, call.node, host, port, reason=reason)]
            host = [("unknown", f"address of {var} not set in this function")]
        return [Draft(spec.id, transport, call.node, host, port)]

    def _c_addr_expr(self, expr: str, at: Any) -> list:
        e = expr.strip().rstrip(";").strip()
        for sym, val in (("INADDR_ANY", (Bind.ALL, "0.0.0.0")), ("in6addr_any", (Bind.ALL, "::")),
                         ("INADDR_LOOPBACK", (Bind.LOOPBACK, "127.0.0.1")),
                         ("in6addr_loopback", (Bind.LOOPBACK, "::1"))):
            if sym in e:
                return [("addr", val)]
        s = re.search(r"\"([^\"]*)\"", e)
        if s:
            return [("str", s.group(1))]
        if re.fullmatch(r"(htonl\()?\s*0[xX]?0*\s*\)?|0", e):
            return [("addr", (Bind.ALL, "0.0.0.0"))]
        if re.fullmatch(r"htonl\(\s*0x7[fF]000001\s*\)", e):
            return [("addr", (Bind.LOOPBACK, "127.0.0.1"))]
        name = re.fullmatch(r"[A-Za-z_]\w*", e)
        if name:
            vals = self.r.definitions_for(e, at)
            out = []
            for vnode in vals[:4]:
                out.extend(self._c_addr_expr(L.text(vnode), at) if vnode is not None else [])
            if out:
                return out
            return [("unknown", f"address from {e}")]
        return [("unknown", f"address from {e[:40]}")]

    def _c_unix(self, spec: Spec, call: L.Call, var: str, before: str) -> Draft:
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
                vals = self.r.definitions_for(raw, call.node)
                if vals:
                    name = L.strip_quotes(vals[0]) if vals[0].type in L.STRING_TYPES else None
        if name is not None:
            name = name.replace("\\0", "\0")
            if name.startswith("\0"):
                abstract, name = True, name[1:]
            addr = ("@" + name) if abstract else name
        else:
            addr = "@?" if abstract else None
        return Draft("bsd bind (AF_UNIX)", "unix", call.node, None, None,
                     fixed=(Bind.UNIX, addr, None if addr else "socket path computed at run time"))

    # Swift Network.framework
    def h_nwlistener(self, spec: Spec, call: L.Call):
        port = self._res(call.arg(1, "on"))
        if port:
            port = [("int", v) if k == "int" else (k, v) for k, v in port]
            if not any(k == "int" for k, _ in port):
                m = re.search(r"rawValue:\s*(\d+)|\b(\d+)\b", L.text(call.arg(1, "on")))
                if m:
                    port = [("int", int(m.group(1) or m.group(2)))]
        src = self.src.decode("utf-8", "replace")
        guards = []
        if re.search(r"acceptLocalOnly\s*=\s*true", src):
            guards.append("acceptLocalOnly (local link only, not loopback)")
        if re.search(r"requiredInterfaceType\s*=\s*\.loopback", src):
            return [Draft(spec.id, "tcp", call.node, None, port, guards=guards,
                          fixed=(Bind.LOOPBACK, None, None))]
        m = re.search(r"requiredLocalEndpoint\s*=\s*\.?(?:NWEndpoint\.)?hostPort\(\s*host:\s*\"?([^\",)]+)", src)
        if m:
            b, a = classify_host(m.group(1).strip().strip('"'))
            return [Draft(spec.id, "tcp", call.node, None, port, guards=guards, fixed=(b, a, None))]
        transport = "udp" if re.search(r"using:\s*\.udp|NWParameters\.udp|\.udp\b", L.text(call.node)) else "tcp"
        return [Draft(spec.id, transport, call.node, None, port, Bind.ALL, guards=guards)]

    def h_gcdwebserver(self, spec: Spec, call: L.Call):
        ctx = self.receiver_context(call)
        if "GCDWebServer" not in ctx and "GCDWebServer" not in self.src.decode("utf-8", "replace"):
            return None
        opts = call.arg(0, ("startWithOptions", "options", "runWithOptions"))
        if opts is not None and (call.name in ("startWithOptions", "runWithOptions") or
                                 any(lab == "options" for lab, _ in call.args)):
            vals = self.r.resolve(opts)
            host = None
            port = None
            for k, v in vals:
                if k != "dict":
                    continue
                for key, node in v:
                    if key.endswith("BindToLocalhost"):
                        b = self.r.resolve(node)
                        host = [("addr", (Bind.LOOPBACK, "127.0.0.1")) if x == ("bool", True) else
                                ("addr", (Bind.ALL, "0.0.0.0")) if x == ("bool", False) else
                                ("unknown", "BindToLocalhost value") for x in b]
                    elif key.endswith("Option_Port"):
                        port = self.r.resolve(node)
            return [Draft(spec.id, "tcp", call.node, host, port, Bind.ALL)]
        port_node = call.arg(0, ("startWithPort", "withPort", "runWithPort"))
        return [Draft(spec.id, "tcp", call.node, None, self._res(port_node), Bind.ALL)]

    def h_cocoahttp(self, spec: Spec, call: L.Call):
        ctx = self.receiver_context(call)
        if "GCDWebServer" in ctx or "HttpServer(" in ctx:
            return None
        ifs = self.same_receiver_calls(call, ("setInterface",), True)
        host = None
        for c in ifs:
            vals = self.r.resolve(c.arg(0, "setInterface") or c.args[0][1])
            host = (host or []) + [("addr", (Bind.LOOPBACK, v)) if k == "str" and v in ("lo0", "loopback", "lo")
                                   else (k, v) for k, v in vals]
        ports = self.same_receiver_calls(call, ("setPort",), True)
        port = self.r.resolve(ports[0].arg(0, "setPort") or ports[0].args[0][1]) if ports else None
        return [Draft(spec.id, "tcp", call.node, host, port, Bind.ALL)]

    def h_swifter(self, spec: Spec, call: L.Call):
        return [Draft(spec.id, "tcp", call.node, None, self._res(call.arg(0)), Bind.ALL,
                      default_port=spec.default_port)]

    def h_telegraph(self, spec: Spec, call: L.Call):
        if b"Telegraph" not in self.src:
            return None
        iface = call.arg(None, "interface")
        return [Draft(spec.id, "tcp", call.node, self._res(iface), self._res(call.arg(0, "port")), Bind.ALL,
                      null=Bind.ALL)]

    # JavaScript / TypeScript
    _JS_SERVER = re.compile(r"createServer|express\s*\(|Koa|\bServer\s*\(|http2?\.Server|net\.Server|"
                            r"fastify|connect\s*\(\s*\)|restify|hapi|polka|createSecureServer|TcpSocket")
    _JS_SERVER_NAME = re.compile(r"^(app|server|srv|httpServer|httpsServer|webServer|tcpServer|api|router|"
                                 r"proxy|devServer|staticServer|wsServer)$", re.IGNORECASE)

    def h_js_listen(self, spec: Spec, call: L.Call):
        if call.receiver is None:
            return None
        ctx = self.receiver_context(call)
        rname = L._last_name(call.receiver) or ""
        if not (self._JS_SERVER.search(ctx) or self._JS_SERVER_NAME.match(rname)):
            return None
        default = Bind.LOOPBACK if "fastify" in ctx else Bind.ALL
        api = "react-native-tcp-socket Server.listen" if "TcpSocket" in ctx else (
            "express app.listen" if "express" in ctx else spec.id)
        if not call.args:
            return [Draft(api, "tcp", call.node, None, [("int", 0)], default)]
        first = call.arg(0)
        fv = self.r.resolve(first)
        if any(k == "dict" for k, _ in fv):
            host = None
            port = None
            for k, v in fv:
                if k != "dict":
                    continue
                d = dict(v)
                if "path" in d:
                    return [Draft(api, "unix", call.node, None, None,
                                  fixed=(Bind.UNIX, _str_or_none(self.r.resolve(d["path"])), None))]
                if "host" in d:
                    host = self.r.resolve(d["host"])
                if "port" in d:
                    port = self.r.resolve(d["port"])
            return [Draft(api, "tcp", call.node, host, port, default)]
        if len(fv) == 1 and fv[0][0] == "str" and not fv[0][1].isdigit():
            return [Draft(api, "unix", call.node, None, None, fixed=(Bind.UNIX, fv[0][1], None))]
        host = None
        second = call.arg(1)
        if second is not None and second.type not in ("arrow_function", "function_expression", "function"):
            hv = self.r.resolve(second)
            looks_host = bool(re.search(r"(?i)host|addr|ip|bind|interface", L.text(second)))
            if any(k in ("str", "null", "addr") for k, _ in hv) or looks_host:
                host = [x for x in hv if x[0] != "int"] or None
        return [Draft(api, "tcp", call.node, host, fv, default, null=Bind.ALL)]

    def h_static_server(self, spec: Spec, call: L.Call):
        opts = None
        for lab, node in reversed(call.args):
            if node.type == "object":
                opts = node
                break
        host = None
        if opts is not None:
            d = dict(self.r.resolve(opts)[0][1]) if self.r.resolve(opts)[0][0] == "dict" else {}
            if "localOnly" in d:
                host = [("addr", (Bind.LOOPBACK, "127.0.0.1")) if v == ("bool", True) else
                        ("addr", (Bind.ALL, "0.0.0.0")) if v == ("bool", False) else ("unknown", "localOnly value")
                        for v in self.r.resolve(d["localOnly"])]
        port_node = call.arg(0)
        port = self._res(port_node) if port_node is not None and port_node.type != "object" else None
        return [Draft(spec.id, "tcp", call.node, host, port, Bind.ALL)]

    # Python
    def h_py_bind(self, spec: Spec, call: L.Call):
        if call.receiver is None or not call.args:
            return None
        ctx = self.receiver_context(call)
        rname = L._last_name(call.receiver) or ""
        arg = call.arg(0)
        vals = self.r.resolve(arg)
        is_tuple = any(k == "tuple" for k, _ in vals)
        socketish = "socket" in ctx or "sock" in rname.lower() or rname in ("s", "srv", "server", "listener")
        if not (socketish or is_tuple):
            return None
        if self.same_receiver_calls(call, ("connect", "connect_ex"), True):
            return []
        transport = "udp" if "SOCK_DGRAM" in ctx else "tcp"
        fn = L.function_of(call.node)
        scope = self.src[fn.start_byte:call.node.start_byte] if fn is not None else b""
        if re.search(r"[AP]F_(NETLINK|PACKET|BLUETOOTH|CAN|ALG|VSOCK|TIPC|RDS|QIPCRTR)", ctx) or \
                re.search(rb"[AP]F_(NETLINK|PACKET|BLUETOOTH|CAN|ALG|VSOCK|TIPC|RDS|QIPCRTR)", scope):
            return []  # not an IP or UNIX socket
        if any(k == "tuple" and len(v) < 2 for k, v in vals):
            return []
        if "AF_UNIX" in ctx and not is_tuple:
            path = next((v for k, v in vals if k == "str"), None)
            return [Draft("python socket.bind (AF_UNIX)", "unix", call.node, None, None,
                          fixed=(Bind.UNIX, ("@" + path[1:]) if path and path.startswith("\0") else path,
                                 None if path else "socket path computed at run time"))]
        host: list = []
        port: list = []
        for k, v in vals:
            if k == "tuple":
                if len(v) >= 1:
                    hv = self.r.resolve(v[0])
                    if all(x[0] == "int" for x in hv):  # netlink (pid, groups) or similar
                        return []
                    host += hv
                if len(v) >= 2:
                    port += self.r.resolve(v[1])
            elif k == "str":
                if "AF_UNIX" in ctx or v.startswith(("/", "\0", "@", ".")):
                    return [Draft("python socket.bind (AF_UNIX)", "unix", call.node, None, None,
                                  fixed=(Bind.UNIX, ("@" + v[1:]) if v.startswith("\0") else v, None))]
                return None
            else:
                host.append((k, v))
        return [Draft(spec.id, transport, call.node, host, port or None, null=Bind.UNKNOWN)]

    def h_py_create_server(self, spec: Spec, call: L.Call):
        if call.receiver is not None and L.text(call.receiver) != "socket":
            return None
        if call.receiver is None and not re.search(rb"from\s+socket\s+import[^\n]*\bcreate_server", self.src):
            return None
        arg = call.arg(0, "address")
        if arg is None:
            return None
        host: list = []
        port: list = []
        for k, v in self.r.resolve(arg):
            if k == "tuple" and len(v) >= 2:
                host += self.r.resolve(v[0])
                port += self.r.resolve(v[1])
            else:
                host.append((k, v))
        fam = call.arg(None, "family")
        transport = "tcp"
        if fam is not None and "AF_UNIX" in L.text(fam):
            return [Draft(spec.id, "unix", call.node, None, None, fixed=(Bind.UNIX, _str_or_none(host), None))]
        return [Draft(spec.id, transport, call.node, host, port or None, null=Bind.UNKNOWN)]

    def h_py_server_tuple(self, spec: Spec, call: L.Call):
        arg = call.arg(0, spec.host_label)
        if arg is None:
            return None
        vals = self.r.resolve(arg)
        transport = "udp" if "UDP" in call.name else "tcp"
        if call.name.startswith(("Unix", "ThreadingUnix")):
            return [Draft(spec.id.replace("TCPServer", call.name), "unix", call.node, None, None,
                          fixed=(Bind.UNIX, _str_or_none(vals), None))]
        prefix = call.callee.rsplit(".", 1)[0] if "." in call.callee else ""
        stdlib = prefix in ("socketserver", "http.server", "xmlrpc.server", "wsgiref.simple_server", "server") or (
            not prefix and re.search(rb"from\s+(socketserver|http\.server|xmlrpc\.server|wsgiref\.simple_server)"
                                     rb"\s+import[^\n]*\b" + call.name.encode(), self.src))
        if not any(k == "tuple" for k, _ in vals) and not stdlib:
            return None
        host: list = []
        port: list = []
        for k, v in vals:
            if k == "tuple" and len(v) >= 2:
                host += self.r.resolve(v[0])
                port += self.r.resolve(v[1])
            else:
                host.append((k, v) if k != "tuple" else ("unknown", "address tuple"))
        if not stdlib:
            return [Draft("python " + call.callee, transport, call.node, host, port or None)]
        api = "python " + {"HTTPServer": "http.server.HTTPServer", "ThreadingHTTPServer": "http.server.ThreadingHTTPServer",
                           "SimpleXMLRPCServer": "xmlrpc.server.SimpleXMLRPCServer"}.get(call.name, "socketserver." + call.name)
        return [Draft(api, transport, call.node, host, port or None)]

    # Go
    def h_go_addr(self, spec: Spec, call: L.Call):
        args = [n for _, n in call.args]
        if len(args) >= 3 and args[0].type not in L.STRING_TYPES and call.name in ("Listen", "ListenPacket") and \
                not call.callee.startswith(("net.", "tls.")):
            args = args[1:]  # ListenConfig.Listen / ListenPacket(ctx, network, address)
        if len(args) < 2:
            return None
        net = self.r.resolve(args[0])
        network = net[0][1] if len(net) == 1 and net[0][0] == "str" else ""
        transport = "udp" if network.startswith("udp") or call.name in ("ListenUDP", "ListenMulticastUDP") else "tcp"
        api = "go " + call.callee if call.callee.startswith(("net.", "tls.")) else \
            ("go net.ListenPacket" if call.name == "ListenPacket" else "go net.Listen")
        if network.startswith("unix") or call.name.startswith("ListenUnix"):
            vals = self.r.resolve(args[1])
            path = _str_or_none(vals)
            if path is None:
                for k, v in vals:
                    if k == "dict":
                        path = _str_or_none(self.r.resolve(dict(v).get("Name")))
            if path and path.startswith("@"):
                pass
            return [Draft(api, "unix", call.node, None, None,
                          fixed=(Bind.UNIX, path, None if path else "socket path computed at run time"))]
        if call.name == "ListenMulticastUDP":
            return [Draft(api, "udp", call.node, None, None, Bind.ALL, reason="multicast group receiver")]
        vals = self.r.resolve(args[-1] if call.name in ("ListenTCP", "ListenUDP") else args[1])
        return [Draft(api, transport, call.node, vals, None, go_split=True)]

    def h_go_server(self, spec: Spec, call: L.Call):
        if call.callee.startswith(("http.", "fasthttp.")):
            if not call.args:
                return None
            return [Draft("go " + call.callee, "tcp", call.node, self.r.resolve(call.arg(0)), None, go_split=True)]
        if call.receiver is None:
            return None
        vals = self.r.resolve(call.receiver)
        for k, v in vals:
            if k == "dict":
                d = dict(v)
                tls = call.name.endswith("TLS")
                if "Addr" not in d:
                    return [Draft("go net/http.Server." + call.name, "tcp", call.node, None, None, Bind.ALL,
                                  default_port=443 if tls else 80)]
                return [Draft("go net/http.Server." + call.name, "tcp", call.node, self.r.resolve(d["Addr"]),
                              None, go_split=True)]
        if "Server" in self.receiver_context(call):
            return [Draft("go net/http.Server." + call.name, "tcp", call.node,
                          [("unknown", "http.Server address not found in this file")], None)]
        return None

    # ------------------------------------------------------------------ assignments (Swift / ObjC)
    def assignments(self) -> None:
        if self.lang not in ("swift", "objc"):
            return
        for name in ("isInspectable", "inspectable"):
            for value, owner in self.r.defs.get(name, []):
                self._debug(owner, value, "WKWebView.isInspectable")


def _str_or_none(vals) -> str | None:
    for k, v in vals or []:
        if k == "str":
            return v
    return None


def _go_split(vals, r: Resolver):
    host: list = []
    port: list = []
    for k, v in vals:
        if k == "str":
            s = v
            if s.startswith("["):
                h, _, p = s[1:].partition("]")
                p = p.lstrip(":")
            elif s.count(":") > 1:
                h, p = s, ""
            else:
                h, _, p = s.rpartition(":")
            if "<" in h or "%" in h:
                host.append(("unknown", f"host built at run time ({s})"))
            else:
                host.append(("str", h))
            if p.isdigit():
                port.append(("int", int(p)))
            elif p in ("http",):
                port.append(("int", 80))
            elif p in ("https",):
                port.append(("int", 443))
            else:
                port.append(("unknown", "port"))
        elif k == "dict":
            d = dict(v)
            if "IP" in d:
                host += r.resolve(d["IP"])
            else:
                host.append(("addr", (Bind.ALL, "0.0.0.0")))
            if "Port" in d:
                port += r.resolve(d["Port"])
        elif k == "null":
            host.append(("addr", (Bind.ALL, "0.0.0.0")))
            port.append(("int", 0))
        else:
            host.append((k, v))
    return host, port or None
