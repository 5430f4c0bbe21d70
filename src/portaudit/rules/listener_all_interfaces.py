from __future__ import annotations

from ..model import Bind, Confidence, Facts, Finding, Listener, Severity
from .base import ListenerRule, OPEN_PORT_IDS, describe_listener, sdk_phrase


class ListenerAllInterfaces(ListenerRule):
    """Listening socket bound to all network interfaces.

    ## What
    The code opens a TCP or UDP server socket on the wildcard address (`0.0.0.0`
    or `::`), either explicitly, through a `null` address, or by using an API
    whose default is the wildcard (`new ServerSocket(port)`, `InetSocketAddress(port)`,
    NanoHTTPD's `(port)` constructor, Node's `listen(port)` without a host...).
    When the address is chosen by a branch and one outcome is the wildcard, the
    finding has medium confidence and names both outcomes.

    ## Why
    A wildcard listener accepts connections from every network the device is on:
    other devices on the same Wi-Fi (83.6% of Wi-Fi networks let clients reach each
    other, NDSS 2019), the cellular network in some carriers, and every app on the
    phone. Anything the service does without authenticating the peer, anyone can
    make it do. This is OWASP MASWE-0051 (beta) / MASWE-0018 (v1), CWE-1327.

    ## Fix
    Bind to the loopback address (`InetAddress.getLoopbackAddress()`,
    `new InetSocketAddress("127.0.0.1", port)`, `host = "127.0.0.1"`) unless other
    devices really must connect; then authenticate every connection (a per-session
    token, TLS with client certificates) and close the socket when it is not needed.
    For communication between components of one app prefer Binder/IPC over sockets.
    """

    id = "listener-all-interfaces"
    order = 10
    severity = Severity.HIGH
    ids = OPEN_PORT_IDS
    tags = ("network", "open-port")

    def finding_for(self, facts: Facts, lst: Listener) -> Finding | None:
        conditional = lst.bind is Bind.CONDITIONAL and "all-interfaces" in lst.alternatives
        if lst.bind is not Bind.ALL and not conditional:
            return None
        severity = Severity.HIGH
        confidence = Confidence.HIGH
        notes = []
        if conditional:
            confidence = Confidence.MEDIUM
            notes.append("address depends on a branch: " + " or ".join(lst.alternatives))
        if lst.guards:
            severity = Severity.MEDIUM
            notes.append("peer checks seen: " + ", ".join(lst.guards))
        if lst.origin.kind == "library" and not lst.origin.sdk:
            confidence = min(confidence, Confidence.MEDIUM)
        tail = f" ({'; '.join(notes)})" if notes else ""
        msg = f"listens on all interfaces: {describe_listener(lst)}{sdk_phrase(lst.origin)}{tail}"
        return self.finding(facts, msg, lst.location, severity=severity,
                            confidence=confidence, listener=lst)
