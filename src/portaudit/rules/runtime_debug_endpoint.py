from __future__ import annotations

from ..model import Bind, Confidence, Facts, Finding, Severity
from ..model.runtime import RuntimeListener
from . import runtime_common as rt
from .base import DEBUG_IDS, RuntimeRule


class RuntimeDebugEndpoint(RuntimeRule):
    """Live debug endpoint: JDWP, DevTools or adb answering without credentials.

    ## What
    A listener that is a debugging service: a probe got the JDWP handshake echo,
    a Chrome DevTools `/json/version` answer, an adb host-protocol `OKAY` or an
    adb daemon `CNXN`; or an abstract UNIX socket with a DevTools name
    (`@webview_devtools_remote_<pid>`, `@stetho_<process>_devtools_remote`,
    `@chrome_devtools_remote`). High when reachable beyond loopback, medium otherwise.

    ## Why
    These services exist to give a developer full control: a JDWP debugger runs
    any code in the app, DevTools reads and scripts every page and cookie, adb
    runs shell commands. None of them authenticates the peer. OWASP MASWE-0063
    (v1) / MASWE-0067 and MASWE-0074 (beta), CWE-489.

    ## Fix
    Ship release builds: `android:debuggable="false"`, call
    `WebView.setWebContentsDebuggingEnabled(true)` only when `FLAG_DEBUGGABLE` is set,
    add Stetho/Flipper as `debugImplementation` only, and never start a JVM with
    `-agentlib:jdwp` or a browser with `--remote-debugging-port` outside a developer machine.
    """

    id = "runtime-debug-endpoint"
    order = 330
    severity = Severity.MEDIUM
    ids = DEBUG_IDS
    tags = ("runtime", "debug", "open-port")

    def finding_for(self, facts: Facts, lst: RuntimeListener) -> Finding | None:
        what = rt.debug_endpoint(lst)
        if not what:
            return None
        network = lst.transport != "unix" and lst.bind in (Bind.ALL, Bind.SPECIFIC)
        sev = Severity.HIGH if network else Severity.MEDIUM
        where = "reachable from the network" if network else (
            "any app on the device can connect" if facts.target.kind == "device" else "local only")
        msg = f"{what} endpoint: {lst.endpoint()}{rt.owner(lst)}; {where}"
        conf = Confidence.HIGH if lst.probe and lst.probe.get("protocol") else Confidence.MEDIUM
        return self.finding(facts, msg, rt.location(lst), severity=sev, confidence=conf,
                            listener=lst.to_listener(), evidence=rt.evidence(lst), extra=rt.extra(lst))
