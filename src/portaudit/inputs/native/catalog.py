"""The native and iOS listener catalogues (``catalog/native.toml``, ``catalog/ios.toml``), checked
against a schema when they are loaded: an unknown table or key, a missing required key, a value of
the wrong type or an unknown ``kind`` / ``default_bind`` is an error naming the file and the entry,
never silently ignored.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any

FILES = ("native.toml", "ios.toml")


class CatalogError(ValueError):
    """A catalogue file does not follow its schema (the message names the file and the entry)."""


_STR, _INT, _BOOL, _LIST = str, int, bool, list
# table -> (required keys, optional keys), each key -> its type
SCHEMAS: dict[str, tuple[dict[str, type], dict[str, type]]] = {
    # C functions that open a listener, resolved at each call site (inputs/native/scan.py)
    "listener": ({"name": _STR, "api": _STR, "kind": _STR},
                 {"arg": _INT, "host_arg": _INT, "port_arg": _INT, "transport": _STR, "default": _STR,
                  "default_bind": _STR, "default_address": _STR, "default_port": _INT, "restricted_by": _LIST,
                  "source": _STR, "fix": _STR, "options_arg": _INT, "options": _STR, "fields": _STR}),
    # Objective-C methods, resolved at objc_msgSend call sites (inputs/ios/objc.py)
    "objc_listener": ({"class": _STR, "selector": _STR, "api": _STR, "transport": _STR, "source": _STR,
                       "fix": _STR},
                      {"port_arg": _INT, "interface_arg": _INT, "default": _STR, "default_bind": _STR,
                       "default_address": _STR, "default_port": _INT, "restricted_by": _LIST, "also_classes": _LIST}),
    # Swift functions, by their mangled-name prefix (inputs/ios/swift.py)
    "swift_listener": ({"prefix": _STR, "api": _STR, "transport": _STR, "source": _STR, "fix": _STR,
                        "default": _STR},
                       {"port_arg": _INT, "default_bind": _STR, "default_address": _STR, "default_port": _INT,
                        "restricted_by": _LIST, "suffix": _STR}),
    "imports": ({"interesting": _LIST}, {}),
    "server": ({"name": _STR},
               {"kind": _STR, "debug_kind": _STR, "file_names": _LIST, "strings": _LIST, "min_strings": _INT,
                "default_listen": _STR, "symbols": _LIST, "function_prefixes": _LIST, "api": _STR,
                "reason": _STR, "go": _BOOL, "platform": _STR}),
    "go_listener": ({"name": _STR, "api": _STR, "words": _INT, "fallback": _BOOL},
                    {"network_word": _INT, "address_word": _INT, "field_word": _INT, "network": _STR,
                     "transport": _STR, "reason": _STR}),
}
KINDS = {"sockaddr", "url", "host_port", "port", "opaque", "civetweb_options", "mhd_options", "struct"}
BINDS = {"all-interfaces", "loopback", "unknown"}
SERVER_KINDS = {"library", "debug", "listener", "runtime"}


def validate(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` when it follows the schema; CatalogError otherwise."""
    for table, entries in data.items():
        if table not in SCHEMAS:
            raise CatalogError(f"{name}: unknown table [{table}] (known: {', '.join(sorted(SCHEMAS))})")
        rows = entries if isinstance(entries, list) else [entries]
        for i, row in enumerate(rows):
            _check_row(name, table, i, row)
    return data


def _check_row(name: str, table: str, i: int, row: object) -> None:
    required, optional = SCHEMAS[table]
    if not isinstance(row, dict):
        raise CatalogError(f"{name}: [{table}] entry {i + 1} is not a table")
    label = f"{name}: [[{table}]] entry {i + 1} ({row.get('name') or row.get('api') or row.get('selector') or '?'})"
    for key in required:
        if key not in row:
            raise CatalogError(f"{label}: missing key {key!r}")
    for key, value in row.items():
        typ = required.get(key) or optional.get(key)
        if typ is None:
            raise CatalogError(f"{label}: unknown key {key!r}")
        if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
            raise CatalogError(f"{label}: {key!r} must be a {typ.__name__}, not {type(value).__name__}")
    if table == "listener" and row["kind"] not in KINDS:
        raise CatalogError(f"{label}: unknown kind {row['kind']!r} (known: {', '.join(sorted(KINDS))})")
    if "default_bind" in row and row["default_bind"] not in BINDS:
        raise CatalogError(f"{label}: unknown default_bind {row['default_bind']!r}")
    if table == "server" and row.get("kind", "library") not in SERVER_KINDS:
        raise CatalogError(f"{label}: unknown kind {row['kind']!r}")


def load_file(name: str) -> dict[str, Any]:
    with resources.files("portaudit.catalog").joinpath(name).open("rb") as fh:
        return validate(name, tomllib.load(fh))


@functools.cache
def catalog() -> dict[str, Any]:
    """Every table of every native catalogue file, merged (lists concatenated)."""
    out: dict[str, Any] = {}
    for name in FILES:
        for table, value in load_file(name).items():
            if isinstance(value, list):
                out.setdefault(table, []).extend(value)
            else:
                out[table] = value
    return out
