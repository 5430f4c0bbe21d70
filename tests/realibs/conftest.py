"""The real-library apps: small Java apps dexed together with Debian's Netty / Jetty / MINA jars.

Built (not committed) by tests/realibs/build.sh into tests/.cache/third_party/realibs/, which
scripts/fetch-third-party calls.  The fixture builds them when they are missing.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from portaudit.inputs.dex import analyze_dex, raw_call_sites

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "tests" / ".cache" / "third_party" / "realibs"
APPS = ("netty", "jetty", "mina")
ALL = (*APPS, "netty-only")


@pytest.fixture(scope="session")
def realibs() -> Path:
    if not all((OUT / f"{a}.jar").is_file() for a in ALL):
        subprocess.run(["bash", str(HERE / "build.sh"), str(OUT)], check=True)
    return OUT


def dex_blobs(jar: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(jar) as z:
        names = sorted((n for n in z.namelist() if re.fullmatch(r"classes\d*\.dex", n)),
                       key=lambda n: int(n[7:-4] or 1))
        return [(n, z.read(n)) for n in names]


def expected(app: str) -> dict:
    return json.loads((HERE / "apps" / app / "expected.json").read_text())


@pytest.fixture(scope="session")
def analysed(realibs):
    """app -> (DexResult, raw call sites) for every built jar (each analysed once)."""
    out = {}
    for app in ALL:
        blobs = dex_blobs(realibs / f"{app}.jar")
        out[app] = (analyze_dex(blobs), raw_call_sites(blobs))
    return out
