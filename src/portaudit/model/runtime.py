"""What a live inventory records about one listening socket."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import Bind, Listener, Location, Origin


@dataclass
class ProcessInfo:
    """The process that owns a socket (any field may be unknown)."""

    pid: int | None = None
    name: str | None = None
    package: str | None = None  # Android package(s) of the owning UID, comma-separated if shared
    uid: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"pid": self.pid, "name": self.name, "package": self.package, "uid": self.uid}


@dataclass
class RuntimeListener:
    """One listening socket seen on a live host or device.

    ``transport`` is ``tcp`` / ``udp`` / ``unix``; for UNIX sockets ``unix_name``
    holds the path or the abstract name with a leading ``@`` and ``address`` is
    the same string.  ``source`` says where it was seen (``/proc/net/tcp6``,
    ``psutil``...).  ``probe``, ``reach``, ``firewall``, ``seen`` and ``link`` are
    filled by the optional steps (``--probe``, ``--reach``, the firewall reader,
    ``--watch`` and :func:`portaudit.runtime.link.link`).
    """

    transport: str
    address: str | None
    bind: Bind
    port: int | None = None
    inode: int | None = None
    uid: int | None = None
    state: str = "LISTEN"
    process: ProcessInfo | None = None
    unix_name: str | None = None
    family: str | None = None  # "ipv4" | "ipv6" | "unix"
    socket_type: str | None = None  # unix: "stream" | "dgram" | "seqpacket"
    source: str | None = None
    probe: dict[str, Any] | None = None  # {protocol, requires_auth, evidence, ...}
    reach: dict[str, Any] | None = None  # {from, address, accepted, detail}
    firewall: dict[str, Any] | None = None  # {filtered, suggestion, detail}
    seen: dict[str, Any] | None = None  # watch summary
    link: dict[str, Any] | None = None  # link-to-code result
    debug: str | None = None  # known debug endpoint kind ("webview-devtools", "jdwp", ...)

    # -- identity ---------------------------------------------------------------
    def key(self) -> str:
        """Stable identity across polls (used by watch mode)."""
        if self.transport == "unix":
            return f"unix {self.unix_name or ''} {self.socket_type or ''}"
        return f"{self.transport} {self.address}:{self.port}"

    def endpoint(self) -> str:
        if self.transport == "unix":
            return f"unix {self.unix_name or '(unnamed)'}"
        addr = self.address or "?"
        if ":" in addr:
            addr = f"[{addr}]"
        return f"{self.transport} {addr}:{self.port}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "transport": self.transport,
            "family": self.family,
            "address": self.address,
            "bind": self.bind.value,
            "port": self.port,
            "inode": self.inode,
            "uid": self.uid,
            "state": self.state,
            "process": self.process.to_dict() if self.process else None,
            "source": self.source,
        }
        if self.transport == "unix":
            d["unix"] = {"name": self.unix_name, "abstract": bool(self.unix_name and self.unix_name.startswith("@")),
                         "type": self.socket_type}
        if self.debug:
            d["debug"] = self.debug
        for name in ("probe", "reach", "firewall", "seen", "link"):
            value = getattr(self, name)
            if value is not None:
                d[name] = value
        return d

    def to_listener(self) -> Listener:
        """The static-model view of this socket (``Location.file`` is where it was read)."""
        pname = self.process.name if self.process else None
        evidence = f"{self.endpoint()} state {self.state}"
        if self.inode:
            evidence += f" inode {self.inode}"
        if self.uid is not None:
            evidence += f" uid {self.uid}"
        return Listener(
            api=f"runtime:{self.transport}",
            transport=self.transport,
            bind=self.bind,
            location=Location(file=self.source or "runtime", function=pname),
            address=self.address,
            port=self.port,
            origin=Origin(kind="unknown", package=self.process.package if self.process else None),
            evidence=evidence,
        )


@dataclass
class Inventory:
    """The result of one inventory pass (one poll)."""

    listeners: list[RuntimeListener] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
