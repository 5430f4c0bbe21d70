from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "tests" / "fixtures" / "native" / "bin"
THIRD = ROOT / "tests" / ".cache" / "third_party"
PYZMQ = THIRD / "pyzmq" / "zmq" / "backend" / "cython" / "_zmq.cpython-313-aarch64-linux-android.so"
PYELF = THIRD / "pyelftools" / "test" / "testfiles_for_unittests"


@pytest.fixture(scope="session")
def third_party() -> Path:
    """The fetched third-party inputs (fetched on demand by scripts/fetch-third-party)."""
    if not PYZMQ.exists() or not PYELF.exists():
        import subprocess

        subprocess.run([str(ROOT / "scripts" / "fetch-third-party")], check=True)
    assert PYZMQ.exists() and PYELF.exists(), "scripts/fetch-third-party did not provide pyzmq / pyelftools"
    return THIRD
