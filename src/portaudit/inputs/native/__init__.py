"""Native code: ELF shared libraries and executables (Android lib/<abi>/*.so, Linux binaries).

* :func:`analyze` is the analyzer for target kind ``elf``.
* :func:`scan_elf` is used by the APK orchestrator for every ``lib/<abi>/*.so`` entry.

Crash containment: the binary is parsed by a pure-Python reader (:mod:`.elf`) that checks
every offset, so a hostile file raises a clear error instead of crashing the process; the
only native code that sees the bytes is capstone's disassembler (on code bytes only) and
numpy (on plain arrays).  LIEF is not used on untrusted input (it is the benchmark floor and
the differential oracle in the tests).
"""

from __future__ import annotations

import json
import struct
from typing import NamedTuple

from ...errors import InputError, LimitExceeded
from ...model import AppInfo, DebugService, Facts, Listener, Origin, Target
from ...options import Limits, Options
from . import elf, libs  # noqa: F401 - libs registers the resolvers of library listeners
from .image import FormatError
from .scan import Scanner, find_gadget_config


def scan_image(img, label: str) -> Scanner:
    sc = Scanner(img, label)
    sc.run()
    return sc


class NativeScan(NamedTuple):
    listeners: list[Listener]
    debug: list[DebugService]
    notes: list[str]  # partial problems (the APK orchestrator records them as errors)


def scan_elf(label: str, data: bytes, limits: Limits | None = None) -> NativeScan:
    """Listeners, debug services and notes (partial problems) for one ELF file's bytes."""
    limits = limits or Limits()
    if len(data) > limits.max_file_bytes:
        return NativeScan([], [], [f"{label}: {len(data)} bytes, over the limit of {limits.max_file_bytes}; "
                                   "skipped"])
    if bytes(data[:4]) != b"\x7fELF":
        # frida-gadget's configuration ships as lib/<abi>/libfrida-gadget.config.so (JSON)
        if label.endswith(".config.so") and bytes(data[:1]) == b"{":
            try:
                cfg = json.loads(bytes(data).decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return NativeScan([], [], [f"{label}: not an ELF file and not a valid JSON gadget "
                                           "configuration"])
            sc = Scanner.__new__(Scanner)
            sc.label, sc.listeners, sc.debug, sc.notes, sc.origins = label, [], [], [], []
            sc.add_frida(cfg if isinstance(cfg, dict) else None, f"gadget configuration {label}")
            return NativeScan(sc.listeners, sc.debug, sc.notes)
        return NativeScan([], [], [f"{label}: not an ELF file"])
    try:
        img = elf.parse(data)
    except FormatError as exc:
        return NativeScan([], [], [f"{label}: {exc}"])
    except (struct.error, IndexError, ValueError, OverflowError, MemoryError) as exc:
        return NativeScan([], [], [f"{label}: malformed ELF ({type(exc).__name__}: {exc})"])
    try:
        sc = scan_image(img, label)
    except (struct.error, IndexError, ValueError, OverflowError, KeyError, TypeError) as exc:
        return NativeScan([], [], [f"{label}: malformed ELF ({type(exc).__name__} while scanning: {exc})"])
    # partial problems only (the APK orchestrator records them as errors); an unsupported
    # architecture is said by the reason of each listener it produces
    return NativeScan(sc.listeners, sc.debug, list(sc.notes))


def analyze(target: Target, options: Options) -> Facts:
    facts = Facts(target=target, app=None)
    try:
        with open(target.path, "rb") as fh:
            data = fh.read(options.limits.max_file_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > options.limits.max_file_bytes:
        raise LimitExceeded(f"file is over the limit of {options.limits.max_file_bytes} bytes")
    if data[:4] != b"\x7fELF":
        raise InputError("not an ELF file")
    try:
        img = elf.parse(data)
    except FormatError as exc:
        raise InputError(f"malformed ELF: {exc}") from exc
    except (struct.error, IndexError, ValueError, OverflowError) as exc:
        raise InputError(f"malformed ELF ({type(exc).__name__}: {exc})") from exc
    label = target.path.rsplit("/", 1)[-1]
    try:
        sc = scan_image(img, label)
    except (struct.error, IndexError, ValueError, OverflowError, KeyError, TypeError) as exc:
        raise InputError(f"malformed ELF ({type(exc).__name__} while scanning: {exc})") from exc
    facts.listeners.extend(sc.listeners)
    facts.debug.extend(sc.debug)
    facts.sdks.extend(sc.origins)
    target.notes.extend(sc.notes)
    if img.arch not in ("arm64", "arm", "x86", "x86_64"):
        target.notes.append(f"{img.arch} code is not disassembled: imports and strings only")
    facts.app = AppInfo(platform="other", extra={"arch": img.arch, "format": "elf"})
    facts.stats.update({"arch": img.arch, "imports": sorted(img.imports & _interesting()),
                        "stripped": img.stripped})
    go_info = getattr(sc, "go", None)
    if go_info is not None:
        facts.app.extra["go"] = go_info.to_dict()
        facts.stats["go"] = go_info.to_dict()
        target.notes.append(f"Go program: {go_info.summary()}")
    return facts


def _interesting() -> set[str]:
    from .scan import catalog

    return set(catalog().get("imports", {}).get("interesting", []))


__all__ = ["NativeScan", "Origin", "analyze", "find_gadget_config", "scan_elf", "scan_image"]


def warm() -> None:
    """Load the native catalogue once (before forking isolated children)."""
    from . import scan as native_scan

    native_scan.catalog()
    native_scan.listener_specs()
