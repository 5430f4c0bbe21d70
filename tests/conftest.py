"""Shared test helpers: paths to the project's fixtures and the third-party inputs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THIRD_PARTY = ROOT / "tests" / ".cache" / "third_party"
ANDROGUARD_EXAMPLES = THIRD_PARTY / "androguard" / "usr" / "share" / "doc" / "androguard" / "examples"


@pytest.fixture(scope="session")
def third_party() -> Path:
    """Fetch (once) and return the third-party test inputs folder."""
    if not ANDROGUARD_EXAMPLES.is_dir():
        subprocess.run([str(ROOT / "scripts" / "fetch-third-party")], check=True)
    return THIRD_PARTY


@pytest.fixture(scope="session")
def androguard_examples(third_party: Path) -> Path:
    return ANDROGUARD_EXAMPLES
