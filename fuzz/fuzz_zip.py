"""Fuzz the hardened zip reader (portaudit.inputs.archive.Archive): parse, list, read every entry.

Contract: only InputError (incl. LimitExceeded) may come out.
Run: .venv/bin/python fuzz/fuzz_zip.py [-max_total_time=600] [corpus dir]
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "zip", "zip"
MAX_ENTRIES_READ = 64


def test_one_input(data: bytes) -> None:
    from portaudit.errors import InputError
    from portaudit.inputs.archive import Archive, unsafe_name

    try:
        arc = Archive(data, "fuzz.zip", H.small_limits())
    except InputError:
        return
    for name in arc.names():
        unsafe_name(name)
    for e in arc.entries[:MAX_ENTRIES_READ]:
        arc.local_header_problems(e)
        with contextlib.suppress(InputError):
            arc.read(e)
    for n in arc.names()[:MAX_ENTRIES_READ]:
        arc.find(n)


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.inputs.archive"])
