"""Reports for the format tests, built from the model dataclasses (the format tests check
rendering; analysis has its own tests).  The source tree is real text on disk so regions,
snippets, fixes and inline suppressions can be checked against it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from portaudit import rules as rules_mod
from portaudit.baseline import assign_ids
from portaudit.model import (AppInfo, Bind, Facts, Hop, Listener, Location, Origin, Target)
from portaudit.report import Report

ROOT = Path(__file__).resolve().parents[2]
NODE_TOOLS = ROOT / "tools" / "node"
CACHE = ROOT / "tests" / ".cache"

JAVA = """package com.example.demo;

import java.net.InetSocketAddress;
import java.net.ServerSocket;

public class Server {
    void start() throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress("0.0.0.0", 8080));
    }

    void local() throws Exception {
        // portaudit: ignore[listener-loopback-unchecked] only the test harness connects
        ServerSocket t = new ServerSocket(9090, 50, java.net.InetAddress.getLoopbackAddress());
    }
}
"""


def _line_col(text: str, needle: str) -> tuple[int, int]:
    for no, line in enumerate(text.splitlines(), 1):
        col = line.find(needle)
        if col >= 0:
            return no, col + 1
    raise AssertionError(needle)


def write_source_tree(root: Path, java: str = JAVA) -> Path:
    src = root / "app" / "src" / "main" / "java" / "com" / "example" / "demo"
    src.mkdir(parents=True, exist_ok=True)
    (src / "Server.java").write_text(java)
    return root / "app"


def source_facts(tree: Path, java: str = JAVA) -> Facts:
    rel = "src/main/java/com/example/demo/Server.java"
    target = Target(path=str(tree), kind="source")
    ln, col = _line_col(java, "s.bind(")
    line_text = java.splitlines()[ln - 1]
    all_if = Listener(
        api="java.net.ServerSocket.bind(SocketAddress)", transport="tcp", bind=Bind.ALL,
        address="0.0.0.0", port=8080,
        location=Location(file=rel, line=ln, column=col, end_line=ln,
                          end_column=len(line_text) + 1 - 1, snippet=line_text.strip()),
        evidence=line_text.strip())
    ln2, col2 = _line_col(java, "new ServerSocket(9090")
    t2 = java.splitlines()[ln2 - 1]
    api = Location(file=rel, line=ln2, column=col2, snippet=t2.strip())
    caller, _ = _line_col(java, "void local()")
    lb = Listener(
        api="java.net.ServerSocket(int,int,InetAddress)", transport="tcp", bind=Bind.LOOPBACK,
        address="127.0.0.1", port=9090, location=api, evidence=t2.strip(),
        # a flow as the source front end records it: the API call, then the method that chose the port
        flow=[Hop("api", api), Hop("caller", Location(file=rel, line=caller, column=5), "port 9090 chosen here")])
    return Facts(target=target, listeners=[all_if, lb])


def apk_facts(path: str) -> Facts:
    target = Target(path=path, kind="apk", sha256="ab" * 32, size=1234)
    dex_api = Location(file="classes2.dex", class_="com.example.demo.HttpServer", method="start(I)V", offset=0x1A)
    dex_lst = Listener(
        api="java.net.ServerSocket(int)", transport="tcp", bind=Bind.ALL, port=8888, location=dex_api,
        # a wrapper (start(int)) called by the app's activity with the port constant
        flow=[Hop("api", dex_api),
              Hop("wrapper", Location(file="classes2.dex", class_="com.example.demo.HttpServer",
                                      method="start(I)V", offset=0x1A), "port parameter p0"),
              Hop("caller", Location(file="classes.dex", class_="com.example.demo.MainActivity",
                                     method="onCreate(Landroid/os/Bundle;)V", offset=0x30), "port = 8888")],
        evidence="invoke-direct {v0, v1}, Ljava/net/ServerSocket;-><init>(I)V",
        origin=Origin(kind="library", sdk="NanoHTTPD", package="fi.iki.elonen"))
    native = Listener(
        api="bind", transport="udp", bind=Bind.UNKNOWN, port=None, reason="address from a register",
        location=Location(file="lib/arm64-v8a/libdemo.so", function="serve", offset=0x40),
        evidence="bl bind  ; x1 = [sp,#0x10]")
    unix = Listener(
        api="android.net.LocalServerSocket(String)", transport="unix", bind=Bind.UNIX,
        address="@demo_socket",
        location=Location(file="classes.dex", class_="com.example.demo.Ipc", method="<init>", offset=4),
        evidence="invoke-direct {v0, v1}, Landroid/net/LocalServerSocket;-><init>(Ljava/lang/String;)V")
    from portaudit.model import DebugService
    dbg = DebugService(kind="debuggable", enabled=True, location=Location(file="AndroidManifest.xml"),
                       evidence='android:debuggable="true"')
    return Facts(target=target, app=AppInfo(package="com.example.demo", version_name="1.0",
                                            debuggable=True),
                 listeners=[dex_lst, native, unix], debug=[dbg])


def runtime_facts() -> Facts:
    """A host inventory as the runtime input records it (findings come from the runtime rules)."""
    from portaudit.model.runtime import ProcessInfo, RuntimeListener

    target = Target(path="host:buildbox", kind="host")
    items = [
        RuntimeListener(transport="tcp", address="0.0.0.0", bind=Bind.ALL, port=5555, inode=4242, uid=0,
                        process=ProcessInfo(pid=42, name="adbd", uid=0), family="ipv4",
                        source="/proc/net/tcp"),
        RuntimeListener(transport="tcp", address="127.0.0.1", bind=Bind.LOOPBACK, port=9222, inode=77,
                        uid=1000, process=ProcessInfo(pid=77, name="chrome", uid=1000), family="ipv4",
                        source="/proc/net/tcp", debug="webview-devtools"),
    ]
    return Facts(target=target, runtime=items)


def build_report(facts_list: list[Facts], root: str | None = None) -> Report:
    """What ``scan.run`` does after analysis: rules, paths relative to the project root (the working
    directory unless ``root``), one fingerprint per finding."""
    report = Report()
    for facts in facts_list:
        report.targets.append(facts.target)
        report.facts.append(facts)
        report.findings.extend(rules_mod.evaluate(facts))
    report.rebase(root or os.getcwd())
    assign_ids(report.findings, report.facts)
    report.findings.sort(key=lambda f: (-f.severity, f.target, f.rule, f.location.short()))
    return report


@pytest.fixture
def sample(tmp_path, monkeypatch) -> Report:
    """A report over a source tree, an APK with DEX + native + unix findings, a runtime
    host target and a broken target.  cwd = tmp_path (SARIF URIs are relative to it)."""
    monkeypatch.chdir(tmp_path)
    tree = write_source_tree(tmp_path)
    apk = tmp_path / "demo.apk"
    apk.write_bytes(b"not read by the formats")
    broken = Target(path=str(tmp_path / "broken.apk"), kind="apk",
                    errors=["truncated zip: central directory missing"])
    facts = [source_facts(tree), apk_facts("demo.apk"), runtime_facts(), Facts(target=broken)]
    return build_report(facts)


def node_tools() -> Path:
    """tools/node with node_modules installed (scripts/setup-node-tools)."""
    if not (NODE_TOOLS / "node_modules" / "playwright-core").is_dir() or not list(
            (NODE_TOOLS / "node_modules" / "@microsoft").glob("sarif-multitool-*/Sarif.Multitool")):
        subprocess.run([str(ROOT / "scripts" / "setup-node-tools")], check=True)
    return NODE_TOOLS


def multitool() -> str:
    tools = node_tools()
    out = subprocess.run(["node", "-p", "require('@microsoft/sarif-multitool')"], cwd=tools,
                         capture_output=True, text=True, check=True).stdout.strip()
    assert os.access(out, os.X_OK), out
    return out


def chromium() -> str:
    path = shutil.which("chromium") or "/usr/bin/chromium"
    assert os.path.exists(path), "chromium missing: apt-get install chromium (scripts/apt-packages.txt)"
    return path




def big_report(root: Path, n_targets: int = 150, with_findings: int = 100, per_target: int = 5) -> Report:
    """A report at real size (issue 15: 150 targets, 500 findings): ``with_findings`` APK targets
    with ``per_target`` listener findings each (different classes, ports, bind classes, SDKs and a
    two-hop flow on every other one), the rest clean.  Built from the model (rendering is under test)."""
    binds = [(Bind.ALL, "0.0.0.0"), (Bind.LOOPBACK, "127.0.0.1"), (Bind.SPECIFIC, "192.168.1.5"),
             (Bind.UNKNOWN, None), (Bind.CONDITIONAL, None)]
    facts_list = []
    for t in range(n_targets):
        path = root / f"apps/app{t:03d}.apk"
        target = Target(path=str(path), kind="apk", sha256=f"{t:064x}", size=1000 + t, seconds=0.05)
        listeners = []
        if t < with_findings:
            for i in range(per_target):
                bind, addr = binds[(t + i) % len(binds)]
                loc = Location(file="classes.dex", class_=f"com.app{t}.net.Server{i}", method="start(I)V", offset=4 * i)
                flow = []
                if i % 2:
                    wrapper = Location(file="classes.dex", class_=f"com.app{t}.Net", method="listen(I)V", offset=8)
                    flow = [Hop("api", loc), Hop("wrapper", wrapper, "port parameter p"),
                            Hop("caller", Location(file="classes2.dex", class_=f"com.app{t}.Main", method="onCreate()V",
                                                   offset=0x20), f"port = {7000 + i}")]
                listeners.append(Listener(
                    api="java.net.ServerSocket(int,int,InetAddress)", transport="tcp", bind=bind, address=addr,
                    port=7000 + i, location=loc, flow=flow,
                    alternatives=["0.0.0.0", "127.0.0.1"] if bind == Bind.CONDITIONAL else [],
                    reason="address from a register" if bind == Bind.UNKNOWN else None,
                    origin=Origin(kind="library", sdk="NanoHTTPD") if i == 4 else Origin(),
                    evidence="invoke-direct {v0, v1, v2, v3}, "
                             "Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V"))
        facts_list.append(Facts(target=target, app=AppInfo(package=f"com.app{t}"), listeners=listeners))
    return build_report(facts_list, root=str(root))
