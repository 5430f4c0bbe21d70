"""Two network namespaces joined by a veth pair (made here, removed afterwards): servers bound to
0.0.0.0, 127.0.0.1 and the veth address in namespace A, probed and reached from namespace B."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from .conftest import run_cli

from portaudit.runtime import firewall as fw

P_ANY, P_LO, P_VETH = 18080, 18081, 18082


def _start_servers(ns):
    procs = []
    for port, bind in ((P_ANY, "0.0.0.0"), (P_LO, "127.0.0.1"), (P_VETH, ns.addr_a)):
        procs.append(subprocess.Popen(["ip", "netns", "exec", ns.a, sys.executable, "-m", "http.server", str(port),
                                       "--bind", bind], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    end = time.monotonic() + 30
    while time.monotonic() < end:
        out = subprocess.run(["ip", "netns", "exec", ns.a, "ss", "-ltnH"], capture_output=True, text=True,
                             check=False).stdout
        if all(f":{p} " in out for p in (P_ANY, P_LO, P_VETH)):
            return procs
        time.sleep(0.1)
    raise RuntimeError("servers did not start in the namespace")


@pytest.fixture
def servers(netns_pair):
    procs = _start_servers(netns_pair)
    yield netns_pair
    for p in procs:
        p.terminate()
        p.wait(10)


def _by_port(data):
    return {r["port"]: r for r in data["runtime"] if r["transport"] == "tcp"}


def test_inventory_probe_and_reach_across_namespaces(servers):
    ns = servers
    res = run_cli("host", "--format", "json", "--probe", "--reach", ns.addr_a, "--from-netns", ns.b,
                  "--no-firewall", "--timeout", "1", netns=ns.a)
    assert res.returncode == 1, res.stderr
    rt = _by_port(json.loads(res.stdout))
    assert set(rt) == {P_ANY, P_LO, P_VETH}  # a fresh namespace holds only our servers
    assert (rt[P_ANY]["bind"], rt[P_LO]["bind"], rt[P_VETH]["bind"]) == ("all-interfaces", "loopback", "specific")
    assert rt[P_VETH]["address"] == ns.addr_a
    for p in rt.values():
        assert p["probe"]["protocol"] == "http" and p["probe"]["requires_auth"] is False
        assert p["process"]["name"].startswith("python")
    assert rt[P_ANY]["reach"]["accepted"] is True and rt[P_VETH]["reach"]["accepted"] is True
    assert rt[P_LO]["reach"] == {"from": f"netns {ns.b}", "address": ns.addr_a, "accepted": False,
                                 "detail": "connection refused"}
    findings = {f["listener"]["port"]: f for f in json.loads(res.stdout)["findings"]}
    assert findings[P_ANY]["rule"] == "runtime-listener-all-interfaces"
    assert f"reachable from netns {ns.b}" in findings[P_ANY]["message"]
    assert findings[P_ANY]["probe"]["requires_auth"] is False
    assert findings[P_LO]["rule"] == "runtime-loopback-listener"
    assert findings[P_VETH]["rule"] == "runtime-listener-specific-interface"


def test_named_targets_probed_from_the_other_namespace(servers):
    ns = servers
    args = ["host", "--format", "json", "--no-firewall", "--no-unix", "--timeout", "1"]
    for p in (P_ANY, P_LO, P_VETH):
        args += ["--target", f"{ns.addr_a}:{p}"]
    refused = run_cli(*args, netns=ns.b)  # addr_a is another machine's address, seen from B
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip().endswith(f"--target {ns.addr_a}:{P_ANY}: {ns.addr_a} is outside this machine "
                                           "(not loopback, not one of its interfaces); add --allow-remote to "
                                           "connect to it")
    res = run_cli(*args, "--allow-remote", netns=ns.b)
    data = json.loads(res.stdout)
    rt = {r["port"]: r for r in data["runtime"] if r["state"] == "NAMED"}
    assert rt[P_ANY]["probe"]["protocol"] == "http" and rt[P_VETH]["probe"]["protocol"] == "http"
    # the server on A's loopback cannot be reached from B: a note and a record, not a listener finding
    assert P_LO not in rt and len(data["runtime"]) == 2  # namespace B listens on nothing
    assert f"--target {ns.addr_a}:{P_LO}: not reachable: connection refused; not a listener finding" in \
        data["targets"][0]["notes"]
    assert {t["port"]: t["reachable"] for t in data["named_targets"]} == {P_ANY: True, P_LO: False,
                                                                            P_VETH: True}
    assert not [f for f in data["findings"] if (f.get("listener") or {}).get("port") == P_LO]


def test_nftables_filter_is_read_and_matches_reach(servers):
    ns = servers
    ruleset = f"""table inet pa_test {{
  chain input {{
    type filter hook input priority 0; policy accept;
    iifname "lo" accept
    ct state established,related accept
    tcp dport {P_VETH} drop
  }}
}}
"""
    subprocess.run(["ip", "netns", "exec", ns.a, "nft", "-f", "-"], input=ruleset, text=True, check=True)
    res = run_cli("host", "--format", "json", "--reach", ns.addr_a, "--from-netns", ns.b, "--timeout", "1",
                  netns=ns.a)
    rt = _by_port(json.loads(res.stdout))
    assert rt[P_VETH]["firewall"]["filtered"] is True and "dropped" in rt[P_VETH]["firewall"]["detail"]
    assert rt[P_VETH]["reach"]["accepted"] is False  # the empirical check agrees
    assert rt[P_ANY]["firewall"]["filtered"] is False and rt[P_ANY]["reach"]["accepted"] is True
    assert f"dport {P_ANY} drop" in rt[P_ANY]["firewall"]["suggestion"]
    assert "firewall" not in rt[P_LO]  # loopback listeners are not judged
    # the suggested rule really closes the port: apply it and reach again
    subprocess.run(["ip", "netns", "exec", ns.a, "sh", "-c", rt[P_ANY]["firewall"]["suggestion"]], check=True)
    res2 = run_cli("host", "--format", "json", "--reach", ns.addr_a, "--from-netns", ns.b, "--timeout", "1",
                   netns=ns.a)
    rt2 = _by_port(json.loads(res2.stdout))
    assert rt2[P_ANY]["firewall"]["filtered"] is True and rt2[P_ANY]["reach"]["accepted"] is False
    f = [x for x in json.loads(res2.stdout)["findings"] if x["listener"]["port"] == P_ANY][0]
    assert f["severity"] == "medium"  # filtered and unreachable: one level lower


def test_iptables_save_output_is_understood(netns_pair):
    ns = netns_pair
    for rule in (["-A", "INPUT", "-i", "lo", "-j", "ACCEPT"],
                 ["-A", "INPUT", "-m", "state", "--state", "RELATED,ESTABLISHED", "-j", "ACCEPT"],
                 ["-A", "INPUT", "-s", "10.203.0.0/16", "-p", "tcp", "--dport", "7000", "-j", "ACCEPT"],
                 ["-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "7000,7100:7200", "-j", "DROP"],
                 ["-P", "INPUT", "ACCEPT"]):
        subprocess.run(["ip", "netns", "exec", ns.a, "iptables", *rule], check=True, capture_output=True)
    text = subprocess.run(["ip", "netns", "exec", ns.a, "iptables-save"], capture_output=True, text=True,
                          check=True).stdout
    rs = fw.parse_iptables_save(text)
    assert fw.evaluate(rs, "tcp", 7150)["filtered"] is True
    allow = fw.evaluate(rs, "tcp", 7000)
    assert allow["filtered"] is True and "only from 10.203.0.0/16" in allow["detail"]
    assert fw.evaluate(rs, "tcp", 8000)["filtered"] is False
    assert fw.evaluate(rs, "udp", 7150)["filtered"] is False
    # the same rules as nftables sees them (iptables-nft) give the same answers
    nft = subprocess.run(["ip", "netns", "exec", ns.a, "nft", "-j", "list", "ruleset"], capture_output=True,
                         text=True, check=True).stdout
    rs2 = fw.parse_nft_json(nft)
    for proto, port in (("tcp", 7150), ("tcp", 8000), ("udp", 7150)):
        assert fw.evaluate(rs2, proto, port)["filtered"] in (fw.evaluate(rs, proto, port)["filtered"], None)


def test_rules_not_understood_give_cannot_tell(netns_pair):
    ns = netns_pair
    ruleset = """table inet pa_test {
  chain input {
    type filter hook input priority 0; policy drop;
    meta mark 0x00000001 accept
    tcp dport 22 accept
  }
}
"""
    subprocess.run(["ip", "netns", "exec", ns.a, "nft", "-f", "-"], input=ruleset, text=True, check=True)
    text = subprocess.run(["ip", "netns", "exec", ns.a, "nft", "-j", "list", "ruleset"], capture_output=True,
                          text=True, check=True).stdout
    rs = fw.parse_nft_json(text)
    unsure = fw.evaluate(rs, "tcp", 8080)
    assert unsure["filtered"] is None and "cannot tell" in unsure["detail"]
    assert fw.evaluate(rs, "tcp", 22)["filtered"] is None  # the mark rule comes first: still unsure
    subprocess.run(["ip", "netns", "exec", ns.a, "nft", "flush", "ruleset"], check=True)
    subprocess.run(["ip", "netns", "exec", ns.a, "nft", "-f", "-"], text=True, check=True,
                   input=ruleset.replace("    meta mark 0x00000001 accept\n", ""))
    rs = fw.parse_nft_json(subprocess.run(["ip", "netns", "exec", ns.a, "nft", "-j", "list", "ruleset"],
                                          capture_output=True, text=True, check=True).stdout)
    assert fw.evaluate(rs, "tcp", 22)["filtered"] is False
    assert fw.evaluate(rs, "tcp", 8080)["filtered"] is True  # policy drop
