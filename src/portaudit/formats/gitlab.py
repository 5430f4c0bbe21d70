"""GitLab SAST report (``artifacts:reports:sast``), security report schema 15.x.

One vulnerability per finding: ``name`` the rule's title and id, ``description`` the finding's
message and place, then the rule's What and Why, ``solution`` the fix, ``severity`` in GitLab's words, and a
``location`` with the project-relative ``file``, ``start_line`` / ``end_line`` (GitLab tracks a
vulnerability by these three) and ``class`` / ``method`` for bytecode.  Bytecode findings point at
their class's source file when the report holds the tree (:mod:`.places`); other app and binary
findings at the app file, line 1, with the place in ``class``/``method`` and the message.

The primary identifier is the finding's fingerprint (GitLab merges two vulnerabilities that share
a location and one identifier other than CWE, so the rule id alone would merge distinct findings of
one app); the CWE ids follow.  Target errors are ``scan.messages`` and make ``scan.status``
``failure``.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from .. import rules as rules_mod
from ..model import Finding, Severity
from ..report import RUNTIME_KINDS, Report
from ..suppress import SourceLines
from .console import where
from .places import ClassFiles, declaration_line
from .text import clean

SCHEMA_VERSION = "15.0.7"
SEVERITY = {Severity.HIGH: "High", Severity.MEDIUM: "Medium", Severity.LOW: "Low", Severity.INFO: "Info"}
_NS = uuid.UUID("6f2b2f0e-5b1c-4c57-9a55-1f2e3d4c5b6a")  # ids are uuid5(this, fingerprint)


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S")


class _Places:
    def __init__(self, report: Report):
        self.report = report
        self.classes = ClassFiles(report)
        self.files = SourceLines()

    def of(self, f: Finding) -> dict[str, Any]:
        loc = f.location
        if loc.line is not None and loc.file:
            end = loc.end_line if loc.end_line and loc.end_line >= loc.line else loc.line
            return {"file": loc.file, "start_line": loc.line, "end_line": end}
        out: dict[str, Any] = {"file": f.target, "start_line": 1, "end_line": 1}
        source = self.classes.find(loc.class_) if loc.class_ else None
        if source:
            line = declaration_line(self.files.lines(self.report.disk_path(source)) or [], loc)
            out = {"file": source, "start_line": line or 1, "end_line": line or 1}
        if loc.class_:
            out["class"] = loc.class_
            if loc.method:
                out["method"] = loc.method
        return out


def _vulnerability(f: Finding, places: _Places) -> dict[str, Any]:
    cls = rules_mod.get(f.rule)
    title = cls.title().rstrip(".") if cls else f.rule
    shown = where(f.location, f.target)
    identifiers = [{"type": "portaudit_finding", "name": f"portaudit {f.rule} {f.fingerprint[:8]}",
                    "value": f.fingerprint or f"{f.rule}:{shown}"}]
    for cwe in f.ids.cwe:
        number = cwe.split("-")[-1]
        identifiers.append({"type": "cwe", "name": cwe, "value": number,
                            "url": f"https://cwe.mitre.org/data/definitions/{number}.html"})
    description = f"{f.message} (at {shown})"
    if cls:
        description += f"\n\n{cls.what()}\n\n{cls.why()}"
    vuln: dict[str, Any] = {
        "id": str(uuid.uuid5(_NS, f.fingerprint or f"{f.target}:{f.rule}:{shown}")),
        "name": f"{title} ({f.rule})"[:255],
        "description": description[:1048576],
        "severity": SEVERITY[f.severity],
        "solution": f.fix,
        "location": places.of(f),
        "identifiers": identifiers[:20],
    }
    hops = [h for h in (f.listener.flow if f.listener else []) if h.role != "api"]
    if hops:
        vuln["details"] = {"flow": {"type": "list", "name": "Where the value comes from", "items": [
            {"type": "text", "value": f"{h.role}: {where(h.location)}" + (f" ({h.note})" if h.note else "")}
            for h in hops]}}
    return vuln


def build(report: Report, *, started: datetime | None = None) -> dict[str, Any]:
    now = datetime.now(timezone.utc)
    places = _Places(report)
    tool = {"id": "portaudit", "name": "portaudit", "version": report.tool_version, "vendor": {"name": "portaudit"}}
    messages = [{"level": "fatal", "value": f"{t.path}: {e}"} for t in report.targets for e in t.errors]
    scan: dict[str, Any] = {
        "analyzer": dict(tool), "scanner": dict(tool), "type": "sast",
        "start_time": _stamp(started or now), "end_time": _stamp(now),
        "status": "failure" if messages else "success",
    }
    if messages:
        scan["messages"] = messages
    runtime = {t.path for t in report.targets if t.kind in RUNTIME_KINDS}  # not code: no SAST location
    findings = [f for f in report.findings if f.target not in runtime]
    return clean({"version": SCHEMA_VERSION, "scan": scan,
                  "vulnerabilities": [_vulnerability(f, places) for f in findings]})


def render(report: Report, **_: Any) -> str:
    return json.dumps(build(report), indent=2) + "\n"
