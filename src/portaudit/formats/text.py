"""Text from inputs is data: make it safe where it is rendered.

Strings from apps and file systems can hold what UTF-8 output cannot carry (a lone surrogate is
legal in a DEX string; a file name that is not UTF-8 arrives as ``surrogateescape`` code points)
and what a terminal obeys (ESC, OSC, a newline that forges an extra line).  Nothing is dropped:

* :func:`safe` (JSON, SARIF, HTML, SQLite, XML): a byte smuggled in by ``surrogateescape`` becomes
  ``\\xNN`` and any other lone surrogate ``\\uDNNN``; the result always encodes as UTF-8.
* :func:`oneline` (terminal and log lines): also C0 controls except tab, DEL, C1 controls (ESC,
  CSI, OSC...) and line breaks become ``\\xNN`` / ``\\n`` escapes, so one message is one line.
* :func:`visible` (HTML): :func:`safe`, and control characters other than tab and newline escaped,
  so a reader sees them instead of a browser ignoring them.
* :func:`clean`: :func:`safe` over every string of a JSON-like structure (keys too).
* :func:`xml`: :func:`safe`, plus the code points XML 1.0 forbids escaped.
"""

from __future__ import annotations

import re
from typing import Any, overload

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _surrogate(m: re.Match[str]) -> str:
    cp = ord(m.group())
    if 0xDC80 <= cp <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode / surrogateescape)
        return f"\\x{cp - 0xDC00:02x}"
    return f"\\u{cp:04x}"


def _control(m: re.Match[str]) -> str:
    ch = m.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def safe(text: str) -> str:
    """``text`` with lone surrogates shown as escapes (valid UTF-8 whatever it held)."""
    return _SURROGATE.sub(_surrogate, text) if _SURROGATE.search(text) else text


def oneline(text: str) -> str:
    """``text`` fit for one terminal or log line: no control character, no line break."""
    text = safe(text)
    return _CONTROL.sub(_control, text) if _CONTROL.search(text) else text


def visible(text: str) -> str:
    text = safe(text)
    return _INVISIBLE.sub(_control, text) if _INVISIBLE.search(text) else text


def terminal(value: Any) -> str:
    return oneline(str(value))


def xml(text: str) -> str:
    text = safe(text)
    return _XML_BAD.sub(_control, text) if _XML_BAD.search(text) else text


@overload
def clean(obj: str) -> str: ...
@overload
def clean(obj: dict[Any, Any]) -> dict[str, Any]: ...
@overload
def clean(obj: list[Any] | tuple[Any, ...] | set[Any] | frozenset[Any]) -> list[Any]: ...
@overload
def clean(obj: object) -> Any: ...


def clean(obj: Any) -> Any:
    """A copy of a JSON-like value (dict / list / tuple / str / scalars) with every string made safe;
    any other object becomes its ``str()``."""
    if isinstance(obj, str):
        return safe(obj)
    if isinstance(obj, dict):
        return {safe(str(k)): clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [clean(v) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float)):
        return obj
    return safe(str(obj))
