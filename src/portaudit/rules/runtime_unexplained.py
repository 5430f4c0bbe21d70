from __future__ import annotations

from ..model import Confidence, Facts, Finding, Severity
from ..model.runtime import RuntimeListener
from . import runtime_common as rt
from .base import OPEN_PORT_IDS, RuntimeRule


class RuntimeListenerUnexplained(RuntimeRule):
    """Runtime listener with no counterpart in the app's code.

    ## What
    When a device inventory is linked to a static scan of the same app
    (`portaudit device --package P --apk app.apk`, `scan app.apk --device`), a
    listener of the package that matches no static listener by port, transport or
    socket name; with `scan PATH --host`, a listener of a process whose code is
    under PATH that no finding explains. It comes from code the static scan did not
    see: dynamically loaded DEX, native code, a packed or obfuscated path, a
    library, or a process the app started.

    ## Why
    NDSS 2019 found static analysis alone sees at most ~59% of the ports apps open
    at run time. An unexplained listener deserves a closer look: its code is what
    a reviewer has not read. OWASP MASWE-0051 (beta) / MASWE-0018 (v1).

    ## Fix
    Find the code that opens the port (`/proc/<pid>/maps` for loaded DEX and .so
    files, Frida hooks on `bind`), then bind it to loopback and authenticate peers.
    """

    id = "runtime-listener-unexplained"
    order = 350
    severity = Severity.MEDIUM
    confidence = Confidence.MEDIUM
    ids = OPEN_PORT_IDS
    tags = ("runtime", "open-port", "link")

    def finding_for(self, facts: Facts, lst: RuntimeListener) -> Finding | None:
        if not lst.link or lst.link.get("matched") is not False:
            return None
        whose = lst.link.get("package") or f"code under {lst.link.get('owner')}"
        msg = (f"listener of {whose} not found by the static scan: {lst.endpoint()}"
               f"{rt.owner(lst)}; opened by dynamically loaded, native or unknown code")
        return self.finding(facts, msg, rt.location(lst), listener=lst.to_listener(),
                            evidence=rt.evidence(lst), extra=rt.extra(lst))
