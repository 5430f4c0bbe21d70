"""Info.plist values of unexpected types (issue 14): a note each, and the rest of the IPA analysed.

The IPAs are built here from the real fixture App.ipa (clang + ld64.lld, tests/fixtures/ios/build.sh)
with its Info.plist replaced by one written with plistlib; each is scanned through the CLI beside
the good demo APK, in every format.  Expected listeners: tests/fixtures/ios/src/server.m binds
127.0.0.1:8765 (startLoopback) and 0.0.0.0:8766 (startAny).
"""

from __future__ import annotations

import json
import plistlib
import struct
import zipfile
from pathlib import Path

import pytest

from portaudit.inputs.ios.plist import typed_info_plist

from . import cli
from .conftest import ROOT

IPA = ROOT / "tests" / "fixtures" / "ios" / "bin" / "App.ipa"
PLIST = "Payload/App.app/Info.plist"
REAL = plistlib.loads(zipfile.ZipFile(IPA).read(PLIST))  # the fixture's own values (src/Info.plist)


def _ipa(path: Path, plist_bytes: bytes) -> Path:
    src = zipfile.ZipFile(IPA)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = plist_bytes if info.filename == PLIST else src.read(info.filename)
            z.writestr(zipfile.ZipInfo(info.filename, info.date_time), data)
    return path


def _cyclic_bonjour() -> bytes:
    """A binary plist whose NSBonjourServices array contains itself: plistlib writes the array with
    one string, then the array's one object reference is pointed at the array's own object."""
    real = dict(REAL, NSBonjourServices=["_cycle._tcp"])
    data = bytearray(plistlib.dumps(real, fmt=plistlib.FMT_BINARY))
    off_size, ref_size, count, _top, table = struct.unpack(">6xBBQQQ", data[-32:])
    offsets = [int.from_bytes(data[table + i * off_size:table + (i + 1) * off_size], "big")
               for i in range(count)]
    arrays = [(i, o) for i, o in enumerate(offsets) if data[o] == 0xA1]  # array marker, one element
    assert len(arrays) == 1 and ref_size == 1, "plistlib's layout changed"
    index, at = arrays[0]
    data[at + 1] = index
    val = plistlib.loads(bytes(data))
    assert val["NSBonjourServices"][0] is val["NSBonjourServices"]  # really a cycle
    return bytes(data)


CASES = {
    # name: (Info.plist bytes, words the note must contain)
    "bonjour-int": (plistlib.dumps(dict(REAL, NSBonjourServices=[1, "_x._tcp"]), fmt=plistlib.FMT_BINARY),
                    ("NSBonjourServices", "item 0 is an integer")),
    "usage-data": (plistlib.dumps(dict(REAL, NSLocalNetworkUsageDescription=b"\x00\x01")),
                   ("NSLocalNetworkUsageDescription", "is data")),
    "bonjour-cycle": (_cyclic_bonjour(), ("NSBonjourServices", "item 0 is an array")),
    "ats-string": (plistlib.dumps(dict(REAL, NSAppTransportSecurity="yes", CFBundleIdentifier={"x": 1})),
                   ("NSAppTransportSecurity is a string",)),
}


def test_typed_values_keep_the_good_items():
    """Unit level: the string of a mixed array is kept, the integer is a note."""
    info = typed_info_plist({"NSBonjourServices": [1, "_x._tcp"], "CFBundleIdentifier": b"id",
                             "NSAppTransportSecurity": {"NSAllowsArbitraryLoads": 1,
                                                        "NSAllowsLocalNetworking": True}}, "Info.plist")
    assert info.values["NSBonjourServices"] == ("_x._tcp",)
    assert info.string("CFBundleIdentifier") is None
    assert info.ats == {"NSAllowsLocalNetworking": True}
    assert info.cleartext() is None  # an ill-typed NSAllowsArbitraryLoads is unknown, not false
    only_local = typed_info_plist({"NSAppTransportSecurity": {"NSAllowsLocalNetworking": True}}, "p")
    assert only_local.cleartext() is False
    assert len(info.notes) == 3, info.notes
    assert typed_info_plist([1, 2], "Info.plist").notes == ("Info.plist: the top level is an array, not a "
                                                            "dictionary; its keys are ignored",)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("plist")
    ipas = {name: _ipa(d / f"{name}.ipa", data) for name, (data, _words) in CASES.items()}
    together = {fmt: cli.scan([cli.DEMO_APK, *ipas.values()], fmt, d) for fmt in cli.FORMATS}
    solo = cli.scan([cli.DEMO_APK], "json", d, name="solo")
    return ipas, together, solo


def test_every_format_is_written_without_a_crash(runs):
    _ipas, together, _solo = runs
    for fmt, run in together.items():
        cli.check_clean(run, fmt)


def test_good_apk_findings_equal_a_solo_scan(runs):
    _ipas, together, solo = runs
    both = json.loads(together["json"].report)
    alone = json.loads(solo.report)
    want = cli.findings_of(alone, str(cli.DEMO_APK))
    assert want, "the demo APK has findings (its expected.json)"
    assert cli.findings_of(both, str(cli.DEMO_APK)) == want


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_value_is_a_note_and_the_binary_is_still_scanned(runs, name):
    ipas, together, _solo = runs
    report = json.loads(together["json"].report)
    t = cli.target_of(report, ipas[name])
    assert t["errors"] == [], t["errors"]
    words = CASES[name][1]
    assert any(all(w in n for w in words) for n in t["notes"]), t["notes"]
    listeners = {(f["listener"]["bind"], f["listener"]["address"], f["listener"]["port"])
                 for f in report["findings"] if f["target"] == str(ipas[name]) and f.get("listener")}
    assert ("loopback", "127.0.0.1", 8765) in listeners and ("all-interfaces", "0.0.0.0", 8766) in listeners


def test_the_good_bonjour_item_is_still_reported(runs):
    """NSBonjourServices = [1, "_x._tcp"]: the string item reaches the ios-local-network rule."""
    ipas, together, _solo = runs
    report = json.loads(together["json"].report)
    msgs = [f["message"] for f in report["findings"]
            if f["target"] == str(ipas["bonjour-int"]) and f["rule"] == "ios-local-network"]
    assert msgs and "_x._tcp" in msgs[0], msgs
