"""Targeted call-site search.

The catalogue is resolved to ``method_ids`` indices of each DEX; the code section is then
searched for the byte pattern of an invoke instruction referencing one of them
(``op, A|G or AA, index lo, index hi``), and each hit is verified by a linear sweep of the
containing method (the hit must fall on an instruction boundary).  Only methods with hits
are ever decoded.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from ...catalog import ApiSpec
from .opcodes import boundaries
from .parser import TYPE_CODE_ITEM, DexError, DexFile

_INVOKE_OPS = rb"[\x6e-\x72\x74-\x78]"


@dataclass(frozen=True)
class CallSite:
    dex: int  # index of the DEX in the analysed list
    label: str
    code_off: int  # code item of the enclosing method
    method_idx: int  # enclosing method (index in this DEX)
    pc: int  # code-unit offset of the invoke in the enclosing method
    target: int  # invoked method index
    key: object  # what was searched for (an ApiSpec, or a wrapper key)

    @property
    def spec(self) -> ApiSpec:
        return self.key  # type: ignore[return-value]


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
        b = self._bounds.get(code_off, False)
        if b is not False:
            return b  # type: ignore[return-value]
        try:
            code = self.dex.code_item(code_off)
            b = {pc for pc, _w in boundaries(code.insns)}
            self.decoded += 1
        except DexError:
            b = None
        self._bounds[code_off] = b
        return b

    def search(self, targets: dict[int, object]) -> list[CallSite]:
        """``targets``: method index -> key.  Returns verified call sites."""
        idxs = [i for i in targets if 0 <= i <= 0xFFFF]
        if not idxs:
            return []
        dex = self.dex
        data = dex.data
        alts = b"|".join(re.escape(struct.pack("<H", i)) for i in sorted(idxs))
        pat = re.compile(_INVOKE_OPS + rb"[\x00-\xff](?:" + alts + rb")")
        start, end = code_range(dex)
        out: list[CallSite] = []
        pos = start
        cands: list[tuple[int, int | None]] = []
        while True:
            m = pat.search(data, pos, end)
            if m is None:
                break
            s = m.start()
            pos = s + 1
            if not s & 1:
                cands.append((s, dex.code_start_for(s)))
        dex.owners_of({c for _s, c in cands if c is not None})
        for s, c in cands:
            midx = dex.method_at_code(c) if c is not None else None
            if midx is not None:
                hit = (c, midx)
            else:
                hit = dex.method_for_offset(s)
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


def _insns_size(data: bytes, code_off: int) -> int:
    return struct.unpack_from("<I", data, code_off + 12)[0]
