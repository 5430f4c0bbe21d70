"""The live side's orchestration, beside :mod:`portaudit.scan`: inventory (``runtime``), probes
(``probe``) -> Facts -> the runtime rules -> Report, for ``portaudit host``, ``portaudit device``
and the linked runs (``scan --device``, ``scan --host``).

Runtime listeners are evaluated by the runtime rules only (the rules tagged ``runtime``).
``Facts.listeners`` still carries every runtime listener converted to
:class:`portaudit.model.Listener` (``api`` = ``runtime:<transport>``, ``location.file`` = the kernel
table it was read from, ``location.function`` = the process name) for consumers and for
:func:`portaudit.runtime.link.link`, but the static listener rules are not run on them: a runtime
socket has no code to check for peer guards, and running both would report every socket twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import rules, scan
from .errors import InputError
from .model import Facts, Target
from .probe import ProbeLimits, ProbePlan, connectable, plan_host, probe_listeners, reach
from .probe import netns as _netns
from .options import Options
from .report import Report, finding_sort_key
from .runtime import firewall as fw
from .runtime import link as _link
from .runtime import targets as _targets
from .model.runtime import Inventory, ProcessInfo, RuntimeListener
from .runtime.link import Link
from .runtime.owners import CodeTree, Package
from .runtime.watch import watch as _watch

log = logging.getLogger("portaudit")


def runtime_rule_ids() -> list[str]:
    return [r.id for r in rules.ALL if "runtime" in r.tags]


@dataclass
class RuntimeOptions:
    watch: float | None = None  # seconds
    interval: float = 1.0
    db: str | None = None
    probe: bool = False
    targets: list[str] = field(default_factory=list)  # HOST:PORT named by the user
    reach: str | None = None
    from_netns: str | None = None  # probes and --reach connect from this network namespace
    firewall: bool = True
    limits: ProbeLimits = field(default_factory=ProbeLimits)
    concurrency: int = 8
    include_unix: bool = True
    allow_remote: bool = False  # --target / --reach beyond loopback and this machine's addresses
    keep_adb_server: bool = False  # device: leave an adb server this run started
    # host: only these listeners are kept, probed and reached (scan --host: the scanned code's processes);
    # the note says what the others are
    keep: Callable[[RuntimeListener], bool] | None = None
    keep_note: str = "listener(s) left out"


def _named(opts: RuntimeOptions, target: Target, stats: dict) -> list[RuntimeListener]:
    """The ``--target`` services that accept a connection, as listeners; the others are notes."""
    named = _targets.named_targets(opts.targets, opts.allow_remote)
    todo = [(n, a) for n in named if n.problem is None for a in n.addresses]
    where = f" from netns {opts.from_netns}" if opts.from_netns else ""
    why_not = connectable([(a, n.port) for n, a in todo], opts.limits.timeout, netns=opts.from_netns)
    answers: dict[int, list[tuple[str, str | None]]] = {}
    for (n, a), why in zip(todo, why_not, strict=True):
        answers.setdefault(id(n), []).append((a, why))
    for n in named:
        tried = answers.get(id(n), [])
        accepted = [a for a, why in tried if why is None]
        if accepted:  # the first address, in the resolver's order, that accepts
            n.address = accepted[0]
        elif tried:
            n.problem = f"not reachable{where}: " + "; ".join(
                f"{a}: {why}" if len(tried) > 1 else str(why) for a, why in tried)
    for n in named:
        if n.problem is not None:
            target.notes.append(f"--target {n.text}: {n.problem}; not a listener finding")
    if named:
        stats["targets"] = [n.to_dict() for n in named]
    return [_targets.as_listener(n) for n in named if n.problem is None]


def _check_netns(opts: RuntimeOptions) -> None:
    if opts.from_netns:
        why = _netns.check(opts.from_netns)
        if why:
            raise InputError(why)


def _gather(poll: Callable[[], Inventory], target: Target, opts: RuntimeOptions) -> list[RuntimeListener]:
    if opts.watch:
        res = _watch(poll, opts.watch, opts.interval, opts.db, target=target.path)
        target.errors.extend(res.errors)
        target.notes.extend(res.notes)
        target.notes.append(f"watched {opts.watch:g}s: {res.polls} polls, {res.events} open/close events"
                            + (f", stored in {opts.db} (run {res.run_id})" if opts.db else ""))
        return res.listeners
    inv = poll()
    target.errors.extend(inv.errors)
    target.notes.extend(inv.notes)
    return inv.listeners


def finish(facts: Facts) -> Report:
    """Evaluate the runtime rules and wrap everything in a Report."""
    facts.listeners = [r.to_listener() for r in facts.runtime if isinstance(r, RuntimeListener)]
    findings = rules.evaluate(facts, runtime_rule_ids())
    findings.sort(key=lambda f: (-f.severity, f.rule, f.message))
    report = Report(targets=[facts.target], findings=findings, facts=[facts])
    return report


def host_report(opts: RuntimeOptions | None = None, proc: str = "/proc") -> Report:
    from .runtime import host as _host

    opts = opts or RuntimeOptions()
    start = time.perf_counter()
    target = Target(path=f"host:{_host.hostname()}", kind="host")
    facts = Facts(target=target)
    _check_netns(opts)
    reach_to = _targets.check_reach_address(opts.reach, opts.allow_remote) if opts.reach else None
    stats: dict = {}
    named = _named(opts, target, stats)
    listeners = _gather(lambda: _host.inventory(proc), target, opts)
    if not opts.include_unix:
        listeners = [x for x in listeners if x.transport != "unix"]
    if opts.keep is not None:  # before the firewall, the probes and --reach: nothing else is contacted
        kept = [x for x in listeners if opts.keep(x)]
        if len(kept) < len(listeners):
            target.notes.append(f"{len(listeners) - len(kept)} {opts.keep_note}")
        listeners = kept
    listeners += named
    if opts.firewall:
        rs, reason = fw.read_host_ruleset()
        if rs is None:
            target.notes.append(f"firewall not read: {reason}")
        fw.annotate(listeners, rs, reason)
    if opts.probe or opts.targets:
        # inventory listeners are reached where they live; named targets from --from-netns if given
        plans = plan_host(x for x in listeners if opts.probe and x.state != "NAMED")
        named_plans = plan_host(x for x in listeners if x.state == "NAMED")
        log.info("probing %d service(s)", len(plans) + len(named_plans))
        probe_listeners(plans, opts.limits, opts.concurrency)
        probe_listeners(named_plans, opts.limits, opts.concurrency, netns=opts.from_netns)
    if reach_to:
        reach(listeners, reach_to, timeout=opts.limits.timeout, netns=opts.from_netns)
    facts.runtime = listeners
    facts.stats = _stats(listeners) | stats
    target.seconds = round(time.perf_counter() - start, 4)
    return finish(facts)


def _stats(listeners: list[RuntimeListener]) -> dict:
    out: dict[str, int] = {}
    for x in listeners:
        out[x.transport] = out.get(x.transport, 0) + 1
    return {"listeners": len(listeners), "by_transport": out,
            "probed": sum(1 for x in listeners if x.probe is not None)}


# -- device --------------------------------------------------------------------------------

DEVTOOLS_KINDS = ("webview-devtools", "stetho-devtools", "chrome-devtools", "devtools")


def device_report(serial: str | None = None, package: str | None = None, opts: RuntimeOptions | None = None,
                  adb_host: str | None = None, adb_port: int | None = None, session=None) -> Report:
    from .runtime import device as _dev

    opts = opts or RuntimeOptions()
    start = time.perf_counter()
    target = Target(path=f"device:{serial or '?'}", kind="device")
    facts = Facts(target=target)
    own_session = session is None
    _check_netns(opts)  # the user's mistakes (InputError) before the device is contacted
    reach_to = _targets.check_reach_address(opts.reach, opts.allow_remote) if opts.reach else None
    stats: dict = {}
    named = _named(opts, target, stats)
    try:
        session = session or _dev.connect(serial, adb_host, adb_port, keep_server=opts.keep_adb_server)
    except InputError as exc:
        target.errors.append(str(exc))
        target.seconds = round(time.perf_counter() - start, 4)
        return finish(facts)
    target.path = f"device:{session.serial}"
    listeners: list[RuntimeListener] = []
    try:
        listeners = _gather(lambda: _dev.inventory(session, package), target, opts)
        listeners += named
        if opts.firewall:
            _device_firewall(session, listeners, target)
        if opts.probe or opts.targets:
            _device_probes(session, listeners, opts)
        if reach_to:
            reach(listeners, reach_to, timeout=opts.limits.timeout, netns=opts.from_netns)
    except InputError as exc:
        target.errors.append(str(exc))
    finally:
        if own_session:
            target.notes.append(session.release(keep=opts.keep_adb_server))
    facts.runtime = listeners
    facts.stats = _stats(listeners) | stats
    if package:
        facts.stats["package"] = package
    target.seconds = round(time.perf_counter() - start, 4)
    return finish(facts)


def _device_firewall(session, listeners: list[RuntimeListener], target: Target) -> None:
    text = session.shell("iptables-save 2>&1")
    if "*filter" in text:
        fw.annotate(listeners, fw.parse_iptables_save(text))
    else:
        reason = (text.strip().splitlines() or ["no output"])[0][:120]
        target.notes.append(f"device firewall not read (needs root adbd): {reason}")
        fw.annotate(listeners, None, "iptables-save on the device: " + reason)


def _device_probes(session, listeners: list[RuntimeListener], opts: RuntimeOptions) -> None:
    """Probe device listeners through ``adb forward`` (named targets directly)."""
    plans: list[ProbePlan] = []
    forwards: list[int] = []
    seen: set[str] = set()
    try:
        named = plan_host(x for x in listeners if x.state == "NAMED")  # host:port, from here
        for lst in listeners:
            if lst.state == "NAMED":
                continue
            if not opts.probe:
                continue
            if lst.transport == "tcp" and lst.state == "LISTEN" and lst.port:
                remote = f"tcp:{lst.port}"
            elif lst.transport == "unix" and lst.debug in DEVTOOLS_KINDS and lst.unix_name:
                remote = f"localabstract:{lst.unix_name[1:]}"
            else:
                continue
            if remote in seen:
                continue
            seen.add(remote)
            local = session.forward(remote)
            forwards.append(local)
            plans.append(ProbePlan(lst, "127.0.0.1", local, f"adb forward tcp:{local} {remote}"))
        probe_listeners(plans, opts.limits, opts.concurrency)
        probe_listeners(named, opts.limits, opts.concurrency, netns=opts.from_netns)
    finally:
        for local in forwards:
            session.forward_remove(local)


def process_for(lst: RuntimeListener) -> ProcessInfo:
    return lst.process or ProcessInfo(uid=lst.uid)


# -- link to code ----------------------------------------------------------------------------

LINK_RULES = {"runtime-bind-disagrees", "runtime-listener-unexplained"}  # about the link itself: always kept


@dataclass
class LinkResult:
    links: list[Link]
    report: Report

    @property
    def unmatched(self) -> list[Link]:
        return [lk for lk in self.links if lk.by is None]


class Linker:
    """``scan.run(before_rules=linker.before_rules)``: between analysis and rules, ``gather`` reads
    the live system for the analysed facts (the device needs the app's package, known only from
    them) and returns the live run's facts and whose listeners to link; the static facts then
    record what was seen.  :meth:`result` names the findings and merges the live run's report."""

    def __init__(self, gather: Callable[[list[Facts]], tuple[Facts, Package | CodeTree]]):
        self.gather = gather
        self.runtime_facts: Facts | None = None
        self.links: list[Link] = []

    def before_rules(self, static: list[Facts]) -> None:
        self.runtime_facts, owner = self.gather(static)
        self.links = _link.observe(static, self.runtime_facts.runtime, owner)

    def result(self, report_static: Report) -> LinkResult:
        assert self.runtime_facts is not None, "before_rules did not run"
        _link.name_findings(self.links, report_static.findings)
        runtime_report = finish(self.runtime_facts)
        # A matched socket is reported once: by its static finding, which carries the runtime evidence.
        # (a disagreement keeps nothing back: rule runtime-bind-disagrees reports it, with the observed bind)
        matched_keys = {(lk.runtime.transport, lk.runtime.address, lk.runtime.port) for lk in self.links
                        if lk.by is not None}
        runtime_report.findings = [
            f for f in runtime_report.findings
            if f.listener is None or f.rule in LINK_RULES
            or (f.listener.transport, f.listener.address, f.listener.port) not in matched_keys]
        merged = Report(targets=list(report_static.targets) + runtime_report.targets,
                        findings=list(report_static.findings) + runtime_report.findings,
                        facts=list(report_static.facts) + runtime_report.facts)
        merged.root = report_static.root
        merged.findings.sort(key=finding_sort_key)
        return LinkResult(links=self.links, report=merged)


def scan_linked(paths: list[str], options: Options | None, root: str | None,
                gather: Callable[[list[Facts]], tuple[Facts, Package | CodeTree]]) -> LinkResult:
    """Scan ``paths`` with the live run ``gather`` returns linked in before the rules."""
    linker = Linker(gather)
    report = scan.run(paths, options, root=root, before_rules=linker.before_rules)
    return linker.result(report)
