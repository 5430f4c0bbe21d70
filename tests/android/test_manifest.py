"""Manifest decoding against real files, aapt2's own dump, and androguard as an oracle."""

from __future__ import annotations

import random
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from portaudit.errors import InputError
from portaudit.inputs.archive import Archive
from portaudit.inputs.android.aapt2_proto import parse_proto_manifest
from portaudit.inputs.android.appinfo import parse_manifest, parse_proto_manifest_info
from portaudit.inputs.android.axml import AXML, R_DEBUGGABLE, Element

from .conftest import FIXTURES, all_example_apks

AAPT2 = shutil.which("aapt2")
AAPT = shutil.which("aapt")


def _need(tool):
    if not tool:
        pytest.fail("aapt / aapt2 is needed (Debian packages aapt, listed in scripts/apt-packages.txt)")


def _read(apk: Path, name: str) -> bytes | None:
    arc = Archive(apk.read_bytes(), "")
    return arc.read_name(name) if arc.find(name) else None


def _info(apk: Path):
    return parse_manifest(_read(apk, "AndroidManifest.xml"), _read(apk, "resources.arsc"))[0]


# ---------------------------------------------------------------- debuggable
def test_debuggable_boolean_literal(examples: Path):
    info = _info(examples / "signing" / "apksig" / "debuggable-boolean.apk")
    assert info.package == "android.appsecurity.cts.tinyapp"
    assert (info.debuggable, info.debuggable_source) == (True, "literal")


def _aapt_bool(apk: Path, name: str) -> bool:
    _need(AAPT)
    out = subprocess.run([AAPT, "dump", "resources", str(apk)], capture_output=True, text=True, check=True).stdout
    m = re.search(rf":bool/{name}: t=0x12 d=0x([0-9a-f]+)", out)
    assert m, out
    return int(m.group(1), 16) != 0


def test_debuggable_through_resource_reference(examples: Path):
    """debuggable-resource.apk points android:debuggable at @bool/debuggable; aapt tells its value."""
    apk = examples / "signing" / "apksig" / "debuggable-resource.apk"
    info = _info(apk)
    assert info.debuggable_source == "resource"
    assert info.debuggable is _aapt_bool(apk, "debuggable")  # false in this file
    assert "@bool/debuggable" in info.extra["debuggable_evidence"]


def test_debuggable_true_through_resource_reference():
    """Our aapt2-built fixture: android:debuggable="@bool/is_debug" with is_debug = true."""
    apk = FIXTURES / "resdebug.apk"
    info = _info(apk)
    assert _aapt_bool(apk, "is_debug") is True
    assert (info.debuggable, info.debuggable_source) == (True, "resource")
    assert info.package == "com.example.portaudit.resdebug"
    assert (info.version_code, info.version_name) == ("7", "1.7")
    assert info.uses_internet is True and info.cleartext is True
    assert info.network_security_config == "@xml/network_security_config"
    assert sorted(info.exported) == ["activity:com.example.portaudit.resdebug.MainActivity",
                                     "receiver:com.example.portaudit.resdebug.Open"]


def test_debuggable_reference_without_resources_is_unresolved():
    info, _ = parse_manifest(_read(FIXTURES / "resdebug.apk", "AndroidManifest.xml"), None)
    assert (info.debuggable, info.debuggable_source) == (None, "resource (unresolved)")


# ---------------------------------------------------------------- trees equal aapt2's dump
_E = re.compile(r"^(\s*)E: (\S+)")
_A = re.compile(r"^(\s*)A: (.*?)(?:\((0x[0-9a-f]{8})\))?=")


def _aapt2_tree(apk: Path) -> list:
    _need(AAPT2)
    r = subprocess.run([AAPT2, "dump", "xmltree", "--file", "AndroidManifest.xml", str(apk)],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        return None
    out = []
    for line in r.stdout.splitlines():
        if m := _E.match(line):
            out.append(("E", m.group(2)))
        elif m := _A.match(line):
            name = m.group(2).rsplit(":", 1)[-1]
            out.append(("A", name, int(m.group(3), 16) if m.group(3) else None))
    return out


def _our_tree(el: Element) -> list:
    out = [("E", el.tag)]
    for a in el.attrs:
        out.append(("A", a.name, a.res_id))
    for c in el.children:
        out.extend(_our_tree(c))
    return out


def test_proto_manifest_equals_aapt2_dump():
    """The minimal protobuf reader yields the same tree as aapt2 (which wrote it)."""
    proto = _read(FIXTURES / "resdebug-proto.apk", "AndroidManifest.xml")
    assert _our_tree(parse_proto_manifest(proto)) == _aapt2_tree(FIXTURES / "resdebug-proto.apk")


def test_aab_manifest_equals_binary_manifest():
    with zipfile.ZipFile(FIXTURES / "resdebug.aab") as zf:
        proto_info, _ = parse_proto_manifest_info(zf.read("base/manifest/AndroidManifest.xml"),
                                                  zf.read("base/resources.pb"), "base/manifest/AndroidManifest.xml")
    bin_info = _info(FIXTURES / "resdebug.apk")
    for f in ("package", "version_code", "version_name", "debuggable", "debuggable_source", "uses_internet",
              "cleartext", "network_security_config", "exported"):
        assert getattr(proto_info, f) == getattr(bin_info, f), f


def test_binary_manifests_equal_aapt2_dump_on_every_example(examples: Path):
    compared = aapt_rejects = 0
    for apk in all_example_apks(examples):
        try:
            data = _read(apk, "AndroidManifest.xml")
        except InputError:
            continue
        if data is None:
            continue
        want = _aapt2_tree(apk)
        if want is None:
            aapt_rejects += 1
            continue
        ax = AXML(data)
        assert _our_tree(ax.root) == want, apk
        compared += 1
    print(f"compared {compared}, aapt2 rejected {aapt_rejects}")
    assert compared >= 250


# ---------------------------------------------------------------- hostile manifests
def _hello_manifest(examples: Path) -> bytes:
    return _read(examples / "signing" / "apksig" / "debuggable-boolean.apk", "AndroidManifest.xml")


def test_bit_flipped_manifests_never_crash(examples: Path):
    rng = random.Random(7)
    base = _hello_manifest(examples)
    kept = 0
    for i in range(400):
        b = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        if i % 4 == 0:
            b = b[: rng.randrange(len(b))]
        try:
            info, _ = parse_manifest(bytes(b))
        except InputError:
            continue
        kept += info.package is not None
    assert kept > 100  # most single flips still yield the package


def _chunks(data: bytes):
    pos = 8
    while pos + 8 <= len(data):
        t, h, s = struct.unpack_from("<HHI", data, pos)
        yield pos, t, h, s
        pos += s


def test_string_pool_with_a_lying_count(examples: Path):
    b = bytearray(_hello_manifest(examples))
    pos = next(p for p, t, _, _ in _chunks(bytes(b)) if t == 0x0001)
    struct.pack_into("<I", b, pos + 8, 0x7FFFFFFF)
    info, notes = parse_manifest(bytes(b))
    assert info.package == "android.appsecurity.cts.tinyapp" and info.debuggable is True
    assert any("string pool declares" in n for n in notes)


def test_junk_between_chunks_and_zero_size_end_namespace(examples: Path):
    data = _hello_manifest(examples)
    chunks = list(_chunks(data))
    first_el = next(p for p, t, _, _ in chunks if t == 0x0102)
    junk = b"\xff\xff\x00\x00" * 3
    b = bytearray(data[:first_el] + junk + data[first_el:])
    struct.pack_into("<I", b, 4, len(b))
    end_ns = [p for p, t, _, _ in _chunks(bytes(b)) if t == 0x0101]
    for p in end_ns:
        struct.pack_into("<I", b, p + 4, 0)  # size 0: breaks strict parsers
    info, notes = parse_manifest(bytes(b))
    assert info.package == "android.appsecurity.cts.tinyapp" and info.debuggable is True
    assert any("junk" in n for n in notes)


def test_renamed_debuggable_attribute_found_by_resource_id(examples: Path):
    """Attribute names are only labels to Android: it goes by the resource map."""
    data = bytearray(_hello_manifest(examples))
    enc = "debuggable".encode("utf-16-le")
    i = data.find(enc)
    assert i > 0
    data[i:i + len(enc)] = "xxxxxxxxxx".encode("utf-16-le")
    ax = AXML(bytes(data))
    app = next(ax.root.iter("application"))
    assert any(a.name == "xxxxxxxxxx" and a.res_id == R_DEBUGGABLE for a in app.attrs)
    info, _ = parse_manifest(bytes(data))
    assert info.debuggable is True


@pytest.mark.parametrize("data,msg", [(b"", "too short"), (b"<?xml version='1.0'?><manifest/>", "plain-text"),
                                      (b"\x03\x00\x08\x00" + b"\x00" * 60, "no XML element")])
def test_garbage_manifest_errors(data: bytes, msg: str):
    with pytest.raises(InputError, match=msg):
        parse_manifest(data)


# ---------------------------------------------------------------- androguard as oracle
def test_package_and_debuggable_equal_androguard(examples: Path):
    loguru = pytest.importorskip("loguru")  # installed with androguard
    loguru.logger.remove()
    from androguard.core.apk import APK

    compared = oracle_failed = refs = 0
    for apk in all_example_apks(examples):
        try:
            a = APK(str(apk))
            pkg = a.get_package()
            dbg = a.get_attribute_value("application", "debuggable")
        except Exception:  # noqa: BLE001 - the oracle's own failure
            oracle_failed += 1
            continue
        if not pkg:
            oracle_failed += 1
            continue
        info = _info(apk)
        assert info.package == pkg, apk
        if dbg is None:
            assert info.debuggable is False and info.debuggable_source == "absent", apk
        elif dbg.startswith("@"):
            refs += 1
            assert info.debuggable_source in ("resource", "resource (unresolved)"), apk
        else:
            assert info.debuggable is (dbg == "true"), (apk, dbg)
        compared += 1
    print(f"compared {compared}, androguard failed on {oracle_failed}, references {refs}")
    assert compared >= 250


# ---------------------------------------------------------------- resource lookup (for the DEX engine)
def _aapt2_resource_ids(apk: Path) -> dict[str, int]:
    """name ("integer/server_port") -> resource id, as `aapt2 dump resources` lists them."""
    _need(AAPT2)
    out = subprocess.run([AAPT2, "dump", "resources", str(apk)], capture_output=True, text=True, check=True).stdout
    return {name: int(rid, 16) for rid, name in re.findall(r"resource (0x[0-9a-f]{8}) (\S+)", out)}


def test_resource_lookup_reads_integers_strings_and_references():
    """R.integer / R.string by id through resources.arsc.  Expected values: the resource sources
    tests/android/fixtures/src/res/values/bools.xml (server_port 8089, server_host "0.0.0.0",
    port_alias = @integer/server_port) and values-fr/strings.xml (another configuration, not the
    default); ids from aapt2's own dump of the built APK."""
    from portaudit.inputs.android.arsc import resource_lookup

    apk = FIXTURES / "resdebug.apk"
    ids = _aapt2_resource_ids(apk)
    res = resource_lookup(_read(apk, "resources.arsc"))
    assert res.integer(ids["integer/server_port"]) == 8089
    assert res.integer(ids["integer/port_alias"]) == 8089  # the reference is followed
    assert res.string(ids["string/server_host"]) == "0.0.0.0"  # default configuration, not (fr)
    assert res.boolean(ids["bool/is_debug"]) is True
    assert res.name(ids["integer/server_port"]) == "@integer/server_port"
    # a type mismatch or an unknown id answers None, never a guess
    assert res.integer(ids["string/server_host"]) is None
    assert res.string(ids["integer/server_port"]) is None
    assert res.integer(0x7F7F0000) is None


def test_resource_lookup_on_a_broken_table_answers_none():
    """Truncated tables (derived from the real one) never raise through the lookup."""
    from portaudit.inputs.android.arsc import resource_lookup

    apk = FIXTURES / "resdebug.apk"
    ids = _aapt2_resource_ids(apk)
    arsc = _read(apk, "resources.arsc")
    for cut in range(0, len(arsc), 7):
        res = resource_lookup(arsc[:cut])
        assert res.integer(ids["integer/server_port"]) in (None, 8089)
        assert res.name(ids["integer/server_port"]) in (None, "@integer/server_port")
