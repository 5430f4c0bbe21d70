"""Listeners opened through real server libraries keep their bind class, port and library after
ProGuard shrinking and obfuscation (issue 17).

Oracles: observed.json (the sockets the very jar that was dexed opened when run on the JVM,
read from /proc by observe.py), ProGuard's mapping.txt (which renamed class and method is which
original), and the Java sources under apps/ (expected.json).  Nothing here comes from
portaudit's own output.
"""

from __future__ import annotations

import pytest

from portaudit.inputs.dex import analyze_dex
from portaudit.model import Bind

from .conftest import (
    BUILDS, OBFUSCATED, OBFUSCATED_BUILDS, VARIANTS, dex_blobs, expected, observed, read_mapping,
)

_ANY = {"::", "0.0.0.0"}


def _bind_of_observed(address: str) -> str:
    # /proc shows the address the kernel bound: the wildcard or a loopback address
    return Bind.ALL.value if address in _ANY else (Bind.LOOPBACK.value if address.startswith("127.") else "specific")


@pytest.fixture(scope="module")
def results(built):
    return {(a, v): analyze_dex(dex_blobs(built / a / v / "classes.dex.jar")) for a, v in BUILDS}


@pytest.mark.parametrize("app,variant", BUILDS)
def test_each_observed_listener_is_reported_with_its_bind_port_and_library(app, variant, built, results):
    res = results[(app, variant)]
    assert not res.errors
    seen = observed(built, app, variant)
    exp = {(e["transport"], e["port"]): e for e in expected(app)}
    # the oracle and the sources agree on what listens (the build ran the jar)
    assert sorted((o["proto"], o["port"]) for o in seen) == sorted(exp)
    got = {(lst.transport, lst.port): lst for lst in res.listeners}
    assert len(res.listeners) == len(seen), [(x.api, x.location.class_, x.port) for x in res.listeners]
    for o in seen:
        lst = got.get((o["proto"], o["port"]))
        assert lst is not None, o
        e = exp[(o["proto"], o["port"])]
        assert lst.bind.value == _bind_of_observed(o["address"]) == e["bind"]
        assert lst.address == e["address"]
        assert lst.origin.kind == "app"  # the app's own call into the library
        assert lst.origin.sdk == e["library"]
        assert 0.5 <= lst.origin.confidence <= 1.0


@pytest.mark.parametrize("app,variant", OBFUSCATED_BUILDS)
def test_findings_sit_at_the_app_methods_that_open_them(app, variant, built, results):
    mapping = read_mapping(built / app / variant / "mapping.txt")
    where = {(lst.transport, lst.port): mapping.original_method(lst.location.class_, lst.location.method)
             for lst in results[(app, variant)].listeners}
    kept = {f"{c}.{n}" for c, n, _o, _d in mapping.methods}
    for e in expected(app):
        if e["method"] in kept:
            assert where[(e["transport"], e["port"])] == e["method"]
        else:  # the optimiser inlined it (mapping.txt no longer lists it): the call is in a caller
            assert where[(e["transport"], e["port"])].startswith(e["method"].rsplit(".", 1)[0] + ".")


@pytest.mark.parametrize("app,variant", OBFUSCATED_BUILDS)
def test_every_matched_class_is_the_class_proguard_renamed(app, variant, built, results):
    """Precision against mapping.txt: no app class is taken for a library class it is not."""
    from portaudit.libmatch import match_libraries, shipped
    from portaudit import catalog
    from portaudit.inputs.dex.parser import DexFile

    mapping = read_mapping(built / app / variant / "mapping.txt")
    original = mapping.original
    dexes = [DexFile(b, n) for n, b in dex_blobs(built / app / variant / "classes.dex.jar")]
    m = match_libraries(dexes, shipped(), catalog.android_apis())
    assert m.renamed, "nothing was matched"
    for app_desc, hit in m.classes.items():
        obf = app_desc[1:-1].replace("/", ".")
        assert original.get(obf, obf) == hit.original[1:-1].replace("/", "."), app_desc


@pytest.mark.parametrize("variant", OBFUSCATED)
def test_without_profiles_the_obfuscated_listener_loses_its_port(variant, built):
    """The state issue 17 describes, kept as a control: with matching off, only the bind inside
    renamed Netty is found, as app code, without a port."""
    res = analyze_dex(dex_blobs(built / "netty" / variant / "classes.dex.jar"), profiles=())
    assert res.listeners
    assert all(lst.port is None and lst.origin.sdk is None for lst in res.listeners)


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_lookalike_class_is_not_taken_for_the_library(variant, built, results):
    """app.lookalike.Bootstrap has ServerBootstrap's method shapes and some of its strings, but
    other code: alone (no Netty) and next to real Netty, it matches nothing and its bind(18090)
    is no listener (observed.json of the look-alike app is empty)."""
    assert observed(built, "lookalike", variant) == []
    assert results[("lookalike", variant)].listeners == []
    assert not any(lst.port in (18090, 18091, 18092) for lst in results[("netty", variant)].listeners)
    if variant != "plain":
        mapping = read_mapping(built / "netty" / variant / "mapping.txt")
        fake = "L" + mapping.classes["app.lookalike.Bootstrap"].replace(".", "/") + ";"
        from portaudit import catalog
        from portaudit.inputs.dex.parser import DexFile
        from portaudit.libmatch import match_libraries, shipped

        dexes = [DexFile(b, n) for n, b in dex_blobs(built / "netty" / variant / "classes.dex.jar")]
        assert fake not in match_libraries(dexes, shipped(), catalog.android_apis()).classes


@pytest.mark.parametrize("app", ("netty", "jetty", "mina"))
def test_unobfuscated_library_code_is_named_with_version_and_confidence(app, results):
    for lst in results[(app, "plain")].listeners:
        assert lst.origin.version is not None and lst.origin.confidence is not None
    # not renamed: the profile's own version is the closest, with a high similarity
    assert all(lst.origin.confidence >= 0.9 for lst in results[(app, "plain")].listeners)


@pytest.mark.parametrize("app", ("netty", "jetty", "mina"))
def test_whole_pipeline_rules_on_the_obfuscated_apps(app, built):
    """scan.run (container, DEX engine with the shipped profiles, rules) on each obfuscated
    variant: all-interfaces listeners are listener-all-interfaces, loopback ones are
    listener-loopback-unchecked (oracle: observed.json), never the reverse and never unresolved."""
    from portaudit import scan
    from portaudit.options import Options

    for variant in [v for a, v in OBFUSCATED_BUILDS if a == app]:
        rep = scan.run([str(built / app / variant / "classes.dex.jar")], Options())
        assert not rep.targets[0].errors
        rules = {(f.listener.transport, f.listener.port): f.rule for f in rep.findings if f.listener}
        want = {(o["proto"], o["port"]): ("listener-all-interfaces" if o["address"] in _ANY
                                          else "listener-loopback-unchecked")
                for o in observed(built, app, variant)}
        assert rules == want, variant
