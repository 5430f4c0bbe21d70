"""Scan helpers shared by the hardening tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from portaudit.inputs.discover import sniff
from portaudit.model import Facts, Target
from portaudit.options import Options
from portaudit.scan import analyze_target

ROOT = Path(__file__).resolve().parents[2]


def analyze(path: Path, kind: str | None = None, options: Options | None = None) -> Facts:
    path = Path(path)
    if kind is None:
        with open(path, "rb") as fh:
            kind = sniff(path, fh.read(64))
    return analyze_target(Target(str(path), kind or "unknown"), options or Options())


def listener_keys(facts: Facts) -> list[tuple]:
    """What a listener is, independent of which archive entry label it came from."""
    return sorted(tuple("" if v is None else str(v) for v in (
        li.api, li.transport, li.bind.value, li.address, li.port, li.location.class_, li.location.method,
        li.location.offset, li.location.function)) for li in facts.listeners)


def debug_keys(facts: Facts) -> list[tuple]:
    return sorted(tuple(str(v) for v in (d.kind, d.enabled, d.gated, d.location.class_, d.location.method))
                  for d in facts.debug)


def assert_no_internal_error(facts: Facts) -> None:
    for msg in facts.target.errors + facts.target.notes:
        assert not msg.startswith("internal error"), msg
        assert "\n" not in msg, f"multi-line message: {msg!r}"


def cli_scan(*paths: Path | str, args: tuple[str, ...] = (), timeout: float = 600) -> tuple[dict, str, int]:
    """``portaudit scan PATHS --format json [ARGS]`` in a subprocess: (report, stderr, exit code)."""
    env = dict(os.environ, PYTHONFAULTHANDLER="1", NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "portaudit", "scan", *map(str, paths), "--format", "json", "--no-config", *args],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env, check=False)
    assert proc.stdout.strip(), f"no JSON on stdout (exit {proc.returncode}); stderr:\n{proc.stderr[-3000:]}"
    return json.loads(proc.stdout), proc.stderr, proc.returncode


def finding_keys(report: dict, target: str) -> list[tuple]:
    """The findings about one target, without the target path (so runs can be compared)."""
    out = []
    for f in report["findings"]:
        if f["target"] != target:
            continue
        loc = dict(f["location"])
        lis = f.get("listener")
        out.append((f["rule"], f["severity"], f["confidence"], f["message"].replace(target, "<t>"),
                    json.dumps(loc, sort_keys=True), json.dumps(lis, sort_keys=True), f["fingerprint"]))
    return sorted(out)
