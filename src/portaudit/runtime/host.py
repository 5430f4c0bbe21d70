"""Listening sockets of this machine.

Linux: the kernel tables under ``/proc/net`` (which carry the inode and owner
UID) joined with the socket inodes found under ``/proc/<pid>/fd`` (the owning
pid; this is also what :func:`psutil.net_connections` does on Linux, so psutil is
used only for process names, and for the whole inventory when ``/proc/net``
cannot be read).  Listeners no process can be found for (other users' processes
without root, processes in another pid namespace, sockets held only by the
kernel) are still listed, with their UID and without a pid.

macOS and Windows: :func:`psutil.net_connections` only (no inode; on macOS the
call needs root, otherwise each process is asked in turn and sockets of
processes that cannot be inspected are missing; Windows has no UNIX-socket
table and reports no UID).
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from typing import Any, NamedTuple

from ..model import Bind
from ..model.runtime import Inventory, ProcessInfo, RuntimeListener
from .procnet import bind_class, read_tables

log = logging.getLogger("portaudit")


def _inode_owners(proc: str = "/proc") -> dict[int, int]:
    """socket inode -> pid, from the ``socket:[inode]`` links under /proc/<pid>/fd."""
    owners: dict[int, int] = {}
    try:
        pids = [int(p) for p in os.listdir(proc) if p.isdigit()]
    except OSError:
        return owners
    for pid in pids:
        fd_dir = f"{proc}/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"{fd_dir}/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                owners.setdefault(int(target[8:-1]), pid)
    return owners


def _process_name(pid: int | None, cache: dict[int, str | None]) -> str | None:
    if pid is None:
        return None
    if pid not in cache:
        try:
            import psutil

            cache[pid] = psutil.Process(pid).name()
        except Exception:  # noqa: BLE001 - gone, or not permitted
            cache[pid] = None
    return cache[pid]


class _Conn(NamedTuple):
    """psutil's ``sconn``: ``Process.net_connections`` gives ``pconn``, which has no ``pid``."""

    fd: int
    family: int
    type: int
    laddr: Any
    raddr: Any
    status: str
    pid: int | None


def _psutil_connections(kind: str) -> list[Any]:
    import psutil

    try:
        return psutil.net_connections(kind=kind)
    except psutil.AccessDenied:
        # macOS without root: ask every process we may inspect
        conns: list[Any] = []
        for proc in psutil.process_iter():
            try:
                for c in proc.net_connections(kind=kind):
                    conns.append(_Conn(*c, pid=proc.pid))
            except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
        return conns


def _from_psutil() -> tuple[list[RuntimeListener], list[str]]:
    """Listeners as psutil reports them (all platforms)."""
    out: list[RuntimeListener] = []
    errors: list[str] = []
    try:
        inet = _psutil_connections("inet")
    except Exception as exc:  # noqa: BLE001
        return out, [f"psutil: cannot list connections ({exc})"]
    for c in inet:
        if not c.laddr:
            continue
        transport = "tcp" if c.type == socket.SOCK_STREAM else "udp"
        if transport == "tcp" and c.status != "LISTEN":
            continue
        if transport == "udp" and c.raddr:
            continue
        ip = c.laddr.ip
        out.append(RuntimeListener(
            transport=transport, address=ip, bind=bind_class(ip), port=c.laddr.port,
            state="LISTEN" if transport == "tcp" else "UNCONN",
            family="ipv6" if c.family == socket.AF_INET6 else "ipv4",
            process=ProcessInfo(pid=c.pid) if c.pid else None, source="psutil",
        ))
    if hasattr(socket, "AF_UNIX") and sys.platform != "win32":
        try:
            unix = _psutil_connections("unix")
        except Exception as exc:  # noqa: BLE001
            errors.append(f"psutil: cannot list UNIX sockets ({exc})")
            unix = []
        for c in unix:
            if not c.laddr or c.raddr:
                continue
            if c.type == socket.SOCK_STREAM and c.status not in ("LISTEN", "NONE"):
                continue
            out.append(RuntimeListener(
                transport="unix", address=c.laddr, bind=Bind.UNIX, unix_name=c.laddr, family="unix",
                socket_type={socket.SOCK_STREAM: "stream", socket.SOCK_DGRAM: "dgram"}.get(c.type, "seqpacket"),
                state="LISTEN", process=ProcessInfo(pid=c.pid) if c.pid else None, source="psutil",
            ))
    return out, errors


def inventory(proc: str = "/proc") -> Inventory:
    """Every listening socket of this machine (in the caller's network namespace)."""
    inv = Inventory()
    names: dict[int, str | None] = {}
    if sys.platform.startswith("linux") and os.path.isdir(f"{proc}/net"):
        listeners, errors = read_tables(f"{proc}/net")
        inv.errors.extend(errors)
        owners = _inode_owners(proc)
        for lst in listeners:
            pid = owners.get(lst.inode or -1)
            if pid is not None or lst.uid is not None:
                lst.process = ProcessInfo(pid=pid, name=_process_name(pid, names), uid=lst.uid)
            if lst.transport == "unix" and pid is not None and lst.process is not None:
                lst.uid = _uid_of(pid)
                lst.process.uid = lst.uid
        inv.listeners = listeners
        if not listeners and errors:
            inv.notes.append("falling back to psutil")
            ps_list, _ = _from_psutil()
            inv.listeners = ps_list
    else:
        listeners, errors = _from_psutil()
        inv.errors.extend(errors)
        for lst in listeners:
            if lst.process:
                lst.process.name = _process_name(lst.process.pid, names)
                lst.process.uid = _uid_of(lst.process.pid)
                lst.uid = lst.process.uid
        inv.listeners = listeners
    inv.listeners.sort(key=_sort_key)
    return inv


def _uid_of(pid: int | None) -> int | None:
    if pid is None:
        return None
    try:
        import psutil

        return psutil.Process(pid).uids().real
    except Exception:  # noqa: BLE001 - gone, no permission, or Windows
        return None


def _sort_key(lst: RuntimeListener):
    return (lst.transport, lst.port if lst.port is not None else -1, lst.address or "")


def hostname() -> str:
    return socket.gethostname()
