"""What an Android container holds: DEX files, native libraries, the manifest, and the archives
nested in it.

* An APK / AAB / JAR / ZIP / bare DEX is read with the hardened zip reader (:mod:`..archive`).
* Bundles (``.apks``, ``.xapk``, and a ``.zip`` of APKs) hold the parts of one app: their APKs are
  read into the same :class:`Contents` (base first, then the splits).
* Any other archive inside (an APK / JAR / ZIP / AAR / APKS in ``assets/``, ``res/raw/`` or inside
  another such archive, at any depth, found by its name or, in ``assets/`` and ``res/raw/``, by its
  zip magic) is a **child**: its own :class:`Contents`, analysed on its own (its DEX with its own
  manifest's package), with a note saying where it was found.  A DEX file renamed to something else
  in ``assets/`` or ``res/raw/`` is found by its magic too.
* The size, ratio, total and depth limits apply to children as to everything else; what a limit
  keeps from being scanned in a child is a note naming the child and the limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ...errors import InputError, LimitExceeded
from ...model import AppInfo
from ...options import Limits
from ..archive import Archive, Budget, ZipEntry

_ROOT_DEX = re.compile(r"^classes(\d*)\.dex$")
_LIB = re.compile(r"^lib/[^/]+/[^/]+\.so$")  # what the package manager extracts
_AAB_LIB = re.compile(r"^[^/]+/lib/[^/]+/[^/]+\.so$")
_CHILD_LIB = re.compile(r"^(?:lib|jni)/[^/]+/[^/]+\.so$")  # an APK's lib/, an AAR's jni/
_ARCHIVE_SUFFIXES = (".apk", ".apks", ".xapk", ".jar", ".zip", ".aar")
_HIDING_PLACE = re.compile(r"^(?:[^/]+/)?(?:assets|res/raw)/")  # files apps open themselves (AAB: per module)
BUNDLE_KINDS = {"apks", "xapk"}
MAX_CONFIG_BYTES = 1024 * 1024  # a daemon configuration (torrc, config.json) is small
_CONFIG_EXT = ("", ".conf", ".cfg", ".json", ".txt", ".torrc")
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
    children: list[Child] = field(default_factory=list)  # archives found inside, analysed on their own
    configs: list[tuple[str, bytes]] = field(default_factory=list)  # daemon configurations (inputs/daemons)
    resources: object | None = None  # arsc.ResourceLookup of the app's resources.arsc, for the DEX engine


@dataclass
class Child:
    """An archive found inside the container, analysed as a target of its own."""

    label: str  # "assets/plugin.apk", "assets/a.zip!b.jar"
    kind: str  # "apk" | "jar" | "zip" | "aar" | "apks" | "xapk"
    where: str  # "in assets/", "inside assets/a.zip"
    contents: Contents


def _note_all(archive: Archive, prefix: str, out: Contents) -> None:
    if archive.damage:
        out.damage.append(f"{prefix}{archive.damage}" if prefix else archive.damage)
    for n in archive.notes:
        text = f"{prefix}{n}" if prefix else n
        if text not in out.notes:
            out.notes.append(text)


def _read(archive: Archive, e: ZipEntry, prefix: str, out: Contents,
          max_bytes: int | None = None) -> bytes | None:
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
    from .appinfo import parse_manifest
    from .arsc import resource_lookup

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
    if arsc and out.resources is None:
        out.resources = resource_lookup(arsc)
    out.notes.extend(notes)
    return info


def _manifest_from_aab(archive: Archive, out: Contents) -> AppInfo | None:
    from .appinfo import parse_proto_manifest_info

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
    if res and out.resources is None:  # the DEX engine reads R.integer / R.string through it
        from .aapt2_proto import ProtoResourceTable
        from .arsc import ResourceLookup

        out.resources = ResourceLookup(table=ProtoResourceTable(res))
    out.notes.extend(notes)
    return info


@dataclass
class _Sorted:
    """The entries of one archive, by what they are."""

    dexes: list[ZipEntry] = field(default_factory=list)
    libs: list[ZipEntry] = field(default_factory=list)
    parts: list[ZipEntry] = field(default_factory=list)  # APKs of a bundle: the same app
    children: list[ZipEntry] = field(default_factory=list)  # other archives: analysed on their own
    configs: list[ZipEntry] = field(default_factory=list)  # small text files that may configure a daemon


def collect(archive: Archive, prefix: str, kind: str, depth: int, limits: Limits, budget: Budget,
            out: Contents, child: bool = False) -> None:
    """Pull DEX, native libraries and the manifest out of ``archive`` into ``out``; the parts of a
    bundle into ``out`` too, other nested archives into ``out.children`` (each in its own Contents).
    ``child``: the archive is itself a child (every entry may hide an archive)."""
    if depth > limits.max_depth:
        raise LimitExceeded(f"{prefix.rstrip('!')}: archives nested deeper than {limits.max_depth} levels")
    found = _sort_entries(archive, prefix, kind, child, out)
    _read_dexes(archive, prefix, found.dexes, limits, out)
    _read_libs(archive, prefix, found.libs, out)
    _read_configs(archive, prefix, found.configs, out)
    if kind == "aab":
        info = _manifest_from_aab(archive, out)
        if info is not None:
            out.app = info
    else:
        info = _manifest_from_apk(archive, prefix, out)
        if info is not None and _replaces(out.app, info):
            out.app = info
    _note_all(archive, prefix, out)
    if found.parts:
        _read_parts(archive, prefix, found.parts, depth, limits, budget, out)
    for e in found.children:
        _read_child(archive, prefix, e, depth, limits, budget, out)


def _replaces(current: AppInfo | None, info: AppInfo) -> bool:
    """The first manifest wins, except that a base's manifest replaces a config split's."""
    return current is None or bool(current.extra.get("split") and not info.extra.get("split"))


def _sort_entries(archive: Archive, prefix: str, kind: str, child: bool, out: Contents) -> _Sorted:
    is_aab = kind == "aab"
    lib_re = _AAB_LIB if is_aab else (_CHILD_LIB if child else _LIB)
    found = _Sorted()
    for e in archive.entries:
        if e.is_dir:
            continue
        name = e.name
        low = name.lower()
        if low.endswith(".dex"):
            _note_dex_place(prefix, name, is_aab, out)
            found.dexes.append(e)
        elif low.endswith((".apk", ".apks")) and (kind in BUNDLE_KINDS or kind == "zip") and not child:
            found.parts.append(e)
        elif lib_re.match(name):
            found.libs.append(e)
        elif low.endswith(_ARCHIVE_SUFFIXES):
            found.children.append(e)
        elif child or _HIDING_PLACE.match(name):
            magic = archive.peek(e, 4)
            if magic == b"PK\x03\x04":
                found.children.append(e)
            elif magic == b"dex\n":
                out.notes.append(f"{prefix}{name}: a DEX file without the .dex name (scanned)")
                found.dexes.append(e)
            elif e.uncompressed_size <= MAX_CONFIG_BYTES and posixpath.splitext(low)[1] in _CONFIG_EXT:
                found.configs.append(e)
    return found


def _note_dex_place(prefix: str, name: str, is_aab: bool, out: Contents) -> None:
    if is_aab and not re.match(r"^[^/]+/dex/[^/]+\.dex$", name):
        out.notes.append(f"{prefix}{name}: DEX outside a module's dex/ folder (scanned)")
    elif not is_aab and "/" in name:
        out.notes.append(f"{prefix}{name}: DEX outside the APK root, loaded only dynamically (scanned)")
    elif not is_aab and not _ROOT_DEX.match(name):
        out.notes.append(f"{prefix}{name}: non-standard DEX name at the root (scanned)")


def _read_dexes(archive: Archive, prefix: str, entries: list[ZipEntry], limits: Limits,
                out: Contents) -> None:
    seen: dict[str, int] = {}
    entries = sorted(entries, key=lambda e: (not e.name.startswith("base/"), dex_order(e.name), e.index))
    for e in entries:
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


def _read_libs(archive: Archive, prefix: str, entries: list[ZipEntry], out: Contents) -> None:
    for e in entries:
        data = _read(archive, e, prefix, out)
        if data is None:
            continue
        if data[:4] != b"\x7fELF" and not e.name.endswith(".config.so"):  # frida-gadget config is JSON
            # Android extracts it but cannot load it: nothing listens from here.
            out.notes.append(f"{prefix}{e.name}: not an ELF file ({len(data)} bytes), skipped")
            continue
        out.libs.append((f"{prefix}{e.name}", data))


def _read_configs(archive: Archive, prefix: str, entries: list[ZipEntry], out: Contents) -> None:
    """Small text files of assets/ and res/raw/ that configure an embedded daemon (tor, v2ray...)."""
    from ..daemons import detect

    for e in entries:
        data = _read(archive, e, prefix, out, MAX_CONFIG_BYTES)
        if data is not None and detect(e.name, data):
            out.configs.append((f"{prefix}{e.name}", data))


def _read_parts(archive: Archive, prefix: str, nested: list[ZipEntry], depth: int, limits: Limits,
                budget: Budget, out: Contents) -> None:
    """The APKs of a bundle (split bundles): base first, then splits; standalones skipped if splits exist."""
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
        collect(sub, sub_prefix, "apks" if e.name.lower().endswith(".apks") else "apk", depth + 1, limits,
                budget, out)


def _child_kind(name: str) -> str:
    ext = posixpath.splitext(name.lower())[1].lstrip(".")
    return ext if ext in ("apk", "apks", "xapk", "jar", "aar", "zip") else "zip"


def _read_child(archive: Archive, prefix: str, e: ZipEntry, depth: int, limits: Limits, budget: Budget,
                out: Contents) -> None:
    """An archive inside the container: its own Contents, or a note saying why it was not scanned."""
    label = f"{prefix}{e.name}"
    folder = posixpath.dirname(e.name)
    where = f"inside {prefix.rstrip('!')}" if prefix else (f"in {folder}/" if folder else "at the root")
    if depth + 1 > limits.max_depth:
        out.notes.append(f"{label}: archive {where} not scanned: archives nested deeper than "
                         f"{limits.max_depth} levels")
        return
    try:
        data = archive.read(e)
    except LimitExceeded as exc:
        if str(exc).startswith("time limit"):
            raise
        out.notes.append(f"{label}: archive {where} not scanned ({exc})")
        return
    except InputError as exc:
        out.notes.append(f"{label}: archive {where} not scanned ({exc})")
        return
    digest = hashlib.sha256(data).hexdigest()
    same = next((c for c in _all_children(out) if c.contents.stats.get("sha256") == digest), None)
    if same is not None:
        out.notes.append(f"{label}: the same bytes as {same.label}, scanned once")
        return
    kind = _child_kind(e.name)
    sub_out = Contents(stats={"sha256": digest})
    try:
        sub = Archive(data, label, limits, budget)
        sub_out.stats["class_files"] = sum(1 for x in sub.entries if x.name.endswith(".class"))
        collect(sub, f"{label}!", kind, depth + 1, limits, budget, sub_out,
                child=kind not in ("apk", "apks", "xapk"))
    except LimitExceeded as exc:
        if str(exc).startswith("time limit"):
            raise
        sub_out.notes.append(f"{label}: archive {where} not fully scanned ({exc})")
    except InputError as exc:
        out.notes.append(f"{label}: archive {where} not scanned ({exc})")
        return
    _limits_are_notes(sub_out)
    out.children.append(Child(label, kind, where, sub_out))


def _limits_are_notes(out: Contents) -> None:
    """A limit met inside a child cuts only what it names: a note of the target, not an error."""
    cut = [str(x) for x in out.limit_errors]
    for msg in [m for m in out.errors if any(c in m for c in cut)]:
        out.errors.remove(msg)
        out.notes.append(f"{msg}; not scanned")
    out.limit_errors = []


def _all_children(out: Contents):
    for c in out.children:
        yield c
        yield from _all_children(c.contents)


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


class Container(NamedTuple):
    contents: Contents
    budget: Budget  # what was decompressed (shared by nested archives)


def read_container(path: str, kind: str, limits: Limits) -> Container:
    """DEX, native libraries, manifest facts, nested children, notes and per-entry errors of one file."""
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
            collect(archive, "", kind, 0, limits, budget, out)
    finally:
        if isinstance(data, mmap.mmap):
            with contextlib.suppress(BufferError):  # a view still held by an unwinding exception: the GC closes it
                data.close()
    return Container(out, budget)
