"""Values an app reads from its build and resources: Android ``res/values*/*.xml`` (``R.integer.port``,
``R.string.host``), Gradle ``buildConfigField`` (``BuildConfig.PORT``) and Info.plist keys
(``Bundle.main.object(forInfoDictionaryKey:)``).  Each is a configurable value with the default the
tree gives it (several resource qualifiers or build types: one of several values)."""

from __future__ import annotations

import plistlib
import re
import xml.etree.ElementTree as ET
from typing import Any

from ...model import Location
from ...values import Const, FromConfig, Value, one_of

_RES_KINDS = {"integer": int, "string": str, "bool": bool}
_BUILD_FIELD = re.compile(rb"buildConfigField\s*\(?\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']\s*,\s*"
                          rb"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*')")


class Settings:
    def __init__(self) -> None:
        self.resources: dict[tuple[str, str], list[tuple[Value, Location]]] = {}
        self.build_config: dict[str, list[tuple[Value, Location]]] = {}
        self.plist: dict[str, tuple[Value, Location]] = {}
        self.notes: list[str] = []

    def read(self, files: list[Any]) -> None:
        for f in files:
            try:
                data = f.path.read_bytes()
            except OSError as exc:
                self.notes.append(f"{f.rel}: cannot read: {exc.strerror or exc}")
                continue
            if f.rel.endswith(".xml"):
                self._resources(f.rel, data)
            elif f.rel.endswith((".gradle", ".gradle.kts")):
                self._gradle(f.rel, data)
            elif f.rel.endswith("Info.plist"):
                self._plist(f.rel, data)

    def _resources(self, rel: str, data: bytes) -> None:
        try:
            root = ET.fromstring(data)
        except ET.ParseError:
            return  # not every XML file under res/values is ours to judge; aapt2 would say so
        if root.tag != "resources":
            return
        for el in root:
            kind = el.tag if el.tag in _RES_KINDS else el.get("type") if el.tag == "item" else None
            name = el.get("name")
            if kind not in _RES_KINDS or not name:
                continue
            raw = (el.text or "").strip()
            value: Value
            if kind == "integer":
                value = Const(int(raw, 0)) if re.fullmatch(r"-?(0x[0-9a-fA-F]+|\d+)", raw) else Const(raw)
            elif kind == "bool":
                value = Const(raw == "true") if raw in ("true", "false") else Const(raw)
            else:
                value = Const(raw.strip('"'))
            self.resources.setdefault((kind, name), []).append((value, _where(rel, data, f'name="{name}"')))

    def _gradle(self, rel: str, data: bytes) -> None:
        for m in _BUILD_FIELD.finditer(data):
            typ, name = m.group(1).decode(), m.group(2).decode()
            raw = m.group(3)[1:-1].decode("utf-8", "replace").replace('\\"', '"')
            value: Value
            if typ in ("int", "long", "Integer", "Long", "short"):
                value = Const(int(raw)) if re.fullmatch(r"-?\d+", raw.strip()) else Const(raw)
            elif typ == "boolean":
                value = Const(raw.strip() == "true")
            else:
                value = Const(raw.strip().strip('"'))
            self.build_config.setdefault(name, []).append((value, _where(rel, data, m.group(0).decode("utf-8",
                                                                                                        "replace"))))

    def _plist(self, rel: str, data: bytes) -> None:
        try:
            doc = plistlib.loads(data)
        except Exception:  # noqa: BLE001 - plistlib raises several types; config.py notes bad plists
            return
        if not isinstance(doc, dict):
            return
        for k, v in doc.items():
            if isinstance(k, str) and isinstance(v, (str, int, bool)) and k not in self.plist:
                self.plist[k] = (Const(v), _where(rel, data, f"<key>{k}</key>"))

    # -- lookups ---------------------------------------------------------------------------
    def resource(self, kind: str, name: str) -> tuple[FromConfig, list[Location]] | None:
        found = self.resources.get((kind, name))
        if not found:
            return None
        return FromConfig(f"R.{kind}", name, one_of(v for v, _ in found)), [loc for _, loc in found]

    def build_field(self, name: str) -> tuple[FromConfig, list[Location]] | None:
        found = self.build_config.get(name)
        if not found:
            return None
        return FromConfig("BuildConfig", name, one_of(v for v, _ in found)), [loc for _, loc in found]

    def plist_key(self, key: str) -> tuple[FromConfig, list[Location]]:
        found = self.plist.get(key)
        if found is None:
            return FromConfig("Info.plist", key, None), []
        return FromConfig("Info.plist", key, found[0]), [found[1]]


def _where(rel: str, data: bytes, needle: str) -> Location:
    at = data.find(needle.encode("utf-8", "replace"))
    if at < 0:
        return Location(file=rel)
    line = data.count(b"\n", 0, at) + 1
    col = at - (data.rfind(b"\n", 0, at) + 1) + 1
    return Location(file=rel, line=line, column=col, snippet=data.splitlines()[line - 1].decode(
        "utf-8", "replace").strip()[:200])
