"""What every rule shares: identity, documentation parsed from its docstring, a finding builder."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from ..model import Confidence, Facts, Finding, Ids, Listener, Location, Origin, Severity
from ..model.runtime import RuntimeListener

# Identifiers shared by the rules (see docs/rules.md for the catalogues they come from).
OPEN_PORT_IDS = Ids(
    maswe_beta="MASWE-0051",
    maswe="MASWE-0018",
    cwe=["CWE-1327", "CWE-306", "CWE-923"],
    masvs=["MASVS-NETWORK-1", "MASVS-AUTH-1", "MASVS-PLATFORM-1"],
)
DEBUG_IDS = Ids(
    maswe_beta="MASWE-0067",
    maswe="MASWE-0063",
    cwe=["CWE-489"],
    masvs=["MASVS-RESILIENCE-4", "MASVS-CODE-4"],
)
WEBVIEW_DEBUG_IDS = Ids(
    maswe_beta="MASWE-0074",
    maswe="MASWE-0063",
    cwe=["CWE-489"],
    masvs=["MASVS-RESILIENCE-4", "MASVS-PLATFORM-1"],
)

_SECTION = re.compile(r"^## (What|Why|Fix)\s*$", re.M)


class Rule:
    """Base class.  Subclasses set the class attributes and implement :meth:`check`.

    The subclass docstring is the rule's documentation: a one-line title, then
    ``## What``, ``## Why`` and ``## Fix`` sections in Markdown.
    """

    id: ClassVar[str]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence] = Confidence.HIGH
    ids: ClassVar[Ids]
    tags: ClassVar[tuple[str, ...]] = ()
    order: ClassVar[int] = 1000  # position in `portaudit rules` and docs/rules.md

    # -- documentation ---------------------------------------------------------
    @classmethod
    def title(cls) -> str:
        return (cls.__doc__ or cls.id).strip().splitlines()[0].strip()

    @classmethod
    def sections(cls) -> dict[str, str]:
        doc = _dedent(cls.__doc__ or "")
        parts = _SECTION.split(doc)
        out: dict[str, str] = {}
        for i in range(1, len(parts) - 1, 2):
            out[parts[i].lower()] = parts[i + 1].strip()
        return out

    @classmethod
    def what(cls) -> str:
        return cls.sections().get("what", "")

    @classmethod
    def why(cls) -> str:
        return cls.sections().get("why", "")

    @classmethod
    def fix(cls) -> str:
        return cls.sections().get("fix", "")

    # -- evaluation -------------------------------------------------------------
    def check(self, facts: Facts) -> Iterator[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(
        self,
        facts: Facts,
        message: str,
        location: Location,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        listener: Listener | None = None,
        origin: Origin | None = None,
        evidence: str | None = None,
        fix: str | None = None,
        extra: dict[str, Any] | None = None,
        observed: list[dict[str, Any]] | None = None,
    ) -> Finding:
        # a live run saw it (the listener's, or the debug service's, observations): proven, and shown
        seen = observed if observed is not None else (listener.observed if listener is not None else [])
        extra = dict(extra or {})
        if seen:
            confidence = Confidence.HIGH
            extra["runtime"] = [dict(o) for o in seen]
        return Finding(
            rule=self.id,
            severity=self.severity if severity is None else severity,
            confidence=self.confidence if confidence is None else confidence,
            message=message,
            target=facts.target.path,
            location=location,
            ids=self.ids,
            fix=fix or _first_paragraph(self.fix()),
            origin=origin or (listener.origin if listener else Origin()),
            listener=listener,
            evidence=evidence if evidence is not None else (listener.evidence if listener else None),
            extra=extra,
        )


class ListenerRule(Rule):
    """A rule about each static listener: :meth:`finding_for` answers one listener's finding, or None."""

    def check(self, facts: Facts) -> Iterator[Finding]:
        for lst in facts.listeners:
            found = self.finding_for(facts, lst)
            if found is not None:
                yield found

    def finding_for(self, facts: Facts, lst: Listener) -> Finding | None:  # pragma: no cover - abstract
        raise NotImplementedError


class RuntimeRule(Rule):
    """A rule about each live listener (``facts.runtime``): :meth:`finding_for` answers one
    listener's finding, or None."""

    def check(self, facts: Facts) -> Iterator[Finding]:
        for lst in facts.runtime:
            if isinstance(lst, RuntimeListener):
                found = self.finding_for(facts, lst)
                if found is not None:
                    yield found

    def finding_for(self, facts: Facts, lst: RuntimeListener) -> Finding | None:  # pragma: no cover - abstract
        raise NotImplementedError


def _dedent(text: str) -> str:
    lines = text.expandtabs().splitlines()
    if not lines:
        return ""
    rest = [ln for ln in lines[1:] if ln.strip()]
    indent = min((len(ln) - len(ln.lstrip()) for ln in rest), default=0)
    return "\n".join([lines[0].strip()] + [ln[indent:] for ln in lines[1:]])


def _first_paragraph(text: str) -> str:
    return text.split("\n\n", 1)[0].replace("\n", " ").strip()


def describe_listener(listener: Listener) -> str:
    """``tcp 0.0.0.0:8080 (java.net.ServerSocket(int))`` style summary."""
    addr = listener.address or {
        "all-interfaces": "*",
        "loopback": "127.0.0.1",
        "unknown": "?",
    }.get(listener.bind.value, "?")
    port = "?" if listener.port is None else str(listener.port)
    if listener.transport == "unix":
        return f"unix {addr} ({listener.api})"
    if ":" in addr and not addr.startswith("["):  # IPv6 literal: [::]:9090, as ss and URLs write it
        addr = "|".join(f"[{a}]" if ":" in a else a for a in addr.split("|"))
    return f"{listener.transport} {addr}:{port} ({listener.api})"


def sdk_phrase(origin: Origin) -> str:
    if origin.sdk:
        return f" in {origin.sdk} code"
    if origin.kind == "library":
        return " in library code"
    return ""
