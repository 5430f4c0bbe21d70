from __future__ import annotations

from ..model import Confidence, Facts, Finding, Severity
from ..model.runtime import RuntimeListener
from . import runtime_common as rt
from .base import OPEN_PORT_IDS, RuntimeRule


class RuntimeAbstractSocket(RuntimeRule):
    """Live abstract UNIX socket owned by an app.

    ## What
    A listening abstract UNIX socket (`@name` in `/proc/net/unix`). On a device
    it is reported (medium) when its owner is an app UID; on a host every abstract
    listener is listed at info level. Debug sockets (DevTools) are reported by
    `runtime-debug-endpoint` instead.

    ## Why
    Abstract sockets have no file-system permissions: every app (every process in
    the same network namespace) can connect. Safe only when the server checks
    `LocalSocket.getPeerCredentials()` / `SO_PEERCRED`, which only the code can show.
    OWASP MASWE-0051 (beta) / MASWE-0018 (v1), CWE-306.

    ## Fix
    Check the peer's UID on every accepted connection, or use a file-system socket
    in the app's private directory, or a bound service with a permission.
    """

    id = "runtime-abstract-socket"
    order = 340
    severity = Severity.MEDIUM
    ids = OPEN_PORT_IDS
    tags = ("runtime", "ipc", "open-port")

    def finding_for(self, facts: Facts, lst: RuntimeListener) -> Finding | None:
        on_device = facts.target.kind == "device"
        name = lst.unix_name or ""
        if lst.transport != "unix" or not name.startswith("@") or rt.debug_endpoint(lst):
            return None
        if lst.state != "LISTEN" and lst.socket_type != "dgram":
            return None
        if on_device and not rt.is_app(lst):
            return None
        sev = Severity.MEDIUM if on_device else Severity.INFO
        msg = f"abstract UNIX socket any local {'app' if on_device else 'process'} can connect to: " \
              f"{name}{rt.owner(lst)}"
        return self.finding(facts, msg, rt.location(lst), severity=sev, confidence=Confidence.MEDIUM,
                            listener=lst.to_listener(), evidence=rt.evidence(lst), extra=rt.extra(lst))
