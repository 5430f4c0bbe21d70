from __future__ import annotations

from collections.abc import Iterator

from ..model import Confidence, Facts, Finding, Severity
from .base import DEBUG_IDS, Rule, sdk_phrase

_WHAT = {
    "stetho": ("Stetho", "DevTools on the abstract socket @stetho_<process>_devtools_remote", Severity.MEDIUM),
    "flipper": ("Flipper", "a desktop-debugger connection with full app inspection", Severity.MEDIUM),
    "debug-db": ("Android-Debug-Database", "an HTTP server on port 8080 on all interfaces", Severity.HIGH),
    "react-native-dev": ("React Native dev support", "the Metro packager connection (8081)", Severity.MEDIUM),
    "frida-gadget": ("frida-gadget", "a Frida server (27042) that runs any script in the app", Severity.HIGH),
}


class DebugServerSdk(Rule):
    """Debugging library that opens a socket is started in the app.

    ## What
    The app initialises a debugging library that serves a socket: Stetho
    (`Stetho.initialize*`), Flipper, Android-Debug-Database (`DebugDB`), React
    Native dev support, or a bundled frida-gadget.

    ## Why
    These libraries exist to give a developer full access to the app's database,
    preferences, network traffic or code. Left in a release build, they give the
    same access to whoever reaches the socket: other apps through abstract UNIX
    sockets, or the whole Wi-Fi network for Android-Debug-Database's HTTP server.
    This is OWASP MASWE-0063 (v1), CWE-489.

    ## Fix
    Add the library only to debug builds (`debugImplementation` in Gradle) and
    initialise it from a debug-only source set, or behind `BuildConfig.DEBUG`.
    """

    id = "debug-server-sdk"
    order = 80
    severity = Severity.MEDIUM
    ids = DEBUG_IDS
    tags = ("debug", "open-port")

    def check(self, facts: Facts) -> Iterator[Finding]:
        for dbg in facts.debug:
            if dbg.kind not in _WHAT or dbg.enabled is False:
                continue
            name, serves, sev = _WHAT[dbg.kind]
            conf = Confidence.HIGH
            if dbg.gated:
                sev, conf = Severity.INFO, Confidence.MEDIUM
            detail = f" ({dbg.detail})" if dbg.detail else ""
            msg = f"{name} is started{sdk_phrase(dbg.origin)}: it serves {serves}{detail}"
            yield self.finding(facts, msg, dbg.location, severity=sev, confidence=conf,
                               origin=dbg.origin, evidence=dbg.evidence, observed=dbg.observed,
                               extra={"debug": {"kind": dbg.kind, "enabled": dbg.enabled, "gated": dbg.gated}})
