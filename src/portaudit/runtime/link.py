"""Tie runtime listeners to the static findings of the code that opened them: one matching for
the device (an app's package) and the host (processes whose code is under the scanned paths).

``link(report_static, runtime_facts, owner) -> list[Link]`` (:func:`portaudit.live.link` wraps it:
it evaluates the runtime rules on the linked facts and merges the reports into a ``LinkResult``)

* ``report_static``: a :class:`~portaudit.report.Report` from
  :func:`portaudit.scan.run` over the app or tree (its facts must be kept: ``report.facts``).
* ``runtime_facts``: the :class:`~portaudit.model.Facts` of a device or host run
  (``live.device_report(...).facts[0]``, ``live.host_report(...).facts[0]``).
* ``owner``: whose listeners are linked, :class:`~portaudit.runtime.owners.Package`
  (a package name is accepted too) or :class:`~portaudit.runtime.owners.CodeTree`;
  the listeners of anyone else are left as they are.

Matching, first hit wins: (1) same transport and the same concrete port;
(2) UNIX sockets by abstract name (``@name`` equal to the static address, or a
``LocalServerSocket`` with an unresolved name); DevTools sockets to a static
WebView-debugging / Stetho fact; (3) same transport where the static port is
unknown or ephemeral (0) and the bind class agrees (or is unknown).  Matched
static findings get confidence ``high`` and ``extra["runtime"]``; every runtime
listener of the package gets ``link = {package, matched, by, static}``.  A matched
socket is then reported once, by its static finding (the runtime rules' findings
for it are dropped); an unmatched one keeps its runtime exposure finding and gets a
``runtime-listener-unexplained`` finding (dynamically loaded, native or unknown code).  A match by
port whose static bind class is known and differs from the one the kernel shows is recorded as
``link.disagrees`` (rule ``runtime-bind-disagrees``): the analysis was wrong, or configuration
changed the address.  ``live.link``'s report holds the static targets and findings plus the runtime
target and its (re-evaluated) findings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..model import Bind, Confidence, Facts, Finding, Listener
from ..report import Report
from ..model.runtime import RuntimeListener
from .owners import CodeTree, Package

KNOWN_BINDS = (Bind.ALL, Bind.LOOPBACK, Bind.SPECIFIC)


@dataclass
class Link:
    runtime: RuntimeListener
    by: str | None  # "port" | "name" | "debug" | "transport" | None (unmatched)
    static: list[Listener] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _static_facts(report: Report, owner: Package | CodeTree) -> list[Facts]:
    if isinstance(owner, Package):
        mine = [f for f in report.facts if f.app and f.app.package == owner.name]
        return mine or list(report.facts)
    return list(report.facts)


def _disagreement(rl: RuntimeListener, matched: list[Listener], findings: list[Finding]) -> dict | None:
    """The static verdicts (known bind classes) that differ from what the kernel shows, or None."""
    static = {s.bind for s in matched if s.bind in KNOWN_BINDS}
    if not static or rl.bind in static or rl.bind not in KNOWN_BINDS:
        return None
    return {"static": sorted(b.value for b in static), "observed": rl.bind.value,
            "where": sorted({s.location.short() for s in matched}),
            "static_findings": [f.fingerprint for f in findings]}


def _compatible(static_bind: Bind, runtime_bind: Bind) -> bool:
    return static_bind in (runtime_bind, Bind.UNKNOWN, Bind.CONDITIONAL)


def _key(lst: Listener) -> tuple:
    """A static listener's identity that survives the report's copies (paths made root-relative)."""
    loc = lst.location
    return (lst.api, lst.transport, lst.port, lst.bind, os.path.basename(loc.file or ""), loc.line, loc.column,
            loc.class_, loc.method, loc.offset, loc.function)


def _match(rl: RuntimeListener, static_listeners: list[Listener],
           static_debug: list) -> tuple[str | None, list[Listener]]:
    """How ``rl`` matches the static facts (first hit wins) and the static listeners it matches."""
    by, matched = None, []
    if rl.transport in ("tcp", "udp") and rl.port:
        matched = [s for s in static_listeners if s.transport == rl.transport and s.port == rl.port]
        by = "port" if matched else None
    if not matched and rl.transport == "unix" and rl.unix_name:
        matched = [s for s in static_listeners if s.transport == "unix" and s.address == rl.unix_name]
        if not matched:
            matched = [s for s in static_listeners if s.transport == "unix" and not s.address]
        by = "name" if matched else None
    if not matched and rl.debug in ("webview-devtools", "stetho-devtools"):
        kind = "webview-debugging" if rl.debug == "webview-devtools" else "stetho"
        if any(d.kind == kind and d.enabled is not False for d in static_debug):
            by = "debug"
    if not matched and by is None and rl.transport in ("tcp", "udp"):
        matched = [s for s in static_listeners if s.transport == rl.transport and s.port in (None, 0)
                   and _compatible(s.bind, rl.bind)]
        by = "transport" if matched else None
    return by, matched


def link(report_static: Report, runtime_facts: Facts, owner: Package | CodeTree | str) -> list[Link]:
    """Annotate: every runtime listener of ``owner`` gets ``link``; matched static findings get
    ``confidence: high`` and ``extra["runtime"]``.  :func:`portaudit.live.link` evaluates and merges."""
    if isinstance(owner, str):
        owner = Package(owner)
    static_facts = _static_facts(report_static, owner)
    static_listeners = [lst for f in static_facts for lst in f.listeners]
    static_debug = [d for f in static_facts for d in f.debug]
    links: list[Link] = []
    for rl in runtime_facts.runtime:
        if not isinstance(rl, RuntimeListener):
            continue
        why = owner.belongs(rl)
        if why is None:
            continue
        by, matched = _match(rl, static_listeners, static_debug)
        lk = Link(runtime=rl, by=by, static=matched)
        keys = {_key(s) for s in matched}
        for f in report_static.findings:
            hit = f.listener is not None and _key(f.listener) in keys
            if by == "debug" and f.rule in ("webview-debugging", "debug-server-sdk"):
                hit = True
            if hit:
                lk.findings.append(f)
                f.confidence = Confidence.HIGH
                f.extra.setdefault("runtime", []).append({
                    "endpoint": rl.endpoint(), "bind": rl.bind.value, "matched_by": by,
                    "process": rl.process.to_dict() if rl.process else None,
                    **({"probe": {k: rl.probe.get(k) for k in ("protocol", "requires_auth", "evidence")}}
                       if rl.probe else {}),
                })
        rl.link = {**owner.to_link(), "owner": owner.label, "process_code": why, "matched": by is not None,
                   "by": by, "static": [f.fingerprint for f in lk.findings] or [s.location.short() for s in matched]}
        if by == "port":
            disagrees = _disagreement(rl, matched, lk.findings)
            if disagrees:
                rl.link["disagrees"] = disagrees
        links.append(lk)
    return links
