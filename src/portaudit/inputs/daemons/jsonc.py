"""JSON with // and /* */ comments (v2ray / xray accept them; Debian's v2ray config.json has them)."""

from __future__ import annotations

import json
from typing import Any


def strip_comments(text: str) -> str:
    """The text with comments replaced by spaces (newlines kept, so line numbers stay right)."""
    out = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            in_str = c != '"'
        elif c == '"':
            in_str = True
            out.append(c)
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:end]))
            i = end
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def load(text: str) -> Any:
    """The JSON value, or None when the text is not JSON (with or without comments)."""
    try:
        return json.loads(strip_comments(text))
    except (ValueError, RecursionError):
        return None


def line_of(text: str, key: str, start: int = 0) -> tuple[int | None, int]:
    """1-based line of the next ``"key"`` at or after ``start``, and where the search may go on."""
    at = text.find(f'"{key}"', start)
    if at < 0:
        return None, start
    return text.count("\n", 0, at) + 1, at + len(key) + 2
