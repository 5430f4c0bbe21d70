"""Anti-analysis tricks (issue 8): the scan still sees the listener.

Each case is made from a real APK by byte surgery (see mutate.py) and its listeners are
compared with those of the untampered file.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from . import mutate as M
from .helpers import analyze, assert_no_internal_error, debug_keys, listener_keys

DEMO = M.DEMO_APK
MULTIDEX = M.FIXTURES / "android" / "multidex_wrapper" / "multidex.apk"
DECOY_DEX = M.FIXTURES / "android" / "neg_client_socket" / "classes.dex"  # a real DEX with no listener
ANDROID_NS = "http://schemas.android.com/apk/res/android"


@pytest.fixture(scope="module")
def demo_facts():
    facts = analyze(DEMO)
    assert len(facts.listeners) >= 3, "the demo APK should open several listeners"
    return facts


def _manifest(apk: bytes) -> bytes:
    import io

    with zipfile.ZipFile(io.BytesIO(apk)) as z:
        return z.read("AndroidManifest.xml")


def _with_manifest(apk: bytes, manifest: bytes) -> bytes:
    return M.rezip(apk, replace={"AndroidManifest.xml": manifest})


def _sp(manifest: bytes, field: str, value: int) -> bytes:
    """Tamper with a field of the manifest's string pool chunk (it starts at offset 8)."""
    offs = {"chunk_size": 12, "string_count": 16, "style_count": 20, "flags": 24, "strings_start": 28,
            "styles_start": 32, "first_offset": 36}
    return M.put(manifest, offs[field], "<I", value)


def _odd_namespace(manifest: bytes) -> bytes:
    old = ANDROID_NS.encode("utf-16-le")
    new = (ANDROID_NS[:-1] + "x").encode("utf-16-le")
    assert manifest.count(old) == 1
    return manifest.replace(old, new)


DEMO_BYTES = DEMO.read_bytes()
STORED_DEX = M.rezip(DEMO_BYTES, stored=("classes.dex",))
DEX = zipfile.ZipFile(DEMO).read("classes.dex")
MAN = _manifest(DEMO_BYTES)

CASES = {
    # zip structure
    "local header: method 99, sizes and CRC 0": lambda: M.local_header_disagrees(DEMO_BYTES, "classes.dex"),
    "local header: name length off by 7": lambda: M.local_name_length_lies(DEMO_BYTES, "classes.dex"),
    "local header: name length off for every entry": lambda: _all_names_lie(DEMO_BYTES),
    "unknown method 0x4242 on a stored classes.dex": lambda: M.method_unknown(STORED_DEX, "classes.dex"),
    "unknown method 12 (bzip2) on a stored classes.dex": lambda: M.method_unknown(STORED_DEX, "classes.dex", 12),
    "encrypted flag on every entry": lambda: M.encrypted_flag(DEMO_BYTES),
    "duplicate classes.dex after the real one":
        lambda: M.rezip(DEMO_BYTES, add=[("classes.dex", DECOY_DEX.read_bytes())]),
    "duplicate classes.dex before the real one":
        lambda: M.rezip(DEMO_BYTES, first=[("classes.dex", DECOY_DEX.read_bytes())]),
    "duplicate AndroidManifest.xml (garbage copy)":
        lambda: M.rezip(DEMO_BYTES, add=[("AndroidManifest.xml", DEX[:600])]),
    "central directory cut off": lambda: M.drop_central_directory(DEMO_BYTES),
    "bytes before the archive": lambda: M.rezip(DEMO_BYTES)[:0] + MAN[:4096] + DEMO_BYTES,
    "bytes after the archive": lambda: DEMO_BYTES + DEX[:1000],
    "path traversal entry names": lambda: M.rezip(DEMO_BYTES, add=[("../../evil/classes.dex", DECOY_DEX.read_bytes()),
                                                                    ("/abs/lib/x86/libx.so", DEX[:200]),
                                                                    ("..\\..\\win.dex", DECOY_DEX.read_bytes())]),
    # manifest string pool / namespaces
    "manifest: string count 0x0fffffff": lambda: _with_manifest(DEMO_BYTES, _sp(MAN, "string_count", 0x0FFFFFFF)),
    "manifest: first string offset out of range":
        lambda: _with_manifest(DEMO_BYTES, _sp(MAN, "first_offset", 0x7FFFFFF0)),
    "manifest: strings start past the chunk": lambda: _with_manifest(DEMO_BYTES, _sp(MAN, "strings_start", 0xFFFF0000)),
    "manifest: string pool chunk size 8": lambda: _with_manifest(DEMO_BYTES, _sp(MAN, "chunk_size", 8)),
    "manifest: UTF-8 flag on a UTF-16 pool": lambda: _with_manifest(DEMO_BYTES, _sp(MAN, "flags", 0x100)),
    "manifest: style count without styles": lambda: _with_manifest(DEMO_BYTES, _sp(MAN, "style_count", 0x1000)),
    "manifest: odd android namespace URI": lambda: _with_manifest(DEMO_BYTES, _odd_namespace(MAN)),
    "manifest: truncated to half": lambda: _with_manifest(DEMO_BYTES, M.truncate(MAN, 0.5)),
    # DEX
    "DEX with data appended (another DEX)":
        lambda: M.rezip(DEMO_BYTES, replace={"classes.dex": DEX + DECOY_DEX.read_bytes()}),
    "DEX with data appended (manifest bytes)": lambda: M.rezip(DEMO_BYTES, replace={"classes.dex": DEX + MAN}),
    # split / nested
    "nested: APK as base.apk of an .apks": lambda: M.nest(DEMO_BYTES, 1),
    "nested: three levels (at the limit)": lambda: M.nest(DEMO_BYTES, 3),
}


def _all_names_lie(data: bytes) -> bytes:
    for r in M.zip_records(data):
        data = M.local_name_length_lies(data, r.name, 3)
    return data


def _suffix(case: str) -> str:
    return ".apks" if case.startswith("nested") else ".apk"


@pytest.mark.parametrize("case", list(CASES))
def test_listener_survives(case, tmp_path, demo_facts):
    p = tmp_path / f"tampered{_suffix(case)}"
    p.write_bytes(CASES[case]())
    facts = analyze(p)
    assert_no_internal_error(facts)
    assert listener_keys(facts) == listener_keys(demo_facts), (case, facts.target.errors, facts.target.notes)


@pytest.mark.parametrize("case", ["manifest: odd android namespace URI", "duplicate AndroidManifest.xml (garbage copy)",
                                  "local header: method 99, sizes and CRC 0", "central directory cut off",
                                  "encrypted flag on every entry"])
def test_manifest_facts_survive(case, tmp_path, demo_facts):
    """Manifest facts (package, debuggable) are read from the tampered container as well."""
    p = tmp_path / "tampered.apk"
    p.write_bytes(CASES[case]())
    facts = analyze(p)
    assert facts.app is not None and demo_facts.app is not None
    assert (facts.app.package, facts.app.debuggable) == (demo_facts.app.package, demo_facts.app.debuggable)
    assert debug_keys(facts) == debug_keys(demo_facts)


def test_tampering_is_reported(tmp_path):
    """Disagreeing headers, duplicates and traversal names are visible as notes, not silently accepted."""
    cases = {
        "local header: method 99, sizes and CRC 0": "local header disagrees",
        "duplicate classes.dex after the real one": "duplicate entry name",
        "path traversal entry names": "unsafe entry name",
        "unknown method 0x4242 on a stored classes.dex": "compression method",
        "central directory cut off": "recovered from local headers",
    }
    for case, words in cases.items():
        p = tmp_path / "t.apk"
        p.write_bytes(CASES[case]())
        facts = analyze(p)
        text = " | ".join(facts.target.notes + facts.target.errors)
        assert words in text, (case, text)


def test_traversal_names_never_touch_the_file_system(tmp_path):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    p = work / "t.apk"
    p.write_bytes(CASES["path traversal entry names"]())
    before = sorted(x for x in tmp_path.rglob("*"))
    analyze(p)
    assert sorted(x for x in tmp_path.rglob("*")) == before
    assert not Path("/abs").exists()


def test_bare_dex_with_appended_data(tmp_path):
    base = M.FIXTURES / "android" / "ss_port" / "classes.dex"
    good = analyze(base)
    assert good.listeners
    p = tmp_path / "classes.dex"
    p.write_bytes(base.read_bytes() + DEX)
    facts = analyze(p)
    assert_no_internal_error(facts)
    assert listener_keys(facts) == listener_keys(good)


def test_split_apks_and_xapk_listeners_match_their_base(tmp_path):
    """A split bundle sees the listener of its base APK (the real bundle fixtures)."""
    bundle = M.FIXTURES / "android" / "split_bundle"
    base = zipfile.ZipFile(bundle / "app.apks").read("base.apk")
    (tmp_path / "base.apk").write_bytes(base)
    want = listener_keys(analyze(tmp_path / "base.apk"))
    assert want
    for name in ("app.apks", "app.xapk"):
        assert listener_keys(analyze(bundle / name)) == want, name


def test_nesting_past_the_limit_is_a_clear_error(tmp_path):
    p = tmp_path / "deep.apks"
    p.write_bytes(M.nest(DEMO_BYTES, 5))
    facts = analyze(p)
    assert facts.target.errors and "nested deeper" in facts.target.errors[0], facts.target.errors
    assert_no_internal_error(facts)


def test_multidex_duplicate_secondary(tmp_path):
    """A second classes2.dex (decoy) does not hide the real one of a multidex app."""
    data = MULTIDEX.read_bytes()
    want = listener_keys(analyze(MULTIDEX))
    assert want
    for tampered in (M.rezip(data, first=[("classes2.dex", DECOY_DEX.read_bytes())]),
                     M.rezip(data, add=[("classes2.dex", DECOY_DEX.read_bytes())])):
        p = tmp_path / "m.apk"
        p.write_bytes(tampered)
        assert listener_keys(analyze(p)) == want


def test_string_pool_header_is_where_the_cases_assume():
    """Guards the byte surgery above: the manifest's first chunk is a UTF-16 string pool."""
    typ, hsize, _size, count, _styles, flags, start, _ = struct.unpack_from("<HHIIIIII", MAN, 8)
    assert (typ, hsize, flags) == (1, 28, 0) and count > 0 and start > 0
