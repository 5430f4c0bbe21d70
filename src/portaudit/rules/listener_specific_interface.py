from __future__ import annotations

from ..model import Bind, Confidence, Facts, Finding, Listener, Severity
from .base import ListenerRule, OPEN_PORT_IDS, describe_listener, sdk_phrase


class ListenerSpecificInterface(ListenerRule):
    """Listener bound to a specific (non-loopback) interface address.

    ## What
    The code binds a server socket to one concrete address, such as the Wi-Fi
    address or `InetAddress.getLocalHost()` (which resolves the device's host
    name and is usually *not* loopback).

    ## Why
    An address other than loopback is reachable from the network that interface
    is on: other devices on the same Wi-Fi, hotspot or VPN can connect. It is a
    smaller exposure than all interfaces, but still network-facing.
    This is OWASP MASWE-0051 (beta) / MASWE-0018 (v1), CWE-1327.

    ## Fix
    If only this device needs the service, bind to loopback. If peers on the local
    network must connect, authenticate them (pairing code, TLS with client
    certificates) and keep the socket open only while the feature is in use.
    """

    id = "listener-specific-interface"
    order = 20
    severity = Severity.MEDIUM
    ids = OPEN_PORT_IDS
    tags = ("network", "open-port")

    def finding_for(self, facts: Facts, lst: Listener) -> Finding | None:
        if lst.bind is not Bind.SPECIFIC:
            return None
        severity = Severity.LOW if lst.guards else Severity.MEDIUM
        msg = f"listens on a specific interface: {describe_listener(lst)}{sdk_phrase(lst.origin)}"
        return self.finding(facts, msg, lst.location, severity=severity,
                            confidence=Confidence.HIGH, listener=lst)
