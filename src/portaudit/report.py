"""The result of one run: what was scanned, what was found."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import __version__
from .model import Facts, Finding, Severity, Target


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
