from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import Confidence, Facts, Finding, Location, Severity
from .base import OPEN_PORT_IDS, Rule


def ios_extra(facts: Facts) -> dict[str, Any] | None:
    """Info.plist keys of the iOS app in the target (main record, or beside an Android one)."""
    app = facts.app
    if app is None:
        return None
    if app.platform == "ios":
        return app.extra
    ios = app.extra.get("ios")
    return ios.get("extra") if isinstance(ios, dict) else None


class IosLocalNetwork(Rule):
    """iOS app declares local-network use (NSLocalNetworkUsageDescription / NSBonjourServices).

    ## What
    The app's Info.plist has `NSLocalNetworkUsageDescription` (the text of the
    iOS 14+ local-network permission prompt) or `NSBonjourServices` (the Bonjour
    service types it browses or advertises). Informational: it tells where to look,
    and the advertised service types name the ports peers will find.

    ## Why
    An app that advertises a Bonjour service usually runs a listener that other
    devices on the Wi-Fi are meant to reach (USENIX Security 2020 found 1,300 iOS
    apps with network services and confirmed 11 vulnerabilities). The declaration is
    a cheap pointer to code that must authenticate its peers (OWASP MASWE-0051 beta /
    MASWE-0018 v1).

    ## Fix
    Keep the declaration only if the feature needs the local network; check that the
    listener behind each advertised service authenticates every peer (pairing code,
    TLS with pinned keys) and stops when not in use.
    """

    id = "ios-local-network"
    order = 110
    severity = Severity.INFO
    confidence = Confidence.HIGH
    ids = OPEN_PORT_IDS
    tags = ("ios", "network")

    def check(self, facts: Facts) -> Iterator[Finding]:
        extra = ios_extra(facts)
        if not extra:
            return
        services = extra.get("NSBonjourServices") or []
        usage = extra.get("NSLocalNetworkUsageDescription")
        if not services and usage is None:
            return
        parts = []
        if usage is not None:
            parts.append(f"NSLocalNetworkUsageDescription ({usage!r})")
        if services:
            parts.append("NSBonjourServices " + ", ".join(services))
        msg = "app declares local-network use: " + "; ".join(parts)
        key = "NSLocalNetworkUsageDescription" if usage is not None else "NSBonjourServices"
        loc = Location(file=extra.get("plist_path"), line=extra.get(f"{key}_line"),
                       column=extra.get(f"{key}_column"))
        yield self.finding(facts, msg, loc,
                           evidence="; ".join(parts),
                           extra={"plist": {"NSBonjourServices": services,
                                            "NSLocalNetworkUsageDescription": usage}})
