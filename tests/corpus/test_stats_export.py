"""Statistics agree with SQL run directly on the store; every output format is complete; exports
round-trip."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from portaudit.corpus import stats as st
from portaudit.corpus.store import Store

ROOT = Path(__file__).resolve().parents[2]
PORTAUDIT = [sys.executable, "-m", "portaudit"]


def _sql(db, q, *p):
    con = sqlite3.connect(db)
    try:
        return con.execute(q, p).fetchall()
    finally:
        con.close()


def _stats_json(db) -> dict:
    r = subprocess.run(PORTAUDIT + ["corpus", "stats", "--db", str(db), "--format", "json"],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_stats_match_sql_counts(reference_store):
    db = str(reference_store)
    data = _stats_json(db)
    a = data["apps"]
    analysed = _sql(db, "SELECT COUNT(*) FROM targets WHERE status != 'error'")[0][0]
    assert a["analysed"] == analysed > 50
    assert a["stored"] == _sql(db, "SELECT COUNT(*) FROM targets")[0][0]
    assert a["failed"] == _sql(db, "SELECT COUNT(*) FROM targets WHERE status = 'error'")[0][0] > 0
    assert a["input_errors"] == _sql(db, "SELECT COUNT(*) FROM errors WHERE target_id IS NULL")[0][0] == 2
    assert a["paths"] == _sql(db, "SELECT COUNT(*) FROM target_paths")[0][0] > a["stored"]  # duplicates
    listener_apps = _sql(db, "SELECT COUNT(DISTINCT target_id) FROM findings f JOIN targets t ON t.id = f.target_id "
                             "WHERE t.status != 'error' AND f.bind IS NOT NULL")[0][0]
    assert a["with_listener"] == listener_apps > 5
    assert a["with_listener_share"] == round(100 * listener_apps / analysed, 2)
    # every prevalence table, row by row
    for table, col in (("bind", "bind"), ("api", "api"), ("transport", "transport")):
        expect = dict(_sql(db, f"SELECT f.{col}, COUNT(DISTINCT f.target_id) FROM findings f JOIN targets t "
                               f"ON t.id = f.target_id WHERE t.status != 'error' AND f.bind IS NOT NULL "
                               f"GROUP BY f.{col}"))
        got = {r["key"]: r["apps"] for r in data["tables"][table]["rows"]}
        assert got == expect, table
    expect = dict(_sql(db, "SELECT f.severity, COUNT(DISTINCT f.target_id) FROM findings f JOIN targets t "
                           "ON t.id = f.target_id WHERE t.status != 'error' GROUP BY f.severity"))
    assert {r["key"]: r["apps"] for r in data["tables"]["severity"]["rows"]} == expect
    expect = dict(_sql(db, "SELECT f.rule, COUNT(*) FROM findings f JOIN targets t ON t.id = f.target_id "
                           "WHERE t.status != 'error' GROUP BY f.rule"))
    assert {r["key"]: r["findings"] for r in data["tables"]["rule"]["rows"]} == expect
    sdk_apps = dict(_sql(db, "SELECT f.sdk, COUNT(DISTINCT f.target_id) FROM findings f JOIN targets t "
                             "ON t.id = f.target_id WHERE t.status != 'error' AND f.bind IS NOT NULL "
                             "AND f.sdk IS NOT NULL GROUP BY f.sdk"))
    got = {r["key"]: r["apps"] for r in data["tables"]["sdk"]["rows"]}
    assert sdk_apps and all(got[k] == v for k, v in sdk_apps.items())
    ports = dict(_sql(db, "SELECT COALESCE(CAST(f.port AS TEXT), '(unknown)'), COUNT(DISTINCT f.target_id) "
                          "FROM findings f JOIN targets t ON t.id = f.target_id WHERE t.status != 'error' "
                          "AND f.bind IS NOT NULL GROUP BY 1"))
    assert {r["key"]: r["apps"] for r in data["tables"]["port"]["rows"]} == ports
    # scan times
    secs = sorted(r[0] for r in _sql(db, "SELECT seconds FROM targets WHERE status != 'error'"))
    t = data["scan_times"]
    assert t["apps"] == len(secs) and t["max_s"] == round(secs[-1], 4)
    assert sum(h["apps"] for h in t["histogram"]) == len(secs)
    # failures: every error row is in exactly one group
    n_err_apps = _sql(db, "SELECT COUNT(*) FROM errors WHERE target_id IS NOT NULL")[0][0]
    assert sum(f["apps"] for f in data["failures"]) == n_err_apps
    assert sum(f["inputs"] for f in data["failures"]) == 2
    assert any(f["message"] == "empty file" for f in data["failures"])


def test_text_csv_html_are_complete(reference_store, tmp_path):
    with Store(str(reference_store), readonly=True) as s:
        data = st.compute(s)
    text = st.render(data, "text")
    assert "apps with a listening socket" in text
    assert f"{data['apps']['with_listener']} ({data['apps']['with_listener_share']:.2f}%)" in text
    for row in data["tables"]["bind"]["rows"]:
        assert re.search(rf"^{re.escape(row['key'])}\s+{row['apps']}\s", text, re.MULTILINE)
    rows = list(csv.DictReader(io.StringIO(st.render(data, "csv"))))
    bind = {r["key"]: int(r["apps"]) for r in rows if r["section"] == "bind"}
    assert bind == {r["key"]: r["apps"] for r in data["tables"]["bind"]["rows"]}
    out = tmp_path / "report.html"
    r = subprocess.run(PORTAUDIT + ["corpus", "stats", "--db", str(reference_store), "--format", "html",
                                    "-o", str(out)],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    assert html.count("<svg") >= 4  # bind, api, sdk, port, rule, scan-time plots inline
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)  # self-contained
    assert "<script" not in html
    assert "Failures" in html and "empty file" in html


def test_export_formats_round_trip(reference_store, tmp_path):
    db = str(reference_store)
    n_findings = _sql(db, "SELECT COUNT(*) FROM findings")[0][0]
    pq_out = tmp_path / "f.parquet"
    r = subprocess.run(PORTAUDIT + ["corpus", "export", "--db", db, "--format", "parquet", "-o", str(pq_out)],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 0, r.stderr
    table = pq.read_table(pq_out)
    assert table.num_rows == n_findings
    for col in ("sha256", "path", "rule", "severity", "confidence", "bind", "api", "port", "transport", "sdk",
                "origin_kind", "class", "method", "file", "line", "fingerprint", "message"):
        assert col in table.column_names
    assert sorted(table.column("fingerprint").to_pylist()) == sorted(
        r[0] for r in _sql(db, "SELECT fingerprint FROM findings"))
    r = subprocess.run(PORTAUDIT + ["corpus", "export", "--db", db, "--format", "jsonl", "--table", "targets"],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 0
    targets = [json.loads(ln) for ln in r.stdout.splitlines()]
    assert {t["sha256"] for t in targets} == {r[0] for r in _sql(db, "SELECT sha256 FROM targets")}
    r = subprocess.run(PORTAUDIT + ["corpus", "export", "--db", db, "--format", "csv", "--table", "errors"],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == _sql(db, "SELECT COUNT(*) FROM errors")[0][0]
    r = subprocess.run(PORTAUDIT + ["corpus", "export", "--db", db, "--format", "parquet"],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 2 and "needs -o" in r.stderr


def test_stats_html_shares_the_report_style_and_uses_human_labels(reference_store, tmp_path):
    from portaudit.formats.html import _static

    out = tmp_path / "stats.html"
    r = subprocess.run(PORTAUDIT + ["corpus", "stats", "--db", str(reference_store), "--format", "html",
                                    "-o", str(out)],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 0, r.stderr
    html = out.read_text()
    assert _static("style.css") in html  # one style sheet for the scan report and this page
    for label in ("Median time per app (p50)", "Total scan time", "Peak worker memory (max)", "Bind class"):
        assert label in html, label
    for raw in ("total_s", "p50_s", "mb_per_cpu_s", "peak_rss_mb_max"):  # no raw JSON keys shown to people
        assert raw not in html, raw


def test_export_to_a_closed_pipe_ends_quietly(reference_store):
    """`corpus export -f csv | head` used to print "None: cannot write (Broken pipe)"."""
    proc = subprocess.Popen(PORTAUDIT + ["corpus", "export", "--db", str(reference_store), "--format", "csv"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=str(ROOT))
    proc.stdout.close()  # the reader is gone before the first row is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0 and err == "", err


@pytest.mark.parametrize("args, package, what", [
    (["export", "--format", "parquet", "-o", "x.parquet"], "pyarrow", "Parquet export"),
    (["stats", "--format", "html", "-o", "x.html"], "matplotlib", "the plots of the HTML statistics"),
])
def test_a_missing_optional_package_is_one_clear_line(reference_store, tmp_path, args, package, what):
    """As without the corpus extra: the package cannot be imported (None in sys.modules makes Python
    raise ModuleNotFoundError for it, exactly as when it is not installed)."""
    code = (f"import sys; sys.modules[{package!r}] = None; sys.argv = ['portaudit'] + sys.argv[1:]; "
            "from portaudit.cli import main; main()")
    r = subprocess.run([sys.executable, "-c", code, "corpus", *args[:1], "--db", str(reference_store), *args[1:]],
                       capture_output=True, text=True, cwd=str(tmp_path), timeout=120)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"portaudit: {what} needs the Python package {package}, which is not "
                                     "installed: pip install 'portaudit[corpus]'"]
