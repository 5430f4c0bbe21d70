"""iOS listeners through libraries and frameworks, in Mach-O built by clang + ld64.lld-14.

Sources: tests/fixtures/ios/src/listeners.m, restricted.m, client.m, appex.m (the expected result of
each method is written above it there, from the library's documented behaviour: the `source` of each
catalogue entry in catalog/ios.toml); build: tests/fixtures/ios/build.sh.
"""

from __future__ import annotations

import pytest

from portaudit.inputs.ios import analyze, scan_macho
from portaudit.inputs.ios.swift import spec_for
from portaudit.inputs.native.catalog import CatalogError, catalog, load_file, validate
from portaudit.model import Bind, Facts, Target
from portaudit.options import Options

from .conftest import ROOT

BIN = ROOT / "tests" / "fixtures" / "ios" / "bin"
ALL, LOOP, SPEC, UNK = Bind.ALL, Bind.LOOPBACK, Bind.SPECIFIC, Bind.UNKNOWN

# listeners.m, method -> (api, transport, bind, address, port)
LISTENERS = {
    "+[Listeners asyncAny]": ("CocoaAsyncSocket GCDAsyncSocket acceptOnPort:error:", "tcp", ALL, None, 8081),
    "+[Listeners asyncLoopback]": ("CocoaAsyncSocket GCDAsyncSocket acceptOnInterface:port:error:", "tcp", LOOP,
                                   "localhost", 8082),
    "+[Listeners asyncSpecific]": ("CocoaAsyncSocket GCDAsyncSocket acceptOnInterface:port:error:", "tcp", SPEC,
                                   "192.168.1.20", 8083),
    "+[Listeners asyncNil]": ("CocoaAsyncSocket GCDAsyncSocket acceptOnInterface:port:error:", "tcp", ALL, None, 8084),
    "+[Listeners udpAny]": ("CocoaAsyncSocket GCDAsyncUdpSocket bindToPort:error:", "udp", ALL, None, 5353),
    "+[Listeners udpLoopback]": ("CocoaAsyncSocket GCDAsyncUdpSocket bindToPort:interface:error:", "udp", LOOP,
                                 "loopback", 5354),
    "+[Listeners webPort]": ("GCDWebServer startWithPort:bonjourName:", "tcp", ALL, None, 8085),
    "+[Listeners webOptions:]": ("GCDWebServer startWithOptions:error:", "tcp", ALL, None, None),
    "+[Listeners criollo]": ("Criollo CRServer startListening:portNumber:", "tcp", ALL, None, 10782),
    "+[Listeners criolloLocal]": ("Criollo CRServer startListening:portNumber:interface:", "tcp", LOOP,
                                  "127.0.0.1", 10783),
    "+[Listeners cfsocket]": ("CoreFoundation CFSocketSetAddress", "tcp", LOOP, "127.0.0.1", 8086),
    "+[Listeners network:queue:]": ("Network.framework NWListener(using:on:)", "tcp", ALL, None, 8087),
    "+[Listeners swifter]": ("Swifter HttpServer", "tcp", UNK, None, None),
}
RESTRICTED = {
    "+[Restricted network:endpoint:]": ("Network.framework NWListener(using:on:)", "tcp", UNK, None, 8088),
    "+[Restricted web:]": ("GCDWebServer startWithOptions:error:", "tcp", UNK, None, None),
}


def _scan(name: str) -> Facts:
    facts = Facts(target=Target(path=name, kind="macho"))
    scan_macho(name, (BIN / name).read_bytes(), facts)
    assert facts.target.errors == []
    return facts


def _by_function(facts: Facts) -> dict[str, tuple]:
    out = {}
    for lst in facts.listeners:
        assert lst.location.function not in out, lst.location.function  # one listener per method
        out[lst.location.function] = (lst.api, lst.transport, lst.bind, lst.address, lst.port)
    return out


@pytest.mark.parametrize("name", ["Listeners_arm64.dylib", "Listeners_x86_64.dylib"])
def test_library_listeners_resolved_at_the_call(name):
    assert _by_function(_scan(name)) == LISTENERS


def test_defaults_say_why_and_how_to_fix():
    facts = _scan("Listeners_arm64.dylib")
    by = {lst.location.function: lst for lst in facts.listeners}
    nw = by["+[Listeners network:queue:]"]
    assert "requiredLocalEndpoint" in nw.reason and "is in this binary" in nw.reason
    assert "fix: Set parameters.requiredInterfaceType = .loopback" in nw.evidence
    assert "default 8080" in by["+[Listeners swifter]"].reason  # Swifter's start(_:) default
    assert by["+[Listeners asyncLoopback]"].reason is None  # given, not defaulted


def test_apis_that_narrow_the_default_make_it_unknown():
    facts = _scan("restricted.dylib")
    assert _by_function(facts) == RESTRICTED
    by = {lst.location.function: lst for lst in facts.listeners}
    assert "$s7Network12NWParametersC21requiredLocalEndpoint" in by["+[Restricted network:endpoint:]"].reason
    assert "GCDWebServerOption_BindToLocalhost" in by["+[Restricted web:]"].reason


def test_clients_are_not_listeners():
    """client.m: GCDAsyncSocket connectToHost:onPort:, CFSocketConnectToAddress, nw_connection_create,
    NWConnection(to:using:)."""
    assert _scan("client.dylib").listeners == []


def test_every_macho_of_the_ipa_is_scanned():
    """Debug.ipa (build.sh): the app's code in Xcode's Dbg.debug.dylib, and an app extension."""
    t = Target(path=str(BIN / "Debug.ipa"), kind="ipa")
    facts = analyze(t, Options())
    assert t.errors == []
    files = {b["file"] for b in facts.stats["binaries"]}
    assert files == {"Payload/Dbg.app/Dbg", "Payload/Dbg.app/Dbg.debug.dylib",
                     "Payload/Dbg.app/PlugIns/Share.appex/Share",
                     "Payload/Dbg.app/Frameworks/GCDWebServer.framework/GCDWebServer"}
    in_dylib = {lst.location.function: (lst.api, lst.transport, lst.bind, lst.address, lst.port)
                for lst in facts.listeners if lst.location.file == "Payload/Dbg.app/Dbg.debug.dylib"}
    assert in_dylib == LISTENERS
    (appex,) = [lst for lst in facts.listeners if lst.location.file.endswith("Share.appex/Share")]
    assert (appex.api, appex.bind, appex.port) == ("CocoaAsyncSocket GCDAsyncSocket acceptOnPort:error:", ALL, 9099)


def test_swift_names_match_the_most_specific_entry():
    init_using_on = "$s7Network10NWListenerC5using2onAcA12NWParametersC_AA10NWEndpointO4PortVtKcfC"
    assert spec_for(init_using_on).api == "Network.framework NWListener(using:on:)"
    spec = spec_for("$s7Network10NWListenerC5usingAcA12NWParametersC_tKcfC")
    assert spec.api == "Network.framework NWListener(using:)"
    # the start(queue:) method and getters are not listeners by themselves
    assert spec_for("$s7Network10NWListenerC5start5queueySo012OS_dispatch_D0C_tF") is None
    assert spec_for("$s7Network10NWListenerC4portAA10NWEndpointO4PortVSgvg") is None


def test_catalogue_schema_rejects_a_typo():
    assert catalog()["objc_listener"] and catalog()["swift_listener"] and catalog()["listener"]
    good = load_file("ios.toml")
    bad = {"objc_listener": [dict(good["objc_listener"][0], port_argument=2)]}
    with pytest.raises(CatalogError, match="unknown key 'port_argument'"):
        validate("ios.toml", bad)
    with pytest.raises(CatalogError, match="unknown kind 'sockadr'"):
        validate("native.toml", {"listener": [{"name": "bind", "api": "libc bind", "kind": "sockadr"}]})
    with pytest.raises(CatalogError, match="unknown table"):
        validate("native.toml", {"listeners": []})
    with pytest.raises(CatalogError, match="'port_arg' must be a int"):
        validate("native.toml", {"listener": [{"name": "x", "api": "x", "kind": "port", "port_arg": "1"}]})
