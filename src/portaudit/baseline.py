"""Baselines: accept the findings you know about, fail on the next one.

``portaudit scan --write-baseline FILE`` writes every current finding's fingerprint
(with rule, target, location and message so a person can review the file);
``--baseline FILE`` drops findings whose fingerprint is listed.  Fingerprints
(:mod:`portaudit.fingerprint`) ignore line numbers, bytecode offsets and DEX
file placement, so a rebuild or an unrelated edit keeps them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime, timezone

from . import __version__
from .config import ConfigError
from .model import Finding

FORMAT_VERSION = 1


def dumps(findings: Iterable[Finding]) -> str:
    entries = []
    seen: set[str] = set()
    for f in findings:
        if not f.fingerprint or f.fingerprint in seen:
            continue
        seen.add(f.fingerprint)
        entries.append({
            "fingerprint": f.fingerprint,
            "rule": f.rule,
            "severity": f.severity.label,
            "target": f.target,
            "location": f.location.short(),
            "message": f.message,
        })
    entries.sort(key=lambda e: (e["target"], e["rule"], e["location"], e["fingerprint"]))
    data = {
        "portaudit-baseline": FORMAT_VERSION,
        "tool-version": __version__,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "findings": entries,
    }
    return json.dumps(data, indent=2) + "\n"


def write(path: str | os.PathLike, findings: Iterable[Finding]) -> int:
    text = dumps(findings)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return text.count('"fingerprint"')


def load(path: str | os.PathLike) -> set[str]:
    """The fingerprints in a baseline file.  Raises ConfigError (file, line, problem)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise ConfigError(path, "baseline file not found") from None
    except OSError as exc:
        raise ConfigError(path, f"cannot read baseline: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, f"baseline is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(path, f"invalid JSON in baseline: {exc.msg} (column {exc.colno})",
                          exc.lineno) from None
    if isinstance(data, list):  # a bare list of fingerprints is accepted too
        entries = data
    elif isinstance(data, dict) and isinstance(data.get("findings"), list):
        entries = data["findings"]
    else:
        raise ConfigError(path, 'not a portaudit baseline (expected an object with a "findings" list)', 1)
    out: set[str] = set()
    for i, e in enumerate(entries):
        fp = e.get("fingerprint") if isinstance(e, dict) else e
        if not isinstance(fp, str) or not fp:
            line = _line_of_entry(raw, i)
            raise ConfigError(path, f"baseline entry {i + 1} has no fingerprint", line)
        out.add(fp)
    return out


def _line_of_entry(raw: bytes, index: int) -> int | None:
    """Best-effort line of the index-th entry: the index-th '{' after "findings"."""
    text = raw.decode("utf-8", "replace")
    start = text.find('"findings"')
    pos = start if start >= 0 else 0
    for _ in range(index + 1):
        nxt = text.find("{", pos + 1)
        if nxt < 0:
            return None
        pos = nxt
    return text.count("\n", 0, pos) + 1


def split(findings: Iterable[Finding], fingerprints: set[str]) -> tuple[list[Finding], list[Finding]]:
    """(kept, suppressed) by fingerprint."""
    kept, gone = [], []
    for f in findings:
        (gone if f.fingerprint in fingerprints else kept).append(f)
    return kept, gone
