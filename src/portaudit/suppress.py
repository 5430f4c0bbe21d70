"""Inline suppressions in source code.

A comment ``portaudit: ignore[RULE-ID] reason`` on the finding's line or on the
line just above it suppresses that finding.  Several ids are separated by commas;
``ignore[*]`` suppresses every rule.  The reason is kept (SARIF ``suppressions``,
HTML, console count).  Unknown rule ids give a warning naming the file and line.

Only findings with a source location (a file relative to the project root and a
line) can be suppressed inline; for apps and binaries use a baseline.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .config import did_you_mean
from .model import Finding
from .report import Report

MARKER = re.compile(r"portaudit:\s*ignore\[([^\]]*)\](.*)")
_COMMENT_END = re.compile(r"\s*(\*/|-->|#}|%>)\s*$")


@dataclass
class Suppression:
    file: str
    line: int
    rules: list[str]
    reason: str

    def covers(self, rule_id: str) -> bool:
        return "*" in self.rules or rule_id in self.rules


@dataclass
class Result:
    kept: list[Finding]
    suppressed: list[tuple[Finding, Suppression]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_line(text: str) -> tuple[list[str], str] | None:
    m = MARKER.search(text)
    if not m:
        return None
    ids = [r.strip() for r in m.group(1).split(",") if r.strip()]
    reason = _COMMENT_END.sub("", m.group(2)).strip(" \t-:")
    return ids, reason


class SourceLines:
    """The lines of source files, each file read once per run (reports and suppressions ask for
    the same file once per finding)."""

    def __init__(self, max_bytes: int = 8 * 1024**2):
        self.cache: dict[str, list[str] | None] = {}
        self.max_bytes = max_bytes

    def lines(self, path: str | None) -> list[str] | None:
        if not path:
            return None
        if path not in self.cache:
            try:
                if os.path.getsize(path) > self.max_bytes:
                    self.cache[path] = None
                else:
                    # undecodable bytes stay (as surrogates) so reports can show them escaped
                    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                        self.cache[path] = fh.read().splitlines()
            except (OSError, ValueError):  # ValueError: a NUL byte in the name
                self.cache[path] = None
        return self.cache[path]


def apply(findings: Iterable[Finding], report: Report, known_rules: Iterable[str] | None = None) -> Result:
    if known_rules is None:
        from . import rules as rules_mod

        known_rules = rules_mod.BY_ID
    known = set(known_rules)
    files = SourceLines()
    res = Result(kept=[])
    warned: set[str] = set()
    for f in findings:
        path = report.source_file(f)
        lines = files.lines(path) if path else None
        if not path or not lines:
            res.kept.append(f)
            continue
        if path not in warned:  # validate every marker in a file that has findings
            warned.add(path)
            shown = f.location.file or path
            for no, text in enumerate(lines, 1):
                parsed = parse_line(text)
                if parsed is None:
                    continue
                ids, _ = parsed
                if not ids:
                    res.warnings.append(f"{shown}:{no}: empty suppression 'ignore[]' ignored")
                for rid in ids:
                    if rid != "*" and rid not in known:
                        res.warnings.append(
                            f"{shown}:{no}: unknown rule id {rid!r} in suppression"
                            f"{did_you_mean(rid, known)}; `portaudit rules` lists them")
        hit = None
        line = f.location.line  # a finding without a line (an archive entry) has no marker to match
        for no in (line, line - 1) if line is not None else ():
            if 1 <= no <= len(lines):
                parsed = parse_line(lines[no - 1])
                if parsed and (("*" in parsed[0]) or f.rule in parsed[0]):
                    hit = Suppression(f.location.file or path, no, parsed[0], parsed[1])
                    break
        if hit:
            res.suppressed.append((f, hit))
        else:
            res.kept.append(f)
    return res
