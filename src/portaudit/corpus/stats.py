"""Prevalence statistics over a corpus store, in the style of the research papers (share of apps
with a listener, by bind class / API / SDK / port / severity / rule; scan-time distribution;
failures), rendered as text, JSON, CSV or one self-contained HTML page with inline SVG plots.

Denominator: *analysed* apps (targets whose status is ``ok`` or ``partial``); apps that failed
entirely are counted apart, with their reasons.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import itertools
import json
import math
import re
from typing import Any

from .store import Store

ANALYSED = "t.status IN ('ok', 'partial')"
LISTENER = "f.bind IS NOT NULL"

# (table name, SQL expression for the key, only listener findings?, title)
DIMENSIONS = [
    ("bind", "f.bind", True, "Apps with a listener, by bind class"),
    ("transport", "f.transport", True, "Apps with a listener, by transport"),
    ("api", "f.api", True, "Apps with a listener, by API"),
    ("sdk", "COALESCE(f.sdk, CASE f.origin_kind WHEN 'app' THEN '(app code)' ELSE '(unknown library)' END)",
     True, "Apps with a listener, by SDK (origin)"),
    ("port", "COALESCE(CAST(f.port AS TEXT), '(unknown)')", True, "Apps with a listener, by port"),
    ("severity", "f.severity", False, "Apps with a finding, by severity"),
    ("rule", "f.rule", False, "Apps with a finding, by rule"),
]

_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}
_NUM = re.compile(r"\b\d+(\.\d+)?\b|0x[0-9a-fA-F]+")


def normalise_error(message: str) -> str:
    """Group error messages that differ only by numbers (sizes, offsets, counts)."""
    return _NUM.sub("N", message)


def _pct(n: int, d: int) -> float:
    return round(100.0 * n / d, 2) if d else 0.0


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    pos = (len(values) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


def compute(store: Store) -> dict[str, Any]:
    """All the numbers, as one JSON-serialisable dict."""
    def one(sql: str, *p: Any) -> Any:
        return store.con.execute(sql, p).fetchone()[0]

    meta = store.meta()
    stored = one("SELECT COUNT(*) FROM targets")
    analysed = one(f"SELECT COUNT(*) FROM targets t WHERE {ANALYSED}")
    failed = one("SELECT COUNT(*) FROM targets WHERE status = 'error'")
    partial = one("SELECT COUNT(*) FROM targets WHERE status = 'partial'")
    paths = one("SELECT COUNT(*) FROM target_paths")
    input_errors = one("SELECT COUNT(*) FROM errors WHERE target_id IS NULL")
    with_listener = one(f"SELECT COUNT(DISTINCT t.id) FROM targets t JOIN findings f ON f.target_id = t.id "
                        f"WHERE {ANALYSED} AND {LISTENER}")
    with_finding = one(f"SELECT COUNT(DISTINCT t.id) FROM targets t JOIN findings f ON f.target_id = t.id "
                       f"WHERE {ANALYSED}")
    n_findings = one(f"SELECT COUNT(*) FROM findings f JOIN targets t ON f.target_id = t.id WHERE {ANALYSED}")
    n_listeners = one(f"SELECT COUNT(*) FROM findings f JOIN targets t ON f.target_id = t.id "
                      f"WHERE {ANALYSED} AND {LISTENER}")

    tables: dict[str, dict[str, Any]] = {}
    for name, expr, listener_only, title in DIMENSIONS:
        where = ANALYSED + (f" AND {LISTENER}" if listener_only else "")
        rows = store.rows(
            f"SELECT {expr} AS key, COUNT(DISTINCT t.id) AS apps, COUNT(*) AS findings "
            f"FROM findings f JOIN targets t ON f.target_id = t.id WHERE {where} "
            f"GROUP BY key ORDER BY apps DESC, findings DESC, key")
        if name == "severity":
            rows.sort(key=lambda r: _SEVERITY_ORDER.get(str(r["key"]), 9))
        for r in rows:
            r["key"] = "(none)" if r["key"] is None else str(r["key"])
            r["share"] = _pct(r["apps"], analysed)
        tables[name] = {"title": title, "rows": rows}

    kinds = store.rows("SELECT kind AS key, COUNT(*) AS apps, SUM(status != 'error') AS analysed, "
                       "COALESCE(SUM(size), 0) AS bytes FROM targets GROUP BY kind ORDER BY apps DESC, kind")

    secs = sorted(r[0] for r in store.con.execute(
        f"SELECT t.seconds FROM targets t WHERE {ANALYSED} AND t.seconds IS NOT NULL"))
    rss = [r[0] for r in store.con.execute("SELECT peak_rss_kb FROM timings WHERE peak_rss_kb IS NOT NULL")]
    total_bytes = one(f"SELECT COALESCE(SUM(size), 0) FROM targets t WHERE {ANALYSED}")
    rss_p50 = _quantile(sorted(rss), 0.5)
    times = {
        "apps": len(secs),
        "total_s": round(sum(secs), 3),
        "mean_s": round(sum(secs) / len(secs), 4) if secs else None,
        "p50_s": _r(_quantile(secs, 0.5)),
        "p90_s": _r(_quantile(secs, 0.9)),
        "p99_s": _r(_quantile(secs, 0.99)),
        "max_s": _r(secs[-1] if secs else None),
        "mb_per_cpu_s": round(total_bytes / 1e6 / sum(secs), 2) if secs and sum(secs) > 0 else None,
        "peak_rss_mb_max": round(max(rss) / 1024, 1) if rss else None,
        "peak_rss_mb_p50": round(rss_p50 / 1024, 1) if rss_p50 is not None else None,
        "histogram": _histogram(secs),
    }

    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for r in store.iter_rows("SELECT e.stage, e.message, e.path, e.target_id FROM errors e "
                             "ORDER BY e.stage, e.message, e.path"):
        key = (r["stage"], normalise_error(r["message"]))
        g = groups.setdefault(key, {"stage": r["stage"], "message": key[1], "apps": set(), "inputs": 0,
                                    "example": r["path"]})
        if r["target_id"] is None:
            g["inputs"] += 1
        else:
            g["apps"].add(r["target_id"])
    failures = sorted(({**g, "apps": len(g["apps"])} for g in groups.values()),
                      key=lambda g: (-(g["apps"] + g["inputs"]), g["stage"], g["message"]))

    return {
        "store": {"schema_version": int(meta.get("schema_version", 0)),
                  "tool_version": meta.get("tool_version"), "created_at": meta.get("created_at"),
                  "generated_at": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()},
        "apps": {"stored": stored, "analysed": analysed, "partial": partial, "failed": failed,
                 "paths": paths, "input_errors": input_errors,
                 "with_listener": with_listener, "with_listener_share": _pct(with_listener, analysed),
                 "with_finding": with_finding, "with_finding_share": _pct(with_finding, analysed),
                 "findings": n_findings, "listener_findings": n_listeners},
        "kinds": kinds,
        "tables": tables,
        "scan_times": times,
        "failures": failures,
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _histogram(secs: list[float]) -> list[dict[str, Any]]:
    edges = [0, 0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, math.inf]
    out = []
    for lo, hi in itertools.pairwise(edges):
        n = sum(1 for s in secs if lo <= s < hi)
        out.append({"from_s": lo, "to_s": None if hi == math.inf else hi, "apps": n})
    return out


# -- rendering -------------------------------------------------------------------------------------
def render(data: dict[str, Any], fmt: str, *, top: int = 20) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    if fmt == "csv":
        return render_csv(data)
    if fmt == "html":
        return render_html(data, top=top)
    return render_text(data, top=top)


def _headline(data: dict[str, Any]) -> list[tuple[str, str]]:
    a, t = data["apps"], data["scan_times"]
    return [
        ("apps stored (distinct sha256)", str(a["stored"])),
        ("paths", str(a["paths"])),
        ("apps analysed", f"{a['analysed']} ({a['partial']} partially)"),
        ("apps failed", str(a["failed"])),
        ("unusable inputs", str(a["input_errors"])),
        ("apps with a listening socket", f"{a['with_listener']} ({a['with_listener_share']:.2f}%)"),
        ("apps with any finding", f"{a['with_finding']} ({a['with_finding_share']:.2f}%)"),
        ("findings (listeners)", f"{a['findings']} ({a['listener_findings']})"),
        ("scan time p50 / p90 / max", " / ".join("-" if t[k] is None else f"{t[k]:.3f}s"
                                                 for k in ("p50_s", "p90_s", "max_s"))),
        ("peak worker RSS (max)", "-" if t["peak_rss_mb_max"] is None else f"{t['peak_rss_mb_max']} MB"),
    ]


def _numeric(text: str) -> bool:
    try:
        float(text.split()[0].rstrip("%s"))
        return True
    except (ValueError, IndexError):
        return False


def _text_table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, r in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if i and n and _numeric(c) else c.ljust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_text(data: dict[str, Any], *, top: int = 20) -> str:
    out = ["portaudit corpus statistics", ""]
    out.append(_text_table(["", ""], [[k, v] for k, v in _headline(data)]).split("\n", 2)[2])
    for name, table in data["tables"].items():
        rows = table["rows"][:top]
        out += ["", f"{table['title']} (of {data['apps']['analysed']} analysed apps)"]
        if not rows:
            out.append("  (none)")
            continue
        out.append(_text_table([name, "apps", "share %", "findings"],
                               [[r["key"], r["apps"], f"{r['share']:.2f}", r["findings"]] for r in rows]))
        if len(table["rows"]) > top:
            out.append(f"  ... {len(table['rows']) - top} more")
    out += ["", "Scan time per analysed app"]
    out.append(_text_table(["from (s)", "to (s)", "apps"],
                           [[h["from_s"], "-" if h["to_s"] is None else h["to_s"], h["apps"]]
                            for h in data["scan_times"]["histogram"] if h["apps"]]))
    out += ["", "Failures"]
    if data["failures"]:
        out.append(_text_table(["stage", "apps", "inputs", "message", "example"],
                               [[f["stage"], f["apps"], f["inputs"], f["message"], f["example"]]
                                for f in data["failures"][:top]]))
    else:
        out.append("  (none)")
    return "\n".join(out) + "\n"


def render_csv(data: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["section", "key", "apps", "share_pct", "findings", "detail"])
    a = data["apps"]
    for k in ("stored", "analysed", "partial", "failed", "paths", "input_errors", "with_listener",
              "with_finding", "findings", "listener_findings"):
        share = a.get(f"{k}_share", "")
        w.writerow(["summary", k, a[k], share, "", ""])
    for name, table in data["tables"].items():
        for r in table["rows"]:
            w.writerow([name, r["key"], r["apps"], r["share"], r["findings"], ""])
    for k, v in data["scan_times"].items():
        if k != "histogram":
            w.writerow(["scan_times", k, "", "", "", "" if v is None else v])
    for h in data["scan_times"]["histogram"]:
        w.writerow(["scan_time_histogram", f"{h['from_s']}-{'' if h['to_s'] is None else h['to_s']}",
                    h["apps"], "", "", ""])
    for f in data["failures"]:
        w.writerow(["failures", f"{f['stage']}: {f['message']}", f["apps"], "", "", f"inputs={f['inputs']}"])
    return buf.getvalue()


# -- HTML with inline SVG plots ----------------------------------------------------------------------
def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg"):]  # drop the XML prolog / doctype: inline in HTML


def _bar_plot(rows: list[dict[str, Any]], title: str, top: int) -> str | None:
    rows = rows[:top]
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [r["key"] if len(r["key"]) <= 60 else r["key"][:57] + "..." for r in rows][::-1]
    shares = [r["share"] for r in rows][::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(rows) + 1.0))
    ax.barh(range(len(rows)), shares, color="#3b6ea5")
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.set_xlabel("% of analysed apps")
    ax.set_title(title, fontsize=10)
    for i, v in enumerate(shares):
        ax.text(v, i, f" {v:.1f}%", va="center", fontsize=7)
    ax.set_xlim(0, max(max(shares) * 1.2, 1))
    return _svg(fig)


def _time_plot(secs_hist: list[dict[str, Any]]) -> str | None:
    if not any(h["apps"] for h in secs_hist):
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"<{h['to_s']}s" if h["to_s"] is not None else f"≥{h['from_s']}s" for h in secs_hist]
    fig, ax = plt.subplots(figsize=(7.5, 2.6))
    ax.bar(range(len(secs_hist)), [h["apps"] for h in secs_hist], color="#5a8f5a")
    ax.set_xticks(range(len(secs_hist)), labels, fontsize=8)
    ax.set_ylabel("apps")
    ax.set_title("Scan time per app", fontsize=10)
    return _svg(fig)


# what the numbers of ``scan_times`` are, for people (key: label, unit)
TIME_LABELS = {
    "apps": ("Apps timed", ""),
    "total_s": ("Total scan time", "s"),
    "mean_s": ("Mean time per app", "s"),
    "p50_s": ("Median time per app (p50)", "s"),
    "p90_s": ("90th percentile (p90)", "s"),
    "p99_s": ("99th percentile (p99)", "s"),
    "max_s": ("Slowest app", "s"),
    "mb_per_cpu_s": ("Throughput", "MB per CPU second"),
    "peak_rss_mb_max": ("Peak worker memory (max)", "MB"),
    "peak_rss_mb_p50": ("Peak worker memory (median)", "MB"),
}
DIMENSION_LABELS = {"bind": "Bind class", "transport": "Transport", "api": "API", "sdk": "SDK (origin)",
                    "port": "Port", "severity": "Severity", "rule": "Rule"}


def time_rows(times: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for key, (label, unit) in TIME_LABELS.items():
        value = times.get(key)
        out.append((label, "-" if value is None else f"{value:g} {unit}".strip()))
    return out


def render_html(data: dict[str, Any], *, top: int = 20) -> str:
    """One self-contained page in the style of the scan report (formats/templates/style.css)."""
    from .. import __version__
    from ..formats.html import page

    tables = []
    for name, table in data["tables"].items():
        plot = _bar_plot(table["rows"], table["title"], top) if name in ("bind", "api", "sdk", "port", "rule") else None
        tables.append({"title": table["title"], "label": DIMENSION_LABELS.get(name, name), "rows": table["rows"][:top],
                       "more": max(0, len(table["rows"]) - top), "plot": plot})
    return page("corpus.html.j2", tool="portaudit", version=__version__, schema=data["store"]["schema_version"],
                generated=data["store"]["generated_at"], headline=_headline(data), tables=tables,
                time_plot=_time_plot(data["scan_times"]["histogram"]), times=time_rows(data["scan_times"]),
                failures=data["failures"][:top])
