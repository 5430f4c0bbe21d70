"""Known listeners (and known absences) in real third-party DEX / APK files (Debian androguard examples).

No expected value here is copied from the engine: each is derived, in the test, from an
independent oracle, named in a comment: Debian's ``dexdump -d`` (call sites, offsets, the constants
the registers hold, field reads and writes; tests/dex/dexdump.py), the catalogue data files
(which SDK a package prefix belongs to), or the javadoc a catalogue entry cites.
"""

from __future__ import annotations

import functools
import re
import tomllib
import zipfile
from pathlib import Path

import pytest

from portaudit import catalog
from portaudit.inputs.dex import analyze_dex, raw_call_sites
from portaudit.model import Bind
from portaudit.values import classify_literal

from .dexdump import const_of, disassemble, registers, smali

DC4B = "tests/dc4b1bb9d58daa82f29e60f79d5662f731a3351f.37.dex"
CATALOG = Path(catalog.__file__).parent / "android_apis.toml"
PRIMS = {"int": "I", "boolean": "Z", "long": "J", "byte": "B", "short": "S", "char": "C", "void": "V"}


def refs(section: str) -> dict[str, list[str]]:
    """Catalogue id -> the method references as dexdump prints them (from the data file)."""
    data = tomllib.loads(CATALOG.read_text())
    out: dict[str, list[str]] = {}
    for e in data[section]:
        params = "" if e.get("params_any") else "(" + "".join(
            PRIMS.get(p) or catalog.java_to_descriptor(p) for p in e.get("params", [])) + ")"
        ident = e.get("id") or f"{e['class']}.{e['method']}"
        out[ident] = [f"{catalog.java_to_descriptor(c)}.{e['method']}:{params}"
                      for c in [e["class"], *e.get("also_classes", [])]]
    return out


@functools.cache
def _prefixes() -> tuple[tuple[str, str], ...]:
    data = tomllib.loads((CATALOG.parent / "sdks.toml").read_text())
    return tuple(sorted(((p, s["name"]) for s in data["sdk"] for p in s["prefixes"]), key=lambda x: -len(x[0])))


def sdk_of(dotted: str) -> str | None:
    """The SDK whose prefix (catalog/sdks.toml, longest first) names the class."""
    return next((name for p, name in _prefixes() if dotted.startswith(p)), None)


@pytest.fixture(scope="module")
def dc4b_path(androguard_examples) -> Path:
    return androguard_examples / DC4B


@pytest.fixture(scope="module")
def dc4b(dc4b_path):
    return analyze_dex([("classes.dex", dc4b_path.read_bytes())])


def test_facebook_audience_network_proxy_is_loopback(dc4b, dc4b_path):
    dis = disassemble(dc4b_path)
    ref = "Ljava/net/ServerSocket;.<init>:(IILjava/net/InetAddress;)V"
    # dexdump: the only call of that constructor in the Facebook package
    ((cls, meth, pc, text),) = [c for c in dis.calls(ref) if c[0].startswith("com.facebook.ads")]
    body = dis.code(cls, meth)
    _this, port_reg, _backlog, addr_reg = registers(text)
    # dexdump: the address register is the result of InetAddress.getByName(const-string ...)
    (gbn_pc, gbn_text) = next((p, t) for p, t in reversed(body) if p < pc and "InetAddress;.getByName" in t)
    host = const_of(body, gbn_pc, registers(gbn_text)[0])
    assert host == "127.0.0.1" and classify_literal(host)[0] is Bind.LOOPBACK
    port = const_of(body, pc, port_reg)
    (fb,) = [li for li in dc4b.listeners if li.location.class_ == cls]
    assert fb.api == "java.net.ServerSocket(int,int,InetAddress)"
    assert (fb.bind, fb.address, fb.port) == (Bind.LOOPBACK, host, port)
    assert fb.location.method == meth
    assert fb.location.offset == pc
    assert fb.evidence == smali(text)
    assert (fb.origin.kind, fb.origin.sdk) == ("library", sdk_of(cls))


def test_miui_local_server_sockets(dc4b, dc4b_path):
    dis = disassemble(dc4b_path)
    ref = "Landroid/net/LocalServerSocket;.<init>:(Ljava/lang/String;)V"
    sites = dis.calls(ref)  # dexdump: every LocalServerSocket(String) call
    got = {(li.location.class_, li.location.method, li.location.offset): li for li in dc4b.listeners
           if li.bind == Bind.UNIX}
    assert sorted(got) == sorted((c, m, pc) for c, m, pc, _t in sites)
    for cls, meth, pc, _text in sites:
        lst = got[(cls, meth, pc)]
        body = dis.code(cls, meth)
        # dexdump: the name is the result of a static getter that reads a static field ...
        getter = next(t for p, t in reversed(body) if p < pc and t.startswith("invoke-static"))
        gcls, gname = re.search(r"L([^;]+);\.([^:]+):", getter).groups()
        (field_read,) = [t for _p, t in dis.code(gcls.replace("/", "."), f"{gname}()Ljava/lang/String;")
                         if t.startswith("sget-object")]
        fname = re.search(r";\.(\w+):", field_read).group(1)
        # ... written once, in <clinit>, from StringBuilder.toString(): not a constant
        clinit = dis.code(gcls.replace("/", "."), "<clinit>()V")
        writes = [i for i, (_p, t) in enumerate(clinit) if t.startswith("sput-object") and f".{fname}:" in t]
        assert len(writes) == 1 and "StringBuilder;.toString" in clinit[writes[0] - 2][1]
        assert f".{fname} is written with a value not known at" in lst.reason
        assert "<clinit>" in lst.reason and "StringBuilder" in lst.reason
        # dexdump (run()): accept() -> iput mLocalSocket; iget mLocalSocket -> getPeerCredentials
        acc = [p for p, t in body if "LocalServerSocket;.accept:" in t]
        peer = [p for p, t in body if "LocalSocket;.getPeerCredentials:" in t]
        assert acc and peer and acc[0] < peer[0]
        assert lst.guards == ["getPeerCredentials"]
        assert (lst.origin.kind, lst.origin.sdk) == ("library", sdk_of(cls))
    assert len(dc4b.listeners) == len(sites) + 1  # + the Facebook proxy (its own test)


def test_inmobi_webview_debugging(dc4b, dc4b_path):
    dis = disassemble(dc4b_path)
    ((cls, meth, pc, text),) = dis.calls("Landroid/webkit/WebView;.setWebContentsDebuggingEnabled:(Z)V")
    body = dis.code(cls, meth)
    # dexdump: the argument register holds `const/4 v5, #int 1`; the branches before the call test
    # Build.VERSION.SDK_INT, no debug flag
    assert const_of(body, pc, registers(text)[0]) == 1
    assert not [t for _p, t in body if "BuildConfig;.DEBUG" in t or "ApplicationInfo;.flags" in t]
    (d,) = dc4b.debug
    assert (d.kind, d.location.class_, d.location.offset) == ("webview-debugging", cls, pc)
    assert (d.enabled, d.gated) == (True, False)
    assert d.origin.sdk == sdk_of(cls)


def test_dc4b_sdks(dc4b, dc4b_path):
    # dexdump: classes under these SDK prefixes are defined in the file
    dis = disassemble(dc4b_path)
    present = {sdk_of(c) for c in {c for c, _m in dis.methods}} - {None}
    assert {o.sdk for o in dc4b.sdks} >= {"Facebook Audience Network", "InMobi"}
    assert {"Facebook Audience Network", "InMobi"} <= present
    assert dc4b.errors == []


def test_exoplayer_udp_data_source(androguard_examples, tmp_path):
    with zipfile.ZipFile(androguard_examples / "tests/com.example.android.tvleanback.apk") as z:
        names = [n for n in z.namelist() if n.endswith(".dex")]
        dexes = [(n, z.read(n)) for n in names]
    r = analyze_dex(dexes, app_package="com.example.android.tvleanback")
    # dexdump: the DatagramSocket(SocketAddress) / MulticastSocket(SocketAddress) calls of the APK
    sites = []
    for name, blob in dexes:
        p = tmp_path / name
        p.write_bytes(blob)
        dis = disassemble(p)
        for api in ("java.net.DatagramSocket(SocketAddress)", "java.net.MulticastSocket(SocketAddress)"):
            for c, m, pc, _t in (x for ref in refs("listener")[api] for x in dis.calls(ref)):
                sites.append((api, c, m, pc))
                body = dis.code(c, m)
                # the argument is read from field socketAddress, written in the same method from
                # new InetSocketAddress(InetAddress.getByName(uri.getHost()), uri.getPort())
                assert any("iget-object" in t and ".socketAddress:" in t for p_, t in body if p_ < pc)
                assert any("iput-object" in t and ".socketAddress:" in t for _p, t in body)
                assert any("Uri;.getHost:" in t for _p, t in body)
    got = sorted((li.api, li.location.class_, li.location.method, li.location.offset) for li in r.listeners)
    assert got == sorted(sites) and len(got) == 2
    for li in r.listeners:
        assert li.bind is Bind.UNKNOWN and li.transport == "udp"
        assert ".UdpDataSource.socketAddress is written with a value not known at" in li.reason
        assert (li.origin.kind, li.origin.sdk) == ("library", sdk_of(li.location.class_))


@pytest.mark.parametrize("name", ["okhttp.d8.038.dex", "okhttp.d8.039.dex", "okhttp.dx.038.dex",
                                  "okhttp.dx.039.dex"])
def test_okhttp_has_peer_checks_but_no_listener(androguard_examples, name):
    path = androguard_examples / "tests" / name
    blob = path.read_bytes()
    r = analyze_dex([(name, blob)])
    assert r.listeners == [] and r.debug == [] and r.errors == []
    # dexdump: which catalogue entries (any section) okhttp calls; none is a listener API
    dis = disassemble(path)
    called = {api for section in ("listener", "debug", "address", "guard")
              for api, rs in refs(section).items() if any(dis.calls(x) for x in rs)}
    assert {s[3] for s in raw_call_sites([(name, blob)])} == called
    assert called and not called & set(refs("listener"))


def test_fdroid_dex(androguard_examples):
    for p in sorted((androguard_examples / "tests" / "fdroid").glob("*.dex")):
        r = analyze_dex([(p.name, p.read_bytes())])
        assert r.errors == [] and r.debug == []
        dis = disassemble(p)
        # dexdump: every call of a catalogue listener API in the file
        sites = sorted((api, c, m, pc) for api, rs in refs("listener").items()
                       for ref in rs for c, m, pc, _t in dis.calls(ref))
        got = sorted((li.api, li.location.class_, li.location.method, li.location.offset) for li in r.listeners)
        assert got == sites, p.name
        for li in r.listeners:
            # AndStatus ships a shaded Apache HttpCore HttpServer: dexdump shows the address and
            # port read from fields set in the constructor from ServerBootstrap's fields, which only
            # its setters setLocalAddress / setListenerPort write, and nothing calls those setters
            assert li.location.class_.endswith(".impl.bootstrap.HttpServer")
            for setter in ("setLocalAddress", "setListenerPort"):
                assert not [c for c in dis.calls(f"ServerBootstrap;.{setter}:")], setter
            assert li.bind is Bind.UNKNOWN
            assert ".HttpServer.ifAddress is written with a value not known" in li.reason
            (w,) = [h for h in li.flow if h.role == "field-write" and h.location.method.startswith("setLocalAddress(")]
            assert "no caller found" in w.note
            assert (li.origin.kind, li.origin.sdk) == ("library", sdk_of(li.location.class_))
    assert sum(1 for _ in (androguard_examples / "tests" / "fdroid").glob("*.dex")) == 4
