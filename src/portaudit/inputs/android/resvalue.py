"""What Android's binary XML and its resource table share: typed values (``Res_value``) and the
string pool (``ResStringPool``).

The string pool reader is written for hostile input: the declared count is clamped to what fits
in the chunk, and a string that cannot be read becomes ``""`` instead of failing the file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# Res_value data types (frameworks/base/libs/androidfw/include/androidfw/ResourceTypes.h)
T_NULL, T_REFERENCE, T_ATTRIBUTE, T_STRING = 0x00, 0x01, 0x02, 0x03
T_INT_DEC, T_INT_HEX, T_INT_BOOLEAN = 0x10, 0x11, 0x12


@dataclass
class Value:
    """A typed attribute or resource value (``kind``: "string", "bool", "int", "ref", "null", "other")."""

    kind: str
    data: object

    @property
    def ref(self) -> int:
        """The resource id of a ``ref`` value (the readers store it as an int)."""
        if self.kind != "ref" or not isinstance(self.data, int):
            raise ValueError(f"not a resource reference: {self.kind} {self.data!r}")
        return self.data

    def __str__(self) -> str:
        if self.kind == "ref":
            return f"@0x{self.data:08x}"
        if self.kind == "bool":
            return "true" if self.data else "false"
        return str(self.data)


def read_string_pool(data: bytes, off: int) -> list[str]:
    """Strings of a ResStringPool chunk at ``off``; tolerant of lying counts/sizes."""
    if off + 28 > len(data):
        return []
    _type, hsize, size, count, _styles, flags, str_start, _style_start = struct.unpack_from(
        "<HHIIIIII", data, off)
    end = min(off + size, len(data)) if size >= 28 else len(data)
    max_count = max(0, (end - off - hsize) // 4) if hsize >= 28 else max(0, (end - off - 28) // 4)
    count = min(count, max_count, 1_000_000)
    base = off + (hsize if 28 <= hsize < size else 28)
    utf8 = bool(flags & (1 << 8))
    sdata = off + str_start
    out: list[str] = []
    for i in range(count):
        (so,) = struct.unpack_from("<I", data, base + 4 * i)
        p = sdata + so
        try:
            out.append(_read_string(data, p, utf8, end if end > p else len(data)))
        except (IndexError, struct.error, ValueError):
            out.append("")
    return out


def _read_string(data: bytes, p: int, utf8: bool, end: int) -> str:
    if utf8:
        n = data[p]
        p += 1
        if n & 0x80:
            p += 1
        blen = data[p]
        p += 1
        if blen & 0x80:
            blen = ((blen & 0x7F) << 8) | data[p]
            p += 1
        raw = data[p:min(p + blen, len(data))]
        return raw.decode("utf-8", errors="replace")
    (n,) = struct.unpack_from("<H", data, p)
    p += 2
    if n & 0x8000:
        (lo,) = struct.unpack_from("<H", data, p)
        n = ((n & 0x7FFF) << 16) | lo
        p += 2
    raw = data[p:min(p + 2 * n, len(data))]
    return raw.decode("utf-16-le", errors="replace")
