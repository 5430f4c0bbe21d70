"""Fuzz the ELF reader and native scanner (portaudit.inputs.native): elf.parse, then scan_elf.

Contract: elf.parse raises only FormatError (its module checks every offset); scan_elf never
raises and none of its notes reports a contained exception ("malformed ELF (struct.error: ...)").
A crash inside capstone kills the process, which libFuzzer records as a crash too.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "elf", "elf"
LABEL = "lib/arm64-v8a/libfuzz.so"


def test_one_input(data: bytes) -> None:
    from portaudit.inputs.native import elf, scan_elf
    from portaudit.inputs.native.image import FormatError

    with contextlib.suppress(FormatError):
        elf.parse(data)
    _listeners, _debug, notes = scan_elf(LABEL, data, H.small_limits())
    H.check_messages(notes, "scan_elf")


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.inputs.native"])
