"""Expectations written in test sources: ``EXPECT: <bind> <address|-> <port|->[ guard]`` on the line
where portaudit must report a listener (for a listener reached through a wrapper: on the caller's
line, see :func:`origin_line`), ``EXPECT-DEBUG: enabled|gated`` for a debug switch,
``REF: alert`` where the reference rule (Bandit / CodeQL / gosec) reports."""

from __future__ import annotations

import re
from pathlib import Path

from portaudit.inputs.source import analyze
from portaudit.model import Facts, Target
from portaudit.options import Options

EXPECT = re.compile(r"EXPECT: ([a-z-]+) (\S+) (\S+)( guard)?")
EXPECT_DEBUG = re.compile(r"EXPECT-DEBUG: (\S+)")
REF = re.compile(r"REF: alert")


def expectations(path: Path) -> tuple[dict[int, tuple], dict[int, str], set[int]]:
    listeners: dict[int, tuple] = {}
    debug: dict[int, str] = {}
    ref: set[int] = set()
    for i, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if m := EXPECT.search(line):
            listeners[i] = (m.group(1), m.group(2), m.group(3), bool(m.group(4)))
        if m := EXPECT_DEBUG.search(line):
            debug[i] = m.group(1)
        if REF.search(line):
            ref.add(i)
    return listeners, debug, ref


def scan(path: Path | str, **opts) -> Facts:
    return analyze(Target(str(path), "source"), Options(**opts))


def origin_line(lst) -> int:
    """The line an expectation is written on: the listener call, or for a listener reached through a
    wrapper the caller that gives the value (its flow's "caller" hop) when it is in the same file."""
    for hop in lst.flow:
        if hop.role == "caller" and hop.location.file == lst.location.file:
            return hop.location.line
    return lst.location.line


def observed(facts: Facts) -> tuple[dict[int, list[tuple]], dict[int, str]]:
    got: dict[int, list[tuple]] = {}
    for lst in facts.listeners:
        got.setdefault(origin_line(lst), []).append(
            (lst.bind.value, lst.address or "-", "-" if lst.port is None else str(lst.port), bool(lst.guards)))
    dbg = {d.location.line: ("gated" if d.gated else "enabled") for d in facts.debug}
    return got, dbg


def compare(path: Path, facts: Facts) -> list[str]:
    """Differences between the EXPECT lines of ``path`` and the facts (empty list = all as expected)."""
    want, want_dbg, _ = expectations(path)
    got, got_dbg = observed(facts)
    problems = []
    for line in sorted(set(want) | set(got)):
        w = want.get(line)
        g = got.get(line, [])
        if w is None:
            problems.append(f"{path.name}:{line}: unexpected listener {g}")
        elif len(g) != 1 or g[0] != w:
            problems.append(f"{path.name}:{line}: expected {w}, got {g}")
    if want_dbg != got_dbg:
        problems.append(f"{path.name}: debug switches expected {want_dbg}, got {got_dbg}")
    return problems
