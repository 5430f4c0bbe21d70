from __future__ import annotations

from ..model import Bind, Confidence, Facts, Finding, Severity
from ..model.runtime import RuntimeListener
from . import runtime_common as rt
from .base import OPEN_PORT_IDS, RuntimeRule, _first_paragraph


class RuntimeListenerAllInterfaces(RuntimeRule):
    """Live listener bound to all network interfaces.

    ## What
    A process on the device or host has a TCP listening socket, or a bound UDP
    socket, on the wildcard address (`0.0.0.0` or `::`), as read from the kernel's
    socket tables. When `--probe`, `--reach` or the firewall reader ran, the
    finding says whether the service asked for credentials, whether a connection
    from another interface was accepted, and whether inbound traffic is filtered.

    ## Why
    This is the ground truth behind the static `listener-all-interfaces` rule: the
    port is really open to every network the machine is on (other devices on the
    same Wi-Fi, a hotspot, a VPN). Static analysis misses many such ports (dynamic
    code loading, native daemons, obfuscation). This is OWASP MASWE-0051 (beta) /
    MASWE-0018 (v1), CWE-1327.

    ## Fix
    Bind the service to loopback unless other machines must connect; then
    authenticate every connection (a per-session token, TLS with client
    certificates) and close the socket when the feature is not in use. On a host
    you control, a packet-filter rule limiting the port to loopback or an
    allow-list is a stop-gap (the finding prints one).
    """

    id = "runtime-listener-all-interfaces"
    order = 300
    severity = Severity.HIGH
    ids = OPEN_PORT_IDS
    tags = ("runtime", "network", "open-port")

    def finding_for(self, facts: Facts, lst: RuntimeListener) -> Finding | None:
        if not rt.bind_is(lst, Bind.ALL) or rt.debug_endpoint(lst):
            return None
        sev, notes = rt.adjust(lst, self.severity)
        tail = f" ({'; '.join(notes)})" if notes else ""
        msg = f"listens on all interfaces: {lst.endpoint()}{rt.owner(lst)}{tail}"
        fix = None
        suggestion = (lst.firewall or {}).get("suggestion")
        if suggestion:
            fix = f"{_first_paragraph(self.fix())} Stop-gap rule: {suggestion}"
        return self.finding(facts, msg, rt.location(lst), severity=sev, confidence=Confidence.HIGH,
                            listener=lst.to_listener(), evidence=rt.evidence(lst), extra=rt.extra(lst),
                            fix=fix)
