"""Corpus scans: same store from every executor, real findings, bad inputs, resume after kill -9."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from portaudit.corpus.runner import scan_corpus
from portaudit.corpus.store import Store

from .conftest import FB_DEX, TVLEANBACK, dump

ROOT = Path(__file__).resolve().parents[2]
PORTAUDIT = [sys.executable, "-m", "portaudit"]


def _target(db, name_suffix: str) -> dict:
    with Store(str(db), readonly=True) as s:
        rows = s.rows("SELECT * FROM targets WHERE path LIKE ?", (f"%{name_suffix}",))
    assert len(rows) == 1, (name_suffix, rows)
    return rows[0]


def _findings(db, name_suffix: str) -> list[dict]:
    with Store(str(db), readonly=True) as s:
        return s.rows("SELECT f.* FROM findings f JOIN targets t ON t.id = f.target_id WHERE t.path LIKE ?",
                      (f"%{name_suffix}",))


def test_reference_store_has_real_findings_and_errors(corpus, reference_store):
    db = reference_store
    # the obfuscated Facebook Audience Network server socket in the androguard sample DEX
    fb = _findings(db, FB_DEX)
    assert any(f["api"] and "ServerSocket" in f["api"]
               and f["class"] and "com.facebook.ads" in f["class"].replace("/", ".") for f in fb), fb
    assert any(f["sdk"] == "Facebook Audience Network" for f in fb)
    # exoplayer's UDP socket in the TV sample
    tv = _findings(db, TVLEANBACK)
    assert any(f["transport"] == "udp" and f["class"] and "UdpDataSource" in f["class"] for f in tv), tv
    # the debuggable flag (a literal)
    for name in ("debuggable-boolean.apk",):
        assert any(f["rule"] == "debuggable-build" for f in _findings(db, name)), name
    # every project fixture that is a listener is found
    with Store(str(db), readonly=True) as s:
        fixture_listeners = s.rows("SELECT COUNT(DISTINCT t.id) AS n FROM targets t JOIN findings f "
                                   "ON f.target_id = t.id "
                                   "WHERE t.path LIKE '%/fixtures/%' AND f.bind IS NOT NULL")[0]["n"]
        assert fixture_listeners >= 10
        neg = s.rows("SELECT COUNT(*) AS n FROM findings f JOIN targets t ON t.id = f.target_id "
                     "WHERE t.path LIKE '%/neg_%' AND f.bind IS NOT NULL")[0]["n"]
        assert neg == 0
        # every app stored has its timings row and its findings count
        assert s.rows("SELECT COUNT(*) AS n FROM targets t LEFT JOIN timings m ON m.target_id = t.id "
                      "WHERE m.target_id IS NULL")[0]["n"] == 0
        assert s.rows("SELECT COUNT(*) AS n FROM targets t WHERE n_findings != "
                      "(SELECT COUNT(*) FROM findings f WHERE f.target_id = t.id)")[0]["n"] == 0
    # broken inputs: clear errors naming the problem, other apps still scanned
    assert _target(db, "bad/truncated.apk")["status"] in ("error", "partial")
    assert _target(db, "bad/bitflip.dex")["status"] == "error"
    with Store(str(db), readonly=True) as s:
        errs = {r["path"]: r for r in s.rows("SELECT * FROM errors WHERE target_id IS NULL")}
        assert errs[str(corpus["empty"])]["message"] == "empty file"
        assert "over the limit" in errs[str(corpus["huge"])]["message"]
        assert str(corpus["text"]) not in errs  # a directory walk ignores non-app files
        bitflip = s.rows("SELECT message FROM errors WHERE path = ?", (str(corpus["bitflip"]),))
        assert bitflip and "DEX" in bitflip[0]["message"]
        # a duplicate: scanned once, both paths recorded
        sha = _target(db, "androguard/tests/com.politedroid_4.apk")["sha256"]
        paths = {r["path"] for r in s.rows("SELECT path FROM target_paths WHERE sha256 = ?", (sha,))}
        assert paths == {str(corpus["dup_src"]), str(corpus["dup"])}
        assert s.rows("SELECT COUNT(*) AS n FROM targets WHERE sha256 = ?", (sha,))[0]["n"] == 1
        assert s.integrity_ok()


def test_sequential_pool_and_dask_give_identical_stores(corpus, reference_store, tmp_path):
    seq = tmp_path / "seq.sqlite"
    dsk = tmp_path / "dask.sqlite"
    s1 = scan_corpus([str(corpus["root"])], str(seq), in_process=True)
    s2 = scan_corpus([str(corpus["root"])], str(dsk), dask_local=2)
    assert s1.executor == "in-process" and "Dask LocalCluster" in s2.executor
    ref = dump(reference_store)
    assert ref["findings"], "the reference run found nothing"
    assert dump(seq) == ref
    assert dump(dsk) == ref
    # the Dask run really ran in other processes
    with Store(str(dsk), readonly=True) as s:
        workers = {r["worker"] for r in s.rows("SELECT worker FROM timings")}
    assert any(w and w.startswith("tcp://127.0.0.1") for w in workers), workers


def test_rerun_skips_everything_and_list_file_input(corpus, reference_store, tmp_path):
    db = tmp_path / "again.sqlite"
    first = scan_corpus([str(corpus["root"])], str(db), jobs=2)
    again = scan_corpus([str(corpus["root"])], str(db), jobs=2)
    assert first.scanned > 50 and again.scanned == 0
    assert again.skipped == first.scanned + first.skipped
    assert dump(db) == dump(reference_store)
    # a list file: one path a line, with a missing path and a non-app file
    lst = tmp_path / "apps.txt"
    missing = tmp_path / "gone.apk"
    lst.write_text(f"# corpus\n{corpus['dup']}\n{missing}\n{corpus['text']}\n\n")
    db2 = tmp_path / "list.sqlite"
    st = scan_corpus([str(lst)], str(db2), jobs=1)
    assert st.scanned == 1 and st.input_errors == 2
    with Store(str(db2), readonly=True) as s:
        errs = {r["path"]: r["message"] for r in s.rows("SELECT path, message FROM errors WHERE target_id IS NULL")}
    assert errs == {str(missing): "no such file or directory",
                    str(corpus["text"]): "not a recognised app, binary or source file"}


def _count(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return con.execute("SELECT COUNT(*) FROM targets").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def test_killed_run_resumes_to_the_same_store(corpus, reference_store, tmp_path):
    db = tmp_path / "killed.sqlite"
    total = len(dump(reference_store)["targets"])
    cmd = PORTAUDIT + ["corpus", "scan", str(corpus["root"]), "--db", str(db), "-j", "1", "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=str(ROOT))
    deadline = time.monotonic() + 120
    while _count(db) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the scan ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    at_kill = _count(db)
    assert 3 <= at_kill < total
    # what was committed is whole: every stored app has all its findings and its timings
    with Store(str(db), readonly=True) as s:
        assert s.integrity_ok()
        assert s.rows("SELECT COUNT(*) AS n FROM targets t WHERE n_findings != "
                      "(SELECT COUNT(*) FROM findings f WHERE f.target_id = t.id)")[0]["n"] == 0
        assert s.rows("SELECT COUNT(*) AS n FROM targets t LEFT JOIN timings m ON m.target_id = t.id "
                      "WHERE m.target_id IS NULL")[0]["n"] == 0
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=str(ROOT), timeout=300)
    assert done.returncode == 0, done.stderr
    assert "already stored or duplicate" in done.stderr
    assert dump(db) == dump(reference_store)


def test_soft_time_limit_is_an_error_row(corpus, tmp_path):
    from portaudit.options import Options

    opts = Options()
    opts.limits.timeout_seconds = 0.0005
    db = tmp_path / "slow.sqlite"
    big = corpus["root"] / "androguard" / "tests" / FB_DEX
    scan_corpus([str(big)], str(db), options=opts, jobs=1)
    with Store(str(db), readonly=True) as s:
        rows = s.rows("SELECT t.status, e.message FROM targets t JOIN errors e ON e.target_id = t.id")
    assert rows and rows[0]["status"] == "error"
    assert "time limit" in rows[0]["message"]


def test_cli_scan_outputs_and_exit_codes(corpus, tmp_path):
    db = tmp_path / "cli.sqlite"
    r = subprocess.run(PORTAUDIT + ["corpus", "scan", str(corpus["dup"]), "--db", str(db), "--no-progress"],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""  # diagnostics on stderr only
    assert "1 app(s) scanned" in r.stderr
    # the progress bar (forced on, stderr is a pipe here): apps/s, MB/s, ETA, errors so far
    r = subprocess.run(PORTAUDIT + ["corpus", "scan", str(corpus["bitflip"]), str(corpus["empty"]), "--db",
                                    str(tmp_path / "bar.sqlite"), "--progress", "-j", "1"],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 0, r.stderr
    bar = r.stderr.splitlines()[0]
    for part in ("2/2", "apps/s", "MB/s", "ETA", "2 errors"):
        assert part in bar, (part, r.stderr)
    r = subprocess.run(PORTAUDIT + ["corpus", "scan", str(corpus["dup"]), "--db", str(db), "--dask-local", "2",
                                    "--in-process"], capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 2 and "choose one of" in r.stderr and "Traceback" not in r.stderr


def test_existing_dask_scheduler(corpus, reference_store, tmp_path):
    """--scheduler tcp://... runs on a cluster started elsewhere (here: a LocalCluster with its own
    worker processes) and stores the same rows as the local pool."""
    from distributed import LocalCluster

    apps = [corpus["root"] / "androguard" / "tests" / FB_DEX, corpus["dup"], corpus["bitflip"]]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        db = tmp_path / "sched.sqlite"
        r = subprocess.run(PORTAUDIT + ["corpus", "scan", *map(str, apps), "--db", str(db), "--no-progress",
                                        "--scheduler", cluster.scheduler_address],
                           capture_output=True, text=True, cwd=str(ROOT), timeout=300)
    assert r.returncode == 0, r.stderr
    assert f"Dask scheduler {cluster.scheduler_address}" in r.stderr
    got, ref = dump(db), dump(reference_store)
    shas = {t[0] for t in got["targets"]}
    assert len(shas) == 3
    assert got["findings"] and got["findings"] == [f for f in ref["findings"] if f[0] in shas]

    def drop_path(rows):
        return [t[:1] + t[2:] for t in rows]

    assert drop_path(got["targets"]) == drop_path([t for t in ref["targets"] if t[0] in shas])


def test_unreachable_scheduler_is_one_clear_line(corpus, tmp_path):
    import socket

    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path / "nosched.sqlite"
    r = subprocess.run(PORTAUDIT + ["corpus", "scan", str(corpus["dup"]), "--db", str(db), "--no-progress",
                                    "--scheduler", f"tcp://127.0.0.1:{port}"],
                       capture_output=True, text=True, cwd=str(ROOT), timeout=120)
    assert r.returncode == 2
    assert r.stderr.startswith(f"portaudit: cannot connect to tcp://127.0.0.1:{port}")
    assert "Traceback" not in r.stderr
