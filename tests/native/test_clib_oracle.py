"""The real library code gives the documented default: a program built here against Debian's
libmicrohttpd, libcivetweb, libwebsockets and libvncserver (tests/native/oracle/clib_defaults.c)
starts each server without an address, in a fresh network namespace, and the kernel's
/proc/net/tcp(6) says where it listens; portaudit, reading the same binary, must say the same."""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from portaudit.inputs.native import scan_elf
from portaudit.model import Bind

SRC = Path(__file__).resolve().parent / "oracle" / "clib_defaults.c"
LIBS = ["-lmicrohttpd", "-lcivetweb", "-lwebsockets", "-lvncserver"]  # Debian: the -dev packages


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> Path:
    if not shutil.which("gcc"):
        pytest.fail("gcc is needed (scripts/apt-packages.txt)")
    exe = tmp_path_factory.mktemp("oracle") / "clib_defaults"
    r = subprocess.run(["gcc", "-O1", "-o", str(exe), str(SRC), *LIBS], capture_output=True, text=True)
    assert r.returncode == 0, f"cannot build the oracle (the -dev packages of scripts/apt-packages.txt?): {r.stderr}"
    return exe


def _listening(exe: Path, mode: str) -> set[tuple[str, int]]:
    """(address, port) of every TCP socket in LISTEN state, read from the kernel's tables by hand."""
    # root makes the namespace directly; anyone else through a user namespace (-r), which the
    # kernel refuses inside a chroot, where root needs neither
    flags = "-n" if os.geteuid() == 0 else "-rn"
    r = subprocess.run(["unshare", flags, "sh", "-c", f"ip link set lo up && {exe} {mode}"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, f"{mode}: {r.stderr[-500:]} (a network namespace needs unshare -n as root, -rn otherwise)"
    out = set()
    for line in r.stdout.splitlines():
        cols = line.split()
        if len(cols) > 3 and cols[3] == "0A" and ":" in cols[1]:  # st 0A = TCP_LISTEN
            hexaddr, hexport = cols[1].split(":")
            raw = bytes.fromhex(hexaddr)
            packed = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))  # host-order words
            out.add((str(ipaddress.ip_address(packed)), int(hexport, 16)))
    return out


def _ours(exe: Path) -> dict[str, object]:
    listeners, _debug, _notes = scan_elf(exe.name, exe.read_bytes())
    return {lst.api: lst for lst in listeners}


def test_libmicrohttpd_without_sock_addr(oracle):
    assert _listening(oracle, "mhd") == {("0.0.0.0", 8090)}
    lst = _ours(oracle)["libmicrohttpd MHD_start_daemon"]
    assert (lst.bind, lst.address, lst.port) == (Bind.ALL, "0.0.0.0", 8090)


def test_civetweb_without_listening_ports(oracle):
    assert _listening(oracle, "civetweb") == {("0.0.0.0", 8080)}
    lst = _ours(oracle)["civetweb mg_start"]
    assert (lst.bind, lst.address, lst.port) == (Bind.ALL, "0.0.0.0", 8080)


def test_libwebsockets_without_iface(oracle):
    """The real library binds the IPv6 wildcard (dual stack); portaudit does not read the structure
    (its layout changes with the build) and says unknown, stating that default."""
    got = _listening(oracle, "lws")
    assert got and all(ipaddress.ip_address(a).is_unspecified and p == 8094 for a, p in got), got
    lst = _ours(oracle)["libwebsockets lws_create_context"]
    assert lst.bind is Bind.UNKNOWN and "every interface when info.iface is NULL" in lst.reason


def test_libvncserver_defaults(oracle):
    got = _listening(oracle, "vnc")
    assert got and all(ipaddress.ip_address(a).is_unspecified and p == 5900 for a, p in got), got
    lst = _ours(oracle)["libvncserver rfbInitServer"]
    assert lst.bind is Bind.UNKNOWN and "5900" in lst.reason and "INADDR_ANY" in lst.reason
