"""DEX engine speed and memory vs androguard 4.x and vs the floor of inflating the DEX entries.

Each measurement runs in its own subprocess (peak RSS = ru_maxrss of that process, which
includes the interpreter and the imports of that side).  Time excludes imports.

    .venv/bin/python benchmarks/bench_dex.py [APK ...]
    .venv/bin/python benchmarks/bench_dex.py --big      # the 16-DEX, ~18 MB APK (see big_apk)

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
elif mode == "scan":
    # the whole pipeline: container, manifest, DEX engine, rules
    from portaudit import scan, catalog
    from portaudit.options import Options
    catalog.android_apis(); catalog.sdks()
    best = 1e9
    for _ in range(5):
        t = time.perf_counter()
        rep = scan.run([path], Options())
        best = min(best, time.perf_counter() - t)
    facts = rep.facts[0]
    extra = {"listeners": len(facts.listeners), "findings": len(rep.findings), "errors": rep.targets[0].errors,
             "package": facts.app.package if facts.app else None}
elif mode == "portaudit":
    from portaudit.inputs.dex import analyze_dex
    from portaudit import catalog
    catalog.android_apis(); catalog.sdks()
    best = 1e9
    for _ in range(5):
        t = time.perf_counter()
        r = analyze_dex(dexes())
        best = min(best, time.perf_counter() - t)
    from portaudit.inputs.dex import raw_call_sites
    # androguard's xrefs key a site by (class, method, api, pc) with no DEX name: a class present in
    # two DEX files counts once there, twice here
    distinct = len({(c, m, a, pc) for _d, c, m, a, pc in raw_call_sites(dexes())})
    extra = {"listeners": len(r.listeners), "call_sites": r.stats["call_sites"], "distinct_sites": distinct,
             "errors": r.errors}
else:
    from loguru import logger; logger.remove()
    from androguard.misc import AnalyzeAPK
    from portaudit.catalog import android_apis
    t = time.perf_counter()
    a, d, dx = AnalyzeAPK(path)
    found = set()
    for spec in android_apis():
        # the same selection as tests/dex/androguard_oracle.py: class (or shaded simple name),
        # method name and parameter types; one call site = (caller class, caller method, api, pc)
        classes = [re.escape(c) for c in spec.class_descriptors]
        if spec.simple_name:
            classes.append(r"L.*/" + re.escape(spec.simple_name) + ";")
        cls = "^(" + "|".join(classes) + ")$"
        params = spec.param_descriptors
        for m in dx.find_methods(classname=cls, methodname="^" + re.escape(spec.method) + "$"):
            if params is not None and not m.descriptor.replace(" ", "").startswith("(" + "".join(params) + ")"):
                continue
            for _c, caller, off in m.get_xref_from():
                found.add((caller.class_name, caller.name + caller.descriptor, spec.id, off))
    best = time.perf_counter() - t
    extra = {"call_sites": len(found)}
print(json.dumps({"seconds": best, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}))
'''


def run(mode: str, apk: Path) -> dict:
    with tempfile.TemporaryDirectory() as wd:  # androguard writes androguard.db into the cwd
        out = subprocess.run([sys.executable, "-c", CHILD, mode, str(apk)], cwd=wd, capture_output=True,
                             text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"}, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


BIG_TARGET = 18_000_000  # bytes of DEX
BIG_ENTRIES = 16
BIG_MANIFEST_FROM = "tests/com.example.android.tvleanback.apk"


def big_apk(dest: Path) -> list[tuple[str, str, int]]:
    """Assemble (at run time, never committed) an APK of 16 real DEX files, ~18 MB of DEX.

    Pool: every *.dex of the Debian androguard examples plus the classes*.dex of its APKs,
    distinct by sha256, largest first; taken greedily while the total stays <= 18,000,000 bytes,
    until 16 entries.  Stored as classes.dex ... classes16.dex (deflated, one real DEX per entry)
    with the real binary AndroidManifest.xml of tvleanback.apk.  Returns (entry, source, size)."""
    import hashlib
    import re
    import zipfile

    pool: dict[str, tuple[int, str, bytes]] = {}
    for p in sorted(EXAMPLES.rglob("*.dex")):
        if "Invalid" in p.parts:
            continue
        b = p.read_bytes()
        pool.setdefault(hashlib.sha256(b).hexdigest(), (len(b), str(p.relative_to(EXAMPLES)), b))
    for apk in sorted(EXAMPLES.rglob("*.apk")):
        if "Invalid" in apk.parts:
            continue  # android/Invalid/: deliberately malformed
        try:
            with zipfile.ZipFile(apk) as z:
                for n in z.namelist():
                    if re.fullmatch(r"classes\d*\.dex", n):
                        b = z.read(n)
                        pool.setdefault(hashlib.sha256(b).hexdigest(),
                                        (len(b), f"{apk.relative_to(EXAMPLES)}!{n}", b))
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
            continue  # the examples include deliberately broken archives
    items = sorted(pool.values(), key=lambda x: (-x[0], x[1]))
    chosen, total = [], 0
    for i, (size, src, b) in enumerate(items):
        if len(chosen) == BIG_ENTRIES:
            break
        # keep room for the smallest DEX files that must still fill the remaining entries
        need = BIG_ENTRIES - len(chosen) - 1
        rest = sorted(x[0] for x in items[i + 1:])[:need]
        if total + size + sum(rest) <= BIG_TARGET:
            chosen.append((src, b))
            total += size
    with zipfile.ZipFile(EXAMPLES / BIG_MANIFEST_FROM) as z:
        manifest = z.read("AndroidManifest.xml")
    out = []
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("AndroidManifest.xml", (1981, 1, 1, 0, 0, 0)), manifest,
                   compress_type=zipfile.ZIP_DEFLATED)
        for i, (src, b) in enumerate(chosen):
            name = "classes.dex" if i == 0 else f"classes{i + 1}.dex"
            z.writestr(zipfile.ZipInfo(name, (1981, 1, 1, 0, 0, 0)), b, compress_type=zipfile.ZIP_DEFLATED)
            out.append((name, src, len(b)))
    return out


def main_big() -> None:
    with tempfile.TemporaryDirectory() as td:
        apk = Path(td) / "big16.apk"
        entries = big_apk(apk)
        dex_mb = sum(e[2] for e in entries) / 1e6
        print(f"big APK: {len(entries)} DEX entries, {dex_mb:.1f} MB of DEX, {apk.stat().st_size / 1e6:.1f} MB file, "
              f"manifest from {BIG_MANIFEST_FROM}")
        for name, src, size in entries:
            print(f"  {name:14} {size / 1e6:6.2f} MB  {src}")
        floor = run("floor", apk)
        dexonly = run("portaudit", apk)
        ours = run("scan", apk)
        andro = run("androguard", apk)
    print(f"{'side':44} {'seconds':>8} {'peak RSS MB':>12}")
    print(f"{'inflate floor (zipfile, 16 entries)':44} {floor['seconds']:8.3f} {floor['peak_rss_mb']:12.0f}")
    print(f"{'portaudit analyze_dex (inflate + DEX engine)':44} {dexonly['seconds']:8.3f} "
          f"{dexonly['peak_rss_mb']:12.0f}")
    print(f"{'portaudit scan.run (whole pipeline)':44} {ours['seconds']:8.3f} {ours['peak_rss_mb']:12.0f}")
    print(f"{'androguard 4.1.4 AnalyzeAPK + xrefs':44} {andro['seconds']:8.2f} {andro['peak_rss_mb']:12.0f}")
    print(f"scan: {ours['listeners']} listeners, {ours['findings']} findings, errors {ours['errors']}, "
          f"package {ours['package']}; androguard xref call sites: {andro['call_sites']}, "
          f"our call sites: {dexonly['call_sites']} ({dexonly['distinct_sites']} distinct without the DEX name)")
    print(f"scan.run vs androguard: {andro['seconds'] / ours['seconds']:.0f}x faster, peak RSS ratio "
          f"{ours['peak_rss_mb'] / andro['peak_rss_mb']:.2f}; scan.run / inflate floor: "
          f"{ours['seconds'] / floor['seconds']:.1f}x")


def main(argv: list[str]) -> None:
    if not EXAMPLES.is_dir():
        subprocess.run([str(ROOT / "scripts/fetch-third-party")], check=True)
    if argv == ["--big"]:
        main_big()
        return
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
