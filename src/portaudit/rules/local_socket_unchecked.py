from __future__ import annotations

from ..model import Bind, Facts, Finding, Listener, Severity
from .base import ListenerRule, OPEN_PORT_IDS, describe_listener, sdk_phrase


class LocalSocketUnchecked(ListenerRule):
    """Local (UNIX domain) server socket without a peer-credential check.

    ## What
    The code creates an `android.net.LocalServerSocket` (an abstract UNIX socket,
    `@name`) or binds an `AF_UNIX` socket, and the accepting class never calls
    `LocalSocket.getPeerCredentials()` (or `getsockopt(SO_PEERCRED)`) to learn
    which app connected.

    ## Why
    Abstract UNIX sockets have no file-system permissions: every app on the device
    can connect to them. Without a UID check, the service trusts any local app.
    This is OWASP MASWE-0051 (beta) / MASWE-0018 (v1), CWE-306.

    ## Fix
    On each accepted `LocalSocket`, call `getPeerCredentials()` and accept only
    your own UID (`Process.myUid()`) or a UID holding a signature permission.
    Prefer a bound service with a permission when possible.
    """

    id = "local-socket-unchecked"
    order = 50
    severity = Severity.MEDIUM
    ids = OPEN_PORT_IDS
    tags = ("ipc", "open-port", "authentication")

    def finding_for(self, facts: Facts, lst: Listener) -> Finding | None:
        if lst.bind is not Bind.UNIX or lst.guards:
            return None
        msg = f"local socket without a peer-credential check: {describe_listener(lst)}{sdk_phrase(lst.origin)}"
        return self.finding(facts, msg, lst.location, listener=lst)
