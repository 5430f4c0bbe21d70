"""The store: versions and migration, refusing what it cannot read, a full disk, worker guards."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from portaudit.corpus.runner import scan_corpus
from portaudit.corpus.store import SCHEMA_V1, SCHEMA_VERSION, Store, StoreError
from portaudit.corpus.worker import GuardedWorker, options_to_config
from portaudit.options import Options

from .conftest import FB_DEX, TVLEANBACK, dump

ROOT = Path(__file__).resolve().parents[2]
PORTAUDIT = [sys.executable, "-m", "portaudit"]


def _v1_store(path: Path, corpus) -> str:
    """A store as version 1 wrote it, holding one app with one finding and one error."""
    con = sqlite3.connect(path)
    con.executescript(SCHEMA_V1)
    con.executemany("INSERT INTO meta VALUES (?, ?)", [("schema_version", "1"), ("tool_version", "0.0.9")])
    sha = "ab" * 32
    con.execute("INSERT INTO targets (id, sha256, path, kind, size, tool_version, scanned_at) "
                "VALUES (1, ?, ?, 'apk', 10, '0.0.9', '2026-01-01T00:00:00+00:00')", (sha, str(corpus["dup"])))
    con.execute("INSERT INTO findings (target_id, rule, severity, confidence, bind, port) "
                "VALUES (1, 'listener-all-interfaces', 'high', 'high', 'all-interfaces', 8080)")
    con.execute("INSERT INTO errors (target_id, path, message) VALUES (1, ?, 'classes2.dex: bad header')",
                (str(corpus["dup"]),))
    con.commit()
    con.close()
    return sha


def test_old_schema_is_migrated_in_place(corpus, tmp_path):
    db = tmp_path / "v1.sqlite"
    sha = _v1_store(db, corpus)
    with Store(str(db)) as s:
        assert s.migrated_from == 1
        assert s.schema_version() == SCHEMA_VERSION
        t = s.rows("SELECT * FROM targets")[0]
        assert (t["sha256"], t["status"], t["n_findings"]) == (sha, "partial", 1)
        assert s.rows("SELECT severity_rank FROM findings")[0]["severity_rank"] == 3
        assert s.rows("SELECT sha256, path FROM target_paths") == [{"sha256": sha, "path": str(corpus["dup"])}]
        assert s.rows("SELECT sha256, stage FROM errors") == [{"sha256": sha, "stage": "analyze"}]
        assert s.meta()["migrated_from"] == "1"
    # a migrated store takes new scans (and keeps the old app: same sha256 is skipped)
    st = scan_corpus([str(corpus["text"].parent / "bitflip.dex")], str(db), jobs=1)
    assert st.scanned == 1
    with Store(str(db), readonly=True) as s:
        assert s.rows("SELECT COUNT(*) AS n FROM targets")[0]["n"] == 2


def test_stats_refuse_to_migrate_read_only(corpus, tmp_path):
    db = tmp_path / "v1ro.sqlite"
    _v1_store(db, corpus)
    r = subprocess.run(PORTAUDIT + ["corpus", "stats", "--db", str(db)], capture_output=True, text=True,
                       cwd=str(ROOT))
    assert r.returncode == 2
    assert "schema version 1 is older" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_newer_schema_and_foreign_files_are_refused(tmp_path, corpus):
    newer = tmp_path / "newer.sqlite"
    with Store(str(newer)) as s:
        s.con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    before = newer.read_bytes()
    with pytest.raises(StoreError, match=r"schema version 99 .* reads up to version 2"):
        Store(str(newer))
    assert newer.read_bytes() == before  # untouched
    foreign = tmp_path / "foreign.sqlite"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE songs (title TEXT)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not a portaudit corpus store"):
        Store(str(foreign))
    garbage = tmp_path / "garbage.sqlite"
    shutil.copyfile(corpus["dup"], garbage)  # a real APK is not a database
    with pytest.raises(StoreError, match="not an SQLite database"):
        Store(str(garbage))
    for db in (newer, foreign, garbage):
        r = subprocess.run(PORTAUDIT + ["corpus", "scan", str(corpus["dup"]), "--db", str(db), "--no-progress"],
                           capture_output=True, text=True, cwd=str(ROOT))
        assert r.returncode == 2, r.stderr
        assert r.stderr.startswith(f"portaudit: {db}:") and "Traceback" not in r.stderr
    r = subprocess.run(PORTAUDIT + ["corpus", "stats", "--db", str(tmp_path / "none.sqlite")],
                       capture_output=True, text=True, cwd=str(ROOT))
    assert r.returncode == 2 and "no such store" in r.stderr


def _consistent(db: Path) -> None:
    with Store(str(db), readonly=True) as s:
        assert s.integrity_ok()
        assert s.rows("SELECT COUNT(*) AS n FROM targets t WHERE n_findings != "
                      "(SELECT COUNT(*) FROM findings f WHERE f.target_id = t.id)")[0]["n"] == 0
        assert s.rows("SELECT COUNT(*) AS n FROM targets t LEFT JOIN timings m ON m.target_id = t.id "
                      "WHERE m.target_id IS NULL")[0]["n"] == 0


def test_database_full_stops_cleanly_and_resumes(corpus, reference_store, tmp_path):
    db = tmp_path / "full.sqlite"
    r = subprocess.run(PORTAUDIT + ["corpus", "scan", str(corpus["root"]), "--db", str(db), "-j", "2",
                                    "--no-progress", "--max-db-pages", "40"],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=300)
    assert r.returncode == 2
    assert "database or disk is full" in r.stderr and "Traceback" not in r.stderr
    assert "free space and re-run to resume" in r.stderr
    _consistent(db)
    with Store(str(db), readonly=True) as s:
        stored = s.rows("SELECT COUNT(*) AS n FROM targets")[0]["n"]
    assert 0 < stored < len(dump(reference_store)["targets"])
    scan_corpus([str(corpus["root"])], str(db), jobs=2)
    assert dump(db) == dump(reference_store)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")
def test_real_full_disk_on_a_small_tmpfs(corpus, reference_store, tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", f"portaudit-{uuid.uuid4().hex[:6]}", str(mnt)],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"cannot mount a tmpfs as root: {r.stderr}"
    try:
        db = mnt / "results.sqlite"
        with pytest.raises(StoreError, match="database or disk is full"):
            scan_corpus([str(corpus["root"])], str(db), jobs=2)
        _consistent(db)
        saved = tmp_path / "saved.sqlite"
        with Store(str(db), readonly=True) as s:  # move the store to a roomy disk and resume
            s.con.execute("VACUUM INTO ?", (str(saved),))
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
    scan_corpus([str(corpus["root"])], str(saved), jobs=2)
    assert dump(saved) == dump(reference_store)


# -- the guarded worker ----------------------------------------------------------------------------
def _task(path: Path, kind: str) -> dict:
    return {"path": str(path), "kind": kind, "sha256": None, "size": path.stat().st_size, "mtime_ns": None}


def test_worker_memory_limit_is_set_and_stuck_or_dead_workers_are_replaced(corpus):
    opts = Options()
    w = GuardedWorker(options_to_config(opts, memory_mb=1536), name="t")
    try:
        big = corpus["root"] / "androguard" / "tests" / FB_DEX
        ok = w.run(_task(big, "dex"), hard_timeout=120)
        assert ok["findings"] and not ok["errors"]
        limits = Path(f"/proc/{w.proc.pid}/limits").read_text()
        line = next(ln for ln in limits.splitlines() if ln.startswith("Max address space"))
        assert str(1536 * 1024 * 1024) in line
        first_pid = w.proc.pid
        # a worker past the hard deadline is killed and the app recorded as timed out
        res = w.run(_task(corpus["root"] / "androguard" / "tests" / TVLEANBACK, "apk"), hard_timeout=0.001)
        assert res["errors"][0]["stage"] == "timeout" and "worker killed" in res["errors"][0]["message"]
        assert w.proc is None
        # a worker that dies (here: SIGKILL from outside, like the OOM killer) is reported and replaced
        def kill_soon():
            end = time.monotonic() + 30
            while w.proc is None and time.monotonic() < end:  # wait for the replacement child
                time.sleep(0.005)
            time.sleep(0.05)  # it is still importing or analysing: the DEX takes far longer
            w.proc.kill()

        killer = threading.Thread(target=kill_soon)
        killer.start()
        res = w.run(_task(big, "dex"), hard_timeout=120)
        killer.join()
        assert res["errors"] and "died with SIGKILL" in res["errors"][0]["message"]
        again = w.run(_task(big, "dex"), hard_timeout=120)
        assert again["findings"] == ok["findings"] and w.proc.pid != first_pid
    finally:
        w.stop()


def test_memory_limit_turns_a_big_app_into_an_error_row(corpus, tmp_path):
    """With a small address-space limit the big app fails with a MemoryError (recorded as an
    error row); the worker is replaced and the small app after it is still analysed."""
    db = tmp_path / "mem.sqlite"
    big = corpus["root"] / "androguard" / "tests" / TVLEANBACK
    st = scan_corpus([str(big), str(corpus["dup"])], str(db), jobs=1, memory_mb=48)
    assert st.scanned == 2
    with Store(str(db), readonly=True) as s:
        rows = {Path(r["path"]).name: r for r in s.rows(
            "SELECT t.path, t.status, e.stage, e.message FROM targets t LEFT JOIN errors e ON e.target_id = t.id")}
    assert rows[TVLEANBACK]["status"] == "error"
    assert rows[TVLEANBACK]["stage"] in ("memory", "worker"), rows
    assert "memory" in rows[TVLEANBACK]["message"] or "worker" in rows[TVLEANBACK]["message"]
    assert rows[corpus["dup"].name]["status"] == "ok"


def test_retry_errors_rescans_failed_apps_only(corpus, tmp_path):
    db = tmp_path / "retry.sqlite"
    big = corpus["root"] / "androguard" / "tests" / TVLEANBACK
    scan_corpus([str(big), str(corpus["dup"])], str(db), jobs=1, memory_mb=48)
    assert scan_corpus([str(big), str(corpus["dup"])], str(db), jobs=1).scanned == 0  # errors are stored too
    st = scan_corpus([str(big), str(corpus["dup"])], str(db), jobs=1, retry_errors=True)
    assert st.scanned == 1  # only the failed one
    with Store(str(db), readonly=True) as s:
        t = s.rows("SELECT * FROM targets WHERE path = ?", (str(big),))
        assert len(t) == 1 and t[0]["status"] == "ok" and t[0]["n_findings"] > 0
        assert s.rows("SELECT COUNT(*) AS n FROM errors")[0]["n"] == 0
        assert s.rows("SELECT COUNT(*) AS n FROM findings")[0]["n"] == t[0]["n_findings"]
        _ = s.integrity_ok()


def test_an_exception_while_storing_one_app_costs_only_that_app(tmp_path, monkeypatch):
    """Containment (issue 14): a bug while storing one app (simulated: the insert raises for one
    path) is that app's error row, stage "store"; the other apps are stored and the run ends normally."""
    root = Path(__file__).resolve().parents[2]
    apps = tmp_path / "apps"
    apps.mkdir()
    shutil.copy(root / "src" / "portaudit" / "samples" / "demo.apk", apps / "demo.apk")
    dexes = sorted((root / "tests" / "fixtures" / "android").rglob("*.dex"))[:3]
    for i, p in enumerate(dexes):
        shutil.copy(p, apps / f"f{i}.dex")
    real = Store.record

    def broken(self, result, *args, **kwargs):
        if result["path"].endswith("f1.dex"):
            raise TypeError("simulated storing bug")
        return real(self, result, *args, **kwargs)

    monkeypatch.setattr(Store, "record", broken)
    db = tmp_path / "c.sqlite"
    stats = scan_corpus([str(apps)], str(db), jobs=1, in_process=True)
    assert stats.errors >= 1
    with Store(str(db), readonly=True) as s:
        stored = {r["path"].rsplit("/", 1)[-1] for r in s.rows("SELECT path FROM targets")}
        errs = s.rows("SELECT path, stage, message FROM errors WHERE stage = 'store'")
    assert stored == {"demo.apk", "f0.dex", "f2.dex"}
    assert [(e["path"].rsplit("/", 1)[-1], e["message"]) for e in errs] == [
        ("f1.dex", "internal error while storing (TypeError: simulated storing bug); please report it")]
