"""Run ``portaudit scan`` as a user does (a subprocess), in every report format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("json", "console", "sarif", "html")
DEMO_APK = ROOT / "src" / "portaudit" / "samples" / "demo.apk"  # the good APK scanned beside hostile inputs


@dataclass(frozen=True)
class Run:
    report: str  # the report as written (stdout or the -o file)
    stderr: str
    code: int


def scan(paths: list[Path], fmt: str, out_dir: Path, name: str = "report", timeout: float = 600) -> Run:
    """``portaudit scan PATHS --format FMT -o OUT_DIR/NAME.FMT --no-config``."""
    out = out_dir / f"{name}.{fmt}"
    env = dict(os.environ, PYTHONFAULTHANDLER="1", NO_COLOR="1")
    proc = subprocess.run(
        [sys.executable, "-m", "portaudit", "scan", *map(str, paths), "--format", fmt, "-o", str(out),
         "--no-config"], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env, check=False)
    return Run(out.read_text(encoding="utf-8") if out.exists() else "", proc.stderr, proc.returncode)


def check_clean(run: Run, fmt: str) -> None:
    """No traceback, no contained crash, a report written, exit 0 or 1 (findings)."""
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert "internal error" not in run.stderr, (fmt, run.stderr[-2000:])
    assert "internal error" not in run.report, fmt
    assert run.code in (0, 1), (fmt, run.code, run.stderr[-2000:])
    assert run.report.strip(), f"{fmt}: empty report"


def same_path(reported: str, path: str | Path) -> bool:
    """Reports name paths relative to the project root (the git work tree, docs/ci.md); outside it, absolute."""
    return (ROOT / reported).resolve() == Path(path).resolve()


def findings_of(report: dict, target: str) -> list[str]:
    """The findings about one target, without its path, so that two runs can be compared."""
    out = []
    for f in report["findings"]:
        if same_path(f["target"], target):
            f = dict(f, target="<t>", message=f["message"].replace(f["target"], "<t>"))
            out.append(json.dumps(f, sort_keys=True))
    return sorted(out)


def target_of(report: dict, path: Path) -> dict:
    return next(t for t in report["targets"] if same_path(t["path"], path))
