from __future__ import annotations

from collections.abc import Iterator

from ..catalog import sdks
from ..model import Confidence, Facts, Finding, Location, Severity
from .base import OPEN_PORT_IDS, Rule


class SdkOpensPort(Rule):
    """The app bundles an SDK known to open ports.

    ## What
    Classes of an SDK that research and public reports found opening listening
    sockets are present in the app (Facebook Audience Network's video cache,
    Yandex AppMetrica's localhost tracking, CyberGarage UPnP, Baidu Moplus, ...).
    Confidence is high when a listener call site inside the SDK was found, low when
    only its classes are present.

    ## Why
    61.8% of apps with open ports open them only through SDKs (NDSS 2019); the app
    developer often does not know. The port's behaviour is the SDK vendor's, but
    the exposure is the app's. This is OWASP MASWE-0051 (beta) / MASWE-0018 (v1).

    ## Fix
    Update the SDK to a version that no longer listens (several vendors removed
    their servers after disclosure), configure it off, or replace it. Confirm at
    run time with `portaudit device --package <app>`.
    """

    id = "sdk-opens-port"
    order = 90
    severity = Severity.LOW
    ids = OPEN_PORT_IDS
    tags = ("network", "open-port", "sdk")

    def check(self, facts: Facts) -> Iterator[Finding]:
        known = {s.name: s for s in sdks() if not s.library and not s.debug}
        listening = {lst.origin.sdk for lst in facts.listeners if lst.origin.sdk}
        seen: set[str] = set()
        for origin in facts.sdks:
            sdk = known.get(origin.sdk or "")
            if sdk is None or sdk.name in seen:
                continue
            seen.add(sdk.name)
            found = sdk.name in listening
            conf = Confidence.HIGH if found else Confidence.LOW
            how = "its listener call site was found" if found else "its classes are present"
            ports = f"; known: {sdk.listens}" if sdk.listens else (
                f"; known ports {', '.join(map(str, sdk.ports))}" if sdk.ports else "")
            msg = f"bundles {sdk.name}, an SDK known to open ports ({how}{ports})"
            # every finding names its evidence: the SDK's listener call site, else its package
            site = next((lst for lst in facts.listeners if lst.origin.sdk == sdk.name and lst.evidence), None)
            evidence = (f"{site.location.short()}: {site.evidence.splitlines()[0]}" if site and site.evidence
                        else f"classes under {origin.package or sdk.name}")
            yield self.finding(facts, msg, Location(class_=origin.package), confidence=conf,
                               origin=origin, evidence=evidence)
