"""The published schemas the CI formats are validated against, fetched from a registry and pinned.

* JUnit XML: ``junit-10.xsd`` (the Jenkins xUnit plugin's schema, MIT), shipped in the pytest sdist on
  PyPI as ``testing/example_scripts/junit-10.xsd``; pinned as ``pytest-sdist`` in scripts/third-party.lock.
* GitLab SAST: the JSON schema is published only in GitLab's own repository, which no registry
  carries; the report is checked against the field list GitLab documents instead
  (:data:`GITLAB_SAST`, from docs.gitlab.com "Security scanner integration" / "SAST report format",
  security report schema 15.x).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from tests.source.fetch_inputs import _verified, pinned

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "tests" / ".cache" / "formats"


def junit_xsd() -> Path:
    out = CACHE / "junit-10.xsd"
    if out.exists():
        return out
    pin = pinned("pytest-sdist")
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp, "req.txt")
        req.write_text(f"pytest=={pin['version']} --hash=sha256:{pin['sha256']}\n")
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary=:all:",
                        "--require-hashes", "-r", str(req), "-d", tmp], check=True, capture_output=True)
        sdist = _verified("pytest-sdist", Path(tmp))
        with tarfile.open(sdist) as tf:
            member = tf.getmember(f"pytest-{pin['version']}/testing/example_scripts/junit-10.xsd")
            data = tf.extractfile(member).read()  # type: ignore[union-attr]
    CACHE.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return out


# -- GitLab SAST: the documented fields (schema 15.x) --------------------------------------------
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
SEVERITIES = {"Info", "Unknown", "Low", "Medium", "High", "Critical"}
VULNERABILITY_KEYS = {"id", "name", "description", "severity", "solution", "identifiers", "links", "details",
                      "tracking", "flags", "location", "raw_source_code_extract", "cvss_vectors"}
SAST_LOCATION_KEYS = {"file", "start_line", "end_line", "class", "method"}


def gitlab_sast_problems(report: dict[str, Any]) -> list[str]:
    """Every way ``report`` departs from the documented SAST report fields (empty: conforms)."""
    bad: list[str] = []

    def need(cond: bool, what: str) -> None:
        if not cond:
            bad.append(what)

    need(set(report) <= {"version", "scan", "vulnerabilities", "remediations", "schema"}, f"top keys {set(report)}")
    need(isinstance(report.get("version"), str) and report["version"].startswith("15."), "version 15.x")
    scan = report.get("scan") or {}
    need({"analyzer", "scanner", "type", "start_time", "end_time", "status"} <= set(scan), "scan fields")
    for part in ("analyzer", "scanner"):
        tool = scan.get(part) or {}
        need({"id", "name", "version", "vendor"} <= set(tool) and isinstance(tool.get("vendor"), dict)
             and tool["vendor"].get("name"), f"scan.{part}: id, name, version, vendor.name")
    need(scan.get("type") == "sast", "scan.type sast")
    need(scan.get("status") in ("success", "failure"), "scan.status")
    for t in ("start_time", "end_time"):
        need(bool(TIME.match(str(scan.get(t, "")))), f"scan.{t} YYYY-MM-DDTHH:MM:SS")
    for m in scan.get("messages", []):
        need(m.get("level") in ("info", "warn", "fatal") and isinstance(m.get("value"), str), "scan.messages[]")
    vulns = report.get("vulnerabilities")
    need(isinstance(vulns, list), "vulnerabilities list")
    for i, v in enumerate(vulns or []):
        where = f"vulnerabilities[{i}]"
        need(set(v) <= VULNERABILITY_KEYS, f"{where}: unknown keys {set(v) - VULNERABILITY_KEYS}")
        need({"id", "identifiers", "location"} <= set(v), f"{where}: id, identifiers, location")
        need(isinstance(v.get("id"), str) and v["id"], f"{where}.id")
        need(len(v.get("name", "")) <= 255, f"{where}.name <= 255")
        need(v.get("severity") in SEVERITIES, f"{where}.severity")
        ids = v.get("identifiers") or []
        need(1 <= len(ids) <= 20, f"{where}.identifiers 1..20")
        for ident in ids:
            need({"type", "name", "value"} <= set(ident) <= {"type", "name", "value", "url"}
                 and all(isinstance(ident[k], str) and ident[k] for k in ("type", "name", "value")),
                 f"{where}.identifiers[]")
        loc = v.get("location") or {}
        need(set(loc) <= SAST_LOCATION_KEYS, f"{where}.location keys {set(loc)}")
        need(isinstance(loc.get("file"), str) and loc["file"], f"{where}.location.file")
        for k in ("start_line", "end_line"):  # GitLab's location fingerprint: file, start_line, end_line
            need(isinstance(loc.get(k), int) and loc[k] >= 1, f"{where}.location.{k}")
    return bad
