"""The result of one run: what was scanned, what was found."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import __version__
from .model import Facts, Finding, Severity, Target


def finding_sort_key(f: Finding) -> tuple:
    """Worst first, then target, rule and place; line, column and offset compare as numbers
    (``a.py:25`` before ``a.py:100``)."""
    loc = f.location
    return (-f.severity, f.target, f.rule, loc.file or "", loc.class_ or "", loc.method or "",
            loc.function or "", loc.line or 0, loc.column or 0, loc.offset or 0, f.message)


@dataclass
class Report:
    targets: list[Target] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    facts: list[Facts] = field(default_factory=list)
    tool_name: str = "portaudit"
    tool_version: str = __version__

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def failed_all(self) -> bool:
        return bool(self.targets) and all(t.errors for t in self.targets)

    def to_dict(self) -> dict:
        return {
            "tool": {"name": self.tool_name, "version": self.tool_version},
            "targets": [t.to_dict() for t in self.targets],
            "findings": [f.to_dict() for f in self.findings],
        }
