from __future__ import annotations

from collections.abc import Iterator

from ..model import Confidence, Facts, Finding, Location, Severity
from .base import OPEN_PORT_IDS, Rule
from .ios_local_network import ios_extra


class IosAtsLocalNetworking(Rule):
    """iOS App Transport Security allows cleartext to local hosts (NSAllowsLocalNetworking).

    ## What
    The Info.plist sets `NSAppTransportSecurity` / `NSAllowsLocalNetworking` to true:
    the app may talk plain HTTP to `.local` names, unqualified host names and
    local IP addresses. Informational.

    ## Why
    Apps set this when they talk to (or serve) devices on the local network, often
    an embedded HTTP server on the phone or a companion device. Traffic on the
    shared Wi-Fi is then readable and forgeable by any other device on it, so
    whatever the local service does must not rely on the network being private
    (OWASP MASWE-0051 beta / MASWE-0018 v1, CWE-319).

    ## Fix
    Prefer TLS with pinned keys between paired devices; if cleartext is unavoidable,
    authenticate each request (per-session token) and keep the exception out of
    release builds where it is not needed.
    """

    id = "ios-ats-local-networking"
    order = 120
    severity = Severity.INFO
    confidence = Confidence.HIGH
    ids = OPEN_PORT_IDS
    tags = ("ios", "network", "cleartext")

    def check(self, facts: Facts) -> Iterator[Finding]:
        extra = ios_extra(facts)
        if not extra or extra.get("NSAllowsLocalNetworking") is not True:
            return
        yield self.finding(facts, "ATS allows cleartext to local hosts (NSAllowsLocalNetworking = true)",
                           Location(file=extra.get("plist_path"), line=extra.get("NSAllowsLocalNetworking_line"),
                                    column=extra.get("NSAllowsLocalNetworking_column")),
                           evidence="<key>NSAllowsLocalNetworking</key><true/>")
