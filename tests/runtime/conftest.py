"""Fixtures for the runtime tests: real sockets, ss output, network namespaces, certificates."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, field

import pytest

HERE = os.path.dirname(__file__)
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PORTAUDIT = os.path.join(os.path.dirname(sys.executable), "portaudit")


def run_cli(*args, env=None, timeout=120, netns=None):
    cmd = [PORTAUDIT, *args]
    if netns:
        cmd = ["ip", "netns", "exec", netns, *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})})


@dataclass
class OpenSockets:
    tcp4_any: socket.socket
    tcp4_lo: socket.socket
    tcp6_any: socket.socket
    tcp6_lo: socket.socket
    udp4_lo: socket.socket
    udp6_any: socket.socket
    unix_path: socket.socket
    unix_abstract: socket.socket
    unix_dgram: socket.socket
    path: str
    abstract: str
    dgram_path: str
    all: list = field(default_factory=list)

    def inode(self, s: socket.socket) -> int:
        return os.fstat(s.fileno()).st_ino


@pytest.fixture
def open_sockets(tmp_path):
    made = []

    def mk(family, kind, addr, listen=True, v6only=False):
        s = socket.socket(family, kind)
        made.append(s)
        if v6only:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(addr)
        if listen and kind == socket.SOCK_STREAM:
            s.listen(4)
        return s

    tag = uuid.uuid4().hex[:8]
    path = str(tmp_path / f"pa-{tag}.sock")
    dgram = str(tmp_path / f"pa-{tag}.dgram")
    abstract = f"portaudit-test-{tag}"
    socks = OpenSockets(
        tcp4_any=mk(socket.AF_INET, socket.SOCK_STREAM, ("0.0.0.0", 0)),
        tcp4_lo=mk(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", 0)),
        tcp6_any=mk(socket.AF_INET6, socket.SOCK_STREAM, ("::", 0), v6only=True),
        tcp6_lo=mk(socket.AF_INET6, socket.SOCK_STREAM, ("::1", 0)),
        udp4_lo=mk(socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", 0)),
        udp6_any=mk(socket.AF_INET6, socket.SOCK_DGRAM, ("::", 0), v6only=True),
        unix_path=mk(socket.AF_UNIX, socket.SOCK_STREAM, path),
        unix_abstract=mk(socket.AF_UNIX, socket.SOCK_STREAM, "\0" + abstract),
        unix_dgram=mk(socket.AF_UNIX, socket.SOCK_DGRAM, dgram),
        path=path, abstract="@" + abstract, dgram_path=dgram,
    )
    socks.all = made
    yield socks
    for s in made:
        s.close()


def port(s: socket.socket) -> int:
    return s.getsockname()[1]


_SS_ADDR = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<v4>[^:\s]+)):(?P<port>\d+|\*)$")
_SS_PID = re.compile(r"pid=(\d+)")


def norm_addr(addr: str | None) -> str:
    """ss prints the IPv6 wildcard as ``*`` or ``[::]``: compare wildcards as ``*``."""
    if addr in (None, "*", "::", "0.0.0.0"):
        return "*"
    return addr.split("%")[0]


def ss_listeners() -> dict[str, dict]:
    """The kernel's view through iproute2, ``ss -lntupxH``:
    {"tcp": {(addr, port): pid}, "udp": {...}, "unix": {name: pid}} (wildcards as ``*``)."""
    out = subprocess.run(["ss", "-lntupxH"], capture_output=True, text=True, check=True).stdout
    res: dict[str, dict] = {"tcp": {}, "udp": {}, "unix": {}}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 5:
            continue
        netid, local = parts[0], parts[4]
        m_pid = _SS_PID.search(line)
        pid = int(m_pid.group(1)) if m_pid else None
        if netid in ("tcp", "udp"):
            m = _SS_ADDR.match(local)
            if not m:
                continue
            res[netid][(norm_addr(m.group("v6") or m.group("v4")), int(m.group("port")))] = pid
        elif netid.startswith("u_") and local not in ("*", "@"):
            res["unix"][local] = pid
    return res


@pytest.fixture(scope="session")
def root_required():
    if os.geteuid() != 0:
        pytest.fail("these tests need root (CI runs as root): network namespaces")


class Netns:
    """Two network namespaces joined by a veth pair with a private /30; removed on teardown."""

    def __init__(self):
        tag = f"{os.getpid() % 100000}{uuid.uuid4().hex[:3]}"
        self.a, self.b = f"pa{tag}a", f"pa{tag}b"
        self.va, self.vb = f"pv{tag}a"[:15], f"pv{tag}b"[:15]
        octet = 100 + (os.getpid() + int(uuid.uuid4().hex[:2], 16)) % 150
        base = f"10.203.{octet}."
        sub = 4 * (int(uuid.uuid4().hex[:2], 16) % 60)
        self.addr_a, self.addr_b = f"{base}{sub + 1}", f"{base}{sub + 2}"
        self.created: list[str] = []

    def sh(self, *cmd, check=True):
        return subprocess.run(list(cmd), capture_output=True, text=True, check=check)

    def up(self):
        for ns in (self.a, self.b):
            self.sh("ip", "netns", "add", ns)
            self.created.append(ns)
            self.sh("ip", "-n", ns, "link", "set", "lo", "up")
        self.sh("ip", "link", "add", self.va, "netns", self.a, "type", "veth", "peer", "name", self.vb,
                "netns", self.b)
        self.sh("ip", "-n", self.a, "addr", "add", f"{self.addr_a}/30", "dev", self.va)
        self.sh("ip", "-n", self.b, "addr", "add", f"{self.addr_b}/30", "dev", self.vb)
        self.sh("ip", "-n", self.a, "link", "set", self.va, "up")
        self.sh("ip", "-n", self.b, "link", "set", self.vb, "up")
        return self

    def down(self):
        for ns in self.created:
            self.sh("ip", "netns", "del", ns, check=False)


@pytest.fixture
def netns_pair(root_required):
    pair = Netns()
    try:
        yield pair.up()
    finally:
        pair.down()


def free_port(host="127.0.0.1") -> int:
    s = socket.socket()
    s.bind((host, 0))
    p = s.getsockname()[1]
    s.close()
    return p


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
