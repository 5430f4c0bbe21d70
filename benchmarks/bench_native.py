#!/usr/bin/env python3
"""Native / iOS analysis speed against the floor of LIEF parsing the same file, in the same run.

    .venv/bin/python benchmarks/bench_native.py [--quick]

1. Per binary: portaudit's scan (parse + call sites + sockaddr recovery + signatures) vs
   ``lief.parse`` of the same bytes (median of several runs each).  Target: <= 3x.
2. A large IPA (~100 MB uncompressed; built here from generated Objective-C with clang +
   ld64.lld-14, several big frameworks and resources) scanned end to end, vs the floor of
   unzipping it and LIEF-parsing every binary in it.
3. For the crash-containment choice: the cost LIEF would have in a child process
   (fork + parse + return the imports) vs in process.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import lief

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from portaudit.inputs.ios import analyze as ios_analyze
from portaudit.inputs.native import scan_elf
from portaudit.model import Facts, Target
from portaudit.options import Options

lief.logging.disable()
NATIVE = ROOT / "tests" / "fixtures" / "native" / "bin"
IOS = ROOT / "tests" / "fixtures" / "ios" / "bin"
PYZMQ = ROOT / "tests/.cache/third_party/pyzmq/zmq/backend/cython/_zmq.cpython-313-aarch64-linux-android.so"


def median_time(fn, runs: int) -> float:
    fn()  # warm up (imports, caches)
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def ours(path: Path):
    data = path.read_bytes()
    if data[:4] == b"\x7fELF":
        return lambda: scan_elf(path.name, data)
    from portaudit.inputs.ios import scan_macho

    return lambda: scan_macho(path.name, data, Facts(target=Target(path=str(path), kind="macho")))


def lief_floor(path: Path):
    data = list(path.read_bytes())  # lief.parse(list) parses from memory, like our scan

    def run():
        b = lief.parse(data)
        if isinstance(b, lief.MachO.FatBinary):  # keep a reference: iterating a temporary segfaults
            return [b.at(i) for i in range(b.size)]
        return b
    return run


def gen_objc(n_funcs: int, seed: int) -> str:
    lines = ["typedef unsigned short u16; struct sa { unsigned char l, f; u16 p; unsigned a; char z[8]; };",
             "int socket(int, int, int); int bind(int, const void *, unsigned); int listen(int, int);",
             "void *memset(void *, int, unsigned long);"]
    for i in range(n_funcs):
        if i % 500 == 0:
            lines.append(f"int srv{seed}_{i}(void) {{ struct sa a; int fd = socket(2, 1, 0); memset(&a, 0, sizeof a); "
                         f"a.l = 16; a.f = 2; a.p = __builtin_bswap16({1000 + i % 60000}); "
                         f"a.a = __builtin_bswap32(0x7f000001u); bind(fd, &a, 16); return listen(fd, 1); }}")
        else:
            lines.append(f"int f{seed}_{i}(int x) {{ int y = x * {i + 3}; for (int k = 0; k < (x & 7); k++) "
                         f"y = y * 31 + k + {i}; return y ^ {i * 7}; }}")
    return "\n".join(lines) + "\n"


def build_big_macho(tmp: Path, name: str, n_funcs: int, seed: int) -> Path:
    src = tmp / f"{name}.c"
    src.write_text(gen_objc(n_funcs, seed))
    obj = tmp / f"{name}.o"
    subprocess.run(["clang", "-target", "arm64-apple-ios14.0", "-O0", "-c", str(src), "-o", str(obj)], check=True)
    out = tmp / name
    tbd = ROOT / "tests" / "fixtures" / "ios" / "src" / "libSystem.tbd"
    subprocess.run(["ld64.lld-14", "-arch", "arm64", "-platform_version", "ios", "14.0", "14.0", "-dylib",
                    "-install_name", f"@rpath/{name}.framework/{name}", "-o", str(out), str(obj), str(tbd)], check=True)
    return out


def build_big_ipa(tmp: Path, quick: bool, big: Path) -> tuple[Path, list[Path]]:
    bins = [big, IOS / "App_universal"]
    ipa = tmp / "Big.ipa"
    members = []
    with zipfile.ZipFile(ipa, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(IOS / "App_universal", "Payload/Big.app/Big")
        with zipfile.ZipFile(IOS / "App.ipa") as src:
            zf.writestr("Payload/Big.app/Info.plist", src.read("Payload/App.app/Info.plist"))
        copies = 4 if quick else 20
        for i in range(copies):
            b = bins[0] if i % 4 else bins[1]
            zf.write(b, f"Payload/Big.app/Frameworks/Big{i}.framework/Big{i}")
            members.append(b)
        # resources are most of a real IPA's bulk; they are not read
        rnd = os.urandom(1 << 20)
        for i in range(8 if quick else 30):
            zf.writestr(zipfile.ZipInfo(f"Payload/Big.app/Assets/img{i}.png"), rnd, compress_type=zipfile.ZIP_STORED)
    return ipa, members


def _child_parse(data, q):
    b = lief.parse(data)
    q.put(len(list(b.imported_functions)) if b is not None and hasattr(b, "imported_functions") else 0)


def child_lief(data: list):
    ctx = mp.get_context("fork")

    def run():
        q = ctx.Queue()
        p = ctx.Process(target=_child_parse, args=(data, q))
        p.start()
        q.get(timeout=60)
        p.join(60)
    return run


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller IPA, fewer runs")
    args = ap.parse_args()
    runs = 5 if args.quick else 15
    tmp = Path(tempfile.mkdtemp(prefix="pa-bench-native-"))
    try:
        files = [NATIVE / "libserver_arm64_O2.so", NATIVE / "libserver_armv7_O2.so", NATIVE / "libserver_x86_64_O2.so",
                 NATIVE / "libserver_gcc_arm64_O0.so", NATIVE / "rust_listener", IOS / "App", IOS / "App_universal"]
        if PYZMQ.exists():
            files.append(PYZMQ)
        t0 = time.perf_counter()
        big = build_big_macho(tmp, "BigOne", 6000 if args.quick else 40000, 99)
        print(f"(built a {big.stat().st_size / 1e6:.1f} MB arm64 Mach-O in {time.perf_counter() - t0:.1f}s)")
        files.append(big)
        print(f"{'binary':48s} {'size':>9s} {'portaudit':>10s} {'LIEF':>9s} {'ratio':>6s}")
        ratios = []
        for f in files:
            a = median_time(ours(f), runs)
            b = median_time(lief_floor(f), runs)
            ratios.append(a / b)
            print(f"{f.name[:48]:48s} {f.stat().st_size:9d} {a * 1000:8.1f}ms {b * 1000:7.1f}ms {a / b:5.1f}x")
        print(f"per-binary ratio: median {statistics.median(ratios):.1f}x, max {max(ratios):.1f}x (target <= 3x)")

        ipa, _members = build_big_ipa(tmp, args.quick, big)
        usize = sum(i.file_size for i in zipfile.ZipFile(ipa).infolist())
        t = Target(path=str(ipa), kind="ipa")
        start = time.perf_counter()
        facts = ios_analyze(t, Options())
        ours_s = time.perf_counter() - start
        start = time.perf_counter()
        with zipfile.ZipFile(ipa) as zf:
            for info in zf.infolist():
                if "/Assets/" in info.filename:
                    continue
                raw = zf.read(info)
                b = lief.parse(list(raw))
                if isinstance(b, lief.MachO.FatBinary):
                    _ = [b.at(i) for i in range(b.size)]
        floor_s = time.perf_counter() - start
        print(f"IPA {ipa.stat().st_size / 1e6:.0f} MB ({usize / 1e6:.0f} MB uncompressed, "
              f"{len(facts.stats.get('binaries', []))} binaries/slices, {len(facts.listeners)} listeners): "
              f"portaudit {ours_s:.2f}s, unzip + LIEF floor {floor_s:.2f}s, ratio {ours_s / floor_s:.1f}x")

        data = list((PYZMQ if PYZMQ.exists() else big).read_bytes())
        inproc = median_time(lambda: lief.parse(data), runs)
        child = median_time(child_lief(data), max(3, runs // 3))
        print(f"crash containment: LIEF in a forked child {child * 1000:.1f}ms vs in process {inproc * 1000:.1f}ms "
              f"(+{(child - inproc) * 1000:.1f}ms per binary); portaudit parses in pure Python instead")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
