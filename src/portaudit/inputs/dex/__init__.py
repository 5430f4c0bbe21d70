"""The DEX engine: targeted call-site search, abstract interpretation, deep value flow.

``analyze_dex`` takes every DEX file of one app (label, bytes) and returns listeners, debug
services, SDKs present and per-file errors.  See docs/dex.md.  The modules, one concern each:

``parser``     the DEX reader            ``callsites``  invoke / field-write search
``dataflow``   one method's values       ``absval``     the engine's abstract values
``program``    classes, hierarchy         ``context``    shared state, locations, searches
``follow``     fields, returns, config    ``wrappers``   callers of wrappers (origins)
``listeners``  roles and verdicts         ``guards``     peer checks per socket
``libraries``  library types, internals   ``origin``     app or library code
``probes``     free-port probes           ``debug``      debug services
``engine``     the run over one app
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ... import catalog
from ...options import Limits
from .absval import dotted
from .context import Context
from .dataflow import Resources
from .engine import DexResult, Engine, catalogue_sites, parse_all
from .parser import DexError, DexFile

__all__ = ["DexError", "DexFile", "DexResult", "analyze_dex", "raw_call_sites"]

ResourceLookup = Callable[[int], tuple[str | None, int | str | bool | None]]


def raw_call_sites(dexes: list[tuple[str, bytes]]) -> list[tuple[str, str, str, str, int]]:
    """Every call site of every catalogue method, before any interpretation.

    Returns (label, dotted caller class, caller "name(params)ret", catalogue id, pc).
    """
    errors: list[str] = []
    ctx = Context(parse_all(dexes, Limits(), errors), errors, Limits(), None)
    out = []
    for s in catalogue_sites(ctx, catalog.android_apis()):
        try:
            cls, name, params, ret = ctx.method_ref(s.dex, s.method_idx)
        except DexError:
            continue
        out.append((s.label, dotted(cls), f"{name}({''.join(params)}){ret}", s.spec.id, s.pc))
    return out


def analyze_dex(dexes: list[tuple[str, bytes]], *, app_package: str | None = None,
                limits: Limits | None = None, resources: ResourceLookup | None = None,
                profiles=None) -> DexResult:
    """Analyse every DEX file of one app together.  Never raises for bad input.

    ``resources``: resource id -> (name, value) from the app's resources.arsc (``R.integer.port``
    read with ``getResources().getInteger(id)``); without it such reads stay configurable values
    with no default.  ``profiles``: library profiles to match (``libmatch``, docs/profiles.md);
    None means the shipped set, () turns matching off."""
    t0 = time.perf_counter()
    limits = limits or Limits()
    errors: list[str] = []
    parsed = parse_all(dexes, limits, errors)
    libraries = None
    try:
        from ...libmatch import match_libraries, shipped  # libmatch reads DEX files with this package's parser

        libraries = match_libraries(parsed, shipped() if profiles is None else tuple(profiles), catalog.android_apis())
        errors += libraries.errors
    except Exception as exc:  # noqa: BLE001 - matching is an aid: the engine runs without it
        errors.append(f"library matching failed ({type(exc).__name__}: {exc})")
    try:
        res = Engine(parsed, app_package, errors, limits, Resources(resources), libraries).run()
    except Exception as exc:  # noqa: BLE001 - last resort: report, never raise
        res = DexResult(errors=errors)
        errors.append(f"DEX analysis failed ({type(exc).__name__}: {exc})")
    if libraries is not None:
        res.stats["libraries"] = libraries.stats
    res.stats["seconds"] = round(time.perf_counter() - t0, 4)
    res.errors = list(dict.fromkeys(res.errors))  # one bad string offset is met at every call site
    return res
