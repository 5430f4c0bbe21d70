"""Embedded daemons configured by files or strings (inputs/daemons): tor, privoxy, shadowsocks,
v2ray, pdnsd.  The configurations are Debian's own default files (tor, privoxy, shadowsocks-libev and
v2ray packages, pinned in scripts/third-party.lock), read as shipped and in variants the test derives
from them line by line; the expected values come from those files' text and the daemons' manuals
(cited in each parser's docstring).  pdnsd is not packaged in Debian 12: its configuration is written
here from pdnsd.conf(5)'s syntax."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from portaudit.inputs import daemons
from portaudit.inputs.android import analyze
from portaudit.model import Bind, Target
from portaudit.options import Options

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "tests" / ".cache" / "third_party" / "daemons"
DEMO_APK = ROOT / "src" / "portaudit" / "samples" / "demo.apk"


@pytest.fixture(scope="module")
def debian() -> Path:
    if not (PKG / "v2ray").is_dir():
        subprocess.run([str(ROOT / "scripts" / "fetch-third-party")], check=True)
    return PKG


def _ports(name: str, text: str) -> list[tuple]:
    daemon = daemons.detect(name, text.encode())
    assert daemon is not None, name
    return [(p.directive, p.transport, p.bind, p.address, p.port, p.line) for p in daemons.PARSERS[daemon](text)]


def _uncomment(text: str, *starts: str) -> str:
    """Debian's torrc with some example lines enabled (their '#' removed), as a user does."""
    return "\n".join(line[1:] if line.startswith(starts) else line for line in text.splitlines())


def test_debian_torrc_as_shipped_is_tors_default(debian):
    """Every line of /etc/tor/torrc is a comment; its own line 18 says '#SocksPort 9050 # Default:
    Bind to localhost:9050 for local connections.'"""
    torrc = (debian / "tor" / "etc" / "tor" / "torrc").read_text()
    assert _ports("torrc", torrc) == [("SocksPort", "tcp", Bind.LOOPBACK, "127.0.0.1", 9050, None)]


def test_debian_torrc_with_its_examples_enabled(debian):
    torrc = _uncomment((debian / "tor" / "etc" / "tor" / "torrc").read_text(),
                       "#SocksPort 192.168.0.1:9100", "#ControlPort 9051", "#ORPort 9001")
    got = _ports("torrc", torrc)
    lines = {line: n for n, line in enumerate(torrc.splitlines(), 1)}
    socks = next(n for line, n in lines.items() if line.startswith("SocksPort 192.168.0.1:9100"))
    control = next(n for line, n in lines.items() if line.startswith("ControlPort 9051"))
    orport = next(n for line, n in lines.items() if line.startswith("ORPort 9001"))
    assert got == [("SocksPort", "tcp", Bind.SPECIFIC, "192.168.0.1", 9100, socks),
                   ("ControlPort", "tcp", Bind.LOOPBACK, "127.0.0.1", 9051, control),  # client port: 127.0.0.1
                   ("ORPort", "tcp", Bind.ALL, "0.0.0.0", 9001, orport)]  # relay port: every interface
    (ctl,) = [p for p in daemons.tor.parse(torrc) if p.directive == "ControlPort"]
    assert "no HashedControlPassword or CookieAuthentication" in ctl.reason  # the file sets neither


def test_debian_privoxy_config(debian):
    config = (debian / "privoxy" / "usr" / "share" / "privoxy" / "config").read_text()
    line = config.splitlines().index("listen-address  127.0.0.1:8118") + 1  # its only active listen-address
    assert _ports("config", config) == [("listen-address", "tcp", Bind.LOOPBACK, "127.0.0.1", 8118, line)]
    # section 4.1 of the same file: "If you leave out the address, Privoxy will bind to all IPv4 interfaces"
    open_all = config.replace("listen-address  127.0.0.1:8118", "listen-address  :8118")
    assert _ports("config", open_all) == [("listen-address", "tcp", Bind.ALL, "0.0.0.0", 8118, line)]


def test_debian_shadowsocks_config(debian):
    """config.json sets local_port 1080, no local_address, mode tcp_and_udp: ss-local's default
    127.0.0.1, TCP and the UDP relay; its "server" entries are ss-server's, not ss-local's."""
    text = (debian / "shadowsocks-libev" / "usr" / "share" / "shadowsocks-libev" / "config.json").read_text()
    line = next(n for n, s in enumerate(text.splitlines(), 1) if '"local_port"' in s)
    got, _notes = daemons.listeners([("res/raw/ss.json", text.encode())], ["lib/arm64-v8a/libss-local.so"])
    assert [(x.api, x.transport, x.bind, x.address, x.port, x.location.line) for x in got] == [
        ("shadowsocks local_address", "tcp", Bind.LOOPBACK, "127.0.0.1", 1080, line),
        ("shadowsocks local_address (udp relay)", "udp", Bind.LOOPBACK, "127.0.0.1", 1080, line)]


def test_debian_v2ray_config(debian):
    """/usr/share/v2ray/config.json (JSON with comments): one socks inbound, listen 127.0.0.1:1080;
    without "listen" the inbound takes every interface (the same file: 'Change to "0.0.0.0" to
    listen on all network interfaces')."""
    text = (debian / "v2ray" / "usr" / "share" / "v2ray" / "config.json").read_text()
    line = next(n for n, s in enumerate(text.splitlines(), 1) if '"port": 1080' in s)
    assert _ports("config.json", text) == [("inbounds[0]", "tcp", Bind.LOOPBACK, "127.0.0.1", 1080, line)]
    no_listen = "\n".join(s for s in text.splitlines() if '"listen": "127.0.0.1"' not in s)
    assert _ports("config.json", no_listen)[0][2:5] == (Bind.ALL, "0.0.0.0", 1080)


def test_pdnsd_config():
    """pdnsd.conf(5): 'global { server_ip = ...; server_port = ...; }', server_ip default 127.0.0.1."""
    conf = "global {\n  perm_cache = 1024;\n  server_ip = any;\n  server_port = 8053;\n}\n"
    assert _ports("pdnsd.conf", conf) == [("server_ip", "udp", Bind.ALL, "any", 8053, 3)]
    default = "global {\n  server_port = 5353;\n}\n"
    assert daemons.detect("pdnsd.conf", default.encode()) is None  # no server_ip: not recognised as pdnsd
    assert daemons.pdnsd.parse(default)[0].bind is Bind.LOOPBACK


def test_not_a_daemon_config():
    for name, data in (("package.json", b'{"name": "x", "version": "1.0.0"}'), ("notes.txt", b"hello"),
                       ("config.json", b'{"port": 8080}'), ("blob", b"\0\1\2SocksPort 9050")):
        assert daemons.detect(name, data) is None, name


def _apk(tmp: Path, extra: dict[str, bytes]) -> Path:
    src = zipfile.ZipFile(DEMO_APK)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for i in src.infolist():
            z.writestr(i.filename, src.read(i.filename))
        for name, data in extra.items():
            z.writestr(name, data)
    p = tmp / "daemon.apk"
    p.write_bytes(buf.getvalue())
    return p


def test_apk_ships_tor_and_its_torrc(debian, tmp_path):
    """Debian's real tor executable as lib/x86_64/libtor.so (how Tor apps ship it) with a torrc in
    assets/ (Debian's, SocksPort 0.0.0.0:9050 enabled) and v2ray's config in res/raw/."""
    torrc = (debian / "tor" / "etc" / "tor" / "torrc").read_text()
    torrc = torrc.replace("#SocksPort 9050 #", "SocksPort 0.0.0.0:9050 #")
    v2ray = (debian / "v2ray" / "usr" / "share" / "v2ray" / "config.json").read_bytes()
    apk = _apk(tmp_path, {"assets/torrc": torrc.encode(), "res/raw/v2ray_config.json": v2ray,
                          "lib/x86_64/libtor.so": (debian / "tor" / "usr" / "bin" / "tor").read_bytes()})
    t = Target(path=str(apk), kind="apk")
    facts = analyze(t, Options())
    by = {x.api: x for x in facts.listeners if x.origin.sdk in ("tor", "v2ray")}
    tor = by["tor SocksPort"]
    assert (tor.bind, tor.address, tor.port, tor.location.file) == (Bind.ALL, "0.0.0.0", 9050, "assets/torrc")
    assert "run by lib/x86_64/libtor.so" in tor.evidence
    assert tor.flow and tor.flow[0].role == "config"
    v2 = by["v2ray inbounds"]
    assert (v2.bind, v2.port, v2.location.file) == (Bind.LOOPBACK, 1080, "res/raw/v2ray_config.json")
    assert "no v2ray executable" in v2.evidence
    assert any(n.startswith("assets/torrc: tor configuration") for n in t.notes), t.notes


def test_source_tree_configs_and_strings(debian, tmp_path):
    """A source tree with Debian's privoxy config and a Java class that writes a torrc."""
    from portaudit.inputs.source import analyze as analyze_source

    (tmp_path / "app" / "src" / "main" / "assets").mkdir(parents=True)
    config = (debian / "privoxy" / "usr" / "share" / "privoxy" / "config").read_text()
    (tmp_path / "app" / "src" / "main" / "assets" / "privoxy_config").write_text(config)
    java = tmp_path / "app" / "src" / "main" / "java" / "Tor.java"
    java.parent.mkdir(parents=True)
    java.write_text('class Tor {\n  void torrc(java.io.Writer w) throws Exception {\n'
                    '    w.write("SocksPort 0.0.0.0:9050\\nDNSPort 5400\\n");\n  }\n}\n')
    t = Target(path=str(tmp_path), kind="source")
    facts = analyze_source(t, Options())
    got = {(x.api, x.bind, x.address, x.port, x.location.file, x.location.line) for x in facts.listeners
           if x.origin.sdk in ("tor", "privoxy")}
    privoxy_line = config.splitlines().index("listen-address  127.0.0.1:8118") + 1
    assert got == {("privoxy listen-address", Bind.LOOPBACK, "127.0.0.1", 8118, "app/src/main/assets/privoxy_config",
                    privoxy_line),
                   ("tor SocksPort", Bind.ALL, "0.0.0.0", 9050, "app/src/main/java/Tor.java", 3),
                   ("tor DNSPort", Bind.LOOPBACK, "127.0.0.1", 5400, "app/src/main/java/Tor.java", 3)}
    assert json.dumps([x.transport for x in facts.listeners if x.api == "tor DNSPort"]) == '["udp"]'


def test_damaged_configs_never_raise(debian):
    """Truncations and byte flips of the real configurations (seeded, reproducible): detection and
    the parsers answer, never raise."""
    import random

    rng = random.Random(14)
    sources = [debian / "tor" / "etc" / "tor" / "torrc", debian / "privoxy" / "usr" / "share" / "privoxy" / "config",
               debian / "shadowsocks-libev" / "usr" / "share" / "shadowsocks-libev" / "config.json",
               debian / "v2ray" / "usr" / "share" / "v2ray" / "config.json"]
    for src in sources:
        data = src.read_bytes()
        for k in range(200):
            d = bytearray(data[: rng.randrange(len(data) + 1)] if k % 2 else data)
            for _ in range(rng.randrange(1, 8)):
                if d:
                    d[rng.randrange(len(d))] = rng.randrange(256)
            found, notes = daemons.listeners([(src.name, bytes(d))], ["lib/arm64-v8a/libtor.so"])
            assert all(x.api and x.location.file == src.name for x in found)
            assert all("\n" not in n for n in notes)
            daemons.string_listeners("X.java", bytes(d).decode("utf-8", "replace"))


def test_a_fifo_in_the_tree_is_not_read(tmp_path):
    """scan_tree never opens what is not a regular file (a FIFO would block the read for ever)."""
    import os

    os.mkfifo(tmp_path / "torrc")
    os.mkfifo(tmp_path / "Main.java")
    notes: list[str] = []
    assert daemons.scan_tree(tmp_path, [tmp_path / "Main.java"], notes) == []
