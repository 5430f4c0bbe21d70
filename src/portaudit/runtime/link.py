"""Tie runtime listeners to the static findings of the code that opened them: one matching for
the device (an app's package) and the host (processes whose code is under the scanned paths).

``link(report_static, runtime_facts, owner) -> LinkResult``

* ``report_static``: a :class:`~portaudit.report.Report` from
  :func:`portaudit.scan.run` over the app or tree (its facts must be kept: ``report.facts``).
* ``runtime_facts``: the :class:`~portaudit.model.Facts` of a device or host run
  (``pipeline.device_report(...).facts[0]``, ``pipeline.host_report(...).facts[0]``).
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
changed the address.  The returned report holds the static targets and findings plus the runtime
target and its (re-evaluated) findings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..model import Bind, Confidence, Facts, Finding, Listener
from ..report import Report, finding_sort_key
from .model import RuntimeListener
from .owners import CodeTree, Package
from .pipeline import finish

KNOWN_BINDS = (Bind.ALL, Bind.LOOPBACK, Bind.SPECIFIC)
LINK_RULES = {"runtime-bind-disagrees", "runtime-listener-unexplained"}  # about the link itself: always kept


@dataclass
class Link:
    runtime: RuntimeListener
    by: str | None  # "port" | "name" | "debug" | "transport" | None (unmatched)
    static: list[Listener] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class LinkResult:
    links: list[Link]
    report: Report

    @property
    def unmatched(self) -> list[Link]:
        return [lk for lk in self.links if lk.by is None]


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


def link(report_static: Report, runtime_facts: Facts, owner: Package | CodeTree | str) -> LinkResult:
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
    runtime_report = finish(runtime_facts)
    # A matched socket is reported once: by its static finding, which now carries the runtime evidence.
    # (a disagreement keeps nothing back: rule runtime-bind-disagrees reports it, with the observed bind)
    matched_keys = {(lk.runtime.transport, lk.runtime.address, lk.runtime.port) for lk in links
                    if lk.by is not None}
    runtime_report.findings = [
        f for f in runtime_report.findings
        if f.listener is None or f.rule in LINK_RULES
        or (f.listener.transport, f.listener.address, f.listener.port) not in matched_keys]
    merged = Report(targets=list(report_static.targets) + runtime_report.targets,
                    findings=list(report_static.findings) + runtime_report.findings,
                    facts=list(report_static.facts) + runtime_report.facts)
    merged.findings.sort(key=finding_sort_key)
    return LinkResult(links=links, report=merged)
