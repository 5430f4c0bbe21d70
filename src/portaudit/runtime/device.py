"""Listening sockets of an Android device, through the standard adb server (adbutils).

Everything is read with ``adb shell``: ``/proc/net/{tcp,tcp6,udp,udp6,unix}``
(still readable by the shell user on Android 10+, where apps cannot read it),
``pm list packages -U`` (falling back to ``dumpsys package``) for UID -> package,
``ps -A -o PID,UID,NAME`` for processes and, when permitted (root adbd),
``ls -l /proc/*/fd`` for socket inode -> pid.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..model.runtime import Inventory, ProcessInfo, RuntimeListener
from .procnet import ALL_FILES, ProcNetError, parse_table

log = logging.getLogger("portaudit")

APP_UID_START = 10000
PER_USER_RANGE = 100000

# Abstract socket names of well-known debug endpoints -> kind
DEBUG_SOCKETS = [
    (re.compile(r"^@webview_devtools_remote_(\d+)$"), "webview-devtools"),
    (re.compile(r"^@stetho_(.+)_devtools_remote$"), "stetho-devtools"),
    (re.compile(r"^@chrome_devtools_remote$"), "chrome-devtools"),
    (re.compile(r"^@(.+)_devtools_remote(?:_\d+)?$"), "devtools"),
    (re.compile(r"^@jdwp-control$"), "jdwp-control"),
]


class DeviceError(InputError):
    """adb is missing, no device, unauthorized, or the device went away."""


def debug_kind(name: str | None) -> tuple[str | None, re.Match | None]:
    if not name:
        return None, None
    for rx, kind in DEBUG_SOCKETS:
        m = rx.match(name)
        if m:
            return kind, m
    return None, None


# -- parsers for Android command output (pure) -----------------------------------

def parse_pm_packages(text: str) -> dict[int, list[str]]:
    """``pm list packages -U``: ``package:com.example uid:10123`` (shared UIDs: ``uid:10123,1000``)."""
    out: dict[int, list[str]] = {}
    for line in text.splitlines():
        m = re.match(r"\s*package:(\S+)\s+uid:([\d,]+)", line)
        if not m:
            continue
        for uid in m.group(2).split(","):
            if uid:
                out.setdefault(int(uid), []).append(m.group(1))
    return out


def parse_dumpsys_packages(text: str) -> dict[int, list[str]]:
    """``dumpsys package``: ``Package [com.example] (1a2b3c):`` followed by ``userId=10123`` / ``appId=10123``."""
    out: dict[int, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        m = re.match(r"\s*Package \[([^\]]+)\]", line)
        if m:
            current = m.group(1)
            continue
        if current:
            m = re.match(r"\s*(?:userId|appId)=(\d+)", line)
            if m:
                uid = int(m.group(1))
                if current not in out.setdefault(uid, []):
                    out[uid].append(current)
                current = None
    return out


def parse_packages_list(text: str) -> dict[int, list[str]]:
    """``/data/system/packages.list``: ``com.example 10123 0 /data/user/0/com.example ...``."""
    out: dict[int, list[str]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            out.setdefault(int(parts[1]), []).append(parts[0])
    return out


def parse_ps(text: str) -> list[ProcessInfo]:
    """``ps -A -o PID,UID,NAME`` (toybox); also the old toolbox ``ps`` (USER PID PPID ... NAME)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return []
    header = lines[0].split()
    out: list[ProcessInfo] = []
    if "PID" not in header:
        return out
    ipid = header.index("PID")
    iuid = header.index("UID") if "UID" in header else None
    iuser = header.index("USER") if "USER" in header else None
    for line in lines[1:]:
        parts = line.split()
        if len(parts) < len(header):
            continue
        try:
            pid = int(parts[ipid])
        except ValueError:
            continue
        if iuid is None and len(parts) > len(header):
            name = parts[-1]  # old toolbox ps: an unlabelled state column before NAME
        else:
            name = " ".join(parts[len(header) - 1:]) if header[-1] in ("NAME", "CMD", "ARGS") else parts[-1]
        uid = None
        if iuid is not None and parts[iuid].isdigit():
            uid = int(parts[iuid])
        elif iuser is not None:
            uid = android_user_to_uid(parts[iuser])
        out.append(ProcessInfo(pid=pid, name=name, uid=uid))
    return out


def android_user_to_uid(user: str) -> int | None:
    """``u0_a123`` -> 10123, ``u10_a5`` -> 1010005, ``system`` -> 1000, ``shell`` -> 2000, ``root`` -> 0."""
    m = re.match(r"u(\d+)_a(\d+)$", user)
    if m:
        return int(m.group(1)) * PER_USER_RANGE + APP_UID_START + int(m.group(2))
    return {"root": 0, "system": 1000, "radio": 1001, "bluetooth": 1002, "shell": 2000,
            "nobody": 9999}.get(user, int(user) if user.isdigit() else None)


def parse_fd_listing(text: str) -> dict[int, int]:
    """``ls -l /proc/*/fd``: ``/proc/1234/fd:`` headers and ``... 5 -> socket:[12345]`` lines -> inode -> pid."""
    owners: dict[int, int] = {}
    pid: int | None = None
    for line in text.splitlines():
        m = re.match(r"^/proc/(\d+)/fd:\s*$", line.strip())
        if m:
            pid = int(m.group(1))
            continue
        m = re.search(r"->\s*socket:\[(\d+)\]", line)
        if m and pid is not None:
            owners.setdefault(int(m.group(1)), pid)
    return owners


# -- adb server connection ---------------------------------------------------------

def server_address(host: str | None = None, port: int | None = None) -> tuple[str, int]:
    """Explicit values, else ``ADB_SERVER_SOCKET=tcp:[host:]port``, else ANDROID_ADB_SERVER_HOST/PORT,
    else 127.0.0.1:5037."""
    env_host, env_port = "127.0.0.1", 5037
    sock = os.environ.get("ADB_SERVER_SOCKET", "")
    if sock.startswith("tcp:"):
        rest = sock[4:]
        if ":" in rest:
            h, _, p = rest.rpartition(":")
            env_host, env_port = h or env_host, int(p)
        elif rest.isdigit():
            env_port = int(rest)
    else:
        env_host = os.environ.get("ANDROID_ADB_SERVER_HOST", env_host)
        env_port = int(os.environ.get("ANDROID_ADB_SERVER_PORT", env_port))
    return host or env_host, port or env_port


def _reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_server(host: str, port: int, adb: str | None = None, start: bool = True) -> str | None:
    """Make sure an adb server answers on host:port; start one with ``adb start-server`` if needed.
    Returns the adb program when this call started the server (the caller stops it), else None."""
    if _reachable(host, port):
        return None
    if not start or host not in ("127.0.0.1", "localhost", "::1"):
        raise DeviceError(f"no adb server answers on {host}:{port}")
    exe = adb or shutil.which("adb")
    if not exe:
        raise DeviceError("adb is not installed (install the Debian package 'adb' or Android platform-tools) "
                          f"and no adb server answers on {host}:{port}")
    log.info("starting the adb server: %s -P %d start-server", exe, port)
    try:
        subprocess.run([exe, "-P", str(port), "start-server"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DeviceError(f"cannot start the adb server with {exe}: {exc}") from exc
    if not _reachable(host, port, timeout=3.0):
        stop_server(host, port, exe)
        raise DeviceError(f"adb start-server ran but nothing answers on {host}:{port}")
    return exe


def stop_server(host: str, port: int, adb: str, wait: float = 10.0) -> str | None:
    """``adb kill-server`` for a server this run started; None when it is gone, else why not."""
    try:
        subprocess.run([adb, "-P", str(port), "kill-server"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"adb kill-server failed: {exc}"
    end = time.monotonic() + wait
    while _reachable(host, port, timeout=0.5):
        if time.monotonic() > end:
            return f"the adb server on {host}:{port} still answers after adb kill-server"
        time.sleep(0.1)
    return None


@dataclass
class AdbSession:
    """One device reached through the adb server."""

    client: Any  # adbutils.AdbClient (adbutils ships no types)
    serial: str
    timeout: float = 20.0
    server: tuple[str, int] | None = None  # the adb server's host and port
    started_with: str | None = None  # the adb program, when this run started the server
    _device: Any = field(default=None, repr=False)

    def release(self, keep: bool = False) -> str:
        """Stop the adb server this run started (unless ``keep``); says what happened to it."""
        where = "{}:{}".format(*self.server) if self.server else "?"
        if not self.started_with or self.server is None:
            return f"used the adb server already running on {where} (left running)"
        if keep:
            return f"started the adb server on {where}; left running (--keep-adb-server)"
        why = stop_server(*self.server, self.started_with)
        self.started_with = None
        return (f"started the adb server on {where} for this run and stopped it afterwards" if why is None
                else f"started the adb server on {where}; stopping it failed: {why}")

    @property
    def device(self) -> Any:
        if self._device is None:
            self._device = self.client.device(serial=self.serial)
        return self._device

    def shell(self, command: str, timeout: float | None = None) -> str:
        from adbutils.errors import AdbError

        try:
            return self.device.shell(command, timeout=timeout or self.timeout)
        except (AdbError, OSError, EOFError) as exc:
            raise DeviceError(f"device {self.serial}: '{command}' failed: {_adb_message(exc)}") from exc

    def forward(self, remote: str) -> int:
        """``adb forward tcp:<free> <remote>``; returns the local port."""
        from adbutils.errors import AdbError

        try:
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            local = sock.getsockname()[1]
            sock.close()
            self.device.forward(f"tcp:{local}", remote)
            return local
        except (AdbError, OSError) as exc:
            raise DeviceError(f"device {self.serial}: adb forward {remote} failed: {_adb_message(exc)}") from exc

    def forward_remove(self, local: int) -> None:
        for attempt in (1, 2):
            try:
                self.device.forward_remove(f"tcp:{local}", raise_non_found=True)
                return
            except Exception as exc:  # noqa: BLE001 - best effort, but say so
                if attempt == 2:
                    log.warning("could not remove adb forward tcp:%d: %s", local, _adb_message(exc))


def _adb_message(exc: BaseException) -> str:
    text = str(exc.args[0]) if getattr(exc, "args", None) else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def connect(serial: str | None = None, host: str | None = None, port: int | None = None,
            start_server: bool = True, timeout: float = 20.0, keep_server: bool = False) -> AdbSession:
    """Connect to the adb server and pick the device (clear errors for every way this fails).  A server
    this call starts is stopped again if no device can be used, unless ``keep_server``."""
    try:
        import adbutils
    except ImportError as exc:  # pragma: no cover - dependency
        raise DeviceError("the Python package adbutils is not installed") from exc
    host, port = server_address(host, port)
    started = ensure_server(host, port, start=start_server)
    try:
        session = _pick(adbutils.AdbClient(host=host, port=port, socket_timeout=timeout), serial, host, port,
                        timeout)
    except BaseException:
        if started and not keep_server:
            stop_server(host, port, started)
        raise
    session.started_with = started
    return session


def _pick(client: Any, serial: str | None, host: str, port: int, timeout: float) -> AdbSession:
    """The device to use, with a clear error for every state it can be in."""
    from adbutils.errors import AdbError

    try:
        infos = client.list()
    except (AdbError, OSError) as exc:
        raise DeviceError(f"adb server {host}:{port}: {_adb_message(exc)}") from exc
    states = {i.serial: i.state for i in infos}
    if serial is None:
        serial = os.environ.get("ANDROID_SERIAL") or None
    if serial is None:
        ready = [s for s, st in states.items() if st == "device"]
        if not states:
            raise DeviceError("no device attached (adb devices lists nothing)")
        if not ready:
            s, st = next(iter(states.items()))
            raise DeviceError(_state_message(s, st))
        if len(ready) > 1:
            raise DeviceError("more than one device attached; choose one with --serial: " + ", ".join(ready))
        serial = ready[0]
    elif serial not in states:
        raise DeviceError(f"device {serial} not found (attached: {', '.join(states) or 'none'})")
    elif states[serial] != "device":
        raise DeviceError(_state_message(serial, states[serial]))
    return AdbSession(client=client, serial=serial, timeout=timeout, server=(host, port))


def _state_message(serial: str, state: str) -> str:
    if state == "unauthorized":
        return (f"device {serial} is unauthorized: unlock it and accept the 'Allow USB debugging' "
                "prompt, then retry")
    if state == "offline":
        return f"device {serial} is offline: reconnect it or restart adbd"
    return f"device {serial} is in state '{state}', not 'device'"


# -- the inventory -------------------------------------------------------------------

_DENIED = re.compile(r"(permission denied|no such file|not found|inaccessible)", re.IGNORECASE)


def read_tables(session: AdbSession) -> tuple[list[RuntimeListener], list[str]]:
    listeners: list[RuntimeListener] = []
    errors: list[str] = []
    for name in ALL_FILES:
        path = f"/proc/net/{name}"
        text = session.shell(f"cat {path}")
        first = text.strip().splitlines()[0] if text.strip() else ""
        if not text.strip() or (_DENIED.search(first) and not first.lstrip().startswith(("sl", "Num"))):
            errors.append(f"{path}: {first or 'empty output'}")
            continue
        try:
            listeners.extend(parse_table(name, text, path))
        except ProcNetError as exc:
            errors.append(f"{path}: {exc}")
    return listeners, errors


def package_map(session: AdbSession, notes: list[str]) -> dict[int, list[str]]:
    text = session.shell("pm list packages -U")
    mapping = parse_pm_packages(text)
    if mapping:
        return mapping
    notes.append("pm list packages -U gave no UIDs; using dumpsys package")
    mapping = parse_dumpsys_packages(session.shell("dumpsys package"))
    if mapping:
        return mapping
    mapping = parse_packages_list(session.shell("cat /data/system/packages.list"))
    if not mapping:
        notes.append("no UID -> package mapping could be read")
    return mapping


def packages_for_uid(uid: int | None, mapping: dict[int, list[str]]) -> str | None:
    if uid is None:
        return None
    names = mapping.get(uid) or mapping.get(uid % PER_USER_RANGE)
    return ",".join(sorted(names)) if names else None


def inventory(session: AdbSession, package: str | None = None) -> Inventory:
    """Every listener of the device (or only those of ``package`` when given)."""
    inv = Inventory()
    listeners, errors = read_tables(session)
    inv.errors.extend(errors)
    mapping = package_map(session, inv.notes)
    procs = parse_ps(session.shell("ps -A -o PID,UID,NAME"))
    if not procs:
        procs = parse_ps(session.shell("ps"))
    by_pid = {p.pid: p for p in procs}
    by_uid: dict[int, list[ProcessInfo]] = {}
    for p in procs:
        if p.uid is not None:
            by_uid.setdefault(p.uid, []).append(p)
    by_name = {p.name: p for p in procs}
    owners = parse_fd_listing(session.shell("ls -l /proc/*/fd 2>/dev/null"))
    if not owners:
        inv.notes.append("socket owners by inode not readable (needs root adbd); owners guessed from UID")
    for lst in listeners:
        proc: ProcessInfo | None = None
        pid = owners.get(lst.inode or -1)
        if pid is not None and pid in by_pid:
            proc = ProcessInfo(**vars(by_pid[pid]))
        kind, m = debug_kind(lst.unix_name)
        lst.debug = kind
        if proc is None and kind == "webview-devtools" and m is not None:
            known = by_pid.get(int(m.group(1)))
            proc = ProcessInfo(**vars(known)) if known else ProcessInfo(pid=int(m.group(1)))
        elif proc is None and kind == "stetho-devtools" and m is not None:
            known = by_name.get(m.group(1))
            proc = ProcessInfo(**vars(known)) if known else ProcessInfo(name=m.group(1))
        if proc is None and lst.uid is not None:
            cands = by_uid.get(lst.uid, [])
            proc = ProcessInfo(**vars(cands[0])) if len(cands) == 1 else ProcessInfo(uid=lst.uid)
        if proc is not None:
            if proc.uid is None:
                proc.uid = lst.uid
            if lst.uid is None:
                lst.uid = proc.uid
            proc.package = packages_for_uid(proc.uid, mapping)
            if proc.package is None and proc.name and "." in proc.name:
                proc.package = proc.name.split(":", 1)[0]
        lst.process = proc
    if package:
        listeners = [lst for lst in listeners if lst.process and lst.process.package
                     and package in lst.process.package.split(",")]
    inv.listeners = sorted(listeners, key=lambda x: (x.transport, x.port or -1, x.address or ""))
    return inv
