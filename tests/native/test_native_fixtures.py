"""Address recovery on real cross-compiled binaries: every ABI, -O0 / -O2, clang and gcc."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from portaudit import scan
from portaudit.inputs.native import elf, scan_elf
from portaudit.model import Bind
from portaudit.options import Options

from .conftest import BIN
from .expected import REASONS, SERVER, SERVER_BINARIES, VIA


def _by_function(name: str):
    listeners, debug, notes = scan_elf(name, (BIN / name).read_bytes())
    assert notes == []
    assert debug == []
    out = {}
    for lst in listeners:
        assert lst.location.function not in out, f"two listeners in {lst.location.function}"
        out[lst.location.function] = lst
    return out


@pytest.mark.parametrize("binary", SERVER_BINARIES)
def test_every_address_shape(binary):
    found = _by_function(binary)
    assert set(found) == set(SERVER), f"{binary}: functions {sorted(found)}"
    for fn, (api, transport, bind, address, port) in SERVER.items():
        lst = found[fn]
        got = (lst.api, lst.transport, lst.bind, lst.address, lst.port)
        assert got == (api, transport, bind, address, port), f"{binary} {fn}: {got}"
        assert lst.location.file == binary
        assert lst.location.offset is not None and lst.evidence
        if fn in REASONS:
            assert REASONS[fn] in (lst.reason or ""), f"{binary} {fn}: {lst.reason}"
        if fn in VIA:
            assert (lst.via or "").startswith(VIA[fn] + "@0x"), f"{binary} {fn}: via {lst.via}"
            assert "called from" in lst.evidence
        else:
            assert lst.via is None


@pytest.mark.parametrize("binary", ["libserver_arm64_O2.so", "libserver_x86_64_O0.so", "libserver_x86_O2.so"])
def test_call_site_offsets_match_objdump(binary):
    """The instruction offset of each bind call equals what llvm-objdump shows for `<bind@plt>`."""
    dump = subprocess.run(["llvm-objdump", "-d", "--no-show-raw-insn", str(BIN / binary)],
                          capture_output=True, text=True, check=True).stdout
    calls = re.finditer(r"^\s*([0-9a-f]+):\s+call\w*\s+.*<bind@plt>", dump, re.MULTILINE)
    expected = {int(m.group(1), 16) for m in calls}
    expected |= {int(m.group(1), 16) for m in re.finditer(r"^\s*([0-9a-f]+):\s+bl\s+.*<bind@plt>", dump, re.MULTILINE)}
    assert expected
    found = {lst.location.offset for lst in _by_function(binary).values() if lst.api == "libc bind"}
    assert found == expected


def test_loopback_sockaddr_built_as_one_immediate():
    """clang -O2 on arm64 builds family+port+address as one movk chain (the knowledge-file case)."""
    lst = _by_function("libserver_arm64_O2.so")["listen_loopback_tcp"]
    assert "movk" in lst.evidence and "#127, lsl #32" in lst.evidence.replace("0x7f", "127")


@pytest.mark.parametrize("binary",
                         ["libclient_arm64.so", "libclient_armv7.so", "libclient_x86.so", "libclient_x86_64.so"])
def test_client_only_is_quiet(binary):
    data = (BIN / binary).read_bytes()
    assert {"socket", "connect"} <= elf.parse(data).imports
    assert scan_elf(binary, data) == ([], [], [])


def test_connect_in_server_library_is_not_a_listener():
    assert "client_only" not in _by_function("libserver_x86_64_O2.so")


def test_embedded_civetweb():
    listeners, _, _ = scan_elf("libcivetweb_user.so", (BIN / "libcivetweb_user.so").read_bytes())
    (lst,) = listeners
    # embedded.c: listening_ports = "8089", no address: civetweb binds INADDR_ANY (its
    # parse_port_string; the host oracle in test_clib_oracle.py runs the real library)
    assert (lst.api, lst.bind, lst.address, lst.port) == ("civetweb mg_start", Bind.ALL, "0.0.0.0", 8089)
    assert lst.location.function == "start_web" and "listening_ports" in lst.reason


def test_frida_gadget_embedded_config():
    listeners, debug, _ = scan_elf("lib/arm64-v8a/libfrida-gadget.so", (BIN / "libfrida-gadget.so").read_bytes())
    (dbg,) = debug
    assert dbg.kind == "frida-gadget" and dbg.enabled and "0.0.0.0:27042" in dbg.detail
    (lst,) = listeners
    assert (lst.bind, lst.port) == (Bind.ALL, 27042)


def test_frida_gadget_config_file():
    """The gadget's configuration ships next to it as libfrida-gadget.config.so (JSON)."""
    cfg = json.dumps({"interaction": {"type": "listen", "address": "127.0.0.1", "port": 27043}}).encode()
    listeners, debug, notes = scan_elf("lib/arm64-v8a/libfrida-gadget.config.so", cfg)
    assert notes == [] and debug[0].kind == "frida-gadget"
    assert (listeners[0].bind, listeners[0].port) == (Bind.LOOPBACK, 27043)
    cfg = json.dumps({"interaction": {"type": "script", "path": "/data/local/tmp/x.js"}}).encode()
    listeners, debug, _ = scan_elf("lib/x86/libfrida-gadget.config.so", cfg)
    assert listeners == [] and "does not listen" in debug[0].detail


def test_rust_desktop_binary_bind_is_found():
    listeners, _, _ = scan_elf("rust_listener", (BIN / "rust_listener").read_bytes())
    binds = [lst for lst in listeners if lst.api == "libc bind"]
    assert binds and all(lst.bind is Bind.UNKNOWN and lst.reason for lst in binds)


def test_pipeline_findings_and_json_contract(tmp_path):
    report = scan.run([str(BIN / "libserver_arm64_O2.so")], Options())
    (target,) = report.targets
    assert target.kind == "elf" and target.errors == []
    rules = {f.rule for f in report.findings}
    assert {"listener-all-interfaces", "listener-loopback-unchecked", "listener-specific-interface",
            "listener-unresolved-address", "local-socket-unchecked"} <= rules
    f = next(f for f in report.findings if f.rule == "listener-all-interfaces" and f.listener.port == 8080)
    d = f.to_dict()
    assert d["listener"]["bind"] == "all-interfaces" and d["listener"]["transport"] == "tcp"
    assert d["location"]["file"] == "libserver_arm64_O2.so"
    assert d["location"]["function"] == "listen_any_tcp" and isinstance(d["location"]["offset"], int)


def test_anti_frida_strings_are_not_a_gadget():
    listeners, debug, _ = scan_elf("lib/arm64-v8a/libantifrida.so", (BIN / "libantifrida.so").read_bytes())
    assert listeners == [] and debug == []


def test_rust_signature_with_symbols():
    listeners, _, _ = scan_elf("rust_listener_symbols", (BIN / "rust_listener_symbols").read_bytes())
    apis = {lst.api for lst in listeners}
    assert {"libc bind", "Rust std::net::TcpListener::bind"} <= apis
    bind = next(lst for lst in listeners if lst.api == "libc bind")
    assert "TcpListener4bind" in bind.location.function and bind.bind is Bind.UNKNOWN
