from __future__ import annotations

from ..model import Bind, Confidence, Facts, Finding, Listener, Severity
from .base import ListenerRule, OPEN_PORT_IDS, describe_listener, sdk_phrase


class ListenerUnresolved(ListenerRule):
    """Listener whose bind address could not be resolved.

    ## What
    The code opens a server socket, but the bind address comes from somewhere the
    analysis does not follow (a field set elsewhere, a value read from settings or
    the network, a deep call chain). The finding says why it stopped.

    ## Why
    Most wildcard listeners in apps get there through a default or a `null`
    address (611 of 869 non-SDK ports in NDSS 2019). An unresolved address is a
    listener that needs a human look, or a runtime check with
    `portaudit device --package ...`. This is OWASP MASWE-0051 (beta) / MASWE-0018 (v1).

    ## Fix
    Make the bind address explicit and constant (`InetAddress.getLoopbackAddress()`)
    so that reviewers and tools can see it, and authenticate connections.
    """

    id = "listener-unresolved-address"
    order = 40
    severity = Severity.LOW
    confidence = Confidence.LOW
    ids = OPEN_PORT_IDS
    tags = ("network", "open-port")

    def finding_for(self, facts: Facts, lst: Listener) -> Finding | None:
        if lst.bind is not Bind.UNKNOWN and not (
            lst.bind is Bind.CONDITIONAL
            and not ({"all-interfaces", "loopback"} & set(lst.alternatives))
        ):
            return None
        why = f" ({lst.reason})" if lst.reason else ""
        msg = f"listener with an unresolved bind address: {describe_listener(lst)}{sdk_phrase(lst.origin)}{why}"
        return self.finding(facts, msg, lst.location, listener=lst)
