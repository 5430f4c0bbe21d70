"""Real third-party trees from npm and PyPI (pinned in scripts/third-party.lock): mobile server
modules with their Android (Java) and iOS (Objective-C) code, node frameworks, Python servers.  The
expected facts come from reading their code (lines cited); the last test is the issue's done-when
check: no HIGH finding comes from a name-only match."""

from __future__ import annotations

from pathlib import Path

import pytest

from portaudit import rules

from .helpers import scan


def _at(facts, rel: str, line: int) -> list:
    return [x for x in facts.listeners if x.location.file == rel and x.location.line == line]


def test_cordova_httpd_android_follows_the_plugin_options(source_inputs):
    """cordova-plugin-httpd 0.9.3, src/android: CorHttpd.java reads ``port = options.optInt("port",
    8888)`` (line 103; the field starts at 8888, line 42) and, when localhost_only, makes
    ``new InetSocketAddress(InetAddress.getByAddress(new byte[]{127,0,0,1}), port)`` (line 149) for
    ``new WebServer(localAddr, f)``, else ``new WebServer(port, f)`` (line 152).  WebServer passes
    both to the plugin's own copy of NanoHTTPD: ``myServerSocket.bind(localAddr)`` (NanoHTTPD.java
    line 231) and ``new ServerSocket(myTcpPort)`` after ``myTcpPort = port`` (lines 255-257).
    NanoHTTPD.main (a command-line harness) also calls the second constructor with a port parsed from
    its arguments."""
    facts = scan(source_inputs / "cordova-plugin-httpd" / "src" / "android")
    (bound,) = _at(facts, "NanoHTTPD.java", 231)
    assert (bound.bind.value, bound.address, bound.port) == ("loopback", "127.0.0.1", 8888)
    assert bound.configurable.startswith("JSONObject.optInt 'port'")
    assert [h.location.file for h in bound.flow if h.role == "caller"] == ["CorHttpd.java"]
    opened = _at(facts, "NanoHTTPD.java", 257)
    assert sorted((x.bind.value, x.port or 0) for x in opened) == [("all-interfaces", 0), ("all-interfaces", 8888)]
    from_plugin = next(x for x in opened if x.port == 8888)
    assert {h.location.file for h in from_plugin.flow} >= {"WebServer.java", "CorHttpd.java"}
    assert len(facts.listeners) == 3


def test_react_native_http_bridge_port_comes_from_javascript(source_inputs):
    """react-native-http-bridge 0.6.1: Server extends NanoHTTPD and calls ``super(port)`` (Server.java
    line 28): every interface (NanoHTTPD(int) = this(null, port)); the port is the argument of
    HttpServerModule.start, a @ReactMethod that JavaScript calls (httpServer.js)."""
    facts = scan(source_inputs / "react-native-http-bridge" / "android")
    (x,) = _at(facts, "src/main/java/me/alwx/HttpServer/Server.java", 28)
    assert (x.api, x.bind.value, x.port) == ("NanoHTTPD(int)", "all-interfaces", None)
    assert "@ReactMethod" in x.reason


def test_react_native_static_server_two_constructor_calls_and_a_port_probe(source_inputs):
    """react-native-static-server 0.5.0: WebServer extends SimpleWebServer and passes its localAddr to
    ``super(localAddr, port, wwwroot, true, "*")`` (WebServer.java line 11).  FPStaticServerModule
    makes it with "localhost" when localhost_only (line 117) and with __getLocalIpAddress() (line 119),
    the first non-loopback IPv4 address of the device's interfaces -- a LAN address only known at run
    time.  findRandomOpenPort() (line 152) opens ServerSocket(0) only to read getLocalPort() and
    close it: not a listener."""
    facts = scan(source_inputs / "react-native-static-server" / "android")
    rel = "src/main/java/com/futurepress/staticserver/WebServer.java"
    got = sorted((x.bind.value, x.address or "-") for x in _at(facts, rel, 11))
    assert got == [("loopback", "localhost"), ("unknown", "-")]
    assert not [x for x in facts.listeners if x.location.file.endswith("FPStaticServerModule.java")]


def test_react_native_tcp_socket_native_side_takes_its_options_from_javascript(source_inputs):
    """react-native-tcp-socket 6.4.3, TcpSocketServer.java: ``options.getString("host")`` and
    ``getInt("port")`` of a ReadableMap from JavaScript, then createServerSocket / new ServerSocket
    (lines 45, 49): not known in the Java code, so unknown -- never all-interfaces."""
    facts = scan(source_inputs / "react-native-tcp-socket" / "android")
    rel = "src/main/java/com/asterinet/react/tcpsocket/TcpSocketServer.java"
    assert {(x.location.line, x.bind.value) for x in facts.listeners if x.location.file == rel} == {
        (45, "unknown"), (49, "unknown")}


TREES = ["aiohttp", "flask", "tornado", "twisted", "uvicorn", "bottle", "bandit", "fastify", "express", "koa",
         "@hapi-hapi", "http-server", "react-native-tcp-socket", "react-native-http-bridge",
         "react-native-static-server", "cordova-plugin-httpd"]


@pytest.mark.parametrize("tree", TREES)
def test_no_high_finding_from_a_name_only_match(source_inputs, tree):
    """Every HIGH finding on a real tree is a listener whose receiver or class was resolved (by type
    or import); a call matched by its name only is reported unresolved, never as a bind class."""
    facts = scan(source_inputs / tree, include_vendored=True)
    for x in facts.listeners:
        if "(receiver not resolved)" in x.api:
            assert x.bind.value == "unknown" and "name only" in x.reason
    for f in rules.evaluate(facts):
        if f.severity.label == "high" and f.listener is not None:
            assert "(receiver not resolved)" not in f.listener.api, f.location.short()


def test_fastify_internals_are_not_claimed(source_inputs):
    """fastify 5.12.8 lib/server.js calls ``server.listen(...)`` on a server it receives as a
    parameter (lines 262, 303): its type is not known there, so no bind class is claimed."""
    facts = scan(source_inputs / "fastify", include_vendored=True)
    found = [x for x in facts.listeners if x.location.file == "lib/server.js"]
    assert found and all(x.bind.value == "unknown" for x in found)


def test_the_trees_scan_without_errors(source_inputs):
    for tree in TREES:
        facts = scan(Path(source_inputs / tree), include_vendored=True)
        assert facts.target.errors == [], tree
        assert not [n for n in facts.target.notes if "internal error" in n or "crashed" in n], tree
