"""Container reading: portaudit's hardened zip reader vs Python's zipfile, same run, same files.

For the largest APKs of the androguard example set, time (best of N) to open the archive and
inflate every classes*.dex plus AndroidManifest.xml and resources.arsc, and print the ratio
ours / zipfile (1.0 = same speed; the hardened reader also checks CRCs, limits and
local-header consistency).  Also times manifest decoding: ours vs androguard's AXML parser.

    .venv/bin/python benchmarks/bench_archive.py [APK ...]
"""

from __future__ import annotations

import mmap
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from portaudit.inputs.archive import Archive
from portaudit.inputs.android.appinfo import parse_manifest

EXAMPLES = ROOT / "tests/.cache/third_party/androguard/usr/share/doc/androguard/examples"
WANT = ("AndroidManifest.xml", "resources.arsc")


def _ours(path: Path) -> int:
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        arc = Archive(data, "")
        n = 0
        for e in arc.entries:
            if e.name.endswith(".dex") or e.name in WANT:
                n += len(arc.read(e))
        del arc
        return n


def _zipfile(path: Path) -> int:
    n = 0
    with zipfile.ZipFile(path) as zf:
        for i in zf.infolist():
            if i.filename.endswith(".dex") or i.filename in WANT:
                n += len(zf.read(i))
    return n


def _best(fn, arg, reps: int = 7) -> float:
    best = float("inf")
    for _ in range(reps):
        t = time.perf_counter()
        fn(arg)
        best = min(best, time.perf_counter() - t)
    return best


def main(argv: list[str]) -> None:
    paths = [Path(p) for p in argv] or sorted(EXAMPLES.rglob("*.apk"), key=lambda p: -p.stat().st_size)[:4]
    print(f"{'apk':48} {'MB':>6} {'ours ms':>8} {'zipfile ms':>10} {'ratio':>6}")
    for p in paths:
        assert _ours(p) == _zipfile(p)
        a, b = _best(_ours, p), _best(_zipfile, p)
        print(f"{p.name[:48]:48} {p.stat().st_size / 1e6:6.1f} {a * 1e3:8.1f} {b * 1e3:10.1f} {a / b:6.2f}")
    # manifest decoding
    try:
        from loguru import logger

        logger.remove()
        from androguard.core.axml import AXMLPrinter
    except ImportError:
        return
    mans = []
    for p in sorted(EXAMPLES.rglob("*.apk")):
        try:
            with zipfile.ZipFile(p) as zf:
                mans.append(zf.read("AndroidManifest.xml"))
        except Exception:  # noqa: BLE001
            continue

    def ours_all(ms):
        for m in ms:
            parse_manifest(m)

    def ag_all(ms):
        for m in ms:
            AXMLPrinter(m).get_xml_obj()

    a, b = _best(ours_all, mans, 3), _best(ag_all, mans, 3)
    print(f"manifests: {len(mans)} decoded; ours {a * 1e3:.0f} ms, androguard AXMLPrinter {b * 1e3:.0f} ms, "
          f"ratio {a / b:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
