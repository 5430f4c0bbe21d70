"""Rules turn facts into findings with the right severity, confidence and identifiers."""

from portaudit import rules
from portaudit.model import (AppInfo, Bind, Confidence, DebugService, Facts, Listener, Location,
                             Origin, Severity, Target)


def _facts(*listeners, debug=(), app=None, sdks=()):
    return Facts(target=Target(path="x.apk", kind="apk"), listeners=list(listeners),
                 debug=list(debug), app=app, sdks=list(sdks))


def _lst(bind, **kw):
    loc = Location(file="classes.dex", class_="com.example.Server", method="start()", offset=4)
    return Listener(api="java.net.ServerSocket(int)", transport=kw.pop("transport", "tcp"),
                    bind=bind, location=loc, **kw)


def _by_rule(findings):
    return {f.rule: f for f in findings}


def test_all_interfaces_is_high_and_guarded_is_medium():
    plain = _by_rule(rules.evaluate(_facts(_lst(Bind.ALL, port=8080, address="0.0.0.0"))))
    f = plain["listener-all-interfaces"]
    assert f.severity is Severity.HIGH and f.confidence is Confidence.HIGH
    assert f.ids.maswe_beta == "MASWE-0051" and f.ids.maswe == "MASWE-0018"
    assert "CWE-1327" in f.ids.cwe
    assert "0.0.0.0:8080" in f.message
    guarded = _by_rule(rules.evaluate(_facts(_lst(Bind.ALL, port=8080, guards=["getInetAddress"]))))
    assert guarded["listener-all-interfaces"].severity is Severity.MEDIUM


def test_conditional_with_wildcard_outcome_is_medium_confidence():
    lst = _lst(Bind.CONDITIONAL, port=1, alternatives=["all-interfaces", "loopback"])
    f = _by_rule(rules.evaluate(_facts(lst)))["listener-all-interfaces"]
    assert f.confidence is Confidence.MEDIUM
    assert "all-interfaces or loopback" in f.message


def test_loopback_without_guard_fires_and_with_guard_does_not():
    assert "listener-loopback-unchecked" in _by_rule(rules.evaluate(_facts(_lst(Bind.LOOPBACK, port=1))))
    quiet = rules.evaluate(_facts(_lst(Bind.LOOPBACK, port=1, guards=["isLoopbackAddress"])))
    assert quiet == []


def test_unknown_and_unix_and_specific():
    found = _by_rule(rules.evaluate(_facts(
        _lst(Bind.UNKNOWN, reason="address comes from field"),
    )))
    assert found["listener-unresolved-address"].confidence is Confidence.LOW
    assert "address comes from field" in found["listener-unresolved-address"].message
    unix = _by_rule(rules.evaluate(_facts(_lst(Bind.UNIX, transport="unix", address="@sock"))))
    assert "local-socket-unchecked" in unix
    spec = _by_rule(rules.evaluate(_facts(_lst(Bind.SPECIFIC, address="192.168.1.5", port=9))))
    assert spec["listener-specific-interface"].severity is Severity.MEDIUM


def test_debuggable_and_webview_gating():
    app = AppInfo(package="com.example", debuggable=True, debuggable_source="literal")
    loc = Location(file="classes.dex", class_="com.example.Main", method="onCreate()")
    on = DebugService(kind="webview-debugging", enabled=True, location=loc)
    gated = DebugService(kind="webview-debugging", enabled=True, gated=True, location=loc)
    off = DebugService(kind="webview-debugging", enabled=False, location=loc)
    found = rules.evaluate(_facts(debug=[on, gated, off], app=app))
    sev = sorted((f.rule, f.severity) for f in found)
    assert sev == [("debuggable-build", Severity.HIGH), ("webview-debugging", Severity.INFO),
                   ("webview-debugging", Severity.MEDIUM)]


def test_sdk_confidence_depends_on_listener():
    origin = Origin(kind="library", sdk="Facebook Audience Network", package="com.facebook.ads")
    lonely = rules.evaluate(_facts(sdks=[origin]))
    assert [f.confidence for f in lonely] == [Confidence.LOW]
    lst = _lst(Bind.LOOPBACK, port=0, origin=origin)
    both = _by_rule(rules.evaluate(_facts(lst, sdks=[origin])))
    assert both["sdk-opens-port"].confidence is Confidence.HIGH
    assert "Facebook Audience Network" in both["listener-loopback-unchecked"].message


def test_fingerprint_ignores_offset_and_dex_file():
    a = _lst(Bind.ALL, port=8080)
    b = _lst(Bind.ALL, port=8080)
    b.location.offset, b.location.file = 99, "classes7.dex"
    fa = rules.evaluate(_facts(a))[0].fingerprint
    fb = rules.evaluate(_facts(b))[0].fingerprint
    assert fa == fb
    c = _lst(Bind.ALL, port=8081)
    assert rules.evaluate(_facts(c))[0].fingerprint != fa
