"""Output formats: each module has ``render(report, options) -> str``."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..report import Report

FORMATS: dict[str, str] = {
    "console": "portaudit.formats.console",
    "json": "portaudit.formats.json",
    "sarif": "portaudit.formats.sarif",
    "html": "portaudit.formats.html",
}


def available() -> list[str]:
    out = []
    for name, module in FORMATS.items():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        out.append(name)
    return out


def renderer(name: str) -> Callable[..., str]:
    return importlib.import_module(FORMATS[name]).render


def render(name: str, report: Report, **options: Any) -> str:
    return renderer(name)(report, **options)
