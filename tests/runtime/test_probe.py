"""Fingerprints of real services: HTTP with/without auth, TLS with client certs, WebSocket, JDWP,
Chromium DevTools, the adb server; and hostile targets (silent, flooding)."""

from __future__ import annotations

import subprocess
import threading
import tracemalloc

import pytest
from .conftest import free_port
from .services import (
    HttpServer,
    RawServer,
    chromium_path,
    flood,
    make_certs,
    silent,
    start_chromium,
    start_jdwp,
    stop,
    tls_context,
)

from portaudit.probe import ProbeLimits, identify

FAST = ProbeLimits(timeout=1.0, deadline=6.0, max_bytes=65536)


@pytest.fixture
def http_open():
    s = HttpServer()
    yield s
    s.close()


def test_http_without_auth(http_open):
    r = identify("127.0.0.1", http_open.port, FAST)
    assert r.protocol == "http" and r.requires_auth is False
    assert r.evidence.startswith("HTTP/1.0 200") and "Server: BaseHTTP" in r.evidence
    assert r.http["status"] == 200


def test_http_with_basic_auth():
    s = HttpServer(auth="admin:secret")
    try:
        r = identify("127.0.0.1", s.port, FAST)
    finally:
        s.close()
    assert r.protocol == "http" and r.requires_auth is True
    assert "401" in r.evidence and 'WWW-Authenticate: Basic realm="portaudit-test"' in r.evidence


def test_tls_requiring_client_certificate(tmp_path):
    certs = make_certs(str(tmp_path))
    s = HttpServer(tls=tls_context(certs, require_client=True))
    try:
        r = identify("127.0.0.1", s.port, FAST)
    finally:
        s.close()
    assert r.protocol == "tls" and r.requires_auth is True
    assert r.tls["client_cert_required"] is True
    assert "CN=portaudit-server" in r.tls["certificate"]["subject"]
    assert "client certificate required" in r.evidence


def test_tls_without_client_certificate_then_http(tmp_path):
    certs = make_certs(str(tmp_path))
    s = HttpServer(tls=tls_context(certs, require_client=False))
    try:
        r = identify("127.0.0.1", s.port, FAST)
    finally:
        s.close()
    assert r.protocol == "https" and r.requires_auth is False
    assert r.tls["client_cert_required"] is False and r.tls["version"].startswith("TLS")
    assert "200" in r.evidence


def test_websocket_upgrade():
    from websockets.sync.server import serve

    def echo(ws):
        for msg in ws:
            ws.send(msg)

    server = serve(echo, "127.0.0.1", 0)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        r = identify("127.0.0.1", server.socket.getsockname()[1], FAST)
    finally:
        server.shutdown()
    assert r.protocol == "websocket" and r.requires_auth is False
    assert "101" in r.evidence


def test_jdwp_of_a_real_jvm(tmp_path):
    port = free_port()
    proc = start_jdwp(str(tmp_path), port)
    try:
        r = identify("127.0.0.1", port, FAST)
        assert proc.poll() is None  # the JVM survived the handshake
    finally:
        stop(proc)
    assert r.protocol == "jdwp" and r.requires_auth is False
    assert "JDWP-Handshake" in r.evidence


def test_chromium_devtools(tmp_path):
    assert chromium_path(), "Debian chromium is in scripts/apt-packages.txt"
    port = free_port()
    proc = start_chromium(str(tmp_path / "profile"), port)
    try:
        r = identify("127.0.0.1", port, FAST)
    finally:
        stop(proc)
    assert r.protocol == "chrome-devtools" and r.requires_auth is False
    assert "HeadlessChrome" in r.evidence or "Chrome" in r.evidence


def test_adb_server_host_protocol():
    port = free_port()
    subprocess.run(["adb", "-P", str(port), "start-server"], check=True, capture_output=True, timeout=60)
    try:
        r = identify("127.0.0.1", port, FAST)
        version = subprocess.run(["adb", "-P", str(port), "version"], capture_output=True, text=True,
                                 check=False).stdout
    finally:
        subprocess.run(["adb", "-P", str(port), "kill-server"], capture_output=True, timeout=30, check=False)
    assert r.protocol == "adb-server" and r.requires_auth is False
    number = r.evidence.rsplit(" ", 1)[1]
    assert f"1.0.{number}" in version  # the same version `adb version` prints


def test_silent_target_times_out_with_a_clear_result():
    s = RawServer(silent)
    try:
        r = identify("127.0.0.1", s.port, ProbeLimits(timeout=0.3, deadline=2.0))
    finally:
        s.close()
    assert r.protocol is None and r.requires_auth is None
    assert "no answer" in r.evidence
    assert s.connections >= 1


def test_flooding_target_is_read_within_the_byte_limit():
    s = RawServer(flood)
    tracemalloc.start()
    try:
        r = identify("127.0.0.1", s.port, ProbeLimits(timeout=0.5, deadline=4.0, max_bytes=32768))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        s.close()
    assert r.requires_auth is None and r.protocol is None
    assert s.sent > 4 * 32768  # the server really flooded ...
    assert peak < 2 * 1024 * 1024  # ... and memory stayed bounded


def test_refused_port():
    port = free_port()
    r = identify("127.0.0.1", port, FAST)
    assert r.error == "connection refused" and r.requires_auth is None
