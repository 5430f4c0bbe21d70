"""Replay saved inputs through a harness without atheris (full Python traceback on failure).

    .venv/bin/python fuzz/replay.py dex out/fuzz-ci/dex-crash-1234...
    .venv/bin/python fuzz/replay.py apk tests/.cache/fuzz/apk/corpus      # a whole corpus
    .venv/bin/python fuzz/replay.py --seeds all                            # every harness on its real seeds
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

HARNESSES = ("zip", "apk", "axml", "proto_manifest", "dex", "elf", "macho", "plist", "procnet", "source", "render",
             "discover", "daemons")


def load(name: str):
    return importlib.import_module(f"fuzz.fuzz_{name}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("harness", choices=HARNESSES + ("all",))
    ap.add_argument("inputs", nargs="*", type=Path)
    ap.add_argument("--seeds", action="store_true", help="replay the harness's real seed files")
    args = ap.parse_args(argv)
    names = HARNESSES if args.harness == "all" else (args.harness,)
    bad = 0
    for name in names:
        mod = load(name)
        cases: list[tuple[str, bytes]] = []
        if args.seeds:
            cases += H.seed_blobs(mod.KIND)
        for p in args.inputs:
            files = (sorted(x for x in p.rglob("*") if x.is_file() and not x.name.endswith(".txt"))
                     if p.is_dir() else [p])
            cases += [(str(f), f.read_bytes()) for f in files]
        for label, data in cases:
            try:
                mod.test_one_input(data)
            except Exception:  # noqa: BLE001
                bad += 1
                print(f"== {name}: {label}: FAILS", file=sys.stderr)
                traceback.print_exc()
        print(f"{name}: {len(cases)} inputs, {bad} failing so far")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
