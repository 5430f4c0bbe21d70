"""A self-contained HTML report: one file, inline CSS / JS / SVG, nothing fetched.

Summary tiles by severity (they count what the filters show) and by rule with an inline SVG chart;
a control bar (search, filters by severity / rule / bind class / origin / target, "hide clean
targets" on by default, sort, expand / collapse, cards or one findings table); one collapsible
section per target (app facts, errors, notes, findings with their flow, evidence, fix; runtime
inventory), the suppressed findings, and the text of every rule that fired.  The style is
``templates/style.css``, shared with the corpus statistics page (:func:`page`).

A Content-Security-Policy ``default-src 'none'`` makes any accidental external reference inert;
every string is escaped (HTML) and made valid UTF-8 (:mod:`.text`).  Rendering time is linear in
the report: each source file is read once, findings are grouped by target once.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from html import escape
from typing import Any

import jinja2
import markupsafe

from .. import rules as rules_mod
from ..model import Finding, Ids, Severity
from ..report import Report
from ..suppress import SourceLines
from .console import hop_line, where
from .text import oneline, visible

SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]  # high ... info
OPEN_UP_TO = 100  # target sections start open when the report has at most this many findings
COLORS = {"high": "#b3261e", "medium": "#b26a00", "low": "#1a6fb0", "info": "#6b6b6b"}

def _finalize(value: Any) -> Any:
    """Every string is shown on one line with its control characters escaped (a newline in a file
    name is data); multi-line evidence is passed as a list of lines."""
    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(visible(str(value)))
    return oneline(value) if isinstance(value, str) else value


_loader = jinja2.PackageLoader("portaudit.formats", "templates")
_env = jinja2.Environment(
    loader=_loader,
    autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
    trim_blocks=False,
    lstrip_blocks=False,
    undefined=jinja2.StrictUndefined,
    finalize=_finalize,
)
_STATIC: dict[str, str] = {}


def _static(name: str) -> str:
    if name not in _STATIC:
        _STATIC[name] = _loader.get_source(_env, name)[0]
    return _STATIC[name]


def page(template: str, **values: Any) -> str:
    """Render one of the HTML templates with the shared style (also used by the corpus stats page)."""
    return _env.get_template(template).render(css=_static("style.css"), **values)
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
    x: float = label_w
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


def _ids(ids: Ids) -> str:
    parts = [f"{ids.maswe_beta} (MASWE beta)" if ids.maswe_beta else "",
             f"{ids.maswe} (MASWE v1)" if ids.maswe else "", ", ".join(ids.cwe), ", ".join(ids.masvs)]
    return " \u00b7 ".join(p for p in parts if p)


def _where(f: Finding) -> str:
    return where(f.location, f.target)


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


_RANK = {s.label: str(3 - int(s)) for s in Severity}  # "0" = high: sorts first


def _item(n: int, f: Finding, report: Report, files: SourceLines) -> dict[str, Any]:
    lst = f.listener.to_dict() if f.listener else None
    hops = [h for h in (f.listener.flow if f.listener else []) if h.role != "api"]
    where_ = _where(f)
    evidence = (f.evidence or f.location.snippet or "").strip()
    origin = _origin(f)
    text = " ".join((f.rule, f.message, where_, f.target, origin, evidence.split("\n", 1)[0],
                     *(hop_line(h) for h in hops))).lower()
    return {
        "id": n, "severity": f.severity.label, "rank": _RANK[f.severity.label], "confidence": f.confidence.label,
        "conf_rank": str(2 - int(f.confidence)), "rule": f.rule, "message": f.message, "where": where_,
        "origin": origin, "origin_key": _origin_key(f), "bind": lst["bind"] if lst else "",
        "listener": lst, "context": _context(f, report, files), "evidence": evidence.splitlines(),
        "flow": [{"role": h.role, "where": where(h.location), "note": h.note} for h in hops],
        "fix": f.fix, "ids": _ids(f.ids), "fingerprint": f.fingerprint, "text": text,
    }


def _origin_key(f: Finding) -> str:
    if f.origin.sdk:
        return f"sdk:{f.origin.sdk}"
    return f.origin.kind or "app"


def _filters(report: Report, sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rules = sorted({f.rule for f in report.findings})
    binds = sorted({f.listener.bind.value for f in report.findings if f.listener})
    origins = sorted({_origin_key(f) for f in report.findings})
    shown = {"app": "app code", "library": "library code", "unknown": "unknown"}
    targets = [(str(t["index"]), t["path"]) for t in sections if t["findings"]]
    return [
        {"key": "rule", "label": "rule", "options": [(r, r) for r in rules]},
        {"key": "bind", "label": "bind", "options": [(b, b) for b in binds]},
        {"key": "origin", "label": "origin",
         "options": [(o, shown.get(o, o.replace("sdk:", "SDK "))) for o in origins]},
        {"key": "target", "label": "target", "options": targets},
    ]


def context(report: Report, suppressed: list[tuple[Finding, str, str]] | None = None) -> dict[str, Any]:
    counts = {s: 0 for s in SEVERITIES}
    rule_rows: dict[str, dict[str, Any]] = {}
    by_target: dict[str, list[Finding]] = {}
    for f in report.findings:
        counts[f.severity.label] += 1
        row = rule_rows.setdefault(f.rule, {"id": f.rule, "counts": {}, "total": 0})
        row["counts"][f.severity.label] = row["counts"].get(f.severity.label, 0) + 1
        row["total"] += 1
        by_target.setdefault(f.target, []).append(f)
    order = {cls.id: i for i, cls in enumerate(rules_mod.ALL)}
    by_rule = sorted(rule_rows.values(), key=lambda r: (-r["total"], order.get(r["id"], 999)))
    for row in by_rule:
        cls = rules_mod.get(row["id"])
        row["title"] = cls.title() if cls else ""
    facts_by_target = {fa.target.path: fa for fa in report.facts}
    files = SourceLines()
    sections = []
    n = 0
    for index, t in enumerate(report.targets):
        facts = facts_by_target.get(t.path)
        items = []
        for f in by_target.pop(t.path, []):
            n += 1
            items.append(_item(n, f, report, files))
        runtime, cols = _runtime_rows(facts.runtime if facts else [])
        sev = [(s, sum(1 for i in items if i["severity"] == s)) for s in SEVERITIES]
        sections.append({
            "index": index, "path": t.path, "kind": t.kind, "sha256": t.sha256, "errors": t.errors,
            "notes": t.notes, "seconds": t.seconds, "app": facts.app if facts else None, "findings": items,
            "by_severity": [(s, k) for s, k in sev if k], "runtime": runtime, "runtime_columns": cols,
        })
    fired = {f.rule for f in report.findings} | {f.rule for f, _, _ in suppressed or []}
    rules_used = [{"id": cls.id, "title": cls.title(), "what": cls.what(), "why": cls.why(),
                   "fix": cls.fix(), "ids": _ids(cls.ids)}
                  for cls in rules_mod.ALL if cls.id in fired]
    sup = [{"severity": f.severity.label, "rule": f.rule, "where": _where(f), "message": f.message,
            "why": why or kind} for f, kind, why in suppressed or []]
    return {
        "tool": report.tool_name, "version": report.tool_version,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "targets": report.targets, "total": len(report.findings), "severities": SEVERITIES,
        "counts": counts, "by_rule": by_rule, "chart": chart_svg(by_rule),
        "target_sections": sections, "suppressed": sup, "rules_used": rules_used,
        "with_findings": sum(1 for sec in sections if sec["findings"]),
        "failed": sum(1 for t in report.targets if t.errors),
        "open_targets": len(report.findings) <= OPEN_UP_TO, "select_filters": _filters(report, sections),
    }


def render(report: Report, *, suppressed: list[tuple[Finding, str, str]] | None = None, **_: Any) -> str:
    return page("report.html.j2", script=_static("report.js"), **context(report, suppressed))
