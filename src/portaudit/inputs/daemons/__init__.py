"""Embedded daemons configured by files or strings: tor, v2ray / xray, shadowsocks, privoxy, pdnsd.

Apps such as Tor and VPN clients ship these daemons as native executables named like libraries
(``lib/<abi>/libtor.so``, ``libpdnsd.so``...) and start them as processes with a configuration kept
in ``assets/`` / ``res/raw/`` or written from a string in the code.  What the daemon listens on is in
that configuration: each parser (one module per daemon) reads its listening directives with the
daemon's documented defaults, and :func:`listeners` ties them to the executable the app ships.

* :func:`detect` / :func:`listeners`: configuration files (the Android container calls them for
  assets and raw resources; :func:`scan_tree` for source trees).
* :func:`string_listeners`: torrc and privoxy directives inside string literals of source code.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from ...model import Hop, Listener, Location, Origin
from . import jsonc, pdnsd, privoxy, shadowsocks, tor, v2ray
from .record import DaemonPort

MAX_CONFIG_BYTES = 1024 * 1024
PARSERS: dict[str, Callable[[str], list[DaemonPort]]] = {
    "tor": tor.parse, "privoxy": privoxy.parse, "pdnsd": pdnsd.parse, "v2ray": v2ray.parse,
    "shadowsocks": shadowsocks.parse,
}
# the executables apps ship for each daemon (lib/<abi>/lib<name>.so started as a process)
EXECUTABLES: dict[str, re.Pattern] = {
    "tor": re.compile(r"^(lib)?tor(\.so)?$"),
    "privoxy": re.compile(r"^(lib)?privoxy(\.so)?$"),
    "pdnsd": re.compile(r"^(lib)?pdnsd(\.so)?$"),
    "v2ray": re.compile(r"^(lib)?(v2ray|xray)(core)?(\.so)?$"),
    "shadowsocks": re.compile(r"^(lib)?(ss-local|sslocal|ss-server|ssserver|ss-redir|ss-tunnel|shadowsocks)(\.so)?$"),
}
_TOR_LINE = re.compile(r"(?im)^\s*(SocksPort|ControlPort|ORPort|DNSPort|TransPort|HTTPTunnelPort)\s+\S")
_PRIVOXY_LINE = re.compile(r"(?im)^\s*listen-address\s+\S")
_PDNSD = re.compile(r"\bglobal\s*\{[^}]*\bserver_ip\b", re.S)


def detect(name: str, data: bytes) -> str | None:
    """Which daemon's configuration ``data`` is (None: none of them)."""
    if len(data) > MAX_CONFIG_BYTES or b"\0" in data[:4096]:
        return None
    text = data.decode("utf-8", "replace")
    base = posixpath.basename(name).lower()
    if base in ("torrc", "torrc-defaults") or base.endswith(".torrc") or _TOR_LINE.search(text):
        return "tor"
    if _PRIVOXY_LINE.search(text):
        return "privoxy"
    if _PDNSD.search(text):
        return "pdnsd"
    if text.lstrip()[:1] in ("{", "/"):
        cfg = jsonc.load(text)
        if v2ray.looks_like(cfg):
            return "v2ray"
        if shadowsocks.looks_like(cfg):
            return "shadowsocks"
    return None


def executables_for(daemon: str, binaries: Iterable[str]) -> list[str]:
    pat = EXECUTABLES[daemon]
    return sorted(b for b in binaries if pat.match(posixpath.basename(b).lower()))


def listeners(configs: Iterable[tuple[str, bytes]], binaries: Iterable[str]) -> tuple[list[Listener], list[str]]:
    """Listeners of the daemon configurations ``(label, bytes)``, tied to the shipped ``binaries``
    (labels of native files); notes say which configuration was read and what runs it."""
    binaries = list(binaries)
    out: list[Listener] = []
    notes: list[str] = []
    for label, data in configs:
        daemon = detect(label, data)
        if daemon is None:
            continue
        exes = executables_for(daemon, binaries)
        ports = PARSERS[daemon](data.decode("utf-8", "replace"))
        if daemon == "shadowsocks" and not any("server" in posixpath.basename(e) for e in exes):
            ports = [p for p in ports if p.directive != "server"]  # only ss-server listens on "server"
        run_by = (f"run by {', '.join(exes)}" if exes else
                  f"no {daemon} executable found in this target (the configuration may be unused)")
        notes.append(f"{label}: {daemon} configuration, {len(ports)} listening directive(s); {run_by}")
        out.extend(_listener(label, p, run_by) for p in ports)
    return out, notes


def _listener(label: str, p: DaemonPort, run_by: str) -> Listener:
    loc = Location(file=label, line=p.line)
    return Listener(
        api=f"{p.daemon} {p.directive.split('[')[0]}", transport=p.transport, bind=p.bind, location=loc,
        address=p.address, port=p.port, reason=p.reason, origin=Origin(kind="library", sdk=p.daemon),
        evidence=f"{p.text}\n; {run_by}", flow=[Hop("config", loc, note=p.text)],
        configurable=f"{p.daemon} configuration {label}")


# -- configuration text inside source code strings -----------------------------------------------
_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_STRING_KEYWORDS = (b"SocksPort", b"ControlPort", b"ORPort", b"DNSPort", b"TransPort", b"HTTPTunnelPort",
                    b"listen-address")


def string_listeners(label: str, text: str) -> list[Listener]:
    """torrc / privoxy directives written from string literals (``"SocksPort 0.0.0.0:9050\\n"``)."""
    if not (_TOR_LINE.search(text.replace("\\n", "\n").replace('"', "\n"))
            or "listen-address" in text):
        return []
    out = []
    for m in _STRING.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        for piece in m.group(1).split("\\n"):
            for daemon, parse in (("tor", tor.parse), ("privoxy", privoxy.parse)):
                if daemon == "tor" and not _TOR_LINE.search(piece):
                    continue
                if daemon == "privoxy" and not _PRIVOXY_LINE.search(piece):
                    continue
                for p in parse(piece):
                    if p.line is None:
                        continue  # a default of the daemon, not this string
                    shown = DaemonPort(p.daemon, p.directive, p.transport, p.bind, p.address, p.port, line, p.text,
                                       p.reason)
                    out.append(_listener(label, shown, "written from a string in the code"))
    return out


# -- source trees ----------------------------------------------------------------------------------
_SKIP_DIRS = {".git", "node_modules", "build", ".gradle", "Pods", "DerivedData", "target", "dist", ".venv"}
_CONFIG_EXT = ("", ".conf", ".cfg", ".json", ".txt", ".torrc")
MAX_TREE_FILES = 20000
MAX_TREE_DEPTH = 128  # as the source walk (inputs/source/walk.py)


def scan_tree(root: Path, code_files: Iterable[Path], notes: list[str]) -> list[Listener]:
    """Daemon configuration files anywhere in the tree, and directives in the given code files."""
    root = Path(root)
    out: list[Listener] = []
    configs: list[tuple[str, bytes]] = []
    binaries: list[str] = []
    for seen, path in enumerate(_walk(root), 1):
        if seen > MAX_TREE_FILES:
            notes.append(f"daemon configurations: more than {MAX_TREE_FILES} files, the rest not searched")
            break
        rel = path.relative_to(root).as_posix() if path != root else path.name
        base = path.name.lower()
        if any(p.match(base) for p in EXECUTABLES.values()):
            binaries.append(rel)
        if posixpath.splitext(base)[1] in _CONFIG_EXT:
            data = _read(path)
            if data is not None and detect(rel, data):
                configs.append((rel, data))
    found, cfg_notes = listeners(configs, binaries)
    out += found
    notes += cfg_notes
    for path in code_files:
        data = _read(Path(path))
        if data is not None and any(k in data for k in _STRING_KEYWORDS):
            rel = Path(path).relative_to(root).as_posix() if Path(path) != root else Path(path).name
            out += string_listeners(rel, data.decode("utf-8", "replace"))
    return out


def _walk(root: Path):
    """Files under root, without recursion (a hostile tree may nest thousands of folders); folders
    deeper than MAX_TREE_DEPTH are not read (the source walk notes them); symlinks are not followed."""
    if root.is_file():
        yield root
        return
    stack = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                if depth < MAX_TREE_DEPTH and e.name not in _SKIP_DIRS and not e.name.startswith("."):
                    stack.append((Path(e.path), depth + 1))
            elif e.is_file(follow_symlinks=False):
                yield Path(e.path)


def _read(path: Path) -> bytes | None:
    """A small regular file's bytes (never a FIFO or a device: reading one would block)."""
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CONFIG_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None
