"""The /proc/net parsers on real kernel data: sockets opened here, checked against fstat and ss."""

from __future__ import annotations

import ipaddress
import os
import socket
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import norm_addr, port, ss_listeners

from portaudit.model import Bind
from portaudit.runtime import procnet


def _read(name):
    with open(f"/proc/net/{name}") as fh:
        return fh.read()


@pytest.fixture
def request_cleanup():
    todo = []
    yield todo
    for fn in todo:
        fn()


def _by_inode(listeners):
    return {x.inode: x for x in listeners}


def test_inet_tables_find_the_test_sockets(open_sockets):
    s = open_sockets
    found, errors = procnet.read_tables()
    assert errors == []
    by = _by_inode(found)
    expect = [
        (s.tcp4_any, "tcp", "0.0.0.0", Bind.ALL, "ipv4", "LISTEN"),
        (s.tcp4_lo, "tcp", "127.0.0.1", Bind.LOOPBACK, "ipv4", "LISTEN"),
        (s.tcp6_any, "tcp", "::", Bind.ALL, "ipv6", "LISTEN"),
        (s.tcp6_lo, "tcp", "::1", Bind.LOOPBACK, "ipv6", "LISTEN"),
        (s.udp4_lo, "udp", "127.0.0.1", Bind.LOOPBACK, "ipv4", "UNCONN"),
        (s.udp6_any, "udp", "::", Bind.ALL, "ipv6", "UNCONN"),
    ]
    for sock, transport, addr, bind, family, state in expect:
        lst = by.get(s.inode(sock))
        assert lst is not None, f"{transport} {addr} not found by inode"
        assert (lst.transport, lst.address, lst.bind, lst.port, lst.family, lst.state) == \
            (transport, addr, bind, port(sock), family, state)
        assert lst.uid == os.geteuid()


def test_unix_table_finds_path_abstract_and_dgram(open_sockets):
    s = open_sockets
    found = procnet.parse_unix(_read("unix"), "/proc/net/unix")
    by = _by_inode(found)
    path = by[s.inode(s.unix_path)]
    assert (path.unix_name, path.state, path.socket_type, path.bind) == (s.path, "LISTEN", "stream", Bind.UNIX)
    abstract = by[s.inode(s.unix_abstract)]
    assert abstract.unix_name == s.abstract and abstract.unix_name.startswith("@")
    dgram = by[s.inode(s.unix_dgram)]
    assert (dgram.unix_name, dgram.socket_type, dgram.state) == (s.dgram_path, "dgram", "UNCONN")


def test_parsers_agree_with_ss(open_sockets):
    """Everything ss -lntupx lists, the parsers list, and nothing more (same netns, same moment)."""
    ss = ss_listeners()
    found, _ = procnet.read_tables()
    ours = {"tcp": set(), "udp": set(), "unix": set()}
    for x in found:
        if x.transport == "unix":
            ours["unix"].add(x.unix_name)
        else:
            ours[x.transport].add((norm_addr(x.address), x.port))
    assert ours["tcp"] == set(ss["tcp"])
    assert ours["udp"] == set(ss["udp"])
    assert {n for n in ours["unix"] if n} == set(ss["unix"])
    assert (norm_addr("0.0.0.0"), port(open_sockets.tcp4_any)) in ss["tcp"]


def test_connected_and_client_sockets_are_not_listeners(open_sockets):
    srv = open_sockets.tcp4_lo
    cli = socket.create_connection(("127.0.0.1", port(srv)))
    conn, _ = srv.accept()
    udp_client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp_client.connect(("127.0.0.1", port(open_sockets.udp4_lo)))
    try:
        all_rows = procnet.parse_inet(_read("tcp"), "tcp", "ipv4", listening_only=False)
        inodes = {os.fstat(cli.fileno()).st_ino, os.fstat(conn.fileno()).st_ino}
        assert inodes <= {r.inode for r in all_rows}  # the rows exist ...
        listening = procnet.parse_inet(_read("tcp"), "tcp", "ipv4")
        assert not inodes & {r.inode for r in listening}  # ... but are not listeners
        udp = procnet.parse_inet(_read("udp"), "udp", "ipv4")
        assert os.fstat(udp_client.fileno()).st_ino not in {r.inode for r in udp}
    finally:
        for x in (cli, conn, udp_client):
            x.close()


@pytest.mark.parametrize("text", ["127.0.0.1", "0.0.0.0", "10.203.7.1", "::1", "::", "fe80::1:2",
                                  "2001:db8::abcd", "::ffff:127.0.0.1"])
def test_decode_address_inverts_the_kernel_encoding(text):
    raw = ipaddress.ip_address(text).packed
    words = [struct.unpack("<I", raw[i:i + 4])[0] for i in range(0, len(raw), 4)]
    kernel = "".join(f"{w:08X}" for w in words)  # what /proc/net prints on little-endian machines
    assert procnet.decode_address(kernel) == str(ipaddress.ip_address(text))


def test_ipv4_mapped_loopback_is_loopback():
    assert procnet.bind_class("::ffff:127.0.0.1") is Bind.LOOPBACK
    assert procnet.bind_class("::ffff:10.0.0.1") is Bind.SPECIFIC


def test_truncated_and_garbage_tables_give_clear_errors():
    real = _read("tcp")
    cut = real.splitlines()[0] + "\n" + "   0: 0100007F:1F90 00000000:0000 0A"  # a real row cut short
    with pytest.raises(procnet.ProcNetError, match="line 2"):
        procnet.parse_inet(cut, "tcp", "ipv4")
    with pytest.raises(procnet.ProcNetError, match="not a /proc/net/tcp table"):
        procnet.parse_inet(_read("unix"), "tcp", "ipv4")
    with pytest.raises(procnet.ProcNetError, match="not a /proc/net/unix table"):
        procnet.parse_unix(real)


def test_permission_denied_on_one_table_keeps_the_others(request_cleanup, open_sockets):
    """A copy of the real tables where tcp6 is unreadable, read by an unprivileged user."""
    import shutil
    import tempfile
    from pathlib import Path

    base = Path(tempfile.mkdtemp(prefix="pa-procnet-", dir="/tmp"))
    request_cleanup.append(lambda: shutil.rmtree(base, ignore_errors=True))
    net = base / "proc" / "net"
    net.mkdir(parents=True)
    for name in procnet.ALL_FILES:
        (net / name).write_text(_read(name))
        os.chmod(net / name, 0o644)
    os.chmod(net / "tcp6", 0o000)
    os.chmod(base, 0o755)
    os.chmod(base / "proc", 0o755)
    os.chmod(net, 0o755)
    if os.geteuid() != 0:
        pytest.fail("needs root to drop to an unprivileged user (CI runs as root)")
    import json

    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: become nobody, read the tables, report through the pipe
        try:
            os.setgid(65534)
            os.setuid(65534)
            ls, errs = procnet.read_tables(str(net))
            os.write(w, json.dumps({"errors": errs, "ports": [x.port for x in ls if x.transport == "tcp"],
                                    "v6": [x.port for x in ls if x.family == "ipv6"]}).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        data = json.loads(fh.read())
    os.waitpid(pid, 0)
    assert data["errors"] == [f"{net}/tcp6: permission denied"]
    assert port(open_sockets.tcp4_any) in data["ports"]  # the other tables were still read
    assert port(open_sockets.udp6_any) in data["v6"]  # udp6 too
    assert port(open_sockets.tcp6_any) not in data["ports"]



@given(st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)), st.integers(0, 65535))
def test_endpoint_round_trip(ip, p):
    raw = ip.packed
    kernel = "".join(f"{struct.unpack('<I', raw[i:i + 4])[0]:08X}" for i in range(0, len(raw), 4))
    assert procnet.decode_endpoint(f"{kernel}:{p:04X}") == (str(ip), p)
