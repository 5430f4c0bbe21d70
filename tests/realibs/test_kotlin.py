"""Kotlin fixtures (tests/fixtures/android/kotlin_*, kotlinc 1.3.31 -> dx, committed): what kotlinc
emits (default-argument bridges f$default(..., mask, marker), top-level functions in FileKt,
inlined const vals, lambda classes, Intrinsics null checks, synthetic accessors) resolves to the
right bind and port.  tests/dex/test_fixture_cases.py also runs these cases with the shared diff;
this checks the calls through $default bridges (two calls deep: caller -> f$default -> f) in detail."""

from __future__ import annotations

import pytest

from portaudit.inputs.dex import analyze_dex
from tests.fixtures import diff_listeners, load_cases

KOTLIN = [c for c in load_cases(include_demo=False) if c.name.startswith("kotlin_")]


def _run(case):
    return analyze_dex([(p.name, p.read_bytes()) for p in case.dex_paths])


def test_there_are_kotlin_cases():
    assert len(KOTLIN) >= 5
    for c in KOTLIN:  # really kotlinc output: the Kotlin metadata annotation is referenced
        assert b"Lkotlin/Metadata;" in c.dex_paths[0].read_bytes(), c.name


@pytest.mark.parametrize("case", KOTLIN, ids=[c.name for c in KOTLIN])
def test_kotlin_case_exact(case):
    """Exactly the listeners of expected.json, each with its chain of calls."""
    r = _run(case)
    assert r.errors == []
    assert diff_listeners(case, r.listeners) == []


def test_default_bridge_calls_are_reported_per_bridge_caller():
    """openServer() / openServer(port = 9091) / openServer(host = "0.0.0.0") call the static bridge
    openServer$default(port, backlog, host, mask, null) (Server.kt); the bridge is evaluated with
    each caller's arguments and mask, so the defaults it fills in (8090, "127.0.0.1") are resolved.
    Each is a listener at the API call in openServer, with the bridge as a wrapper hop."""
    case = next(c for c in KOTLIN if c.name == "kotlin_default_args")
    r = _run(case)
    bridged = [e for e in case.listeners if any(c.endswith("$default") for c in e.get("chain", []))]
    assert len(bridged) == 4
    got = {li.flow[-1].location.method.split("(")[0]: li for li in r.listeners if len(li.flow) == 3}
    for e in bridged:
        lst = got[e["chain"][-1].rsplit(".", 1)[1]]
        assert [h.role for h in lst.flow] == ["api", "wrapper", "caller"]
        bridge = e["chain"][0].rsplit(".", 1)[1]
        assert f";->{bridge}(" in lst.flow[-1].location.snippet  # the caller's invoke is the bridge call
        assert (lst.bind.value, lst.port) == (e["bind"], e["port"])
    # the bridge itself is not a listener of its own
    assert not [li for li in r.listeners if li.location.method.split("(")[0].endswith("$default")]


def test_intrinsics_null_check_does_not_hide_the_parameter():
    """named(host) starts with Intrinsics.checkParameterIsNotNull(host, "host"); the host is still a
    parameter resolved at the caller (loopback 127.0.0.1)."""
    case = next(c for c in KOTLIN if c.name == "kotlin_any_val")
    assert b"checkParameterIsNotNull" in case.dex_paths[0].read_bytes()
    r = _run(case)
    (lst,) = [li for li in r.listeners if li.via and "named" in li.via]
    assert (lst.bind.value, lst.address, lst.port) == ("loopback", "127.0.0.1", 8095)
