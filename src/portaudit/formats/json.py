"""JSON: the stable machine contract (see README "JSON output")."""

from __future__ import annotations

import json
from typing import Any

from ..report import Report


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
    return json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"
