"""Go programs built by the Debian Go toolchain: build info, pclntab names, listen call sites.

Every program is built for linux/amd64, linux/arm64 and android/arm64, stripped (-s -w: no
.symtab) and unstripped; the results must be the same, because the function names come from the
pclntab, which Go keeps in stripped binaries."""

from __future__ import annotations

import subprocess

import pytest

from portaudit import scan
from portaudit.inputs.native import elf, scan_elf
from portaudit.inputs.native.go import classify_listen, is_std
from portaudit.model import Bind
from portaudit.options import Options

TARGETS = ["amd64", "arm64", "android_arm64"]
VARIANTS = ([f"{t}{s}" for t in TARGETS for s in ("", "_stripped")]
            + ["386_stripped", "arm_stripped", "darwin_arm64_stripped"])
MODULE = "example.org/portaudit/gofixtures"

LISTENERS = {  # function -> (api, transport, bind, address, port)
    "main.tcpAll": ("Go net.Listen", "tcp", Bind.ALL, "0.0.0.0", 8080),
    "main.tcpLoopback": ("Go net.Listen", "tcp", Bind.LOOPBACK, "127.0.0.1", 9090),
    "main.udpAll": ("Go net.ListenPacket", "udp", Bind.ALL, "0.0.0.0", 5353),
    "main.unixAbstract": ("Go net.Listen", "unix", Bind.UNIX, "@abstract", None),
}


def _facts(path):
    report = scan.run([str(path)], Options())
    assert len(report.facts) == 1
    facts = report.facts[0]
    assert facts.target.errors == [], facts.target.errors
    return facts, report


def _scanner_go(path) -> dict:
    from portaudit.inputs.ios import macho
    from portaudit.inputs.native.scan import Scanner

    img = macho.parse(path.read_bytes()).image
    sc = Scanner(img, path.name)
    sc.run()
    assert sc.go is not None
    return sc.go.to_dict()


def _go_info(facts, variant, path) -> dict:
    return _scanner_go(path) if variant.startswith("darwin") else facts.stats["go"]


def _shape(lst):
    return (lst.api, lst.transport, lst.bind, lst.address, lst.port)


@pytest.mark.parametrize("variant", VARIANTS)
def test_listeners_every_target(gobin, go_version, variant):
    path = gobin / f"listeners_{variant}"
    facts, report = _facts(path)
    if not variant.startswith("darwin"):
        img = elf.parse(path.read_bytes())
        assert (".symtab" in img.sections) == (not variant.endswith("_stripped"))  # really stripped or not
    # Mach-O: the iOS/Mach-O analyzer does not carry stats.go
    go = _scanner_go(path) if variant.startswith("darwin") else facts.stats["go"]
    assert go["version"] == go_version
    assert go["path"] == f"{MODULE}/listeners" and go["module"] == MODULE
    goos = next((o for o in ("android", "darwin") if variant.startswith(o)), "linux")
    assert go["settings"]["GOOS"] == goos
    assert go["settings"]["GOARCH"] == variant.removeprefix(goos + "_").split("_")[0]
    assert go["settings"]["-trimpath"] == "true"
    assert go["pclntab"] == "1.18" and go["functions"] > 1000
    got = {lst.location.function: _shape(lst) for lst in facts.listeners}
    assert got == LISTENERS, variant
    for lst in facts.listeners:
        assert lst.reason is None and lst.location.offset and lst.location.file == path.name
        assert "call net.Listen" in lst.evidence or "call net.ListenPacket" in lst.evidence
        assert go_version in lst.evidence
    rules = sorted(f.rule for f in report.findings if f.listener is not None)
    assert rules.count("listener-all-interfaces") == 2
    assert "listener-loopback-unchecked" in rules
    assert any(o.sdk == "Go runtime" for o in facts.sdks)


@pytest.mark.parametrize("variant", VARIANTS)
def test_http_listen_and_serve(gobin, variant):
    # http.ListenAndServe is inlined into main.main: the address is the Addr field of the
    # http.Server that runtime.newobject returned, passed to (*Server).ListenAndServe
    facts, _ = _facts(gobin / f"httpserver_{variant}")
    assert [(lst.location.function, _shape(lst)) for lst in facts.listeners] == [
        ("main.main", ("Go net/http.Server.ListenAndServe", "tcp", Bind.ALL, "0.0.0.0", 8081))]
    assert _go_info(facts, variant, gobin / f"httpserver_{variant}")["path"] == f"{MODULE}/httpserver"


@pytest.mark.parametrize("variant", VARIANTS)
def test_address_through_own_wrapper(gobin, variant):
    facts, _ = _facts(gobin / f"wrapper_{variant}")
    assert len(facts.listeners) == 1
    lst = facts.listeners[0]
    assert _shape(lst) == ("Go net.Listen", "tcp", Bind.ALL, "0.0.0.0", 7070)
    assert lst.location.function == "main.serve"
    assert lst.via and lst.via.startswith("main.main@0x")


@pytest.mark.parametrize("variant", VARIANTS)
def test_listen_config(gobin, variant):
    # seven argument words: receiver, context (an interface: two), network, address
    facts, _ = _facts(gobin / f"listenconfig_{variant}")
    assert sorted(_shape(lst) for lst in facts.listeners) == [
        ("Go net.ListenConfig.Listen", "tcp", Bind.LOOPBACK, "::1", 6060),
        ("Go net.ListenConfig.ListenPacket", "udp", Bind.SPECIFIC, "192.168.1.10", 6061)]


@pytest.mark.parametrize("variant", VARIANTS)
def test_indirect_call_reports_the_api_with_candidates(gobin, variant):
    facts, _ = _facts(gobin / f"indirect_{variant}")
    assert len(facts.listeners) == 1
    lst = facts.listeners[0]
    assert (lst.api, lst.bind, lst.port) == ("Go net.Listen", Bind.UNKNOWN, None)
    assert "net.Listen is in the binary but no direct call" in lst.reason
    assert "'127.0.0.1:7171'" in lst.evidence  # the string the program passes, as a candidate


@pytest.mark.parametrize("variant", VARIANTS)
def test_client_only_is_not_a_listener(gobin, variant):
    facts, report = _facts(gobin / f"client_{variant}")
    assert facts.listeners == []
    assert [f for f in report.findings if f.listener is not None] == []
    assert _go_info(facts, variant, gobin / f"client_{variant}")["path"] == f"{MODULE}/client"  # still Go


def test_gomobile_shaped_shared_library(gobin):
    # c-shared .so (external linking, PIE: the pclntab lives in .data.rel.ro and its text start is
    # a RELATIVE relocation), scanned the way the APK input scans lib/<abi>/*.so entries
    data = (gobin / "liblisteners_arm64.so").read_bytes()
    img = elf.parse(data)
    assert ".gopclntab" not in img.sections and ".symtab" not in img.sections
    listeners, debug, notes = scan_elf("lib/arm64-v8a/libgojni.so", data)
    assert notes == [] and debug == []
    assert {lst.location.function: _shape(lst) for lst in listeners} == LISTENERS
    assert all(lst.location.file == "lib/arm64-v8a/libgojni.so" for lst in listeners)


@pytest.mark.parametrize("program", ["listeners", "httpserver", "wrapper"])
def test_pclntab_entries_match_go_tool_nm(gobin, program):
    """Differential oracle: the entry addresses read from the pclntab of the STRIPPED binary equal
    the symbol addresses `go tool nm` reads from the symbol table of the unstripped one."""
    from portaudit.inputs.native import go as gomod

    nm = subprocess.run(["go", "tool", "nm", str(gobin / f"{program}_arm64")], check=True,
                        capture_output=True, text=True).stdout
    want = {}
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "T":
            want[parts[2]] = int(parts[0], 16)
    img = elf.parse((gobin / f"{program}_arm64_stripped").read_bytes())
    info = gomod.GoInfo()
    assert gomod.parse_pclntab(img, info) is not None
    names = ["net.Listen", "net.ListenPacket", "runtime.main", "main.main", "net/http.(*Server).ListenAndServe"]
    got = gomod.find_functions(img, names)
    assert "main.main" in got and "runtime.main" in got
    for n, a in got.items():
        assert want[n] == a, n
    # every named function start agrees, not just the few we look up
    checked = 0
    for n, a in list(want.items())[:: max(1, len(want) // 200)]:
        if img.function_name(a) is not None and "[" not in n:  # the pclntab shortens type arguments
            assert img.function_name(a) == n.removesuffix(".abi0")  # the ABI suffix is symtab-only
            checked += 1
    assert checked > 100


def test_classify_listen_strings():
    assert classify_listen("tcp", ":8080")[1:4] == (Bind.ALL, None, 8080)
    assert classify_listen("tcp4", "0.0.0.0:80")[1:4] == (Bind.ALL, "0.0.0.0", 80)
    assert classify_listen("tcp", "[::]:443")[1:4] == (Bind.ALL, "::", 443)
    assert classify_listen("tcp", "localhost:1")[1:4] == (Bind.LOOPBACK, "localhost", 1)
    assert classify_listen("tcp6", "[::1]:22")[1:4] == (Bind.LOOPBACK, "::1", 22)
    assert classify_listen("udp", "10.0.0.2:53")[:4] == ("udp", Bind.SPECIFIC, "10.0.0.2", 53)
    assert classify_listen("unix", "/tmp/s")[:3] == ("unix", Bind.UNIX, "/tmp/s")
    _t, b, _a, _p, why = classify_listen("tcp", "example.com:80")
    assert b is Bind.UNKNOWN and "example.com" in why
    assert classify_listen("tcp", "nonsense")[1] is Bind.UNKNOWN


def test_standard_library_filter():
    assert is_std("net/http.(*Server).ListenAndServe") and is_std("net.Listen") and is_std("runtime.main")
    assert is_std("vendor/golang.org/x/net/http2.F") and is_std("type..eq.[2]runtime.Frame")
    assert is_std("sync/atomic.(*Pointer[example.org/p.T]).Load")
    assert not is_std("main.main") and not is_std("github.com/gin-gonic/gin.(*Engine).Run")
    assert not is_std("golang.org/x/net/http2.(*Server).ServeConn")


@pytest.mark.parametrize("name", ["libserver_arm64_O2.so", "rust_listener", "libserver_x86_64_O2.so"])
def test_non_go_binaries_are_not_go(name):
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "fixtures" / "native" / "bin" / name
    facts, _ = _facts(path)
    assert "go" not in facts.stats and "go" not in facts.app.extra
    assert not any(lst.api.startswith("Go ") for lst in facts.listeners)
