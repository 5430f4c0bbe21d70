"""Shared by the runtime rules (``rules/runtime_*.py``): predicates and the finding extras, read from
the facts only (:mod:`portaudit.model.runtime`)."""

from __future__ import annotations

from typing import Any

from ..model import Bind, Location, Severity
from ..model.runtime import RuntimeListener

APP_UID_START = 10000
DEBUG_PROTOCOLS = {"jdwp": "JDWP (Java debugger)", "chrome-devtools": "Chrome DevTools",
                   "adb-server": "adb server", "adbd": "adb daemon"}
DEBUG_SOCKET_KINDS = {"webview-devtools": "WebView DevTools", "stetho-devtools": "Stetho DevTools",
                      "chrome-devtools": "Chrome DevTools", "devtools": "DevTools"}


def debug_endpoint(lst: RuntimeListener) -> str | None:
    """Name of the debug service this listener is, or None."""
    probe = lst.probe or {}
    proto = probe.get("protocol")
    if proto in DEBUG_PROTOCOLS and not (proto == "adbd" and probe.get("requires_auth")):
        return DEBUG_PROTOCOLS[proto]
    if lst.debug in DEBUG_SOCKET_KINDS:
        return DEBUG_SOCKET_KINDS[lst.debug]
    return None


def is_app(lst: RuntimeListener) -> bool:
    uid = lst.uid if lst.uid is not None else (lst.process.uid if lst.process else None)
    return uid is not None and uid % 100000 >= APP_UID_START


def location(lst: RuntimeListener) -> Location:
    return Location(file=lst.source or "runtime", function=lst.process.name if lst.process else None)


def owner(lst: RuntimeListener) -> str:
    p = lst.process
    if p is None:
        return " (owner unknown)"
    bits = []
    if p.package:
        bits.append(p.package)
    if p.name and p.name != p.package:
        bits.append(p.name)
    if p.pid is not None:
        bits.append(f"pid {p.pid}")
    if p.uid is not None:
        bits.append(f"uid {p.uid}")
    if p.pid is None and not p.name:
        bits.append("process unknown")
    return f" ({', '.join(bits)})" if bits else " (owner unknown)"


def extra(lst: RuntimeListener) -> dict[str, Any]:
    out: dict[str, Any] = {"process": (lst.process.to_dict() if lst.process else
                                       {"pid": None, "name": None, "package": None, "uid": lst.uid})}
    if lst.probe is not None:
        out["probe"] = {"protocol": lst.probe.get("protocol"), "requires_auth": lst.probe.get("requires_auth"),
                        "evidence": lst.probe.get("evidence")}
    for key in ("reach", "firewall", "seen", "link"):
        value = getattr(lst, key)
        if value is not None:
            out[key] = value
    return out


def evidence(lst: RuntimeListener) -> str:
    parts = [f"{lst.endpoint()} {lst.state}"]
    if lst.inode:
        parts.append(f"inode {lst.inode}")
    if lst.probe and lst.probe.get("evidence"):
        parts.append(f"probe: {lst.probe['evidence']}")
    if lst.reach:
        parts.append(f"reach from {lst.reach['from']} to {lst.reach['address']}: {lst.reach['detail']}")
    if lst.firewall and lst.firewall.get("detail"):
        parts.append(lst.firewall["detail"])
    return "; ".join(parts)


def adjust(lst: RuntimeListener, severity: Severity) -> tuple[Severity, list[str]]:
    """Lower or raise a network listener's severity with what the probe, reach and firewall showed."""
    notes: list[str] = []
    probe = lst.probe or {}
    if probe.get("requires_auth") is True:
        severity = Severity(max(Severity.LOW, severity - 1))
        notes.append(f"requires authentication ({probe.get('evidence')})")
    elif probe.get("requires_auth") is False:
        notes.append(f"answers without authentication ({probe.get('evidence')})")
    if lst.reach is not None:
        if lst.reach.get("accepted"):
            notes.append(f"reachable from {lst.reach['from']} at {lst.reach['address']}")
        else:
            notes.append(f"not reachable at {lst.reach['address']} ({lst.reach.get('detail')})")
    fw = lst.firewall or {}
    if fw.get("filtered") is True and not (lst.reach or {}).get("accepted"):
        severity = Severity(max(Severity.LOW, severity - 1))
        notes.append("inbound traffic is filtered by the firewall")
    elif fw.get("filtered") is False:
        notes.append("not filtered by the firewall")
    return severity, notes


def bind_is(lst: RuntimeListener, *binds: Bind) -> bool:
    return lst.transport in ("tcp", "udp") and lst.bind in binds
