"""Tie live listeners to the static facts of the code that opened them: one matching for the
device (an app's package) and the host (processes whose code is under the scanned paths).

:func:`observe` runs between analysis and rules (``scan.run(before_rules=...)``, driven by
:mod:`portaudit.live`): the static facts record what a live run saw, and the rules report it, so
linking is a fact the rules read, not a rewrite of their findings.  :func:`name_findings` then
gives each live listener the fingerprints of the static findings that explain it.

* ``owner``: whose listeners are linked, :class:`~portaudit.runtime.owners.Package`
  (a package name is accepted too) or :class:`~portaudit.runtime.owners.CodeTree`;
  the listeners of anyone else are left as they are.

Matching, first hit wins: (1) same transport and the same concrete port;
(2) UNIX sockets by abstract name (``@name`` equal to the static address, or a
``LocalServerSocket`` with an unresolved name); DevTools sockets to a static
WebView-debugging / Stetho fact; (3) same transport where the static port is
unknown or ephemeral (0) and the bind class agrees (or is unknown).  A matched static
listener or debug service gets ``observed`` (endpoint, bind, matched_by, process, probe), which
the rules turn into confidence ``high`` and the finding's ``runtime``; every live listener of the
owner gets ``link = {package | code, owner, process_code, matched, by, static, disagrees?}``.
A matched socket is reported once, by its static finding (``live`` drops the runtime rules'
exposure findings for it); an unmatched one keeps its runtime exposure finding and gets a
``runtime-listener-unexplained`` finding (dynamically loaded, native or unknown code).  A match by
port whose static bind class is known and differs from the one the kernel shows is recorded as
``link.disagrees`` (rule ``runtime-bind-disagrees``): the analysis was wrong, or configuration
changed the address.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..model import Bind, DebugService, Facts, Finding, Listener
from ..model.runtime import RuntimeListener
from .owners import CodeTree, Package

KNOWN_BINDS = (Bind.ALL, Bind.LOOPBACK, Bind.SPECIFIC)


@dataclass
class Link:
    runtime: RuntimeListener
    by: str | None  # "port" | "name" | "debug" | "transport" | None (unmatched)
    static: list[Listener] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    debug: list[DebugService] = field(default_factory=list)


def _static_facts(facts: list[Facts], owner: Package | CodeTree) -> list[Facts]:
    if isinstance(owner, Package):
        mine = [f for f in facts if f.app and f.app.package == owner.name]
        return mine or list(facts)
    return list(facts)


def _disagreement(rl: RuntimeListener, matched: list[Listener]) -> dict | None:
    """The static verdicts (known bind classes) that differ from what the kernel shows, or None."""
    static = {s.bind for s in matched if s.bind in KNOWN_BINDS}
    if not static or rl.bind in static or rl.bind not in KNOWN_BINDS:
        return None
    return {"static": sorted(b.value for b in static), "observed": rl.bind.value,
            "where": sorted({s.location.short() for s in matched}), "static_findings": []}


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


DEBUG_KINDS = {"webview-devtools": "webview-debugging", "stetho-devtools": "stetho"}


def _seen(rl: RuntimeListener, by: str) -> dict:
    return {"endpoint": rl.endpoint(), "bind": rl.bind.value, "matched_by": by,
            "process": rl.process.to_dict() if rl.process else None,
            **({"probe": {k: rl.probe.get(k) for k in ("protocol", "requires_auth", "evidence")}}
               if rl.probe else {})}


def observe(static: list[Facts], runtime: list[RuntimeListener], owner: Package | CodeTree | str) -> list[Link]:
    """Before the rules: every live listener of ``owner`` is matched to the static facts; a matched
    static listener (or debug service) records what was seen (``observed``), which the rules report,
    and the live listener gets ``link``.  :func:`name_findings` completes the links afterwards."""
    if isinstance(owner, str):
        owner = Package(owner)
    mine = _static_facts(static, owner)
    static_listeners = [lst for f in mine for lst in f.listeners]
    static_debug = [d for f in mine for d in f.debug]
    links: list[Link] = []
    for rl in runtime:
        why = owner.belongs(rl)
        if why is None:
            continue
        by, matched = _match(rl, static_listeners, static_debug)
        lk = Link(runtime=rl, by=by, static=matched)
        if by is not None:
            seen = _seen(rl, by)
            for s in matched:
                s.observed.append(seen)
            if by == "debug":
                lk.debug = [d for d in static_debug if d.kind == DEBUG_KINDS[rl.debug or ""] and d.enabled is not False]
                for d in lk.debug:
                    d.observed.append(seen)
        rl.link = {**owner.to_link(), "owner": owner.label, "process_code": why, "matched": by is not None,
                   "by": by, "static": [s.location.short() for s in matched]}
        disagrees = _disagreement(rl, matched) if by == "port" else None
        if disagrees:
            rl.link["disagrees"] = disagrees
        links.append(lk)
    return links


def name_findings(links: list[Link], findings: list[Finding]) -> None:
    """After the rules: each link names the static findings its match produced (their fingerprints)."""
    for lk in links:
        keys = {_key(s) for s in lk.static}
        debug = {(d.kind, d.location.short()) for d in lk.debug}
        lk.findings = [f for f in findings if (f.listener is not None and _key(f.listener) in keys)
                       or (debug and f.listener is None and "runtime" in f.extra
                           and (f.extra.get("debug") or {}).get("kind") in {k for k, _ in debug})]
        if lk.runtime.link is None:
            continue
        fps = [f.fingerprint for f in lk.findings]
        if fps:
            lk.runtime.link["static"] = fps
        if "disagrees" in lk.runtime.link:
            lk.runtime.link["disagrees"]["static_findings"] = fps
