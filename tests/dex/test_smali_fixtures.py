"""Dataflow on small smali programs (tests/dex/smali, rebuilt by tests/dex/build.sh).

Every expected value below is read off the smali source named in the test (the oracle), or off
Debian's dexdump for offsets and instructions; the meaning of null addresses follows the javadoc
the catalogue entry cites."""

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
    got = sorted((li.api, li.bind, li.port) for li in by_method(smali_result.listeners, L, "inCatch("))
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
        # javadoc InetAddress.getByName: a null host is "an address of the loopback interface"
        assert lst.reason == "a null host is the loopback address (javadoc InetAddress.getByName)"
    elif method == "nullAddress(":
        # javadoc ServerSocket(int,int,InetAddress): "If bindAddr is null, it will default
        # accepting connections on any/all local addresses"
        assert "null" in lst.reason and "all-interfaces" in lst.reason
    elif method == "bindNull(":
        # javadoc ServerSocket.bind: null -> "an ephemeral port and a valid local address"
        assert "null socket address" in lst.reason
    elif bind != Bind.UNKNOWN:
        assert lst.reason is None


def test_branch_is_conditional(smali_result):
    (lst,) = by_method(smali_result.listeners, L, "branch(")
    assert lst.bind == Bind.CONDITIONAL
    assert lst.alternatives == ["all-interfaces", "loopback"]
    assert lst.port == 7002


def test_unknown_reasons(smali_result):
    # Fields.smali: `host` is an instance field that no instruction of the app writes
    (f,) = by_method(smali_result.listeners, "com.example.pa.Fields", "fromField(")
    assert f.bind == Bind.UNKNOWN and f.port == 7003
    assert f.reason.startswith("field com.example.pa.Fields.host is never written by the app's code")
    # Fields.smali: pickPort() is `const/16 v0, 0x50; return v0`: the call is followed
    (c,) = by_method(smali_result.listeners, "com.example.pa.Fields", "fromCall(")
    assert (c.bind, c.port, c.reason) == (Bind.ALL, 0x50, None)
    assert [(h.role, h.location.method) for h in c.flow[1:]] == [("return", "pickPort()I")]


def test_wrapper_reported_at_the_api_call_once_per_caller(smali_result):
    """Wrapper.smali: open(int, String) calls new ServerSocket(p0, 0, getByName(p1)); callers() calls
    it twice, two/Remote.smali (classes2.dex) once.  The location is the API call in open(); each
    caller is its own listener whose flow ends at that caller."""
    via = "Lcom/example/pa/Wrapper;->open(ILjava/lang/String;)Ljava/net/ServerSocket;"
    found = [li for li in smali_result.listeners if li.via == via]
    got = sorted((li.flow[-1].location.file, li.flow[-1].location.class_, li.flow[-1].location.offset,
                  li.bind.value, li.address, li.port) for li in found)
    assert got == [
        ("classes.dex", "com.example.pa.Wrapper", 0x4, "all-interfaces", "0.0.0.0", 5555),
        ("classes.dex", "com.example.pa.Wrapper", 0xB, "loopback", "127.0.0.1", 6666),
        # the caller lives in the other DEX file
        ("classes2.dex", "com.example.pa.two.Remote", 0x4, "loopback", "::1", 8000),
    ]
    for li in found:
        assert (li.location.class_, li.location.method) == ("com.example.pa.Wrapper", "open(ILjava/lang/String;)"
                                                         "Ljava/net/ServerSocket;")
        assert [h.role for h in li.flow] == ["api", "caller"]
        assert li.flow[0].location == li.location
        assert li.flow[-1].location.snippet.startswith("invoke-static")


def test_wrapper_without_caller(smali_result):
    (o,) = by_method(smali_result.listeners, "com.example.pa.Wrapper", "orphan(")
    assert o.port is None and o.via is None
    assert o.reason == "parameter of Lcom/example/pa/Wrapper;->orphan(I)V, no caller found"


def test_subclass_super_constructor(smali_result):
    """MyServer.smali: <init>(I) calls NanoHTTPD.<init>(I) with p1; launch() calls new MyServer(0x22b8)."""
    (s,) = [li for li in smali_result.listeners if li.api == "NanoHTTPD(int)" and
            li.location.class_ == "com.example.pa.MyServer"]
    assert s.location.method == "<init>(I)V"
    assert (s.bind, s.port) == (Bind.ALL, 8888)
    assert s.via == "Lcom/example/pa/MyServer;-><init>(I)V"
    assert (s.flow[-1].role, s.flow[-1].location.method) == ("caller", "launch()V")


def test_library_internals_suppressed(smali_result):
    # NanoHTTPD.start() binds from fields; the app's use of the library is reported instead
    assert not [li for li in smali_result.listeners if li.location.class_ == "fi.iki.elonen.NanoHTTPD"]


def test_guards(smali_result):
    # Unix.smali: serve() hands the socket it accepts to Unix$Handler.check, which reads its peer
    # credentials; serveOther() in the same class accepts and never checks
    (u,) = by_method(smali_result.listeners, "com.example.pa.Unix", "serve(")
    assert u.guards == ["getPeerCredentials"]
    assert u.address == "@pa_guarded"
    (other,) = by_method(smali_result.listeners, "com.example.pa.Unix", "serveOther(")
    assert other.guards == []
    (t,) = by_method(smali_result.listeners, "com.example.pa.Tls", "serve(")
    assert t.guards == ["setNeedClientAuth"]
    (off,) = by_method(smali_result.listeners, "com.example.pa.TlsOff", "serve(")
    assert off.guards == []  # setNeedClientAuth(false) is no guard
    (plain,) = by_method(smali_result.listeners, L, "unixSocket(")
    assert plain.guards == []


def test_negatives_stay_quiet(smali_result):
    assert not [li for li in smali_result.listeners if li.location.class_ == "com.example.pa.Negatives"]
    # new ServerSocket() alone is not a listener, its bind() is
    for li in smali_result.listeners:
        assert "-><init>()V" not in (li.evidence or "")


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
    # NanoHTTPD.smali (fi.iki.elonen) and shaded/NanoHTTPD.smali (com.adtech.): sdks.toml prefixes
    assert {(o.kind, o.sdk, o.package) for o in smali_result.sdks} == {
        ("library", "NanoHTTPD", "fi.iki.elonen"), ("library", "AOL AdTech", "com.adtech")}
    assert smali_result.errors == []
    st = smali_result.stats
    # 15 classes in main/ (shaded/ and fake/ included) + 1 in second/ (the .smali files)
    assert st["dex_files"] == 2 and st["classes"] == 17 and st["call_sites"] > 0


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
    for li in smali_result.listeners:
        if li.location.file != "classes.dex":
            continue
        ours = li.evidence.replace("->", ".")
        m = re.search(r"\{v(\d+) \.\. v(\d+)\}", ours)  # smali range form; dexdump lists registers
        if m:
            regs = ", ".join(f"v{i}" for i in range(int(m[1]), int(m[2]) + 1))
            ours = ours[: m.start()] + "{" + regs + "}" + ours[m.end():]
        ours = ours[: ours.rindex("(")] + ":" + ours[ours.rindex("("):]
        assert ours in lines, ours
        assert li.location.offset in lines[ours]
        checked += 1
    assert checked >= 20


def test_shaded_library_by_simple_name(smali_result):
    # Shaded.smali calls new com.adtech...cache.NanoHTTPD(0x238c); shaded/NanoHTTPD.smali binds a
    # ServerSocket itself, so it is that server (its own bind is library internals)
    (s,) = by_method(smali_result.listeners, "com.example.pa.Shaded", "start(")
    assert (s.api, s.bind, s.port) == ("NanoHTTPD(int)", Bind.ALL, 9100)
    assert "Lcom/adtech/mobilesdk/publisher/cache/NanoHTTPD;-><init>(I)V" in s.evidence
    assert not [li for li in smali_result.listeners if "adtech" in li.location.class_]


def test_a_class_named_like_a_server_is_not_one(smali_result):
    # fake/NanoHTTPD.smali: a class called NanoHTTPD that opens no socket; make() constructs it
    assert not [li for li in smali_result.listeners if li.location.class_.startswith("com.example.pa.fake")]
