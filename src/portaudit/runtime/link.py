"""Tie runtime listeners of one package to the static findings of its APK.

``link(report_static, runtime_facts, package) -> LinkResult``

* ``report_static``: a :class:`~portaudit.report.Report` from
  :func:`portaudit.scan.run` over the app (its facts must be kept: ``report.facts``).
* ``runtime_facts``: the :class:`~portaudit.model.Facts` of a device (or host) run
  (``pipeline.device_report(...).facts[0]``).
* ``package``: the Android package whose runtime listeners are linked.

Matching, first hit wins: (1) same transport and the same concrete port;
(2) UNIX sockets by abstract name (``@name`` equal to the static address, or a
``LocalServerSocket`` with an unresolved name); DevTools sockets to a static
WebView-debugging / Stetho fact; (3) same transport where the static port is
unknown or ephemeral (0) and the bind class agrees (or is unknown).  Matched
static findings get confidence ``high`` and ``extra["runtime"]``; every runtime
listener of the package gets ``link = {package, matched, by, static}``.  A matched
socket is then reported once, by its static finding (the runtime rules' findings
for it are dropped); an unmatched one keeps its runtime exposure finding and gets a
``runtime-listener-unexplained`` finding (dynamically loaded, native or unknown code).  The returned report
holds the static targets and findings plus
the runtime target and its (re-evaluated) findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Bind, Confidence, Facts, Finding, Listener
from ..report import Report, finding_sort_key
from .model import RuntimeListener
from .pipeline import finish


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


def _belongs(lst: RuntimeListener, package: str) -> bool:
    p = lst.process
    return bool(p and p.package and package in p.package.split(","))


def _static_facts(report: Report, package: str) -> list[Facts]:
    mine = [f for f in report.facts if f.app and f.app.package == package]
    return mine or list(report.facts)


def _compatible(static_bind: Bind, runtime_bind: Bind) -> bool:
    return static_bind in (runtime_bind, Bind.UNKNOWN, Bind.CONDITIONAL)


def link(report_static: Report, runtime_facts: Facts, package: str) -> LinkResult:
    static_facts = _static_facts(report_static, package)
    static_listeners = [lst for f in static_facts for lst in f.listeners]
    static_debug = [d for f in static_facts for d in f.debug]
    links: list[Link] = []
    for rl in runtime_facts.runtime:
        if not isinstance(rl, RuntimeListener) or not _belongs(rl, package):
            continue
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
        lk = Link(runtime=rl, by=by, static=matched)
        ids = {id(s) for s in matched}
        for f in report_static.findings:
            hit = f.listener is not None and id(f.listener) in ids
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
        rl.link = {"package": package, "matched": by is not None, "by": by,
                   "static": [f.fingerprint for f in lk.findings]
                   or [s.location.short() for s in matched]}
        links.append(lk)
    runtime_report = finish(runtime_facts)
    # A matched socket is reported once: by its static finding, which now carries the runtime evidence.
    matched_keys = {(lk.runtime.transport, lk.runtime.address, lk.runtime.port) for lk in links
                    if lk.by is not None}
    runtime_report.findings = [
        f for f in runtime_report.findings
        if f.listener is None or (f.listener.transport, f.listener.address, f.listener.port) not in matched_keys]
    merged = Report(targets=list(report_static.targets) + runtime_report.targets,
                    findings=list(report_static.findings) + runtime_report.findings,
                    facts=list(report_static.facts) + runtime_report.facts)
    merged.findings.sort(key=finding_sort_key)
    return LinkResult(links=links, report=merged)
