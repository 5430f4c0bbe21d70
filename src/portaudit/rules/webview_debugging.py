from __future__ import annotations

from collections.abc import Iterator

from ..model import Confidence, Facts, Finding, Severity
from .base import WEBVIEW_DEBUG_IDS, Rule, sdk_phrase


class WebViewDebugging(Rule):
    """WebView (or WKWebView) remote debugging switched on.

    ## What
    The code calls `WebView.setWebContentsDebuggingEnabled(true)` (Android) or sets
    `WKWebView.isInspectable = true` (iOS 16.4+). When the call only runs in debug
    builds (gated on `BuildConfig.DEBUG` or `ApplicationInfo.FLAG_DEBUGGABLE`) the
    finding is informational.

    ## Why
    With debugging on, Chrome DevTools listens on the abstract UNIX socket
    `@webview_devtools_remote_<pid>`; whoever can reach it (adb, or other code on a
    rooted device) can run JavaScript in every WebView of the app, read cookies and
    tokens, and see its traffic. This is OWASP MASWE-0074 (beta) / MASWE-0063 (v1),
    CWE-489; MASTG-TEST-0227.

    ## Fix
    Enable it only in debug builds:
    `if (0 != (getApplicationInfo().flags & ApplicationInfo.FLAG_DEBUGGABLE)) WebView.setWebContentsDebuggingEnabled(true);`
    (or `if (BuildConfig.DEBUG)`), and never set `isInspectable` in release builds.
    """  # noqa: E501 - the Fix quotes a line of Java whole (docs/rules.md shows it as written)

    id = "webview-debugging"
    order = 70
    severity = Severity.MEDIUM
    ids = WEBVIEW_DEBUG_IDS
    tags = ("debug", "webview")

    def check(self, facts: Facts) -> Iterator[Finding]:
        for dbg in facts.debug:
            if dbg.kind != "webview-debugging" or dbg.enabled is False:
                continue
            if dbg.gated:
                sev, conf, how = Severity.INFO, Confidence.MEDIUM, "only in debug builds (gated)"
            elif dbg.enabled is None:
                sev, conf, how = Severity.LOW, Confidence.LOW, "with a value the analysis could not resolve"
            else:
                sev, conf, how = Severity.MEDIUM, Confidence.HIGH, "unconditionally"
            msg = f"WebView debugging is switched on {how}{sdk_phrase(dbg.origin)}"
            yield self.finding(facts, msg, dbg.location, severity=sev, confidence=conf,
                               origin=dbg.origin, evidence=dbg.evidence, observed=dbg.observed,
                               extra={"debug": {"kind": dbg.kind, "enabled": dbg.enabled, "gated": dbg.gated}})
