"""What a daemon's configuration says it listens on (one record per listening directive)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ...model import Bind


@dataclass(frozen=True)
class DaemonPort:
    daemon: str  # "tor", "v2ray", "shadowsocks", "privoxy", "pdnsd"
    directive: str  # "SocksPort", "inbounds[0]", "local_address", "listen-address", "server_ip"
    transport: str  # "tcp" | "udp" | "unix"
    bind: Bind
    address: str | None
    port: int | None
    line: int | None  # 1-based line of the directive in the file (None: a default, no line)
    text: str  # the directive as written, or the default it stands for
    reason: str | None = None  # for a default or an unknown value: why


def classify(host: str | None) -> tuple[Bind, str | None]:
    """A configured listen address (None or "" = not given: the caller decides the default)."""
    if host is None:
        return Bind.UNKNOWN, None
    h = host.strip().strip("[]")
    if h in ("", "*", "0.0.0.0", "::", "any"):
        return Bind.ALL, h or None
    if h == "localhost":
        return Bind.LOOPBACK, h
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        return Bind.UNKNOWN, h
    if ip.is_unspecified:
        return Bind.ALL, h
    return (Bind.LOOPBACK if ip.is_loopback else Bind.SPECIFIC), h
