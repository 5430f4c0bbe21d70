"""The app's side of matching: its classes (defined where), their features, and which of its
methods use given string constants.  Everything is computed on demand and cached."""

from __future__ import annotations

import re
import struct

from ..inputs.dex.callsites import code_range
from ..inputs.dex.parser import DexError, DexFile
from . import dexfacts
from .facts import ClassFacts
from .features import ClassFeatures, class_features


MAX_CLASSES_READ = 2000  # app classes decoded for matching, per scan (a hostile app cannot make it costly)


class AppIndex:
    def __init__(self, dexes: list[DexFile]):
        self.dexes = dexes
        self._where: dict[str, tuple[int, int] | None] = {}
        self._facts: dict[str, ClassFacts | None] = {}
        self._features: dict[str, ClassFeatures | None] = {}
        self.errors: list[str] = []
        self.classes_read = 0
        self.capped = False

    # ---- classes ---------------------------------------------------------------------------

    def where(self, desc: str) -> tuple[int, int] | None:
        """(DEX index, class_def index) of the class defined under this descriptor (the first
        DEX that defines it, as the runtime loads it)."""
        if desc not in self._where:
            self._where[desc] = None
            for i, d in enumerate(self.dexes):
                try:
                    t = d.find_type(desc)
                    cd = d.class_def_for_type(t) if t is not None else None
                except DexError:
                    continue
                if cd is not None:
                    self._where[desc] = (i, cd)
                    break
        return self._where[desc]

    def defines_any(self, descs: list[str]) -> bool:
        return any(self.where(d) is not None for d in descs)

    def facts(self, desc: str) -> ClassFacts | None:
        if desc in self._facts:
            return self._facts[desc]
        w = self.where(desc)
        f = None
        if w is not None and self.classes_read >= MAX_CLASSES_READ:
            if not self.capped:
                self.capped = True
                self.errors.append(f"library matching stopped after reading {MAX_CLASSES_READ} classes")
            return None
        if w is not None:
            dex = self.dexes[w[0]]
            try:
                f = dexfacts.class_facts(dex, w[1])
                self.classes_read += 1
            except (DexError, ValueError, IndexError) as exc:
                self.errors.append(f"{dex.label}: class {desc} not read for library matching ({exc})")
        self._facts[desc] = f
        return f

    def features(self, desc: str) -> ClassFeatures | None:
        if desc not in self._features:
            f = self.facts(desc)
            self._features[desc] = class_features(f) if f is not None else None
        return self._features[desc]

    # ---- strings ---------------------------------------------------------------------------

    def strings_present(self, strings: list[str], enough: int | None = None) -> int:
        """How many of ``strings`` are in some DEX's string table (binary searches only),
        counting no further than ``enough``."""
        n = 0
        for s in strings:
            for d in self.dexes:
                try:
                    if d.find_string(s) is not None:
                        n += 1
                        break
                except DexError:
                    continue
            if enough is not None and n >= enough:
                break
        return n

    def string_users(self, strings: set[str]) -> dict[str, set[str]]:
        """string -> descriptors of the classes whose code loads it (``const-string``)."""
        out: dict[str, set[str]] = {}
        for d in self.dexes:
            try:
                ids = {}
                for s in strings:
                    i = d.find_string(s)
                    if i is not None:
                        ids[i] = s
                if ids:
                    for sidx, cls in _const_string_sites(d, ids):
                        out.setdefault(ids[sidx], set()).add(cls)
            except DexError as exc:
                self.errors.append(f"{d.label}: {exc}")
        return out


def _const_string_sites(dex: DexFile, ids: dict[int, str]):
    """(string index, class of the enclosing method) of every const-string / const-string/jumbo
    of one of ``ids`` in the code section.  A byte pattern that is not really an instruction only
    adds a candidate class, which matching then scores (and one at an odd offset may hide a real
    one that overlaps it: that costs a candidate, never a wrong match)."""
    short = [i for i in ids if i <= 0xFFFF]
    alts = [b"\x1a[\x00-\xff]" + re.escape(struct.pack("<H", i)) for i in short]
    alts += [b"\x1b[\x00-\xff]" + re.escape(struct.pack("<I", i)) for i in ids]
    pat = re.compile(b"|".join(alts))
    data = dex.data
    start, end = code_range(dex)
    for m in pat.finditer(data, start, end):
        s = m.start()
        if s & 1:
            continue
        sidx = data[s + 2] | (data[s + 3] << 8)
        if data[s] == 0x1B:
            sidx = struct.unpack_from("<I", data, s + 2)[0]
        hit = dex.method_for_offset(s)
        if hit is None:
            continue
        yield sidx, dex.method_ref(hit[1])[0]
