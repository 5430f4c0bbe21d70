"""Known listeners (and known absences) in real third-party DEX / APK files (Debian androguard examples)."""

from __future__ import annotations

import zipfile

import pytest

from portaudit.inputs.dex import analyze_dex, raw_call_sites
from portaudit.model import Bind

DC4B = "tests/dc4b1bb9d58daa82f29e60f79d5662f731a3351f.37.dex"


@pytest.fixture(scope="module")
def dc4b(androguard_examples):
    return analyze_dex([("classes.dex", (androguard_examples / DC4B).read_bytes())])


def test_facebook_audience_network_proxy_is_loopback(dc4b):
    (fb,) = [l for l in dc4b.listeners if l.location.class_ == "com.facebook.ads.internal.i.b.f"]
    # new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1")): the video proxy cache
    assert fb.api == "java.net.ServerSocket(int,int,InetAddress)"
    assert (fb.bind, fb.address, fb.port) == (Bind.LOOPBACK, "127.0.0.1", 0)
    assert fb.location.method == "<init>(Lcom/facebook/ads/internal/i/b/c;)V"
    assert fb.location.offset == 0x2D
    assert fb.evidence == ("invoke-direct {v1, v2, v3, v0}, "
                           "Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V")
    assert (fb.origin.kind, fb.origin.sdk, fb.origin.package) == (
        "library", "Facebook Audience Network", "com.facebook.ads")


def test_miui_local_server_sockets(dc4b):
    unix = sorted((l.location.class_, l.location.method) for l in dc4b.listeners if l.bind == Bind.UNIX)
    assert unix == [
        ("com.miui.networkassistant.firewall.impl.XiaomiFirewall$FirewallServerSocketThread", "run()V"),
        ("com.miui.networkassistant.service.tm.SocketTaggerManager$SocketTaggerServerThread", "run()V"),
    ]
    for l in dc4b.listeners:
        if l.bind == Bind.UNIX:
            # the name is built at run time (StringBuilder in <clinit>): reported as a field
            assert l.reason.startswith("socket name comes from field Lcom/miui/")
            assert l.guards == ["getPeerCredentials"]
    assert len(dc4b.listeners) == 3


def test_inmobi_webview_debugging(dc4b):
    (d,) = dc4b.debug
    assert d.kind == "webview-debugging"
    assert d.location.class_ == "com.inmobi.rendering.RenderView"
    # const/4 v5, 1 ... setWebContentsDebuggingEnabled(v5), only behind an SDK_INT check
    assert (d.enabled, d.gated) == (True, False)
    assert d.origin.sdk == "InMobi"


def test_dc4b_sdks(dc4b):
    assert {o.sdk for o in dc4b.sdks} >= {"Facebook Audience Network", "InMobi"}
    assert dc4b.errors == []


def test_exoplayer_udp_data_source(androguard_examples):
    with zipfile.ZipFile(androguard_examples / "tests/com.example.android.tvleanback.apk") as z:
        dexes = [(n, z.read(n)) for n in z.namelist() if n.endswith(".dex")]
    r = analyze_dex(dexes, app_package="com.example.android.tvleanback")
    got = sorted((l.api, l.location.method, l.bind.value) for l in r.listeners)
    assert got == [
        ("java.net.DatagramSocket(SocketAddress)", "open(Lcom/google/android/exoplayer2/upstream/DataSpec;)J",
         "unknown"),
        ("java.net.MulticastSocket(SocketAddress)", "open(Lcom/google/android/exoplayer2/upstream/DataSpec;)J",
         "unknown"),
    ]
    for l in r.listeners:
        assert l.location.class_ == "com.google.android.exoplayer2.upstream.UdpDataSource"
        assert l.transport == "udp"
        assert l.reason == "address comes from field Lcom/google/android/exoplayer2/upstream/UdpDataSource;->socketAddress"
        assert (l.origin.kind, l.origin.sdk) == ("library", "ExoPlayer")


@pytest.mark.parametrize("name", ["okhttp.d8.038.dex", "okhttp.d8.039.dex", "okhttp.dx.038.dex",
                                  "okhttp.dx.039.dex"])
def test_okhttp_has_peer_checks_but_no_listener(androguard_examples, name):
    blob = (androguard_examples / "tests" / name).read_bytes()
    r = analyze_dex([(name, blob)])
    assert r.listeners == [] and r.debug == [] and r.errors == []
    apis = {s[3] for s in raw_call_sites([(name, blob)])}
    # okhttp resolves addresses and reads the peer of its client sockets; it never listens
    assert apis == {"java.net.InetAddress.getAllByName", "java.net.InetAddress.getByAddress",
                    "java.net.InetSocketAddress(InetAddress,int)", "java.net.InetSocketAddress.createUnresolved",
                    "java.net.Socket.getRemoteSocketAddress"}
    assert not {a for a in apis if "ServerSocket" in a or "Datagram" in a}


def test_fdroid_dex(androguard_examples):
    results = {}
    for p in sorted((androguard_examples / "tests" / "fdroid").glob("*.dex")):
        r = analyze_dex([(p.name, p.read_bytes())])
        assert r.errors == []
        results[p.name] = sorted((l.location.class_, l.api, l.bind.value) for l in r.listeners)
        assert r.debug == []
    assert results == {
        "cat.mvmike.minimalcalendarwidget_17.dex": [],
        "com.example.trigger_130.dex": [],
        "net.eneiluj.nextcloud.phonetrack_2.dex": [],
        # AndStatus ships a shaded Apache HttpCore HttpServer: bind address from a field
        "org.andstatus.app_254.dex": [
            ("cz.msebera.android.httpclient.impl.bootstrap.HttpServer",
             "javax.net.ServerSocketFactory.createServerSocket(int,int,InetAddress)", "unknown"),
        ],
    }
