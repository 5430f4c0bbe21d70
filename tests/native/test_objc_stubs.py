"""Objective-C sends through Xcode 14+ selector stubs (``__TEXT,__objc_stubs``).

Sources: tests/fixtures/ios/src/stubs.m (the expected result of each method is written above it,
from the catalogue's documented library defaults) and objc_stubs.s (ld64's 32-byte stub layout);
build: tests/fixtures/ios/build.sh (clang + ld64.lld-14, local symbols stripped by llvm-strip).
LIEF, an independent Mach-O reader, confirms what the binary holds: the stub section with one
32-byte stub per selector, and no symbol naming a stub (the analysis cannot lean on names)."""

from __future__ import annotations

import lief

from portaudit.inputs.ios import scan_macho
from portaudit.model import Bind, Facts, Target

from .conftest import ROOT

DYLIB = ROOT / "tests" / "fixtures" / "ios" / "bin" / "Stubs_arm64.dylib"
# stubs.m: (api, bind, address, port) of each stubbed send
EXPECTED = sorted([
    ("CocoaAsyncSocket GCDAsyncSocket acceptOnPort:error:", Bind.ALL, None, 9081),
    ("CocoaAsyncSocket GCDAsyncSocket acceptOnInterface:port:error:", Bind.LOOPBACK, "localhost", 9082),
    ("GCDWebServer startWithPort:bonjourName:", Bind.ALL, None, 9083),
])


def test_the_binary_holds_stubs_and_no_stub_names():
    binary = lief.MachO.parse(str(DYLIB)).at(0)
    (stubs,) = [s for s in binary.sections if s.name == "__objc_stubs"]
    assert stubs.segment_name == "__TEXT" and stubs.size == 3 * 32
    names = [s.name for s in binary.symbols]
    assert "_objc_msgSend" in names  # what the stubs jump to
    assert not [n for n in names if "objc_msgSend$" in n]


def test_sends_through_selector_stubs_are_listeners():
    facts = Facts(target=Target(path=DYLIB.name, kind="macho"))
    scan_macho(DYLIB.name, DYLIB.read_bytes(), facts)
    assert facts.target.errors == []
    got = sorted((lst.api, lst.bind, lst.address, lst.port) for lst in facts.listeners)
    assert got == EXPECTED
    for lst in facts.listeners:
        assert "(selector stub objc_msgSend$" in lst.evidence
