"""How much of each listener the analysis resolves, over a public corpus, and what deep flow costs.

    .venv/bin/python benchmarks/bench_resolution.py

Corpus (fetched by scripts/fetch-third-party, built by scripts/build-fixtures):
  * androguard: every APK and DEX of the Debian androguard examples (android/Invalid/ left out);
  * realibs: the real library bytecode (Debian's Netty, Jetty, MINA jars through dx);
  * fixtures: the project's Android fixture cases and the embedded demo app.

For the tcp/udp listener findings of each part: how many there are, the share with a known port,
and the share whose bind class is not unknown.  Unknown is an honest answer (a port from a URI, a
constructor parameter no caller in the app sets), so the shares are a measure of reach, not of
correctness; the fixtures include cases that must stay unknown.

Time: ``analyze_dex`` on the 18 MB, 16-DEX APK of bench_dex.py, with today's engine and with the
engine before deep value flow (commit BASELINE, read from git history into a temporary folder), each
in its own process, best of 5, in the same run.  Target: within 1.5x.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_dex import EXAMPLES, big_apk  # noqa: E402

BASELINE = "5004ec0b80be5cbe097e1b3e8bcf20e776592429"  # main just before the deep-flow DEX engine landed
REALIBS = ROOT / "tests/.cache/third_party/realibs"
FIXTURES = ROOT / "tests/fixtures/android"
DEMO = ROOT / "src/portaudit/samples"


def corpus() -> dict[str, list[Path]]:
    andro = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".apk", ".dex") and "Invalid" not in p.parts)
    fixtures = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".apk", ".dex", ".aab")
                      and "stubs" not in p.parts)
    fixtures += sorted(p for p in DEMO.rglob("*.apk"))
    return {"androguard": andro, "realibs": sorted(REALIBS.glob("*.jar")), "fixtures": fixtures}


def shares(paths: list[Path]) -> dict:
    import logging

    from portaudit.options import Options
    from portaudit.scan import run

    logging.getLogger("portaudit").setLevel(logging.CRITICAL)  # the examples' broken archives say so
    rep = run([str(p) for p in paths], Options(isolate=False))
    lst = [f.listener for f in rep.findings if f.listener is not None and f.listener.transport in ("tcp", "udp")]
    port = sum(1 for x in lst if x.port is not None)
    bind = sum(1 for x in lst if x.bind.value != "unknown")
    return {"targets": len(rep.targets), "findings": len(lst), "port": port, "bind": bind}


TIMER = r'''
import json, sys, time, zipfile
from portaudit.inputs.dex import analyze_dex
with zipfile.ZipFile(sys.argv[1]) as z:
    dexes = [(n, z.read(n)) for n in z.namelist() if n.endswith(".dex")]
analyze_dex(dexes)  # warm: catalogue and profiles loaded once
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    r = analyze_dex(dexes)
    best = min(best, time.perf_counter() - t)
print(json.dumps({"seconds": best, "listeners": len(r.listeners)}))
'''


def timed(src: Path, apk: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", TIMER, str(apk)], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(src)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if not EXAMPLES.is_dir() or not REALIBS.is_dir():
        subprocess.run([str(ROOT / "scripts/fetch-third-party")], check=True)
    total = {"targets": 0, "findings": 0, "port": 0, "bind": 0}
    print(f"{'corpus':12} {'targets':>8} {'tcp/udp findings':>17} {'port known':>11} {'bind known':>11}")
    for name, paths in corpus().items():
        s = shares(paths)
        for k in total:
            total[k] += s[k]
        n = max(1, s["findings"])
        print(f"{name:12} {s['targets']:8} {s['findings']:17} {100 * s['port'] / n:10.0f}% "
              f"{100 * s['bind'] / n:10.0f}%")
    n = max(1, total["findings"])
    print(f"{'all':12} {total['targets']:8} {total['findings']:17} {100 * total['port'] / n:10.0f}% "
          f"{100 * total['bind'] / n:10.0f}%   (target: port known >= 80%)")
    with tempfile.TemporaryDirectory() as td:
        apk = Path(td) / "big16.apk"
        big_apk(apk)
        old = Path(td) / "baseline"
        old.mkdir()
        try:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", BASELINE, "src"], capture_output=True,
                                     check=True).stdout
        except (subprocess.CalledProcessError, FileNotFoundError):
            print(f"time: baseline {BASELINE[:10]} not in this clone's history (a shallow clone?): not measured")
            return
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        before = timed(old / "src", apk)
        now = timed(ROOT / "src", apk)
    print(f"18 MB APK analyze_dex: before deep flow {before['seconds']:.3f} s ({before['listeners']} listeners), "
          f"now {now['seconds']:.3f} s ({now['listeners']} listeners): {now['seconds'] / before['seconds']:.2f}x "
          "(target <= 1.5x)")


if __name__ == "__main__":
    main()
