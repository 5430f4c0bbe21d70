"""A test corpus: a subset of the Debian androguard examples, the project's Android fixtures, and
bad inputs derived from real files (truncated, bit-flipped, empty, huge sparse, a text file, a
duplicate under a second name)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "android"

# androguard example subsets (relative to examples/)
SUBSETS = ["tests", "obfu", "android/Invalid"]
SINGLE = ["signing/apksig/debuggable-boolean.apk", "signing/apksig/debuggable-resource.apk",
          "signing/apksig/empty-unsigned.apk", "signing/apksig/v3-only-empty.apk"]
APP_SUFFIXES = (".apk", ".dex", ".jar")

FB_DEX = "dc4b1bb9d58daa82f29e60f79d5662f731a3351f.37.dex"
TVLEANBACK = "com.example.android.tvleanback.apk"


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def build_corpus(examples: Path, out: Path) -> dict[str, Path]:
    """Lay the corpus out under ``out``; returns notable paths."""
    for sub in SUBSETS:
        for p in sorted((examples / sub).rglob("*")):
            if p.is_file() and p.suffix.lower() in APP_SUFFIXES:
                _copy(p, out / "androguard" / p.relative_to(examples))
    for rel in SINGLE:
        _copy(examples / rel, out / "androguard" / rel)
    n_fix = 0
    if FIXTURES.is_dir():
        for p in sorted(FIXTURES.rglob("*")):
            if p.is_file() and p.suffix.lower() in (".apk", ".dex"):
                _copy(p, out / "fixtures" / p.relative_to(FIXTURES))
                n_fix += 1
    bad = out / "bad"
    bad.mkdir(parents=True)
    src_apk = examples / "tests" / "com.politedroid_4.apk"
    data = src_apk.read_bytes()
    (bad / "truncated.apk").write_bytes(data[: len(data) // 3])  # cut through the zip
    dex = bytearray((examples / "tests" / "Test.dex").read_bytes())
    for off in range(32, 112, 4):  # flip bits in the header's size / offset table
        dex[off] ^= 0x5A
    (bad / "bitflip.dex").write_bytes(bytes(dex))
    (bad / "empty.apk").write_bytes(b"")
    (bad / "notes.txt").write_text("not an app\n")  # a non-app file: a directory walk ignores it
    huge = bad / "huge.apk"  # a real APK extended (sparse) past the 2 GiB input limit
    shutil.copyfile(src_apk, huge)
    with open(huge, "r+b") as fh:
        fh.truncate(2 * 1024**3 + 4096)
    dup = out / "dups" / "copy-of-politedroid.apk"  # same sha256 under a second path
    _copy(src_apk, dup)
    return {"root": out, "dup": dup, "dup_src": out / "androguard" / "tests" / "com.politedroid_4.apk",
            "huge": huge, "truncated": bad / "truncated.apk", "bitflip": bad / "bitflip.dex",
            "empty": bad / "empty.apk", "text": bad / "notes.txt", "n_fixtures": n_fix}


@pytest.fixture(scope="session")
def corpus(androguard_examples, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("corpus")
    return build_corpus(androguard_examples, out / "apps")


@pytest.fixture(scope="session")
def reference_store(corpus, tmp_path_factory) -> Path:
    """The corpus scanned once with the default local pool (2 workers)."""
    from portaudit.corpus.runner import scan_corpus

    db = tmp_path_factory.mktemp("ref") / "ref.sqlite"
    scan_corpus([str(corpus["root"])], str(db), jobs=2)
    return db


# -- comparing stores ------------------------------------------------------------------------------
def dump(db: Path | str) -> dict[str, list[tuple]]:
    """Store content without run-dependent columns (ids, timings, timestamps)."""
    con = sqlite3.connect(f"file:{os.path.abspath(db)}?mode=ro", uri=True)
    try:
        out = {
            "targets": con.execute(
                "SELECT sha256, path, kind, size, package, version, version_code, tool_version, status, "
                "n_findings FROM targets ORDER BY sha256").fetchall(),
            "paths": con.execute("SELECT sha256, path, size FROM target_paths ORDER BY sha256, path").fetchall(),
            "findings": con.execute(
                'SELECT t.sha256, f.rule, f.severity, f.confidence, f.bind, f.api, f.port, f.transport, f.sdk, '
                'f.origin_kind, f.class, f.method, f.file, f.line, f."column", f."offset", f.fingerprint, '
                'f.message, f.address, f.evidence, f.maswe, f.cwe FROM findings f JOIN targets t '
                'ON t.id = f.target_id ORDER BY t.sha256, f.id').fetchall(),
            "errors": con.execute(
                "SELECT e.sha256, e.path, e.stage, e.message FROM errors e ORDER BY e.path, e.stage, e.message"
            ).fetchall(),
            "timings": con.execute("SELECT COUNT(*) FROM timings").fetchall(),
        }
    finally:
        con.close()
    return out
