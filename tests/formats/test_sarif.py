"""SARIF 2.1.0 output: structure, GitHub requirements, and Microsoft's SARIF Multitool."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from portaudit import rules as rules_mod
from portaudit.formats import sarif
from portaudit.model import Severity
from portaudit.report import Report

from .conftest import multitool, node_tools

DEMO_APK = Path(__file__).resolve().parents[2] / "src" / "portaudit" / "samples" / "demo.apk"


def _run(report, **kw):
    return json.loads(sarif.render(report, **kw))


def test_driver_lists_every_rule_with_help_tags_and_security_severity(sample):
    log = _run(sample)
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "portaudit" and driver["version"]
    ids = [r["id"] for r in driver["rules"]]
    assert ids == [cls.id for cls in rules_mod.ALL]
    for rule, cls in zip(driver["rules"], rules_mod.ALL, strict=True):
        md = rule["help"]["markdown"]
        for section in ("## What", "## Why", "## Fix"):
            assert section in md
        assert cls.fix().split()[0].strip("`") in rule["help"]["text"]
        tags = rule["properties"]["tags"]
        assert cls.ids.maswe_beta in tags and cls.ids.maswe in tags
        assert all(f"external/cwe/{c.lower()}" in tags for c in cls.ids.cwe)
        assert all(m in tags for m in cls.ids.masvs)
        float(rule["properties"]["security-severity"])  # numeric string
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]


def test_results_levels_fingerprints_and_rule_index(sample):
    log = _run(sample)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(sample.findings) > 5
    for res, f in zip(run["results"], sample.findings, strict=True):
        assert res["ruleId"] == f.rule == rules[res["ruleIndex"]]["id"]
        assert res["level"] == {Severity.HIGH: "error", Severity.MEDIUM: "warning"}.get(f.severity, "note")
        assert res["partialFingerprints"][sarif.FINGERPRINT_KEY] == f.fingerprint
        assert res["properties"]["confidence"] == f.confidence.label
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_source_result_has_exact_region_snippet_and_fix(sample):
    run = _run(sample)["runs"][0]
    res = next(r for r in run["results"] if r["ruleId"] == "listener-all-interfaces"
               and "region" in r["locations"][0]["physicalLocation"])
    phys = res["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"] == {"uri": "app/src/main/java/com/example/demo/Server.java",
                                        "uriBaseId": "%SRCROOT%"}
    region = phys["region"]
    assert region["startLine"] == 9 and region["startColumn"] == 9
    assert region["snippet"]["text"].startswith("s.bind(new InetSocketAddress(\"0.0.0.0\", 8080))")
    assert res["properties"]["bind"] == "all-interfaces" and res["properties"]["port"] == 8080
    # the fix replaces exactly the literal 0.0.0.0 on that line
    repl = res["fixes"][0]["artifactChanges"][0]["replacements"][0]
    line = (sample.targets[0].path + "/src/main/java/com/example/demo/Server.java")
    text = Path(line).read_text().splitlines()[repl["deletedRegion"]["startLine"] - 1]
    d = repl["deletedRegion"]
    assert text[d["startColumn"] - 1:d["endColumn"] - 1] == "0.0.0.0"
    assert repl["insertedContent"]["text"] == "127.0.0.1"
    # no absolute local path anywhere in the log (the checkout's location is not the report's business)
    assert str(Path.cwd()) not in json.dumps(run) and "file://" not in json.dumps(run)


def test_bytecode_native_and_runtime_locations(sample):
    run = _run(sample)["runs"][0]
    by_fq = {}
    for res in run["results"]:
        for ll in res["locations"][0].get("logicalLocations", []):
            by_fq[ll["fullyQualifiedName"]] = res
    dex = by_fq["classes2.dex!com.example.demo.HttpServer.start(I)V@0x1a"]
    assert dex["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "demo.apk"
    assert dex["properties"]["sdk"] == "NanoHTTPD"
    # GitHub shows the message, not the logical location: it names the method and the port
    assert "(in com.example.demo.HttpServer.start(int))" in dex["message"]["text"]
    assert ":8888" in dex["message"]["text"]
    native = by_fq["lib/arm64-v8a/libdemo.so!serve@0x40"]
    assert native["ruleId"] == "listener-unresolved-address"
    assert "(in serve in lib/arm64-v8a/libdemo.so)" in native["message"]["text"]
    host = [r for r in run["results"] if r["properties"]["target"] == "host:buildbox"]
    assert {r["ruleId"] for r in host} == {"runtime-listener-all-interfaces", "runtime-debug-endpoint"}
    for r in host:
        loc = r["locations"][0]
        assert loc["physicalLocation"]["artifactLocation"]["uri"] == "runtime/host/host_buildbox"
        assert loc["logicalLocations"][0]["name"] in ("adbd", "chrome")
    adbd = next(r for r in host if r["ruleId"] == "runtime-listener-all-interfaces")
    assert adbd["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "host:buildbox!adbd@0.0.0.0:5555"
    # the broken target is a tool notification, not a silent omission
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("truncated zip" in n["message"]["text"] for n in notes)


def test_suppressed_findings_carry_suppressions(sample):
    f = sample.findings[0]
    log = _run(Report(targets=sample.targets, facts=sample.facts, findings=sample.findings[1:]),
               suppressed=[(f, "external", "in baseline b.json")])
    res = log["runs"][0]["results"][-1]
    assert res["partialFingerprints"][sarif.FINGERPRINT_KEY] == f.fingerprint
    assert res["suppressions"] == [{"kind": "external", "status": "accepted",
                                    "justification": "in baseline b.json"}]


def test_flow_becomes_related_locations_and_a_code_flow(sample):
    """conftest: the APK's NanoHTTPD listener is reached through a wrapper called from
    MainActivity.onCreate; the source loopback listener's port is chosen in local()."""
    run = _run(sample)["runs"][0]
    dex = next(r for r in run["results"] if r["properties"].get("port") == 8888)
    related = dex["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2]
    assert [r["message"]["text"] for r in related] == ["wrapper: port parameter p0", "caller: port = 8888"]
    assert related[1]["logicalLocations"][0]["fullyQualifiedName"] == \
        "classes.dex!com.example.demo.MainActivity.onCreate(Landroid/os/Bundle;)V@0x30"
    # the message links the origin (GitHub renders "[text](id)" as a link to that related location)
    assert dex["message"]["text"].endswith(
        "; value from [com.example.demo.MainActivity.onCreate(Bundle)](2).")
    steps = dex["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == [
        "caller: port = 8888", "wrapper: port parameter p0", "api: java.net.ServerSocket(int)"]
    assert [s["executionOrder"] for s in steps] == [1, 2, 3]
    src = next(r for r in run["results"] if r["properties"].get("port") == 9090)
    (hop,) = src["relatedLocations"]
    java = (Path(sample.targets[0].path) / "src/main/java/com/example/demo/Server.java").read_text().splitlines()
    line = hop["physicalLocation"]["region"]["startLine"]
    assert "void local()" in java[line - 1]  # the oracle: the Java source of the fixture
    assert hop["physicalLocation"]["artifactLocation"]["uri"] == "app/src/main/java/com/example/demo/Server.java"


def test_bytecode_finding_points_at_its_source_file_when_the_tree_is_scanned(tmp_path):
    """The demo APK scanned with the source tree it was built from: the physical location of a DEX
    finding is the class's .java file at the method's declaration (the oracle: the Java source)."""
    demo_src = DEMO_APK.parent / "demo-app"
    proc = subprocess.run([sys.executable, "-m", "portaudit", "scan", str(DEMO_APK), str(demo_src), "--no-config",
                           "-f", "sarif", "--root", str(DEMO_APK.parents[3])], capture_output=True, text=True)
    results = json.loads(proc.stdout)["runs"][0]["results"]
    apk = [r for r in results if r["properties"]["target"] == "src/portaudit/samples/demo.apk"
           and r["ruleId"] != "debuggable-build"]
    assert apk
    for res in apk:
        loc = res["locations"][0]
        logical = loc["logicalLocations"][0]["fullyQualifiedName"]  # classes.dex!org.portaudit.demo.X.m(..)@0x..
        cls = logical.split("!", 1)[1].split("(")[0].rsplit(".", 1)[0]
        method = logical.split("!", 1)[1].split("(")[0].rsplit(".", 1)[1]
        phys = loc["physicalLocation"]
        path = "src/portaudit/samples/demo-app/src/" + cls.replace(".", "/") + ".java"
        assert phys["artifactLocation"]["uri"] == path
        text = (DEMO_APK.parents[3] / path).read_text().splitlines()
        name = cls.rsplit(".", 1)[1] if method == "<init>" else method
        declared = next(i for i, ln in enumerate(text, 1)
                        if re.search(rf"\b{re.escape(name)}\s*\(", ln) and ln.rstrip().endswith("{"))
        assert phys["region"]["startLine"] == declared, (logical, text[declared - 1])


def _validate(path):
    out = path.with_suffix(".validation.sarif")
    proc = subprocess.run([multitool(), "validate", "--rule-kind", "Sarif;Gh", str(path), "-o", str(out),
                           "--log", "ForceOverwrite"], capture_output=True, text=True, timeout=300,
                          cwd=node_tools())
    assert out.exists(), proc.stdout + proc.stderr
    results = json.loads(out.read_text())["runs"][0].get("results", [])
    return proc, results


def test_multitool_validates_with_zero_errors(sample, tmp_path):
    path = tmp_path / "report.sarif"
    f = sample.findings[-1]
    path.write_text(sarif.render(sample, suppressed=[(f, "inSource", "test harness only")]))
    proc, results = _validate(path)
    errors = [r for r in results if r.get("level", "warning") == "error"]
    print(proc.stdout)
    assert not errors, proc.stdout
    # the validator really ran our file: it reports (at least) the known warning about informationUri
    assert any(r["ruleId"] == "SARIF2005" for r in results), proc.stdout
    # and the only warnings are the documented ones (docs/ci.md)
    assert {r["ruleId"] for r in results} <= {"SARIF2005", "SARIF2017"}, proc.stdout


def test_multitool_validates_a_real_scan_of_the_demo_apk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "demo.sarif"
    proc = subprocess.run([sys.executable, "-m", "portaudit", "scan", str(DEMO_APK), "--no-config",
                           "-f", "sarif", "-o", str(path)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr  # findings at or above low
    log = json.loads(path.read_text())
    assert len(log["runs"][0]["results"]) >= 4
    assert log["runs"][0]["artifacts"][0]["hashes"]["sha-256"]
    proc, results = _validate(path)
    assert not [r for r in results if r.get("level", "warning") == "error"], proc.stdout


def test_multitool_catches_a_broken_log(sample, tmp_path):
    """Guard for the test above: the validator does flag GitHub errors."""
    log = _run(sample)
    del log["runs"][0]["tool"]["driver"]["rules"]
    for res in log["runs"][0]["results"]:
        res.pop("ruleIndex", None)
    path = tmp_path / "broken.sarif"
    path.write_text(json.dumps(log))
    _, results = _validate(path)
    assert any(r.get("level", "warning") == "error" and r["ruleId"].startswith("GH") for r in results)


SNAPSHOT = Path(__file__).with_name("snapshots") / "github-fields-demo.json"


def _github_fields(log: dict) -> dict:
    """What GitHub code scanning reads of a SARIF log (docs.github.com "SARIF support for code
    scanning"): per rule its id, name, descriptions, help, tags and security-severity; per result the
    rule, level, message, the first location's file and line, and whether it has a fingerprint and
    related locations / code flows."""
    run = log["runs"][0]
    rules = [{"id": r["id"], "name": r["name"], "shortDescription": r["shortDescription"]["text"],
              "has_help_markdown": bool(r["help"].get("markdown")), "tags": r["properties"]["tags"],
              "security-severity": r["properties"]["security-severity"]} for r in run["tool"]["driver"]["rules"]]
    results = []
    for r in run["results"]:
        phys = r["locations"][0]["physicalLocation"]
        results.append({"ruleId": r["ruleId"], "level": r["level"], "message": r["message"]["text"],
                        "uri": phys["artifactLocation"]["uri"], "startLine": phys.get("region", {}).get("startLine"),
                        "fingerprint": bool(r.get("partialFingerprints")),
                        "related": len(r.get("relatedLocations", [])), "codeFlows": len(r.get("codeFlows", []))})
    results.sort(key=lambda x: (x["uri"], x["startLine"] or 0, x["ruleId"], x["message"]))
    return {"rules": rules, "results": results}


def test_snapshot_of_the_fields_github_reads():
    """The demo APK and its source tree, as the GitHub Actions example uploads them.  The snapshot
    was reviewed by hand: every result's file and line is the demo app's Java source line that makes
    it (or the method declaring the call, for bytecode), every message names what GitHub needs to tell
    two alerts apart.  Regenerate with PORTAUDIT_UPDATE_SNAPSHOTS=1 and review the diff."""
    root = DEMO_APK.parents[3]
    proc = subprocess.run([sys.executable, "-m", "portaudit", "scan", "src/portaudit/samples/demo.apk",
                           "src/portaudit/samples/demo-app/src", "--no-config", "-f", "sarif", "--root", str(root)],
                          capture_output=True, text=True, cwd=root)
    got = _github_fields(json.loads(proc.stdout))
    if os.environ.get("PORTAUDIT_UPDATE_SNAPSHOTS"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(got, indent=1) + "\n")
    assert got == json.loads(SNAPSHOT.read_text())
