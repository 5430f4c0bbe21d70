"""Archives nested anywhere in an APK (issue 14): scanned as child targets within the limits.

Every input is built here with zipfile from real files: the demo APK (the good app), DEX files of
the fixtures built by javac + dx (tests/fixtures/android/<case>/classes.dex, whose expected.json
is the oracle of their listeners) and a native library built by clang (tests/fixtures/native).
Each hostile APK is the demo APK plus a hidden archive; all are scanned together with the demo APK
through the CLI, in every format.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from portaudit.inputs.android import analyze
from portaudit.model import Target
from portaudit.options import Limits, Options

from ..native import cli
from ..native.expected import SERVER

ROOT = Path(__file__).resolve().parents[2]
FX = ROOT / "tests" / "fixtures" / "android"
# tests/fixtures/android/ss_port/expected.json: new ServerSocket(8080) in fx.ss_port.Server.start
HIDDEN = (FX / "ss_port" / "classes.dex").read_bytes()
HIDDEN_KEY = ("all-interfaces", None, 8080, "fx.ss_port.Server")
# tests/fixtures/android/ss_addr_127/expected.json: ServerSocket(8085, 50, 127.0.0.1) in fx.ss_addr_127.Server
DEEP = (FX / "ss_addr_127" / "classes.dex").read_bytes()
DEEP_KEY = ("loopback", "127.0.0.1", 8085, "fx.ss_addr_127.Server")
# tests/native/expected.py: what tests/fixtures/native/src/server.c binds, function by function
LIB = (ROOT / "tests" / "fixtures" / "native" / "bin" / "libserver_arm64_O2.so").read_bytes()
LIB_KEYS = [(bind.value, address, port, None) for _api, _t, bind, address, port in SERVER.values()]


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in entries.items():
            z.writestr(zipfile.ZipInfo(name, (1981, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def _nest(dex: bytes, names: list[str]) -> bytes:
    """zip{names[0]: zip{names[1]: ... zip{classes.dex}}}"""
    data = _zip({"classes.dex": dex})
    for name in reversed(names):
        data = _zip({name: data})
    return data


def _demo_plus(extra: dict[str, bytes]) -> bytes:
    """The demo APK's own entries, plus ``extra``."""
    src = zipfile.ZipFile(cli.DEMO_APK)
    return _zip({**{i.filename: src.read(i.filename) for i in src.infolist()}, **extra})


def _child_apk() -> bytes:
    """A real fixture APK (package fx.netmanifest, its AndroidManifest.xml) carrying the hidden DEX."""
    src = zipfile.ZipFile(FX / "apk_network_manifest" / "app.apk")
    entries = {i.filename: src.read(i.filename) for i in src.infolist()}
    entries["classes.dex"] = HIDDEN
    return _zip(entries)


def _bomb_zip() -> bytes:
    """The hidden DEX beside a DEX-named run of zeros that inflates past the 200:1 ratio limit."""
    return _zip({"classes.dex": HIDDEN, "classes2.dex": b"dex\n035\0" + bytes(64 * 1024 * 1024)})


CASES = {
    # name: (extra entries of the demo APK, listener keys that must be found, words of a note)
    "jar-in-zip-in-assets": ({"assets/plugin.zip": _zip({"payload.jar": _zip({"classes.dex": HIDDEN})})},
                             [HIDDEN_KEY],
                             "assets/plugin.zip!payload.jar: JAR found inside assets/plugin.zip"),
    "zip-by-magic-in-res-raw": ({"res/raw/update.bin": _zip({"classes.dex": DEEP})},
                                [DEEP_KEY], "res/raw/update.bin: ZIP found in res/raw/, scanned as a child"),
    "renamed-dex-in-assets": ({"assets/blob.dat": HIDDEN}, [HIDDEN_KEY],
                              "assets/blob.dat: a DEX file without the .dex name (scanned)"),
    "apk-in-assets": ({"assets/child.apk": _child_apk()}, [HIDDEN_KEY], "package fx.netmanifest"),
    "aar-native-in-assets": ({"assets/lib.aar": _zip({"jni/arm64-v8a/libserver.so": LIB})}, LIB_KEYS,
                             "assets/lib.aar: AAR found in assets/, scanned as a child target (0 DEX, "
                             "1 native library)"),
    # a(1) b(2) c(3) d(4): one level past the default max_depth of 3
    "too-deep": ({"assets/a.zip": _nest(HIDDEN, ["b.zip", "c.zip", "d.zip"])},
                 [], "assets/a.zip!b.zip!c.zip!d.zip: archive inside assets/a.zip!b.zip!c.zip not scanned: "
                     "archives nested deeper than 3 levels"),
    "bomb-beside-a-dex": ({"assets/bomb.zip": _bomb_zip()}, [HIDDEN_KEY],
                          "assets/bomb.zip!classes2.dex: compression ratio over 200:1 (zip bomb?); "
                          "not scanned"),
}


def _keys(report: dict, target: Path) -> set[tuple]:
    out = set()
    for f in report["findings"]:
        if cli.same_path(f["target"], target) and f.get("listener"):
            lis, loc = f["listener"], f["location"]
            out.add((lis["bind"], lis["address"], lis["port"], loc.get("class")))
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("nested")
    apks = {}
    for name, (extra, _keys, _note) in CASES.items():
        apks[name] = d / f"{name}.apk"
        apks[name].write_bytes(_demo_plus(extra))
    together = {fmt: cli.scan([cli.DEMO_APK, *apks.values()], fmt, d) for fmt in cli.FORMATS}
    solo = cli.scan([cli.DEMO_APK], "json", d, name="solo")
    return apks, together, solo


def test_every_format_is_written_without_a_crash(runs):
    _apks, together, _solo = runs
    for fmt, run in together.items():
        cli.check_clean(run, fmt)


def test_good_apk_findings_equal_a_solo_scan(runs):
    _apks, together, solo = runs
    want = cli.findings_of(json.loads(solo.report), str(cli.DEMO_APK))
    assert want
    assert cli.findings_of(json.loads(together["json"].report), str(cli.DEMO_APK)) == want


@pytest.mark.parametrize("name", sorted(CASES))
def test_hidden_listener_found_and_noted(runs, name):
    apks, together, solo = runs
    report = json.loads(together["json"].report)
    _extra, want, words = CASES[name]
    got = _keys(report, apks[name])
    demo = _keys(json.loads(solo.report), cli.DEMO_APK)
    assert got - demo == set(want), (got - demo, want)  # what the hidden archive adds, nothing else
    assert demo <= got  # the outer app's own listeners are all still there
    t = cli.target_of(report, apks[name])
    assert any(words in n for n in t["notes"]), t["notes"]
    assert not any("internal error" in m for m in t["errors"] + t["notes"])


def test_limits_cut_children_only(tmp_path):
    """max_depth=1: a zip in assets (depth 1) is scanned, the jar inside it (depth 2) is cut with a
    note; the outer app and its own DEX are unaffected (no error)."""
    p = tmp_path / "cut.apk"
    p.write_bytes(_demo_plus({"assets/plugin.zip": _zip({"payload.jar": _zip({"classes.dex": HIDDEN}),
                                                         "classes.dex": DEEP})}))
    t = Target(path=str(p), kind="apk")
    facts = analyze(t, Options(limits=Limits(max_depth=1)))
    assert t.errors == []
    assert any("assets/plugin.zip!payload.jar: archive inside assets/plugin.zip not scanned: archives nested "
               "deeper than 1 levels" in n for n in t.notes), t.notes
    classes = {lst.location.class_ for lst in facts.listeners}
    assert "fx.ss_addr_127.Server" in classes and "fx.ss_port.Server" not in classes


def test_same_archive_twice_is_scanned_once(tmp_path):
    p = tmp_path / "twice.apk"
    inner = _zip({"classes.dex": HIDDEN})
    p.write_bytes(_demo_plus({"assets/one.zip": inner, "assets/two.zip": inner}))
    t = Target(path=str(p), kind="apk")
    facts = analyze(t, Options())
    assert sum(1 for lst in facts.listeners if lst.location.class_ == "fx.ss_port.Server") == 1
    assert any("assets/two.zip: the same bytes as assets/one.zip, scanned once" in n
               for n in t.notes), t.notes
