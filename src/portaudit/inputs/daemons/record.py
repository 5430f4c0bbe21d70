"""What a daemon's configuration says it listens on (one record per listening directive)."""

from __future__ import annotations

from dataclasses import dataclass

from ...model import Bind
from ...values import classify_literal


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
    """A configured listen address.  None (not given: the caller applies the daemon's default) is
    unknown here; "" and pdnsd's "any" are every interface; the rest is read as the shared value
    domain reads a literal (:func:`portaudit.values.classify_literal`: a host name or an interface
    address is one specific address)."""
    if host is None:
        return Bind.UNKNOWN, None
    h = host.strip()
    if h in ("", "any"):
        return Bind.ALL, h or None
    bind, lit = classify_literal(h[1:-1] if h.startswith("[") and h.endswith("]") else h)
    return bind, lit
