"""Dataflow on small smali programs (tests/dex/smali, rebuilt by tests/dex/build.sh)."""

from __future__ import annotations

import re

import pytest

from portaudit.model import Bind

from .conftest import by_method

L = "com.example.pa.Listeners"

CASES = [
    # method, api, bind, address, port
    ("noAddress(", "java.net.ServerSocket(int)", Bind.ALL, None, 8080),
    ("nullAddress(", "java.net.ServerSocket(int,int,InetAddress)", Bind.ALL, None, 8081),
    ("anyString(", "java.net.ServerSocket(int,int,InetAddress)", Bind.ALL, "0.0.0.0", 8082),
    ("anyV6(", "java.net.ServerSocket(int,int,InetAddress)", Bind.ALL, "::", 8083),
    ("localhost(", "java.net.ServerSocket(int,int,InetAddress)", Bind.LOOPBACK, "localhost", 8084),
    ("loopbackApi(", "java.net.ServerSocket(int,int,InetAddress)", Bind.LOOPBACK, None, 8085),
    ("localHostApi(", "java.net.ServerSocket(int,int,InetAddress)", Bind.SPECIFIC, None, 8086),
    ("specific(", "java.net.ServerSocket(int,int,InetAddress)", Bind.SPECIFIC, "192.168.1.5", 8087),
    ("zeroBytes(", "java.net.ServerSocket(int,int,InetAddress)", Bind.ALL, "0.0.0.0", 8088),
    ("loopbackBytes(", "java.net.ServerSocket(int,int,InetAddress)", Bind.LOOPBACK, "127.0.0.1", 8089),
    ("aputBytes(", "java.net.ServerSocket(int,int,InetAddress)", Bind.SPECIFIC, "10.0.0.0", 8090),
    ("bindPort(", "java.net.ServerSocket.bind(SocketAddress)", Bind.ALL, None, 9000),
    ("bindHost(", "java.net.ServerSocket.bind(SocketAddress)", Bind.LOOPBACK, "127.0.0.1", 9001),
    ("bindNull(", "java.net.ServerSocket.bind(SocketAddress)", Bind.ALL, None, 0),
    ("channelBind(", "java.nio.channels.ServerSocketChannel.bind(SocketAddress)", Bind.LOOPBACK, None, 9002),
    ("udp(", "java.net.DatagramSocket(int)", Bind.ALL, None, 5353),
    ("staticFields(", "java.net.ServerSocket(int,int,InetAddress)", Bind.LOOPBACK, "127.0.0.1", 7000),
    ("clinitField(", "java.net.ServerSocket(int,int,InetAddress)", Bind.ALL, "0.0.0.0", 7001),
    ("unixSocket(", "android.net.LocalServerSocket(String)", Bind.UNIX, "@pa_control", None),
    # InetAddress.getByName(null) is the loopback address (Javadoc), unlike a null bind address
    ("nullHostName(", "java.net.ServerSocket(int,int,InetAddress)", Bind.LOOPBACK, None, 8091),
    ("rangeInvoke(", "java.net.ServerSocket(int,int,InetAddress)", Bind.ALL, "0.0.0.0", 8092),
]


def test_call_sites_in_try_and_catch_handler(smali_result):
    got = sorted((l.api, l.bind, l.port) for l in by_method(smali_result.listeners, L, "inCatch("))
    assert got == [("java.net.ServerSocket(int)", Bind.ALL, 8093),
                   ("java.net.ServerSocket(int,int,InetAddress)", Bind.LOOPBACK, 8093)]


def test_range_invoke_evidence(smali_result):
    (r,) = by_method(smali_result.listeners, L, "rangeInvoke(")
    assert r.evidence == ("invoke-direct/range {v0 .. v3}, "
                          "Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V")


@pytest.mark.parametrize("method,api,bind,address,port", CASES, ids=[c[0].rstrip("(") for c in CASES])
def test_address_shapes(smali_result, method, api, bind, address, port):
    found = by_method(smali_result.listeners, L, method)
    assert len(found) == 1, found
    lst = found[0]
    assert (lst.api, lst.bind, lst.address, lst.port) == (api, bind, address, port)
    assert lst.location.file == "classes.dex"
    assert lst.origin.kind == "app"
    assert lst.evidence.startswith("invoke-")
    if method == "localHostApi(":
        assert lst.reason == ("InetAddress.getLocalHost() resolves the device host name; "
                              "not loopback on most devices")
    elif method == "nullHostName(":
        assert lst.reason == "InetAddress.getByName(null) is the loopback address"
    elif bind != Bind.UNKNOWN:
        assert lst.reason is None


def test_branch_is_conditional(smali_result):
    (lst,) = by_method(smali_result.listeners, L, "branch(")
    assert lst.bind == Bind.CONDITIONAL
    assert lst.alternatives == ["all-interfaces", "loopback"]
    assert lst.port == 7002


def test_unknown_reasons(smali_result):
    (f,) = by_method(smali_result.listeners, "com.example.pa.Fields", "fromField(")
    assert f.bind == Bind.UNKNOWN and f.port == 7003
    assert f.reason == "address comes from field Lcom/example/pa/Fields;->host"
    (c,) = by_method(smali_result.listeners, "com.example.pa.Fields", "fromCall(")
    assert c.bind == Bind.ALL and c.port is None
    assert "pickPort" in c.reason


def test_wrapper_reported_at_each_caller(smali_result):
    via = "Lcom/example/pa/Wrapper;->open(ILjava/lang/String;)Ljava/net/ServerSocket;"
    got = sorted((l.location.file, l.location.class_, l.bind.value, l.address, l.port)
                 for l in smali_result.listeners if l.via == via)
    assert got == [
        ("classes.dex", "com.example.pa.Wrapper", "all-interfaces", "0.0.0.0", 5555),
        ("classes.dex", "com.example.pa.Wrapper", "loopback", "127.0.0.1", 6666),
        # the caller lives in the other DEX file
        ("classes2.dex", "com.example.pa.two.Remote", "loopback", "::1", 8000),
    ]
    # nothing is reported inside the wrapper itself
    assert not by_method(smali_result.listeners, "com.example.pa.Wrapper", "open(")


def test_wrapper_without_caller(smali_result):
    (o,) = by_method(smali_result.listeners, "com.example.pa.Wrapper", "orphan(")
    assert o.port is None and o.via is None
    assert o.reason == "parameter of Lcom/example/pa/Wrapper;->orphan(I)V, no caller found"


def test_subclass_super_constructor(smali_result):
    (s,) = by_method(smali_result.listeners, "com.example.pa.MyServer", "launch(")
    assert s.api == "NanoHTTPD(int)"
    assert (s.bind, s.port) == (Bind.ALL, 8888)
    assert s.via == "Lcom/example/pa/MyServer;-><init>(I)V"


def test_library_internals_suppressed(smali_result):
    # NanoHTTPD.start() binds from fields; the app's use of the library is reported instead
    assert not [l for l in smali_result.listeners if l.location.class_ == "fi.iki.elonen.NanoHTTPD"]


def test_guards(smali_result):
    (u,) = by_method(smali_result.listeners, "com.example.pa.Unix", "serve(")
    assert u.guards == ["getPeerCredentials"]  # checked in the inner class Unix$Handler
    assert u.address == "@pa_guarded"
    (t,) = by_method(smali_result.listeners, "com.example.pa.Tls", "serve(")
    assert t.guards == ["setNeedClientAuth"]
    (off,) = by_method(smali_result.listeners, "com.example.pa.TlsOff", "serve(")
    assert off.guards == []  # setNeedClientAuth(false) is no guard
    (plain,) = by_method(smali_result.listeners, L, "unixSocket(")
    assert plain.guards == []


def test_negatives_stay_quiet(smali_result):
    assert not [l for l in smali_result.listeners if l.location.class_ == "com.example.pa.Negatives"]
    # new ServerSocket() alone is not a listener, its bind() is
    for l in smali_result.listeners:
        assert "-><init>()V" not in (l.evidence or "")


def test_debug_services(smali_result):
    got = {d.location.method.split("(")[0]: (d.kind, d.enabled, d.gated) for d in smali_result.debug}
    assert got == {
        "always": ("webview-debugging", True, False),
        "off": ("webview-debugging", False, False),
        "buildConfig": ("webview-debugging", True, True),
        "flags": ("webview-debugging", None, True),
        "stetho": ("stetho", True, False),
    }


def test_sdks_and_stats(smali_result):
    assert {(o.kind, o.sdk, o.package) for o in smali_result.sdks} == {("library", "NanoHTTPD", "fi.iki.elonen")}
    assert smali_result.errors == []
    st = smali_result.stats
    assert st["dex_files"] == 2 and st["classes"] == 15 and st["call_sites"] > 0


def test_evidence_matches_dexdump(smali_result, tmp_path):
    """The rendered invoke equals Debian dexdump's disassembly of the same instruction."""
    import shutil
    import subprocess

    from .conftest import SMALI

    if shutil.which("dexdump") is None:
        pytest.fail("dexdump (Debian package dexdump) is required")
    out = subprocess.run(["dexdump", "-d", str(SMALI / "main.dex")], capture_output=True, text=True,
                         check=True).stdout
    lines = {}
    for line in out.splitlines():
        if "|" in line and ": invoke-" in line:
            ins = line.split("|", 1)[1]
            pc = int(ins.split(":", 1)[0], 16)
            text = ins.split(": ", 1)[1].split(" // ")[0].strip()
            lines.setdefault(text, set()).add(pc)
    checked = 0
    for l in smali_result.listeners:
        if l.location.file != "classes.dex":
            continue
        ours = l.evidence.replace("->", ".")
        m = re.search(r"\{v(\d+) \.\. v(\d+)\}", ours)  # smali range form; dexdump lists registers
        if m:
            regs = ", ".join(f"v{i}" for i in range(int(m[1]), int(m[2]) + 1))
            ours = ours[: m.start()] + "{" + regs + "}" + ours[m.end():]
        ours = ours[: ours.rindex("(")] + ":" + ours[ours.rindex("("):]
        assert ours in lines, ours
        assert l.location.offset in lines[ours]
        checked += 1
    assert checked >= 20


def test_shaded_library_by_simple_name(smali_result):
    (s,) = by_method(smali_result.listeners, "com.example.pa.Shaded", "start(")
    assert (s.api, s.bind, s.port) == ("NanoHTTPD(int)", Bind.ALL, 9100)
    assert "Lcom/adtech/mobilesdk/publisher/cache/NanoHTTPD;-><init>(I)V" in s.evidence
