"""Issue 14, second round: one odd string or name must never lose the whole run.

Each hostile input is built here by a real tool (smali for a DEX string, Python's zipfile and the
file system for names and folders) and scanned through the real command beside the good demo APK,
in one run writing console, JSON, SARIF and HTML: no traceback, every file valid UTF-8, no raw
control character where a terminal or a log line would obey it, one stderr line per error, the good
APK's findings identical to a solo scan, and the hidden listener found where there is one.
The same inputs go through corpus mode, with a kill and a resume.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from .helpers import ROOT

DEMO_APK = ROOT / "src" / "portaudit" / "samples" / "demo.apk"
ELF = ROOT / "tests" / "fixtures" / "native" / "bin" / "libserver_arm64_O0.so"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what a terminal obeys (tab, newline allowed)

# A lone surrogate is legal in a DEX string (MUTF-8); ESC ] ... BEL would set the terminal's title.
SMALI = r""".class public Lorg/hostile/Srv;
.super Ljava/lang/Object;

.method public static start()V
    .registers 4
    const-string v0, "host\ud800name\u001b]0;pwned\u0007"
    invoke-static {v0}, Ljava/net/InetAddress;->getByName(Ljava/lang/String;)Ljava/net/InetAddress;
    move-result-object v0
    new-instance v1, Ljava/net/ServerSocket;
    const/16 v2, 0x1f90
    const/16 v3, 0x32
    invoke-direct {v1, v2, v3, v0}, Ljava/net/ServerSocket;-><init>(IILjava/net/InetAddress;)V
    return-void
.end method
"""
# what the address shows as on a terminal and in HTML (formats/text.py): \uXXXX for the surrogate,
# \xNN for the controls; JSON keeps the controls as JSON escapes (data), the surrogate as \uXXXX text
SHOWN_ADDRESS = "host\\ud800name\\x1b]0;pwned\\x07"
JSON_ADDRESS = "host\\ud800name\x1b]0;pwned\x07"

JAVA = """package org.hostile;

import java.net.ServerSocket;

public class Weird {
    void open() throws Exception {
        ServerSocket s = new ServerSocket(%d);
    }
}
"""


def _smali_dex(tmp: Path) -> Path:
    src = tmp / "smali" / "org" / "hostile"
    src.mkdir(parents=True)
    (src / "Srv.smali").write_text(SMALI)
    out = tmp / "surrogate.dex"
    subprocess.run(["smali", "a", "--api", "21", "-o", str(out), str(tmp / "smali")], check=True)
    return out


def _bad_names_tree(tmp: Path) -> Path:
    tree = tmp / "tree"
    tree.mkdir()
    # a file name that is not UTF-8 (byte 0xff) and one with an OSC title sequence and a newline
    (tree / os.fsdecode(b"B\xff.java")).write_text(JAVA % 7777)
    (tree / "x\x1b]0;t\x07\nportaudit: forged.java").write_text(JAVA % 7778)
    return tree


def _entry_names_apk(tmp: Path) -> Path:
    """The demo APK plus entries whose names hold a newline and ESC sequences (a truncated real ELF and
    a truncated DEX header, so each gives an error that names the entry)."""
    out = tmp / "entries.apk"
    with zipfile.ZipFile(DEMO_APK) as zi, zipfile.ZipFile(out, "w") as zo:
        dex_head = zi.read("classes.dex")[:28]  # before writestr(info) moves each info's header offset
        for info in zi.infolist():
            zo.writestr(info, zi.read(info))
        zo.writestr("lib/arm64-v8a/libx\nportaudit: other.apk: forged error\x1b[2J.so", ELF.read_bytes()[:200])
        zo.writestr("classes2\nportaudit: forged.dex", dex_head)
    return out


def _deep(tmp: Path, depth: int = 1000) -> list[Path]:
    """Folders ``depth`` levels deep with the demo APK at the bottom, made one level at a time
    (pathlib's and os's recursive makedirs would hit Python's recursion limit themselves)."""
    folders = [tmp / "deep"]
    folders[0].mkdir()
    for _ in range(depth):
        folders.append(folders[-1] / "d")
        folders[-1].mkdir()
    shutil.copy(DEMO_APK, folders[-1] / "deep.apk")
    return folders


def _remove(folders: list[Path]) -> None:
    (folders[-1] / "deep.apk").unlink()
    for d in reversed(folders):
        d.rmdir()


def _run(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), COLUMNS="100")
    return subprocess.run([sys.executable, "-m", "portaudit", *map(str, args)], capture_output=True, cwd=cwd,
                          env=env, timeout=600)


def _four_formats(tmp: Path, *paths, extra: tuple = ()) -> dict:
    """One scan writing console (stdout), JSON, SARIF and HTML; every output checked as text."""
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    files = {fmt: out / f"r.{fmt}" for fmt in ("json", "sarif", "html")}
    proc = _run("scan", *paths, "--no-config", "--root", tmp, *extra,
                *[a for fmt, p in files.items() for a in ("-o", f"{fmt}:{p}")], cwd=tmp)
    stderr = proc.stderr.decode("utf-8")  # strict: raises if not UTF-8
    assert "Traceback" not in stderr and proc.returncode != 3, stderr
    console = proc.stdout.decode("utf-8")
    assert not RAW_CONTROL.search(console), RAW_CONTROL.search(console)
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert all(ln.startswith("portaudit: ") and not RAW_CONTROL.search(ln) for ln in lines), lines
    texts = {fmt: p.read_bytes().decode("utf-8") for fmt, p in files.items()}  # strict UTF-8
    assert not RAW_CONTROL.search(texts["html"])
    data, sarif = json.loads(texts["json"]), json.loads(texts["sarif"])
    return {"code": proc.returncode, "stderr": lines, "console": console, "json": data, "sarif": sarif,
            "html": texts["html"]}


def _good_apk_findings(data: dict, apk: str = "good.apk") -> list:
    return sorted(json.dumps({k: v for k, v in f.items() if k != "target"}, sort_keys=True)
                  for f in data["findings"] if f["target"] == apk)


@pytest.fixture
def good(tmp_path) -> tuple[Path, list]:
    """The good APK and its findings scanned alone (the oracle for 'identical to a solo scan')."""
    apk = tmp_path / "good.apk"
    shutil.copy(DEMO_APK, apk)
    solo = _four_formats(tmp_path, apk)
    findings = _good_apk_findings(solo["json"])
    assert findings and solo["code"] == 1
    return apk, findings


def test_dex_string_with_a_lone_surrogate_and_escape_sequences(tmp_path, good):
    apk, solo = good
    dex = _smali_dex(tmp_path)
    run = _four_formats(tmp_path, dex, apk)
    assert _good_apk_findings(run["json"]) == solo
    (hidden,) = [f for f in run["json"]["findings"] if f["target"] == "surrogate.dex" and f.get("listener")]
    assert hidden["listener"]["address"] == JSON_ADDRESS and hidden["listener"]["port"] == 8080  # smali: 0x1f90
    assert SHOWN_ADDRESS in run["console"] and SHOWN_ADDRESS in run["html"]
    assert any(JSON_ADDRESS in r["message"]["text"] for r in run["sarif"]["runs"][0]["results"])


def test_file_names_that_are_not_utf8_or_hold_control_characters(tmp_path, good):
    apk, solo = good
    tree = _bad_names_tree(tmp_path)
    run = _four_formats(tmp_path, tree, apk)
    assert _good_apk_findings(run["json"]) == solo
    files = {f["location"]["file"]: f for f in run["json"]["findings"] if f["target"] == "tree"}
    # the byte 0xff is shown as \xff, never dropped; JSON carries the other name's ESC, BEL and newline
    # as JSON escapes (data), the console and HTML show them escaped
    assert set(files) == {"tree/B\\xff.java", "tree/x\x1b]0;t\x07\nportaudit: forged.java"}
    assert {f["listener"]["port"] for f in files.values()} == {7777, 7778}  # JAVA above
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["sarif"]["runs"][0]["results"] if r["properties"]["target"] == "tree"}
    # SARIF: relative and percent-encoded byte by byte (the 0xff byte is %FF), no file:/// path
    assert uris == {"tree/B%FF.java", "tree/x%1B%5D0%3Bt%07%0Aportaudit%3A%20forged.java"}
    assert "file://" not in json.dumps(run["sarif"])
    for shown in ("tree/B\\xff.java", "tree/x\\x1b]0;t\\x07\\nportaudit: forged.java"):
        assert shown in run["console"] and shown in run["html"]


def test_zip_entry_names_cannot_forge_error_lines(tmp_path, good):
    apk, solo = good
    hostile = _entry_names_apk(tmp_path)
    run = _four_formats(tmp_path, hostile, apk)
    assert _good_apk_findings(run["json"]) == solo
    (target,) = [t for t in run["json"]["targets"] if t["path"] == "entries.apk"]
    assert len(target["errors"]) == 2
    # one stderr line per error, each naming entries.apk: the newline in a name forges nothing
    assert len(run["stderr"]) == 2 and all(ln.startswith("portaudit: entries.apk: ") for ln in run["stderr"])
    assert all("\\nportaudit: " in ln for ln in run["stderr"])
    # the APK's own listeners are still found beside the broken entries
    assert {f["rule"] for f in run["json"]["findings"] if f["target"] == "entries.apk"} >= {"listener-all-interfaces"}


def test_folders_a_thousand_deep(tmp_path, good):
    apk, solo = good
    folders = _deep(tmp_path)
    try:
        run = _four_formats(tmp_path, folders[0], apk)
        assert _good_apk_findings(run["json"]) == solo
        assert any("levels deep not searched (--limit max_walk_depth)" in ln for ln in run["stderr"])
        # any depth when the limit allows it: the walk is iterative
        run = _four_formats(tmp_path, folders[0], apk, extra=("--limit", "max_walk_depth=2000"))
        assert any(f["target"].endswith("/deep.apk") for f in run["json"]["findings"])
        assert _good_apk_findings(run["json"]) == solo
    finally:
        _remove(folders)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "1e400"])
def test_limit_rejects_nan_inf_and_negatives(tmp_path, value):
    """`--limit max_ratio=nan` used to switch the zip-bomb ratio check off (nan compares false)."""
    proc = _run("scan", DEMO_APK, "--limit", f"max_ratio={value}", cwd=tmp_path)
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert b"--limit" in proc.stderr and (b"finite" in proc.stderr or b"negative" in proc.stderr)


# -- corpus mode -----------------------------------------------------------------------------------

def _corpus_inputs(tmp: Path) -> Path:
    apps = tmp / "apps"
    apps.mkdir()
    shutil.copy(_smali_dex(tmp), apps / "surrogate.dex")
    shutil.copy(_entry_names_apk(tmp), apps / "entries.apk")
    shutil.copy(DEMO_APK, apps / os.fsdecode(b"demo-\xff.apk"))
    fixtures = sorted((ROOT / "tests" / "fixtures" / "android").rglob("*.dex"))[:25]  # enough to be killed midway
    for i, p in enumerate(fixtures):
        shutil.copy(p, apps / f"f{i:02d}-{p.name}")
    return apps


def _rows(db: Path) -> dict:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return {"targets": con.execute("SELECT sha256, path, status, n_findings FROM targets "
                                       "ORDER BY sha256").fetchall(),
                "findings": con.execute("SELECT t.sha256, f.rule, f.address, f.fingerprint FROM findings f "
                                        "JOIN targets t ON t.id = f.target_id "
                                        "ORDER BY t.sha256, f.rule, f.fingerprint").fetchall(),
                "paths": con.execute("SELECT path FROM target_paths ORDER BY path").fetchall()}
    finally:
        con.close()


def _count(db: Path) -> int:
    try:
        return len(_rows(db)["targets"])
    except sqlite3.Error:
        return 0


def test_corpus_mode_with_hostile_strings_killed_and_resumed(tmp_path):
    apps = _corpus_inputs(tmp_path)
    ref = tmp_path / "ref.sqlite"
    proc = _run("corpus", "scan", apps, "--db", ref, "-j", "1", "--no-progress", cwd=tmp_path)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    rows = _rows(ref)
    paths = [p for (p,) in rows["paths"]]
    assert any(p.endswith("demo-\\xff.apk") for p in paths)  # the non-UTF-8 name, escaped, not dropped
    assert JSON_ADDRESS in {a for _, _, a, _ in rows["findings"]}  # the lone surrogate, escaped
    # killed midway, then resumed: the same store
    db = tmp_path / "killed.sqlite"
    cmd = [sys.executable, "-m", "portaudit", "corpus", "scan", str(apps), "--db", str(db), "-j", "1", "--no-progress"]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    killed = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path, env=env)
    deadline = time.monotonic() + 120
    while _count(db) < 3 and killed.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert killed.poll() is None, "the scan ended before it could be killed"
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    assert 3 <= _count(db) < len(rows["targets"])
    resumed = subprocess.run(cmd, capture_output=True, cwd=tmp_path, env=env, timeout=600)
    assert resumed.returncode == 0 and b"Traceback" not in resumed.stderr, resumed.stderr
    again = _rows(db)
    assert again["targets"] == rows["targets"] and again["findings"] == rows["findings"]
    # a second resume has nothing left to do (the escaped names match what is stored)
    third = subprocess.run(cmd, capture_output=True, cwd=tmp_path, env=env, timeout=600)
    assert third.returncode == 0 and b"0 app(s) scanned" in third.stderr, third.stderr
