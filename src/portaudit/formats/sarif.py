"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

* ``tool.driver`` lists every rule with its What / Why / Fix help (text and Markdown), MASWE / CWE /
  MASVS tags and a numeric ``security-severity``.
* Every artifact URI is relative to ``%SRCROOT%`` (the project root of the report) and
  percent-encoded byte by byte, so a file name that is not UTF-8 survives and no local absolute
  path leaks.
* The physical location is the best artifact there is: the source file (with the exact region)
  for source findings; for bytecode, the class's source file when a scanned source tree holds it
  (region: the method's declaration, found by name), else the app file; for native code the app
  or library file.  ``logicalLocations`` carry the class and method (or function) and the DEX or
  library entry; the message names them and the port, so two alerts in one app read differently.
* ``listener.flow`` becomes ``relatedLocations`` (every hop after the API call) and one
  ``codeFlows[0].threadFlows[0]`` from the origin to the API call.
* ``partialFingerprints`` are the baseline identity (:func:`portaudit.baseline.finding_id`).
* A wildcard address literal in source gets a ``fixes`` entry that replaces it with loopback.
* Findings suppressed by a baseline, configuration or inline comment are kept with a
  ``suppressions`` entry when the caller passes them (``suppressed=``).

Columns are Unicode code points (``run.columnKind``), 1-based.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import quote

from .. import rules as rules_mod
from ..model import Finding, Hop, Location, Severity, Target
from ..report import RUNTIME_KINDS, Report
from ..rules.base import Rule
from ..suppress import SourceLines
from .console import short_method
from .places import ClassFiles, declaration_line
from .text import clean

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "portauditFingerprint/v1"

LEVEL = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note", Severity.INFO: "note"}
# GitHub: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low
SECURITY_SEVERITY = {Severity.HIGH: "8.2", Severity.MEDIUM: "5.5", Severity.LOW: "3.1", Severity.INFO: "1.0"}

# literal wildcard addresses and what to put instead
_WILDCARD_FIX = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "[::1]", "0:0:0:0:0:0:0:0": "::1"}


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


def _plain(markdown: str) -> str:
    return markdown.replace("`", "")


def rule_descriptor(cls: type[Rule]) -> dict[str, Any]:
    what, why, fix = cls.what(), cls.why(), cls.fix()
    ids = cls.ids
    tags = ["security"]
    tags += [t for t in (ids.maswe_beta, ids.maswe) if t]
    tags += [f"external/cwe/{c.lower()}" for c in ids.cwe]
    tags += list(ids.masvs)
    tags += [t for t in cls.tags if t not in tags]
    md = (f"**{cls.title()}**\n\n## What\n{what}\n\n## Why\n{why}\n\n## Fix\n{fix}\n\n"
          f"Identifiers: {ids.maswe_beta} (MASWE beta), {ids.maswe} (MASWE v1), "
          f"{', '.join(ids.cwe)}, {', '.join(ids.masvs)}. Severity: {cls.severity.label}.")
    text = (f"{cls.title()}\n\nWhat: {_plain(what)}\n\nWhy: {_plain(why)}\n\nFix: {_plain(fix)}")
    return {
        "id": cls.id,
        "name": _pascal(cls.id),
        "shortDescription": {"text": cls.title().rstrip(".") + "."},
        "fullDescription": {"text": _plain(what) or cls.title()},
        "help": {"text": text, "markdown": md},
        "defaultConfiguration": {"level": LEVEL[cls.severity]},
        "properties": {
            "tags": tags,
            "precision": {0: "low", 1: "medium", 2: "high"}[int(cls.confidence)],
            "problem.severity": {"error": "error", "warning": "warning", "note": "recommendation"}[
                LEVEL[cls.severity]],
            "security-severity": SECURITY_SEVERITY[cls.severity],
            "maswe-beta": ids.maswe_beta,
            "maswe": ids.maswe,
            "cwe": list(ids.cwe),
            "masvs": list(ids.masvs),
        },
    }


def uri(path: str) -> str:
    """A relative URI for a report path: POSIX separators, every byte that needs it percent-encoded
    (a non-UTF-8 name arrives as surrogate escapes and leaves as its own bytes)."""
    text = path.replace(os.sep, "/")
    try:
        raw = os.fsencode(text)
    except UnicodeEncodeError:  # a lone surrogate that is not a smuggled byte (from an app string)
        raw = text.encode("utf-8", "surrogatepass")
    return quote(raw, safe="/")


class _Artifacts:
    """Artifact locations relative to %SRCROOT% (the report's root)."""

    def __init__(self, report: Report):
        self.root = report.root or os.getcwd()

    def of(self, path: str) -> dict[str, Any]:
        rel = os.path.relpath(path, self.root) if os.path.isabs(path) else path
        return {"uri": uri(rel), "uriBaseId": "%SRCROOT%"}

    def runtime(self, target: Target) -> dict[str, Any]:
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", target.path).strip("_") or "local"
        return {"uri": f"runtime/{quote(target.kind)}/{name}", "uriBaseId": "%SRCROOT%"}

    def target(self, target: Target) -> dict[str, Any]:
        return self.runtime(target) if target.kind in RUNTIME_KINDS else self.of(target.path)

    @staticmethod
    def base_ids() -> dict[str, Any]:
        # no absolute uri: where the project was checked out is nobody's business (GitHub knows)
        return {"%SRCROOT%": {"description": {"text": "The project root portaudit ran on (the git root, "
                                                      "--root, or the working directory)."}}}


def _where(loc: Location) -> str | None:
    """``org.x.Server.start(int)`` / ``serve in lib/arm64-v8a/libx.so``: what a person looks for."""
    if loc.class_:
        return f"{loc.class_}.{short_method(loc.method)}" if loc.method else loc.class_
    if loc.function:
        return f"{loc.function} in {loc.file}" if loc.file else loc.function
    return None


def _logical(loc: Location) -> list[dict[str, Any]]:
    if loc.class_:
        fq = f"{loc.class_}.{loc.method}" if loc.method else loc.class_
        if loc.offset is not None:
            fq += f"@{loc.offset:#x}"
        if loc.file:
            fq = f"{loc.file}!{fq}"
        return [{"name": loc.method or loc.class_.rsplit(".", 1)[-1], "fullyQualifiedName": fq,
                 "kind": "function" if loc.method else "type"}]
    if loc.function:
        fq = f"{loc.file}!{loc.function}" if loc.file else loc.function
        if loc.offset is not None:  # the call's address in the image (not function-relative)
            fq += f"@{loc.offset:#x}"
        return [{"name": loc.function, "fullyQualifiedName": fq, "kind": "function"}]
    if loc.line is None and loc.file:
        return [{"name": os.path.basename(loc.file.rstrip("/")) or loc.file,
                 "fullyQualifiedName": loc.file, "kind": "module"}]
    return []


def _region(loc: Location, lines: list[str] | None, fallback: str | None) -> dict[str, Any]:
    assert loc.line is not None
    region: dict[str, Any] = {"startLine": loc.line}
    if loc.column:
        region["startColumn"] = loc.column
    if loc.end_line and loc.end_line >= loc.line:
        region["endLine"] = loc.end_line
    if (loc.end_column and (loc.end_line or loc.line) >= loc.line
            and not (region.get("endLine", loc.line) == loc.line and loc.end_column <= (loc.column or 1))):
        region["endColumn"] = loc.end_column
    snippet = None
    if lines is not None and 1 <= loc.line <= len(lines):
        end = region.get("endLine", loc.line)
        chunk = lines[loc.line - 1: end]
        if chunk:
            if "endColumn" in region:
                chunk[-1] = chunk[-1][: region["endColumn"] - 1]
            if "startColumn" in region:
                chunk[0] = chunk[0][region["startColumn"] - 1:]
            snippet = "\n".join(chunk)
    if not snippet:
        snippet = loc.snippet or fallback
    if snippet:
        region["snippet"] = {"text": snippet[:2000]}
    return region


def _wildcard_fix(finding: Finding, lines: list[str] | None, artifact: dict[str, Any]) -> dict[str, Any] | None:
    loc = finding.location
    if lines is None or loc.line is None or not (1 <= loc.line <= len(lines)):
        return None
    lst = finding.listener
    wanted = [lst.address] if lst is not None and lst.address in _WILDCARD_FIX else list(_WILDCARD_FIX)
    last = loc.end_line if loc.end_line and loc.end_line >= loc.line else loc.line
    for no in range(loc.line, min(last, len(lines)) + 1):
        text = lines[no - 1]
        for literal in wanted:
            for quote_char in ('"', "'", "`"):
                token = f"{quote_char}{literal}{quote_char}"
                col = text.find(token)
                if no == loc.line and loc.column and col >= 0 and col + len(token) < loc.column - 1:
                    col = text.find(token, loc.column - 1)
                if col < 0:
                    continue
                start = col + 2  # 1-based, after the opening quote
                return {
                    "description": {"text": f"Bind to the loopback address {_WILDCARD_FIX[literal]} "
                                            f"instead of {literal}."},
                    "artifactChanges": [{
                        "artifactLocation": dict(artifact),
                        "replacements": [{
                            "deletedRegion": {"startLine": no, "startColumn": start,
                                              "endLine": no, "endColumn": start + len(literal)},
                            "insertedContent": {"text": _WILDCARD_FIX[literal]},
                        }],
                    }],
                }
    return None


class _Builder:
    def __init__(self, report: Report):
        self.report = report
        self.artifacts = _Artifacts(report)
        self.files = SourceLines()
        self.classes = ClassFiles(report)
        self.targets = {t.path: t for t in report.targets}
        self.rule_index = {cls.id: i for i, cls in enumerate(rules_mod.ALL)}

    def location(self, loc: Location, target: Target, evidence: str | None = None) -> dict[str, Any]:
        """A SARIF location for one place in code (a finding's or a flow hop's)."""
        physical: dict[str, Any]
        if target.kind in RUNTIME_KINDS:
            physical = {"artifactLocation": self.artifacts.runtime(target)}
        elif loc.line is not None and loc.file:  # source
            lines = self.files.lines(self.report.disk_path(loc.file))
            physical = {"artifactLocation": self.artifacts.of(loc.file), "region": _region(loc, lines, evidence)}
        else:
            physical = self._binary(loc, target)
        out: dict[str, Any] = {"physicalLocation": physical}
        logical = _logical(loc) if loc.line is None and target.kind not in RUNTIME_KINDS else []
        if logical:
            out["logicalLocations"] = logical
        return out

    def _binary(self, loc: Location, target: Target) -> dict[str, Any]:
        source = self.classes.find(loc.class_) if loc.class_ else None
        if source:
            lines = self.files.lines(self.report.disk_path(source))
            line = declaration_line(lines or [], loc)
            physical: dict[str, Any] = {"artifactLocation": self.artifacts.of(source)}
            if line:
                physical["region"] = {"startLine": line, "snippet": {"text": (lines or [""])[line - 1].strip()}}
            return physical
        return {"artifactLocation": self.artifacts.of(target.path)}

    def result(self, finding: Finding) -> dict[str, Any]:
        target = self.targets.get(finding.target) or Target(path=finding.target, kind="unknown")
        loc = finding.location
        res: dict[str, Any] = {"ruleId": finding.rule}
        if finding.rule in self.rule_index:
            res["ruleIndex"] = self.rule_index[finding.rule]
        res["level"] = LEVEL[finding.severity]
        res["message"] = {"text": self.message(finding, target)}
        location = self.location(loc, target, finding.evidence)
        if target.kind in RUNTIME_KINDS:
            location["logicalLocations"] = [self._process(finding, target)]
        if finding.evidence and loc.line is None:
            location["message"] = {"text": finding.evidence.strip()[:500]}
        res["locations"] = [location]
        hops = [h for h in (finding.listener.flow if finding.listener else []) if h.role != "api"]
        if hops:
            res["relatedLocations"] = [dict(self.location(h.location, target), id=i + 1,
                                            message={"text": _hop_text(h)}) for i, h in enumerate(hops)]
            res["codeFlows"] = [self.code_flow(finding, target, hops)]
        if finding.fingerprint:
            res["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
        res["properties"] = _properties(finding)
        if loc.line is not None and loc.file and target.kind not in RUNTIME_KINDS:
            fix = _wildcard_fix(finding, self.files.lines(self.report.disk_path(loc.file)),
                                self.artifacts.of(loc.file))
            if fix:
                res["fixes"] = [fix]
        return res

    def message(self, finding: Finding, target: Target) -> str:
        text = finding.message.strip() or finding.rule
        where = _where(finding.location) if target.kind not in RUNTIME_KINDS else None
        if where and where not in text:  # two alerts in one app must read differently
            text = f"{text.rstrip('.')} (in {where})"
        hops = [h for h in (finding.listener.flow if finding.listener else []) if h.role != "api"]
        if hops:  # GitHub links "[text](id)" to the related location with that id
            origin = hops[-1]
            shown = (_where(origin.location) or origin.location.short()).replace("[", "\\[").replace("]", "\\]")
            text = f"{text.rstrip('.')}; value from [{shown}]({len(hops)})"
        return text if text.endswith((".", "!", "?")) else text + "."

    def code_flow(self, finding: Finding, target: Target, hops: list[Hop]) -> dict[str, Any]:
        """From the origin of the value to the listener API call."""
        steps = [*reversed(hops), Hop("api", finding.location, finding.listener.api if finding.listener else None)]
        return {"threadFlows": [{"locations": [
            {"location": dict(self.location(h.location, target), message={"text": _hop_text(h)}),
             "nestingLevel": 0, "executionOrder": i + 1}
            for i, h in enumerate(steps)]}]}

    @staticmethod
    def _process(finding: Finding, target: Target) -> dict[str, Any]:
        lst = finding.listener
        name = finding.location.function or (lst.api if lst else finding.rule)
        fq = f"{target.path}!{name}"
        if lst is not None and lst.transport != "unix":
            fq += f"@{lst.address or '*'}:{'?' if lst.port is None else lst.port}"
        elif lst is not None:
            fq += f"@{lst.address or 'unix'}"
        return {"name": name, "fullyQualifiedName": fq, "kind": "process"}


def _hop_text(hop: Hop) -> str:
    where = _where(hop.location) or hop.location.short()
    return f"{hop.role}: {hop.note}" if hop.note else f"{hop.role}: {where}"


def _properties(finding: Finding) -> dict[str, Any]:
    props: dict[str, Any] = {
        "severity": finding.severity.label,
        "confidence": finding.confidence.label,
        "target": finding.target,
        "security-severity": SECURITY_SEVERITY[finding.severity],
    }
    lst = finding.listener
    if lst is not None:
        props.update({"api": lst.api, "transport": lst.transport, "bind": lst.bind.value,
                      "address": lst.address, "port": lst.port})
        if lst.guards:
            props["guards"] = list(lst.guards)
        if lst.configurable:
            props["configurable"] = lst.configurable
    if finding.origin.sdk or finding.origin.kind != "app":
        props["origin"] = finding.origin.kind
        props["sdk"] = finding.origin.sdk
    if finding.evidence:
        props["evidence"] = finding.evidence.strip()[:1000]
    if finding.fix:
        props["fix"] = finding.fix
    for key, val in finding.extra.items():
        props.setdefault(key, val)
    return {k: v for k, v in props.items() if v is not None}


def build(report: Report, *, suppressed: list[tuple[Finding, str, str]] | None = None) -> dict[str, Any]:
    """The SARIF log as a dict.  ``suppressed``: (finding, kind, justification) with kind
    ``inSource`` (inline comment) or ``external`` (baseline, configuration)."""
    b = _Builder(report)
    results = [b.result(f) for f in report.findings]
    for f, kind, why in suppressed or []:
        res = b.result(f)
        sup: dict[str, Any] = {"kind": kind if kind in ("inSource", "external") else "external",
                               "status": "accepted"}
        if why:
            sup["justification"] = why
        res["suppressions"] = [sup]
        results.append(res)

    notifications = []
    for t in report.targets:
        for err in t.errors:
            notifications.append({
                "level": "error",
                "message": {"text": f"{t.path}: {err}"},
                "locations": [{"physicalLocation": {"artifactLocation": b.artifacts.target(t)}}],
            })
        if t.kind in RUNTIME_KINDS:  # a live run's notes say what was not reached (an unreachable --target)
            for note in t.notes:
                notifications.append({
                    "level": "note",
                    "message": {"text": f"{t.path}: {note}"},
                    "locations": [{"physicalLocation": {"artifactLocation": b.artifacts.target(t)}}],
                })
    invocation: dict[str, Any] = {"executionSuccessful": not report.failed_all()}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications

    artifacts = []
    for t in report.targets:
        if t.kind in RUNTIME_KINDS or not os.path.isfile(report.disk_path(t.path)):
            continue
        art: dict[str, Any] = {"location": b.artifacts.of(t.path), "roles": ["analysisTarget"]}
        if t.sha256:
            art["hashes"] = {"sha-256": t.sha256}
        if t.size is not None:
            art["length"] = t.size
        artifacts.append(art)

    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": report.tool_name,
            "version": report.tool_version,
            "semanticVersion": report.tool_version,
            "rules": [rule_descriptor(cls) for cls in rules_mod.ALL],
        }},
        "invocations": [invocation],
        "originalUriBaseIds": b.artifacts.base_ids(),
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if artifacts:
        run["artifacts"] = artifacts
    return clean({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})


def render(report: Report, *, suppressed: list[tuple[Finding, str, str]] | None = None, **_: Any) -> str:
    return json.dumps(build(report, suppressed=suppressed), indent=2, ensure_ascii=False) + "\n"
