"""``--target`` and ``--reach`` name what is contacted: an unreachable or unresolvable target is reported
as such (a note and a ``named_targets`` record, never a listener finding), and anything beyond loopback
and this machine's own addresses needs ``--allow-remote``.  Real sockets on loopback."""

from __future__ import annotations

import json
import socket
import subprocess

import pytest

from .conftest import PORTAUDIT, free_port, run_cli

ARGS = ["host", "--format", "json", "--no-firewall", "--no-unix", "--timeout", "1"]


def _mine(data, port):
    return [f for f in data["findings"] if (f.get("listener") or {}).get("port") == port]


def test_unreachable_and_unresolvable_targets_are_notes_not_findings():
    closed = free_port()  # nothing listens: the kernel refuses the connection
    # .invalid never resolves (RFC 6761 section 6.4)
    run = run_cli(*ARGS, "--target", f"127.0.0.1:{closed}", "--target", "nosuch.invalid:81")
    assert run.returncode in (0, 1), run.stderr
    data = json.loads(run.stdout)
    assert not _mine(data, closed) and not _mine(data, 81)
    assert not [r for r in data["runtime"] if r["state"] == "NAMED"]
    notes = data["targets"][0]["notes"]
    assert f"--target 127.0.0.1:{closed}: not reachable: connection refused; not a listener finding" in notes
    assert any(n.startswith("--target nosuch.invalid:81: cannot resolve 'nosuch.invalid': ") for n in notes)
    records = {t["target"]: t for t in data["named_targets"]}
    assert records[f"127.0.0.1:{closed}"] == {"target": f"127.0.0.1:{closed}", "address": "127.0.0.1",
                                              "addresses": ["127.0.0.1"], "port": closed, "reachable": False,
                                              "detail": "not reachable: connection refused"}
    assert records["nosuch.invalid:81"]["address"] is None and records["nosuch.invalid:81"]["reachable"] is False
    sarif = json.loads(run_cli(*ARGS, "--target", f"127.0.0.1:{closed}", "-f", "sarif").stdout)  # -f: the last wins
    texts = [n["message"]["text"] for n in sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
             if n["level"] == "note"]
    assert any(t.endswith(f"--target 127.0.0.1:{closed}: not reachable: connection refused; not a listener "
                          "finding") for t in texts)
    html = run_cli(*ARGS, "--target", f"127.0.0.1:{closed}", "-f", "html").stdout
    assert f"--target 127.0.0.1:{closed}: not reachable: connection refused" in html
    console = run_cli(*ARGS[:1], "--no-firewall", "--no-unix", "--target", f"127.0.0.1:{closed}")
    assert f"--target 127.0.0.1:{closed}: not reachable: connection refused" in console.stdout.splitlines()


def test_a_name_is_resolved_and_the_listener_carries_the_address():
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        port = srv.getsockname()[1]
        # /etc/hosts maps localhost to 127.0.0.1 (some systems give ::1 first: see the next test)
        run = run_cli(*ARGS, "--target", f"localhost:{port}")
    data = json.loads(run.stdout)
    (named,) = [r for r in data["runtime"] if r["state"] == "NAMED"]
    assert named["port"] == port and named["bind"] == "loopback" and named["address"] == "127.0.0.1"
    (rec,) = data["named_targets"]
    assert rec["target"] == f"localhost:{port}" and rec["reachable"] is True and "127.0.0.1" in rec["addresses"]


def test_every_address_of_a_name_is_tried_in_the_resolvers_order(monkeypatch):
    # a resolver that answers ::1 first and 127.0.0.1 second (Debian 12's glibc does for localhost
    # when /etc/hosts lists both); the real server listens on 127.0.0.1 only
    from portaudit.live import RuntimeOptions, host_report

    real = socket.getaddrinfo

    def two(host, port, *args, **kwargs):
        if host != "both.test":  # the connections themselves resolve their literal addresses
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", 0, 0, 0)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]

    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        port = srv.getsockname()[1]
        monkeypatch.setattr(socket, "getaddrinfo", two)
        report = host_report(RuntimeOptions(targets=[f"both.test:{port}"], firewall=False, include_unix=False))
    (named,) = [r for r in report.facts[0].runtime if r.state == "NAMED"]
    assert (named.address, named.port) == ("127.0.0.1", port)
    (rec,) = report.facts[0].stats["targets"]
    assert rec["addresses"] == ["::1", "127.0.0.1"] and rec["reachable"] is True


@pytest.mark.parametrize("args, what", [
    (["--target", "192.0.2.1:80"], "--target 192.0.2.1:80: 192.0.2.1"),  # TEST-NET-1, RFC 5737
    (["--target", "[2001:db8::1]:80"], "--target [2001:db8::1]:80: 2001:db8::1"),  # RFC 3849
    (["--reach", "192.0.2.1"], "--reach 192.0.2.1: 192.0.2.1"),
])
def test_beyond_this_machine_needs_allow_remote(args, what):
    run = run_cli(*ARGS, *args)
    assert run.returncode == 2 and run.stdout == ""
    (line,) = [ln for ln in run.stderr.splitlines() if ln.startswith("Error: ")]
    assert what in line and "outside this machine" in line and "--allow-remote" in line


def test_the_wildcard_is_not_a_target():
    run = run_cli(*ARGS, "--target", "0.0.0.0:80", "--allow-remote")
    assert run.returncode == 2 and "0.0.0.0 is the wildcard address" in run.stderr


def test_allow_remote_lets_an_unreachable_remote_be_reported_as_such():
    # run in a fresh network namespace (root: unshare -n), which has no route anywhere, so the
    # kernel answers "Network is unreachable" whatever the machine's own network does
    cmd = ["unshare", "-n", PORTAUDIT, *ARGS, "--target", "192.0.2.1:9", "--allow-remote"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr  # no findings: the namespace listens on nothing
    data = json.loads(run.stdout)
    assert data["named_targets"] == [{"target": "192.0.2.1:9", "address": "192.0.2.1", "addresses": ["192.0.2.1"],
                                      "port": 9,
                                      "reachable": False, "detail": "not reachable: Network is unreachable"}]
    assert data["findings"] == []


def test_an_address_of_this_machine_is_in_scope():
    # the address of an interface here (not loopback) needs no flag; found independently of portaudit
    import psutil

    addrs = [a.address for nic in psutil.net_if_addrs().values() for a in nic
             if a.family == socket.AF_INET and not a.address.startswith("127.")]
    if not addrs:
        pytest.fail("this machine has no non-loopback IPv4 address to test with")
    with socket.socket() as srv:
        srv.bind((addrs[0], 0))
        srv.listen()
        port = srv.getsockname()[1]
        run = run_cli(*ARGS, "--target", f"{addrs[0]}:{port}")
    assert run.returncode in (0, 1), run.stderr
    (rec,) = json.loads(run.stdout)["named_targets"]
    assert rec["reachable"] is True and rec["address"] == addrs[0]
