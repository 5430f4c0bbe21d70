"""Console output for people: grouped by target, worst first, readable at 80 columns."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import Severity
from ..report import Report

_STYLE = {
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def render(report: Report, *, color: bool = False, width: int | None = None,
           verbose: bool = False, quiet: bool = False, **_: Any) -> str:
    buf = io.StringIO()
    con = Console(file=buf, force_terminal=color, color_system="auto" if color else None,
                  width=width or 100, soft_wrap=False, highlight=False)
    by_target: dict[str, list] = {}
    for f in report.findings:
        by_target.setdefault(f.target, []).append(f)
    for target in report.targets:
        findings = by_target.get(target.path, [])
        if quiet and not findings:
            continue
        head = Text(f"{target.path}", style="bold")
        head.append(f"  [{target.kind}]", style="dim")
        if target.seconds is not None:
            head.append(f"  {target.seconds:.2f}s", style="dim")
        con.print(head)
        for err in target.errors:
            con.print(Text(f"  error: {err}", style="red"))
        if not findings:
            if not target.errors:
                con.print(Text("  no findings", style="green"))
            continue
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False,
                      expand=False)
        table.add_column("sev", no_wrap=True)
        table.add_column("rule", no_wrap=True)
        table.add_column("finding", overflow="fold")
        for f in findings:
            msg = Text(f.message)
            msg.append(f"\n{f.location.short()}", style="dim")
            if f.evidence and (verbose or f.location.line is not None):
                msg.append(f"\n{f.evidence.strip()[:200]}", style="italic dim")
            if verbose:
                msg.append(f"\nfix: {f.fix}", style="green")
                msg.append(f"\nconfidence: {f.confidence.label}", style="dim")
            table.add_row(Text(f.severity.label, style=_STYLE[f.severity]), f.rule, msg)
        con.print(table)
    counts = {s: 0 for s in Severity}
    for f in report.findings:
        counts[f.severity] += 1
    failed = sum(1 for t in report.targets if t.errors)
    summary = ", ".join(f"{counts[s]} {s.label}" for s in reversed(Severity))
    con.print(Text(f"{len(report.targets)} target(s), {len(report.findings)} finding(s): {summary}"
                   + (f"; {failed} target(s) with errors" if failed else ""), style="bold"))
    return buf.getvalue()
