"""Fuzz the whole Android / iOS container pipeline through portaudit.scan.analyze_target.

The first byte picks the target kind (apk, apks, aab, xapk, zip, jar, ipa); the rest is
written to a temporary file, given to discovery's zip check (inputs.discover._zip_may_hold_app,
which runs outside any analyzer) and analysed.  Contract (the project's test oracle): no exception, and no
target error or note that reports a contained exception ("internal error (...)",
"unreadable DEX (IndexError: ...)"...).
Run: .venv/bin/python fuzz/fuzz_apk.py [-max_total_time=600] [corpus dir]
"""

from __future__ import annotations

import atexit
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "apk", "apk"
KINDS = ("apk", "apks", "aab", "xapk", "zip", "jar", "ipa")
SUFFIX = {"ipa": ".ipa"}
_TMP: Path | None = None


def kind_byte(path: Path) -> bytes:
    ext = path.suffix.lower().lstrip(".")
    return bytes([KINDS.index(ext) if ext in KINDS else 0])


def test_one_input(data: bytes) -> None:
    global _TMP
    from portaudit.inputs.discover import _zip_may_hold_app
    from portaudit.model import Target
    from portaudit.options import Options
    from portaudit.scan import analyze_target

    if not data:
        return
    if _TMP is None:
        _TMP = H.tmpdir()
        atexit.register(H.cleanup, _TMP)
    kind = KINDS[data[0] % len(KINDS)]
    path = _TMP / f"fuzz.{kind}"
    path.write_bytes(data[1:])
    _zip_may_hold_app(path)  # discovery opens zips found in directories before any analyzer
    facts = analyze_target(Target(str(path), kind), Options(limits=H.small_limits()))
    H.check_messages(facts.target.errors, f"analyze_target({kind})")
    H.check_messages(facts.target.notes, f"analyze_target({kind}) notes")


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.scan", "portaudit.inputs.android", "portaudit.inputs.dex",
                                        "portaudit.inputs.android", "portaudit.inputs.native",
                                        "portaudit.inputs.ios"])
