"""v2ray / xray JSON: ``inbounds[]`` (v4 and later), ``inbound`` and ``inboundDetour[]`` (v3), each
with ``port`` (a number, a string, or a range "a-b") and ``listen``.  Without ``listen`` an inbound
accepts on every interface (v2ray documentation, InboundObject.listen: default "0.0.0.0"; Debian's
/usr/share/v2ray/config.json: 'Change to "0.0.0.0" to listen on all network interfaces')."""

from __future__ import annotations

from typing import Any

from ...model import Bind
from .jsonc import line_of, load
from .record import DaemonPort, classify


def inbounds(cfg: Any) -> list[tuple[str, dict]]:
    if not isinstance(cfg, dict):
        return []
    out: list[tuple[str, dict]] = []
    for key in ("inbounds", "inboundDetour"):
        items = cfg.get(key)
        if isinstance(items, list):
            out += [(f"{key}[{i}]", x) for i, x in enumerate(items) if isinstance(x, dict)]
    if isinstance(cfg.get("inbound"), dict):
        out.insert(0, ("inbound", cfg["inbound"]))
    return out


def looks_like(cfg: Any) -> bool:
    return bool(inbounds(cfg)) and all("port" in x or "listen" in x for _k, x in inbounds(cfg))


def parse(text: str) -> list[DaemonPort]:
    cfg = load(text)
    out = []
    pos = 0
    for where, inbound in inbounds(cfg):
        line, pos = line_of(text, "port", pos)
        port, port_note = _port(inbound.get("port"))
        listen = inbound.get("listen")
        protocol = str(inbound.get("protocol", "?"))
        network = str((inbound.get("settings") or {}).get("network", "")) if isinstance(
            inbound.get("settings"), dict) else ""
        transport = "udp" if network == "udp" else "tcp"
        if listen is None:
            bind, addr, reason = Bind.ALL, "0.0.0.0", "no listen: v2ray accepts on every interface"
        elif not isinstance(listen, str):
            bind, addr, reason = Bind.UNKNOWN, None, f"listen is {type(listen).__name__}, not an address"
        else:
            bind, addr = classify(listen)
            reason = None
            if listen.startswith(("/", "@")):  # v2ray: a unix socket path, "@name" abstract
                bind, addr, transport, reason = Bind.UNIX, listen, "unix", None
        text_ = f"{where}: protocol {protocol}, listen {listen!r}, port {inbound.get('port')!r}"
        out.append(DaemonPort("v2ray", where, transport, bind, addr, port, line,
                              text_, "; ".join(filter(None, [reason, port_note])) or None))
    return out


def _port(v: Any) -> tuple[int | None, str | None]:
    if isinstance(v, bool):
        return None, "port is not a number"
    if isinstance(v, int):
        return (v, None) if 0 <= v < 65536 else (None, f"port {v} out of range")
    if isinstance(v, str):
        first = v.split("-", 1)[0].strip()
        if first.isdigit() and int(first) < 65536:
            return int(first), (f"port range {v!r}: the first port is shown" if "-" in v else None)
        return None, f"port {v!r} is not a number (an environment variable?)"
    return None, "no port"
