"""pdnsd.conf: ``global { server_ip = ADDRESS; server_port = PORT; }``.  pdnsd.conf(5): server_ip
defaults to 127.0.0.1 ("any" / 0.0.0.0 = every interface), server_port to 53; it answers UDP (and
TCP when enabled)."""

from __future__ import annotations

import re

from .record import DaemonPort, classify

_GLOBAL = re.compile(r"\bglobal\s*\{(.*?)\}", re.S)
_KEY = re.compile(r"^\s*(server_ip|server_port)\s*=\s*\"?([^;\"]*)\"?\s*;", re.M)


def parse(text: str) -> list[DaemonPort]:
    m = _GLOBAL.search(text)
    if not m:
        return []
    body_start = m.start(1)
    values: dict[str, tuple[str, int]] = {}
    for k in _KEY.finditer(m.group(1)):
        values[k.group(1)] = (k.group(2).strip(), text.count("\n", 0, body_start + k.start(1)) + 1)
    ip, line = values.get("server_ip", ("127.0.0.1", None))
    port_text, port_line = values.get("server_port", ("53", None))
    port = int(port_text) if port_text.isdigit() and int(port_text) < 65536 else None
    bind, addr = classify(ip)
    reason = None
    if line is None:
        reason = "no server_ip: pdnsd.conf(5) default 127.0.0.1"
    shown = f"server_ip = {ip}; server_port = {port_text};"
    return [DaemonPort("pdnsd", "server_ip", "udp", bind, addr, port, line or port_line, shown, reason)]
