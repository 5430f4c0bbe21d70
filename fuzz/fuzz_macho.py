"""Fuzz the Mach-O reader (thin and universal) and the iOS scanner: macho.slices/parse, scan_macho.

Contract: macho.slices and macho.parse raise only FormatError; scan_macho never raises and no
target error or note reports a contained exception.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "macho", "macho"


def test_one_input(data: bytes) -> None:
    from portaudit.inputs.ios import macho, scan_macho
    from portaudit.inputs.native.image import FormatError
    from portaudit.model import Facts, Target

    try:
        for _arch, body in macho.slices(data):
            with contextlib.suppress(FormatError):
                macho.parse(body)
    except FormatError:
        pass
    facts = Facts(target=Target(path="App", kind="macho"))
    scan_macho("App", data, facts)
    H.check_messages(facts.target.errors, "scan_macho")
    H.check_messages(facts.target.notes, "scan_macho notes")


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.inputs.ios"])
