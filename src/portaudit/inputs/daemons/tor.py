"""torrc: the client ports (SocksPort, ControlPort, HTTPTunnelPort, DNSPort, TransPort, NATDPort)
and the relay's ORPort / DirPort.

``Directive [address:]port|unix:path|auto [flags]``; ``0`` disables a port.  Defaults (tor
src/app/config/config.c, parse_ports(): client ports bind 127.0.0.1 when no address is given,
relay ports 0.0.0.0; SocksPort is 9050 when the file never sets it (torrc(5): "Default: 9050";
Debian's /etc/tor/torrc: "#SocksPort 9050 # Default: Bind to localhost:9050").
"""

from __future__ import annotations

import re

from ...model import Bind
from .record import DaemonPort, classify

CLIENT = {"SocksPort": "tcp", "ControlPort": "tcp", "HTTPTunnelPort": "tcp", "DNSPort": "udp", "TransPort": "tcp",
          "NATDPort": "tcp", "MetricsPort": "tcp"}
RELAY = {"ORPort": "tcp", "DirPort": "tcp"}
_LINE = re.compile(r"^\s*(%s)\s+(\S+)(.*)$" % "|".join((*CLIENT, *RELAY)), re.IGNORECASE)
_CANON = {k.lower(): k for k in (*CLIENT, *RELAY)}


def parse(text: str) -> list[DaemonPort]:
    out: list[DaemonPort] = []
    socks_seen = False
    auth = re.search(r"^\s*(HashedControlPassword\s+\S|CookieAuthentication\s+1)", text, re.M | re.I)
    for n, raw in enumerate(text.splitlines(), 1):
        m = _LINE.match(raw.split("#", 1)[0])
        if not m:
            continue
        name = _CANON[m.group(1).lower()]
        socks_seen = socks_seen or name == "SocksPort"
        port = _port(name, m.group(2).strip('"'), m.group(3), n, raw.strip(), bool(auth))
        if port is not None:
            out.append(port)
    if not socks_seen:
        out.append(DaemonPort("tor", "SocksPort", "tcp", Bind.LOOPBACK, "127.0.0.1", 9050, None,
                              "SocksPort 9050 (tor's default: the file never sets SocksPort)",
                              "torrc(5): SocksPort Default: 9050; a client port without an address binds 127.0.0.1"))
    return out


def _port(name: str, value: str, flags: str, n: int, raw: str, auth: bool) -> DaemonPort | None:
    transport = CLIENT.get(name) or RELAY[name]
    if value == "0":
        return None  # disabled
    if value.lower().startswith("unix:"):
        return DaemonPort("tor", name, "unix", Bind.UNIX, value[5:], None, n, raw)
    host, sep, port = value.rpartition(":")
    if value.lower() == "auto" or port.lower() == "auto":
        port_n: int | None = 0
    else:
        port_n = int(port) if port.isdigit() and int(port) < 65536 else None
    reason = None
    if not sep:  # only a port: the directive's default address
        default = "127.0.0.1" if name in CLIENT else "0.0.0.0"
        bind, addr = classify(default)
        reason = f"no address given: tor binds {name} to {default}"
    else:
        bind, addr = classify(host)
    if name == "ControlPort" and not auth:
        reason = "; ".join(filter(None, [reason, "no HashedControlPassword or CookieAuthentication 1: any local "
                                                 "process can control tor (torrc(5))"]))
    return DaemonPort("tor", name, transport, bind, addr, port_n, n, raw, reason)
