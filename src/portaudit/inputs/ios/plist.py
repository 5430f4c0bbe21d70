"""Info.plist values as typed facts: each key the analysis uses is type-checked where it enters.

A property list can hold any type under any key (``NSBonjourServices = [1, "_x._tcp"]``, ``<data>``
where a string belongs, an array that contains itself).  Only values of the documented type become
facts; anything else is a note naming the key and what it held, and the rest of the target is
analysed as usual.  Nothing here recurses into a value, so a cycle cannot loop.

Documented types (Apple's Information Property List reference): ``CFBundleIdentifier``,
``CFBundleExecutable``, ``CFBundleShortVersionString``, ``CFBundleVersion``,
``NSLocalNetworkUsageDescription``: string; ``NSBonjourServices``, ``UIBackgroundModes``: array of
strings; ``UIFileSharingEnabled``, ``LSSupportsOpeningDocumentsInPlace``: boolean;
``NSAppTransportSecurity``: dictionary whose ``NSAllowsLocalNetworking`` and
``NSAllowsArbitraryLoads`` are booleans.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_STRINGS = ("CFBundleIdentifier", "CFBundleExecutable", "CFBundleShortVersionString", "CFBundleVersion",
            "NSLocalNetworkUsageDescription")
_STRING_LISTS = ("NSBonjourServices", "UIBackgroundModes")
_BOOLS = ("UIFileSharingEnabled", "LSSupportsOpeningDocumentsInPlace")
_ATS_BOOLS = ("NSAllowsLocalNetworking", "NSAllowsArbitraryLoads")
# the keys copied into AppInfo.extra (rules read them there)
EXTRA_KEYS = ("NSLocalNetworkUsageDescription", "NSBonjourServices", "UIBackgroundModes",
              "UIFileSharingEnabled", "LSSupportsOpeningDocumentsInPlace")


@dataclass(frozen=True)
class InfoPlist:
    """The typed values of one Info.plist (absent or ill-typed keys are missing)."""

    values: dict[str, Any] = field(default_factory=dict)  # key -> str | bool | tuple[str, ...]
    ats: dict[str, bool] = field(default_factory=dict)  # NSAppTransportSecurity booleans
    has_ats: bool = False  # NSAppTransportSecurity is a non-empty dictionary
    invalid: frozenset[str] = frozenset()  # keys present with another type ("NSAppTransportSecurity.X" too)
    notes: tuple[str, ...] = ()

    def string(self, key: str) -> str | None:
        v = self.values.get(key)
        return v if isinstance(v, str) else None

    def cleartext(self) -> bool | None:
        """ATS NSAllowsArbitraryLoads: None without an ATS dictionary or with an ill-typed value."""
        if not self.has_ats or "NSAppTransportSecurity.NSAllowsArbitraryLoads" in self.invalid:
            return None
        return self.ats.get("NSAllowsArbitraryLoads", False)


def typed_info_plist(raw: object, where: str) -> InfoPlist:
    """Type-check the keys portaudit reads from a parsed Info.plist (``where`` names it in notes)."""
    notes: list[str] = []
    invalid: set[str] = set()
    if not isinstance(raw, dict):
        if raw is not None:
            notes.append(f"{where}: the top level is {_kind(raw)}, not a dictionary; its keys are ignored")
        return InfoPlist(notes=tuple(notes))
    values: dict[str, Any] = {}
    checks: list[tuple[str, Callable[[object, str, list[str]], Any]]] = [
        *((k, _string) for k in _STRINGS), *((k, _boolean) for k in _BOOLS),
        *((k, _strings) for k in _STRING_LISTS)]
    for key, check in checks:
        if key in raw:
            v = check(raw[key], f"{where}: {key}", notes)
            if v is None:
                invalid.add(key)
            else:
                values[key] = v
    ats: dict[str, bool] = {}
    raw_ats = raw.get("NSAppTransportSecurity")
    if isinstance(raw_ats, dict):
        for key in _ATS_BOOLS:
            if key in raw_ats:
                v = _boolean(raw_ats[key], f"{where}: NSAppTransportSecurity.{key}", notes)
                if v is None:
                    invalid.add(f"NSAppTransportSecurity.{key}")
                else:
                    ats[key] = v
    elif raw_ats is not None:
        invalid.add("NSAppTransportSecurity")
        notes.append(f"{where}: NSAppTransportSecurity is {_kind(raw_ats)}, not a dictionary; ignored")
    return InfoPlist(values=values, ats=ats, has_ats=isinstance(raw_ats, dict) and bool(raw_ats),
                     invalid=frozenset(invalid), notes=tuple(notes))


def _string(v: object, what: str, notes: list[str]) -> str | None:
    if isinstance(v, str):
        return v
    notes.append(f"{what} is {_kind(v)}, not a string; ignored")
    return None


def _boolean(v: object, what: str, notes: list[str]) -> bool | None:
    if isinstance(v, bool):
        return v
    notes.append(f"{what} is {_kind(v)}, not a boolean; ignored")
    return None


def _strings(v: object, what: str, notes: list[str]) -> tuple[str, ...] | None:
    """An array of strings; other items are dropped with one note (never followed into)."""
    if not isinstance(v, list):
        notes.append(f"{what} is {_kind(v)}, not an array of strings; ignored")
        return None
    out = tuple(x for x in v if isinstance(x, str))
    bad = [(i, x) for i, x in enumerate(v) if not isinstance(x, str)]
    if bad:
        shown = ", ".join(f"item {i} is {_kind(x)}" for i, x in bad[:3])
        more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
        notes.append(f"{what}: {shown}{more}, not a string; ignored")
    return out


def _kind(v: object) -> str:
    """A plist type name for a note (the value itself is not shown: it may be huge or cyclic)."""
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int):
        return "an integer"
    if isinstance(v, float):
        return "a real number"
    if isinstance(v, (bytes, bytearray)):
        return "data"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "a dictionary"
    return f"a {type(v).__name__}"
