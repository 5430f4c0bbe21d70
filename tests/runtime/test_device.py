"""`portaudit device` through adbutils against an adb-server double that replays real kernel tables.

No phone is reachable here.  The "device" is a network namespace of this machine in which a process
running as an Android app UID (10123) opened the demo APK's sockets; its /proc/net tables and its
real `ls -l /proc/<pid>/fd` listing are captured and replayed by the double, with `pm` / `ps` output
written in the documented Android formats.  Forwards made by the probes are relayed into the namespace.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from .adb_double import AdbDouble
from .conftest import HERE, ROOT, run_cli

from portaudit.runtime import device as dev
from portaudit.runtime import procnet

APP_UID = 10123
PKG = "org.portaudit.demo"
EXTRA_PORT = 40123
SERIAL = "PA0TEST0"
DEMO_APK = os.path.join(ROOT, "src", "portaudit", "samples", "demo.apk")


class World:
    def __init__(self, ns, pid, outputs):
        self.ns, self.pid, self.outputs = ns, pid, outputs


@pytest.fixture(scope="module")
def world():
    if os.geteuid() != 0:
        pytest.fail("the adb-path tests need root (network namespace, app UID); CI runs as root")
    ns = f"padev{uuid.uuid4().hex[:6]}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    proc = None
    try:
        subprocess.run(["ip", "-n", ns, "link", "set", "lo", "up"], check=True)
        proc = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, os.path.join(HERE, "device_app.py"),
                                 str(APP_UID), str(EXTRA_PORT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        line = proc.stdout.readline()
        assert line.startswith("ready "), line
        pid = int(line.split()[1])
        outputs = {}
        for name in procnet.ALL_FILES:  # real kernel data from the "device"
            outputs[f"cat /proc/net/{name}"] = subprocess.run(
                ["ip", "netns", "exec", ns, "cat", f"/proc/net/{name}"], capture_output=True, text=True,
                check=True).stdout
        outputs["pm list packages -U"] = (f"package:com.android.shell uid:2000\npackage:{PKG} uid:{APP_UID}\n"
                                          "package:com.android.chrome uid:10087\n")
        outputs["ps -A -o PID,UID,NAME"] = (f"  PID   UID NAME\n    1     0 init\n  612  1000 system_server\n"
                                            f"{pid:5d} {APP_UID:5d} {PKG}\n")
        outputs["ls -l /proc/*/fd 2>/dev/null"] = subprocess.run(
            ["ls", "-l", f"/proc/{pid}/fd", "/proc/1/fd"], capture_output=True, text=True, check=False).stdout
        yield World(ns, pid, outputs)
    finally:
        if proc is not None:
            proc.stdin.close()
            proc.terminate()
            proc.wait(10)
        subprocess.run(["ip", "netns", "del", ns], check=False)


@pytest.fixture
def double(world):
    d = AdbDouble(SERIAL, outputs=world.outputs, netns=world.ns)
    yield d
    d.close()


def env_for(d):
    return {"ADB_SERVER_SOCKET": f"tcp:127.0.0.1:{d.port}"}


def _rt(data):
    out = {}
    for r in data["runtime"]:
        out[r["port"] if r["transport"] != "unix" else r["unix"]["name"]] = r
    return out


def test_device_inventory_with_packages_and_owners(world, double):
    res = run_cli("device", "--format", "json", env=env_for(double))
    assert res.returncode == 1, res.stderr
    data = json.loads(res.stdout)
    assert data["targets"][0] == {**data["targets"][0], "path": f"device:{SERIAL}", "kind": "device", "errors": []}
    rt = _rt(data)
    web = f"@webview_devtools_remote_{world.pid}"
    assert set(rt) == {8080, 8765, EXTRA_PORT, 12580, web, "@portdemo_bridge"}
    for key, r in rt.items():
        assert r["process"] == {"pid": world.pid, "name": PKG, "package": PKG, "uid": APP_UID}, key
    assert rt[8080]["bind"] == "all-interfaces" and rt[8765]["bind"] == "loopback"
    assert rt[8080]["uid"] == APP_UID  # from the kernel's uid column
    assert rt[12580]["transport"] == "udp"
    assert rt[web]["debug"] == "webview-devtools" and rt[web]["unix"]["abstract"] is True
    findings = {(f["rule"], f["listener"]["port"] or f["listener"]["address"]): f for f in data["findings"]}
    allif = findings[("runtime-listener-all-interfaces", 8080)]
    assert allif["severity"] == "high" and allif["process"]["package"] == PKG
    assert findings[("runtime-loopback-listener", 8765)]["severity"] == "medium"  # an app's port: any app connects
    assert findings[("runtime-debug-endpoint", web)]["severity"] == "medium"
    assert findings[("runtime-abstract-socket", "@portdemo_bridge")]["severity"] == "medium"
    assert any("device firewall not read" in n for n in data["targets"][0]["notes"])
    assert "shell:cat /proc/net/tcp6" in double.commands


def test_inodes_in_the_replayed_tables_match_the_real_fd_listing(world, double):
    session = dev.connect(SERIAL, "127.0.0.1", double.port)
    owners = dev.parse_fd_listing(world.outputs["ls -l /proc/*/fd 2>/dev/null"])
    inv = dev.inventory(session)
    assert inv.listeners and all(owners[x.inode] == world.pid for x in inv.listeners)


def test_package_filter_and_dumpsys_fallback(world, double):
    res = run_cli("device", "--format", "json", "--package", "com.android.chrome", env=env_for(double))
    assert json.loads(res.stdout).get("runtime", []) == [] and res.returncode == 0
    double.outputs["pm list packages -U"] = ""
    double.outputs["dumpsys package"] = (
        "Packages:\n"
        f"  Package [{PKG}] (5e1c0a7):\n    userId={APP_UID}\n    pkg=Package{{a1b2c3 {PKG}}}\n"
        "  Package [com.android.shell] (77aa01):\n    appId=2000\n")
    res = run_cli("device", "--format", "json", "--package", PKG, "--serial", SERIAL, env=env_for(double))
    data = json.loads(res.stdout)
    assert len(data["runtime"]) == 6 and all(r["process"]["package"] == PKG for r in data["runtime"])
    assert "shell:dumpsys package" in double.commands


def test_owner_from_uid_when_fd_listing_is_not_permitted(world, double):
    double.outputs["ls -l /proc/*/fd 2>/dev/null"] = ""
    res = run_cli("device", "--format", "json", env=env_for(double))
    data = json.loads(res.stdout)
    rt = _rt(data)
    assert rt[8080]["process"]["pid"] == world.pid  # the only process of UID 10123
    assert any("needs root adbd" in n for n in data["targets"][0]["notes"])


def test_probe_through_adb_forward_only_inventory_ports(world, double):
    res = run_cli("device", "--format", "json", "--probe", "--timeout", "1", env=env_for(double))
    data = json.loads(res.stdout)
    rt = _rt(data)
    web = f"@webview_devtools_remote_{world.pid}"
    assert rt[8080]["probe"]["protocol"] == "http" and rt[8080]["probe"]["requires_auth"] is False
    assert rt[8080]["probe"]["via"].startswith("adb forward tcp:") and rt[8080]["probe"]["via"].endswith("tcp:8080")
    assert rt[web]["probe"]["protocol"] == "http"  # reached through localabstract
    assert sorted(double.forward_log) == sorted(["tcp:8080", "tcp:8765", f"tcp:{EXTRA_PORT}",
                                                 f"localabstract:{web[1:]}"])
    assert double.forwards == {}, [c for c in double.commands if "forward" in c]  # every forward removed afterwards
    f = [x for x in data["findings"] if x["listener"]["port"] == 8080][0]
    assert f["probe"] == {"protocol": "http", "requires_auth": False, "evidence": rt[8080]["probe"]["evidence"]}


def test_permission_denied_on_a_table_is_reported_and_the_rest_kept(world, double):
    double.outputs["cat /proc/net/tcp6"] = "cat: /proc/net/tcp6: Permission denied\n"
    res = run_cli("device", "--format", "json", env=env_for(double))
    data = json.loads(res.stdout)
    assert data["targets"][0]["errors"] == ["/proc/net/tcp6: cat: /proc/net/tcp6: Permission denied"]
    assert 8080 in _rt(data)
    assert res.returncode == 2
    assert "Permission denied" in res.stderr


def test_unauthorized_device(world):
    d = AdbDouble(SERIAL, state="unauthorized", outputs=world.outputs)
    try:
        res = run_cli("device", "--format", "json", env=env_for(d))
    finally:
        d.close()
    assert res.returncode == 2
    assert "unauthorized" in res.stderr and "Allow USB debugging" in res.stderr
    assert "Traceback" not in res.stderr
    assert json.loads(res.stdout)["targets"][0]["errors"]


def test_no_device_and_unknown_serial(world):
    d = AdbDouble(serial="", outputs={})
    try:
        res = run_cli("device", env=env_for(d))
        res2 = run_cli("device", "--serial", "XYZ", env=env_for(d))
    finally:
        d.close()
    assert res.returncode == 2 and "no device attached" in res.stderr
    assert res2.returncode == 2 and "device XYZ not found" in res2.stderr


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def test_an_adb_server_this_run_started_is_stopped(world):
    # the real adb (Debian 'adb') on a free port: it starts, finds no device here, and must be gone after
    from .conftest import free_port

    port = free_port()
    env = {"ADB_SERVER_SOCKET": f"tcp:127.0.0.1:{port}"}
    res = run_cli("device", "--format", "json", env=env)
    assert res.returncode == 2 and "no device attached" in res.stderr
    assert not _answers(port)  # kill-server ran: nothing listens on the port any more
    kept = run_cli("device", "--keep-adb-server", env=env)
    try:
        assert kept.returncode == 2 and _answers(port)  # asked to stay
    finally:
        subprocess.run(["adb", "-P", str(port), "kill-server"], capture_output=True, timeout=30, check=False)


def test_a_running_adb_server_is_used_and_left_running(world, double):
    res = run_cli("device", "--format", "json", env=env_for(double))
    notes = json.loads(res.stdout)["targets"][0]["notes"]
    assert f"used the adb server already running on 127.0.0.1:{double.port} (left running)" in notes
    assert _answers(double.port)


def test_adb_missing(tmp_path):
    from .conftest import free_port

    port = free_port()
    env = {"ADB_SERVER_SOCKET": f"tcp:127.0.0.1:{port}", "PATH": str(tmp_path)}
    res = run_cli("device", env=env)
    assert res.returncode == 2 and "adb is not installed" in res.stderr and "Traceback" not in res.stderr


def test_device_gone_mid_watch_keeps_what_was_gathered(world, double, tmp_path):
    double.gone_after = 16  # 2 full polls (8 shell commands each), then the device disappears
    db = str(tmp_path / "watch.sqlite")
    res = run_cli("device", "--format", "json", "--no-firewall", "--watch", "30s", "--interval", "0.2s",
                  "--db", db, env=env_for(double))
    data = json.loads(res.stdout)
    assert res.returncode == 2
    err = data["targets"][0]["errors"][0]
    assert "poll 3 failed" in err and f"device '{SERIAL}' not found" in err
    assert len(data["runtime"]) == 6  # gathered before the device left
    assert all(r["seen"]["appearances"] == 1 for r in data["runtime"])


def test_link_runtime_to_static_findings_of_the_demo_apk(world, double):
    res = run_cli("device", "--format", "json", "--package", PKG, "--apk", DEMO_APK, env=env_for(double))
    data = json.loads(res.stdout)
    kinds = [t["kind"] for t in data["targets"]]
    assert "device" in kinds and "apk" in kinds
    static = {f["rule"]: f for f in data["findings"] if f["target"].endswith("demo.apk")}
    allif = static["listener-all-interfaces"]
    assert allif["confidence"] == "high" and allif["runtime"][0]["matched_by"] == "port"
    assert allif["runtime"][0]["process"]["package"] == PKG
    assert static["listener-loopback-unchecked"]["runtime"][0]["endpoint"] == "tcp 127.0.0.1:8765"
    assert static["local-socket-unchecked"]["runtime"][0]["matched_by"] == "name"
    assert static["webview-debugging"]["runtime"][0]["matched_by"] == "debug"
    unexplained = [f for f in data["findings"] if f["rule"] == "runtime-listener-unexplained"]
    assert sorted(f["listener"]["port"] for f in unexplained) == [12580, EXTRA_PORT]  # no static counterpart
    runtime_rules = [(f["rule"], f["listener"]["port"] or f["listener"]["address"]) for f in data["findings"]
                     if f["target"].startswith("device:")]
    # matched sockets are reported once, by their static finding; unmatched ones keep their exposure finding
    assert ("runtime-listener-all-interfaces", 8080) not in runtime_rules
    assert ("runtime-listener-all-interfaces", EXTRA_PORT) in runtime_rules
    links = {r["port"] or r["unix"]["name"]: r["link"] for r in data["runtime"]}
    assert links[EXTRA_PORT]["matched"] is False and links[8080]["by"] == "port"
    assert links[12580]["matched"] is False  # UDP 12580 is not in the demo app's code either


def test_link_library_signature(world, double):
    from portaudit.live import device_report, scan_linked

    runtime = device_report(SERIAL, PKG, adb_host="127.0.0.1", adb_port=double.port)
    result = scan_linked([str(DEMO_APK)], None, None, lambda _static: (runtime.facts[0], PKG))
    # linking is a fact the rules read: the static listener records what was seen
    (seen,) = [lst for f in result.report.facts if f.target.kind == "apk" for lst in f.listeners if lst.port == 8080]
    assert seen.observed and seen.observed[0]["endpoint"].endswith(":8080")
    by = {lk.runtime.port or lk.runtime.unix_name: lk.by for lk in result.links}
    assert by[8080] == "port" and by[8765] == "port" and by["@portdemo_bridge"] == "name"
    assert by[EXTRA_PORT] is None
    assert {lk.runtime.port for lk in result.unmatched if lk.runtime.port} == {EXTRA_PORT, 12580}


def test_device_firewall_from_iptables_save(world, double):
    """A rooted device's packet filter: real iptables-save output of the device namespace, replayed."""
    rule = ["INPUT", "!", "-i", "lo", "-p", "tcp", "--dport", "8080", "-j", "DROP"]
    subprocess.run(["ip", "netns", "exec", world.ns, "iptables", "-A", *rule], check=True)
    try:
        double.outputs["iptables-save 2>&1"] = subprocess.run(
            ["ip", "netns", "exec", world.ns, "iptables-save"], capture_output=True, text=True, check=True).stdout
    finally:
        subprocess.run(["ip", "netns", "exec", world.ns, "iptables", "-D", *rule], check=True)
    data = json.loads(run_cli("device", "--format", "json", env=env_for(double)).stdout)
    rt = _rt(data)
    assert rt[8080]["firewall"]["filtered"] is True and rt[8080]["firewall"]["suggestion"] is None
    assert rt[EXTRA_PORT]["firewall"]["filtered"] is False
    assert rt[EXTRA_PORT]["firewall"]["suggestion"] == f"iptables -I INPUT ! -i lo -p tcp --dport {EXTRA_PORT} -j DROP"
    f = [x for x in data["findings"] if x["listener"]["port"] == 8080][0]
    assert f["severity"] == "medium" and "filtered by the firewall" in f["message"]


def test_scan_with_device_links_the_same_way(world, double):
    res = run_cli("scan", DEMO_APK, "--device", "--format", "json", env=env_for(double))
    data = json.loads(res.stdout)
    assert res.returncode == 1, res.stderr
    static = {f["rule"]: f for f in data["findings"] if f["target"].endswith("demo.apk")}
    assert static["listener-all-interfaces"]["runtime"][0]["matched_by"] == "port"
    unexplained = sorted(f["listener"]["port"] for f in data["findings"]
                         if f["rule"] == "runtime-listener-unexplained")
    assert unexplained == [12580, EXTRA_PORT]


def test_scan_with_device_needs_one_app(world, double, tmp_path):
    second = tmp_path / "second.apk"  # a path named twice is scanned once: two apps need two files
    second.write_bytes(Path(DEMO_APK).read_bytes())
    res = run_cli("scan", DEMO_APK, second, "--device", env=env_for(double))
    assert res.returncode == 2 and "exactly one Android app" in res.stderr
