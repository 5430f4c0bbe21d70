"""Go fixtures: built once per session by tests/fixtures/go/build.sh into tests/.cache/go/bin/.

Go binaries are megabytes each, so they are built here instead of committed (the build is
reproducible and cached by a stamp: a re-run costs nothing).  Skipped only when the Go toolchain
(Debian golang-go, listed in scripts/apt-packages.txt) is not installed.
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


@pytest.fixture(scope="session")
def gobin() -> Path:
    if shutil.which("go") is None:
        pytest.skip("the Go toolchain is not installed (apt-get install golang-go)")
    subprocess.run([str(BUILD), str(OUT)], check=True)
    return OUT


@pytest.fixture(scope="session")
def go_version() -> str:
    if shutil.which("go") is None:
        pytest.skip("the Go toolchain is not installed (apt-get install golang-go)")
    out = subprocess.run(["go", "version"], check=True, capture_output=True, text=True).stdout
    return out.split()[2]  # "go version go1.19.8 linux/amd64"
