"""A small, defensive DEX reader.

Only what the engine needs is parsed eagerly (header and the id tables as flat
arrays); strings, prototypes, class data and code items are read on demand.
Every offset and index is bounds-checked: a problem raises :class:`DexError`
with a one-line message, never ``IndexError`` / ``struct.error``.
"""

from __future__ import annotations

import contextlib
import re
import struct
import sys
from array import array
from bisect import bisect_left, bisect_right
from itertools import accumulate, compress, islice
from operator import le
from typing import Literal, NamedTuple

NO_INDEX = 0xFFFFFFFF

TYPE_CODE_ITEM = 0x2001
TYPE_CLASS_DATA_ITEM = 0x2000


class DexError(Exception):
    """The DEX file is malformed (message is one line, without the file name)."""


ACC_PRIVATE = 0x2
ACC_STATIC = 0x8
ACC_FINAL = 0x10
ACC_SYNTHETIC = 0x1000
ACC_INTERFACE = 0x200


class FieldDef(NamedTuple):
    idx: int  # field_ids index
    flags: int  # access flags


class MethodDef(NamedTuple):
    idx: int  # method_ids index
    flags: int  # access flags
    code_off: int  # 0 for abstract / native methods


class ClassData(NamedTuple):
    static_fields: list[FieldDef]
    instance_fields: list[FieldDef]
    direct_methods: list[MethodDef]
    virtual_methods: list[MethodDef]


_U32 = struct.Struct("<I")
_U16 = struct.Struct("<H")
_CODE_HDR = struct.Struct("<HHHHII")
_CLASS_DEF = struct.Struct("<8I")

# one ULEB128 (at most 5 bytes)
_ULEB_RE = re.compile(rb"[\x80-\xff]{0,4}[\x00-\x7f]")


def _u32_array(data: bytes, off: int, count: int) -> array:
    a = array("I")
    a.frombytes(data[off : off + 4 * count])
    if sys.byteorder == "big":  # pragma: no cover
        a.byteswap()
    return a


def _u16_array(data: bytes, off: int, count: int) -> array:
    a = array("H")
    a.frombytes(data[off : off + 2 * count])
    if sys.byteorder == "big":  # pragma: no cover
        a.byteswap()
    return a


class _UlebCache(dict):
    """bytes token -> value (memoised, most tokens are one or two bytes)."""

    def __missing__(self, tok: bytes) -> int:
        v = 0
        shift = 0
        for b in tok:
            v |= (b & 0x7F) << shift
            shift += 7
        v &= 0xFFFFFFFF
        self[tok] = v
        return v


_ULEB = _UlebCache()


def read_uleb(data: bytes, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    for _ in range(5):
        if pos >= len(data):
            raise DexError(f"truncated ULEB128 at {pos:#x}")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & 0xFFFFFFFF, pos
        shift += 7
    raise DexError(f"ULEB128 too long at {pos:#x}")


def read_sleb(data: bytes, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    for _ in range(5):
        if pos >= len(data):
            raise DexError(f"truncated SLEB128 at {pos:#x}")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            if b & 0x40:
                result -= 1 << shift
            return result, pos
    raise DexError(f"SLEB128 too long at {pos:#x}")


def decode_mutf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


class CodeItem:
    __slots__ = ("ins", "insns", "off", "outs", "registers", "tries_off", "tries_size")

    def __init__(self, off, registers, ins, outs, tries_size, insns, tries_off):
        self.off = off
        self.registers = registers
        self.ins = ins
        self.outs = outs
        self.tries_size = tries_size
        self.insns = insns  # array('H')
        self.tries_off = tries_off


class DexFile:
    """One parsed DEX file.  ``label`` is used only in messages by callers."""

    def __init__(self, data: bytes, label: str = "classes.dex"):
        self.label = label
        self.data = data = bytes(data)
        n = len(data)
        if n < 0x70:
            raise DexError(f"bad DEX header: file is {n} bytes, shorter than the 112-byte header")
        magic = data[:8]
        if magic[:4] != b"dex\n" or magic[7] != 0 or not magic[4:7].isdigit():
            raise DexError(f"bad DEX header: magic {magic!r}")
        self.version = int(magic[4:7])
        if not 35 <= self.version <= 41:
            raise DexError(f"bad DEX header: unsupported version {magic[4:7].decode()}")
        (file_size, header_size, endian) = struct.unpack_from("<3I", data, 32)
        if endian != 0x12345678:
            raise DexError(f"bad DEX header: endian tag {endian:#x}")
        if file_size > n:
            raise DexError(f"bad DEX header: file size {n} != header {file_size}")
        if header_size < 0x70 or header_size > n:
            raise DexError(f"bad DEX header: header size {header_size}")
        (
            self.link_size, self.link_off, self.map_off,
            self.string_ids_size, string_ids_off,
            self.type_ids_size, type_ids_off,
            self.proto_ids_size, self.proto_ids_off,
            self.field_ids_size, field_ids_off,
            self.method_ids_size, method_ids_off,
            self.class_defs_size, self.class_defs_off,
            self.data_size, self.data_off,
        ) = struct.unpack_from("<17I", data, 44)

        def table(name: str, off: int, count: int, item: int) -> None:
            if count and (off < 0x70 or off + count * item > n):
                raise DexError(f"bad DEX header: {name} table ({count} x {item} bytes at {off:#x}) "
                               f"outside the file ({n} bytes)")

        table("string_ids", string_ids_off, self.string_ids_size, 4)
        table("type_ids", type_ids_off, self.type_ids_size, 4)
        table("proto_ids", self.proto_ids_off, self.proto_ids_size, 12)
        table("field_ids", field_ids_off, self.field_ids_size, 8)
        table("method_ids", method_ids_off, self.method_ids_size, 8)
        table("class_defs", self.class_defs_off, self.class_defs_size, 32)
        self.string_offs = _u32_array(data, string_ids_off, self.string_ids_size)
        self.type_ids = _u32_array(data, type_ids_off, self.type_ids_size)
        self.method_ids = _u16_array(data, method_ids_off, 4 * self.method_ids_size)
        self.field_ids = _u16_array(data, field_ids_off, 4 * self.field_ids_size)
        self.method_class_col = self.method_ids[0::4]
        self._field_class_col: array | None = None
        self._strings: dict[int, str] = {}
        self._find_memo: dict[str, int | None] = {}
        self._starts: array | None | Literal[False] = False  # False: not read yet
        self._code_owner: dict[int, int | None] = {}
        self._cd_offs: tuple[list[int], list[int]] | None = None
        self._protos: dict[int, tuple[tuple[str, ...], str]] = {}
        self._code_map: tuple[array, array] | None = None
        self._map: dict[int, tuple[int, int]] | None = None
        self._class_def_by_type: dict[int, int] | None = None

    # ---- strings and types -------------------------------------------------

    def string(self, idx: int) -> str:
        s = self._strings.get(idx)
        if s is not None:
            return s
        if not 0 <= idx < self.string_ids_size:
            raise DexError(f"string index {idx} out of range ({self.string_ids_size} strings)")
        off = self.string_offs[idx]
        data = self.data
        if off >= len(data):
            raise DexError(f"string {idx} data offset {off:#x} outside the file")
        _, start = read_uleb(data, off)
        end = data.find(b"\x00", start)
        if end < 0:
            raise DexError(f"string {idx} is not terminated")
        s = decode_mutf8(data[start:end])
        self._strings[idx] = s
        return s

    def _string_raw(self, idx: int) -> bytes:
        off = self.string_offs[idx]
        data = self.data
        if off >= len(data):
            raise DexError(f"string {idx} data offset {off:#x} outside the file")
        _, start = read_uleb(data, off)
        end = data.find(b"\x00", start)
        if end < 0:
            raise DexError(f"string {idx} is not terminated")
        return data[start:end]

    def find_string(self, s: str) -> int | None:
        """Binary search in the (sorted) string table.  ASCII-exact."""
        memo = self._find_memo
        if s in memo:
            return memo[s]
        memo[s] = r = self._find_string(s)
        return r

    def _find_string(self, s: str) -> int | None:
        key = s.encode("utf-8")
        lo, hi = 0, self.string_ids_size
        while lo < hi:
            mid = (lo + hi) // 2
            raw = self._string_raw(mid)
            if raw < key:
                lo = mid + 1
            elif raw > key:
                hi = mid
            else:
                return mid
        return None

    def type_desc(self, tidx: int) -> str:
        if not 0 <= tidx < self.type_ids_size:
            raise DexError(f"type index {tidx} out of range ({self.type_ids_size} types)")
        return self.string(self.type_ids[tidx])

    def find_type(self, desc: str) -> int | None:
        sidx = self.find_string(desc)
        if sidx is None:
            return None
        tids = self.type_ids
        # type_ids are sorted by string index
        lo, hi = 0, len(tids)
        while lo < hi:
            mid = (lo + hi) // 2
            if tids[mid] < sidx:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(tids) and tids[lo] == sidx:
            return lo
        try:
            return tids.index(sidx)
        except ValueError:
            return None

    def types_with_simple_name(self, simple: str) -> list[int]:
        """Type indices of classes ``L.../<simple>;`` in any package (shaded copies)."""
        needle = ("/" + simple + ";").encode() + b"\x00"
        data = self.data
        out: list[int] = []
        pos = data.find(needle)
        offs = None
        while pos >= 0:
            # find the string whose data contains this position
            if offs is None:
                offs = sorted((o, i) for i, o in enumerate(self.string_offs))
                keys = [o for o, _ in offs]
            k = bisect_right(keys, pos) - 1
            if k >= 0:
                sidx = offs[k][1]
                try:
                    if self.string(sidx).endswith("/" + simple + ";") and self.string(sidx).startswith("L"):
                        with contextlib.suppress(ValueError):
                            out.append(self.type_ids.index(sidx))
                except DexError:
                    pass
            pos = data.find(needle, pos + 1)
        return out

    # ---- protos, methods, fields -------------------------------------------

    def proto(self, pidx: int) -> tuple[tuple[str, ...], str]:
        p = self._protos.get(pidx)
        if p is not None:
            return p
        if not 0 <= pidx < self.proto_ids_size:
            raise DexError(f"proto index {pidx} out of range ({self.proto_ids_size} protos)")
        _shorty, ret, params_off = struct.unpack_from("<3I", self.data, self.proto_ids_off + 12 * pidx)
        params: tuple[str, ...] = ()
        if params_off:
            if params_off + 4 > len(self.data):
                raise DexError(f"proto {pidx} parameter list offset {params_off:#x} outside the file")
            (size,) = _U32.unpack_from(self.data, params_off)
            if params_off + 4 + 2 * size > len(self.data):
                raise DexError(f"proto {pidx} parameter list overruns the file")
            tl = _u16_array(self.data, params_off + 4, size)
            params = tuple(self.type_desc(t) for t in tl)
        p = (params, self.type_desc(ret))
        self._protos[pidx] = p
        return p

    def method_ref(self, midx: int) -> tuple[str, str, tuple[str, ...], str]:
        """(class descriptor, name, param descriptors, return descriptor)."""
        if not 0 <= midx < self.method_ids_size:
            raise DexError(f"method index {midx} out of range ({self.method_ids_size} methods)")
        m = self.method_ids
        b = 4 * midx
        cls = self.type_desc(m[b])
        params, ret = self.proto(m[b + 1])
        name = self.string(m[b + 2] | (m[b + 3] << 16))
        return cls, name, params, ret

    def method_str(self, midx: int) -> str:
        cls, name, params, ret = self.method_ref(midx)
        return f"{cls}->{name}({''.join(params)}){ret}"

    def field_ref(self, fidx: int) -> tuple[str, str, str]:
        """(class descriptor, name, type descriptor)."""
        if not 0 <= fidx < self.field_ids_size:
            raise DexError(f"field index {fidx} out of range ({self.field_ids_size} fields)")
        f = self.field_ids
        b = 4 * fidx
        return self.type_desc(f[b]), self.string(f[b + 2] | (f[b + 3] << 16)), self.type_desc(f[b + 1])

    def find_field(self, cls: str, name: str, ftype: str) -> list[int]:
        """field_ids indices of ``cls->name:ftype`` (field_ids are sorted by class; an unsorted
        table falls back to a linear scan)."""
        tidx = self.find_type(cls)
        nidx = self.find_string(name)
        if tidx is None or nidx is None:
            return []
        if self._field_class_col is None:
            self._field_class_col = self.field_ids[0::4]
        col = self._field_class_col
        f = self.field_ids
        i = bisect_left(col, tidx)
        cand = []
        while i < len(col) and col[i] == tidx:
            cand.append(i)
            i += 1
        if not cand:
            cand = [k for k, c in enumerate(col) if c == tidx]
        out = []
        for k in cand:
            if (f[4 * k + 2] | (f[4 * k + 3] << 16)) == nidx:
                try:
                    if self.type_desc(f[4 * k + 1]) == ftype:
                        out.append(k)
                except DexError:
                    continue
        return out

    def methods_of_class(self, tidx: int) -> list[int]:
        """Method ids whose defining class is ``tidx`` (method_ids are sorted by class, which
        the ART verifier enforces; an unsorted table falls back to a linear scan)."""
        col = self.method_class_col
        i = bisect_left(col, tidx)
        out = []
        n = len(col)
        while i < n and col[i] == tidx:
            out.append(i)
            i += 1
        if out:
            return out
        i = -1
        try:
            while True:
                i = col.index(tidx, i + 1)
                out.append(i)
        except ValueError:
            pass
        return out

    def has_class_with_prefix(self, desc_prefix: str) -> bool:
        """Whether a class defined in this DEX has a descriptor starting with ``desc_prefix``."""
        key = desc_prefix.encode()
        lo, hi = 0, self.string_ids_size
        while lo < hi:
            mid = (lo + hi) // 2
            if self._string_raw(mid) < key:
                lo = mid + 1
            else:
                hi = mid
        if self._class_def_by_type is None:
            self._class_def_by_type = {t: i for i, t in enumerate(self.class_def_types())}
        defined = self._class_def_by_type
        tids = self.type_ids
        for sidx in range(lo, min(lo + 100_000, self.string_ids_size)):
            if not self._string_raw(sidx).startswith(key):
                return False
            t = bisect_left(tids, sidx)
            if t < len(tids) and tids[t] == sidx and t in defined:
                return True
        return False

    def find_method(self, cls: str, name: str, params: tuple[str, ...] | None,
                    ret: str | None = None) -> list[int]:
        tidx = self.find_type(cls)
        if tidx is None:
            return self._find_method_in_types([], name, params, ret)
        return self._find_method_in_types([tidx], name, params, ret)

    def _find_method_in_types(self, tids: list[int], name: str, params, ret) -> list[int]:
        if not tids:
            return []
        nidx = self.find_string(name)
        if nidx is None:
            return []
        out = []
        m = self.method_ids
        for t in tids:
            for mi in self.methods_of_class(t):
                if (m[4 * mi + 2] | (m[4 * mi + 3] << 16)) != nidx:
                    continue
                try:
                    p, r = self.proto(m[4 * mi + 1])
                except DexError:
                    continue
                if params is not None and p != tuple(params):
                    continue
                if ret is not None and r != ret:
                    continue
                out.append(mi)
        return out

    # ---- map, class defs, class data, code ------------------------------------

    def map_items(self) -> dict[int, tuple[int, int]]:
        if self._map is not None:
            return self._map
        out: dict[int, tuple[int, int]] = {}
        off = self.map_off
        if off and off + 4 <= len(self.data):
            (size,) = _U32.unpack_from(self.data, off)
            if off + 4 + 12 * size <= len(self.data):
                for i in range(size):
                    t, _unused, cnt, o = struct.unpack_from("<HHII", self.data, off + 4 + 12 * i)
                    out[t] = (cnt, o)
        self._map = out
        return out

    def class_def(self, i: int) -> tuple[int, ...]:
        if not 0 <= i < self.class_defs_size:
            raise DexError(f"class_def index {i} out of range")
        return _CLASS_DEF.unpack_from(self.data, self.class_defs_off + 32 * i)

    def class_def_types(self) -> list[int]:
        return list(self.class_def_column(0))

    def class_def_column(self, k: int) -> array:
        """Column ``k`` of the class_defs table (0 class, 1 access flags, 2 superclass, ...)."""
        return _u32_array(self.data, self.class_defs_off, 8 * self.class_defs_size)[k::8]

    def class_def_for_type(self, tidx: int) -> int | None:
        if self._class_def_by_type is None:
            self._class_def_by_type = {t: i for i, t in enumerate(self.class_def_types())}
        return self._class_def_by_type.get(tidx)

    def class_data(self, cd: int) -> ClassData:
        """The members of class_def ``cd``: fields (index, access flags) and methods (index,
        access flags, code offset), each in file order."""
        off = self.class_def(cd)[6]
        if not off:
            return ClassData([], [], [], [])
        data = self.data
        if off >= len(data):
            raise DexError(f"class_data offset {off:#x} outside the file")
        sf, pos = read_uleb(data, off)
        inf, pos = read_uleb(data, pos)
        dm, pos = read_uleb(data, pos)
        vm, pos = read_uleb(data, pos)
        if sf + inf + dm + vm > len(data):
            raise DexError(f"class_data at {off:#x} declares too many members")
        fields: list[list[FieldDef]] = [[], []]
        for k, cnt in enumerate((sf, inf)):
            idx = 0
            for _ in range(cnt):
                d, pos = read_uleb(data, pos)
                fl, pos = read_uleb(data, pos)
                idx += d
                fields[k].append(FieldDef(idx, fl))
        meths: list[list[MethodDef]] = [[], []]
        for k, cnt in enumerate((dm, vm)):
            idx = 0
            for _ in range(cnt):
                d, pos = read_uleb(data, pos)
                fl, pos = read_uleb(data, pos)
                c, pos = read_uleb(data, pos)
                idx += d
                meths[k].append(MethodDef(idx, fl, c))
        return ClassData(fields[0], fields[1], meths[0], meths[1])

    def code_map(self) -> tuple[array, array]:
        """Sorted code offsets of every method with code, and the parallel method indices."""
        if self._code_map is not None:
            return self._code_map
        stream = None
        mp = self.map_items()
        cd_entry = mp.get(TYPE_CLASS_DATA_ITEM)
        if cd_entry:
            stream = self._code_map_stream(*cd_entry)
        if stream is not None:
            codes, idxs = stream
            if not all(map(le, codes, islice(codes, 1, None))):  # usually laid out in order
                pairs = sorted(zip(codes, idxs, strict=True))
                codes = [p[0] for p in pairs]
                idxs = [p[1] for p in pairs]
        else:
            pairs = sorted(self._code_map_slow())
            codes = [p[0] for p in pairs]
            idxs = [p[1] for p in pairs]
        self._code_map = (array("I", codes), array("I", idxs))
        return self._code_map

    def _code_map_stream(self, count: int, off: int) -> tuple[list[int], list[int]] | None:
        """Tokenise the contiguous class_data section with one regex (fast path)."""
        data = self.data
        if not count or off >= len(data):
            return None
        end = len(data)
        # the class data section ends at the next map section
        for (_c, o) in self.map_items().values():
            if off < o < end:
                end = o
        toks = _ULEB_RE.findall(data, off, end)
        vals = list(map(_ULEB.__getitem__, toks))
        nv = len(vals)
        p = 0
        codes: list[int] = []
        idxs: list[int] = []
        try:
            for _ in range(count):
                dm, vm = vals[p + 2], vals[p + 3]
                p += 4 + 2 * (vals[p] + vals[p + 1])
                if dm:
                    q = p + 3 * dm
                    idxs.extend(accumulate(vals[p:q:3]))
                    codes.extend(vals[p + 2 : q : 3])
                    p = q
                if vm:
                    q = p + 3 * vm
                    idxs.extend(accumulate(vals[p:q:3]))
                    codes.extend(vals[p + 2 : q : 3])
                    p = q
                if p > nv:
                    return None
        except IndexError:
            return None
        if len(codes) != len(idxs) or (idxs and max(idxs) >= self.method_ids_size) \
                or (codes and max(codes) >= len(data)):
            return None
        nz_codes = list(compress(codes, codes))
        nz_idxs = list(compress(idxs, codes))
        return nz_codes, nz_idxs

    def _code_map_slow(self) -> list[tuple[int, int]]:
        pairs = []
        for cd in range(self.class_defs_size):
            try:
                cdata = self.class_data(cd)
            except DexError:
                continue
            for m in cdata.direct_methods + cdata.virtual_methods:
                if m.code_off and m.code_off < len(self.data) and m.idx < self.method_ids_size:
                    pairs.append((m.code_off, m.idx))
        return pairs

    def code_item(self, off: int) -> CodeItem:
        data = self.data
        if off < 0x70 or off + 16 > len(data):
            raise DexError(f"code item offset {off:#x} outside the file")
        regs, ins, outs, tries, _dbg, size = _CODE_HDR.unpack_from(data, off)
        if off + 16 + 2 * size > len(data):
            raise DexError(f"code item at {off:#x} overruns the file ({size} code units)")
        insns = _u16_array(data, off + 16, size)
        tries_off = off + 16 + 2 * size
        if tries and size & 1:
            tries_off += 2
        return CodeItem(off, regs, ins, outs, tries, insns, tries_off)

    def code_starts(self) -> array | None:
        """Offsets of all code items, by walking the (contiguous) code section; None if it
        does not parse (then the class-data code map is used)."""
        if self._starts is not False:
            return self._starts
        starts = None
        ent = self.map_items().get(TYPE_CODE_ITEM)
        data = self.data
        n = len(data)
        if ent and ent[0] and 0x70 <= ent[1] < n:
            cnt, pos = ent
            out = array("I")
            app = out.append
            unpack = _CODE_HDR.unpack_from
            try:
                for _ in range(cnt):
                    pos = (pos + 3) & ~3
                    app(pos)
                    _r, _i, _o, tries, _d, size = unpack(data, pos)
                    pos += 16 + 2 * size
                    if tries:
                        if size & 1:
                            pos += 2
                        pos += 8 * tries
                        hsize, pos = read_uleb(data, pos)
                        for _ in range(hsize):
                            hs, pos = read_sleb(data, pos)
                            for _ in range(abs(hs) * 2 + (hs <= 0)):
                                _v, pos = read_uleb(data, pos)
                    if pos > n:
                        raise DexError("code section overruns the file")
                starts = out
            except (DexError, struct.error):
                starts = None
        self._starts = starts
        return starts

    def _uleb_bytes(self, v: int) -> bytes:
        enc = bytearray()
        while True:
            b = v & 0x7F
            v >>= 7
            if v:
                enc.append(b | 0x80)
            else:
                enc.append(b)
                return bytes(enc)

    def owners_of(self, code_offs) -> None:
        """Find the methods owning these code items in one regex pass over the class data
        (results in ``self._code_owner``; unresolved ones map to None)."""
        memo = self._code_owner
        todo = {c for c in code_offs if c not in memo}
        if not todo:
            return
        if self._cd_offs is None:
            offs = _u32_array(self.data, self.class_defs_off, 8 * self.class_defs_size)[6::8]
            pairs = sorted((o, i) for i, o in enumerate(offs) if o)
            self._cd_offs = ([p[0] for p in pairs], [p[1] for p in pairs])
        keys, cds = self._cd_offs
        data = self.data
        if keys:
            start = keys[0]
            end = len(data)
            ent = self.map_items().get(TYPE_CLASS_DATA_ITEM)
            if ent and ent[1] == start:
                for (_c, o) in self.map_items().values():
                    if start < o < end:
                        end = o
            end = max(end, keys[-1] + 1)
            pat = re.compile(b"|".join(re.escape(self._uleb_bytes(c)) for c in sorted(todo)))
            tried: set[int] = set()
            for m in pat.finditer(data, start, end):
                k = bisect_right(keys, m.start()) - 1
                if k < 0 or cds[k] in tried:
                    continue
                tried.add(cds[k])
                try:
                    cdata = self.class_data(cds[k])
                except DexError:
                    continue
                for md in cdata.direct_methods + cdata.virtual_methods:
                    if md.code_off in todo:
                        memo[md.code_off] = md.idx
                        todo.discard(md.code_off)
                if not todo:
                    break
        for c in todo:
            memo[c] = None

    def method_at_code(self, code_off: int) -> int | None:
        """The method index whose code item is at ``code_off`` (found in class data)."""
        if code_off not in self._code_owner:
            self.owners_of((code_off,))
        return self._code_owner[code_off]

    def code_start_for(self, pos: int) -> int | None:
        """Start of the code item (from the code-section walk) whose instructions hold ``pos``."""
        starts = self.code_starts()
        if starts is None:
            return None
        k = bisect_right(starts, pos) - 1
        if k < 0:
            return None
        c = starts[k]
        (size,) = _U32.unpack_from(self.data, c + 12)
        return c if c + 16 <= pos < c + 16 + 2 * size else None

    def method_for_offset(self, pos: int) -> tuple[int, int] | None:
        """(code_off, method_idx) of the code item whose instructions contain byte ``pos``."""
        starts = self.code_starts()
        if starts is not None:
            k = bisect_right(starts, pos) - 1
            if k >= 0:
                c = starts[k]
                (size,) = _U32.unpack_from(self.data, c + 12)
                if c + 16 <= pos < c + 16 + 2 * size:
                    mi = self.method_at_code(c)
                    if mi is not None:
                        return c, mi
        return self._method_for_offset_map(pos)

    def _method_for_offset_map(self, pos: int) -> tuple[int, int] | None:
        offs, mids = self.code_map()
        k = bisect_right(offs, pos) - 1
        if k < 0:
            return None
        c = offs[k]
        if c + 16 > len(self.data):
            return None
        (size,) = _U32.unpack_from(self.data, c + 12)
        if c + 16 <= pos < c + 16 + 2 * size:
            return c, mids[k]
        return None

    def tries(self, code: CodeItem) -> list[tuple[int, int, list[int]]]:
        """[(start, end, [handler addresses])]."""
        if not code.tries_size:
            return []
        data = self.data
        base = code.tries_off
        hl = base + 8 * code.tries_size
        if hl > len(data):
            raise DexError(f"try items of code at {code.off:#x} overrun the file")
        out = []
        for i in range(code.tries_size):
            start, cnt, hoff = struct.unpack_from("<IHH", data, base + 8 * i)
            pos = hl + hoff
            addrs: list[int] = []
            size, pos = read_sleb(data, pos)
            for _ in range(min(abs(size), 1000)):
                _t, pos = read_uleb(data, pos)
                a, pos = read_uleb(data, pos)
                addrs.append(a)
            if size <= 0:
                a, pos = read_uleb(data, pos)
                addrs.append(a)
            out.append((start, start + cnt, addrs))
        return out

    # ---- static values ---------------------------------------------------------

    def static_values(self, cd: int) -> dict[int, object]:
        """field_idx -> constant (int, str, None for null, bool) for a class's static fields."""
        sv_off = self.class_def(cd)[7]
        if not sv_off:
            return {}
        sfields = self.class_data(cd).static_fields
        vals, _ = self._encoded_array(sv_off, 0)
        # the array may stop early: the fields after it keep their default (dex format, static_values_off)
        return {f.idx: v for f, v in zip(sfields, vals, strict=False)}

    _UNSET = object()

    def _encoded_array(self, pos: int, depth: int) -> tuple[list, int]:
        size, pos = read_uleb(self.data, pos)
        if size > len(self.data):
            raise DexError("encoded array too large")
        out = []
        for _ in range(size):
            v, pos = self._encoded_value(pos, depth)
            out.append(v)
        return out, pos

    def _encoded_value(self, pos: int, depth: int):
        data = self.data
        if pos >= len(data) or depth > 8:
            raise DexError("encoded value outside the file")
        b = data[pos]
        pos += 1
        vt, arg = b & 0x1F, b >> 5
        if vt == 0x1E:
            return None, pos
        if vt == 0x1F:
            return bool(arg), pos
        if vt == 0x1C:
            vals, pos = self._encoded_array(pos, depth + 1)
            return ("array", vals), pos
        if vt == 0x1D:
            _t, pos = read_uleb(data, pos)
            n, pos = read_uleb(data, pos)
            for _ in range(n):
                _nm, pos = read_uleb(data, pos)
                _v, pos = self._encoded_value(pos, depth + 1)
            return ("annotation",), pos
        size = arg + 1
        if pos + size > len(data):
            raise DexError("encoded value outside the file")
        raw = data[pos : pos + size]
        pos += size
        if vt in (0x00, 0x02, 0x04, 0x06):
            return int.from_bytes(raw, "little", signed=True), pos
        if vt == 0x03:
            return int.from_bytes(raw, "little"), pos
        if vt == 0x17:
            return self.string(int.from_bytes(raw, "little")), pos
        return ("other", vt), pos
