"""Turn fuzz bytes into structured values (used by the renderer and discovery harnesses).

Without atheris's FuzzedDataProvider, so the harnesses replay under plain pytest.  Strings are
decoded as UTF-16 with lone surrogates allowed, so they reach every code point a hostile input can
carry into portaudit: lone surrogates, C0 / C1 controls, ESC sequences, newlines, non-characters.
"""

from __future__ import annotations


class Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def int(self, top: int) -> int:
        """0 .. top-1."""
        return (self.byte() << 8 | self.byte()) % top if top > 0 else 0

    def text(self, most: int = 40) -> str:
        n = self.int(most + 1) * 2
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        if len(chunk) % 2:
            chunk = chunk[:-1]
        return chunk.decode("utf-16-le", "surrogatepass")

    def raw(self, most: int = 64) -> bytes:
        n = self.int(most + 1)
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def left(self) -> bool:
        return self.pos < len(self.data)
