"""Fuzz the source front end (tree-sitter + detectors): portaudit.inputs.source.scan_file.

The first byte picks the language; the rest is written to a temporary file and scanned
exactly as a file in a source tree is.  Contract: scan_file never raises and none of its notes
is an "internal error (...)" (its catch-all for a detector bug).

Known (2026-11-28): tree-sitter-kotlin 1.1.0 backtracks for minutes, in native code, on some
broken Kotlin; libFuzzer reports it as a timeout.  scripts/fuzz-ci lists this harness in
FUZZ_KNOWN_SLOW until the source front end bounds one file's parse.
"""

from __future__ import annotations

import atexit
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "source", "source"
LANGS = ("java", "kotlin", "swift", "objc", "dart", "javascript", "typescript", "c", "cpp", "python", "go")
EXT = {"java": ".java", "kotlin": ".kt", "swift": ".swift", "objc": ".m", "dart": ".dart",
       "javascript": ".js", "typescript": ".ts", "c": ".c", "cpp": ".cpp", "python": ".py", "go": ".go"}
_TMP: Path | None = None
PARSE_SECONDS = 2.0  # well under the -timeout of scripts/fuzz-ci


def test_one_input(data: bytes) -> None:
    global _TMP
    from portaudit.inputs.source import lang, scan_file

    if hasattr(lang, "PARSE_SECONDS"):  # if a per-file parse budget exists, test it, not its size
        lang.PARSE_SECONDS = PARSE_SECONDS
    if not data:
        return
    if _TMP is None:
        _TMP = H.tmpdir()
        atexit.register(H.cleanup, _TMP)
    lang = LANGS[data[0] % len(LANGS)]
    rel = f"src/Fuzz{EXT[lang]}"
    path = _TMP / f"Fuzz{EXT[lang]}"
    path.write_bytes(data[1:])
    _listeners, _debug, notes, _parsed = scan_file(str(path), rel, lang, "app", 4 * 1024 * 1024)
    H.check_messages(notes, f"scan_file({lang})")


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.inputs.source"])
