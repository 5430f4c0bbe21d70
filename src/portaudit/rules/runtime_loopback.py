from __future__ import annotations

from ..model import Bind, Confidence, Facts, Finding, Severity
from ..model.runtime import RuntimeListener
from . import runtime_common as rt
from .base import OPEN_PORT_IDS, RuntimeRule


class RuntimeLoopbackListener(RuntimeRule):
    """Live loopback listener that any local app or process can connect to.

    ## What
    A TCP listening socket or bound UDP socket on `127.0.0.1` / `::1`. On an
    Android device, when it belongs to an app (UID 10000 and above), every other
    app with the INTERNET permission can connect to it (medium); on a host, or for
    system UIDs, any local process can (low). With `--probe`, a service that
    answers without credentials is reported one level higher and one that asks for
    credentials drops to info.

    ## Why
    Loopback keeps other machines out, but not other apps: the 2025 "localhost
    tracking" by Meta Pixel and Yandex Metrica used exactly such ports to link web
    browsing to app identities. OWASP MASWE-0051 (beta) / MASWE-0018 (v1), CWE-306.

    ## Fix
    Authenticate every connection (a random per-session secret handed over a
    private channel, or TLS client certificates), or replace the socket with a
    bound service / `ContentProvider` protected by a signature permission.
    """

    id = "runtime-loopback-listener"
    order = 320
    severity = Severity.MEDIUM
    ids = OPEN_PORT_IDS
    tags = ("runtime", "network", "open-port", "authentication")

    def finding_for(self, facts: Facts, lst: RuntimeListener) -> Finding | None:
        on_device = facts.target.kind == "device"
        if not rt.bind_is(lst, Bind.LOOPBACK) or rt.debug_endpoint(lst):
            return None
        app = on_device and rt.is_app(lst)
        sev = Severity.MEDIUM if app else Severity.LOW
        who = "any app on the device can connect" if app else "any local process can connect"
        probe = lst.probe or {}
        if probe.get("requires_auth") is True:
            sev, who = Severity.INFO, f"requires authentication ({probe.get('evidence')})"
        elif probe.get("requires_auth") is False:
            sev = Severity(min(Severity.HIGH, sev + 1))
            who += f"; answers without authentication ({probe.get('evidence')})"
        msg = f"loopback listener: {lst.endpoint()}{rt.owner(lst)}; {who}"
        return self.finding(facts, msg, rt.location(lst), severity=sev, confidence=Confidence.HIGH,
                            listener=lst.to_listener(), evidence=rt.evidence(lst), extra=rt.extra(lst))
