"""Corpus throughput: portaudit corpus scan with 1 and 2 worker processes (and a 2-worker Dask
LocalCluster) over the androguard example set, against androguard 4.1.4 ``AnalyzeAPK`` /
``AnalyzeDex`` run sequentially over a subset of the same files; all measured in this run.

Prints apps/s, MB/s, the 1 -> 2 worker scaling efficiency, peak RSS per worker, and the per-app
time ratio androguard / portaudit on the androguard subset (plus androguard's peak RSS).

    .venv/bin/python benchmarks/bench_corpus.py [--androguard-apps N] [--repeat K] [DIR ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from portaudit.corpus.runner import scan_corpus
from portaudit.corpus.store import Store
from portaudit.corpus.worker import scan_one
from portaudit.inputs.discover import discover
from portaudit.options import Options

EXAMPLES = ROOT / "tests/.cache/third_party/androguard/usr/share/doc/androguard/examples"

# Runs androguard on each file in a fresh interpreter, prints JSON {path: seconds} and peak RSS.
ANDROGUARD_SCRIPT = r"""
import json, resource, sys, time
from loguru import logger
logger.remove()
from androguard.misc import AnalyzeAPK, AnalyzeDex
out = {}
for path in sys.argv[1:]:
    t0 = time.perf_counter()
    try:
        if path.endswith(".dex"):
            AnalyzeDex(path)
        else:
            AnalyzeAPK(path)
        ok = True
    except Exception as exc:
        ok = False
    out[path] = [time.perf_counter() - t0, ok]
print(json.dumps({"times": out, "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _corpus(dirs: list[str]) -> list[tuple[str, str, int]]:
    targets = [t for t in discover(dirs, Options()) if not t.errors and t.kind in ("apk", "dex", "jar", "zip")]
    return [(t.path, t.kind, os.path.getsize(t.path)) for t in targets]


def _run(dirs: list[str], label: str, **mode) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.sqlite")
        t0 = time.perf_counter()
        stats = scan_corpus(dirs, db, **mode)
        wall = time.perf_counter() - t0
        with Store(db, readonly=True) as s:
            rss = s.rows("SELECT worker, MAX(peak_rss_kb) AS kb FROM timings GROUP BY worker")
            n_findings = s.rows("SELECT COUNT(*) AS n FROM findings")[0]["n"]
            cpu = s.rows("SELECT COALESCE(SUM(cpu_s), 0) AS c FROM timings")[0]["c"]
    return {"label": label, "apps": stats.scanned, "mb": stats.bytes_done / 1e6, "wall": wall,
            "apps_s": stats.scanned / wall, "mb_s": stats.bytes_done / 1e6 / wall,
            "peak_rss_mb": max((r["kb"] or 0) for r in rss) / 1024 if rss else None, "findings": n_findings,
            "cpu": cpu}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="*", default=[str(EXAMPLES)])
    ap.add_argument("--androguard-apps", type=int, default=12, help="size of the androguard subset")
    ap.add_argument("--repeat", type=int, default=2, help="runs per configuration (best is kept)")
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    if not all(Path(d).exists() for d in args.dirs):
        print("corpus missing: run scripts/fetch-third-party", file=sys.stderr)
        return 2
    files = _corpus(args.dirs)
    total_mb = sum(s for _, _, s in files) / 1e6
    print(f"corpus: {len(files)} apps / DEX / JAR files, {total_mb:.1f} MB ({', '.join(args.dirs)})")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; "
          f"Python {sys.version.split()[0]}")

    configs = [("local pool, 1 worker", {"jobs": 1}), ("local pool, 2 workers", {"jobs": 2})]
    if not args.no_dask:
        configs.append(("Dask LocalCluster, 2 workers", {"dask_local": 2}))
    big = [p for p, _, size in files if size >= 100_000]
    big_mb = sum(size for _, _, size in files if size >= 100_000) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        big_list = os.path.join(tmp, "big.txt")
        with open(big_list, "w") as fh:
            fh.write("\n".join(big) + "\n")
        sets = [(f"whole set ({len(files)} files, {total_mb:.1f} MB; most are tiny signing samples)", args.dirs),
                (f"files >= 100 KB ({len(big)} files, {big_mb:.1f} MB)", [big_list])]
        for title, inputs in sets:
            results = []
            for label, mode in configs:
                best = None
                for _ in range(max(1, args.repeat)):
                    r = _run(inputs, label, **mode)
                    if best is None or r["wall"] < best["wall"]:
                        best = r
                results.append(best)
            print()
            print(title)
            print(f"{'configuration':32} {'apps':>5} {'wall s':>7} {'apps/s':>8} {'MB/s':>7} {'worker CPU s':>12} "
                  f"{'peak RSS/worker MB':>19} {'findings':>8}")
            for r in results:
                print(f"{r['label']:32} {r['apps']:5d} {r['wall']:7.2f} {r['apps_s']:8.1f} {r['mb_s']:7.1f} "
                      f"{r['cpu']:12.2f} {r['peak_rss_mb'] or 0:19.1f} {r['findings']:8d}")
            one, two = results[0], results[1]
            eff = (two["apps_s"] / one["apps_s"]) / 2
            print(f"scaling 1 -> 2 workers: x{two['apps_s'] / one['apps_s']:.2f} (efficiency {eff * 100:.0f}%)")

    # androguard on a subset: the largest files plus a spread of smaller ones
    by_size = sorted(files, key=lambda f: -f[2])
    n = min(args.androguard_apps, len(by_size))
    subset = by_size[: n // 2] + by_size[n // 2:: max(1, (len(by_size) - n // 2) // max(1, n - n // 2))][: n - n // 2]
    paths = [p for p, _, _ in subset]
    sub_mb = sum(s for _, _, s in subset) / 1e6
    with tempfile.TemporaryDirectory() as tmp:  # androguard writes androguard.db into the cwd
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", ANDROGUARD_SCRIPT, *paths], capture_output=True, text=True, cwd=tmp)
        ag_wall = time.perf_counter() - t0
    if r.returncode != 0:
        print("androguard failed:", r.stderr[-2000:], file=sys.stderr)
        return 1
    ag = json.loads(r.stdout.strip().splitlines()[-1])
    opts = Options()
    ours = {}
    for p, kind, size in subset:
        best = float("inf")
        for _ in range(max(1, args.repeat)):
            res = scan_one({"path": p, "kind": kind, "sha256": None, "size": size}, opts)
            best = min(best, res["seconds"])
        ours[p] = best
    ratios = [ag["times"][p][0] / ours[p] for p in paths if ours[p] > 0]
    ag_total = sum(v[0] for v in ag["times"].values())
    our_total = sum(ours.values())
    print()
    print(f"androguard 4.1.4 AnalyzeAPK/AnalyzeDex, sequential, {len(paths)} files ({sub_mb:.1f} MB; "
          f"{sum(1 for v in ag['times'].values() if v[1])} parsed without exception):")
    print(f"  androguard: {ag_total:7.2f} s ({len(paths) / ag_total:.2f} apps/s, {sub_mb / ag_total:.2f} MB/s), "
          f"peak RSS {ag['peak_rss_kb'] / 1024:.0f} MB; process wall incl. import {ag_wall:.2f} s")
    print(f"  portaudit : {our_total:7.2f} s ({len(paths) / our_total:.2f} apps/s, {sub_mb / our_total:.2f} MB/s) "
          f"in-process, same files")
    print(f"  per-app ratio androguard/portaudit: median x{statistics.median(ratios):.1f}, "
          f"min x{min(ratios):.1f}, max x{max(ratios):.1f}; total x{ag_total / our_total:.1f}")
    print(f"  {'file':58} {'MB':>6} {'androguard s':>12} {'portaudit s':>11} {'ratio':>7}")
    for p, _, size in subset:
        t_ag, ok = ag["times"][p]
        print(f"  {Path(p).name[-58:]:58} {size / 1e6:6.2f} {t_ag:12.3f} {ours[p]:11.3f} "
              f"{'x%.1f' % (t_ag / ours[p]) if ours[p] > 0 else '-':>7}{'' if ok else '  (androguard raised)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
