"""Go fixtures: built once per session by tests/fixtures/go/build.sh into tests/.cache/go/bin/.

Go binaries are megabytes each, so they are built here instead of committed (the build is
reproducible and cached by a stamp: a re-run costs nothing).  A missing or broken toolchain (Debian
golang-go, and the arm64 cross C library for the c-shared build, both in scripts/apt-packages.txt)
stops the run with one line naming the package, instead of one identical error per test.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "tests" / "fixtures" / "go" / "src"
BUILD = ROOT / "tests" / "fixtures" / "go" / "build.sh"
OUT = ROOT / "tests" / ".cache" / "go" / "bin"


def _need_go() -> None:
    if shutil.which("go") is None:
        pytest.exit("the Go toolchain is not installed: Debian package golang-go (scripts/apt-install)",
                    returncode=1)


@pytest.fixture(scope="session")
def gobin() -> Path:
    _need_go()
    r = subprocess.run([str(BUILD), str(OUT)], capture_output=True, text=True)
    if r.returncode != 0:
        lines = (r.stderr or r.stdout).strip().splitlines() or ["no output"]
        fatal = next((ln for ln in lines if "fatal error" in ln or "not found" in ln), lines[-1])
        pytest.exit(f"tests/fixtures/go/build.sh failed: {fatal.strip()} "
                    "(scripts/check-toolchains names the missing package)", returncode=1)
    return OUT


@pytest.fixture(scope="session")
def go_version() -> str:
    _need_go()
    out = subprocess.run(["go", "version"], check=True, capture_output=True, text=True).stdout
    return out.split()[2]  # "go version go1.19.8 linux/amd64"
