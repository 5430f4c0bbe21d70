"""End-to-end helpers: run the real ``portaudit`` command on the project's real inputs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_APK = ROOT / "src" / "portaudit" / "samples" / "demo.apk"
NATIVE = ROOT / "tests" / "fixtures" / "native" / "bin"
IOS = ROOT / "tests" / "fixtures" / "ios" / "bin"
SOURCE_CASES = ROOT / "tests" / "source" / "cases"
REAL_DEX = ROOT / "tests" / "fixtures" / "android" / "netty_bind" / "classes.dex"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)

    def stderr_lines(self) -> list[str]:
        return [ln for ln in self.stderr.splitlines() if ln.strip()]


def portaudit(*args, cwd: Path | None = None, drop_read_override: bool = False, timeout: int = 300) -> Run:
    """Run ``python -m portaudit ARGS``.  ``drop_read_override``: as root, run without
    CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH so that mode-000 files really are unreadable."""
    cmd = [sys.executable, "-m", "portaudit", *map(str, args)]
    if drop_read_override and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.fail("setpriv (util-linux) is needed to test unreadable files as root")
        caps = "-dac_override,-dac_read_search"
        cmd = [setpriv, "--bounding-set", caps, "--inh-caps", caps, *cmd]
    env = dict(os.environ, COLUMNS="80", PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def truncated_copy(src: Path, dst: Path, size: int) -> Path:
    """A broken input derived from a real file by truncation."""
    dst.write_bytes(src.read_bytes()[:size])
    return dst
