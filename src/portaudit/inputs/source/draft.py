"""A listener as one file sees it (:class:`Draft`), and the :class:`~portaudit.model.Listener` it becomes
once every parameter, field and method result on its way has been followed (:func:`to_listener`).

The bind verdict is always :func:`portaudit.values.bind_of` with the null meaning of the API: an
unknown value stays unknown, with its reason."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...model import Bind, Hop, Listener, Location, Origin
from ...values import (Addr, Const, FromConfig, NullMeaning, OneOf, SockAddr, Unknown, Value, Verdict, bind_of,
                       config_of, describe, port_of)
from .flowvals import SOURCE_SEMANTICS, strip_via

_NULLS = {"all-interfaces": Bind.ALL.value, "loopback": Bind.LOOPBACK.value, "error": "error", "none": None}


@dataclass
class Draft:
    api: str
    transport: str
    node: Any  # the API call (file-local; replaced by ``location`` when the file is done)
    host: Value | None  # None: no address given (the API's default applies)
    port: Value | None
    default: Bind = Bind.UNKNOWN
    default_doc: str | None = None
    default_port: int | None = None
    null: NullMeaning | None = None
    fixed: Verdict | None = None  # already classified (UNIX paths, a flag that selects loopback)
    guards: list[str] = field(default_factory=list)
    reason: str | None = None
    go_split: bool = False  # host values are Go "host:port" strings
    fix: str | None = None
    location: Location | None = None
    hops: list[Hop] = field(default_factory=list)
    symbols: dict[str, Any] = field(default_factory=dict)
    origin: Origin = field(default_factory=Origin)
    guard_sites: list[Any] = field(default_factory=list)  # file-local: nodes whose accepted sockets are checked
    via: str | None = None  # the wrapper (function of the listener call) whose callers gave the value
    bound: dict[str, Any] = field(default_factory=dict)  # function id -> the caller chosen for this chain

    def freeze(self) -> "Draft":
        """Drop the file-local syntax nodes (the draft leaves the child process)."""
        from .flowvals import portable
        self.node = None
        self.guard_sites = []
        self.host = portable(self.host)
        self.port = portable(self.port)
        return self


def null_meaning(spec_null: str, doc: str | None, key: str | None = None) -> NullMeaning | None:
    """The NullMeaning of a catalogue entry (``null = ...``), or of an address producer ``key``."""
    if key:
        return SOURCE_SEMANTICS.get(key)
    if spec_null == "none":
        return None
    return NullMeaning(_NULLS[spec_null], None, doc or "")


def to_listener(d: Draft) -> Listener | None:
    """The listener of a fully expanded draft (None for an ephemeral UDP socket: a client)."""
    host = strip_via(d.host) if d.host is not None else None
    port = strip_via(d.port) if d.port is not None else None
    if host is not None and port is None:  # a socket address that arrived through a parameter
        from .flowvals import split_sockaddr
        h, p = split_sockaddr(host)
        if p is not None:
            host, port = h, p
    if d.go_split and host is not None:
        host, port2 = go_split(host)
        if port is None:
            port = port2
    if d.fixed is not None:
        verdict = d.fixed
    elif host is None:
        if d.default is Bind.UNKNOWN:
            verdict = Verdict(Bind.UNKNOWN, reason=d.reason or f"no address given and no documented default "
                                                                f"for {d.api}")
        else:
            doc = f" ({d.default_doc})" if d.default_doc else ""
            verdict = Verdict(d.default, None, f"no address given: the default is {d.default.value}{doc}")
    else:
        verdict = bind_of(host, d.null, "address")
    number = port_of(port) if port is not None else d.default_port
    transport = "unix" if verdict.bind is Bind.UNIX else d.transport
    if transport == "udp" and number == 0:
        return None  # an ephemeral UDP socket: a client / send-only socket
    reasons = []
    if verdict.reason and (verdict.bind in (Bind.UNKNOWN, Bind.CONDITIONAL) or verdict.literal is None):
        reasons.append(verdict.reason)
    if d.reason and d.reason not in reasons and verdict.bind is not Bind.UNIX:
        reasons.append(d.reason)
    if number is None and port is not None and transport != "unix":
        why = describe(port, "port") if not isinstance(port, (Const, OneOf, FromConfig)) else (
            "port is one of several values" if isinstance(port, OneOf) else
            describe(port, "port") if isinstance(port, FromConfig) else f"port is {port.value!r}")
        if isinstance(port, OneOf) and any(isinstance(o, Unknown) for o in port.options):
            why = describe(port, "port")
        reasons.append(why)
    writes = [h.location.short() for h in d.hops if h.role == "field-write"]
    if writes and (verdict.bind is Bind.UNKNOWN or number is None and port is not None):
        reasons.append("field written at " + ", ".join(dict.fromkeys(writes[:5])))
    cfg = config_of(host) or config_of(port)
    address = verdict.literal
    alternatives: list[str] = list(verdict.alternatives)
    if verdict.bind is Bind.CONDITIONAL and host is not None:
        address = "|".join(_literals(host, d.null)) or None
    loc = d.location or Location()
    hops = list(d.hops)
    _name_caller(hops)
    return Listener(
        api=d.api, transport=transport, bind=verdict.bind, location=loc, address=address,
        port=None if transport == "unix" else number, reason="; ".join(dict.fromkeys(reasons)) or None,
        alternatives=alternatives, guards=list(d.guards), origin=d.origin,
        via=d.via, evidence=loc.snippet, flow=hops,
        configurable=_configurable(cfg) if cfg is not None else None)


def _literals(host: Value, meaning: NullMeaning | None) -> list[str]:
    out = []
    for o in sorted(host.options, key=repr) if isinstance(host, OneOf) else [host]:
        v = bind_of(o, meaning)
        out.append(v.literal or ("?" if v.bind is Bind.UNKNOWN else "*" if v.bind is Bind.ALL else v.bind.value))
    return sorted(set(out))


def _configurable(cfg: FromConfig) -> str:
    key = f" {cfg.key!r}" if cfg.key else ""
    shown = "; the value shown is its default" if cfg.default is not None else "; no default in the code"
    return f"{cfg.source}{key}{shown}"


def _name_caller(hops: list[Hop]) -> None:
    """The outermost wrapper call is the caller that gives the value."""
    calls = [h for h in hops if h.role in ("wrapper", "caller")]
    if calls:
        calls[-1].role = "caller"


def go_split(v: Value) -> tuple[Value, Value | None]:
    """A Go "host:port" address value -> (host, port)."""
    if isinstance(v, OneOf):
        parts = [go_split(o) for o in v.options]
        from ...values import one_of
        hosts = one_of(h for h, _ in parts)
        ports = [p for _, p in parts if p is not None]
        return hosts, (one_of(ports) if ports else None)
    if isinstance(v, FromConfig):
        if v.default is None:
            return v, FromConfig(v.source, v.key, None)
        h, p = go_split(v.default)
        return FromConfig(v.source, v.key, h), (FromConfig(v.source, v.key, p) if p is not None else None)
    if isinstance(v, SockAddr):
        h = v.host
        if isinstance(h, Const) and h.value == "":
            h = _GO_ANY
        return h, v.port
    if isinstance(v, Const) and isinstance(v.value, str):
        s = v.value
        if s.startswith("["):
            htext, _, ptext = s[1:].partition("]")
            ptext = ptext.lstrip(":")
        elif s.count(":") > 1:
            htext, ptext = s, ""
        else:
            htext, _, ptext = s.rpartition(":")
        host: Value = _GO_ANY if htext == "" else Const(htext)
        if ptext.isdigit():
            port: Value = Const(int(ptext))
        elif ptext in ("http", "https"):
            port = Const(80 if ptext == "http" else 443)
        else:
            port = Unknown(f"port {ptext!r} of {s!r}")
        return host, port
    return v, None


# Go net.Listen: "If the host in the address parameter is empty ..., Listen listens on all available
# unicast and anycast IP addresses of the local system."  Shown as 0.0.0.0, as the binary reader does.
_GO_ANY = Addr(Bind.ALL, "0.0.0.0", "an empty host is every local address (Go net.Listen documentation)")
