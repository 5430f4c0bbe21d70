"""shadowsocks (-libev, -rust) JSON: the local proxy listens on ``local_address`` (default
127.0.0.1: shadowsocks-libev's ss-local(1), "-b local_address", and jconf.c) and ``local_port``; a
server (ss-server) listens on ``server`` (one address or a list) and ``server_port``."""

from __future__ import annotations

from typing import Any

from ...model import Bind
from .jsonc import line_of, load
from .record import DaemonPort, classify


def looks_like(cfg: Any) -> bool:
    return isinstance(cfg, dict) and ("local_port" in cfg or ("server_port" in cfg and "method" in cfg))


def parse(text: str) -> list[DaemonPort]:
    cfg = load(text)
    if not isinstance(cfg, dict):
        return []
    out = []
    addr: str | None
    reason: str | None
    udp = str(cfg.get("mode", "tcp_only")) in ("tcp_and_udp", "udp_only")
    if "local_port" in cfg:
        line, _ = line_of(text, "local_port")
        local = cfg.get("local_address")
        if local is None:
            bind, addr, reason = Bind.LOOPBACK, "127.0.0.1", "no local_address: ss-local binds 127.0.0.1"
        else:
            bind, addr = classify(str(local))
            reason = None
            line = line_of(text, "local_address")[0] or line
        port = _port(cfg.get("local_port"))
        shown = f"local_address {local!r}, local_port {cfg.get('local_port')!r}"
        out.append(DaemonPort("shadowsocks", "local_address", "tcp", bind, addr, port, line, shown, reason))
        if udp:
            out.append(DaemonPort("shadowsocks", "local_address (udp relay)", "udp", bind, addr, port, line, shown,
                                  reason))
    if "server_port" in cfg:
        line, _ = line_of(text, "server")
        servers = cfg.get("server")
        for host in servers if isinstance(servers, list) else [servers]:
            bind, addr = classify(str(host)) if host is not None else (Bind.ALL, "0.0.0.0")
            out.append(DaemonPort("shadowsocks", "server", "tcp", bind, addr, _port(cfg.get("server_port")), line,
                                  f"server {host!r}, server_port {cfg.get('server_port')!r}",
                                  "ss-server listens here (only when the app runs the server)"))
    return out


def _port(v: Any) -> int | None:
    if isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 65536:
        return v
    if isinstance(v, str) and v.isdigit() and int(v) < 65536:
        return int(v)
    return None
