"""Scan options and resource limits (all configurable from the CLI and config files)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields


@dataclass
class Limits:
    max_file_bytes: int = 2 * 1024**3  # a single input file
    max_entry_bytes: int = 512 * 1024**2  # one decompressed archive entry
    max_total_bytes: int = 4 * 1024**3  # all decompressed entries of one target
    max_ratio: float = 200.0  # decompressed / compressed, per entry
    max_entries: int = 200_000  # entries in one archive
    max_depth: int = 3  # nesting of archives (apks -> apk -> dex)
    max_dex_bytes: int = 256 * 1024**2
    timeout_seconds: float = 300.0  # wall time per target
    max_source_file_bytes: int = 4 * 1024**2
    max_parse_seconds: float = 20.0  # one source file whose grammar is known to backtrack (Kotlin)
    max_memory_bytes: int = 8 * 1024**3  # address space of an isolated worker (0 = no limit)
    max_walk_depth: int = 100  # folders below a named directory; deeper ones are a note


@dataclass
class Options:
    limits: Limits = field(default_factory=Limits)
    jobs: int = 1
    include_tests: bool = False  # source: scan test/sample code at full severity
    include_vendored: bool = False  # source: scan vendored/generated/build folders
    rules: list[str] | None = None  # enabled rule ids (None = all)
    follow_symlinks: bool = False
    isolate: bool = False  # analyse each target in a child process (contains native crashes)


_SUFFIX = {"k": 1024, "m": 1024**2, "g": 1024**3}


def set_limit(limits: Limits, item: str) -> None:
    """Apply ``NAME=VALUE`` to ``limits``; sizes accept K/M/G suffixes.  ValueError on bad input."""
    name, sep, raw = item.partition("=")
    name, raw = name.strip().replace("-", "_"), raw.strip()
    known = {f.name: f for f in fields(Limits)}
    if not sep or name not in known:
        raise ValueError(f"unknown limit {name!r}; known: {', '.join(sorted(known))}")
    mult = 1
    if raw[-1:].lower() in _SUFFIX:
        mult, raw = _SUFFIX[raw[-1].lower()], raw[:-1]
    try:
        value = float(raw) * mult
    except ValueError:
        raise ValueError(f"limit {name} needs a number, got {raw!r}") from None
    if not math.isfinite(value):  # nan compares false with every bound: it would switch a check off
        raise ValueError(f"limit {name} needs a finite number, got {raw!r}")
    if value < 0:
        raise ValueError(f"limit {name} cannot be negative")
    setattr(limits, name, type(getattr(limits, name))(value))
