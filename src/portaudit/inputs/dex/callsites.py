"""Targeted call-site search.

The catalogue is resolved to ``method_ids`` indices of each DEX; the code section is then
searched for the byte pattern of an invoke instruction referencing one of them
(``op, A|G or AA, index lo, index hi``), and each hit is verified by a linear sweep of the
containing method (the hit must fall on an instruction boundary).  Only methods with hits
are ever decoded.
"""

from __future__ import annotations

import functools
import re
import struct
from dataclasses import dataclass

from ...catalog import ApiSpec
from .opcodes import boundaries
from .parser import TYPE_CODE_ITEM, DexError, DexFile

INVOKE_OPS = rb"[\x6e-\x72\x74-\x78]"
FIELD_WRITE_OPS = rb"[\x59-\x5f\x67-\x6d]"  # iput*, sput* (the field index is the second code unit)
FIELD_READ_OPS = rb"[\x52-\x58\x60-\x66]"  # iget*, sget*


@dataclass(frozen=True)
class CallSite:
    dex: int  # index of the DEX in the analysed list
    label: str
    code_off: int  # code item of the enclosing method
    method_idx: int  # enclosing method (index in this DEX)
    pc: int  # code-unit offset of the instruction (invoke, or field access) in the enclosing method
    target: int  # invoked method index (field index for a field access)
    key: object  # what was searched for (an ApiSpec, or a wrapper key)

    @property
    def spec(self) -> ApiSpec:
        """The catalogue entry this site was searched for (a site found by a catalogue search)."""
        if not isinstance(self.key, ApiSpec):
            raise TypeError(f"a call site searched for {self.key!r} has no catalogue entry")
        return self.key


def resolve_spec(dex: DexFile, spec: ApiSpec, libraries=None) -> list[int]:
    """method_ids indices in ``dex`` referring to the catalogue entry; with ``libraries`` (a
    ``libmatch.LibraryMatch``) also those of the same library method under renamed names."""
    tids: list[int] = []
    for desc in spec.class_descriptors:
        t = dex.find_type(desc)
        if t is not None and t not in tids:
            tids.append(t)
    if spec.simple_name:
        for t in dex.types_with_simple_name(spec.simple_name):
            if t not in tids:
                tids.append(t)
    out = dex._find_method_in_types(tids, spec.method, spec.param_descriptors, None)
    if libraries:
        for desc in spec.class_descriptors:
            out += [m for m in libraries.method_ids(dex, desc, spec.method, spec.param_descriptors, None)
                    if m not in out]
    return out


def code_range(dex: DexFile) -> tuple[int, int]:
    mp = dex.map_items()
    ent = mp.get(TYPE_CODE_ITEM)
    n = len(dex.data)
    if not ent or not ent[0] or not 0x70 <= ent[1] < n:
        return 0x70, n
    start = ent[1]
    end = n
    for (_c, o) in mp.values():
        if start < o < end:
            end = o
    return start, end


class Searcher:
    """Finds verified invoke sites of given method indices in one DEX."""

    def __init__(self, dex: DexFile, index: int):
        self.dex = dex
        self.index = index
        self._bounds: dict[int, set[int] | None] = {}
        self.decoded = 0

    def boundaries_of(self, code_off: int) -> set[int] | None:
        if code_off in self._bounds:
            return self._bounds[code_off]
        try:
            code = self.dex.code_item(code_off)
            b = {pc for pc, _w in boundaries(code.insns)}
            self.decoded += 1
        except DexError:
            b = None
        self._bounds[code_off] = b
        return b

    def search(self, targets: dict[int, object], ops: bytes = INVOKE_OPS,
               code_offs: list[int] | None = None) -> list[CallSite]:
        """``targets``: method index -> key.  Returns verified call sites.  ``ops``: a regex class of
        the opcodes to look for (invokes by default; :data:`FIELD_WRITE_OPS` with field indices).
        ``code_offs``: search only these methods' code (a private member's own class), not the
        whole code section."""
        idxs = [i for i in targets if 0 <= i <= 0xFFFF]
        if not idxs:
            return []
        dex = self.dex
        data = dex.data
        if code_offs is None:
            ranges = [code_range(dex)]
        else:
            ranges = [(c + 16, c + 16 + 2 * _insns_size(data, c)) for c in code_offs if c + 16 <= len(data)]
        out: list[CallSite] = []
        cands: list[tuple[int, int | None]] = []
        for start, end in ranges:
            for s in (_find_few(data, idxs, ops, start, end) if len(idxs) <= _FEW else
                      _find_many(data, idxs, ops, start, end)):
                if not s & 1:
                    cands.append((s, dex.code_start_for(s) if code_offs is None else start - 16))
        dex.owners_of({c for _s, c in cands if c is not None})
        for s, c in cands:
            midx = dex.method_at_code(c) if c is not None else None
            hit = (c, midx) if c is not None and midx is not None else dex.method_for_offset(s)
            if hit is None:
                continue
            code_off, midx = hit
            if s + 4 > code_off + 16 + 2 * _insns_size(data, code_off):
                continue
            pc = (s - code_off - 16) // 2
            b = self.boundaries_of(code_off)
            if not b or pc not in b:
                continue
            t = data[s + 2] | (data[s + 3] << 8)
            out.append(CallSite(self.index, dex.label, code_off, midx, pc, t, targets[t]))
        return out


_FEW = 4  # up to this many targets, bytes.find of each index beats one regex pass


def _find_many(data: bytes, idxs: list[int], ops: bytes, start: int, end: int) -> list[int]:
    alts = b"|".join(re.escape(struct.pack("<H", i)) for i in sorted(idxs))
    pat = re.compile(ops + rb"[\x00-\xff](?:" + alts + rb")")
    out: list[int] = []
    pos = start
    while True:
        m = pat.search(data, pos, end)
        if m is None:
            return out
        out.append(m.start())
        pos = m.start() + 1


def _find_few(data: bytes, idxs: list[int], ops: bytes, start: int, end: int) -> list[int]:
    """Positions of ``op, any, idx`` for a few indices: each index is found with bytes.find (C speed)
    and the opcode two bytes before it is checked against the class ``ops``."""
    opset = _opset(ops)
    out = []
    for i in idxs:
        needle = struct.pack("<H", i)
        pos = max(start, 2) + 2
        while True:
            k = data.find(needle, pos, end)
            if k < 0:
                break
            if data[k - 2] in opset:
                out.append(k - 2)
            pos = k + 1
    return sorted(out)


@functools.cache
def _opset(ops: bytes) -> frozenset[int]:
    """The byte values a regex character class like ``[\\x6e-\\x72\\x74-\\x78]`` matches."""
    return frozenset(b for b in range(256) if re.fullmatch(ops, bytes([b])))


def _insns_size(data: bytes, code_off: int) -> int:
    return struct.unpack_from("<I", data, code_off + 12)[0]
