"""Property-based tests (hypothesis) on the pure parsers, with bounded example counts.

Each property starts from a real input (a kernel table read on this machine, a manifest and
DEX built by real toolchains, a real IPA) and lets hypothesis tamper with it; the parser may
only answer with its documented error type.  Examples are derandomized so CI runs are
reproducible; raise HARDENING_EXAMPLES to search longer.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import os
import plistlib
import struct
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz import _harness as H
from fuzz.fuzz_dex import walk

from . import mutate as M
from .helpers import analyze

N = int(os.environ.get("HARDENING_EXAMPLES", "60"))
PROPS = settings(max_examples=N, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.function_scoped_fixture])

DEMO = M.DEMO_APK.read_bytes()
MANIFEST = zipfile.ZipFile(M.DEMO_APK).read("AndroidManifest.xml")
DEX = (M.FIXTURES / "android" / "ss_port" / "classes.dex").read_bytes()
IPA = (M.FIXTURES / "ios" / "bin" / "App.ipa").read_bytes()


def overwrite(data: bytes, pos: int, chunk: bytes) -> bytes:
    pos %= len(data)
    return data[:pos] + chunk + data[pos + len(chunk):]


# --------------------------------------------------------------------- /proc/net
def _hex_addr(ip: ipaddress._BaseAddress) -> str:
    raw = ip.packed
    return "".join(f"{struct.unpack('<I', raw[i:i + 4])[0]:08X}" for i in range(0, len(raw), 4))


inet_rows = st.tuples(
    st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)),
    st.integers(0, 65535),
    st.sampled_from(["0A", "01", "07", "06"]),
    st.integers(0, 2**31 - 1),  # uid
    st.integers(0, 2**40),  # inode
)


@PROPS
@given(st.lists(inet_rows, min_size=1, max_size=8), st.sampled_from(["tcp", "udp"]))
def test_procnet_rows_round_trip(rows, transport):
    """Rows written in the kernel's format come back with the same address, port, uid, inode."""
    from portaudit.runtime.procnet import parse_inet

    for family, version in (("ipv4", 4), ("ipv6", 6)):
        chosen = [r for r in rows if r[0].version == version]
        if not chosen:
            continue
        zero = "0" * (8 if version == 4 else 32)
        lines = ["  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"]
        for i, (ip, port, state, uid, inode) in enumerate(chosen):
            lines.append(f"{i:4d}: {_hex_addr(ip)}:{port:04X} {zero}:0000 {state} 00000000:00000000 "
                         f"00:00000000 00000000 {uid:5d}        0 {inode} 1 0000000000000000 100 0 0 10 0")
        got = parse_inet("\n".join(lines), transport, family, listening_only=False)
        assert [(ipaddress.ip_address(g.address), g.port, g.uid, g.inode) for g in got] == \
               [(ip, port, uid, inode) for ip, port, _s, uid, inode in chosen]


def _real_table(name: str) -> str:
    try:
        with open(f"/proc/net/{name}", encoding="ascii", errors="replace") as fh:
            return fh.read()[:20000]
    except OSError:
        return ""


@PROPS
@given(st.sampled_from(["tcp", "tcp6", "udp", "udp6", "unix"]), st.data())
def test_procnet_tampered_tables_raise_only_procnet_error(name, data):
    """Any field of a real table replaced by any text: ProcNetError or a result, nothing else."""
    from portaudit.runtime.procnet import ProcNetError, parse_table

    text = _real_table(name)
    lines = text.splitlines() or ["Num RefCount Protocol Flags Type St Inode Path" if name == "unix" else
                                  "  sl  local_address rem_address   st"]
    if len(lines) < 2:
        lines.append("   0: 0100007F:0035 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1"
                     if name != "unix" else "0000000000000000: 00000002 00000000 00010000 0001 01 1 @x")
    i = data.draw(st.integers(1, len(lines) - 1))
    parts = lines[i].split(" ")
    j = data.draw(st.integers(0, len(parts) - 1))
    parts[j] = data.draw(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=40))
    lines[i] = " ".join(parts)
    with contextlib.suppress(ProcNetError):
        parse_table(name, "\n".join(lines))


# --------------------------------------------------------------------- AXML
@PROPS
@given(st.integers(0, 2**31), st.binary(min_size=1, max_size=8))
def test_axml_overwritten_bytes_raise_only_input_error(pos, chunk):
    from portaudit.errors import InputError
    from portaudit.inputs.android.appinfo import parse_manifest

    try:
        _info, notes = parse_manifest(overwrite(MANIFEST, pos, chunk))
    except InputError:
        return
    H.check_messages(notes, "parse_manifest")


@PROPS
@given(st.integers(0, len(MANIFEST)))
def test_axml_truncated_raises_only_input_error(cut):
    from portaudit.errors import InputError
    from portaudit.inputs.android.appinfo import parse_manifest

    with contextlib.suppress(InputError):
        parse_manifest(MANIFEST[:cut])


# --------------------------------------------------------------------- DEX header
@PROPS
@given(st.integers(8, 27), st.one_of(st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 0x70, 0xFFFFFFFF, 0x7FFFFFFF])))
def test_dex_header_fields(field, value):
    """Any u32 of the header (file size .. data offset) set to anything: DexError or a usable DexFile."""
    from portaudit.inputs.dex import DexError, DexFile, analyze_dex

    data = M.dex_field(DEX, field * 4, value)
    try:
        dex = DexFile(data)
    except DexError:
        dex = None
    if dex is not None:
        walk(dex)
    res = analyze_dex([("classes.dex", data)])
    H.check_messages(res.errors, "analyze_dex")


@PROPS
@given(st.integers(0x70, len(DEX) - 1), st.binary(min_size=1, max_size=4))
def test_dex_body_bytes(pos, chunk):
    from portaudit.inputs.dex import analyze_dex

    res = analyze_dex([("classes.dex", overwrite(DEX, pos, chunk))])
    H.check_messages(res.errors, "analyze_dex")


# --------------------------------------------------------------------- zip central directory
@PROPS
@given(st.integers(0, 5), st.sampled_from([8, 10, 16, 20, 24, 28, 30, 32, 42]),
       st.sampled_from([0, 1, 0xFF, 0xFFFF, 0xFFFFFFFF, 0x7FFFFFFF, 12, 99]))
def test_zip_central_directory_fields(tmp_path_factory, entry, offset, value):
    """One central-directory field of a real APK set to an odd value: no internal error."""
    from portaudit.errors import InputError
    from portaudit.inputs.archive import Archive

    rec = M.zip_records(DEMO)[entry]
    size = 2 if offset in (8, 10, 28, 30, 32) else 4
    value &= 0xFFFF if size == 2 else 0xFFFFFFFF
    data = M.put(DEMO, rec.cd_offset + offset, "<H" if size == 2 else "<I", value)
    try:
        arc = Archive(data, "", H.small_limits())
        for e in arc.entries:
            with contextlib.suppress(InputError):
                arc.read(e)
    except InputError:
        pass
    p = tmp_path_factory.mktemp("cd") / "t.apk"
    p.write_bytes(data)
    facts = analyze(p)
    H.check_messages(facts.target.errors + facts.target.notes, "analyze_target")


# --------------------------------------------------------------------- plist
xml_text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)
plist_scalars = st.one_of(xml_text, st.integers(-2**63, 2**63 - 1), st.booleans(),
                          st.binary(max_size=20), st.floats(allow_nan=False))
plist_values = st.recursive(plist_scalars, lambda kids: st.one_of(
    st.lists(kids, max_size=4), st.dictionaries(xml_text, kids, max_size=4)), max_leaves=12)
KEYS = ["CFBundleIdentifier", "CFBundleExecutable", "CFBundleShortVersionString", "CFBundleVersion",
        "NSAppTransportSecurity", "NSLocalNetworkUsageDescription", "NSBonjourServices", "get-task-allow"]


@PROPS
@given(st.dictionaries(st.sampled_from(KEYS), plist_values, max_size=6), st.booleans())
def test_hostile_info_plist_in_a_real_ipa(tmp_path_factory, plist, binary):
    """A real IPA whose Info.plist holds values of any type under the keys portaudit reads."""
    fmt = plistlib.FMT_BINARY if binary else plistlib.FMT_XML
    body = plistlib.dumps(plist, fmt=fmt)
    data = M.rezip(IPA, replace={"Payload/App.app/Info.plist": body})
    p = tmp_path_factory.mktemp("ipa") / "App.ipa"
    p.write_bytes(data)
    facts = analyze(p)
    H.check_messages(facts.target.errors + facts.target.notes, "analyze_target(ipa)")
    assert facts.listeners or facts.target.errors or "CFBundleExecutable" in plist


@PROPS
@given(st.dictionaries(st.sampled_from(KEYS), plist_values, max_size=6))
def test_hostile_plists_in_a_source_tree(tmp_path_factory, plist):
    from portaudit.inputs.source import config
    from portaudit.inputs.source import walk as swalk

    d = tmp_path_factory.mktemp("tree")
    files = []
    for name in ("Info.plist", "App.entitlements"):
        (d / name).write_bytes(plistlib.dumps(plist))
        files.append(swalk.SrcFile(d / name, name, "config", "app"))
    _app, notes = config.read_configs(files, d)
    H.check_messages(notes, "read_configs")


def test_ipa_fixture_layout():
    """Guards the IPA property above: the fixture's Info.plist is where it replaces it."""
    with zipfile.ZipFile(io.BytesIO(IPA)) as z:
        assert "Payload/App.app/Info.plist" in z.namelist()
