"""JSON: the stable machine contract (see README "JSON output")."""

from __future__ import annotations

import json
from typing import Any

from ..report import Report
from .text import clean


def render(report: Report, **_: Any) -> str:
    data = report.to_dict()
    apps = []
    for facts in report.facts:
        if facts.app is not None:
            apps.append({"target": facts.target.path, **facts.app.to_dict()})
    data["apps"] = apps
    runtime = [r for facts in report.facts for r in facts.runtime]
    if runtime:
        data["runtime"] = [r.to_dict() if hasattr(r, "to_dict") else r for r in runtime]
    named = [t for facts in report.facts for t in (facts.stats or {}).get("targets", [])]
    if named:  # every --target: reached, or why not (an unreachable one is no listener)
        data["named_targets"] = named
    # strings from inputs may hold lone surrogates: shown as escapes, so the file is valid UTF-8
    return json.dumps(clean(data), indent=2) + "\n"
