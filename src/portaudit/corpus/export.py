"""Export store tables as Parquet (pyarrow), CSV or JSON Lines."""

from __future__ import annotations

import csv
import json
import sqlite3
from typing import IO, Any

from .store import FINDING_COLUMNS, Store

TARGET_COLUMNS = ("sha256", "path", "kind", "size", "package", "version", "version_code", "seconds",
                  "tool_version", "scanned_at", "status", "n_findings")

QUERIES = {
    "findings": "SELECT " + ", ".join(f"t.{c}" if c not in ("seconds", "n_findings") else f"t.{c} AS target_{c}"
                                      for c in ("sha256", "path", "kind", "package", "version", "seconds"))
    + ", " + ", ".join(f'f."{c}"' for c in FINDING_COLUMNS)
    + " FROM findings f JOIN targets t ON t.id = f.target_id ORDER BY t.sha256, f.id",
    "targets": "SELECT " + ", ".join(TARGET_COLUMNS) + " FROM targets ORDER BY sha256",
    "errors": "SELECT t.sha256, e.path, e.stage, e.message, (e.target_id IS NULL) AS input_error "
              "FROM errors e LEFT JOIN targets t ON t.id = e.target_id ORDER BY e.path, e.id",
    "paths": "SELECT sha256, path, size, mtime_ns FROM target_paths ORDER BY sha256, path",
    "timings": "SELECT t.sha256, t.path, m.analyze_s, m.rules_s, m.total_s, m.cpu_s, m.peak_rss_kb, m.worker "
               "FROM timings m JOIN targets t ON t.id = m.target_id ORDER BY t.sha256",
}


def export(store: Store, table: str, fmt: str, out: str | IO[str]) -> int:
    """Write ``table`` in ``fmt`` to a path or a text stream; returns the number of rows."""
    cur = store.con.execute(QUERIES[table])
    names = [d[0] for d in cur.description]
    if fmt == "parquet":
        return _parquet(cur, names, out)
    if isinstance(out, str):
        with open(out, "w", encoding="utf-8", newline="") as fh:
            return _write_text(cur, names, fmt, fh)
    try:
        return _write_text(cur, names, fmt, out)
    finally:
        out.flush()


def _write_text(cur: sqlite3.Cursor, names: list[str], fmt: str, fh: IO[str]) -> int:
    n = 0
    if fmt == "csv":
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(names)
        for row in cur:
            w.writerow(["" if v is None else v for v in row])
            n += 1
    elif fmt == "jsonl":
        for row in cur:
            fh.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
            n += 1
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return n


def _parquet(cur, names: list[str], out: Any) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not isinstance(out, str):
        raise ValueError("parquet needs an output file")
    types = _types(cur.connection, names)
    schema = pa.schema([(n, types.get(n, pa.string())) for n in names])
    n = 0
    with pq.ParquetWriter(out, schema) as writer:
        while True:
            rows = cur.fetchmany(50_000)
            if not rows:
                break
            cols = list(zip(*rows, strict=True))
            writer.write_table(pa.table([pa.array(list(c), type=schema.field(i).type) for i, c in enumerate(cols)],
                                        schema=schema))
            n += len(rows)
    return n


def _types(con, names: list[str]) -> dict[str, Any]:
    import pyarrow as pa

    ints = {"size", "port", "line", "column", "offset", "severity_rank", "n_findings", "target_n_findings",
            "mtime_ns", "peak_rss_kb", "input_error"}
    floats = {"seconds", "target_seconds", "analyze_s", "rules_s", "total_s", "cpu_s"}
    return {n: pa.int64() if n in ints else pa.float64() if n in floats else pa.string() for n in names}
