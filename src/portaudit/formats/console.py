"""Console output for people: grouped by target, then by severity (worst first), with the
evidence line; every line fits the terminal width (80 columns is the design target).

``quiet``: only targets with findings or errors, no evidence.  ``verbose``: also the fix,
confidence, listener details, identifiers and fingerprint.
"""

from __future__ import annotations

import io
import re
import textwrap
from typing import Any

from rich.console import Console
from rich.text import Text

from ..model import Finding, Severity
from ..report import Report

_STYLE = {
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


_DESC = re.compile(r"\[*(?:L[^;]+;|[ZBSCIJFDV])")
_PRIM = {"Z": "boolean", "B": "byte", "S": "short", "C": "char", "I": "int", "J": "long",
         "F": "float", "D": "double", "V": "void"}


def _simple_type(desc: str) -> str:
    dims = desc.count("[")
    base = desc.lstrip("[")
    name = _PRIM.get(base) or base[1:-1].rsplit("/", 1)[-1]
    return name + "[]" * dims


def short_method(method: str) -> str:
    """``run(Ljava/lang/String;I)V`` -> ``run(String, int)``: JVM descriptors are long."""
    name, paren, rest = method.partition("(")
    if not paren or ")" not in rest:
        return method
    args = rest.split(")", 1)[0]
    return f"{name}({', '.join(_simple_type(d) for d in _DESC.findall(args))})"


def _where(f: Finding) -> str:
    loc = f.location
    if loc.class_ and loc.file:
        method = f".{short_method(loc.method)}" if loc.method else ""
        off = f"@{loc.offset:#x}" if loc.offset is not None else ""
        return f"{loc.file}!{loc.class_}{method}{off}"
    if loc.function and loc.line is None:
        # native: the offset is the call's address in the image, not an offset from the
        # function start, so "fn@0x16fc" (at), never "fn+0x16fc" (which a disassembler reads as fn + n)
        off = f"@{loc.offset:#x}" if loc.offset is not None else ""
        return f"{loc.file}!{loc.function}{off}" if loc.file else f"{loc.function}{off}"
    return loc.short() if (loc.file or loc.class_) else f.target


def _evidence(f: Finding) -> str | None:
    text = (f.location.snippet or f.evidence or "").strip()
    if not text:
        return None
    first = text.splitlines()[0].strip()
    return first[:157] + "..." if len(first) > 160 else first


def render(report: Report, *, color: bool = False, width: int | None = None,
           verbose: bool = False, quiet: bool = False,
           suppressed: list[tuple[Finding, str, str]] | None = None, **_: Any) -> str:
    buf = io.StringIO()
    con = Console(file=buf, force_terminal=color, color_system="auto" if color else None,
                  width=width or 80, soft_wrap=False, highlight=False, emoji=False, markup=False)

    cols = width or 80

    def out(text: Text, indent: int = 0, hang: int = 2) -> None:
        """Print ``text`` wrapped to the width with a hanging indent (styles kept per span)."""
        plain = text.plain
        avail = max(20, cols - indent)
        lines = textwrap.wrap(plain, avail, subsequent_indent=" " * hang, break_long_words=True,
                              break_on_hyphens=False, drop_whitespace=True) or [""]
        pos = 0
        for i, line in enumerate(lines):
            body = line[hang:] if i else line
            start = plain.find(body, pos) if body else pos
            if start < 0:  # wrapping changed whitespace: fall back to unstyled text
                piece = Text(body, style=text.style)
            else:
                piece = text[start:start + len(body)]
                pos = start + len(body)
            prefix = " " * (indent + (hang if i else 0))
            con.print(Text(prefix) + piece, overflow="ignore", crop=False, no_wrap=True)

    by_target: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_target.setdefault(f.target, []).append(f)
    first = True
    for target in report.targets:
        findings = by_target.get(target.path, [])
        if quiet and not findings and not target.errors:
            continue
        if not first:
            con.print()
        first = False
        head = Text(target.path, style="bold")
        head.append(f"  [{target.kind}]", style="dim")
        if target.seconds is not None and not quiet:
            head.append(f"  {target.seconds:.2f}s", style="dim")
        out(head)
        for err in target.errors:
            out(Text(f"error: {err}", style="red"), 2)
        notes = list(getattr(target, "notes", None) or [])
        if notes and verbose:  # files skipped or unreadable inside the target, partial parses...
            for note in notes:
                out(Text(f"note: {note}", style="yellow"), 2)
        elif notes and not quiet:
            out(Text(f"{len(notes)} note(s) (skipped or unreadable parts); -v lists them", style="yellow"), 2)
        if not findings:
            if not target.errors:
                out(Text("no findings", style="green"), 2)
            continue
        for sev in sorted(Severity, reverse=True):
            group = [f for f in findings if f.severity == sev]
            if not group:
                continue
            out(Text(f"{sev.label.upper()} ({len(group)})", style=_STYLE[sev]), 2)
            for f in group:
                line = Text()
                line.append("- ", style=_STYLE[sev])
                line.append(f.rule, style="bold")
                line.append(": ")
                line.append(f.message)
                out(line, 4)
                out(Text(f"at {_where(f)}", style="dim"), 6)
                ev = _evidence(f)
                if ev and not quiet:
                    out(Text(f"> {ev}", style="italic"), 6)
                if verbose:
                    if f.listener is not None:
                        lst = f.listener
                        port = "?" if lst.port is None else str(lst.port)
                        details = f"listener: {lst.transport} bind {lst.bind.value} port {port}"
                        if lst.guards:
                            details += f"; peer checks: {', '.join(lst.guards)}"
                        if lst.reason:
                            details += f"; {lst.reason}"
                        out(Text(details, style="dim"), 6)
                    out(Text(f"fix: {f.fix}", style="green"), 6)
                    ids = [i for i in (f.ids.maswe_beta, f.ids.maswe) if i] + list(f.ids.cwe)
                    out(Text(f"confidence {f.confidence.label}; {', '.join(ids)}; "
                             f"fingerprint {f.fingerprint}", style="dim"), 6)
    counts = {s: 0 for s in Severity}
    for f in report.findings:
        counts[f.severity] += 1
    failed = sum(1 for t in report.targets if t.errors)
    summary = ", ".join(f"{counts[s]} {s.label}" for s in reversed(Severity))
    tail = f"; {failed} target(s) with errors" if failed else ""
    if suppressed:
        tail += f"; {len(suppressed)} suppressed"
    if not first:
        con.print()
    out(Text(f"{len(report.targets)} target(s), {len(report.findings)} finding(s): {summary}{tail}",
             style="bold"))
    return buf.getvalue()
