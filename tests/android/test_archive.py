"""The hardened zip reader against Python's zipfile on real APKs, and on tampered copies of them."""

from __future__ import annotations

import hashlib
import os
import random
import struct
import zipfile
from pathlib import Path

import pytest

from portaudit.errors import InputError, LimitExceeded
from portaudit.inputs.android import dex_order, read_container
from portaudit.inputs.archive import Archive
from portaudit.options import Limits

from .conftest import all_example_apks, central_directory, entries_of, rezip


def _sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def test_dex_entries_equal_zipfile_on_every_example_apk(examples: Path):
    """Names, order, sizes and sha256 of the DEX we extract equal what zipfile reads."""
    compared = rejected = 0
    for apk in all_example_apks(examples):
        try:
            with zipfile.ZipFile(apk) as zf:
                expected = [(i.filename, zf.read(i)) for i in zf.infolist()
                            if i.filename.lower().endswith(".dex")]
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError):
            rejected += 1
            continue
        expected.sort(key=lambda t: dex_order(t[0]))
        try:
            out, _ = read_container(str(apk), "apk", Limits())
        except InputError:
            assert not expected, f"{apk}: we failed on an APK with DEX that zipfile reads"
            continue
        got = [(n, len(b), _sha(b)) for n, b in out.dexes]
        want = [(n, len(b), _sha(b)) for n, b in expected]
        assert got == want, apk
        compared += 1
    assert compared >= 300, (compared, rejected)


def test_all_entries_equal_zipfile(hello_apk: Path):
    arc = Archive(hello_apk.read_bytes(), "")
    with zipfile.ZipFile(hello_apk) as zf:
        infos = zf.infolist()
        assert arc.names() == [i.filename for i in infos]
        for e, i in zip(arc.entries, infos, strict=True):
            assert (e.compressed_size, e.uncompressed_size, e.method) == (i.compress_size, i.file_size, i.compress_type)
            assert _sha(arc.read(e)) == _sha(zf.read(i))
    assert arc.notes == []


def test_entry_names_match_unzip_listing(multidex_apk: Path):
    import shutil
    import subprocess

    if not shutil.which("unzip"):
        pytest.fail("unzip is needed (Debian package unzip)")
    listing = subprocess.run(["unzip", "-Z1", str(multidex_apk)], capture_output=True, text=True, check=True)
    assert Archive(multidex_apk.read_bytes(), "").names() == listing.stdout.split()


def test_multidex_natural_order(multidex_apk: Path, tmp_path: Path):
    dexes = [(n, b) for n, b in entries_of(multidex_apk) if n.endswith(".dex")]
    one, two = dexes[0][1], dexes[1][1]
    p = tmp_path / "order.apk"
    p.write_bytes(rezip([("classes10.dex", two), ("classes2.dex", two), ("classes.dex", one),
                         ("classes3.dex", one)]))
    out, _ = read_container(str(p), "apk", Limits())
    assert [n for n, _ in out.dexes] == ["classes.dex", "classes2.dex", "classes3.dex", "classes10.dex"]


# ---------------------------------------------------------------- tampering
def _patch_cd_and_lh(data: bytearray, name: str, *, cd: dict | None = None, lh: dict | None = None) -> None:
    offs = {"flags": 8, "method": 10, "csize": 20, "usize": 24, "nlen": 28}
    fmt = {"flags": "<H", "method": "<H", "csize": "<I", "usize": "<I", "nlen": "<H"}
    rec = next(r for r in central_directory(bytes(data)) if r["name"] == name)
    for k, v in (cd or {}).items():
        struct.pack_into(fmt[k], data, rec["pos"] + offs[k] + 2, v)  # CD fields sit 2 bytes later
    for k, v in (lh or {}).items():
        struct.pack_into(fmt[k], data, rec["lh"] + offs[k] - 2 + 2 if k != "nlen" else rec["lh"] + 26, v)


def _lh_patch(data: bytearray, name: str, field: str, value: int) -> None:
    rec = next(r for r in central_directory(bytes(data)) if r["name"] == name)
    at = {"flags": (6, "<H"), "method": (8, "<H"), "csize": (18, "<I"), "usize": (22, "<I"), "nlen": (26, "<H")}
    o, f = at[field]
    struct.pack_into(f, data, rec["lh"] + o, value)


def _cd_patch(data: bytearray, name: str, field: str, value: int) -> None:
    rec = next(r for r in central_directory(bytes(data)) if r["name"] == name)
    at = {"flags": (8, "<H"), "method": (10, "<H"), "csize": (20, "<I"), "usize": (24, "<I")}
    o, f = at[field]
    struct.pack_into(f, data, rec["pos"] + o, value)


def _real_dex(hello_apk: Path) -> bytes:
    with zipfile.ZipFile(hello_apk) as zf:
        return zf.read("classes.dex")


@pytest.mark.parametrize("field,value", [("method", 99), ("csize", 7), ("usize", 0xFFFF), ("method", 0)])
def test_local_header_disagreeing_with_central_directory(hello_apk: Path, field: str, value: int):
    data = bytearray(hello_apk.read_bytes())
    _lh_patch(data, "classes.dex", field, value)
    arc = Archive(bytes(data), "")
    assert _sha(arc.read_name("classes.dex")) == _sha(_real_dex(hello_apk))
    assert any("classes.dex: local header disagrees" in n for n in arc.notes), arc.notes


def test_local_header_name_length_tampered(hello_apk: Path):
    data = bytearray(hello_apk.read_bytes())
    rec = next(r for r in central_directory(bytes(data)) if r["name"] == "classes.dex")
    _lh_patch(data, "classes.dex", "nlen", rec["nlen"] + 9)
    arc = Archive(bytes(data), "")
    assert _sha(arc.read_name("classes.dex")) == _sha(_real_dex(hello_apk))
    assert any("name length" in n for n in arc.notes)


def test_unknown_method_on_stored_entry(hello_apk: Path, tmp_path: Path):
    stored = bytearray(rezip(entries_of(hello_apk), zipfile.ZIP_STORED))
    _cd_patch(stored, "classes.dex", "method", 0x1234)
    _lh_patch(stored, "classes.dex", "method", 0x1234)
    with zipfile.ZipFile(__import__("io").BytesIO(bytes(stored))) as zf, pytest.raises(NotImplementedError):
        zf.read("classes.dex")  # what breaks ordinary tools
    arc = Archive(bytes(stored), "")
    assert _sha(arc.read_name("classes.dex")) == _sha(_real_dex(hello_apk))
    assert any("compression method 4660 read as stored" in n for n in arc.notes), arc.notes


def test_unknown_method_on_deflated_entry_is_inflated(hello_apk: Path):
    data = bytearray(hello_apk.read_bytes())
    _cd_patch(data, "classes.dex", "method", 0x63)
    _lh_patch(data, "classes.dex", "method", 0x63)
    arc = Archive(bytes(data), "")
    assert _sha(arc.read_name("classes.dex")) == _sha(_real_dex(hello_apk))


def test_false_encryption_flag_is_ignored(hello_apk: Path):
    data = bytearray(hello_apk.read_bytes())
    rec = next(r for r in central_directory(bytes(data)) if r["name"] == "classes.dex")
    _cd_patch(data, "classes.dex", "flags", rec["flags"] | 1)
    _lh_patch(data, "classes.dex", "flags", rec["flags"] | 1)
    with zipfile.ZipFile(__import__("io").BytesIO(bytes(data))) as zf, pytest.raises(RuntimeError):
        zf.read("classes.dex")
    arc = Archive(bytes(data), "")
    assert _sha(arc.read_name("classes.dex")) == _sha(_real_dex(hello_apk))
    assert any("encrypted" in n for n in arc.notes)


def test_bytes_before_and_after_the_archive(hello_apk: Path, multidex_apk: Path):
    # junk = a whole real zip (with its own end record) plus part of a DEX
    junk = multidex_apk.read_bytes() + _real_dex(hello_apk)[:512]
    data = junk + hello_apk.read_bytes() + junk[:1000]
    arc = Archive(data, "")
    assert _sha(arc.read_name("classes.dex")) == _sha(_real_dex(hello_apk))
    assert any(f"{len(junk)} bytes before" in n for n in arc.notes), arc.notes
    assert any("1000 bytes after" in n for n in arc.notes), arc.notes


def test_truncated_central_directory_falls_back_to_local_headers(hello_apk: Path):
    data = hello_apk.read_bytes()
    cd = central_directory(data)
    cut = cd[1]["pos"] + 10  # inside the second central directory record
    arc = Archive(data[:cut], "")
    assert any("local headers" in n for n in arc.notes), arc.notes
    assert _sha(arc.read_name("classes.dex")) == _sha(_real_dex(hello_apk))


def test_truncated_entry_data_is_an_error_naming_the_entry(hello_apk: Path):
    data = hello_apk.read_bytes()
    rec = next(r for r in central_directory(data) if r["name"] == "classes.dex")
    arc = Archive(data[: rec["lh"] + 30 + rec["nlen"] + rec["csize"] // 2], "")
    with pytest.raises(InputError, match="classes.dex"):
        arc.read_name("classes.dex")


def test_duplicate_entry_names_first_wins(hello_apk: Path, multidex_apk: Path, tmp_path: Path):
    good = _real_dex(hello_apk)
    other = dict(entries_of(multidex_apk))["classes2.dex"]
    p = tmp_path / "dup.apk"
    p.write_bytes(rezip([("classes.dex", good), ("classes.dex", other)]))
    arc = Archive(p.read_bytes(), "")
    assert arc.read_name("classes.dex") == good
    assert any("duplicate entry name 'classes.dex' (2 copies)" in n for n in arc.notes)
    out, _ = read_container(str(p), "apk", Limits())
    assert [(n, _sha(b)) for n, b in out.dexes] == [("classes.dex", _sha(good)), ("classes.dex#2", _sha(other))]


@pytest.mark.parametrize("name,why", [("../../../tmp/evil/classes.dex", "parent-directory"),
                                      ("/etc/portaudit-evil.dex", "absolute path"),
                                      ("..\\..\\evil.dex", "backslash")])
def test_path_traversal_names_are_notes_never_paths(hello_apk: Path, tmp_path: Path, name: str, why: str):
    p = tmp_path / "trav.apk"
    p.write_bytes(rezip([("classes.dex", _real_dex(hello_apk)), (name, _real_dex(hello_apk))]))
    before = set(os.listdir(tmp_path))
    cwd_before = set(os.listdir("."))
    out, _ = read_container(str(p), "apk", Limits())
    assert any(why in n and "never used as a path" in n for n in out.notes), out.notes
    assert name in [n for n, _ in out.dexes]  # still analysed, as a label
    assert set(os.listdir(tmp_path)) == before and set(os.listdir(".")) == cwd_before
    assert not os.path.exists("/etc/portaudit-evil.dex") and not os.path.exists("/tmp/evil")


# ---------------------------------------------------------------- limits
@pytest.fixture(scope="session")
def zip_bomb(tmp_path_factory, hello_apk: Path) -> Path:
    """A real zip bomb: a good classes.dex next to 1 GiB of zeros deflated into classes2.dex."""
    p = tmp_path_factory.mktemp("bomb") / "bomb.apk"
    zero = bytes(1 << 20)
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("classes.dex", _real_dex(hello_apk))
        with zf.open("classes2.dex", "w", force_zip64=True) as fh:
            for _ in range(1024):
                fh.write(zero)
    return p


def test_zip_bomb_stops_at_the_ratio_limit(zip_bomb: Path):
    assert zip_bomb.stat().st_size < 3 * 1024**2
    arc = Archive(zip_bomb.read_bytes(), "")
    with pytest.raises(LimitExceeded, match=r"classes2\.dex: compression ratio over 200:1"):
        arc.read_name("classes2.dex")
    assert arc.budget.used < 64 * 1024**2  # stopped early: never inflated the gigabyte


def test_zip_bomb_stops_at_the_size_limit_when_ratio_is_off(zip_bomb: Path):
    limits = Limits(max_ratio=1e9, max_entry_bytes=50 * 1024**2)
    with pytest.raises(LimitExceeded, match=r"classes2\.dex: decompressed size exceeds the limit of 52428800"):
        Archive(zip_bomb.read_bytes(), "", limits).read_name("classes2.dex")
    limits = Limits(max_ratio=1e9, max_total_bytes=30 * 1024**2)
    with pytest.raises(LimitExceeded, match="total decompressed size"):
        Archive(zip_bomb.read_bytes(), "", limits).read_name("classes2.dex")


def test_zip_bomb_next_to_good_dex_keeps_the_good_one(zip_bomb: Path):
    out, _ = read_container(str(zip_bomb), "apk", Limits())
    assert [n for n, _ in out.dexes] == ["classes.dex"]
    assert any(e.startswith("classes2.dex: compression ratio") for e in out.errors), out.errors


def test_entry_and_count_limits(multidex_apk: Path):
    with pytest.raises(LimitExceeded, match=r"classes\.dex.*limit of 100"):
        Archive(multidex_apk.read_bytes(), "", Limits(max_entry_bytes=100)).read_name("classes.dex")
    with pytest.raises(LimitExceeded, match="entries"):
        Archive(multidex_apk.read_bytes(), "", Limits(max_entries=2))


def test_nesting_depth_limit(tmp_path: Path):
    apk = (Path(__file__).parent / "fixtures" / "resdebug.apk").read_bytes()
    inner = tmp_path / "inner.apks"
    inner.write_bytes(rezip([("base.apk", apk)]))
    outer = tmp_path / "outer.apks"
    outer.write_bytes(rezip([("nested.apks", inner.read_bytes())]))
    out, _ = read_container(str(outer), "apks", Limits(max_depth=3))
    assert [n for n, _ in out.dexes] == ["nested.apks!base.apk!classes.dex"]
    with pytest.raises(LimitExceeded, match="nested deeper than 1"):
        read_container(str(outer), "apks", Limits(max_depth=1))


# ---------------------------------------------------------------- damage never crashes
def test_truncations_and_bit_flips_never_crash(hello_apk: Path, multidex_apk: Path):
    rng = random.Random(1234)
    outcomes = {"ok": 0, "error": 0}
    for src in (hello_apk, multidex_apk):
        data = src.read_bytes()
        variants = [data[:n] for n in range(0, len(data), max(1, len(data) // 60))]
        for _ in range(150):
            b = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
            variants.append(bytes(b))
        for v in variants:
            try:
                arc = Archive(v, "")
                for e in arc.entries:
                    try:
                        arc.read(e)
                    except InputError:
                        outcomes["error"] += 1
                outcomes["ok"] += 1
            except InputError:
                outcomes["error"] += 1
    assert outcomes["ok"] > 0 and outcomes["error"] > 0


@pytest.mark.parametrize("name,note", [
    ("v3-only-with-rsa-pkcs1-sha512-8192-digest-mismatch.apk", "resources.arsc: local header disagrees"),
    ("v1v2v3-with-rsa-2048-lineage-3-signers-invalid-zip.apk", "entries recovered from local headers"),
    ("v2-only-truncated-cd.apk", "entries recovered from local headers"),
    ("v1-only-with-nul-in-entry-name.apk", "NUL byte in name"),
])
def test_malformed_apks_from_apksig_tests(examples: Path, name: str, note: str):
    """Real malformed APKs (apksig's test suite) that Android's libziparchive, as used by aapt2,
    refuses: we still read the manifest and the DEX, and say what is wrong."""
    out, _ = read_container(str(examples / "signing" / "apksig" / name), "apk", Limits())
    assert out.app is not None and out.app.package == "android.appsecurity.cts.tinyapp"
    assert [n for n, _ in out.dexes] == ["classes.dex"]
    assert any(note in n for n in out.notes), out.notes


def test_time_limit_is_not_swallowed_as_an_entry_error(zip_bomb: Path):
    """The pipeline's per-target deadline ends the target even while an entry is inflating."""
    from portaudit.options import Options
    from portaudit.scan import run

    opts = Options(limits=Limits(max_ratio=1e9, max_entry_bytes=2 * 1024**3, max_total_bytes=8 * 1024**3,
                                 timeout_seconds=0.05))
    report = run([str(zip_bomb)], opts)
    (t,) = report.targets
    assert t.errors == ["time limit of 0.05s per target exceeded"], t.errors
