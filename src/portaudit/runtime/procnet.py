"""Parsers for the kernel's socket tables: ``/proc/net/{tcp,tcp6,udp,udp6,unix}``.

Pure functions over the text, shared by the host inventory (this machine) and the
device inventory (the same files read through ``adb shell``).  Format notes:

* addresses are the kernel's ``%08X`` of the 32-bit words of the address in host
  byte order, i.e. little-endian on x86 and ARM (every Android device);
* ports are big-endian hex; ``st`` is the TCP state (``0A`` = LISTEN, ``07`` =
  CLOSE, which is what an unconnected, bound UDP socket shows);
* the ``uid`` column is the owner's UID (app UIDs on Android are 10000+);
* ``/proc/net/unix``: ``Num RefCount Protocol Flags Type St Inode Path``; flag
  ``0x10000`` (``__SO_ACCEPTCON``) marks a listening socket; abstract names start
  with ``@`` (the kernel prints the leading NUL as ``@``).
"""

from __future__ import annotations

import functools
import ipaddress
import struct

from ..model import Bind
from ..model.runtime import RuntimeListener

TCP_STATES = {
    "01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
    "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN",
    "0B": "CLOSING", "0C": "NEW_SYN_RECV",
}
UNIX_TYPES = {"0001": "stream", "0002": "dgram", "0005": "seqpacket"}
SO_ACCEPTCON = 0x10000
INET_FILES = {"tcp": ("tcp", "ipv4"), "tcp6": ("tcp", "ipv6"), "udp": ("udp", "ipv4"), "udp6": ("udp", "ipv6")}
ALL_FILES = ("tcp", "tcp6", "udp", "udp6", "unix")


class ProcNetError(ValueError):
    """A table that is not in the kernel's format."""


@functools.lru_cache(maxsize=4096)
def decode_address(hexaddr: str) -> str:
    """``0100007F`` -> ``127.0.0.1``; 32 hex digits -> an IPv6 address (compressed form)."""
    hexaddr = hexaddr.strip()
    if len(hexaddr) == 8:
        return str(ipaddress.IPv4Address(struct.pack("<I", int(hexaddr, 16))))
    if len(hexaddr) == 32:
        raw = b"".join(struct.pack("<I", int(hexaddr[i:i + 8], 16)) for i in range(0, 32, 8))
        return str(ipaddress.IPv6Address(raw))
    raise ProcNetError(f"address {hexaddr!r} is neither 8 nor 32 hex digits")


def decode_endpoint(text: str) -> tuple[str, int]:
    addr, _, port = text.partition(":")
    if not port:
        raise ProcNetError(f"endpoint {text!r} has no port")
    return decode_address(addr), int(port, 16)


@functools.lru_cache(maxsize=4096)
def bind_class(address: str) -> Bind:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return Bind.ALL
    if ip.is_loopback:
        return Bind.LOOPBACK
    return Bind.SPECIFIC


def parse_inet(text: str, transport: str, family: str, source: str | None = None,
               listening_only: bool = True) -> list[RuntimeListener]:
    """Rows of ``/proc/net/tcp*`` or ``/proc/net/udp*``.

    With ``listening_only`` (default) TCP keeps state LISTEN and UDP keeps bound,
    unconnected sockets (state CLOSE, no remote address, local port set).
    """
    out: list[RuntimeListener] = []
    lines = text.splitlines()
    if not lines:
        return out
    header = lines[0].split()
    if not header or header[0] != "sl" or "local_address" not in header:
        raise ProcNetError(f"not a /proc/net/{transport} table (header {lines[0][:60]!r})")
    for n, line in enumerate(lines[1:], 2):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 10 or not parts[0].endswith(":"):
            raise ProcNetError(f"line {n}: unexpected row {line[:80]!r}")
        local, remote, st = parts[1], parts[2], parts[3].upper()
        uid, inode = parts[7], parts[9]
        addr, port = decode_endpoint(local)
        raddr, rport = decode_endpoint(remote)
        state = TCP_STATES.get(st, st)
        if listening_only:
            if transport == "tcp" and st != "0A":
                continue
            if transport == "udp" and not (st == "07" and rport == 0 and port != 0
                                           and ipaddress.ip_address(raddr).is_unspecified):
                continue
        if transport == "udp" and st == "07":
            state = "UNCONN"
        out.append(RuntimeListener(
            transport=transport, address=addr, bind=bind_class(addr), port=port,
            inode=int(inode), uid=int(uid), state=state, family=family, source=source,
        ))
    return out


def parse_unix(text: str, source: str | None = None, listening_only: bool = True) -> list[RuntimeListener]:
    """Rows of ``/proc/net/unix``.

    With ``listening_only`` keeps listening stream/seqpacket sockets and named,
    unconnected datagram sockets (which receive from anyone who can name them).
    """
    out: list[RuntimeListener] = []
    lines = text.splitlines()
    if not lines:
        return out
    if not lines[0].startswith("Num"):
        raise ProcNetError(f"not a /proc/net/unix table (header {lines[0][:60]!r})")
    for n, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        parts = line.split(None, 7)
        if len(parts) < 7 or not parts[0].endswith(":"):
            raise ProcNetError(f"line {n}: unexpected row {line[:80]!r}")
        flags = int(parts[3], 16)
        stype = UNIX_TYPES.get(parts[4], parts[4])
        st = parts[5]
        inode = int(parts[6])
        name = parts[7].rstrip("\n") if len(parts) > 7 else None
        listening = bool(flags & SO_ACCEPTCON)
        if listening_only and not listening and not (stype == "dgram" and name and st == "01"):
            continue
        state = "LISTEN" if listening else ("UNCONN" if st == "01" else "CONNECTED" if st == "03" else st)
        out.append(RuntimeListener(
            transport="unix", address=name, bind=Bind.UNIX, port=None, inode=inode, uid=None,
            state=state, unix_name=name, family="unix", socket_type=stype, source=source,
        ))
    return out


def parse_table(name: str, text: str, source: str | None = None) -> list[RuntimeListener]:
    """Dispatch on the file name (``tcp``, ``tcp6``, ``udp``, ``udp6``, ``unix``).

    Raises only :class:`ProcNetError` (a field that is not a number is one too)."""
    source = source or f"/proc/net/{name}"
    try:
        if name == "unix":
            return parse_unix(text, source)
        if name not in INET_FILES:
            raise ProcNetError(f"unknown table {name!r}")
        transport, family = INET_FILES[name]
        return parse_inet(text, transport, family, source)
    except ProcNetError:
        raise
    except (ValueError, struct.error) as exc:  # int("zz", 16), a negative hex word, a bad address
        raise ProcNetError(f"malformed row ({exc})") from None


def read_tables(root: str = "/proc/net", names: tuple[str, ...] = ALL_FILES
                ) -> tuple[list[RuntimeListener], list[str]]:
    """Read and parse the tables under ``root``; unreadable ones become errors, the rest is kept."""
    listeners: list[RuntimeListener] = []
    errors: list[str] = []
    for name in names:
        path = f"{root}/{name}"
        try:
            with open(path, encoding="ascii", errors="replace") as fh:
                text = fh.read()
        except FileNotFoundError:
            continue  # e.g. no IPv6 in this kernel
        except PermissionError:
            errors.append(f"{path}: permission denied")
            continue
        except OSError as exc:
            errors.append(f"{path}: {exc.strerror or exc}")
            continue
        try:
            listeners.extend(parse_table(name, text, path))
        except ProcNetError as exc:
            errors.append(f"{path}: {exc}")
    return listeners, errors
