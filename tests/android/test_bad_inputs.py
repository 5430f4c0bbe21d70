"""A hostile corpus derived from real files, scanned beside good ones: never a traceback,
one clear error per bad file, every good file still fully scanned."""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from portaudit.scan import run

from .conftest import FIXTURES, central_directory, entries_of, rezip

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / ".venv" / "bin" / "portaudit"


def _dex(apk: Path, name: str = "classes.dex") -> bytes:
    return dict(entries_of(apk))[name]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, hello_apk: Path, examples: Path) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("corpus")
    good = FIXTURES / "resdebug.apk"
    real = good.read_bytes()
    c: dict[str, Path] = {}

    def put(name: str, data: bytes) -> None:
        c[name] = d / name
        c[name].write_bytes(data)

    put("good.apk", real)
    put("truncated.apk", real[: len(real) // 3])
    rng = random.Random(99)
    # bit flips inside the central directory and the stored DEX: damage the structure itself
    b = bytearray(real)
    cd = central_directory(real)
    for _ in range(40):
        b[rng.randrange(cd[0]["pos"], len(b) - 22)] ^= 0xFF
    put("bitflip.apk", bytes(b))
    put("empty.apk", b"")
    # header of a real DEX damaged, beside a good classes.dex
    bad_dex = bytearray(_dex(good))
    bad_dex[0:4] = b"dey\n"
    put("baddex.apk", rezip([(n, v) for n, v in entries_of(good)] + [("classes2.dex", bytes(bad_dex))]))
    # a real DEX with a valid magic but truncated (out-of-range offsets): the DEX engine reports it
    put("truncdex.apk", rezip([(n, v) for n, v in entries_of(good)] + [("classes2.dex", _dex(good)[:200])]))
    # garbage manifest (bit flips in the string pool and chunk headers), DEX intact
    man = bytearray(dict(entries_of(good))["AndroidManifest.xml"])
    for i in range(8, len(man), 3):
        man[i] ^= 0xA5
    put("garbage-manifest.apk", rezip([(n, bytes(man) if n == "AndroidManifest.xml" else v)
                                       for n, v in entries_of(good)]))
    # tampered local header (method 99, sizes zero) on a real APK: Android still installs it
    t = bytearray(real)
    rec = next(r for r in cd if r["name"] == "classes.dex")
    struct.pack_into("<HHHIII", t, rec["lh"] + 8, 99, 0, 0, 0, 0, 0)
    put("tampered.apk", bytes(t))
    put("traversal.apk", rezip([("AndroidManifest.xml", dict(entries_of(good))["AndroidManifest.xml"]),
                                ("../../classes.dex", _dex(good))]))
    put("dup.apk", rezip([("classes.dex", _dex(hello_apk)), ("classes.dex", _dex(good))]))
    # zip bomb: 200 MiB of zeros deflated (about 200 KiB) next to nothing else
    with zipfile.ZipFile(d / "bomb.apk", "w", zipfile.ZIP_DEFLATED) as zf, zf.open("classes.dex", "w") as fh:
        for _ in range(200):
            fh.write(bytes(1 << 20))
    c["bomb.apk"] = d / "bomb.apk"
    # a jar with classes but no DEX (a plain Java archive)
    put("plain.jar", rezip([("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n\r\n"),
                            ("x/Y.class", _dex(good)[:64])]))
    # unreadable even for root: a dangling symlink and a link to a file whose read fails (EIO)
    os.symlink(d / "does-not-exist.apk", d / "dangling.apk")
    c["dangling.apk"] = d / "dangling.apk"
    os.symlink("/proc/self/mem", d / "unreadable.apk")
    c["unreadable.apk"] = d / "unreadable.apk"
    return c


EXPECT_ERROR = {
    "truncated.apk": "",
    "bitflip.apk": "",
    "empty.apk": "empty file",
    "baddex.apk": "classes2.dex: not a DEX file",
    "truncdex.apk": "classes2.dex",
    "garbage-manifest.apk": "AndroidManifest.xml",
    "bomb.apk": "classes.dex: compression ratio",
    "plain.jar": "no classes*.dex",
    "dangling.apk": "",
    "unreadable.apk": "cannot read",
}
CLEAN = ["good.apk", "tampered.apk", "traversal.apk", "dup.apk"]


def test_scan_run_reports_each_bad_file_and_scans_the_good(corpus: dict[str, Path]):
    report = run([str(p) for p in corpus.values()])
    by_name = {Path(t.path).name: t for t in report.targets}
    assert set(by_name) == set(corpus)
    for name, needle in EXPECT_ERROR.items():
        t = by_name[name]
        assert t.errors, name
        assert any(needle in e for e in t.errors), (name, t.errors)
        assert not any("internal error" in e or "Traceback" in e for e in t.errors), (name, t.errors)
    for name in CLEAN:
        assert by_name[name].errors == [], (name, by_name[name].errors)
    facts = {Path(f.target.path).name: f for f in report.facts}
    # the good file and the evasions are fully scanned: the listener in Server.start() is found
    for name in ["good.apk", "tampered.apk", "traversal.apk", "dup.apk", "baddex.apk", "truncdex.apk",
                 "garbage-manifest.apk"]:
        ports = [(li.port, li.bind.value) for li in facts[name].listeners]
        assert (8080, "all-interfaces") in ports, (name, ports)
    assert facts["good.apk"].app.debuggable is True
    assert any("local header disagrees" in n for n in by_name["tampered.apk"].notes)
    assert any("never used as a path" in n for n in by_name["traversal.apk"].notes)
    assert any("duplicate entry name" in n for n in by_name["dup.apk"].notes)


def test_cli_one_line_per_bad_file(corpus: dict[str, Path]):
    bad = [str(corpus[n]) for n in EXPECT_ERROR]
    r = subprocess.run([str(CLI), "scan", *bad, str(corpus["good.apk"]), "--format", "json"],
                       capture_output=True, text=True, timeout=300, check=False)
    assert "Traceback" not in r.stderr
    assert r.returncode == 2  # README "Exit codes": inputs that could not be analysed (the good APK still scanned)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    for name in EXPECT_ERROR:
        mine = [ln for ln in lines if ln.startswith(f"portaudit: {corpus[name]}: ")]
        assert len(mine) == 1, (name, lines)
    assert not [ln for ln in lines if str(corpus["good.apk"]) in ln]
    out = json.loads(r.stdout)
    targets = {Path(t["path"]).name: t for t in out["targets"]}
    assert targets["good.apk"]["errors"] == []
    assert all(targets[n]["errors"] for n in EXPECT_ERROR)
    assert any(f["target"].endswith("good.apk") and f.get("listener", {}).get("port") == 8080
               for f in out["findings"])


def test_cli_all_bad_exits_2(corpus: dict[str, Path]):
    r = subprocess.run([str(CLI), "scan", str(corpus["empty.apk"]), str(corpus["bomb.apk"]), "--format", "json"],
                       capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    err = r.stderr.splitlines()
    assert any("empty.apk: empty file" in ln for ln in err), err
    assert any("bomb.apk: classes.dex: compression ratio over 200:1" in ln for ln in err), err


@pytest.mark.parametrize("kind", ["apk", "aab", "apks", "xapk"])
def test_end_to_end_every_container_kind(kind: str):
    path = FIXTURES / f"resdebug.{kind}"
    report = run([str(path)])
    (t,) = report.targets
    assert t.kind == kind and t.errors == []
    (facts,) = report.facts
    assert facts.app.package == "com.example.portaudit.resdebug"
    assert facts.app.debuggable is True and facts.app.debuggable_source == "resource"
    prefix = {"apk": "", "aab": "base/dex/", "apks": "splits/base-master.apk!",
              "xapk": "com.example.portaudit.resdebug.apk!"}[kind]
    listeners = [(li.location.file, li.location.class_, li.port) for li in facts.listeners]
    assert listeners == [(f"{prefix}classes.dex", "com.example.portaudit.Server", 8080)]
    rules = sorted(f.rule for f in report.findings)
    assert "debuggable-build" in rules and "listener-all-interfaces" in rules


def test_bare_dex_and_jar(tmp_path: Path, multidex_apk: Path):
    dex = tmp_path / "classes.dex"
    dex.write_bytes(_dex(FIXTURES / "resdebug.apk"))
    jar = tmp_path / "lib.jar"
    jar.write_bytes(rezip([("classes.dex", _dex(multidex_apk)), ("classes2.dex", dex.read_bytes())]))
    report = run([str(dex), str(jar)])
    for t in report.targets:
        assert t.errors == [], t.errors
    facts = {Path(f.target.path).name: f for f in report.facts}
    assert [li.port for li in facts["classes.dex"].listeners] == [8080]
    assert [li.location.file for li in facts["lib.jar"].listeners] == ["classes2.dex"]
    assert facts["lib.jar"].stats["dex_count"] == 2


def test_java_class_jar_is_a_clear_error(examples: Path):
    jar = examples / "obfu" / "classes_tc.jar"
    with zipfile.ZipFile(jar) as zf:
        n = sum(1 for i in zf.namelist() if i.endswith(".class"))
    report = run([str(jar)])
    (t,) = report.targets
    assert t.errors == [f"no classes*.dex in this jar: it holds {n} Java .class files, "
                        "and only DEX bytecode is analysed"]
