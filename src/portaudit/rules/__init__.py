"""The rules: one module per rule id, found automatically.

A rule module defines one subclass of :class:`~portaudit.rules.base.Rule`.
``ALL`` lists the rules ordered by their ``order`` attribute (documentation order).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable

from ..baseline import finding_id
from ..model import Facts, Finding
from .base import Rule


def _discover() -> tuple[type[Rule], ...]:
    found: list[type[Rule]] = []
    for info in pkgutil.iter_modules(__path__):
        if info.name == "base":
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        for _, obj in inspect.getmembers(mod, inspect.isclass):
            if issubclass(obj, Rule) and obj is not Rule and obj.__module__ == mod.__name__:
                found.append(obj)
    found.sort(key=lambda r: (r.order, r.id))
    return tuple(found)


ALL: tuple[type[Rule], ...] = _discover()
BY_ID: dict[str, type[Rule]] = {r.id: r for r in ALL}
assert len(BY_ID) == len(ALL), "duplicate rule ids"


def get(rule_id: str) -> type[Rule] | None:
    return BY_ID.get(rule_id)


def evaluate(facts: Facts, enabled: Iterable[str] | None = None) -> list[Finding]:
    """Run every (enabled) rule over one target's facts; fingerprint the findings."""
    wanted = set(enabled) if enabled is not None else None
    out: list[Finding] = []
    for cls in ALL:
        if wanted is not None and cls.id not in wanted:
            continue
        for f in cls().check(facts):
            f.fingerprint = finding_id(f, facts)
            out.append(f)
    return out
