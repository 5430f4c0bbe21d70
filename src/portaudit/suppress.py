"""Inline suppressions in source code.

A comment ``portaudit: ignore[RULE-ID] reason`` on the finding's line or on the
line just above it suppresses that finding.  Several ids are separated by commas;
``ignore[*]`` suppresses every rule.  The reason is kept (SARIF ``suppressions``,
HTML, console count).  Unknown rule ids give a warning naming the file and line.

Only findings with a source location (a file relative to the scanned root and a
line) can be suppressed inline; for apps and binaries use a baseline.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import Finding, Target

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


def source_path(target: Target, finding: Finding) -> str | None:
    """The file a source finding points at, on disk (None if it is not a source finding)."""
    loc = finding.location
    if loc.line is None or not loc.file:
        return None
    if os.path.isabs(loc.file):
        return loc.file
    if os.path.isdir(target.path):
        return os.path.join(target.path, loc.file)
    # a single source file named directly: file is its name (or the path as given)
    for cand in (os.path.join(os.path.dirname(target.path), loc.file), loc.file, target.path):
        if os.path.isfile(cand):
            return cand
    return None


class _Files:
    def __init__(self, max_bytes: int = 8 * 1024**2):
        self.cache: dict[str, list[str] | None] = {}
        self.max_bytes = max_bytes

    def lines(self, path: str) -> list[str] | None:
        if path not in self.cache:
            try:
                if os.path.getsize(path) > self.max_bytes:
                    self.cache[path] = None
                else:
                    with open(path, encoding="utf-8", errors="replace") as fh:
                        self.cache[path] = fh.read().splitlines()
            except OSError:
                self.cache[path] = None
        return self.cache[path]


def apply(findings: Iterable[Finding], targets: Iterable[Target],
          known_rules: Iterable[str] | None = None) -> Result:
    if known_rules is None:
        from . import rules as rules_mod

        known_rules = rules_mod.BY_ID
    known = set(known_rules)
    by_path = {t.path: t for t in targets}
    files = _Files()
    res = Result(kept=[])
    warned: set[str] = set()
    for f in findings:
        target = by_path.get(f.target)
        path = source_path(target, f) if target is not None else None
        lines = files.lines(path) if path else None
        if not lines:
            res.kept.append(f)
            continue
        if path not in warned:  # validate every marker in a file that has findings
            warned.add(path)
            for no, text in enumerate(lines, 1):
                parsed = parse_line(text)
                if parsed is None:
                    continue
                ids, _ = parsed
                if not ids:
                    res.warnings.append(f"{path}:{no}: empty suppression 'ignore[]' ignored")
                for rid in ids:
                    if rid != "*" and rid not in known:
                        res.warnings.append(
                            f"{path}:{no}: unknown rule id {rid!r} in suppression (see `portaudit rules`)")
        hit = None
        for no in (f.location.line, f.location.line - 1):
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
