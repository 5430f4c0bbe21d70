"""The result of one run: what was scanned, what was found, and where the project root is.

Paths in a report are relative to the project root (the git root, ``--root``, or the working
directory), whatever form the command line named them in, so ``scan .``, ``scan app`` and
``scan app/src/Srv.java`` report one file under one name (and one fingerprint).  Paths outside the
root stay absolute; runtime targets (``host:box``) and missing paths stay as named.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from . import __version__
from .model import Facts, Finding, Location, Severity, Target

RUNTIME_KINDS = {"host", "device", "runtime", "process"}


def finding_sort_key(f: Finding) -> tuple:
    """Worst first, then target, rule and place; line, column and offset compare as numbers
    (``a.py:25`` before ``a.py:100``)."""
    loc = f.location
    return (-f.severity, f.target, f.rule, loc.file or "", loc.class_ or "", loc.method or "",
            loc.function or "", loc.line or 0, loc.column or 0, loc.offset or 0, f.message)


def project_root(paths: Iterable[str], root: str | None = None, config_file: str | None = None,
                 cwd: str | None = None) -> str:
    """``root`` if given; else the git work tree holding the first named path (or the working
    directory); else the folder of the configuration file; else the working directory."""
    cwd = os.path.abspath(cwd or os.getcwd())
    if root:
        return os.path.abspath(root)
    starts = [os.path.abspath(p) for p in paths if os.path.lexists(p)][:1] + [cwd]
    for start in starts:
        folder = start if os.path.isdir(start) else os.path.dirname(start)
        while True:
            if os.path.exists(os.path.join(folder, ".git")):
                return folder
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    if config_file:
        return os.path.dirname(os.path.abspath(config_file))
    return cwd


def relative_to(path: str, root: str) -> str:
    """``path`` relative to ``root`` (POSIX separators), or absolute when it is outside."""
    absolute = os.path.abspath(path)
    rel = os.path.relpath(absolute, root)
    if rel == os.curdir:
        return "."
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return absolute
    return rel.replace(os.sep, "/")


@dataclass
class Report:
    targets: list[Target] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    facts: list[Facts] = field(default_factory=list)
    tool_name: str = "portaudit"
    tool_version: str = __version__
    root: str | None = None  # absolute project root; None: paths are as the inputs gave them

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def failed_all(self) -> bool:
        return bool(self.targets) and all(t.errors for t in self.targets)

    def disk_path(self, path: str) -> str:
        """Where a report path (a target or a source finding's file) is on disk."""
        return os.path.join(self.root, path) if self.root and not os.path.isabs(path) else path

    def source_file(self, finding: Finding) -> str | None:
        """The file a source finding points at, on disk (None for app, binary and runtime findings)."""
        loc = finding.location
        if loc.line is None or not loc.file:
            return None
        return self.disk_path(loc.file)

    def subset(self, targets: list[Target]) -> Report:
        """The part of this report about ``targets``."""
        paths = {t.path for t in targets}
        return Report(targets=list(targets), findings=[f for f in self.findings if f.target in paths],
                      facts=[fa for fa in self.facts if fa.target.path in paths], tool_name=self.tool_name,
                      tool_version=self.tool_version, root=self.root)

    def drop_target_findings(self, target: Target) -> None:
        self.findings = [f for f in self.findings if f.target != target.path]

    # -- identity -------------------------------------------------------------------------------
    def rebase(self, root: str) -> None:
        """Make every file-system path relative to ``root`` (see the module docstring)."""
        self.root = os.path.abspath(root)
        renamed: dict[str, tuple[str, str | None]] = {}  # old target path -> (new path, base of its files)
        for t in self.targets:
            if t.kind in RUNTIME_KINDS or t.path in renamed:
                continue
            base = None
            if t.kind == "source":
                base = t.path if os.path.isdir(t.path) else os.path.dirname(t.path) or os.curdir
            old = t.path
            t.path = relative_to(old, self.root)
            renamed[old] = (t.path, base)
        for f in self.findings:
            if f.target not in renamed:
                continue
            f.target, base = renamed[f.target]
            if base is None:
                continue
            f.location = self._moved(f.location, base)
            if f.listener is not None:
                lst = f.listener
                f.listener = replace(lst, location=self._moved(lst.location, base),
                                     flow=[replace(h, location=self._moved(h.location, base)) for h in lst.flow])

    def _moved(self, loc: Location, base: str) -> Location:
        if not loc.file or os.path.isabs(loc.file):
            return loc
        assert self.root is not None
        return replace(loc, file=relative_to(os.path.join(base, loc.file), self.root))

    def dedupe(self) -> int:
        """Drop findings identical to an earlier one (the same file reached through two named
        paths, an overlapping folder); returns how many were dropped."""
        seen: set[str] = set()
        kept = []
        for f in self.findings:
            d = f.to_dict()
            d.pop("fingerprint", None)
            if f.location.line is not None:  # a source file: the same place whichever folder led to it
                d.pop("target", None)
            key = json.dumps(d, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                kept.append(f)
        dropped = len(self.findings) - len(kept)
        self.findings = kept
        return dropped

    def to_dict(self) -> dict:
        return {
            "tool": {"name": self.tool_name, "version": self.tool_version},
            "targets": [t.to_dict() for t in self.targets],
            "findings": [f.to_dict() for f in self.findings],
        }

