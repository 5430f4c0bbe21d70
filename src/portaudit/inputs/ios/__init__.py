"""iOS apps (.ipa) and Mach-O binaries (iOS, macOS; thin or universal).

* kind ``ipa``: every Payload/*.app: every Mach-O in the bundle (the main executable first, then
  frameworks, dylibs (Xcode's ``*.debug.dylib`` of debug builds included), app extensions
  (``PlugIns/*.appex``) and nested bundles); Info.plist (binary or XML, values type-checked by
  :mod:`.plist`); entitlements from the code signature and embedded.mobileprovision.
* kind ``macho``: one binary, each slice of a universal binary.

Parsing is pure Python (:mod:`.macho`, bounds-checked), so hostile input gives a clear
error; the zip is read with the hardened :mod:`portaudit.inputs.archive` reader.
"""

from __future__ import annotations

import plistlib
import posixpath
import re
import struct

from ...errors import InputError, LimitExceeded
from ...model import AppInfo, Bind, DebugService, Facts, Location, Origin, Target
from ...options import Options
from ..native.callsites import call_sites
from ..native.emulate import Emulator
from ..native.machine import SUPPORTED
from ..native.image import FormatError
from ..native.scan import Scanner
from . import macho, objc, swift
from .plist import EXTRA_KEYS, InfoPlist, typed_info_plist

_MACHO_MAGICS = (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf")


def scan_macho(label: str, data: bytes | memoryview, facts: Facts) -> dict:
    """Scan every slice of one Mach-O file into ``facts``; returns entitlements found."""
    ents: dict = {}
    try:
        parts = macho.slices(data)
    except FormatError as exc:
        facts.target.errors.append(f"{label}: {exc}")
        return ents
    fat = len(parts) > 1
    if fat:
        # Each slice of a universal binary is the same program for another CPU: scan them all,
        # then report each call once (location.file stays a path; the slices are named in the evidence).
        per_slice = Facts(target=facts.target, sdks=facts.sdks, stats=facts.stats)
        for arch, body in parts:
            ents.update(_scan_slice(label, f"{label} [{arch}]", arch, body, per_slice))
        facts.listeners.extend(_merge_slices(per_slice.listeners, label))
        facts.debug.extend(_merge_slices(per_slice.debug, label))
        return ents
    for arch, body in parts:
        ents.update(_scan_slice(label, label, arch, body, facts))
    return ents


def _slice_key(item) -> tuple:
    loc = item.location
    if isinstance(item, DebugService):
        return ("debug", item.kind, item.enabled, loc.function)
    return ("listener", item.api, item.transport, item.bind, item.address, item.port, loc.function)


def _merge_slices(items: list, label: str) -> list:
    groups: dict[tuple, list] = {}
    for item in items:
        groups.setdefault(_slice_key(item), []).append(item)
    out = []
    for group in groups.values():
        def arch_of(x):
            return x.location.file.rsplit("[", 1)[-1].rstrip("]")
        group.sort(key=lambda x: (arch_of(x) != "arm64", arch_of(x)))
        keep = group[0]
        arches = [arch_of(x) for x in group]
        keep.location.file = label
        also = f"; the same call is in the {', '.join(arches[1:])} slice(s)" if len(arches) > 1 else ""
        keep.evidence = f"{keep.evidence or ''}\n[{arches[0]} slice{also}]".lstrip()
        out.append(keep)
    return out


def _scan_slice(label: str, sl: str, arch: str, body, facts: Facts) -> dict:
    try:
        mo = macho.parse(body)
    except FormatError as exc:
        facts.target.errors.append(f"{sl}: {exc}")
        return {}
    except (ValueError, IndexError, OverflowError, struct.error) as exc:
        facts.target.errors.append(f"{sl}: malformed Mach-O ({type(exc).__name__}: {exc})")
        return {}
    img = mo.image
    ents = dict(mo.entitlements)
    if mo.entitlements_error:
        facts.target.notes.append(f"{sl}: {mo.entitlements_error}")
    if mo.encrypted:
        facts.target.notes.append(f"{sl}: encrypted: decrypt first (LC_ENCRYPTION_INFO cryptid=1; "
                                  "code not analysed, imports and strings only)")
        img.code = []
        img.encrypted = True
    if img.arch not in SUPPORTED:
        facts.target.notes.append(f"{sl}: {img.arch} code is not disassembled (imports and strings only)")
    sc = Scanner(img, sl)
    try:
        sc.run()
        objc.listeners(sc)
        swift.listeners(sc)
    except (struct.error, IndexError, ValueError, OverflowError, KeyError, TypeError) as exc:
        facts.target.errors.append(f"{sl}: malformed Mach-O ({type(exc).__name__} while scanning: {exc})")
        return ents
    facts.listeners.extend(sc.listeners)
    facts.debug.extend(sc.debug)
    for o in sc.origins:
        if not any(x.sdk == o.sdk for x in facts.sdks):
            facts.sdks.append(o)
    facts.target.notes.extend(sc.notes)
    facts.debug.extend(_inspectable(img, sl, mo.encrypted))
    st = facts.stats.setdefault("binaries", [])
    st.append({"file": sl, "arch": img.arch, "platform": mo.platform, "encrypted": mo.encrypted,
               "stripped": img.stripped, "dylibs": mo.dylibs,
               "imports": sorted(img.imports & _interesting())})
    return ents


def _interesting() -> set[str]:
    from ..native.scan import catalog

    return set(catalog().get("imports", {}).get("interesting", []))


def _inspectable(img, label: str, encrypted: bool) -> list[DebugService]:
    """WKWebView.isInspectable: the setInspectable: selector, resolved at objc_msgSend call sites."""
    data = img.data
    needle = b"setInspectable:\0"
    if bytes(data).find(needle) < 0:
        return []
    enabled: bool | None = None
    loc = Location(file=label, function="-[WKWebView setInspectable:]")
    evidence = "selector setInspectable: referenced"
    if img.arch in SUPPORTED and not encrypted:
        for site in call_sites(img, {"objc_msgSend"}):
            start = img.function_start(site.addr)
            if start is None or site.addr - start > 65536:
                continue
            emu = Emulator(img)
            st = emu.run(start, site.addr)
            args = emu.args(st, 3)
            sel = emu.cstring(st, args[1])
            if sel != b"setInspectable:":
                continue
            val = args[2]
            fn = img.function_name(start) or f"sub_{start:x}"
            loc = Location(file=label, function=fn, offset=site.addr)
            flag = ("YES" if val[1] & 1 else "NO") if val[0] == "c" else "?"
            evidence = (f"[webView setInspectable:{flag}] at {site.addr:#x} in {fn}\n"
                        + "\n".join(f"{a:#x}: {t}" for a, t in st.trace[-6:])
                        + f"\n{site.addr:#x}: objc_msgSend setInspectable:")
            if val[0] == "c":
                enabled = bool(val[1] & 1)
                if enabled:
                    break
    return [DebugService(kind="webview-debugging", enabled=enabled, location=loc, evidence=evidence,
                         detail="WKWebView isInspectable")]


def _app_info(info: InfoPlist, plist_name: str) -> AppInfo:
    extra: dict = {k: list(v) if isinstance(v, tuple) else v
                   for k, v in info.values.items() if k in EXTRA_KEYS}
    extra["NSAllowsLocalNetworking"] = info.ats.get("NSAllowsLocalNetworking")
    extra["NSAllowsArbitraryLoads"] = info.ats.get("NSAllowsArbitraryLoads")
    extra["plist_path"] = plist_name
    return AppInfo(
        platform="ios",
        package=info.string("CFBundleIdentifier"),
        version_name=info.string("CFBundleShortVersionString"),
        version_code=info.string("CFBundleVersion"),
        cleartext=info.cleartext(),
        extra=extra,
    )


_PROFILE_PLIST = re.compile(rb"<\?xml.{0,200}?<plist.*?</plist>", re.DOTALL)


def profile_entitlements(data: bytes) -> dict:
    """Entitlements of an embedded.mobileprovision (a CMS-signed plist)."""
    m = _PROFILE_PLIST.search(data)
    if not m:
        return {}
    try:
        pl = plistlib.loads(m.group(0))
    except Exception:  # noqa: BLE001 - any malformed plist
        return {}
    ents = pl.get("Entitlements") if isinstance(pl, dict) else None
    return ents if isinstance(ents, dict) else {}


def _apply_entitlements(facts: Facts, ents: dict, source: str, where: str) -> None:
    if facts.app is None:
        facts.app = AppInfo(platform="ios")
    gta = ents.get("get-task-allow")
    if gta is True:
        facts.app.debuggable = True
        facts.app.debuggable_source = source
        facts.app.extra["manifest_path"] = where
        facts.app.extra["debuggable_evidence"] = f"<key>get-task-allow</key><true/> in {source} ({where})"
    elif gta is False and facts.app.debuggable is None:
        facts.app.debuggable = False
        facts.app.debuggable_source = source
    facts.app.extra.setdefault("entitlements", {}).update(
        {k: v for k, v in ents.items() if isinstance(k, str) and isinstance(v, (bool, str, int))})


def analyze(target: Target, options: Options) -> Facts:
    facts = Facts(target=target)
    limits = options.limits
    try:
        with open(target.path, "rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > limits.max_file_bytes:
        raise LimitExceeded(f"file is over the limit of {limits.max_file_bytes} bytes")
    if target.kind == "macho" or data[:4] in _MACHO_MAGICS:
        label = posixpath.basename(target.path)
        errors_before = len(target.errors)
        ents = scan_macho(label, data, facts)
        if len(target.errors) > errors_before and not facts.stats.get("binaries"):
            msg = target.errors.pop()
            raise InputError(msg.split(": ", 1)[-1] if msg.startswith(label) else msg)
        plats = {b.get("platform") for b in facts.stats.get("binaries", [])}
        ios = bool(plats & {"ios", "ios-simulator", "maccatalyst"})
        facts.app = AppInfo(platform="ios" if ios else "other",
                            extra={"format": "macho", "platforms": sorted(p for p in plats if p)})
        if ents:
            _apply_entitlements(facts, ents, "entitlements", label)
        return facts
    return _analyze_ipa(target, data, options, facts)


def _analyze_ipa(target: Target, data: bytes, options: Options, facts: Facts) -> Facts:
    from ..archive import Archive

    arc = Archive(data, "", options.limits)
    if len(arc.entries) > options.limits.max_entries:
        raise LimitExceeded(f"{len(arc.entries)} entries, over the limit of {options.limits.max_entries}")
    target.notes.extend(arc.notes)
    names = arc.names()
    apps = sorted({m.group(1) for n in names if (m := re.match(r"(Payload/[^/]+\.app)/", n))})
    if not apps:
        raise InputError("no Payload/*.app in the archive (not an IPA?)")
    for app in apps:
        plist_name = f"{app}/Info.plist"
        info = _read_info_plist(arc, plist_name, target)
        target.notes.extend(info.notes)
        if facts.app is None:
            facts.app = _app_info(info, plist_name)
        binaries = _bundle_binaries(arc, app, info)
        for name in binaries:
            body = _read_entry(arc, name, target)
            if body is None or body[:4] not in _MACHO_MAGICS:
                continue
            ents = scan_macho(name, body, facts)
            if ents and name == binaries[0]:
                _apply_entitlements(facts, ents, "entitlements", name)
        prof = f"{app}/embedded.mobileprovision"
        entry = arc.find(prof)
        if entry is not None:
            try:
                ents = profile_entitlements(arc.read(entry, 4 * 1024 * 1024))
            except InputError as exc:
                target.errors.append(str(exc))
                ents = {}
            if ents:
                _apply_entitlements(facts, ents, "provisioning profile", prof)
    return facts


def _read_entry(arc, name: str, target: Target, max_bytes: int | None = None) -> bytes | None:
    e = arc.find(name)
    if e is None or e.is_dir:
        return None
    try:
        return arc.read(e, max_bytes)
    except LimitExceeded:
        raise
    except InputError as exc:
        target.errors.append(str(exc))
        return None


def _read_info_plist(arc, plist_name: str, target: Target) -> InfoPlist:
    """The bundle's Info.plist as typed facts; a missing or unparsable one is an error of the
    target (the binaries are still scanned), an ill-typed value a note."""
    if not arc.find(plist_name):
        target.errors.append(f"{plist_name}: missing")
        return InfoPlist()
    raw = _read_entry(arc, plist_name, target, 16 * 1024 * 1024)
    if raw is None:
        return InfoPlist()
    try:
        val = plistlib.loads(raw)
    except Exception as exc:  # noqa: BLE001 - plistlib raises many types on garbage
        target.errors.append(f"{plist_name}: not a valid property list ({type(exc).__name__})")
        return InfoPlist()
    return typed_info_plist(val, plist_name)


_NOT_CODE = ("PkgInfo", "CodeResources")


def _bundle_binaries(arc, app: str, info: InfoPlist) -> list[str]:
    """The files of the bundle that can be Mach-O, the main executable first: every ``*.dylib``
    (frameworks' and Xcode's ``App.debug.dylib``, where debug builds keep the app's code) and every
    file without an extension (the executables of frameworks, app extensions in ``PlugIns/*.appex``
    and nested bundles are named that way).  The caller checks the magic."""
    exe = info.string("CFBundleExecutable") or posixpath.basename(app)[:-4]
    main = f"{app}/{exe}"
    out = [main]
    for n in sorted(arc.names()):
        if not n.startswith(app + "/") or n.endswith("/") or n == main:
            continue
        base = posixpath.basename(n)
        if "/_CodeSignature/" in n or base in _NOT_CODE:
            continue
        if base.endswith(".dylib") or "." not in base:
            out.append(n)
    return out


__all__ = ["Bind", "Origin", "analyze", "profile_entitlements", "scan_macho"]
