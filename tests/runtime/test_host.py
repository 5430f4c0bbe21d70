"""`portaudit host` (CLI and library) finds the sockets the test opens, with pid and process name."""

from __future__ import annotations

import json
import os

from .conftest import norm_addr, port, run_cli, ss_listeners

from portaudit.live import RuntimeOptions, host_report


def _runtime(data, transport, address=None, p=None, name=None):
    for r in data["runtime"]:
        if r["transport"] != transport:
            continue
        if name is not None and (r.get("unix") or {}).get("name") == name:
            return r
        if p is not None and r["port"] == p and (address is None or r["address"] == address):
            return r
    return None


def test_cli_host_json_lists_the_test_sockets_with_this_pid(open_sockets):
    s = open_sockets
    res = run_cli("host", "--format", "json", "--no-firewall")
    assert res.returncode in (0, 1), res.stderr
    data = json.loads(res.stdout)
    assert data["targets"][0]["kind"] == "host" and data["targets"][0]["path"].startswith("host:")
    me = os.getpid()
    checks = [
        ("tcp", "0.0.0.0", port(s.tcp4_any), "all-interfaces"),
        ("tcp", "127.0.0.1", port(s.tcp4_lo), "loopback"),
        ("tcp", "::", port(s.tcp6_any), "all-interfaces"),
        ("tcp", "::1", port(s.tcp6_lo), "loopback"),
        ("udp", "127.0.0.1", port(s.udp4_lo), "loopback"),
        ("udp", "::", port(s.udp6_any), "all-interfaces"),
    ]
    ss = ss_listeners()
    for transport, addr, p, bind in checks:
        r = _runtime(data, transport, addr, p)
        assert r is not None, (transport, addr, p)
        assert r["bind"] == bind
        assert r["process"]["pid"] == me
        assert r["process"]["name"] and "python" in r["process"]["name"]
        assert r["inode"] == s.inode(next(x for x in s.all if x.getsockname()[1] == p
                                          and x.type.name.endswith("STREAM" if transport == "tcp" else "DGRAM")))
        assert ss[transport][(norm_addr(addr), p)] == me  # ss names the same owner
    for name, sock in ((s.path, s.unix_path), (s.abstract, s.unix_abstract), (s.dgram_path, s.unix_dgram)):
        r = _runtime(data, "unix", name=name)
        assert r is not None and r["process"]["pid"] == me and r["inode"] == s.inode(sock)
        assert r["unix"]["abstract"] == name.startswith("@")
        assert ss["unix"][name] == me


def test_cli_findings_carry_process_and_listener(open_sockets):
    res = run_cli("host", "--format", "json", "--no-firewall")
    data = json.loads(res.stdout)
    p = port(open_sockets.tcp4_any)
    hits = [f for f in data["findings"] if f["listener"]["port"] == p and f["listener"]["transport"] == "tcp"]
    assert len(hits) == 1, "one finding per socket: runtime rules only, no double from the static rules"
    f = hits[0]
    assert f["rule"] == "runtime-listener-all-interfaces" and f["severity"] == "high"
    assert f["process"]["pid"] == os.getpid()
    assert f["listener"]["bind"] == "all-interfaces" and f["location"]["file"] == "/proc/net/tcp"
    assert f["ids"]["maswe_beta"] == "MASWE-0051" and f["ids"]["maswe"] == "MASWE-0018"
    lo = [f for f in data["findings"] if f["listener"]["port"] == port(open_sockets.tcp4_lo)]
    assert [x["rule"] for x in lo] == ["runtime-loopback-listener"] and lo[0]["severity"] == "low"
    ab = [f for f in data["findings"] if f["listener"]["address"] == open_sockets.abstract]
    assert [x["rule"] for x in ab] == ["runtime-abstract-socket"] and ab[0]["severity"] == "info"
    assert res.returncode == 1  # findings at or above --fail-on low


def test_fail_on_and_min_severity(open_sockets):
    res = run_cli("host", "--format", "json", "--no-firewall", "--min-severity", "high", "--fail-on", "high")
    data = json.loads(res.stdout)
    assert data["findings"] and all(f["severity"] == "high" for f in data["findings"])
    assert res.returncode == 1
    res2 = run_cli("host", "--format", "json", "--no-firewall", "--no-unix")
    assert all(r["transport"] != "unix" for r in json.loads(res2.stdout)["runtime"])


def test_library_report_matches_console(open_sockets):
    report = host_report(RuntimeOptions(firewall=False))
    ports = {r.port for r in report.facts[0].runtime}
    assert port(open_sockets.tcp6_lo) in ports
    assert {f.rule for f in report.findings} <= {
        "runtime-listener-all-interfaces", "runtime-listener-specific-interface", "runtime-loopback-listener",
        "runtime-debug-endpoint", "runtime-abstract-socket"}
    assert len(report.facts[0].listeners) == len(report.facts[0].runtime)
    assert report.facts[0].listeners[0].api.startswith("runtime:")
    res = run_cli("host", "--no-firewall", "--no-color")
    assert f":{port(open_sockets.tcp4_any)}" in res.stdout and "runtime-listener-all-interfaces" in res.stdout


def test_usage_errors_exit_2():
    res = run_cli("host", "--target", "nonsense")
    assert res.returncode == 2 and "HOST:PORT" in res.stderr
    res = run_cli("host", "--watch", "soon")
    assert res.returncode == 2 and "duration" in res.stderr
