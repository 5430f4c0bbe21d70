"""The pipeline: targets -> facts -> findings -> report.

Every failure while analysing or evaluating one target ends that target with an error line; the
other targets' results are always kept.  The report then gets its identity: paths relative to the
project root (when one is given), identical findings once, and a distinct fingerprint per finding.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from . import baseline, isolate, rules
from .errors import Deadline, InputError, LimitExceeded, internal_error
from .inputs import analyzer_for
from .inputs.discover import discover, sha256_file
from .model import Facts, Finding, Target
from .options import Options
from .report import Report, finding_sort_key

log = logging.getLogger("portaudit")


@contextmanager
def _deadline(seconds: float):
    """Raise LimitExceeded after ``seconds`` of wall time (main thread on POSIX only)."""
    usable = seconds and seconds > 0 and hasattr(signal, "setitimer")
    if usable:
        try:
            def _alarm(signum, frame):  # noqa: ARG001
                raise Deadline(f"time limit of {seconds:g}s per target exceeded")

            old = signal.signal(signal.SIGALRM, _alarm)
        except ValueError:  # not in the main thread
            usable = False
    if usable:
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if usable:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)


def analyze_target(target: Target, options: Options) -> Facts:
    """Facts for one target; every failure becomes an error on the target, never an exception."""
    start = time.perf_counter()
    facts = Facts(target=target)
    try:
        if target.errors:
            return facts
        if os.path.isfile(target.path):
            size = os.path.getsize(target.path)
            if size > options.limits.max_file_bytes:
                raise LimitExceeded(f"file is {size} bytes, over the limit of {options.limits.max_file_bytes}")
            if size == 0:
                raise InputError("empty file")
            target.sha256, target.size = sha256_file(target.path)
        analyzer = analyzer_for(target.kind)
        if analyzer is None:
            raise InputError(f"{target.kind} files are not supported by this installation")
        with _deadline(options.limits.timeout_seconds):
            facts = analyzer(target, options)
    except (InputError, Deadline) as exc:
        target.errors.append(str(exc))
    except PermissionError as exc:
        target.errors.append(f"cannot read: {exc.strerror or exc}")
    except OSError as exc:
        target.errors.append(f"cannot read: {exc.strerror or exc}")
    except MemoryError:
        target.errors.append("out of memory while analysing")
    except RecursionError:
        target.errors.append("input nests too deeply (recursion limit)")
    except Exception as exc:  # a bug or a hostile input we do not handle yet: contain it
        log.debug("internal error on %s", target.path, exc_info=True)
        target.errors.append(internal_error(exc))
    finally:
        target.seconds = round(time.perf_counter() - start, 4)
    facts.target = target
    return facts


def _evaluate(facts: Facts, options: Options) -> list[Finding]:
    try:
        return rules.evaluate(facts, options.rules)
    except Exception as exc:  # noqa: BLE001 - a rule that fails on odd facts costs this target only
        log.debug("internal error evaluating %s", facts.target.path, exc_info=True)
        facts.target.errors.append(internal_error(exc, "while evaluating the rules"))
        return []


def _analyze_and_evaluate(target: Target, options: Options) -> tuple[Facts, list]:
    facts = analyze_target(target, options)
    return facts, _evaluate(facts, options)


def _analyze_only(target: Target, options: Options) -> tuple[Facts, list]:
    return analyze_target(target, options), []


def run(
    paths: Iterable[str],
    options: Options | None = None,
    on_target: Callable[[Target], None] | None = None,
    root: str | None = None,
    before_rules: Callable[[list[Facts]], None] | None = None,
) -> Report:
    """Scan ``paths``; with ``root``, report paths relative to it (see :mod:`portaudit.report`).

    ``before_rules``: called with every target's facts once all are analysed and before any rule
    runs (the rules then run here, not in the children): :mod:`portaudit.live` records there what a
    live run saw of each listener, so the rules report it."""
    options = options or Options()
    targets = list(discover(list(paths), options))
    report = Report()
    work = _analyze_only if before_rules is not None else _analyze_and_evaluate
    results: Iterable[tuple[Facts, list[Finding]]]
    if options.isolate and isolate.available():
        # Import each needed analyzer once here, so forked children inherit it instead of
        # importing it again (0.7 s per child otherwise).
        for kind in {t.kind for t in targets if not t.errors}:
            try:
                fn = analyzer_for(kind)
                warm = getattr(sys.modules.get(getattr(fn, "__module__", ""), None), "warm", None)
                if warm:
                    warm()
            except Exception:  # noqa: BLE001 - the child reports it for its own target
                pass
        results = isolate.run_isolated(work, targets, options)
    elif options.jobs > 1 and len(targets) > 1:
        with ProcessPoolExecutor(max_workers=options.jobs) as pool:
            results = list(pool.map(work, targets, [options] * len(targets)))
    else:
        results = (work(t, options) for t in targets)
    if before_rules is not None:
        analysed = [facts for facts, _ in results]
        before_rules(analysed)
        results = [(facts, _evaluate(facts, options)) for facts in analysed]
    for facts, findings in results:
        report.targets.append(facts.target)
        report.facts.append(facts)
        report.findings.extend(findings)
        if on_target:
            on_target(facts.target)
    if root is not None:
        report.rebase(root)
    for target in report.targets:
        for err in target.errors:
            log.error("%s: %s", target.path, err)
    dropped = report.dedupe()
    if dropped:
        log.info("%d duplicate finding(s) dropped (one file reached through two named paths)", dropped)
    baseline.assign_ids(report.findings, report.facts)
    report.findings.sort(key=finding_sort_key)
    return report
