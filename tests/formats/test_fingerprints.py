"""Fingerprints survive rebuilds and unrelated changes; a changed finding gets a new one."""

from __future__ import annotations

from pathlib import Path

import pytest

from portaudit.baseline import finding_id
from portaudit.scan import run

from .conftest import JAVA, build_report, source_facts, write_source_tree
from .rebuild import ROOT, rebuild_demo

DEMO_APK = ROOT / "src" / "portaudit" / "samples" / "demo.apk"


def _edit(src: Path) -> None:
    # an unrelated new class
    (src / "Unrelated.java").write_text(
        "package org.portaudit.demo;\n\npublic class Unrelated {\n"
        "    public static int twice(int x) { return 2 * x; }\n}\n")
    # unrelated code before the listener in RemoteControl.run(): shifts the bytecode offset
    rc = src / "RemoteControl.java"
    text = rc.read_text()
    anchor = "    public void run() {\n"
    assert anchor in text
    rc.write_text(text.replace(anchor, anchor + "        int warmup = Unrelated.twice(21);\n"
                               "        if (warmup != 42) { return; }\n", 1))
    # a real change to a finding: the NanoHTTPD port
    ss = src / "ShareServer.java"
    assert "super(8080);" in ss.read_text()
    ss.write_text(ss.read_text().replace("super(8080);", "super(8081);"))


@pytest.fixture(scope="module")
def builds():
    return {"committed": DEMO_APK, "rebuilt": rebuild_demo("fp-same"), "edited": rebuild_demo("fp-edited", _edit)}


def _scan(apk: Path):
    report = run([str(apk)])
    assert not report.targets[0].errors, report.targets[0].errors
    return report


def _by_site(report):
    return {(f.rule, f.location.class_, (f.location.method or "").split("(")[0]): f for f in report.findings}


def test_rebuild_keeps_every_fingerprint(builds):
    a, b = _scan(builds["committed"]), _scan(builds["rebuilt"])
    assert a.targets[0].sha256 != b.targets[0].sha256  # really a different file (new signature)
    assert len(a.findings) >= 4
    assert sorted(f.fingerprint for f in a.findings) == sorted(f.fingerprint for f in b.findings)


def test_unrelated_changes_keep_fingerprints_and_a_changed_finding_gets_a_new_one(builds):
    a, c = _by_site(_scan(builds["committed"])), _by_site(_scan(builds["edited"]))
    assert a.keys() == c.keys()
    rc = ("listener-loopback-unchecked", "org.portaudit.demo.RemoteControl", "run")
    assert a[rc].location.offset != c[rc].location.offset  # the edit moved the call site ...
    assert a[rc].fingerprint == c[rc].fingerprint  # ... and the fingerprint did not move
    share = next(k for k in a if k[1] == "org.portaudit.demo.ShareServer")
    assert a[share].listener.port == 8080 and c[share].listener.port == 8081
    assert a[share].fingerprint != c[share].fingerprint
    unchanged = [k for k in a if k != share]
    assert unchanged and all(a[k].fingerprint == c[k].fingerprint for k in unchanged)


def test_source_lines_inserted_above_keep_the_fingerprint(tmp_path):
    one = write_source_tree(tmp_path / "one")
    shifted_java = JAVA.replace("public class Server {", "// a comment\n// another\n\npublic class Server {")
    two = write_source_tree(tmp_path / "two", shifted_java)
    changed_java = JAVA.replace('"0.0.0.0", 8080', '"0.0.0.0", 8081')
    three = write_source_tree(tmp_path / "three", changed_java)

    def fps(tree, java):
        facts = source_facts(tree, java)
        report = build_report([facts], root=str(tree.parent))  # one project, three checkouts
        for f in report.findings:  # each finding differs from the others: its id is its own
            assert f.fingerprint == finding_id(f, facts)
        return {f.rule: f for f in report.findings}

    a, b, c = fps(one, JAVA), fps(two, shifted_java), fps(three, changed_java)
    rule = "listener-all-interfaces"
    assert b[rule].location.line == a[rule].location.line + 3
    assert a[rule].fingerprint == b[rule].fingerprint
    assert a["listener-loopback-unchecked"].fingerprint == c["listener-loopback-unchecked"].fingerprint
    assert a[rule].fingerprint != c[rule].fingerprint
