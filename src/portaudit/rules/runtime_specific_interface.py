from __future__ import annotations

from ..model import Bind, Confidence, Facts, Finding, Severity
from ..model.runtime import RuntimeListener
from . import runtime_common as rt
from .base import OPEN_PORT_IDS, RuntimeRule


class RuntimeListenerSpecificInterface(RuntimeRule):
    """Live listener bound to one non-loopback interface address.

    ## What
    A TCP listening socket or bound UDP socket on one concrete address (the
    Wi-Fi address, a VPN or hotspot address), as read from the kernel's socket tables.

    ## Why
    Every machine on that interface's network can connect. Smaller than all
    interfaces, still network-facing. OWASP MASWE-0051 (beta) / MASWE-0018 (v1), CWE-1327.

    ## Fix
    Bind to loopback if only this machine needs the service; otherwise
    authenticate peers (pairing, TLS client certificates) and keep the socket open
    only while the feature is in use.
    """

    id = "runtime-listener-specific-interface"
    order = 310
    severity = Severity.MEDIUM
    ids = OPEN_PORT_IDS
    tags = ("runtime", "network", "open-port")

    def finding_for(self, facts: Facts, lst: RuntimeListener) -> Finding | None:
        if not rt.bind_is(lst, Bind.SPECIFIC) or rt.debug_endpoint(lst):
            return None
        sev, notes = rt.adjust(lst, self.severity)
        tail = f" ({'; '.join(notes)})" if notes else ""
        msg = f"listens on a specific interface: {lst.endpoint()}{rt.owner(lst)}{tail}"
        return self.finding(facts, msg, rt.location(lst), severity=sev, confidence=Confidence.HIGH,
                            listener=lst.to_listener(), evidence=rt.evidence(lst), extra=rt.extra(lst))
