"""Fetch the third-party inputs of the source-input tests into tests/.cache/ (idempotent).

    bandit/         the bandit sdist (PyPI): examples/binding.py + tests/functional/test_functional.py (B104)
    bottle/         the bottle 0.13.4 sdist (PyPI): a WSGI framework with a dev server (bottle.run)
    http-server/    the http-server 14.1.1 npm package: a static file server CLI (bin/http-server)
    flask/ aiohttp/ tornado/ twisted/ uvicorn/    PyPI sdists: the library code that decides their defaults
    fastify/ express/ koa/ @hapi-hapi/            npm packages: the same for the node frameworks
    react-native-tcp-socket/ react-native-http-bridge/ react-native-static-server/ cordova-plugin-httpd/
                    npm packages of mobile server modules, with their Android (Java) and iOS (ObjC) code

Run as a script or call ``fetch()``; the registries are reached through pip and npm only.  Every
download is pinned by version and sha256 in scripts/third-party.lock.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "tests" / ".cache" / "source_inputs"
PY = ROOT / ".venv" / "bin" / "python"

LOCK = ROOT / "scripts" / "third-party.lock"
PYPI = ("bandit", "bottle", "flask", "aiohttp", "tornado", "twisted", "uvicorn")
NPM = ("http-server", "fastify", "express", "koa", "@hapi/hapi", "react-native-tcp-socket",
       "react-native-http-bridge", "react-native-static-server", "cordova-plugin-httpd")


def pinned(name: str) -> dict[str, str]:
    for line in LOCK.read_text().splitlines():
        cols = line.split()
        if cols and cols[0] == name:
            return dict(zip(("registry", "version", "file", "sha256"), cols[1:5], strict=True))
    raise LookupError(f"{name} is not pinned in {LOCK.relative_to(ROOT)}")


def _verified(name: str, folder: Path) -> Path:
    pin = pinned(name)
    path = folder / pin["file"]
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if got != pin["sha256"]:
        raise RuntimeError(f"{pin['file']}: sha256 {got}, {LOCK.name} pins {pin['sha256']}")
    return path


def _extract(archive: Path, dest: Path) -> None:
    with tarfile.open(archive) as tf:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4 (Debian 12 has 3.11.2)
            tf.extractall(dest, filter="data")
            return
        root = dest.resolve()
        for m in tf.getmembers():
            target = (dest / m.name).resolve()
            if not (m.isfile() or m.isdir()) or (target != root and root not in target.parents):
                raise RuntimeError(f"{archive.name}: refusing member {m.name!r}")
        tf.extractall(dest)


def fetch() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    py = str(PY) if PY.exists() else sys.executable
    for name in PYPI:
        dest = CACHE / name
        if dest.is_dir():
            continue
        pin = pinned(name)
        with tempfile.TemporaryDirectory() as tmp:
            req = Path(tmp) / "req.txt"
            req.write_text(f"{name}=={pin['version']} --hash=sha256:{pin['sha256']}\n")
            subprocess.run([py, "-m", "pip", "download", "-q", "--no-deps", "--no-binary=:all:", "--require-hashes",
                            "-d", tmp, "-r", str(req)], check=True, capture_output=True)
            archive = _verified(name, Path(tmp))
            _extract(archive, Path(tmp) / "x")
            (top,) = list((Path(tmp) / "x").iterdir())
            shutil.move(str(top), dest)
    for name in NPM:
        dest = CACHE / name.replace("/", "-")
        if dest.is_dir():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["npm", "pack", f"{name}@{pinned(name)['version']}", "--silent"], cwd=tmp, check=True,
                           capture_output=True)
            archive = _verified(name, Path(tmp))
            _extract(archive, Path(tmp) / "x")
            shutil.move(str(Path(tmp) / "x" / "package"), dest)
    return CACHE


if __name__ == "__main__":
    print(fetch())
