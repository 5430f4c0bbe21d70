"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

* ``tool.driver`` lists every rule with its What / Why / Fix help (text and
  Markdown), MASWE / CWE / MASVS tags and a numeric ``security-severity``.
* Source findings get a physical location with the exact region (columns and
  snippet) relative to ``%SRCROOT%`` (the working directory unless ``srcroot`` is
  given); app and binary findings point at the app file and carry a logical
  location (``classes2.dex!com.example.Server.start@0x1a`` /
  ``lib/arm64-v8a/libx.so!serve+0x40``); runtime findings (host / device) point
  at a ``runtime/...`` pseudo artifact with the process as logical location.
* ``partialFingerprints`` come from :mod:`portaudit.fingerprint`.
* A wildcard address literal in source gets a ``fixes`` entry that replaces it
  with the loopback literal.
* Findings suppressed by a baseline, configuration or inline comment are kept
  with a ``suppressions`` entry when the caller passes them (``suppressed=``).

Columns are Unicode code points (``run.columnKind``), 1-based.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .. import rules as rules_mod
from ..model import Finding, Severity, Target
from ..report import Report
from ..suppress import source_path

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "portauditFingerprint/v1"

LEVEL = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note", Severity.INFO: "note"}
# GitHub: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low
SECURITY_SEVERITY = {Severity.HIGH: "8.2", Severity.MEDIUM: "5.5", Severity.LOW: "3.1", Severity.INFO: "1.0"}
RUNTIME_KINDS = {"host", "device", "runtime", "process"}

# literal wildcard addresses and what to put instead
_WILDCARD_FIX = {"0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "[::1]", "0:0:0:0:0:0:0:0": "::1"}


def _pascal(rule_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", rule_id) if part)


def _plain(markdown: str) -> str:
    return markdown.replace("`", "")


def rule_descriptor(cls) -> dict[str, Any]:
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


class _Uris:
    """Artifact URIs relative to %SRCROOT% when possible."""

    def __init__(self, srcroot: str | None):
        self.root = Path(srcroot or os.getcwd()).resolve()

    def of(self, path: str) -> dict[str, Any]:
        p = Path(path)
        absolute = p.resolve() if not p.is_absolute() else p
        try:
            rel = absolute.relative_to(self.root)
            return {"uri": quote(rel.as_posix()), "uriBaseId": "%SRCROOT%"}
        except ValueError:
            return {"uri": absolute.as_uri()}

    def runtime(self, target: Target) -> dict[str, Any]:
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", target.path).strip("_") or "local"
        return {"uri": f"runtime/{quote(target.kind)}/{name}", "uriBaseId": "%SRCROOT%"}

    def base_ids(self) -> dict[str, Any]:
        uri = self.root.as_uri()
        return {"%SRCROOT%": {"uri": uri if uri.endswith("/") else uri + "/",
                              "description": {"text": "The folder portaudit ran in."}}}


def _logical(finding: Finding) -> list[dict[str, Any]]:
    loc = finding.location
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


def _region(finding: Finding, lines: list[str] | None) -> dict[str, Any]:
    loc = finding.location
    region: dict[str, Any] = {"startLine": loc.line}
    if loc.column:
        region["startColumn"] = loc.column
    if loc.end_line and loc.end_line >= loc.line:
        region["endLine"] = loc.end_line
    if loc.end_column and (loc.end_line or loc.line) >= loc.line:
        if not (region.get("endLine", loc.line) == loc.line and loc.end_column <= (loc.column or 1)):
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
        snippet = loc.snippet or finding.evidence
    if snippet:
        region["snippet"] = {"text": snippet}
    return region


def _wildcard_fix(finding: Finding, lines: list[str] | None, artifact: dict[str, Any]) -> dict | None:
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


class _Files:
    def __init__(self):
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, path: str | None) -> list[str] | None:
        if not path:
            return None
        if path not in self.cache:
            try:
                if os.path.getsize(path) > 8 * 1024**2:
                    self.cache[path] = None
                else:
                    with open(path, encoding="utf-8", errors="replace") as fh:
                        self.cache[path] = fh.read().splitlines()
            except OSError:
                self.cache[path] = None
        return self.cache[path]


def _result(finding: Finding, rule_index: dict[str, int], targets: dict[str, Target],
            uris: _Uris, files: _Files) -> dict[str, Any]:
    target = targets.get(finding.target) or Target(path=finding.target, kind="unknown")
    loc = finding.location
    res: dict[str, Any] = {"ruleId": finding.rule}
    if finding.rule in rule_index:
        res["ruleIndex"] = rule_index[finding.rule]
    res["level"] = LEVEL[finding.severity]
    text = finding.message.strip() or finding.rule
    if not text.endswith((".", "!", "?")):
        text += "."
    res["message"] = {"text": text}

    fix = None
    physical: dict[str, Any]
    if loc.line is not None:  # source
        path = source_path(target, finding) or os.path.join(target.path, loc.file or "")
        artifact = uris.of(path)
        lines = files.lines(path)
        physical = {"artifactLocation": artifact, "region": _region(finding, lines)}
        fix = _wildcard_fix(finding, lines, artifact)
    elif target.kind in RUNTIME_KINDS:
        physical = {"artifactLocation": uris.runtime(target)}
    else:
        physical = {"artifactLocation": uris.of(target.path)}
    location: dict[str, Any] = {"physicalLocation": physical}
    if target.kind in RUNTIME_KINDS:
        lst = finding.listener
        name = loc.function or (lst.api if lst else finding.rule)
        fq = f"{target.path}!{name}"
        if lst is not None and lst.transport != "unix":
            fq += f"@{lst.address or '*'}:{'?' if lst.port is None else lst.port}"
        elif lst is not None:
            fq += f"@{lst.address or 'unix'}"
        logical = [{"name": name, "fullyQualifiedName": fq, "kind": "process"}]
    else:
        logical = _logical(finding) if loc.line is None else []
    if logical:
        location["logicalLocations"] = logical
    if finding.evidence and loc.line is None:
        location["message"] = {"text": finding.evidence.strip()[:500]}
    res["locations"] = [location]
    if finding.fingerprint:
        res["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
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
    if finding.origin.sdk or finding.origin.kind != "app":
        props["origin"] = finding.origin.kind
        props["sdk"] = finding.origin.sdk
    if finding.evidence:
        props["evidence"] = finding.evidence.strip()[:1000]
    if finding.fix:
        props["fix"] = finding.fix
    for key, val in finding.extra.items():
        props.setdefault(key, val)
    res["properties"] = {k: v for k, v in props.items() if v is not None}
    if fix:
        res["fixes"] = [fix]
    return res


def build(report: Report, *, srcroot: str | None = None,
          suppressed: list[tuple[Finding, str, str]] | None = None) -> dict[str, Any]:
    """The SARIF log as a dict.  ``suppressed``: (finding, kind, justification) with kind
    ``inSource`` (inline comment) or ``external`` (baseline, configuration)."""
    uris = _Uris(srcroot)
    files = _Files()
    rule_classes = list(rules_mod.ALL)
    rule_index = {cls.id: i for i, cls in enumerate(rule_classes)}
    targets = {t.path: t for t in report.targets}
    results = [_result(f, rule_index, targets, uris, files) for f in report.findings]
    for f, kind, why in suppressed or []:
        res = _result(f, rule_index, targets, uris, files)
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
                "locations": [{"physicalLocation": {
                    "artifactLocation": uris.runtime(t) if t.kind in RUNTIME_KINDS else uris.of(t.path)}}],
            })
    invocation: dict[str, Any] = {"executionSuccessful": not report.failed_all()}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications

    artifacts = []
    for t in report.targets:
        if t.kind in RUNTIME_KINDS or t.kind == "missing" or not os.path.isfile(t.path):
            continue
        art: dict[str, Any] = {"location": uris.of(t.path), "roles": ["analysisTarget"]}
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
            "rules": [rule_descriptor(cls) for cls in rule_classes],
        }},
        "invocations": [invocation],
        "originalUriBaseIds": uris.base_ids(),
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if artifacts:
        run["artifacts"] = artifacts
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, *, srcroot: str | None = None,
           suppressed: list[tuple[Finding, str, str]] | None = None, **_: Any) -> str:
    return json.dumps(build(report, srcroot=srcroot, suppressed=suppressed), indent=2) + "\n"
