from __future__ import annotations

from ..model import Bind, Confidence, Facts, Finding, Listener, Severity
from .base import ListenerRule, OPEN_PORT_IDS, describe_listener, sdk_phrase


class ListenerLoopbackUnchecked(ListenerRule):
    """Loopback listener that does not check who connects.

    ## What
    The code listens on `127.0.0.1` / `::1` (or `localhost`) and the class that
    accepts connections never looks at the peer (`Socket.getInetAddress()`,
    `getRemoteSocketAddress()`, a UID or token check) nor requires TLS client
    authentication.

    ## Why
    Loopback keeps other devices out, but not other apps: every app on the phone
    with the INTERNET permission can connect to `127.0.0.1`. Researchers abused
    such ports to read files, trigger actions and de-anonymise users (the 2025
    "localhost tracking" of Meta Pixel and Yandex Metrica used exactly this).
    This is OWASP MASWE-0051 (beta) / MASWE-0018 (v1), CWE-306.

    ## Fix
    Authenticate every connection: hand a random per-session secret to the
    legitimate client through a private channel (an Intent with an explicit
    component, a Binder call) and require it on the first message, or use
    TLS with client certificates. Better still, replace the socket with a bound
    service or a `ContentProvider` protected by a signature permission.
    """

    id = "listener-loopback-unchecked"
    order = 30
    severity = Severity.MEDIUM
    ids = OPEN_PORT_IDS
    tags = ("network", "open-port", "authentication")

    def finding_for(self, facts: Facts, lst: Listener) -> Finding | None:
        conditional_lb = (lst.bind is Bind.CONDITIONAL and "loopback" in lst.alternatives
                          and "all-interfaces" not in lst.alternatives)
        if lst.bind is not Bind.LOOPBACK and not conditional_lb:
            return None
        if lst.guards:
            return None
        confidence = Confidence.MEDIUM if conditional_lb else Confidence.HIGH
        msg = (f"loopback listener without a peer check: {describe_listener(lst)}"
               f"{sdk_phrase(lst.origin)}; any app on the device can connect")
        return self.finding(facts, msg, lst.location, confidence=confidence, listener=lst)
