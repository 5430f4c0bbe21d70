"""Library profiles: their size, and what matching costs, as ratios measured in the same run.

    .venv/bin/python benchmarks/bench_profiles.py

1. The shipped profiles: bytes on disk, time to read the header (every scan) and the body
   (only when a library's anchors are found).
2. The 18 MB, 16-DEX APK of bench_dex.py --big (no server library in it): analyze_dex with
   matching on (the shipped set) against matching off (``profiles=()``, the engine as before);
   the budget is 2x.
3. The release-like apps of tests/profiles (real Netty / Jetty / MINA shrunk and obfuscated by
   ProGuard): match_libraries alone, and analyze_dex on / off.

Each side runs in its own subprocess, best of 5; times exclude imports.
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

APPS = ROOT / "tests" / ".cache" / "profiles"

CHILD = r'''
import json, re, sys, time, zipfile
mode, path = sys.argv[1], sys.argv[2]
from portaudit import catalog
from portaudit.inputs.dex import analyze_dex
from portaudit.inputs.dex.parser import DexFile
from portaudit.libmatch import match_libraries, shipped
catalog.android_apis(); catalog.sdks()
with zipfile.ZipFile(path) as z:
    blobs = [(n, z.read(n)) for n in z.namelist() if re.fullmatch(r"classes\d*\.dex", n)]

def fresh():
    shipped.cache_clear()  # every run reads the profiles again, as a new scan does
    return shipped()

best = 1e9
for _ in range(5):
    t = time.perf_counter()
    if mode == "off":
        r = analyze_dex(blobs, profiles=())
    elif mode == "on":
        r = analyze_dex(blobs, profiles=fresh())
    else:
        m = match_libraries([DexFile(b, n) for n, b in blobs], fresh(), catalog.android_apis())
    best = min(best, time.perf_counter() - t)
out = {"seconds": best}
if mode == "match":
    out.update(m.stats)
else:
    out["listeners"] = [[l.bind.value, l.port, l.origin.sdk] for l in r.listeners]
print(json.dumps(out))
'''

PROFILE_CHILD = r'''
import json, time
from portaudit.libmatch import shipped
from portaudit.libmatch.profile import loads, read_header
out = []
for sp in shipped():
    h = b = 1e9
    for _ in range(5):
        t = time.perf_counter(); read_header(sp.data); h = min(h, time.perf_counter() - t)
        t = time.perf_counter(); p = loads(sp.data); b = min(b, time.perf_counter() - t)
    out.append({"name": sp.name, "version": sp.version, "bytes": len(sp.data), "classes": len(p.classes),
                "header_s": h, "body_s": b})
print(json.dumps(out))
'''


def child(code: str, *args: str) -> dict | list:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    rows = child(PROFILE_CHILD)
    print(f"{'profile':22} {'version':>8} {'classes':>8} {'KB':>7} {'header ms':>10} {'body ms':>8}")
    for r in rows:
        print(f"{r['name']:22} {r['version']:>8} {r['classes']:8d} {r['bytes'] / 1024:7.0f} "
              f"{r['header_s'] * 1000:10.2f} {r['body_s'] * 1000:8.1f}")
    print(f"{'all':22} {'':>8} {sum(r['classes'] for r in rows):8d} {sum(r['bytes'] for r in rows) / 1024:7.0f}")

    if not EXAMPLES.is_dir():
        subprocess.run([str(ROOT / "scripts/fetch-third-party")], check=True)
    with tempfile.TemporaryDirectory() as td:
        apk = Path(td) / "big16.apk"
        entries = big_apk(apk)
        off = child(CHILD, "off", str(apk))
        on = child(CHILD, "on", str(apk))
        match = child(CHILD, "match", str(apk))
    print(f"\nbig APK ({len(entries)} DEX, {sum(e[2] for e in entries) / 1e6:.1f} MB of DEX): analyze_dex "
          f"matching off {off['seconds']:.3f} s, on {on['seconds']:.3f} s -> {on['seconds'] / off['seconds']:.2f}x "
          f"(budget 2x); match_libraries alone {match['seconds']:.3f} s, profiles read past the header: "
          f"{match['triggered'] or 'none'}; same listeners: {off['listeners'] == on['listeners']}")

    if not (APPS / "netty" / "obf" / "classes.dex.jar").is_file():
        subprocess.run(["bash", str(ROOT / "tests" / "profiles" / "build.sh")], check=True)
    print(f"\n{'release-like app':22} {'off s':>7} {'on s':>7} {'ratio':>6} {'match s':>8} {'renamed':>8} "
          "listeners (on)")
    for app in ("netty", "jetty", "mina"):
        for variant in ("plain", "obf", "repackage", "overload", "access", "optimize"):
            jar = APPS / app / variant / "classes.dex.jar"
            if not jar.is_file():
                continue  # "optimize" is built for MINA only (tests/profiles/build.sh)
            off = child(CHILD, "off", str(jar))
            on = child(CHILD, "on", str(jar))
            m = child(CHILD, "match", str(jar))
            print(f"{app + '/' + variant:22} {off['seconds']:7.3f} {on['seconds']:7.3f} "
                  f"{on['seconds'] / off['seconds']:6.2f} {m['seconds']:8.3f} {m['renamed']:8d} {on['listeners']}")


if __name__ == "__main__":
    main()
