"""The corpus store: one SQLite file holding every app scanned, its findings, errors and timings.

Design rules:

* one transaction per app (target row, its paths, findings, errors and timings are committed
  together), WAL journal: a run killed at any moment loses nothing that was committed and leaves no
  half-written app; a resumed run skips apps whose sha256 is already stored;
* ``meta.schema_version`` says which layout a file has; older layouts are migrated in place (in one
  transaction), newer ones are refused with a clear message;
* errors raised here are :class:`StoreError` with a one-line message naming the file.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from .. import __version__
from ..formats.text import clean, safe

SCHEMA_VERSION = 2

# -- the layouts ---------------------------------------------------------------------------------
# Version 1 (portaudit 0.1 development store): targets, findings, errors, meta.  Kept here verbatim
# because the migration starts from it (and the tests build a version-1 store from it).
SCHEMA_V1 = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE targets (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER,
    package TEXT,
    version TEXT,
    seconds REAL,
    tool_version TEXT NOT NULL,
    scanned_at TEXT NOT NULL
);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    confidence TEXT NOT NULL,
    bind TEXT,
    api TEXT,
    port INTEGER,
    transport TEXT,
    sdk TEXT,
    origin_kind TEXT,
    class TEXT,
    method TEXT,
    file TEXT,
    line INTEGER,
    fingerprint TEXT,
    message TEXT
);
CREATE TABLE errors (
    id INTEGER PRIMARY KEY,
    target_id INTEGER REFERENCES targets(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    message TEXT NOT NULL
);
"""

# Version 2 adds: targets.status / n_findings / version_code, target_paths (every path a content
# was seen under), findings.address / column / offset / severity_rank / evidence / maswe / cwe,
# errors.stage / sha256, the timings table.
SCHEMA_V2 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS targets (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    size INTEGER,
    package TEXT,
    version TEXT,
    version_code TEXT,
    seconds REAL,
    tool_version TEXT NOT NULL,
    scanned_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'ok',
    n_findings INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS target_paths (
    sha256 TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER,
    mtime_ns INTEGER,
    PRIMARY KEY (sha256, path)
);
CREATE INDEX IF NOT EXISTS target_paths_path ON target_paths(path);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    target_id INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    confidence TEXT NOT NULL,
    bind TEXT,
    api TEXT,
    port INTEGER,
    transport TEXT,
    sdk TEXT,
    origin_kind TEXT,
    class TEXT,
    method TEXT,
    file TEXT,
    line INTEGER,
    fingerprint TEXT,
    message TEXT,
    address TEXT,
    "column" INTEGER,
    "offset" INTEGER,
    severity_rank INTEGER,
    evidence TEXT,
    maswe TEXT,
    cwe TEXT
);
CREATE INDEX IF NOT EXISTS findings_target ON findings(target_id);
CREATE TABLE IF NOT EXISTS errors (
    id INTEGER PRIMARY KEY,
    target_id INTEGER REFERENCES targets(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    message TEXT NOT NULL,
    stage TEXT NOT NULL DEFAULT 'analyze',
    sha256 TEXT
);
CREATE INDEX IF NOT EXISTS errors_target ON errors(target_id);
CREATE INDEX IF NOT EXISTS errors_path ON errors(path);
CREATE TABLE IF NOT EXISTS timings (
    target_id INTEGER PRIMARY KEY REFERENCES targets(id) ON DELETE CASCADE,
    analyze_s REAL,
    rules_s REAL,
    total_s REAL,
    cpu_s REAL,
    peak_rss_kb INTEGER,
    worker TEXT
);
"""

FINDING_COLUMNS = (
    "rule", "severity", "confidence", "bind", "api", "port", "transport", "sdk", "origin_kind",
    "class", "method", "file", "line", "fingerprint", "message", "address", "column", "offset",
    "severity_rank", "evidence", "maswe", "cwe",
)

_SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3}


class StoreError(Exception):
    """The store cannot be used (not a store, newer schema, disk full...).  One-line message."""


def is_disk_full(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.Error) and ("disk is full" in text or "disk full" in text)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def run_script(con: sqlite3.Connection, script: str) -> None:
    """Execute DDL statement by statement (``executescript`` would commit the open transaction)."""
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            con.execute(buf)
            buf = ""
    if buf.strip():
        con.execute(buf)


def _migrate_1_to_2(con: sqlite3.Connection) -> None:
    run_script(con, """
        ALTER TABLE targets ADD COLUMN version_code TEXT;
        ALTER TABLE targets ADD COLUMN status TEXT NOT NULL DEFAULT 'ok';
        ALTER TABLE targets ADD COLUMN n_findings INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE findings ADD COLUMN address TEXT;
        ALTER TABLE findings ADD COLUMN "column" INTEGER;
        ALTER TABLE findings ADD COLUMN "offset" INTEGER;
        ALTER TABLE findings ADD COLUMN severity_rank INTEGER;
        ALTER TABLE findings ADD COLUMN evidence TEXT;
        ALTER TABLE findings ADD COLUMN maswe TEXT;
        ALTER TABLE findings ADD COLUMN cwe TEXT;
        ALTER TABLE errors ADD COLUMN stage TEXT NOT NULL DEFAULT 'analyze';
        ALTER TABLE errors ADD COLUMN sha256 TEXT;
    """)
    run_script(con, SCHEMA_V2)  # the new tables and indexes
    con.execute("""UPDATE findings SET severity_rank = CASE severity WHEN 'info' THEN 0
                   WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 END""")
    con.execute("UPDATE targets SET n_findings = (SELECT COUNT(*) FROM findings f WHERE f.target_id = targets.id)")
    con.execute("""UPDATE targets SET status = CASE WHEN EXISTS (SELECT 1 FROM errors e WHERE
                   e.target_id = targets.id) THEN (CASE WHEN n_findings > 0 THEN 'partial' ELSE 'error' END)
                   ELSE 'ok' END""")
    con.execute("UPDATE errors SET sha256 = (SELECT sha256 FROM targets t WHERE t.id = errors.target_id)")
    con.execute("INSERT OR IGNORE INTO target_paths (sha256, path, size) SELECT sha256, path, size FROM targets")


MIGRATIONS = {1: _migrate_1_to_2}


class Store:
    """An open corpus store.  Use as a context manager or call :meth:`close`."""

    def __init__(self, path: str, *, create: bool = True, migrate: bool = True,
                 max_page_count: int | None = None, readonly: bool = False):
        self.path = str(path)
        self.migrated_from: int | None = None
        exists = os.path.exists(self.path) and os.path.getsize(self.path) > 0
        if not exists and (readonly or not create):
            raise StoreError(f"{self.path}: no such store")
        try:
            if readonly:
                uri = "file:" + os.path.abspath(self.path) + "?mode=ro"
                self.con = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
            else:
                self.con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.con.execute("PRAGMA foreign_keys = ON")
            if max_page_count:
                self.con.execute(f"PRAGMA max_page_count = {int(max_page_count)}")
            if not readonly:
                self.con.execute("PRAGMA journal_mode = WAL")
                self.con.execute("PRAGMA synchronous = NORMAL")
            self._open(exists, migrate and not readonly)
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            if is_disk_full(exc):
                raise StoreError(f"{self.path}: disk full while opening the store") from None
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise StoreError(f"{self.path}: not an SQLite database ({exc})") from None
            raise StoreError(f"{self.path}: cannot open the store ({exc})") from None

    # -- opening, versions ------------------------------------------------------------------------
    def _open(self, exists: bool, migrate: bool) -> None:
        tables = {r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables and (not exists or migrate):
            self._write(lambda: self._create())
            return
        if "meta" not in tables:
            raise StoreError(f"{self.path}: an SQLite file but not a portaudit corpus store (no meta table)")
        row = self.con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is None:
            raise StoreError(f"{self.path}: not a portaudit corpus store (no schema_version in meta)")
        try:
            version = int(row[0])
        except ValueError:
            raise StoreError(f"{self.path}: unreadable schema_version {row[0]!r}") from None
        if version > SCHEMA_VERSION:
            writer = self.meta().get("tool_version", "?")
            raise StoreError(
                f"{self.path}: store schema version {version} was written by portaudit {writer}; this "
                f"portaudit ({__version__}) reads up to version {SCHEMA_VERSION} - upgrade portaudit or "
                f"use another --db")
        if version < SCHEMA_VERSION:
            if not migrate:
                raise StoreError(
                    f"{self.path}: store schema version {version} is older than {SCHEMA_VERSION}; run "
                    f"`portaudit corpus scan` (or `corpus migrate`) on it once to migrate it")
            self._migrate(version)

    def _create(self) -> None:
        run_script(self.con, SCHEMA_V2)
        self._set_meta(schema_version=str(SCHEMA_VERSION), tool_version=__version__, created_at=_now())

    def _migrate(self, version: int) -> None:
        start = version

        def work():
            v = start
            while v < SCHEMA_VERSION:
                step = MIGRATIONS.get(v)
                if step is None:
                    raise StoreError(f"{self.path}: no migration from schema version {v}")
                step(self.con)
                v += 1
            self._set_meta(schema_version=str(SCHEMA_VERSION), migrated_from=str(start),
                           migrated_at=_now())

        self._write(work)
        self.migrated_from = start

    def _set_meta(self, **items: str) -> None:
        self.con.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", items.items())

    def meta(self) -> dict[str, str]:
        return dict(self.con.execute("SELECT key, value FROM meta"))

    def schema_version(self) -> int:
        return int(self.meta()["schema_version"])

    # -- transactions -----------------------------------------------------------------------------
    def _write(self, fn) -> Any:
        """Run ``fn`` in one IMMEDIATE transaction; roll back on any error."""
        try:
            self.con.execute("BEGIN IMMEDIATE")
            try:
                out = fn()
                self.con.execute("COMMIT")
            except BaseException:
                if self.con.in_transaction:  # SQLite may already have rolled back (SQLITE_FULL)
                    with contextlib.suppress(sqlite3.Error):
                        self.con.execute("ROLLBACK")
                raise
            return out
        except sqlite3.Error as exc:
            if self.con.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.con.execute("ROLLBACK")
            if is_disk_full(exc):
                raise StoreError(f"{self.path}: database or disk is full; the store is consistent "
                                 f"(the app being written was rolled back) - free space and re-run "
                                 f"to resume") from None
            raise StoreError(f"{self.path}: cannot write ({exc})") from None

    def begin_run(self, argv: str = "") -> None:
        self._write(lambda: self._set_meta(tool_version=__version__, last_run_at=_now(),
                                           last_run_args=argv))

    # -- reading state ----------------------------------------------------------------------------
    def done_sha256(self, *, include_errors: bool = True) -> set[str]:
        q = "SELECT sha256 FROM targets"
        if not include_errors:
            q += " WHERE status != 'error'"
        return {r[0] for r in self.con.execute(q)}

    def known_paths(self) -> dict[str, tuple[str, int | None, int | None]]:
        """path -> (sha256, size, mtime_ns) for every stored path (resume without re-hashing)."""
        return {p: (s, size, m) for s, p, size, m in
                self.con.execute("SELECT sha256, path, size, mtime_ns FROM target_paths")}

    # -- writing one app --------------------------------------------------------------------------
    def record(self, result: dict[str, Any], extra_paths: Iterable[tuple[str, int | None, int | None]] = (),
               *, replace: bool = False) -> int:
        """Store one app (a worker result, see :func:`portaudit.corpus.worker.scan_one`) and all the
        paths it was seen under, in one transaction.  Returns the target id.  Strings from the app
        (a DEX string with a lone surrogate, a file name that is not UTF-8) are stored escaped."""
        return self._write(lambda: self._record(clean(result), list(extra_paths), replace))

    def _record(self, r: dict[str, Any], extra_paths, replace: bool) -> int:
        con = self.con
        sha = r["sha256"]
        old = con.execute("SELECT id FROM targets WHERE sha256=?", (sha,)).fetchone()
        if old is not None:
            if not replace:
                self._add_paths(sha, [(r["path"], r.get("size"), r.get("mtime_ns"))] + extra_paths)
                return old[0]
            con.execute("DELETE FROM targets WHERE id=?", (old[0],))
        findings = r.get("findings") or []
        errors = r.get("errors") or []
        status = "ok" if not errors else ("partial" if r.get("analysed") else "error")
        cur = con.execute(
            """INSERT INTO targets (sha256, path, kind, size, package, version, version_code, seconds,
               tool_version, scanned_at, status, n_findings) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
            (sha, r["path"], r["kind"], r.get("size"), r.get("package"), r.get("version"),
             r.get("version_code"), r.get("seconds"), r.get("tool_version") or __version__,
             r.get("scanned_at") or _now(), status, len(findings)))
        tid = cur.lastrowid
        if tid is None:  # sqlite3 sets lastrowid after every INSERT that succeeded
            raise StoreError(f"{self.path}: the new target row of {sha} has no id")
        self._add_paths(sha, [(r["path"], r.get("size"), r.get("mtime_ns"))] + extra_paths)
        if findings:
            cols = ", ".join(f'"{c}"' for c in FINDING_COLUMNS)
            marks = ", ".join("?" for _ in FINDING_COLUMNS)
            con.executemany(f"INSERT INTO findings (target_id, {cols}) VALUES (?, {marks})",
                            [(tid, *(f.get(c) for c in FINDING_COLUMNS)) for f in findings])
        if errors:
            con.executemany("INSERT INTO errors (target_id, sha256, path, message, stage) VALUES (?,?,?,?,?)",
                            [(tid, sha, r["path"], e["message"], e.get("stage", "analyze")) for e in errors])
        t = r.get("timings") or {}
        con.execute("""INSERT INTO timings (target_id, analyze_s, rules_s, total_s, cpu_s, peak_rss_kb, worker)
                       VALUES (?,?,?,?,?,?,?)""",
                    (tid, t.get("analyze_s"), t.get("rules_s"), t.get("total_s"), t.get("cpu_s"),
                     t.get("peak_rss_kb"), t.get("worker")))
        # an input error recorded for this path by an earlier run is superseded
        con.execute("DELETE FROM errors WHERE target_id IS NULL AND path=?", (r["path"],))
        return tid

    def _add_paths(self, sha: str, paths) -> None:
        self.con.executemany(
            "INSERT OR REPLACE INTO target_paths (sha256, path, size, mtime_ns) VALUES (?,?,?,?)",
            [(sha, safe(p), s, m) for p, s, m in paths])

    def add_paths(self, sha: str, paths) -> None:
        self._write(lambda: self._add_paths(sha, list(paths)))

    def record_input_error(self, path: str, message: str, stage: str = "input") -> None:
        """An input that never became a target (missing, unreadable, not an app, over the size
        limit).  Replaces what an earlier run recorded for the same path."""
        path, message = safe(path), safe(message)

        def work():
            self.con.execute("DELETE FROM errors WHERE target_id IS NULL AND path=?", (path,))
            self.con.execute("INSERT INTO errors (target_id, sha256, path, message, stage) "
                             "VALUES (NULL, NULL, ?, ?, ?)", (path, message, stage))
        self._write(work)

    # -- queries used by stats / export -----------------------------------------------------------
    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, tuple(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def iter_rows(self, sql: str, params: Iterable[Any] = ()) -> Iterator[dict[str, Any]]:
        cur = self.con.execute(sql, tuple(params))
        names = [d[0] for d in cur.description]
        for row in cur:
            yield dict(zip(names, row, strict=True))

    def integrity_ok(self) -> bool:
        return self.con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def close(self) -> None:
        self._close_quietly()

    def _close_quietly(self) -> None:
        con = getattr(self, "con", None)
        if con is not None:
            with contextlib.suppress(sqlite3.Error):
                con.close()
            del self.con  # closed once: a second close finds no connection

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def finding_row(d: dict[str, Any]) -> dict[str, Any]:
    """Flatten one JSON-contract finding (``Finding.to_dict()``) into a findings-table row."""
    loc = d.get("location") or {}
    lst = d.get("listener") or {}
    org = d.get("origin") or {}
    ids = d.get("ids") or {}
    return {
        "rule": d.get("rule"),
        "severity": d.get("severity"),
        "confidence": d.get("confidence"),
        "bind": lst.get("bind"),
        "api": lst.get("api"),
        "port": lst.get("port"),
        "transport": lst.get("transport"),
        "sdk": org.get("sdk"),
        "origin_kind": org.get("kind"),
        "class": loc.get("class"),
        "method": loc.get("method"),
        "file": loc.get("file"),
        "line": loc.get("line"),
        "fingerprint": d.get("fingerprint"),
        "message": d.get("message"),
        "address": lst.get("address"),
        "column": loc.get("column"),
        "offset": loc.get("offset"),
        "severity_rank": _SEVERITY_RANK.get(str(d.get("severity"))),
        "evidence": d.get("evidence"),
        "maswe": ids.get("maswe"),
        "cwe": json.dumps(ids.get("cwe") or []),
    }
