"""``--target HOST:PORT`` and ``--reach ADDRESS``: what the user named, resolved and kept in scope.

A name is resolved once, here, and the listener carries the address that was
contacted.  Connections stay on this machine (loopback and the addresses of its
own interfaces) unless the user says ``--allow-remote``: a typo must not send
probes to someone else's network.  The wildcard addresses are not a place to
connect to and are refused.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field

from ..errors import InputError
from ..model import Bind
from ..model.runtime import RuntimeListener
from .procnet import bind_class

REMOTE_FLAG = "--allow-remote"


@dataclass
class Named:
    """One ``--target`` as the user wrote it and what became of it."""

    text: str
    host: str
    port: int
    addresses: list[str] = field(default_factory=list)  # what the name resolves to, in the resolver's order
    address: str | None = None  # the one that accepted (else the first)
    problem: str | None = None  # why it was not contacted (unresolvable, unreachable)

    def to_dict(self) -> dict:
        return {"target": self.text, "address": self.address, "addresses": list(self.addresses),
                "port": self.port, "reachable": self.problem is None,
                "detail": self.problem or "connection accepted"}


def parse_target(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``[V6]:PORT`` -> (host, port); InputError with a clear message."""
    text = text.strip()
    if text.startswith("["):
        host, sep, port = text[1:].partition("]:")
    else:
        host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536 or any(c.isspace() for c in host):
        raise InputError(f"--target {text!r} is not HOST:PORT")
    return host, int(port)


def resolve(host: str) -> tuple[list[str], str | None]:
    """(addresses, None) or ([], why): a literal as it is, a name through the system resolver (every
    address it gives, in its order: ``localhost`` may come back as ::1 first, 127.0.0.1 second)."""
    try:
        scope = host[host.index("%"):] if "%" in host else ""
        return [str(ipaddress.ip_address(host.split("%", 1)[0])) + scope], None
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        return [], f"cannot resolve {host!r}: {getattr(exc, 'strerror', None) or exc}"
    found = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not found:
        return [], f"cannot resolve {host!r}: no address"
    return found, None


def own_addresses() -> set[str]:
    """Addresses of this machine's interfaces (this network namespace)."""
    try:
        import psutil

        found = {a.address.split("%", 1)[0] for addrs in psutil.net_if_addrs().values() for a in addrs
                 if a.family in (socket.AF_INET, socket.AF_INET6)}
    except (ImportError, OSError):
        found = set()
    return {str(ipaddress.ip_address(a)) for a in found if _is_ip(a)}


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def in_scope(address: str, own: set[str]) -> bool:
    """Loopback or an address of this machine."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or str(ip) in own


def check_scope(what: str, address: str, allow_remote: bool, own: set[str]) -> None:
    if bind_class(address) is Bind.ALL:
        raise InputError(f"{what}: {address} is the wildcard address, not a place to connect to; "
                         "name a loopback or interface address")
    if not allow_remote and not in_scope(address, own):
        raise InputError(f"{what}: {address} is outside this machine (not loopback, not one of its "
                         f"interfaces); add {REMOTE_FLAG} to connect to it")


def named_targets(texts: list[str], allow_remote: bool) -> list[Named]:
    """Parse, resolve and scope-check every ``--target`` (usage errors raise InputError)."""
    out = []
    own: set[str] | None = None
    for text in texts:
        host, port = parse_target(text)
        named = Named(text=text.strip(), host=host, port=port)
        named.addresses, named.problem = resolve(host)
        if named.addresses:
            own = own_addresses() if own is None else own
            for address in named.addresses:
                if bind_class(address) is Bind.ALL:
                    check_scope(f"--target {named.text}", address, allow_remote, own)  # refused
            inside = [a for a in named.addresses if allow_remote or in_scope(a, own)]
            if not inside:  # every address is elsewhere: say so for the first
                check_scope(f"--target {named.text}", named.addresses[0], allow_remote, own)
            named.addresses = inside  # a name with addresses here and elsewhere: only those here
            named.address = inside[0]
        out.append(named)
    return out


def check_reach_address(text: str, allow_remote: bool) -> str:
    """``--reach ADDRESS``: one resolvable address in scope; returns the literal."""
    if not text or any(c.isspace() for c in text):
        raise InputError(f"--reach {text!r} is not an address")
    addresses, problem = resolve(text)
    if not addresses:
        raise InputError(f"--reach {problem}")
    check_scope(f"--reach {text}", addresses[0], allow_remote, own_addresses())
    return addresses[0]


def as_listener(named: Named) -> RuntimeListener:
    """A reachable named target, as a listener to probe and report."""
    assert named.address is not None
    bind = bind_class(named.address)
    fam = "ipv6" if ":" in named.address else "ipv4"
    return RuntimeListener(transport="tcp", address=named.address, bind=bind, port=named.port, state="NAMED",
                           family=fam, source="--target")
