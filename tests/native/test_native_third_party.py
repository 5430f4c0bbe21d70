"""Third-party ELF files: the pyzmq Android wheel (NDK-built libzmq) and pyelftools' test files."""

from __future__ import annotations

import subprocess

import lief
import pytest

from portaudit.inputs.native import elf, scan_elf
from portaudit.model import Bind

from .conftest import BIN, PYELF, PYZMQ


def _readelf_imports(path) -> set[str]:
    """Undefined FUNC/NOTYPE dynamic symbols, as llvm-readelf sees them."""
    # broken files: what it could read
    out = subprocess.run(["llvm-readelf", "--dyn-syms", "-W", str(path)], capture_output=True, text=True,
                         check=False).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 8 and parts[6] == "UND" and parts[3] in ("FUNC", "NOTYPE") and parts[7]:
            names.add(parts[7].split("@")[0])
    return names


def _lief_imports(path) -> set[str]:
    b = lief.ELF.parse(str(path))
    return {s.name.split("@")[0] for s in b.dynamic_symbols
            if s.shndx == 0 and s.name and s.type in (lief.ELF.Symbol.TYPE.FUNC, lief.ELF.Symbol.TYPE.NOTYPE)}


def _elf_files():
    files = sorted(p for p in BIN.iterdir() if p.read_bytes()[:4] == b"\x7fELF")
    files.append(PYZMQ)
    files += sorted(p for p in PYELF.rglob("*") if p.is_file() and p.read_bytes()[:4] == b"\x7fELF"
                    and p.name.endswith((".so", ".so.elf", ".elf"))
                    and "corrupt" not in p.name and "bogus" not in p.name)
    return files


def test_pyzmq_imports_and_unknown_addresses(third_party):
    data = PYZMQ.read_bytes()
    img = elf.parse(data)
    assert {"bind", "listen", "accept", "socket"} <= img.imports
    listeners, _, _ = scan_elf("lib/arm64-v8a/_zmq.so", data)
    binds = [lst for lst in listeners if lst.api == "libc bind"]
    assert len(binds) >= 3
    fns = {lst.location.function for lst in binds}
    assert any("tcp_listener_t" in f for f in fns) and any("ipc_listener_t" in f for f in fns)
    for lst in binds:
        # libzmq binds addresses that come from its callers (parsed endpoint strings)
        assert lst.bind is Bind.UNKNOWN and lst.reason and "comes from" in lst.reason
        assert lst.origin.sdk == "ZeroMQ"
        assert lst.location.offset and "call bind" in lst.evidence


def test_imports_agree_with_llvm_readelf_and_lief(third_party):
    checked = 0
    # lib_with_two_dynstr_sections*: the string table llvm-readelf/LIEF pick (section link vs DT_STRTAB)
    # differs on purpose in these files; they are covered by the negative test below.
    for path in [p for p in _elf_files() if "two_dynstr" not in p.name]:
        ours = elf.parse(path.read_bytes()).imports
        assert ours == _readelf_imports(path), path.name
        if path.suffix == ".so" or path.name.endswith(".so.elf"):
            assert ours == _lief_imports(path), path.name
        checked += 1
    assert checked > 30


def test_bind_call_sites_agree_with_objdump_on_pyzmq(third_party):
    out = subprocess.run(["llvm-objdump", "-d", "--no-show-raw-insn", str(PYZMQ)], capture_output=True, text=True,
                         check=True).stdout
    expected = {int(line.split(":")[0], 16) for line in out.splitlines() if "<bind@plt>" in line and "\tb" in line}
    listeners, _, _ = scan_elf("_zmq.so", PYZMQ.read_bytes())
    assert {lst.location.offset for lst in listeners if lst.api == "libc bind"} == expected


def test_pyelftools_files_are_negatives(third_party):
    """None of pyelftools' test ELFs imports bind/listen (checked with llvm-readelf): all quiet, none crash."""
    count = 0
    for path in sorted(PYELF.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data[:4] != b"\x7fELF":
            continue
        count += 1
        assert not ({"bind", "listen"} & _readelf_imports(path)), path.name
        listeners, debug, notes = scan_elf(path.name, data)
        assert listeners == [] and debug == [], path.name
        assert all(isinstance(n, str) and path.name in n for n in notes)
    assert count >= 50


@pytest.mark.parametrize("name, arch", [("simple_gcc.elf.mips", "machine-8"), ("simple_gcc.elf.riscv", "machine-243"),
                                        ("exe_solaris32_cc.sparc.elf", "machine-18+")])
def test_non_arm_architectures_are_accepted(third_party, name, arch):
    img = elf.parse((PYELF / name).read_bytes())
    assert img.arch.startswith(arch.rstrip("+")) or arch.endswith("+")
    assert img.arch not in ("arm64", "arm", "x86", "x86_64")


def test_corrupt_section_headers_give_notes_not_crashes(third_party):
    for name in ("corrupt_sh.elf", "section_header_bogus_size.elf", "x64_bad_sections.elf"):
        listeners, debug, notes = scan_elf(name, (PYELF / name).read_bytes())
        assert listeners == [] and debug == []
        assert all(name in n for n in notes)


def test_fixture_imports_match_lief():
    for p in sorted(BIN.glob("*.so")):
        assert elf.parse(p.read_bytes()).imports == _lief_imports(p), p.name


def test_fast_plt_decoder_agrees_with_capstone(third_party, monkeypatch):
    """The byte-pattern PLT decoder gives the same entry -> import map as disassembling the PLT."""
    from portaudit.inputs.native import plt

    files = sorted(p for p in BIN.glob("*.so")) + [PYZMQ]
    for p in files:
        fast = elf.parse(p.read_bytes()).stubs
        with monkeypatch.context() as m:
            m.setattr(plt, "_plt_fast", lambda *a: {})
            slow = elf.parse(p.read_bytes()).stubs
        assert fast == slow, p.name
        if p.name.startswith("libserver"):
            assert "bind" in fast.values()
    assert len(elf.parse(PYZMQ.read_bytes()).stubs) > 1000
