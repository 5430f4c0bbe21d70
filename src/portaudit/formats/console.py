"""Console output for people: grouped by target, then by severity (worst first), with the
evidence line and the flow of each listener's value (one ``<-`` line per hop).

Lines are wrapped at ``width`` (the caller passes the terminal's width, 100 when not a terminal)
at spaces only: a path, a ``file:line:col`` or a ``class.method@0x1a`` is never broken, so it can
be clicked or grepped (a token longer than the width overflows instead).  Every string is shown
with control characters escaped (:func:`portaudit.formats.text.oneline`): an app string cannot
move the cursor, set the title or forge a line.

``quiet``: only targets with findings or errors, no evidence.  ``verbose``: also the fix,
confidence, listener details, identifiers and fingerprint.
"""

from __future__ import annotations

import io
import re
import shutil
import textwrap
from typing import Any

from rich.console import Console
from rich.text import Text

from ..model import Finding, Hop, Location, Severity
from ..report import Report
from .text import oneline

DEFAULT_WIDTH = 100

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
    return where(f.location, f.target)


def where(loc: Location, target: str = "?") -> str:
    """How a location is shown: ``file:line:col``, ``classes.dex!a.B.m(int)@0x2``, ``lib.so!fn@0x40``."""
    if loc.class_ and loc.file:
        method = f".{short_method(loc.method)}" if loc.method else ""
        off = f"@{loc.offset:#x}" if loc.offset is not None else ""
        return f"{loc.file}!{loc.class_}{method}{off}"
    if loc.function and loc.line is None:
        # native: the offset is the call's address in the image, not an offset from the
        # function start, so "fn@0x16fc" (at), never "fn+0x16fc" (which a disassembler reads as fn + n)
        off = f"@{loc.offset:#x}" if loc.offset is not None else ""
        return f"{loc.file}!{loc.function}{off}" if loc.file else f"{loc.function}{off}"
    if loc.class_:
        method = f".{short_method(loc.method)}" if loc.method else ""
        off = f"@{loc.offset:#x}" if loc.offset is not None else ""
        return f"{loc.class_}{method}{off}"
    return loc.short() if (loc.file or loc.class_) else target


def hop_line(hop: Hop) -> str:
    """``<- caller: org.x.Main.main(String[])@0x8 (port 8080)``."""
    note = f" ({hop.note})" if hop.note else ""
    return f"<- {hop.role}: {where(hop.location)}{note}"


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
    cols = width or shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    con = Console(file=buf, force_terminal=color, color_system="auto" if color else None,
                  width=cols, soft_wrap=False, highlight=False, emoji=False, markup=False)

    def out(text: Text, indent: int = 0, hang: int = 2) -> None:
        """Print ``text`` wrapped to the width with a hanging indent (styles kept per span), breaking
        at spaces only, never inside a path or location."""
        plain = text.plain
        avail = max(20, cols - indent)
        lines = textwrap.wrap(plain, avail, subsequent_indent=" " * hang, break_long_words=False,
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
        head = Text(oneline(target.path), style="bold")
        head.append(f"  [{oneline(target.kind)}]", style="dim")
        if target.seconds is not None and not quiet:
            head.append(f"  {target.seconds:.2f}s", style="dim")
        out(head)
        for err in target.errors:
            out(Text(f"error: {oneline(err)}", style="red"), 2)
        notes = list(getattr(target, "notes", None) or [])
        if notes and verbose:  # files skipped or unreadable inside the target, partial parses...
            for note in notes:
                out(Text(f"note: {oneline(note)}", style="yellow"), 2)
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
                line.append(oneline(f.rule), style="bold")
                line.append(": ")
                line.append(oneline(f.message))
                out(line, 4)
                out(Text(f"at {oneline(_where(f))}", style="dim"), 6)
                for hop in (f.listener.flow if f.listener else []):
                    if hop.role != "api":
                        out(Text(oneline(hop_line(hop)), style="dim"), 6, hang=3)
                ev = _evidence(f)
                if ev and not quiet:
                    out(Text(f"> {oneline(ev)}", style="italic"), 6)
                if verbose:
                    if f.listener is not None:
                        lst = f.listener
                        port = "?" if lst.port is None else str(lst.port)
                        details = f"listener: {lst.transport} bind {lst.bind.value} port {port}"
                        if lst.guards:
                            details += f"; peer checks: {', '.join(lst.guards)}"
                        if lst.reason:
                            details += f"; {lst.reason}"
                        if lst.configurable:
                            details += f"; configurable: {lst.configurable}"
                        out(Text(oneline(details), style="dim"), 6)
                    out(Text(f"fix: {oneline(f.fix)}", style="green"), 6)
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
