"""Output formats: each module has ``render(report, **options) -> str``.

:func:`render_contained` is what commands call: when rendering fails on something one target
holds, that target ends with an error line and the rest of the report is still written.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

from ..errors import internal_error
from ..report import Report

log = logging.getLogger("portaudit")

FORMATS: dict[str, str] = {
    "console": "portaudit.formats.console",
    "json": "portaudit.formats.json",
    "sarif": "portaudit.formats.sarif",
    "html": "portaudit.formats.html",
    "gitlab": "portaudit.formats.gitlab",
    "junit": "portaudit.formats.junit",
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
    render: Callable[..., str] = importlib.import_module(FORMATS[name]).render  # every format module defines it
    return render


def render(name: str, report: Report, **options: Any) -> str:
    return renderer(name)(report, **options)


def output_spec(spec: str, default: str) -> tuple[str, str]:
    """``FORMAT:PATH`` -> (FORMAT, PATH); a plain PATH gets the ``default`` format."""
    fmt, sep, path = spec.partition(":")
    if sep and path and fmt in FORMATS:
        return fmt, path
    return default, spec


def _only(options: dict[str, Any], paths: set[str]) -> dict[str, Any]:
    opts = dict(options)
    if opts.get("suppressed"):
        opts["suppressed"] = [s for s in opts["suppressed"] if s[0].target in paths]
    return opts


def render_contained(name: str, report: Report, **options: Any) -> str:
    """Render; if that fails, find the targets it fails on, end each with an error (their findings
    are dropped from every later output too), and render the rest."""
    try:
        return render(name, report, **options)
    except Exception as exc:  # noqa: BLE001 - contained below, target by target
        log.debug("rendering %s failed", name, exc_info=True)
        whole = exc
    for target in list(report.targets):
        part = report.subset([target])
        try:
            render(name, part, **_only(options, {target.path}))
        except Exception as exc:  # noqa: BLE001
            target.errors.append(internal_error(exc, f"while writing the {name} report"))
            log.error("%s: %s", target.path, target.errors[-1])
            report.drop_target_findings(target)
            if options.get("suppressed"):
                options["suppressed"][:] = [s for s in options["suppressed"] if s[0].target != target.path]
    try:
        return render(name, report, **options)
    except Exception as exc:  # noqa: BLE001 - not one target's doing: say so, write nothing for this format
        raise RenderError(internal_error(exc, f"while writing the {name} report")) from whole


class RenderError(Exception):
    """A format could not be written at all (not because of one target)."""
