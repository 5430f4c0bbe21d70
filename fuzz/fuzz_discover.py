"""Fuzz discovery (``inputs.discover.discover``) and the report's path handling on random trees.

The input bytes become a folder tree in a temporary directory (fuzz/_make.py): folders at random
depth (up to a few hundred levels) with names made of arbitrary bytes (not UTF-8, control
characters, newlines), files whose content starts with the magic bytes of a real input or random
bytes and whose names end in real or misleading extensions (``README.so.md``, ``x.apk``), symlinks
that loop.  Contract: discovery raises nothing, every target has a kind and a ``str`` path, no
error or note reports a contained exception; ``Report.rebase`` and the SARIF artifact URIs of those
paths are valid UTF-8 and relative.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H
from fuzz._make import Reader

NAME, KIND = "discover", "discover"
HEADS = (b"PK\x03\x04", b"dex\n035\x00", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"", b"class A {}")
SUFFIXES = (".apk", ".so", ".so.md", ".jar", ".java", ".dex", ".ipa", ".zip", ".plist", "", ".kt", ".so.1")
_TMP: list[Path] = []


def _name(r: Reader) -> str:
    raw = r.raw(12).replace(b"/", b"_").replace(b"\x00", b"_") or b"n"
    return os.fsdecode(raw if raw not in (b".", b"..") else b"n")


def build_tree(data: bytes, top: Path) -> None:
    r = Reader(data)
    folders = [top]
    while r.left() and len(folders) < 400:
        op = r.int(6)
        base = folders[r.int(len(folders))]
        try:
            if op == 0:
                d = base
                for _ in range(1 + r.int(300)):
                    d = d / "d"
                    d.mkdir(exist_ok=True)
                folders.append(d)
            elif op in (1, 2):
                d = base / _name(r)
                d.mkdir(exist_ok=True)
                folders.append(d)
            elif op in (3, 4):
                (base / (_name(r) + SUFFIXES[r.int(len(SUFFIXES))])).write_bytes(HEADS[r.int(len(HEADS))] + r.raw())
            else:
                os.symlink(folders[r.int(len(folders))], base / _name(r))
        except OSError:
            continue


def _wipe(top: Path) -> None:
    """Remove a tree without recursion (it may be hundreds of levels deep: os.walk and shutil.rmtree
    recurse)."""
    stack, order = [str(top)], []
    while stack:
        d = stack.pop()
        order.append(d)
        with os.scandir(d) as it:
            for e in it:
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                else:
                    os.unlink(e.path)
    for d in reversed(order):
        os.rmdir(d)


def test_one_input(data: bytes) -> None:
    from portaudit.formats.sarif import uri
    from portaudit.inputs.discover import discover
    from portaudit.options import Limits, Options
    from portaudit.report import Report

    if not _TMP:
        _TMP.append(H.tmpdir())
        atexit.register(_wipe, _TMP[0])
    top = _TMP[0] / "tree"
    if top.exists():
        _wipe(top)
    top.mkdir(parents=True, exist_ok=True)
    build_tree(data, top)
    options = Options(limits=Limits(max_walk_depth=64))
    targets = list(discover([str(top), str(top / "missing")], options))
    for t in targets:
        if not isinstance(t.path, str) or not t.kind:
            raise H.ContractViolation(f"bad target {t!r}")
        H.check_messages(t.errors + t.notes, "discover")
    report = Report(targets=targets)
    report.rebase(str(_TMP[0]))
    for t in report.targets:
        u = uri(t.path)
        u.encode("ascii")  # percent-encoded, byte by byte
        if u.startswith(("/", "file:")):
            raise H.ContractViolation(f"absolute artifact uri {u}")


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.inputs.discover", "portaudit.report", "portaudit.formats.sarif"])
