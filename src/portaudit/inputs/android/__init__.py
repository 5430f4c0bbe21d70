"""Android containers: APK / AAB / APKS / XAPK / APKM / JAR / ZIP / bare DEX -> Facts.

Opens the container with the hardened reader (:mod:`..archive`), decodes the
manifest (:mod:`..manifest`), hands every DEX to the DEX engine together and
every ``lib/<abi>/*.so`` to the native analyzer when those are installed.
"""

from __future__ import annotations

import importlib
import logging
import mmap
import os
import re
from dataclasses import dataclass, field

from ...errors import InputError, LimitExceeded
from ...model import AppInfo, Facts, Target
from ...options import Limits, Options
from ..archive import Archive, Budget, ZipEntry

log = logging.getLogger("portaudit")

_ROOT_DEX = re.compile(r"^classes(\d*)\.dex$")
_LIB = re.compile(r"^lib/[^/]+/[^/]+\.so$")  # what the package manager extracts
_AAB_LIB = re.compile(r"^[^/]+/lib/[^/]+/[^/]+\.so$")
BUNDLE_KINDS = {"apks", "xapk"}
MAX_MANIFEST_BYTES = 16 * 1024**2  # real manifests are well under 1 MiB


def dex_order(name: str) -> tuple:
    """Natural order of multidex names: classes.dex, classes2.dex, ... classes10.dex."""
    base = name.rsplit("/", 1)[-1]
    m = _ROOT_DEX.match(base)
    prefix = name[: len(name) - len(base)]
    if m:
        return (prefix, 0, int(m.group(1) or 1), base)
    return (prefix, 1, 0, base)


@dataclass
class Contents:
    """What was pulled out of a container (all in memory)."""

    dexes: list[tuple[str, bytes]] = field(default_factory=list)
    libs: list[tuple[str, bytes]] = field(default_factory=list)
    app: AppInfo | None = None
    manifest_seen: bool = False
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    limit_errors: list[LimitExceeded] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def _note_all(archive: Archive, prefix: str, out: Contents) -> None:
    if archive.damage:
        out.damage.append(f"{prefix}{archive.damage}" if prefix else archive.damage)
    for n in archive.notes:
        text = f"{prefix}{n}" if prefix else n
        if text not in out.notes:
            out.notes.append(text)


def _read(archive: Archive, e: ZipEntry, prefix: str, out: Contents, max_bytes: int | None = None) -> bytes | None:
    try:
        return archive.read(e, max_bytes)
    except LimitExceeded as exc:
        if str(exc).startswith("time limit"):  # the per-target deadline: ends the target
            raise
        out.limit_errors.append(exc)
        out.errors.append(_prefixed(prefix, str(exc), e.name))
    except InputError as exc:
        out.errors.append(_prefixed(prefix, str(exc), e.name))
    return None


def _prefixed(prefix: str, msg: str, name: str) -> str:
    label = prefix.rstrip("!") if prefix else ""
    if label and not msg.startswith(label):
        return f"{label}!{msg}" if msg.startswith(name) else f"{label}!{name}: {msg}"
    if label:  # already "split.apk!entry: ..." (the nested archive's own label)
        return msg
    return msg if msg.startswith(name) else f"{name}: {msg}"


def _manifest_from_apk(archive: Archive, prefix: str, out: Contents) -> AppInfo | None:
    from ..manifest import parse_manifest

    me = archive.find("AndroidManifest.xml")
    if me is None:
        return None
    out.manifest_seen = True
    data = _read(archive, me, prefix, out, MAX_MANIFEST_BYTES)
    if data is None:
        return None
    arsc = None
    ae = archive.find("resources.arsc")
    if ae is not None:
        arsc = _read(archive, ae, prefix, out)
    path = f"{prefix}AndroidManifest.xml"
    try:
        info, notes = parse_manifest(data, arsc, manifest_path=path)
    except InputError as exc:
        msg = str(exc)
        out.errors.append(msg if msg.startswith(path) else f"{path}: {msg}")
        return None
    except Exception as exc:  # noqa: BLE001 - hostile manifest we do not handle: contain it, keep the DEX
        out.errors.append(f"{path}: unreadable binary XML ({type(exc).__name__}: {exc})")
        return None
    out.notes.extend(notes)
    return info


def _manifest_from_aab(archive: Archive, out: Contents) -> AppInfo | None:
    from ..manifest import parse_proto_manifest_info

    path = "base/manifest/AndroidManifest.xml"
    me = archive.find(path)
    if me is None:
        return None
    out.manifest_seen = True
    data = _read(archive, me, "", out, MAX_MANIFEST_BYTES)
    if data is None:
        return None
    res = None
    re_ = archive.find("base/resources.pb")
    if re_ is not None:
        res = _read(archive, re_, "", out)
    try:
        info, notes = parse_proto_manifest_info(data, res, path)
    except InputError as exc:
        out.errors.append(f"{path}: {exc}")
        return None
    except Exception as exc:  # noqa: BLE001 - contain it, keep the DEX
        out.errors.append(f"{path}: unreadable protobuf manifest ({type(exc).__name__}: {exc})")
        return None
    out.notes.extend(notes)
    return info


def _collect(archive: Archive, prefix: str, kind: str, depth: int, limits: Limits, budget: Budget,
             out: Contents) -> None:
    """Pull DEX, native libraries and the manifest out of ``archive`` (recursing into nested APKs)."""
    if depth > limits.max_depth:
        raise LimitExceeded(f"{prefix.rstrip('!')}: archives nested deeper than {limits.max_depth} levels")
    entries = [e for e in archive.entries if not e.is_dir]
    seen: dict[str, int] = {}
    is_aab = kind == "aab"
    dex_entries: list[ZipEntry] = []
    nested: list[ZipEntry] = []
    for e in entries:
        name = e.name
        low = name.lower()
        if low.endswith(".dex"):
            if is_aab and not re.match(r"^[^/]+/dex/[^/]+\.dex$", name):
                out.notes.append(f"{prefix}{name}: DEX outside a module's dex/ folder (scanned)")
            elif not is_aab and "/" in name:
                out.notes.append(f"{prefix}{name}: DEX outside the APK root, loaded only dynamically (scanned)")
            elif not is_aab and not _ROOT_DEX.match(name):
                out.notes.append(f"{prefix}{name}: non-standard DEX name at the root (scanned)")
            dex_entries.append(e)
        elif low.endswith((".apk", ".apks")) and (kind in BUNDLE_KINDS or kind == "zip"):
            nested.append(e)
        elif (_AAB_LIB if is_aab else _LIB).match(name):
            data = _read(archive, e, prefix, out)
            if data is None:
                continue
            if data[:4] != b"\x7fELF" and not name.endswith(".config.so"):  # frida-gadget config is JSON
                # Android extracts it but cannot load it: nothing listens from here.
                out.notes.append(f"{prefix}{name}: not an ELF file ({len(data)} bytes), skipped")
                continue
            out.libs.append((f"{prefix}{name}", data))
    dex_entries.sort(key=lambda e: (not e.name.startswith("base/"), dex_order(e.name), e.index))
    for e in dex_entries:
        data = _read(archive, e, prefix, out, limits.max_dex_bytes)
        if data is None:
            continue
        problem = _dex_header_problem(data)
        if problem:
            out.errors.append(f"{prefix}{e.name}: {problem}")
            continue
        n = seen.get(e.name, 0) + 1
        seen[e.name] = n
        label = f"{prefix}{e.name}" if n == 1 else f"{prefix}{e.name}#{n}"
        out.dexes.append((label, data))
    # Manifest
    if is_aab:
        info = _manifest_from_aab(archive, out)
        if info is not None:
            out.app = info
    else:
        info = _manifest_from_apk(archive, prefix, out)
        if info is not None and (out.app is None or (out.app.extra.get("split") and not info.extra.get("split"))):
            out.app = info
    _note_all(archive, prefix, out)
    # Nested APKs (split bundles): base first, then splits; skip standalones if splits exist
    if nested:
        has_splits = any(e.name.startswith("splits/") for e in nested)
        nested = [e for e in nested if not (has_splits and e.name.startswith("standalones/"))]
        nested.sort(key=lambda e: (not _base_name(e.name), e.index))
        if depth + 1 > limits.max_depth:
            raise LimitExceeded(
                f"{prefix}{nested[0].name}: archives nested deeper than {limits.max_depth} levels")
        for e in nested:
            data = _read(archive, e, prefix, out)
            if data is None:
                continue
            sub_prefix = f"{prefix}{e.name}!"
            try:
                sub = Archive(data, sub_prefix.rstrip("!"), limits, budget)
            except LimitExceeded:
                raise
            except InputError as exc:
                out.errors.append(f"{prefix}{e.name}: {exc}")
                continue
            _collect(sub, sub_prefix, "apks" if e.name.lower().endswith(".apks") else "apk",
                     depth + 1, limits, budget, out)


def _dex_header_problem(data: bytes) -> str | None:
    """A cheap container-level check so one bad DEX is reported and skipped (the DEX engine checks more)."""
    if len(data) < 0x70:
        return f"not a DEX file (only {len(data)} bytes)"
    if data[:4] != b"dex\n" or data[7:8] != b"\x00" or not data[4:7].isdigit():
        return f"not a DEX file (bad magic {bytes(data[:8])!r})"
    return None


def _base_name(name: str) -> bool:
    base = name.rsplit("/", 1)[-1].lower()
    return base in ("base.apk", "base-master.apk") or base.startswith("base-master")


def _open(path: str):
    fh = open(path, "rb")  # noqa: SIM115 - closed in finally; the mmap outlives it
    try:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            raise InputError("empty file")
        try:
            return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):
            return fh.read()
    finally:
        fh.close()


def read_container(path: str, kind: str, limits: Limits) -> tuple[Contents, Budget]:
    """DEX, native libraries, manifest facts, notes and per-entry errors of one input file."""
    budget = Budget(limits)
    out = Contents()
    data = _open(path)
    try:
        if kind == "dex" or bytes(data[:4]) == b"dex\n":
            if len(data) > limits.max_dex_bytes:
                raise LimitExceeded(f"DEX is {len(data)} bytes, over the limit of {limits.max_dex_bytes}")
            out.dexes.append((os.path.basename(path), bytes(data)))
        else:
            archive = Archive(data, "", limits, budget)
            out.stats["entries"] = len(archive.entries)
            out.stats["class_files"] = sum(1 for e in archive.entries if e.name.endswith(".class"))
            _collect(archive, "", kind, 0, limits, budget, out)
    finally:
        if isinstance(data, mmap.mmap):
            try:
                data.close()
            except BufferError:  # a view still held by an unwinding exception: the GC closes it
                pass
    return out, budget


def analyze(target: Target, options: Options) -> Facts:
    limits = options.limits
    path = target.path
    if os.path.isdir(path):
        raise InputError("is a directory, not a file")
    out, budget = read_container(path, target.kind, limits)
    kind = target.kind
    if not out.dexes and out.damage and not out.limit_errors:
        first = f": {out.errors[0]}" if out.errors else ""
        raise InputError(f"damaged archive ({out.damage[0]}){first}")
    if not out.dexes:
        if out.limit_errors:
            raise out.limit_errors[0]
        if kind in ("jar", "zip") and not out.manifest_seen:
            detail = f" ({out.errors[0]})" if out.errors else ""
            if out.stats.get("class_files"):
                raise InputError(f"no classes*.dex in this {kind}: it holds {out.stats['class_files']} Java .class "
                                 f"files, and only DEX bytecode is analysed{detail}")
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
        _run_dex(out.dexes, app_package, limits, facts, target)
    if out.libs:
        _run_native(out.libs, limits, facts, target)
    return facts


def _run_dex(dexes, app_package, limits, facts: Facts, target: Target) -> None:
    try:
        dexmod = importlib.import_module("portaudit.inputs.dex")
        analyze_dex = dexmod.analyze_dex
    except (ModuleNotFoundError, AttributeError) as exc:
        if isinstance(exc, ModuleNotFoundError) and not (exc.name or "").startswith("portaudit"):
            raise
        target.notes.append("DEX engine not installed: bytecode not analysed")
        facts.stats["dex_engine"] = None
        return
    res = analyze_dex(dexes, app_package=app_package, limits=limits)
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
    if isinstance(stats, dict):
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
