"""Regression tests for the problems the fuzzers and the hostile corpus found.

Each reproducer is derived from a real input by a documented transformation (mutate.py),
or, for the text tables of /proc/net, is a row in the kernel's format with one field
replaced, exactly as the fuzzer's crashing input had it.
"""

from __future__ import annotations

import pytest

from fuzz import _harness as H
from portaudit.runtime.procnet import ProcNetError, parse_table, read_tables

from . import mutate as M
from .helpers import analyze

TCP_HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
              "inode")
TCP_ROW = ("   0: 0100007F:9B4B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
           "169134 1 000000006555af8c 100 0 0 10 0")
TCP6_ROW = ("   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A "
            "00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0")
UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path"
UNIX_ROW = "0000000093287913: 00000002 00000000 00010000 0001 01 168600 @portdemo_bridge"


def _tcp(row: str, name: str = "tcp") -> str:
    return TCP_HEADER + "\n" + row + "\n"


# Found by fuzz/fuzz_procnet.py (2026-11-28): int()/struct errors escaped parse_table as
# ValueError / struct.error, which read_tables and the device inventory do not catch.
PROCNET_CASES = {
    "tcp: non-hex local port": ("tcp", _tcp(TCP_ROW.replace("0100007F:9B4B", "0100007F:9B4Z"))),
    "tcp: non-hex local address": ("tcp", _tcp(TCP_ROW.replace("0100007F:", "0100007G:"))),
    "tcp: negative address (struct.error)": ("tcp", _tcp(TCP_ROW.replace("0100007F:", "-100007F:"))),
    "tcp: remote endpoint without port": ("tcp", _tcp(TCP_ROW.replace("00000000:0000", "00000000:", 1))),
    "tcp: uid not a number": ("tcp", _tcp(TCP_ROW.replace("     0        0 169134", "     x        0 169134"))),
    "tcp: inode not a number": ("tcp", _tcp(TCP_ROW.replace(" 169134 ", " 16913z "))),
    "tcp: header word where a field should be": ("tcp", _tcp(TCP_ROW.replace("00000000:0000", "rem_address"))),
    "tcp6: non-hex word in an address": ("tcp6", _tcp(TCP6_ROW.replace("0000000000000000000000000000000:1F90",
                                                                        "000000000000000000000000000000x:1F90"))),
    "unix: flags not hex": ("unix", UNIX_HEADER + "\n" + UNIX_ROW.replace("00010000", "0001000x") + "\n"),
    "unix: inode not a number": ("unix", UNIX_HEADER + "\n" + UNIX_ROW.replace(" 168600 ", " (1141 ") + "\n"),
    "unix: row without inode column": ("unix", UNIX_HEADER + "\n0000000093287913: 00000002 00000000 00010000 0001 01 "
                                               "/tmp/dotnet-diagnostic-socket\n"),
}


@pytest.mark.parametrize("case", list(PROCNET_CASES))
def test_procnet_bad_rows_raise_procnet_error(case):
    name, text = PROCNET_CASES[case]
    with pytest.raises(ProcNetError):
        parse_table(name, text)


def test_procnet_good_rows_still_parse():
    (li,) = parse_table("tcp", _tcp(TCP_ROW))
    assert (li.address, li.port, li.uid, li.inode, li.state) == ("127.0.0.1", 0x9B4B, 0, 169134, "LISTEN")
    (u,) = parse_table("unix", UNIX_HEADER + "\n" + UNIX_ROW + "\n")
    assert (u.unix_name, u.inode, u.state) == ("@portdemo_bridge", 168600, "LISTEN")


def test_read_tables_reports_a_bad_table_and_keeps_the_others(tmp_path):
    (tmp_path / "tcp").write_text(_tcp(TCP_ROW.replace("0100007F:9B4B", "0100007F:9B4Z")))
    (tmp_path / "unix").write_text(UNIX_HEADER + "\n" + UNIX_ROW + "\n")
    listeners, errors = read_tables(str(tmp_path))
    assert [li.unix_name for li in listeners] == ["@portdemo_bridge"]
    assert len(errors) == 1 and errors[0].startswith(f"{tmp_path}/tcp: ")


# Found by the hostile corpus (t-flip1.dex = bit_flips(ss_port/classes.dex, seed=1, count=4)):
# the DEX engine reported the same error once per call site it could not decode (39 copies).
def test_dex_error_reported_once(tmp_path):
    p = tmp_path / "t-flip1.dex"
    p.write_bytes(M.bit_flips((M.FIXTURES / "android" / "ss_port" / "classes.dex").read_bytes(), 1, 4))
    facts = analyze(p)
    assert facts.target.errors, "the flipped bits break a string offset"
    assert len(facts.target.errors) == len(set(facts.target.errors)), facts.target.errors[:3]


# Found by the hostile corpus (t-flip0.apks = bit_flips(split_bundle/app.apks, seed=0, count=16)):
# an unreadable entry of a nested APK was named twice ("classes.dex: base.apk!classes.dex: ...").
def test_nested_entry_errors_name_the_entry_once(tmp_path):
    p = tmp_path / "t-flip0.apks"
    p.write_bytes(M.bit_flips((M.FIXTURES / "android" / "split_bundle" / "app.apks").read_bytes(), 0, 16))
    facts = analyze(p)
    assert facts.target.errors
    for msg in facts.target.errors:  # e.g. "base.apk!classes.dex: cannot read entry (...)"
        assert "!" in msg.split(": ", 1)[0], msg


class _CountingStruct:
    """Stands in for the ``struct`` module inside the Android manifest readers and counts reads:
    a deterministic measure of parsing work (no timing)."""

    def __init__(self):
        import struct as real

        self._real = real
        self.calls = 0

    def __getattr__(self, name):
        return getattr(self._real, name)

    def unpack_from(self, *a, **kw):
        self.calls += 1
        return self._real.unpack_from(*a, **kw)


# Found by review of the AXML decoder while fuzzing (2026-11-28): a start element may claim
# 65535 attributes and the decoder read them up to the end of the file, not of its chunk, so
# N such elements cost N x (file size) reads and Attr objects: a 180 KB manifest took 17 s, a
# 2 MB one hours and gigabytes.  Reproducer: mutate.axml_attribute_bomb(demo manifest, 300).
def test_axml_attribute_bomb_is_linear(monkeypatch):
    import zipfile

    from portaudit.errors import InputError
    from portaudit.inputs.android import axml, resvalue

    data = M.axml_attribute_bomb(zipfile.ZipFile(M.DEMO_APK).read("AndroidManifest.xml"), 300)
    counter = _CountingStruct()
    for mod in (axml, resvalue):
        monkeypatch.setattr(mod, "struct", counter)
    try:
        ax = axml.AXML(data)
    except InputError:
        ax = None
    assert counter.calls <= len(data), f"{counter.calls} reads for {len(data)} bytes"
    if ax is not None:
        stack, attrs = [ax.root], 0
        while stack:
            el = stack.pop()
            attrs += len(el.attrs)
            stack.extend(el.children)
        assert attrs <= len(data) // 20 + 64  # an attribute takes 20 bytes


# Same family in resources.arsc: a type chunk's entryCount (up to 65536 read) was not bounded
# by the chunk, so N copies of a 104-byte chunk cost N x 65536 reads (312 KB: 164 s).
# Reproducer: mutate.arsc_type_bomb(resources.arsc of apk_debuggable_resource, 700).
def test_arsc_type_bomb_is_linear(monkeypatch):
    """Resolving android:debuggable="@bool/..." through the tampered table (the table is parsed
    lazily, per type, when a reference is resolved)."""
    import zipfile

    from portaudit.errors import InputError
    from portaudit.inputs.android import appinfo, arsc, axml, resvalue

    apk = zipfile.ZipFile(M.FIXTURES / "android" / "apk_debuggable_resource" / "app.apk")
    data = M.arsc_type_bomb(apk.read("resources.arsc"), 700)
    counter = _CountingStruct()
    for mod in (axml, arsc, resvalue):
        monkeypatch.setattr(mod, "struct", counter)
    try:
        _info, notes = appinfo.parse_manifest(apk.read("AndroidManifest.xml"), data)
    except InputError:
        notes = []
    assert counter.calls <= len(data), f"{counter.calls} reads for {len(data)} bytes"
    H.check_messages(notes, "parse_manifest")


def test_resource_reference_still_resolved_after_the_bounds():
    """The real resource-reference fixture still yields debuggable=true through resources.arsc."""
    facts = analyze(M.FIXTURES / "android" / "apk_debuggable_resource" / "app.apk")
    assert facts.app is not None and facts.app.debuggable is True


# Found replaying fuzz/fuzz_axml.py (mode 1, resources.arsc) on 2026-11-28: a type chunk whose
# entryCount is larger than the chunk, or a truncated resources.arsc, made parse_manifest raise
# struct.error while resolving android:debuggable="@bool/..." (the table is read lazily), so the
# APK lost all its manifest facts ("unreadable binary XML (error: ...)").
def _resource_apk():
    import zipfile

    apk = zipfile.ZipFile(M.FIXTURES / "android" / "apk_debuggable_resource" / "app.apk")
    return apk.read("AndroidManifest.xml"), apk.read("resources.arsc")


def _first_type_chunk(arsc: bytes) -> int:
    _t, hsize, _s = M.struct.unpack_from("<HHI", arsc, 0)
    pkg, _pt, ph, psz = next(c for c in M._chunks(arsc, hsize, len(arsc)) if c[1] == 0x0200)
    return next(c for c in M._chunks(arsc, pkg + ph, pkg + psz) if c[1] == 0x0201)[0]


def test_arsc_entry_count_past_its_chunk_keeps_the_manifest_facts():
    from portaudit.inputs.android.appinfo import parse_manifest

    man, arsc = _resource_apk()
    data = M.put(arsc, _first_type_chunk(arsc) + 12, "<I", 0x1000)  # entryCount
    info, notes = parse_manifest(man, data)
    H.check_messages(notes, "parse_manifest")
    assert info.debuggable is True  # the real entry is still inside the chunk


@pytest.mark.parametrize("fraction", [0.85, 0.9, 0.95])
def test_truncated_arsc_raises_only_input_error(fraction):
    from portaudit.errors import InputError
    from portaudit.inputs.android.appinfo import parse_manifest

    man, arsc = _resource_apk()
    try:
        _info, notes = parse_manifest(man, M.truncate(arsc, fraction))
    except InputError:
        return
    H.check_messages(notes, "parse_manifest")


# Found by fuzz/fuzz_source.py in the first scripts/fuzz-ci run (2026-11-28): libFuzzer crossed
# tests/source/cases/kotlin/Servers.kt with the C++ case (an unclosed "htons(" followed by Kotlin
# lines); tree-sitter-kotlin 1.1.0 then spends minutes in native code (2.2 KB: 188 s), where the
# per-target deadline (a Python signal handler) cannot interrupt it.  Minimized by delta debugging
# to these 465 bytes (source text, not a binary), which alone take 139 s to parse.
# NOT FIXED per file (see docs/hardening.md, known gaps): the isolated scan contains it.
KOTLIN_BACKTRACK = (
    b'{v\ne\n#i <netinet/in.h>\n#include <sys/socket.h>\n\nclass Server {\n  int StartAny() {\n'
    b'    int fd = ::socket(AF_INET, SOCK_STREAM, 0);\n    sockaddr_in addr{};\n'
    b'    addr.sin_family = AF_INET;\n    addr.sin_port = htons( 0.0.0.0 2221\n'
    b'    val sshd = SshServer.setUpDefaultServer()\n'
    b'    sshd.AsetPort(2222) // EXPECT: loopback 127.0.0.1 2222\n    sshd.setHost("127.0.0.1")\n'
    b'    if (BuildConfig.DEBUG) {\n        WebView.setWebContentsDebuggingEnabled(true) // EXPECT-DEBUG: gated\n')


def test_tree_sitter_backtracking_is_contained_by_the_isolated_scan(tmp_path):
    """The Kotlin file is parsed in a child with a per-file time limit: it becomes a note, the rest
    of the tree is still scanned, and the APK scanned in the same batch is unaffected."""
    from portaudit import scan
    from portaudit.options import Limits, Options

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "Hostile.kt").write_bytes(KOTLIN_BACKTRACK)
    (tree / "Server.kt").write_text("import java.net.ServerSocket\nfun main() { ServerSocket(8080) }\n")
    apk = tmp_path / "demo.apk"
    apk.write_bytes(M.DEMO_APK.read_bytes())
    report = scan.run([str(tree), str(apk)], Options(limits=Limits(timeout_seconds=4.0), isolate=True, jobs=2))
    by = {t.path: t for t in report.targets}
    assert by[str(tree)].errors == []
    assert any(n.startswith("Hostile.kt: skipped: the parser did not finish within 2s")
               for n in by[str(tree)].notes), by[str(tree)].notes
    assert [f.location.file for f in report.findings if f.target == str(tree)] == ["Server.kt"]
    assert by[str(apk)].errors == []
    assert sum(1 for f in report.findings if f.target == str(apk)) >= 4


# Found by a quick fuzz of discovery's zip check (2026-11-28): a .zip inside a scanned directory
# whose central directory asks for zip version 14.8 made the standard library raise
# NotImplementedError in portaudit.inputs.discover._zip_may_hold_app, outside any analyzer, so
# `portaudit scan DIR` died with a traceback and no report.  Reproducer:
# mutate.cd_version_needed(demo.apk) saved as archive.zip.
def test_hostile_zip_in_a_directory_does_not_stop_discovery(tmp_path):
    from portaudit.inputs.discover import discover
    from portaudit.options import Options

    (tmp_path / "archive.zip").write_bytes(M.cd_version_needed(M.DEMO_APK.read_bytes()))
    (tmp_path / "demo.apk").write_bytes(M.DEMO_APK.read_bytes())
    targets = list(discover([str(tmp_path)], Options()))
    assert sorted(t.path.rsplit("/", 1)[-1] for t in targets) == ["archive.zip", "demo.apk"]
    facts = analyze(tmp_path / "archive.zip")
    assert len(facts.listeners) >= 3  # portaudit's own zip reader ignores the version field


# Found by the last scripts/fuzz-ci run (fuzz_elf, 2026-11-28 18:23): a .plt section at address
# 0xffffffffffffffff made the native disassembly loop forever (capstone wraps instruction
# addresses at 2**64 and the loop computed its position from them), so one 5 KB library cost the
# whole per-target timeout.  Reproducer: mutate.elf64_section_addr(real .so, ".plt", 2**64 - 1).
@pytest.mark.parametrize("name", ["libserver_x86_64_O2.so", "libserver_arm64_O2.so"])
def test_plt_at_the_top_of_the_address_space(name, tmp_path):
    import subprocess
    import sys

    p = tmp_path / name
    p.write_bytes(M.elf64_section_addr((M.FIXTURES / "native" / "bin" / name).read_bytes(), ".plt",
                                       0xFFFFFFFFFFFFFFFF))
    code = ("import sys; from portaudit.inputs.native import elf; "
            "img = elf.parse(open(sys.argv[1], 'rb').read()); print(img.arch)")
    # a subprocess, so that a regression hangs only the child (killed after 120 s), not pytest
    out = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True, timeout=120,
                         check=False)
    assert out.returncode == 0 and out.stdout.strip(), out.stderr[-2000:]
    facts = analyze(p)
    H.check_messages(facts.target.errors + facts.target.notes, "analyze_target")


# Found by scripts/fuzz-ci (fuzz_elf, 2026-12-05): a library whose section table is unusable
# takes its symbols from PT_DYNAMIC; DT_HASH's nchain (the symbol count) was trusted up to
# MAX_SYMBOLS and read from the segment's bss zero-fill, then joined once per symbol, so a
# 5 KB file cost minutes.  Reproducer: a real i386 library without section headers
# (e_shnum 0), its first PT_LOAD's p_memsz raised to 0x6c702e74 (as in the crash) and nchain
# set to 0xFFFFFFFF.
def _hash_bomb() -> bytes:
    data = (M.FIXTURES / "native" / "bin" / "libserver_x86_O2.so").read_bytes()
    data = M.elf_field(data, "e_shnum", 0)
    data = M.elf32_load_memsz(data, 0, 0x6C702E74)
    return M.elf32_dynamic_word(data, 4, 4, 0xFFFFFFFF)


def test_dynamic_symbol_count_is_bounded_by_the_file():
    from portaudit.inputs.native import elf
    from portaudit.inputs.native.image import Image

    data = _hash_bomb()
    h = elf._header(data)
    img = Image(data=data, arch="x86", platform="linux")
    elf._load_segments(img, data, h)
    img.finalize()
    syms = elf._dynamic_symbols(img, data, h)
    # at most what the bytes after DT_SYMTAB (0x114, readelf -d) in the file can hold: 16 bytes each
    assert 0 < len(syms) <= (len(data) - 0x114) // 16
    # the real symbols are still read (readelf --dyn-syms on the fixture lists bind and listen)
    assert {"bind", "listen"} <= {s.name for s in syms}


def test_dynamic_symbol_bomb_still_scans(tmp_path):
    import subprocess
    import sys

    p = tmp_path / "libhash_bomb.so"
    p.write_bytes(_hash_bomb())
    code = ("import sys; from portaudit.inputs.native import elf; "
            "img = elf.parse(open(sys.argv[1], 'rb').read()); print(sorted(img.imports & {'bind', 'listen'}))")
    # a subprocess, so that a regression hangs only the child (killed after 120 s), not pytest
    out = subprocess.run([sys.executable, "-c", code, str(p)], capture_output=True, text=True, timeout=120,
                         check=False)
    assert out.returncode == 0 and out.stdout.strip() == "['bind', 'listen']", out.stderr[-2000:]
    facts = analyze(p)
    H.check_messages(facts.target.errors + facts.target.notes, "analyze_target")
