from __future__ import annotations

from ..model import Bind, Confidence, Facts, Finding, Severity
from ..model.runtime import RuntimeListener
from . import runtime_common as rt
from .base import OPEN_PORT_IDS, RuntimeRule

_BY_OBSERVED = {Bind.ALL.value: Severity.HIGH, Bind.SPECIFIC.value: Severity.MEDIUM,
                Bind.LOOPBACK.value: Severity.LOW}
_WORDS = {Bind.ALL.value: "all interfaces", Bind.SPECIFIC.value: "a specific interface",
          Bind.LOOPBACK.value: "loopback"}


class RuntimeBindDisagrees(RuntimeRule):
    """Live listener bound elsewhere than its code says.

    ## What
    In a linked run (`portaudit scan PATH --host`, `scan app.apk --device`,
    `device --package P --apk app.apk`), a live listener matched by port to a
    static finding whose bind address was determined (all interfaces, loopback,
    a specific interface), while the kernel shows another one. The finding names
    both: the static verdict and its code location, and the observed socket.

    ## Why
    Either the static analysis was wrong (a value it could not follow), or the
    address comes from configuration, an environment variable or a flag that
    differs between the reviewed code and the running build. Severity follows
    what is really open: high when the socket is on all interfaces, medium on a
    specific interface, low on loopback. OWASP MASWE-0051 (beta) / MASWE-0018 (v1),
    CWE-1327.

    ## Fix
    Find what sets the address at run time (configuration, environment, command
    line) and make the default the safe one (loopback); if the code's verdict was
    wrong, fix the code so that the address it binds is explicit.
    """

    id = "runtime-bind-disagrees"
    order = 351
    severity = Severity.HIGH
    ids = OPEN_PORT_IDS
    tags = ("runtime", "open-port", "link")

    def finding_for(self, facts: Facts, lst: RuntimeListener) -> Finding | None:
        why = (lst.link or {}).get("disagrees")
        if not why:
            return None
        observed = why["observed"]
        said = " or ".join(_WORDS.get(s, s) for s in why["static"])
        msg = (f"bound to {_WORDS.get(observed, observed)} at run time, but the code says {said} "
               f"({', '.join(why['where'])}): {lst.endpoint()}{rt.owner(lst)}")
        return self.finding(facts, msg, rt.location(lst), severity=_BY_OBSERVED.get(observed, self.severity),
                            confidence=Confidence.HIGH, listener=lst.to_listener(),
                            evidence=rt.evidence(lst), extra={**rt.extra(lst), "disagrees": why})
