"""Fingerprints that survive rebuilds and unrelated code changes.

A finding is identified by its rule, the app (package name, or file name when
there is none), and what it is about: the class and method (never the bytecode
offset or the DEX file it landed in), the API, transport and port, or for source
the file path and the normalised evidence line (never the line number).
"""

from __future__ import annotations

import hashlib
import os
import re

from .model import Facts, Finding

_WS = re.compile(r"\s+")


def _app_identity(facts: Facts) -> str:
    if facts.app and facts.app.package:
        return facts.app.package
    return os.path.basename(facts.target.path.rstrip("/")) if facts.target.kind != "source" else ""


def fingerprint(finding: Finding, facts: Facts) -> str:
    loc = finding.location
    parts = [finding.rule, _app_identity(facts)]
    if loc.line is not None:  # source
        rel = loc.file or ""
        parts += [rel, _WS.sub(" ", (loc.snippet or finding.evidence or "").strip())]
    else:
        parts += [loc.class_ or "", loc.method or "", loc.function or ""]
        if loc.function is not None or loc.class_ is None:
            parts.append(os.path.basename(loc.file or ""))
    lst = finding.listener
    if lst is not None:
        parts += [lst.api, lst.transport, str(lst.port), lst.bind.value]
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()
    return digest[:32]
