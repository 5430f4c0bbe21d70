"""Inventory -> Facts -> findings -> Report, for ``portaudit host`` and ``portaudit device``.

Runtime listeners are evaluated by the runtime rules only (``rules/runtime_*.py``,
order 300-399).  ``Facts.listeners`` still carries every runtime listener converted
to :class:`portaudit.model.Listener` (``api`` = ``runtime:<transport>``,
``location.file`` = the kernel table it was read from, ``location.function`` = the
process name) for consumers and for :func:`portaudit.runtime.link.link`, but the
static listener rules are not run on them: a runtime socket has no code to
check for peer guards, and running both would report every socket twice.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import rules
from ..errors import InputError
from ..model import Bind, Facts, Target
from ..probe import ProbeLimits, ProbePlan, parse_target, plan_host, probe_listeners, reach
from ..probe import netns as _netns
from ..report import Report
from . import firewall as fw
from .model import Inventory, ProcessInfo, RuntimeListener
from .procnet import bind_class
from .watch import watch as _watch

log = logging.getLogger("portaudit")


def runtime_rule_ids() -> list[str]:
    return [r.id for r in rules.ALL if "runtime" in r.tags or 300 <= r.order < 400]


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


def named_targets(texts: list[str]) -> list[RuntimeListener]:
    out = []
    for text in texts:
        try:
            host, port = parse_target(text)
        except ValueError as exc:
            raise InputError(str(exc)) from exc
        try:
            bind = bind_class(host)
        except ValueError:
            bind = Bind.SPECIFIC
        fam = "ipv6" if ":" in host else "ipv4"
        out.append(RuntimeListener(transport="tcp", address=host, bind=bind, port=port, state="NAMED",
                                   family=fam, source="--target"))
    return out


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
    from . import host as _host

    opts = opts or RuntimeOptions()
    start = time.perf_counter()
    target = Target(path=f"host:{_host.hostname()}", kind="host")
    facts = Facts(target=target)
    _check_netns(opts)
    listeners = _gather(lambda: _host.inventory(proc), target, opts)
    if not opts.include_unix:
        listeners = [x for x in listeners if x.transport != "unix"]
    listeners += named_targets(opts.targets)
    if opts.firewall:
        rs, reason = fw.read_host_ruleset()
        if rs is None:
            target.notes.append(f"firewall not read: {reason}")
        fw.annotate(listeners, rs, reason)
    if opts.probe or opts.targets:
        # inventory listeners are reached where they live; named targets from --from-netns if given
        plans = plan_host(x for x in listeners if opts.probe and x.state != "NAMED")
        named = plan_host(x for x in listeners if x.state == "NAMED")
        log.info("probing %d service(s)", len(plans) + len(named))
        probe_listeners(plans, opts.limits, opts.concurrency)
        probe_listeners(named, opts.limits, opts.concurrency, netns=opts.from_netns)
    if opts.reach:
        _check_address(opts.reach)
        reach(listeners, opts.reach, timeout=opts.limits.timeout, netns=opts.from_netns)
    facts.runtime = listeners
    facts.stats = _stats(listeners)
    target.seconds = round(time.perf_counter() - start, 4)
    return finish(facts)


def _check_address(text: str) -> None:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        # host names are allowed; resolution errors surface per connection
        if not text or " " in text:
            raise InputError(f"--reach {text!r} is not an address") from None


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
    from . import device as _dev

    opts = opts or RuntimeOptions()
    start = time.perf_counter()
    target = Target(path=f"device:{serial or '?'}", kind="device")
    facts = Facts(target=target)
    try:
        session = session or _dev.connect(serial, adb_host, adb_port)
    except InputError as exc:
        target.errors.append(str(exc))
        target.seconds = round(time.perf_counter() - start, 4)
        return finish(facts)
    target.path = f"device:{session.serial}"
    listeners: list[RuntimeListener] = []
    try:
        listeners = _gather(lambda: _dev.inventory(session, package), target, opts)
        listeners += named_targets(opts.targets)
        if opts.firewall:
            _device_firewall(session, listeners, target)
        if opts.probe or opts.targets:
            _device_probes(session, listeners, opts)
        if opts.reach:
            _check_address(opts.reach)
            reach(listeners, opts.reach, timeout=opts.limits.timeout, netns=opts.from_netns)
    except InputError as exc:
        target.errors.append(str(exc))
    facts.runtime = listeners
    facts.stats = _stats(listeners)
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
        for lst in listeners:
            if lst.state == "NAMED":
                if lst.address is not None and lst.port is not None:  # a named target is host:port
                    plans.append(ProbePlan(lst, lst.address, lst.port, f"{lst.address}:{lst.port}"))
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
    finally:
        for local in forwards:
            session.forward_remove(local)


def process_for(lst: RuntimeListener) -> ProcessInfo:
    return lst.process or ProcessInfo(uid=lst.uid)
