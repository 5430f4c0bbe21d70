"""Fetch the third-party inputs of the source-input tests into tests/.cache/ (idempotent).

    bandit/         the bandit sdist (PyPI): examples/binding.py + tests/functional/test_functional.py (B104)
    bottle/         the bottle 0.13.4 sdist (PyPI): a WSGI framework with a dev server (bottle.run)
    http-server/    the http-server 14.1.1 npm package: a static file server CLI (bin/http-server)

Run as a script or call ``fetch()``; the registries are reached through pip and npm only.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "tests" / ".cache" / "source_inputs"
PY = ROOT / ".venv" / "bin" / "python"

PYPI = {"bandit": "bandit==1.9.4", "bottle": "bottle==0.13.4"}
NPM = {"http-server": "http-server@14.1.1"}


def _extract(archive: Path, dest: Path) -> None:
    with tarfile.open(archive) as tf:
        tf.extractall(dest, filter="data")


def fetch() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    py = str(PY) if PY.exists() else sys.executable
    for name, req in PYPI.items():
        dest = CACHE / name
        if dest.is_dir():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([py, "-m", "pip", "download", "-q", "--no-deps", "--no-binary=:all:", "-d", tmp, req],
                           check=True, capture_output=True)
            (archive,) = list(Path(tmp).glob("*.tar.gz"))
            _extract(archive, Path(tmp) / "x")
            (top,) = list((Path(tmp) / "x").iterdir())
            shutil.move(str(top), dest)
    for name, spec in NPM.items():
        dest = CACHE / name
        if dest.is_dir() or not shutil.which("npm"):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp, check=True, capture_output=True)
            (archive,) = list(Path(tmp).glob("*.tgz"))
            _extract(archive, Path(tmp) / "x")
            shutil.move(str(Path(tmp) / "x" / "package"), dest)
    return CACHE


if __name__ == "__main__":
    print(fetch())
