"""``portaudit scan PATH --host``: real processes, started here from code this test writes into a
temporary tree (Python, Java built with javac, Node, Go built with go build), are tied to the static
findings of that code.  Expected values come from the sources written below (the port literals and
bind addresses), the PIDs of the processes started here, and the kernel (``ss``)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import free_port, run_cli

PY = """import socket, time
s = socket.socket()
s.bind(("0.0.0.0", {port}))
s.listen()
print("ready", flush=True)
time.sleep(300)
"""
PY_ENV = """import os, socket, time
s = socket.socket()
s.bind((os.environ.get("BIND_HOST", "127.0.0.1"), {port}))
s.listen()
print("ready", flush=True)
time.sleep(300)
"""
JAVA = """import java.net.InetAddress;
import java.net.ServerSocket;

public class Srv {{
    public static void main(String[] args) throws Exception {{
        ServerSocket s = new ServerSocket({port}, 50, InetAddress.getLoopbackAddress());
        System.out.println("ready");
        Thread.sleep(300000);
        s.close();
    }}
}}
"""
NODE = """const net = require("net");
const server = net.createServer((c) => c.end());
server.listen({{ port: {port}, host: "127.0.0.1" }}, () => console.log("ready"));
"""
GO = """package main

import (
\t"fmt"
\t"net"
\t"time"
)

func main() {{
\tln, err := net.Listen("tcp", "127.0.0.1:{port}")
\tif err != nil {{
\t\tpanic(err)
\t}}
\tdefer ln.Close()
\tfmt.Println("ready")
\ttime.Sleep(300 * time.Second)
}}
"""
C = """#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void) {{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons({port});
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 8) != 0) {{
        perror("bind");
        return 1;
    }}
    printf("ready\\n");
    fflush(stdout);
    sleep(300);
    return 0;
}}
"""
NEVER = """import socket
s = socket.socket()
s.bind(("0.0.0.0", {port}))
s.listen()
"""


@dataclass
class Tree:
    root: Path
    ports: dict[str, int]
    pids: dict[str, int]
    procs: list[subprocess.Popen] = field(default_factory=list)


def _start(cmd, cwd, env=None) -> subprocess.Popen:
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, **(env or {})})
    line = p.stdout.readline()
    if line.strip() != "ready":
        p.kill()
        pytest.fail(f"{cmd} did not start: {line!r} {p.stderr.read()[-500:]}")
    return p


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    for tool in ("javac", "java", "node", "go", "gcc"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is needed (scripts/apt-packages.txt)")
    root = tmp_path_factory.mktemp("app")
    names = ("py", "py_env", "java", "node", "go", "c", "never", "outside")
    ports = {n: free_port() for n in names}
    for sub in ("py", "java", "node", "go", "c", "unused"):
        (root / sub).mkdir()
    (root / "py" / "srv.py").write_text(PY.format(port=ports["py"]))
    (root / "py" / "env_srv.py").write_text(PY_ENV.format(port=ports["py_env"]))
    (root / "java" / "Srv.java").write_text(JAVA.format(port=ports["java"]))
    (root / "node" / "web.js").write_text(NODE.format(port=ports["node"]))
    (root / "go" / "srv.go").write_text(GO.format(port=ports["go"]))
    (root / "c" / "csrv.c").write_text(C.format(port=ports["c"]))
    (root / "unused" / "never.py").write_text(NEVER.format(port=ports["never"]))
    subprocess.run(["javac", "-d", "build", "Srv.java"], cwd=root / "java", check=True, capture_output=True)
    gocache = tmp_path_factory.mktemp("gocache")
    subprocess.run(["go", "build", "-o", "srv", "srv.go"], cwd=root / "go", check=True, capture_output=True,
                   env={**os.environ, "GOCACHE": str(gocache), "GOFLAGS": "-mod=mod", "GO111MODULE": "off"})
    subprocess.run(["gcc", "-O1", "-o", "csrv", "csrv.c"], cwd=root / "c", check=True, capture_output=True)
    outside = tmp_path_factory.mktemp("elsewhere")  # a process whose code is not in the tree
    (outside / "other.py").write_text(PY.format(port=ports["outside"]))
    t = Tree(root=root, ports=ports, pids={})
    try:
        for name, cmd, cwd, env in (
                ("py", [sys.executable, "py/srv.py"], root, None),
                ("py_env", [sys.executable, "env_srv.py"], root / "py", {"BIND_HOST": "0.0.0.0"}),
                ("java", ["java", "-cp", "build", "Srv"], root / "java", None),
                ("node", ["node", "web.js"], root / "node", None),
                ("go", [str(root / "go" / "srv")], root, None),
                ("c", ["./csrv"], root / "c", None),
                ("outside", [sys.executable, "other.py"], outside, None)):
            p = _start(cmd, cwd, env)
            t.procs.append(p)
            t.pids[name] = p.pid
        yield t
    finally:
        for p in t.procs:
            p.kill()
            p.wait(10)


@pytest.fixture(scope="module")
def as_json(tree):
    run = run_cli("scan", str(tree.root), "--host", "-f", "json", timeout=300)
    assert run.returncode == 1, run.stderr
    return json.loads(run.stdout)


def _static(data, port):
    return [f for f in data["findings"] if not f["target"].startswith("host:")
            and (f.get("listener") or {}).get("port") == port]


@pytest.mark.parametrize("name, rule, bind, code", [
    ("py", "listener-all-interfaces", "all-interfaces", "argument py/srv.py"),
    ("java", "listener-loopback-unchecked", "loopback", "class path build"),
    ("node", "listener-loopback-unchecked", "loopback", "argument web.js"),
    ("go", "listener-loopback-unchecked", "loopback", "executable "),
    ("c", "listener-loopback-unchecked", "loopback", "executable "),
])
def test_each_running_listener_is_tied_to_its_code(tree, as_json, name, rule, bind, code):
    port = tree.ports[name]
    found = _static(as_json, port)
    # the source file; for Go and C also the binary built into the tree (its net.Listen / bind call,
    # read natively)
    assert sorted(f["location"]["file"].rsplit("/", 1)[-1] for f in found) == \
        {"py": ["srv.py"], "java": ["Srv.java"], "node": ["web.js"], "go": ["srv", "srv.go"],
         "c": ["csrv", "csrv.c"]}[name]
    for finding in found:
        assert finding["rule"] == rule and finding["confidence"] == "high"
        (seen,) = finding["runtime"]
        assert seen["matched_by"] == "port" and seen["bind"] == bind
        assert seen["process"]["pid"] == tree.pids[name]
    (rt,) = [r for r in as_json["runtime"] if r.get("port") == port]
    assert rt["link"]["matched"] is True and rt["link"]["process_code"].startswith(code)
    assert sorted(rt["link"]["static"]) == sorted(f["fingerprint"] for f in found)
    # reported once: by the static finding, not again as a runtime exposure finding
    assert not [f for f in as_json["findings"] if f["target"].startswith("host:")
                and (f.get("listener") or {}).get("port") == port]


def test_the_go_binary_is_recognised_by_its_executable(tree, as_json):
    (rt,) = [r for r in as_json["runtime"] if r.get("port") == tree.ports["go"]]
    assert rt["link"]["process_code"] == f"executable {tree.root / 'go' / 'srv'}"


def test_a_listener_never_run_is_found_not_observed(tree, as_json):
    (finding,) = _static(as_json, tree.ports["never"])
    assert finding["rule"] == "listener-all-interfaces" and "runtime" not in finding
    assert not [r for r in as_json["runtime"] if r.get("port") == tree.ports["never"]]


def test_a_process_outside_the_tree_is_not_linked(tree, as_json):
    # the kernel shows it listening (independent check with ss), but its code is elsewhere
    ss = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    assert f":{tree.ports['outside']} " in ss
    assert not [r for r in as_json["runtime"] if r.get("port") == tree.ports["outside"]]
    assert any("left out" in n for t in as_json["targets"] if t["kind"] == "host" for n in t["notes"])


def test_an_environment_variable_that_changes_the_bind_is_a_disagreement(tree, as_json):
    port = tree.ports["py_env"]
    (static,) = _static(as_json, port)
    assert static["listener"]["bind"] == "loopback"  # the default of os.environ.get in env_srv.py
    (dis,) = [f for f in as_json["findings"] if f["rule"] == "runtime-bind-disagrees"]
    assert dis["severity"] == "high" and dis["listener"]["port"] == port
    assert dis["message"].startswith("bound to all interfaces at run time, but the code says loopback "
                                     "(py/env_srv.py:3:1)")
    assert dis["disagrees"]["static_findings"] == [static["fingerprint"]]
    assert static["runtime"][0]["bind"] == "all-interfaces"


def test_sarif_carries_the_runtime_evidence(tree):
    run = run_cli("scan", str(tree.root), "--host", "-f", "sarif", timeout=300)
    results = json.loads(run.stdout)["runs"][0]["results"]
    by_port = {}
    for r in results:
        by_port.setdefault(r["properties"].get("port"), []).append(r)
    for name in ("py", "java", "node", "go", "c"):
        statics = [r for r in by_port[tree.ports[name]] if r["ruleId"] != "runtime-bind-disagrees"]
        assert statics and all(r["properties"]["runtime"][0]["process"]["pid"] == tree.pids[name] for r in statics)
    assert [r["ruleId"] for r in by_port[tree.ports["py_env"]]].count("runtime-bind-disagrees") == 1


def test_watch_records_the_linked_listeners(tree, tmp_path):
    db = tmp_path / "w.sqlite"
    run = run_cli("scan", str(tree.root), "--host", "--watch", "2s", "--db", str(db),
                  "-f", "json", timeout=300)
    assert run.returncode == 1, run.stderr
    keys = {k for (k,) in sqlite3.connect(db).execute("SELECT key FROM events WHERE event = 'open'")}
    # keys are "tcp ADDRESS:PORT"; the JVM's socket is IPv6 (::ffff:127.0.0.1), so match the port
    for name in ("py", "java", "node", "go", "c"):
        assert any(k.startswith("tcp ") and k.endswith(f":{tree.ports[name]}") for k in keys), name


def test_host_link_options_are_checked():
    run = run_cli("scan", ".", "--host", "--device")
    assert run.returncode == 2 and "exclusive" in run.stderr
    run = run_cli("scan", ".", "--probe")
    assert run.returncode == 2 and "--device or --host" in run.stderr


def test_probe_contacts_only_the_scanned_codes_listeners(tree):
    from .test_safety import _Counting  # an HTTP server in this (pytest) process, outside the tree

    outside = _Counting()
    try:
        run = run_cli("scan", str(tree.root), "--host", "--probe", "-f", "json", timeout=300)
    finally:
        outside.close()
    data = json.loads(run.stdout)
    assert outside.hits == 0  # never connected to: its process does not run the tree's code
    (finding,) = _static(data, tree.ports["py"])
    assert "probe" in finding["runtime"][0]  # the tree's own listener was fingerprinted
    assert not [r for r in data["runtime"] if r.get("port") == outside.port]
