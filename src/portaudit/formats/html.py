"""A self-contained HTML report: one file, inline CSS / JS / SVG, nothing fetched.

Summary by severity and by rule with an inline SVG chart, one section per
target (app facts, errors, findings with evidence and fix, runtime inventory),
the suppressed findings, and the text of every rule that fired.  A
Content-Security-Policy ``default-src 'none'`` makes any accidental external
reference inert.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from html import escape
from typing import Any

import jinja2
import markupsafe

from .. import rules as rules_mod
from ..model import Finding, Severity
from ..report import Report
from ..suppress import SourceLines

SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]  # high ... info
COLORS = {"high": "#b3261e", "medium": "#b26a00", "low": "#1a6fb0", "info": "#6b6b6b"}

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("portaudit.formats", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
    trim_blocks=False,
    lstrip_blocks=False,
    undefined=jinja2.StrictUndefined,
)
_CODE = re.compile(r"`([^`]+)`")


def _inline_md(text: str) -> markupsafe.Markup:
    """Escape, then show `code` spans as <code> (the rule texts are Markdown)."""
    return markupsafe.Markup(_CODE.sub(r"<code>\1</code>", str(markupsafe.escape(text or ""))))


_env.filters["md"] = _inline_md


def chart_svg(by_rule: list[dict[str, Any]], width: int = 560) -> str:
    """Horizontal stacked bars: findings per rule, coloured by severity."""
    bar_h, gap, label_w, top = 18, 8, 230, 26
    rows = by_rule or [{"id": "no findings", "counts": {}, "total": 0}]
    height = top + len(rows) * (bar_h + gap) + 10
    most = max((r["total"] for r in rows), default=0) or 1
    scale = (width - label_w - 50) / most
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="Findings per rule and severity" '
           f'font-family="sans-serif" font-size="12">',
           '<title>Findings per rule and severity</title>']
    x = label_w
    for s in SEVERITIES:  # legend
        out.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{COLORS[s]}"/>'
                   f'<text x="{x + 14}" y="13">{s}</text>')
        x += 70
    for i, row in enumerate(rows):
        y = top + i * (bar_h + gap)
        label = row["id"] if len(row["id"]) <= 34 else row["id"][:33] + "\u2026"
        out.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        x = float(label_w)
        for s in SEVERITIES:
            n = row["counts"].get(s, 0)
            if not n:
                continue
            w = n * scale
            out.append(f'<rect class="bar" data-rule="{escape(row["id"])}" data-severity="{s}" '
                       f'x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLORS[s]}">'
                       f'<title>{escape(row["id"])}: {n} {s}</title></rect>')
            x += w
        out.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{row["total"]}</text>')
    out.append("</svg>")
    return "".join(out)


def _context(finding: Finding, report: Report, files: SourceLines,
             radius: int = 2) -> list[tuple[int, str, bool]] | None:
    loc = finding.location
    lines = files.lines(report.source_file(finding))
    if not lines or loc.line is None or not 1 <= loc.line <= len(lines):
        return None
    last = loc.end_line if loc.end_line and loc.end_line >= loc.line else loc.line
    lo, hi = max(1, loc.line - radius), min(len(lines), last + radius)
    return [(no, lines[no - 1].rstrip()[:300], loc.line <= no <= last) for no in range(lo, hi + 1)]


def _ids(f: Finding) -> str:
    ids = f.ids
    parts = [f"{ids.maswe_beta} (MASWE beta)" if ids.maswe_beta else "",
             f"{ids.maswe} (MASWE v1)" if ids.maswe else "", ", ".join(ids.cwe), ", ".join(ids.masvs)]
    return " \u00b7 ".join(p for p in parts if p)


def _where(f: Finding) -> str:
    loc = f.location
    if loc.class_ and loc.file:
        return f"{loc.file}!{loc.short()}"
    if loc.function and loc.line is None:  # native: the offset is an address (see console._where)
        off = f"@{loc.offset:#x}" if loc.offset is not None else ""
        return f"{loc.file or f.target}!{loc.function}{off}"
    return loc.short() if (loc.file or loc.class_ or loc.function) else f.target


def _origin(f: Finding) -> str:
    if f.origin.sdk:
        return f"SDK {f.origin.sdk}"
    if f.origin.kind == "library":
        return "library code" + (f" ({f.origin.package})" if f.origin.package else "")
    return ""


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return " ".join(f"{k}={_cell(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_cell(v)) for v in value)
    return value


def _runtime_rows(items: list[Any]) -> tuple[list[dict[str, Any]], list[str]]:
    rows = []
    cols: list[str] = []
    for item in items:
        d = item.to_dict() if hasattr(item, "to_dict") else (item if isinstance(item, dict) else {"item": item})
        flat = {k: _cell(v) for k, v in d.items()}
        rows.append(flat)
        for k in flat:
            if k not in cols:
                cols.append(k)
    return rows, cols


def context(report: Report, suppressed: list[tuple[Finding, str, str]] | None = None) -> dict[str, Any]:
    counts = {s: 0 for s in SEVERITIES}
    rule_rows: dict[str, dict[str, Any]] = {}
    for f in report.findings:
        counts[f.severity.label] += 1
        row = rule_rows.setdefault(f.rule, {"id": f.rule, "counts": {}, "total": 0})
        row["counts"][f.severity.label] = row["counts"].get(f.severity.label, 0) + 1
        row["total"] += 1
    order = {cls.id: i for i, cls in enumerate(rules_mod.ALL)}
    by_rule = sorted(rule_rows.values(), key=lambda r: (-r["total"], order.get(r["id"], 999)))
    for row in by_rule:
        cls = rules_mod.get(row["id"])
        row["title"] = cls.title() if cls else ""
    facts_by_target = {fa.target.path: fa for fa in report.facts}
    files = SourceLines()
    sections = []
    for t in report.targets:
        facts = facts_by_target.get(t.path)
        items = []
        for f in report.findings:
            if f.target != t.path:
                continue
            lst = f.listener.to_dict() if f.listener else None
            items.append({
                "severity": f.severity.label, "confidence": f.confidence.label, "rule": f.rule,
                "message": f.message, "where": _where(f), "origin": _origin(f), "listener": lst,
                "context": _context(f, report, files), "evidence": (f.evidence or f.location.snippet or "").strip(),
                "fix": f.fix, "ids": _ids(f), "fingerprint": f.fingerprint,
            })
        runtime, cols = _runtime_rows(facts.runtime if facts else [])
        sections.append({
            "path": t.path, "kind": t.kind, "sha256": t.sha256, "errors": t.errors,
            "seconds": t.seconds, "app": facts.app if facts else None, "findings": items,
            "runtime": runtime, "runtime_columns": cols,
        })
    fired = {f.rule for f in report.findings} | {f.rule for f, _, _ in suppressed or []}
    rules_used = [{"id": cls.id, "title": cls.title(), "what": cls.what(), "why": cls.why(),
                   "fix": cls.fix(), "ids": _ids(Finding(cls.id, cls.severity, cls.confidence, "", "",
                                                         None, cls.ids, ""))}  # type: ignore[arg-type]
                  for cls in rules_mod.ALL if cls.id in fired]
    sup = [{"severity": f.severity.label, "rule": f.rule, "where": _where(f), "message": f.message,
            "why": why or kind} for f, kind, why in suppressed or []]
    return {
        "tool": report.tool_name, "version": report.tool_version,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "targets": report.targets, "total": len(report.findings), "severities": SEVERITIES,
        "counts": counts, "by_rule": by_rule, "chart": chart_svg(by_rule),
        "target_sections": sections, "suppressed": sup, "rules_used": rules_used,
    }


def render(report: Report, *, suppressed: list[tuple[Finding, str, str]] | None = None, **_: Any) -> str:
    return _env.get_template("report.html.j2").render(**context(report, suppressed))
