"""Differential test: our raw call sites == androguard 4.x xrefs for the same catalogue methods."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from portaudit.inputs.dex import raw_call_sites

ORACLE = Path(__file__).with_name("androguard_oracle.py")
APKS = [
    "android/abcore/app-prod-debug.apk",  # two DEX files analysed together
    "tests/a2dp.Vol_137.apk",
    "tests/com.teleca.jamendo_35.apk",
]


def _inputs(examples: Path) -> list[Path]:
    dexes = sorted(examples.rglob("*.dex"))
    assert len(dexes) >= 30
    return dexes + [examples / a for a in APKS]


def _ours(path: Path) -> set[tuple]:
    if path.suffix == ".dex":
        blobs = [(path.name, path.read_bytes())]
    else:
        with zipfile.ZipFile(path) as z:
            names = sorted(n for n in z.namelist() if re.fullmatch(r"classes\d*\.dex", n))
            blobs = [(n, z.read(n)) for n in names]
    return {(c, m, api, pc) for _label, c, m, api, pc in raw_call_sites(blobs)}


@pytest.mark.slow
def test_call_sites_match_androguard(androguard_examples, tmp_path):
    files = _inputs(androguard_examples)
    # two androguard processes (it is slow), each in a scratch cwd for its androguard.db
    files_by_size = sorted(files, key=lambda p: -p.stat().st_size)
    groups: list[list[Path]] = [[], []]
    sizes = [0, 0]
    for f in files_by_size:
        k = sizes.index(min(sizes))
        groups[k].append(f)
        sizes[k] += f.stat().st_size
    procs = []
    for k, g in enumerate(groups):
        wd = tmp_path / f"w{k}"
        wd.mkdir()
        out = wd / "out.json"
        procs.append((out, subprocess.Popen([sys.executable, str(ORACLE), str(out), *map(str, g)], cwd=wd,
                                            env={**os.environ, "PYTHONWARNINGS": "ignore"},
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
    theirs: dict[str, list] = {}
    for out, p in procs:
        _o, err = p.communicate(timeout=600)
        assert p.returncode == 0, err.decode(errors="replace")[-2000:]
        theirs.update(json.loads(out.read_text()))
    total = 0
    for f in files:
        expected = {tuple(x) for x in theirs[str(f)]}
        got = _ours(f)
        assert got == expected, (f, sorted(got - expected)[:5], sorted(expected - got)[:5])
        total += len(got)
    # the comparison is not vacuous
    assert total >= 60
