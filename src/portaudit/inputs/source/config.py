"""AndroidManifest.xml (text form), Info.plist and .entitlements found in a source tree -> AppInfo."""

from __future__ import annotations

import plistlib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ...model import AppInfo

A = "{http://schemas.android.com/apk/res/android}"


def read_configs(files: list, root: Path) -> tuple[AppInfo | None, list[str]]:
    notes: list[str] = []
    manifests = [f for f in files if f.path.name == "AndroidManifest.xml"]
    plists = [f for f in files if f.path.name.endswith("Info.plist")]
    ents = [f for f in files if f.path.name.endswith(".entitlements")]
    android = None
    if manifests:
        parsed = []
        for f in manifests:
            try:
                data = f.path.read_bytes()
                if data[:2] == b"\x03\x00":
                    notes.append(f"{f.rel}: binary manifest (compiled); not read by the source input")
                    continue
                parsed.append((f, ET.fromstring(data)))
            except (OSError, ET.ParseError) as exc:
                notes.append(f"{f.rel}: manifest does not parse ({exc})")
        if parsed:
            main = pick_main_manifest(parsed)
            others = [f.rel for f, _ in parsed if f is not main[0]]
            if others:
                notes.append(f"main manifest {main[0].rel}; also present: {', '.join(others[:10])}")
            android = _android(*main)
    ios = None
    if plists:
        main_plist = sorted(plists, key=lambda f: (f.origin != "app", "Tests" in f.rel, len(f.rel)))
        for f in main_plist:
            try:
                data = plistlib.loads(f.path.read_bytes())
            except Exception as exc:  # noqa: BLE001 - plistlib raises several types on bad input
                notes.append(f"{f.rel}: Info.plist does not parse ({type(exc).__name__})")
                continue
            if isinstance(data, dict):
                ios = _ios(f, data)
                break
    for f in ents:
        try:
            data = plistlib.loads(f.path.read_bytes())
        except Exception as exc:  # noqa: BLE001 - as above
            notes.append(f"{f.rel}: entitlements do not parse ({type(exc).__name__})")
            continue
        if isinstance(data, dict) and data.get("get-task-allow") is True:
            ios = ios or AppInfo(platform="ios")
            ios.debuggable = True
            ios.debuggable_source = "entitlements"
            ios.extra["manifest_path"] = f.rel
            ios.extra["debuggable_evidence"] = "<key>get-task-allow</key><true/>"
            _record_where(ios.extra, "debuggable", f.path, b"get-task-allow")
    if android and ios:
        android.extra["ios"] = ios.to_dict()
        notes.append("tree holds both an Android manifest and an iOS Info.plist; the Android one is the app "
                     "facts' main record, the iOS one is under app.extra.ios")
        return android, notes
    return android or ios, notes


def pick_main_manifest(parsed: list[tuple[Any, ET.Element]]) -> tuple[Any, ET.Element]:
    """The app module's manifest: src/main of a module that declares an <application> with a launcher
    activity, then any src/main, then the one with the most components, then the shortest path."""
    def score(item):
        f, el = item
        app = el.find("application")
        launcher = any(
            c.get(f"{A}name") == "android.intent.category.LAUNCHER"
            for c in el.iter("category"))
        comps = len(app) if app is not None else 0
        return (f.origin != "app", not launcher, "src/main/" not in f.rel and f.rel != "AndroidManifest.xml",
                -comps, len(f.rel))
    return min(parsed, key=score)


def _bool(v: str | None) -> bool | None:
    if v is None:
        return None
    if v.lower() == "true":
        return True
    if v.lower() == "false":
        return False
    return None


def _android(f, el: ET.Element) -> AppInfo:
    app = el.find("application")
    info = AppInfo(platform="android", package=el.get("package"),
                   version_name=el.get(f"{A}versionName"), version_code=el.get(f"{A}versionCode"))
    info.extra["manifest_path"] = f.rel
    info.uses_internet = any(p.get(f"{A}name") == "android.permission.INTERNET" for p in el.iter("uses-permission"))
    if app is not None:
        dbg = app.get(f"{A}debuggable")
        if dbg is not None:
            b = _bool(dbg)
            info.debuggable = b
            info.debuggable_source = "literal" if b is not None else "resource"
            info.extra["debuggable_evidence"] = f'android:debuggable="{dbg}"'
            _record_where(info.extra, "debuggable", f.path, b"android:debuggable")
        info.cleartext = _bool(app.get(f"{A}usesCleartextTraffic"))
        info.network_security_config = app.get(f"{A}networkSecurityConfig")
        for comp in app:
            exported = comp.get(f"{A}exported")
            if exported == "true" or (exported is None and comp.find("intent-filter") is not None):
                name = comp.get(f"{A}name")
                if name:
                    info.exported.append(name)
    return info


def _ios(f, data: dict) -> AppInfo:
    info = AppInfo(platform="ios", package=data.get("CFBundleIdentifier"),
                   version_name=_s(data.get("CFBundleShortVersionString")),
                   version_code=_s(data.get("CFBundleVersion")))
    info.extra["plist_path"] = f.rel
    for key in ("NSLocalNetworkUsageDescription", "NSBonjourServices", "NSAllowsLocalNetworking"):
        _record_where(info.extra, key, f.path, key.encode())
    if "NSLocalNetworkUsageDescription" in data:
        info.extra["NSLocalNetworkUsageDescription"] = _s(data["NSLocalNetworkUsageDescription"])
    if "NSBonjourServices" in data:
        services = data["NSBonjourServices"]
        info.extra["NSBonjourServices"] = [str(s) for s in services] if isinstance(services, list) else [str(services)]
    ats = data.get("NSAppTransportSecurity")
    if isinstance(ats, dict):
        if "NSAllowsLocalNetworking" in ats:
            info.extra["NSAllowsLocalNetworking"] = bool(ats["NSAllowsLocalNetworking"])
        if ats.get("NSAllowsArbitraryLoads") is True:
            info.cleartext = True
    return info


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def _record_where(extra: dict, key: str, path: Path, needle: bytes) -> None:
    """Put the 1-based line and column of ``needle``'s first occurrence in the file into
    ``extra["<key>_line"]`` / ``extra["<key>_column"]``, so a source finding points at its line."""
    try:
        data = path.read_bytes()
    except OSError:
        return
    at = data.find(needle)
    if at < 0:
        return
    start = data.rfind(b"\n", 0, at) + 1
    extra[f"{key}_line"] = data.count(b"\n", 0, at) + 1
    extra[f"{key}_column"] = len(data[start:at].decode("utf-8", "replace")) + 1
