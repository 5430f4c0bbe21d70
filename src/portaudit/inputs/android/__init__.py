"""Android containers: APK / AAB / APKS / XAPK / APKM / JAR / ZIP / bare DEX -> Facts.

:mod:`.container` reads the container (DEX, native libraries, the manifest through :mod:`.axml`,
:mod:`.arsc`, :mod:`.aapt2_proto` and :mod:`.appinfo`, and the archives nested in it); this module
hands every DEX of the app to the DEX engine together, every ``lib/<abi>/*.so`` to the native
analyzer, and each nested archive's own code to them as a child target.
"""

from __future__ import annotations

import importlib
import logging
import os

from ...errors import InputError
from ...model import Facts, Target
from ...options import Options
from .container import BUNDLE_KINDS, Child, Contents, dex_order, read_container

__all__ = ["BUNDLE_KINDS", "Contents", "analyze", "dex_order", "read_container"]

log = logging.getLogger("portaudit")


def analyze(target: Target, options: Options) -> Facts:
    limits = options.limits
    path = target.path
    if os.path.isdir(path):
        raise InputError("is a directory, not a file")
    out, budget = read_container(path, target.kind, limits)
    kind = target.kind
    code = bool(out.dexes) or any(c.contents.dexes or c.contents.libs for c in _descendants(out))
    if not code and out.damage and not out.limit_errors:
        first = f": {out.errors[0]}" if out.errors else ""
        raise InputError(f"damaged archive ({out.damage[0]}){first}")
    if not code:
        if out.limit_errors:
            raise out.limit_errors[0]
        if kind in ("jar", "zip") and not out.manifest_seen:
            detail = f" ({out.errors[0]})" if out.errors else ""
            if out.stats.get("class_files"):
                raise InputError(f"no classes*.dex in this {kind}: it holds {out.stats['class_files']} Java "
                                 f".class files, and only DEX bytecode is analysed{detail}")
            raise InputError(f"no classes*.dex in this {kind} (not an Android app or DEX jar){detail}")
        if not out.manifest_seen:
            detail = f" ({out.errors[0]})" if out.errors else ""
            raise InputError(f"no classes*.dex or AndroidManifest.xml found{detail}")
        if out.app is None and out.errors:
            raise InputError(out.errors[0])
    target.errors.extend(out.errors)
    # A damaged container is an error even when entries could be recovered: what could not be
    # read was not scanned.  One line per bad file: when entries already failed, it stays a note.
    if out.damage and not out.errors:
        target.errors.append(f"damaged archive ({out.damage[0]}); the recovered entries were scanned")
        target.notes.extend(n for n in out.notes if n != out.damage[0])
    else:
        target.notes.extend(out.notes)
    facts = Facts(target=target, app=out.app)
    app_package = out.app.package if out.app else None
    facts.stats.update(out.stats)
    facts.stats["dex_count"] = len(out.dexes)
    facts.stats["dex_bytes"] = sum(len(d) for _, d in out.dexes)
    facts.stats["native_libs"] = len(out.libs)
    facts.stats["decompressed_bytes"] = budget.used
    if out.dexes:
        _run_dex(out.dexes, app_package, limits, facts, target, resources=out.resources)
    if out.libs:
        _run_native(out.libs, limits, facts, target)
    _run_daemons(out, facts, target)
    if out.children:
        facts.stats["children"] = [_run_child(c, limits, facts, target) for c in _descendants(out)]
    return facts


def _descendants(out: Contents):
    for c in out.children:
        yield c
        yield from _descendants(c.contents)


def _run_child(child: Child, limits, facts: Facts, target: Target) -> dict:
    """An archive found inside the target, analysed on its own (its DEX with its own package)."""
    co = child.contents
    pkg = co.app.package if co.app else None
    what = [f"{len(co.dexes)} DEX", _count(len(co.libs), "native library", "native libraries")]
    if pkg:
        what.append(f"package {pkg}")
    found = f"{child.label}: {child.kind.upper()} found {child.where}"
    if co.dexes or co.libs:
        target.notes.append(f"{found}, scanned as a child target ({', '.join(what)})")
    elif co.children:
        target.notes.append(f"{found}: {_count(len(co.children), 'archive', 'archives')} in it, no DEX or "
                            "native library of its own")
    else:
        classes = co.stats.get("class_files")
        why = f" ({classes} Java .class files: only DEX bytecode is analysed)" if classes else ""
        target.notes.append(f"{found}: no DEX or native library in it{why}")
    target.notes.extend(co.damage)
    target.notes.extend(co.notes)
    target.errors.extend(co.errors)
    if co.dexes:
        _run_dex(co.dexes, pkg, limits, facts, target, record_stats=False, resources=co.resources)
    if co.libs:
        _run_native(co.libs, limits, facts, target)
    _run_daemons(co, facts, target)
    return {"label": child.label, "kind": child.kind, "where": child.where, "package": pkg,
            "dex_count": len(co.dexes), "native_libs": len(co.libs)}


def _run_daemons(out: Contents, facts: Facts, target: Target) -> None:
    """Daemon configurations (inputs/daemons) tied to the executables the app ships."""
    if not out.configs:
        return
    from ..daemons import listeners

    found, notes = listeners(out.configs, [label for label, _data in out.libs])
    facts.listeners.extend(found)
    target.notes.extend(notes)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _run_dex(dexes, app_package, limits, facts: Facts, target: Target, record_stats: bool = True,
             resources=None) -> None:
    try:
        dexmod = importlib.import_module("portaudit.inputs.dex")
        analyze_dex = dexmod.analyze_dex
    except (ModuleNotFoundError, AttributeError) as exc:
        if isinstance(exc, ModuleNotFoundError) and not (exc.name or "").startswith("portaudit"):
            raise
        target.notes.append("DEX engine not installed: bytecode not analysed")
        facts.stats["dex_engine"] = None
        return
    res = analyze_dex(dexes, app_package=app_package, limits=limits, resources=resources)
    facts.listeners.extend(getattr(res, "listeners", []) or [])
    facts.debug.extend(getattr(res, "debug", []) or [])
    facts.sdks.extend(getattr(res, "sdks", []) or [])
    # a bare .dex is its own only entry: the pipeline already names the file, so drop the engine's
    # "name.dex: " prefix rather than print "x.dex: x.dex: bad DEX header"
    own = f"{os.path.basename(target.path)}: " if target.kind == "dex" else None
    for err in getattr(res, "errors", []) or []:
        err = str(err)
        target.errors.append(err[len(own):] if own and err.startswith(own) else err)
    stats = getattr(res, "stats", None)
    if isinstance(stats, dict) and record_stats:
        facts.stats.update({f"dex_{k}" if not str(k).startswith("dex") else k: v for k, v in stats.items()})


def _run_native(libs, limits, facts: Facts, target: Target) -> None:
    try:
        nat = importlib.import_module("portaudit.inputs.native")
        scan_elf = nat.scan_elf
    except (ModuleNotFoundError, AttributeError) as exc:
        if isinstance(exc, ModuleNotFoundError) and not (exc.name or "").startswith("portaudit"):
            raise
        target.notes.append(f"native analyzer not installed: {len(libs)} native libraries not analysed")
        return
    for label, data in libs:
        try:
            listeners, debug, errors = scan_elf(label, data, limits)
        except InputError as exc:
            target.errors.append(f"{label}: {exc}")
            continue
        except Exception as exc:  # contain a crash of one library's analysis
            log.debug("native analysis failed on %s", label, exc_info=True)
            target.errors.append(f"{label}: native analysis failed ({type(exc).__name__}: {exc})")
            continue
        facts.listeners.extend(listeners or [])
        facts.debug.extend(debug or [])
        for err in errors or []:
            err = str(err)
            target.errors.append(err if err.startswith(label) else f"{label}: {err}")


def warm() -> None:
    """Load what every APK analysis needs (engines, catalogues) once, e.g. before forking
    isolated children, so that each child does not load it again."""
    from ... import catalog
    from .. import dex  # noqa: F401

    catalog.android_apis()
    catalog.sdks()
    from ...libmatch import shipped

    shipped()  # the library profiles' headers (bodies are read only when a library is found)
    try:
        from ..native import scan as native_scan

        native_scan.catalog()
        native_scan.listener_specs()
    except ImportError:  # pragma: no cover - native analyzer not installed
        pass
