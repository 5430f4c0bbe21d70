"""privoxy config: ``listen-address [IP-Address]:Port`` (may repeat).  Without one privoxy listens on
127.0.0.1:8118; an empty address is every IPv4 interface (Debian's /usr/share/privoxy/config,
section 4.1: "Default value: 127.0.0.1:8118", "If you leave out the address, Privoxy will bind to
all IPv4 interfaces")."""

from __future__ import annotations

import re

from ...model import Bind
from .record import DaemonPort, classify

_LINE = re.compile(r"^\s*listen-address\s+(\S+)", re.IGNORECASE)


def parse(text: str) -> list[DaemonPort]:
    out = []
    addr: str | None
    reason: str | None
    for n, raw in enumerate(text.splitlines(), 1):
        m = _LINE.match(raw.split("#", 1)[0])
        if not m:
            continue
        host, _, port = m.group(1).rpartition(":")
        port_n = int(port) if port.isdigit() and int(port) < 65536 else None
        if host == "":
            bind, addr, reason = Bind.ALL, "0.0.0.0", "no address given: privoxy binds every IPv4 interface"
        else:
            bind, addr = classify(host)
            reason = None
        out.append(DaemonPort("privoxy", "listen-address", "tcp", bind, addr, port_n, n, raw.strip(), reason))
    if not out:
        out.append(DaemonPort("privoxy", "listen-address", "tcp", Bind.LOOPBACK, "127.0.0.1", 8118, None,
                              "listen-address 127.0.0.1:8118 (privoxy's default: the file sets none)",
                              "privoxy config 4.1: Default value: 127.0.0.1:8118"))
    return out
