"""JUnit XML for CI systems that show test results (GitLab ``artifacts:reports:junit``, Jenkins,
Azure Pipelines...): one ``testsuite`` per target, one failing ``testcase`` per finding (its
``failure`` type is the severity, its text the location, evidence, flow and fix), one passing
``testcase`` for a target without findings, and an ``error`` for a target that could not be
analysed.  Valid against the Jenkins xUnit ``junit-10.xsd`` (the tests check it).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from ..model import Finding
from ..report import Report
from .console import hop_line, where
from .text import xml


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: Any) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml(str(v)) for k, v in attrs.items() if v is not None})
    if text:
        el.text = xml(text)
    return el


def _details(f: Finding) -> str:
    lines = [f"at {where(f.location, f.target)}"]
    lines += [hop_line(h) for h in (f.listener.flow if f.listener else []) if h.role != "api"]
    evidence = (f.location.snippet or f.evidence or "").strip()
    if evidence:
        lines.append(f"> {evidence.splitlines()[0]}")
    lines += [f"confidence: {f.confidence.label}", f"fix: {f.fix}", f"fingerprint: {f.fingerprint}"]
    return "\n".join(lines)


def _suite(parent: ET.Element, path: str, kind: str, seconds: float | None, errors: Iterable[str],
           findings: list[Finding]) -> None:
    errors = list(errors)
    suite = _el(parent, "testsuite", name=path, tests=max(1, len(findings) + len(errors)), failures=len(findings),
                errors=len(errors), skipped=0, time=f"{seconds or 0:.3f}", package=kind)
    for err in errors:
        case = _el(suite, "testcase", name="analysis", classname=path)
        _el(case, "error", err, type="analysis-error", message=err)
    for f in findings:
        case = _el(suite, "testcase", name=f"{f.rule} at {where(f.location, f.target)}", classname=path)
        _el(case, "failure", _details(f), type=f.severity.label, message=f.message)
    if not findings and not errors:
        _el(suite, "testcase", name="no findings", classname=path)


def render(report: Report, **_: Any) -> str:
    by_target: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_target.setdefault(f.target, []).append(f)
    n_errors = sum(len(t.errors) for t in report.targets)
    root = ET.Element("testsuites", {"name": "portaudit", "tests": str(sum(
        max(1, len(by_target.get(t.path, [])) + len(t.errors)) for t in report.targets)),
        "failures": str(len(report.findings)), "errors": str(n_errors),
        "time": f"{sum(t.seconds or 0 for t in report.targets):.3f}"})
    for t in report.targets:
        _suite(root, t.path, t.kind, t.seconds, t.errors, by_target.pop(t.path, []))
    for path, rest in by_target.items():  # findings of a target the report does not list (kept, not lost)
        _suite(root, path, "unknown", None, [], rest)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
