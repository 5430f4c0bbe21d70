"""The formats CI systems ingest besides SARIF: GitLab SAST report JSON and JUnit XML, produced by
the real command on real inputs and checked against the published schema (JUnit: junit-10.xsd) or
GitLab's documented field list (no registry carries GitLab's JSON schema; see schemas.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lxml import etree

from .schemas import gitlab_sast_problems, junit_xsd

ROOT = Path(__file__).resolve().parents[2]
DEMO_APK = ROOT / "src" / "portaudit" / "samples" / "demo.apk"
DEMO_SRC = ROOT / "src" / "portaudit" / "samples" / "demo-app" / "src"
CLEAN_SO = ROOT / "tests" / "fixtures" / "native" / "bin" / "libclient_x86.so"


def _scan(tmp_path: Path, *paths) -> tuple[dict, Path, Path]:
    broken = tmp_path / "broken.apk"
    broken.write_bytes(DEMO_APK.read_bytes()[:3000])  # a truncated copy of a real APK
    js, gl, ju = tmp_path / "r.json", tmp_path / "gl-sast-report.json", tmp_path / "junit.xml"
    proc = subprocess.run([sys.executable, "-m", "portaudit", "scan", *map(str, paths), str(broken), "--no-config",
                           "--root", str(ROOT), "-f", "json", "-o", f"json:{js}", "-o", f"gitlab:{gl}",
                           "-o", f"junit:{ju}"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr  # the broken APK
    return json.loads(js.read_text()), gl, ju


def test_junit_xml_validates_against_junit_10_xsd(tmp_path):
    data, _, ju = _scan(tmp_path, DEMO_APK, CLEAN_SO, DEMO_SRC)
    schema = etree.XMLSchema(etree.parse(str(junit_xsd())))
    doc = etree.parse(str(ju))
    assert schema.validate(doc), schema.error_log
    root = doc.getroot()
    # the oracle: the JSON report of the same run
    assert int(root.get("failures")) == len(data["findings"])
    assert int(root.get("errors")) == sum(len(t["errors"]) for t in data["targets"])
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {t["path"] for t in data["targets"]}
    clean = suites[CLEAN_SO.relative_to(ROOT).as_posix()]
    assert [c.get("name") for c in clean.findall("testcase")] == ["no findings"]
    broken = next(s for name, s in suites.items() if name.endswith("broken.apk"))
    assert broken.find("testcase/error") is not None
    failures = [c.find("failure") for s in suites.values() for c in s.findall("testcase")
                if c.find("failure") is not None]
    assert sorted(f.get("type") for f in failures) == sorted(f["severity"] for f in data["findings"])


def test_junit_guard_the_schema_rejects_a_broken_document():
    schema = etree.XMLSchema(etree.parse(str(junit_xsd())))
    assert not schema.validate(etree.fromstring(b"<testsuites><testsuite name='x'/></testsuites>"))  # no counts


def test_gitlab_sast_report_has_the_documented_fields(tmp_path):
    data, gl, _ = _scan(tmp_path, DEMO_APK, DEMO_SRC)
    report = json.loads(gl.read_text())
    assert gitlab_sast_problems(report) == []
    vulns = report["vulnerabilities"]
    assert len(vulns) == len(data["findings"])
    assert len({v["id"] for v in vulns}) == len(vulns)  # one vulnerability per finding ...
    primary = [(v["location"]["file"], v["location"]["start_line"], v["identifiers"][0]["value"]) for v in vulns]
    assert len(set(primary)) == len(primary)  # ... that GitLab will not merge with another
    assert report["scan"]["status"] == "failure" and any("broken.apk" in m["value"] for m in report["scan"]["messages"])
    # a source finding is at its file and line (the JSON report of the same run is the oracle)
    for f in data["findings"]:
        if f["location"]["line"]:
            assert any(v["location"]["file"] == f["location"]["file"]
                       and v["location"]["start_line"] == f["location"]["line"] for v in vulns), f["location"]
    # a bytecode finding of the APK points at its class's source file in the scanned tree
    share = [v for v in vulns if v["location"].get("class") == "org.portaudit.demo.ShareServer"]
    assert share and share[0]["location"]["file"].endswith("org/portaudit/demo/ShareServer.java")
    java = (ROOT / share[0]["location"]["file"]).read_text().splitlines()
    assert "public ShareServer(" in java[share[0]["location"]["start_line"] - 1]


def test_gitlab_guard_the_field_check_catches_departures():
    assert gitlab_sast_problems({"version": "15.0.7", "scan": {}, "vulnerabilities": [{"id": "x"}]})
