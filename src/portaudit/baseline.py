"""Baselines: accept the findings you know about, fail on the next one.

``portaudit scan --write-baseline FILE`` writes every current finding's identity (with rule, target,
location and message so a person can review the file, and any field a person added, such as a
``justification``, kept when the file is rewritten); ``--baseline FILE`` drops findings whose
identity is listed.

A finding's identity (:func:`finding_id`) ignores what a rebuild or an unrelated edit changes (line
numbers, bytecode offsets, which ``classesN.dex`` a class landed in) and keeps what tells two
findings apart: the rule, the app, the project-relative file and normalised code line (source) or
the class and method / library and function (binaries), the listener's API, transport, port and
bind class, and the places its value came from (``listener.flow``: each origin chain is its own
finding).  Findings that are still alike (the same line of code twice in one file, two calls in one
method) are numbered in code order by :func:`assign_ids`, so no two findings of a report share one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from . import __version__
from .errors import ConfigError
from .model import Facts, Finding, Location

FORMAT_VERSION = 1
_WS = re.compile(r"\s+")
_GENERATED = ("fingerprint", "rule", "severity", "target", "location", "message")


# -- identity ------------------------------------------------------------------------------------

def app_identity(facts: Facts | None, target_path: str = "") -> str:
    if facts is not None and facts.app and facts.app.package:
        return facts.app.package
    kind = facts.target.kind if facts is not None else ""
    path = facts.target.path if facts is not None else target_path
    return "" if kind == "source" else os.path.basename(path.rstrip("/"))


def _place(loc: Location, evidence: str | None = None) -> list[str]:
    if loc.line is not None:  # source: the file and the code line, never its number
        return [loc.file or "", _WS.sub(" ", (loc.snippet or evidence or "").strip())]
    parts = [loc.class_ or "", loc.method or "", loc.function or ""]
    if loc.function is not None or loc.class_ is None:
        parts.append(os.path.basename(loc.file or ""))
    return parts


def _key(finding: Finding, app: str) -> str:
    parts = [finding.rule, app, *_place(finding.location, finding.evidence)]
    lst = finding.listener
    if lst is not None:
        parts += [lst.api, lst.transport, str(lst.port), lst.bind.value]
        for hop in lst.flow:
            if hop.role != "api":
                parts += [hop.role, *_place(hop.location), _WS.sub(" ", hop.note or "")]
    return "\x1f".join(parts)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def finding_id(finding: Finding, facts: Facts | None = None) -> str:
    """The identity of one finding on its own (see the module docstring)."""
    return _digest(_key(finding, app_identity(facts, finding.target)))


def _code_order(f: Finding) -> tuple:
    loc = f.location
    hops = [(h.location.line or 0, h.location.offset or 0) for h in (f.listener.flow if f.listener else [])]
    return (loc.line or 0, loc.column or 0, loc.offset or 0, hops)


def assign_ids(findings: list[Finding], facts: Iterable[Facts]) -> None:
    """Set every finding's ``fingerprint``: :func:`finding_id`, numbered in code order among findings
    that share one (the first keeps the plain id, so adding a second copy never renames the first)."""
    by_target = {fa.target.path: fa for fa in facts}
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:  # numbered within one target: another copy of the app is not a second occurrence
        groups.setdefault((f.target, _key(f, app_identity(by_target.get(f.target), f.target))), []).append(f)
    for (_, key), group in groups.items():
        group.sort(key=_code_order)
        for n, f in enumerate(group):
            f.fingerprint = _digest(key if n == 0 else f"{key}\x1f#{n}")


# -- the file --------------------------------------------------------------------------------------

def dumps(findings: Iterable[Finding], keep: dict[str, dict[str, Any]] | None = None) -> str:
    """The baseline text; ``keep``: the entries of the file being rewritten (their extra fields stay)."""
    entries = []
    seen: set[str] = set()
    for f in findings:
        if not f.fingerprint or f.fingerprint in seen:
            continue
        seen.add(f.fingerprint)
        entry: dict[str, Any] = {
            "fingerprint": f.fingerprint,
            "rule": f.rule,
            "severity": f.severity.label,
            "target": f.target,
            "location": f.location.short(),
            "message": f.message,
        }
        old = (keep or {}).get(f.fingerprint, {})
        entry.update({k: v for k, v in old.items() if k not in _GENERATED})
        entries.append(entry)
    entries.sort(key=lambda e: (e["target"], e["rule"], e["location"], e["fingerprint"]))
    data = {
        "portaudit-baseline": FORMAT_VERSION,
        "tool-version": __version__,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "findings": entries,
    }
    return json.dumps(data, indent=2) + "\n"  # ASCII: any string (a lone surrogate too) round-trips


def write(path: str | os.PathLike, findings: Iterable[Finding]) -> int:
    """Write (or rewrite) a baseline; fields a person added to an entry that is still current stay."""
    keep: dict[str, dict[str, Any]] = {}
    if os.path.exists(path):
        try:
            keep = load_entries(path)
        except ConfigError:
            keep = {}  # an unreadable old file is replaced, as asked
    text = dumps(findings, keep)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return text.count('"fingerprint"')


def load(path: str | os.PathLike) -> set[str]:
    """The fingerprints in a baseline file.  Raises ConfigError (file, line, problem)."""
    return set(load_entries(path))


def load_entries(path: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """fingerprint -> entry (a bare fingerprint gives an empty entry)."""
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
    out: dict[str, dict[str, Any]] = {}
    for i, e in enumerate(entries):
        fp = e.get("fingerprint") if isinstance(e, dict) else e
        if not isinstance(fp, str) or not fp:
            line = _line_of_entry(raw, i)
            raise ConfigError(path, f"baseline entry {i + 1} has no fingerprint", line)
        out[fp] = dict(e) if isinstance(e, dict) else {}
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
    kept: list[Finding] = []
    gone: list[Finding] = []
    for f in findings:
        (gone if f.fingerprint in fingerprints else kept).append(f)
    return kept, gone
