"""``resources.arsc``, read just enough to resolve a resource id to its value and its name.

Used for ``android:debuggable="@bool/x"`` and ``@xml/nsc`` in the manifest, and by the DEX engine
for constants kept in resources (``getResources().getInteger(R.integer.port)``) through
:func:`resource_lookup`.  Type chunks are only indexed when the table is read and decoded on the
first lookup of their (package, type), and a type chunk's offset table stays inside its chunk (as
Android requires), so a hostile table costs linear work.  The default configuration's value comes
first; other configurations follow it.
"""

from __future__ import annotations

import struct
from typing import NamedTuple, Protocol

from .resvalue import T_INT_BOOLEAN, T_INT_DEC, T_INT_HEX, T_REFERENCE, T_STRING, Value, read_string_pool


class _TypeChunk(NamedTuple):
    """A ResTable_type chunk found while indexing, decoded on first use."""

    data: bytes
    pos: int
    hsize: int
    end: int
    pkg_id: int
    type_names: list[str]
    key_names: list[str]


class ResourceTable:
    """Just enough of resources.arsc: value and name of a resource id."""

    def __init__(self, data: bytes):
        self.values: dict[int, list[Value]] = {}
        self.names: dict[int, str] = {}
        self.strings: list[str] = []
        # Type chunks are only indexed here and decoded on the first lookup of their
        # (package, type): a framework-sized table has thousands, a manifest needs one or two.
        self._pending: dict[tuple[int, int], list[_TypeChunk]] = {}
        self.damaged = False
        self._parse(data)

    def _parse(self, data: bytes) -> None:
        if len(data) < 12:
            return
        _t, hsize, size = struct.unpack_from("<HHI", data, 0)
        pos = hsize if 8 <= hsize < 64 else 12
        end = min(size, len(data)) if size >= 12 else len(data)
        while pos + 8 <= end:
            ctype, chsize, csize = struct.unpack_from("<HHI", data, pos)
            if csize < 8 or chsize < 8:
                break
            if ctype == 0x0001 and not self.strings:
                self.strings = read_string_pool(data, pos)
            elif ctype == 0x0200:
                self._package(data, pos, chsize, min(pos + csize, end))
            pos += csize

    def _package(self, data: bytes, pos: int, hsize: int, end: int) -> None:
        pkg_id = struct.unpack_from("<I", data, pos + 8)[0]
        type_str_off, _last_type, key_str_off = struct.unpack_from("<III", data, pos + 268)
        type_names = read_string_pool(data, pos + type_str_off) if type_str_off else []
        key_names = read_string_pool(data, pos + key_str_off) if key_str_off else []
        p = pos + hsize
        while p + 8 <= end:
            ctype, chsize, csize = struct.unpack_from("<HHI", data, p)
            if csize < 8 or chsize < 8:
                break
            if ctype == 0x0201 and p + 9 <= end:
                type_id = data[p + 8]
                self._pending.setdefault((pkg_id, type_id), []).append(
                    _TypeChunk(data, p, chsize, min(p + csize, end), pkg_id, type_names, key_names))
            p += csize

    def _load(self, rid: int) -> None:
        for chunk in self._pending.pop(((rid >> 24) & 0xFF, (rid >> 16) & 0xFF), ()):
            try:
                self._type(chunk)
            except (struct.error, IndexError, ValueError):
                self.damaged = True  # a broken type chunk resolves nothing; the manifest still reads

    def _type(self, c: _TypeChunk) -> None:
        data, pos, end, pkg_id = c.data, c.pos, c.end, c.pkg_id
        type_id, flags, _res1, count, entries_start = struct.unpack_from("<BBHII", data, pos + 8)
        cfg_size = struct.unpack_from("<I", data, pos + 20)[0]
        cfg = bytes(data[pos + 24:pos + 20 + cfg_size]) if cfg_size >= 4 else b""
        default_cfg = not any(cfg)
        tname = c.type_names[type_id - 1] if 0 < type_id <= len(c.type_names) else f"type{type_id}"
        for idx, o in _entry_offsets(data, pos + c.hsize, end, flags, count):
            e = pos + entries_start + o
            if e + 8 > end:
                continue
            esize, eflags, key = struct.unpack_from("<HHI", data, e)
            rid = (pkg_id << 24) | (type_id << 16) | idx
            if rid not in self.names:
                kname = c.key_names[key] if key < len(c.key_names) else f"0x{rid:08x}"
                self.names[rid] = f"@{tname}/{kname}"
            if eflags & 0x0001:  # complex (bag) entry
                continue
            if eflags & 0x0008:  # compact entry: type in flags high byte, data in key
                val = (eflags >> 8, key)
            else:
                if e + esize + 8 > end:
                    continue
                _vs, _r, vtype, vdata = struct.unpack_from("<HBBI", data, e + esize)
                val = (vtype, vdata)
            v = self._mk(*val)
            lst = self.values.setdefault(rid, [])
            if default_cfg:
                lst.insert(0, v)
            else:
                lst.append(v)

    def _mk(self, vtype: int, vdata: int) -> Value:
        if vtype == T_INT_BOOLEAN:
            return Value("bool", vdata != 0)
        if vtype == T_REFERENCE:
            return Value("ref", vdata)
        if vtype == T_STRING:
            return Value("string", self.strings[vdata] if vdata < len(self.strings) else "")
        if vtype in (T_INT_DEC, T_INT_HEX):
            return Value("int", vdata)
        return Value("other", vdata)

    def resolve(self, rid: int, depth: int = 0) -> Value | None:
        self._load(rid)
        vals = self.values.get(rid)
        if not vals or depth > 8:
            return None
        v = vals[0]
        if v.kind == "ref":
            return self.resolve(v.ref, depth + 1) or v
        return v

    def name(self, rid: int) -> str | None:
        self._load(rid)
        return self.names.get(rid)


def _entry_offsets(data: bytes, off_tab: int, end: int, flags: int, count: int) -> list[tuple[int, int]]:
    """(entry index, offset of the entry) pairs of a type chunk's offset table, which must lie
    inside the chunk (dense 32-bit, dense 16-bit / 4, or sparse (index, offset / 4))."""
    count = min(count, 65536)
    width = 2 if flags & 0x02 and not flags & 0x01 else 4
    count = min(count, max(0, (end - off_tab) // width))
    pairs: list[tuple[int, int]] = []
    if flags & 0x01:  # sparse: (uint16 index, uint16 offset/4)
        for i in range(count):
            idx, o = struct.unpack_from("<HH", data, off_tab + 4 * i)
            pairs.append((idx, o * 4))
    elif flags & 0x02:  # 16-bit offsets
        for i in range(count):
            (o,) = struct.unpack_from("<H", data, off_tab + 2 * i)
            if o != 0xFFFF:
                pairs.append((i, o * 4))
    else:
        for i in range(count):
            (o,) = struct.unpack_from("<I", data, off_tab + 4 * i)
            if o != 0xFFFFFFFF:
                pairs.append((i, o))
    return pairs


class _Table(Protocol):
    def resolve(self, rid: int, depth: int = 0) -> Value | None: ...

    def name(self, rid: int) -> str | None: ...


class ResourceLookup:
    """Values of resources by id, for callers outside the manifest (the DEX engine's
    ``R.integer.port`` / ``R.string.host``): the default configuration's value, references
    followed.  Every lookup answers None when the id is unknown or of another type.  Built from a
    table, or from the bytes of ``resources.arsc``, which are then indexed on the first lookup."""

    def __init__(self, table: _Table | None = None, arsc: bytes | None = None):
        self._table = table
        self._arsc = arsc

    def _get(self) -> _Table | None:
        if self._table is None and self._arsc is not None:
            arsc, self._arsc = self._arsc, None
            try:
                self._table = ResourceTable(arsc)
            except (struct.error, IndexError, ValueError):
                self._table = None
        return self._table

    def value(self, rid: int) -> Value | None:
        table = self._get()
        if table is None:
            return None
        try:
            return table.resolve(rid)
        except (struct.error, IndexError, ValueError, RecursionError):
            return None

    def integer(self, rid: int) -> int | None:
        v = self.value(rid)
        return v.data if v is not None and v.kind == "int" and isinstance(v.data, int) else None

    def string(self, rid: int) -> str | None:
        v = self.value(rid)
        return v.data if v is not None and v.kind == "string" and isinstance(v.data, str) else None

    def boolean(self, rid: int) -> bool | None:
        v = self.value(rid)
        return bool(v.data) if v is not None and v.kind == "bool" else None

    def __call__(self, rid: int) -> tuple[str | None, int | str | bool | None]:
        """(name, value) of ``rid`` as the DEX engine asks for it (``inputs.dex.ResourceLookup``): the
        entry name (``port`` for ``@integer/port``), the default configuration's value; None for what
        the table does not have."""
        name = self.name(rid)
        v = self.value(rid)
        data: int | str | bool | None = None
        if v is not None and v.kind == "bool":
            data = bool(v.data)
        elif v is not None and v.kind in ("int", "string") and isinstance(v.data, (int, str)):
            data = v.data
        return (name.rpartition("/")[2] if name else None), data

    def name(self, rid: int) -> str | None:
        """``@integer/port`` style name of the id, when the table has it."""
        table = self._get()
        if table is None:
            return None
        try:
            return table.name(rid)
        except (struct.error, IndexError, ValueError):
            return None


def resource_lookup(arsc: bytes) -> ResourceLookup:
    """A lookup over ``resources.arsc`` bytes (read on the first lookup; a table that cannot be
    read answers None to every lookup)."""
    return ResourceLookup(arsc=arsc)
