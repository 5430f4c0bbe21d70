"""Real server-library bytecode (Debian's Netty 4.1, Jetty 9.4, MINA 2.2 jars, dexed by dx together
with a small app that uses them): the app's listener call sites are found with the right bind and
port, and the calls inside the library follow the catalogue's library-internals rule."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from portaudit.model import Bind
from tests.fixtures import Case, diff_listeners

from .conftest import ALL, APPS, HERE, ROOT, expected

ORACLE = ROOT / "tests" / "dex" / "androguard_oracle.py"


def _case(app: str) -> Case:
    return Case(app, HERE / "apps" / app, expected(app))


def test_manifest_names_the_real_jars(realibs):
    man = json.loads((realibs / "manifest.json").read_text())
    assert set(man) == set(ALL)
    assert "netty-transport.jar" in man["netty"]["libraries"]
    assert "jetty9-server.jar" in man["jetty"]["libraries"]
    assert man["mina"]["libraries"] == ["mina2-core.jar"]


@pytest.mark.parametrize("app", APPS)
def test_library_bytecode_is_in_the_dex(analysed, app):
    """The DEX holds the library's real code (hundreds of classes), not a stub: the library's own
    socket calls are among the raw call sites."""
    res, raw = analysed[app]
    assert res.errors == []
    assert res.stats["classes"] > 400
    sites = {(api, cls, m.split("(")[0]) for _l, cls, m, api, _pc in raw}
    for s in expected(app)["internal_sites"]:
        assert (s["api"], s["class"], s["method"]) in sites, s


@pytest.mark.parametrize("app", APPS)
def test_app_listeners(analysed, app):
    """Exactly the app's call sites, with bind / address / port; origin = app code, naming the
    library it calls (issue 17: its profile matched the library's classes in the DEX)."""
    res, _raw = analysed[app]
    assert diff_listeners(_case(app), res.listeners) == []
    for lst in res.listeners:
        assert lst.origin.kind == "app" and lst.origin.sdk == expected(app)["sdk"]
        assert lst.evidence.startswith("invoke-")


@pytest.mark.parametrize("app", APPS)
def test_library_internals_suppressed_when_the_app_calls_the_entry_point(analysed, app):
    """The bind calls inside the library (Netty's NioServerSocketChannel.doBind, Jetty's
    ServerConnector.openAcceptChannel, MINA's NioSocketAcceptor.open, ...) serve the app's own
    call, which is what gets reported: none of them is a finding of its own."""
    res, _raw = analysed[app]
    internal = {s["class"] for s in expected(app)["internal_sites"]}
    assert not [li for li in res.listeners if li.location.class_ in internal]
    assert all(li.location.class_.startswith("org.realibs.") for li in res.listeners)


@pytest.mark.parametrize("app", APPS)
def test_sdk_of_the_library(analysed, app):
    res, _raw = analysed[app]
    want = expected(app)["sdk"]
    names = {o.sdk for o in res.sdks}
    assert want in names


def test_netty_internals_reported_without_app_code(analysed):
    """Netty alone (no app calling it): its own bind calls are library listeners named Netty,
    with the address unknown (a parameter nobody in the DEX supplies)."""
    res, _raw = analysed["netty-only"]
    assert res.errors == []
    by = {(li.api, li.location.class_, li.location.method.split("(")[0]): li for li in res.listeners}
    nio = by[("java.nio.channels.ServerSocketChannel.bind(SocketAddress,int)",
              "io.netty.channel.socket.nio.NioServerSocketChannel", "doBind")]
    assert nio.bind == Bind.UNKNOWN and nio.port is None
    assert "no caller found" in nio.reason
    for lst in res.listeners:
        assert (lst.origin.kind, lst.origin.sdk, lst.origin.package) == ("library", "Netty", "io.netty")


def test_port_parameter_inside_socket_address_has_a_reason(analysed):
    """Regression: AbstractBootstrap.bind(int) wraps its parameter in new InetSocketAddress(port);
    with no caller the port is unknown and the reason must say so (it was None)."""
    res, _raw = analysed["netty-only"]
    (b,) = [li for li in res.listeners if li.location.class_ == "io.netty.bootstrap.AbstractBootstrap"
            and li.location.method.startswith("bind(I)")]
    assert (b.bind, b.port) == (Bind.ALL, None)
    assert b.reason and "parameter of" in b.reason and "no caller found" in b.reason


def test_scan_pipeline_on_the_jars(realibs):
    """The whole pipeline (jar target -> DEX engine -> rules) on the real-library jars."""
    from portaudit import scan

    rep = scan.run([str(realibs / f"{a}.jar") for a in APPS])
    assert [t.errors for t in rep.targets] == [[], [], []]
    got = sorted((f.listener.api, f.listener.bind.value, f.listener.port, f.rule)
                 for f in rep.findings if f.listener is not None)
    assert got == sorted([
        ("Netty ServerBootstrap.bind(int)", "all-interfaces", 8080, "listener-all-interfaces"),
        ("Netty ServerBootstrap.bind(String,int)", "loopback", 9300, "listener-loopback-unchecked"),
        ("Netty ServerBootstrap.bind(SocketAddress)", "all-interfaces", 9301, "listener-all-interfaces"),
        ("Jetty Server(int)", "all-interfaces", 8181, "listener-all-interfaces"),
        ("Jetty ServerConnector.setPort(int)", "loopback", 8182, "listener-loopback-unchecked"),
        ("Apache MINA IoAcceptor.bind(SocketAddress)", "all-interfaces", 9123, "listener-all-interfaces"),
        ("Apache MINA DatagramAcceptor.bind(SocketAddress)", "loopback", 9124, "listener-loopback-unchecked"),
    ])


def test_raw_call_sites_match_androguard(analysed, realibs, tmp_path):
    """Differential: every catalogue call site in app + library code equals androguard 4.1.4's xrefs."""
    out = tmp_path / "out.json"
    jars = [str(realibs / f"{a}.jar") for a in ALL]
    r = subprocess.run([sys.executable, str(ORACLE), str(out), *jars], check=False, cwd=tmp_path,
                       capture_output=True,
                       env={**os.environ, "PYTHONWARNINGS": "ignore"}, timeout=600)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-2000:]
    theirs = json.loads(out.read_text())
    total = 0
    for app, jar in zip(ALL, jars, strict=True):
        ours = {(c, m, api, pc) for _l, c, m, api, pc in analysed[app][1]}
        want = {tuple(x) for x in theirs[jar]}
        assert ours == want, (app, sorted(ours - want)[:5], sorted(want - ours)[:5])
        total += len(ours)
    assert total >= 100
