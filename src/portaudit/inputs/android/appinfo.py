"""A decoded manifest (binary XML or aapt2 protobuf) -> :class:`~portaudit.model.AppInfo`.

Fields: package, versions, ``debuggable`` (literal or through a resource, with its source and
evidence), INTERNET permission, cleartext, the network security config, the SDK levels, and the
exported components.  References are resolved through ``resources.arsc`` (:mod:`.arsc`) or
``resources.pb`` (:mod:`.aapt2_proto`).
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from ...errors import InputError
from ...model import AppInfo
from .aapt2_proto import ProtoResourceTable, parse_proto_manifest
from .arsc import ResourceTable
from .axml import (AXML, R_CLEARTEXT, R_DEBUGGABLE, R_EXPORTED, R_MIN_SDK, R_NAME, R_NSC, R_TARGET_SDK,
                   R_VERSION_CODE, R_VERSION_NAME, Element)
from .resvalue import Value

COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")


class ManifestResult(NamedTuple):
    app: AppInfo
    notes: list[str]


def parse_manifest(data: bytes, arsc: bytes | None = None, manifest_path: str = "AndroidManifest.xml",
                   proto: bool = False) -> ManifestResult:
    """AppInfo and notes from manifest bytes (binary AXML, or aapt2 protobuf if ``proto``)."""
    notes: list[str] = []
    table = None
    if arsc:
        try:
            table = ResourceTable(arsc) if not proto else None
        except (struct.error, IndexError, ValueError) as exc:
            notes.append(f"resources.arsc unreadable ({exc})")
    if proto:
        root = parse_proto_manifest(data)
    else:
        try:
            ax = AXML(data)
        except (struct.error, IndexError) as exc:
            raise InputError(f"{manifest_path}: garbage binary XML ({exc})") from None
        notes.extend(f"{manifest_path}: {n}" for n in ax.notes)
        root = ax.root
    info = app_info(root, table, manifest_path, notes)
    return ManifestResult(info, notes)


def parse_proto_manifest_info(data: bytes, resources_pb: bytes | None, manifest_path: str) -> ManifestResult:
    notes: list[str] = []
    table = ProtoResourceTable(resources_pb) if resources_pb else None
    root = parse_proto_manifest(data)
    return ManifestResult(app_info(root, table, manifest_path, notes), notes)


def app_info(root: Element, table: ResourceTable | None = None, manifest_path: str = "AndroidManifest.xml",
             notes: list[str] | None = None) -> AppInfo:
    """AppInfo from a decoded manifest tree (binary or protobuf)."""
    info = AppInfo(platform="android")
    info.extra["manifest_path"] = manifest_path
    if root.tag != "manifest":
        (notes if notes is not None else []).append(f"manifest root element is <{root.tag}>")
    _identity(info, root, table)
    _permissions(info, root)
    target_sdk = _sdk_levels(info, root)
    app = next(root.iter("application"), None)
    if app is None:
        info.debuggable = False
        info.debuggable_source = "absent"
        return info
    _debuggable(info, app, table)
    ct, _src = _resolve_bool(app.get(R_CLEARTEXT), table)
    info.cleartext = ct
    nsc = app.get(R_NSC)
    if nsc is not None:
        if nsc.kind == "ref":
            info.network_security_config = (table.name(nsc.ref) if table else None) or str(nsc)
        else:
            info.network_security_config = _text(nsc)
    info.exported.extend(_exported(app, info.package, table, target_sdk))
    return info


def _identity(info: AppInfo, root: Element, table: ResourceTable | None) -> None:
    """package, split, versionCode, versionName."""
    info.package = _text(root.get_plain("package")) or None
    split = _text(root.get_plain("split"))
    if split:
        info.extra["split"] = split
    vc = root.get(R_VERSION_CODE)
    if vc is not None:
        info.version_code = str(vc.data) if vc.kind != "ref" else _text(vc)
    vn = root.get(R_VERSION_NAME)
    if vn is not None and vn.kind == "ref" and table is not None:
        r = table.resolve(vn.ref)
        vn = r if r is not None and r.kind == "string" else vn
    info.version_name = _text(vn)


def _permissions(info: AppInfo, root: Element) -> None:
    perms = []
    for tag in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
        for el in root.iter(tag):
            n = _text(el.get(R_NAME))
            if n:
                perms.append(n)
    info.uses_internet = "android.permission.INTERNET" in perms
    info.extra["permissions"] = sorted(set(perms))


def _sdk_levels(info: AppInfo, root: Element) -> int | None:
    """min / target SDK into ``extra``; returns the target SDK (the min SDK when there is none)."""
    sdk = next(root.iter("uses-sdk"), None)
    if sdk is None:
        return None
    for key, rid in (("min_sdk", R_MIN_SDK), ("target_sdk", R_TARGET_SDK)):
        v = sdk.get(rid)
        if v is not None and v.kind == "int":
            info.extra[key] = v.data
        elif v is not None and v.kind == "string" and str(v.data).isdigit():
            info.extra[key] = int(v.data)
    return info.extra.get("target_sdk", info.extra.get("min_sdk"))


def _debuggable(info: AppInfo, app: Element, table: ResourceTable | None) -> None:
    dv = app.get(R_DEBUGGABLE)
    info.debuggable, info.debuggable_source = _resolve_bool(dv, table)
    if dv is None:
        info.debuggable = False
        info.debuggable_source = "absent"
        return
    info.extra["debuggable_evidence"] = f'android:debuggable="{dv}"'
    if dv.kind == "ref" and table is not None and table.name(dv.ref):
        info.extra["debuggable_evidence"] += f" ({table.name(dv.ref)})"


def _exported(app: Element, package: str | None, table: ResourceTable | None,
              target_sdk: int | None) -> list[str]:
    """``tag:fully.qualified.Name`` of each exported component: ``exported=true``, or an
    intent-filter without ``exported``, or a provider without it below targetSdkVersion 17."""
    out = []
    for el in app.children:
        if el.tag not in COMPONENT_TAGS:
            continue
        exp = _as_bool(el.get(R_EXPORTED))
        ev = el.get(R_EXPORTED)
        if exp is None and ev is not None and ev.kind == "ref" and table is not None:
            exp = _as_bool(table.resolve(ev.ref))
        has_filter = any(c.tag == "intent-filter" for c in el.children)
        # Providers were exported by default up to API 16 (targetSdkVersion < 17).
        old_provider = el.tag == "provider" and target_sdk is not None and target_sdk < 17
        if exp or (ev is None and (has_filter or old_provider)):
            name = _component_name(package, _text(el.get(R_NAME)))
            out.append(f"{el.tag}:{name or '?'}")
    return out


def _as_bool(v: Value | None) -> bool | None:
    if v is None:
        return None
    if v.kind == "bool":
        return bool(v.data)
    if v.kind == "int":
        return v.data != 0
    if v.kind == "string":
        s = str(v.data).strip().lower()
        if s in ("true", "false"):
            return s == "true"
    return None


def _text(v: Value | None) -> str | None:
    if v is None or v.kind == "null":
        return None
    return str(v.data) if v.kind != "ref" else str(v)


def _resolve_bool(v: Value | None, table: ResourceTable | None) -> tuple[bool | None, str | None]:
    """(value, source) for a boolean attribute that may be a literal or a reference."""
    if v is None:
        return None, None
    if v.kind == "ref":
        if table is not None:
            r = table.resolve(v.ref)
            b = _as_bool(r)
            if b is not None:
                return b, "resource"
        return None, "resource (unresolved)"
    b = _as_bool(v)
    return b, "literal" if b is not None else "unparsed"


def _component_name(pkg: str | None, name: str | None) -> str | None:
    if not name:
        return None
    if name.startswith(".") and pkg:
        return pkg + name
    if "." not in name and pkg:
        return f"{pkg}.{name}"
    return name
