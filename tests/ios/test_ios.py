"""iOS: Mach-O (thin and universal) and IPA built with clang + ld64.lld + llvm-lipo + openssl cms."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from portaudit import scan
from portaudit.inputs.ios import analyze, macho
from portaudit.model import Bind, Target
from portaudit.options import Limits, Options

from .conftest import BIN

EXPECTED = {
    "+[AppServer startLoopback]": ("libc bind", Bind.LOOPBACK, "127.0.0.1", 8765),
    "+[AppServer startAny]": ("libc bind", Bind.ALL, "0.0.0.0", 8766),
    # server.m sets no local endpoint and no required interface: the documented default of an
    # nw_listener (Apple: nw_parameters_set_local_endpoint / nw_parameters_require_interface) is
    # every interface, and nothing in the binary can narrow it
    "+[AppServer startNetwork]": ("Network.framework nw_listener_create_with_port", Bind.ALL, None, 9100),
}


def _run(path, kind=None):
    t = Target(path=str(path), kind=kind or ("ipa" if str(path).endswith(".ipa") else "macho"))
    return t, analyze(t, Options())


def _listeners_by_slice(facts):
    out: dict[str, dict] = {}
    for lst in facts.listeners:
        out.setdefault(lst.location.file, {})[lst.location.function] = (lst.api, lst.bind, lst.address, lst.port)
    return out


def test_thin_arm64_app():
    t, facts = _run(BIN / "App")
    assert t.errors == [] and t.notes == []
    assert _listeners_by_slice(facts) == {"App": EXPECTED}
    (dbg,) = facts.debug
    assert dbg.kind == "webview-debugging" and dbg.enabled is True
    assert dbg.location.function == "+[AppServer inspect:]" and dbg.location.offset
    assert [o.sdk for o in facts.sdks] == ["GCDWebServer"]
    assert facts.app.platform == "ios"
    (b,) = facts.stats["binaries"]
    assert {"bind", "listen", "socket", "nw_listener_create_with_port"} <= set(b["imports"])


def test_universal_binary_every_slice():
    t, facts = _run(BIN / "App_universal")
    assert t.errors == []
    # one finding per call, not per slice: the file stays a path and the evidence names both slices
    assert _listeners_by_slice(facts) == {"App_universal": EXPECTED}
    assert all("arm64 slice; the same call is in the x86_64 slice" in lst.evidence for lst in facts.listeners)
    assert {b["platform"] for b in facts.stats["binaries"]} == {"ios", "macos"}


def test_ipa_plist_frameworks_entitlements():
    t, facts = _run(BIN / "App.ipa")
    assert t.errors == []
    files = {b["file"] for b in facts.stats["binaries"]}
    assert files == {"Payload/App.app/App [arm64]", "Payload/App.app/App [x86_64]",
                     "Payload/App.app/Frameworks/GCDWebServer.framework/GCDWebServer"}
    assert _listeners_by_slice(facts)["Payload/App.app/App"] == EXPECTED
    app = facts.app
    assert (app.platform, app.package, app.version_name, app.version_code) == (
        "ios", "org.portaudit.fixture", "1.0", "7")
    assert app.extra["NSLocalNetworkUsageDescription"].startswith("Serves")
    assert app.extra["NSBonjourServices"] == ["_http._tcp"]
    assert app.extra["NSAllowsLocalNetworking"] is True
    assert app.debuggable is True and app.debuggable_source == "provisioning profile"


def test_ipa_findings_through_the_pipeline():
    report = scan.run([str(BIN / "App.ipa")], Options())
    rules = {f.rule for f in report.findings}
    # server.m: startAny (all interfaces), startLoopback, startNetwork (an nw_listener, all interfaces
    # by default: nothing in the binary narrows it); Info.plist / profile: get-task-allow; setInspectable:YES
    assert {"listener-all-interfaces", "listener-loopback-unchecked", "debuggable-build", "webview-debugging"} <= rules
    f = next(f for f in report.findings if f.rule == "listener-all-interfaces")
    d = f.to_dict()
    assert d["location"]["file"].startswith("Payload/App.app/App")
    assert d["location"]["function"] == "+[AppServer startAny]"
    assert d["listener"]["port"] == 8766


def _set_cryptid(data: bytes, value: int) -> bytes:
    d = bytearray(data)
    ncmds = struct.unpack_from("<I", d, 16)[0]
    pos = 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", d, pos)
        if cmd == 0x2C:
            struct.pack_into("<I", d, pos + 16, value)
            return bytes(d)
        pos += size
    raise AssertionError("no LC_ENCRYPTION_INFO_64 in the -encryptable build")


def test_encrypted_binary_is_a_note_and_plist_still_checked(tmp_path):
    plain = (BIN / "App_encryptable").read_bytes()
    assert macho.parse(plain).encrypted is False
    enc = _set_cryptid(plain, 1)
    assert macho.parse(enc).encrypted is True
    ipa = tmp_path / "Enc.ipa"
    with zipfile.ZipFile(BIN / "App.ipa") as src, zipfile.ZipFile(ipa, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, enc if info.filename == "Payload/App.app/App" else src.read(info))
    t, facts = _run(ipa)
    assert any("encrypted: decrypt first" in n and "Payload/App.app/App" in n for n in t.notes)
    enc_listeners = [lst for lst in facts.listeners if lst.location.file == "Payload/App.app/App"]
    assert enc_listeners and all(lst.bind is Bind.UNKNOWN and "encrypted" in lst.reason for lst in enc_listeners)
    assert facts.app.package == "org.portaudit.fixture" and facts.app.debuggable is True


def test_fat_header_with_bogus_offset(tmp_path):
    d = bytearray((BIN / "App_universal").read_bytes())
    struct.pack_into(">I", d, 8 + 8, 0x7FFFFFF0)  # first slice offset
    p = tmp_path / "bogus"
    p.write_bytes(bytes(d))
    report = scan.run([str(p)], Options())
    (t,) = report.targets
    assert t.errors and "outside the file" in t.errors[0] and "\n" not in t.errors[0]


@pytest.mark.parametrize("name", ["App", "App_universal", "GCDWebServer"])
def test_truncated_and_flipped_macho_never_crash(tmp_path, name):
    import random

    data = (BIN / name).read_bytes()
    rnd = random.Random(7)
    variants = [data[:k] for k in (0, 4, 27, 31, 100, 1000, len(data) // 2, len(data) - 1)]
    for _ in range(40):
        d = bytearray(data)
        for _ in range(rnd.randint(1, 12)):
            d[rnd.randrange(min(len(d), 4096))] ^= 1 << rnd.randrange(8)
        variants.append(bytes(d))
    for i, v in enumerate(variants):
        p = tmp_path / f"{name}.{i}"
        p.write_bytes(v)
        report = scan.run([str(p)], Options())
        (t,) = report.targets
        assert all("internal error" not in e for e in t.errors), t.errors


def test_ipa_limits_and_missing_payload(tmp_path):
    z = tmp_path / "NoPayload.ipa"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("readme.txt", "hello")
    t = Target(path=str(z), kind="ipa")
    report = scan.run([str(z)], Options())
    assert "no Payload" in report.targets[0].errors[0]
    small = Options(limits=Limits(max_entry_bytes=1000))
    report = scan.run([str(BIN / "App.ipa")], small)
    assert report.targets[0].errors and "limit" in report.targets[0].errors[0]
    trunc = tmp_path / "Trunc.ipa"
    trunc.write_bytes((BIN / "App.ipa").read_bytes()[:3000])
    report = scan.run([str(trunc)], Options())
    assert all("internal error" not in e for e in report.targets[0].errors)
    del t


def test_code_signature_parser_on_real_signature():
    """ld64.lld signs arm64 macOS output ad hoc: a real SuperBlob without entitlements."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        src = f"{d}/m.c"
        Path(src).write_text("int main(void){return 0;}\n")
        subprocess.run(["clang", "-target", "arm64-apple-macos11", "-c", src, "-o", f"{d}/m.o"], check=True)
        tbd = BIN.parent / "src" / "libSystem.tbd"
        subprocess.run(["ld64.lld-14", "-arch", "arm64", "-platform_version", "macos", "11.0", "11.0",
                        "-o", f"{d}/m", f"{d}/m.o", str(tbd)], check=True)
        mo = macho.parse(Path(f"{d}/m").read_bytes())
    assert mo.entitlements == {} and mo.entitlements_error is None and mo.platform == "macos"


def test_ipa_with_xml_info_plist(tmp_path):
    from .conftest import SRC

    ipa = tmp_path / "Xml.ipa"
    with zipfile.ZipFile(BIN / "App.ipa") as src, zipfile.ZipFile(ipa, "w") as dst:
        for info in src.infolist():
            body = (SRC / "Info.plist").read_bytes() if info.filename.endswith("App.app/Info.plist") else src.read(info)
            dst.writestr(info, body)
    with zipfile.ZipFile(BIN / "App.ipa") as z:
        assert z.read("Payload/App.app/Info.plist").startswith(b"bplist")  # the committed one is binary
    t, facts = _run(ipa)
    assert t.errors == [] and facts.app.package == "org.portaudit.fixture"
    assert facts.app.extra["NSAllowsLocalNetworking"] is True
