"""Run socket work from another Linux network namespace (``ip netns`` name), per thread.

``setns(CLONE_NEWNET)`` moves only the calling thread, so a worker thread that
enters the namespace first creates its sockets there while the rest of the
process (and the inventory) stays where it was.  Needs root (CAP_SYS_ADMIN).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

CLONE_NEWNET = 0x40000000


def netns_path(name: str) -> str:
    if "/" in name:
        return name
    return f"/var/run/netns/{name}"


def enter(name: str) -> None:
    """Move the calling thread into network namespace ``name``; raises OSError."""
    path = netns_path(name)
    fd = os.open(path, os.O_RDONLY)
    try:
        if hasattr(os, "setns"):
            os.setns(fd, CLONE_NEWNET)  # Python >= 3.12
            return
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


def check(name: str) -> str | None:
    """None when ``name`` can be entered, else a one-line reason."""
    path = netns_path(name)
    if not os.path.exists(path):
        return f"network namespace {name!r} not found ({path})"
    if os.geteuid() != 0:
        return "entering a network namespace needs root"
    return None
