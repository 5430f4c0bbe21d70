"""DEX engine speed and memory vs androguard 4.x and vs the floor of inflating the DEX entries.

Each measurement runs in its own subprocess (peak RSS = ru_maxrss of that process, which
includes the interpreter and the imports of that side).  Time excludes imports.

    .venv/bin/python benchmarks/bench_dex.py [APK ...]

Default inputs: the largest APKs of the Debian androguard examples (fetched by
scripts/fetch-third-party).  Targets: >= 20x faster and <= 1/3 peak memory than androguard
``AnalyzeAPK`` + xrefs of the catalogue methods; within 4x of merely inflating every DEX.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests/.cache/third_party/androguard/usr/share/doc/androguard/examples"
DEFAULT = [
    "tests/com.example.android.tvleanback.apk",
    "android/abcore/app-prod-debug.apk",
    "tests/hello-world.apk",
    "tests/com.example.android.wearable.wear.weardrawers.apk",
]

CHILD = r'''
import json, re, resource, sys, time, zipfile
mode, path = sys.argv[1], sys.argv[2]

def dexes():
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if re.fullmatch(r"classes\d*\.dex", n)]
        return [(n, z.read(n)) for n in names]

if mode == "floor":
    best = 1e9
    for _ in range(5):
        t = time.perf_counter(); blobs = dexes(); best = min(best, time.perf_counter() - t)
    extra = {"dex_bytes": sum(len(b) for _, b in blobs), "dex_files": len(blobs)}
elif mode == "portaudit":
    from portaudit.inputs.dex import analyze_dex
    from portaudit import catalog
    catalog.android_apis(); catalog.sdks()
    best = 1e9
    for _ in range(5):
        t = time.perf_counter()
        r = analyze_dex(dexes())
        best = min(best, time.perf_counter() - t)
    extra = {"listeners": len(r.listeners), "call_sites": r.stats["call_sites"], "errors": r.errors}
else:
    from loguru import logger; logger.remove()
    from androguard.misc import AnalyzeAPK
    from portaudit.catalog import android_apis
    t = time.perf_counter()
    a, d, dx = AnalyzeAPK(path)
    n = 0
    for spec in android_apis():
        cls = "^(" + "|".join(re.escape(c) for c in spec.class_descriptors) + ")$"
        for m in dx.find_methods(classname=cls, methodname="^" + re.escape(spec.method) + "$"):
            n += len(m.get_xref_from())
    best = time.perf_counter() - t
    extra = {"call_sites": n}
print(json.dumps({"seconds": best, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))
'''


def run(mode: str, apk: Path) -> dict:
    with tempfile.TemporaryDirectory() as wd:  # androguard writes androguard.db into the cwd
        out = subprocess.run([sys.executable, "-c", CHILD, mode, str(apk)], cwd=wd, capture_output=True,
                             text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"}, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> None:
    if not EXAMPLES.is_dir():
        subprocess.run([str(ROOT / "scripts/fetch-third-party")], check=True)
    apks = [Path(a) for a in argv] or [EXAMPLES / a for a in DEFAULT]
    print(f"{'APK':48} {'DEX MB':>7} {'floor s':>8} {'ours s':>8} {'andro s':>8} {'speedup':>8} "
          f"{'vs floor':>8} {'our MB':>7} {'andro MB':>8} {'mem ratio':>9}")
    tot = {"floor": 0.0, "ours": 0.0, "andro": 0.0}
    worst_mem = 0.0
    for apk in apks:
        floor = run("floor", apk)
        ours = run("portaudit", apk)
        andro = run("androguard", apk)
        tot["floor"] += floor["seconds"]
        tot["ours"] += ours["seconds"]
        tot["andro"] += andro["seconds"]
        mem = ours["peak_rss_mb"] / andro["peak_rss_mb"]
        worst_mem = max(worst_mem, mem)
        print(f"{apk.name[:48]:48} {floor['dex_bytes'] / 2**20:7.1f} {floor['seconds']:8.3f} "
              f"{ours['seconds']:8.3f} {andro['seconds']:8.2f} {andro['seconds'] / ours['seconds']:7.0f}x "
              f"{ours['seconds'] / floor['seconds']:7.1f}x {ours['peak_rss_mb']:7.0f} "
              f"{andro['peak_rss_mb']:8.0f} {mem:9.2f}")
    print(f"TOTAL speedup vs androguard: {tot['andro'] / tot['ours']:.0f}x (target >= 20x); "
          f"portaudit / inflate floor: {tot['ours'] / tot['floor']:.1f}x (target <= 4x); "
          f"worst peak-RSS ratio: {worst_mem:.2f} (target <= 0.33)")


if __name__ == "__main__":
    main(sys.argv[1:])
