"""``LibraryMatch``: what the DEX engine asks of library matching (the seam).

Computed once from the parsed DEX files before the engine runs (``match_libraries``), then
consulted in three places:

* ``method_ids(dex, class, name, params, ret)`` when a catalogue entry is resolved to method
  ids: the ids of the renamed methods that are this library method (``a.a.a.j.a(I)`` for
  ``ServerBootstrap.bind(int)``), to add to those found by name;
* ``original_class(desc)`` where the engine decides by class name (library internals,
  entry-point classes): the library's own name of a renamed class;
* ``library(desc)`` / ``api_library(classes)`` where origin is decided: which library (name,
  version range, confidence) a class belongs to, or a catalogued API comes from.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..catalog import ApiSpec
from ..inputs.dex.parser import DexError, DexFile
from .appindex import AppIndex
from .features import split_desc
from .match import ClassMatch, MethodMatch, ProfileMatcher
from .store import StoredProfile

VERSION_TIE = 0.02  # profiles of one library within this similarity of the best share the match


@dataclass(frozen=True)
class LibraryHit:
    name: str
    version: str  # one version or a range "4.1.48 - 4.1.52"
    confidence: float
    original: str  # the class's descriptor in the library


@dataclass
class LibraryMatch:
    classes: dict[str, LibraryHit] = field(default_factory=dict)  # app descriptor -> hit
    renamed: dict[str, list[str]] = field(default_factory=dict)  # original -> app descriptors (renamed only)
    methods: dict[tuple[str, str, str], list[MethodMatch]] = field(default_factory=dict)
    supers: dict[str, list[str]] = field(default_factory=dict)  # original -> library supertypes
    stats: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.classes)

    def original_class(self, desc: str) -> str:
        hit = self.classes.get(desc)
        return hit.original if hit else desc

    def library(self, desc: str) -> LibraryHit | None:
        return self.classes.get(desc)

    def api_library(self, class_descriptors: tuple[str, ...]) -> LibraryHit | None:
        """The library of a catalogued API, when one of its classes was matched in the app."""
        by_orig = {h.original: h for h in self.classes.values()}
        for c in class_descriptors:
            if c in by_orig:
                return by_orig[c]
        return None

    def method_ids(self, dex: DexFile, cls: str, name: str, params: tuple[str, ...] | None,
                   ret: str | None) -> list[int]:
        """Method ids in ``dex`` that refer, under renamed names, to ``cls.name(params)ret`` of
        a matched library (empty when the class is not renamed)."""
        if cls not in self.renamed:
            return []
        out: list[int] = []
        for (dcls, _mname, _mdesc), apps in self._definitions(cls, name, params, ret):
            refs = self.renamed.get(cls, []) + self.renamed.get(dcls, [])
            for cur in self.supers.get(cls, []):
                if cur == dcls:
                    break
                refs += self.renamed.get(cur, [])
            for mm in apps:
                aparams, aret = split_desc(mm.desc)
                for r in dict.fromkeys(refs):
                    try:
                        out += dex.find_method(r, mm.name, tuple(aparams), aret)
                    except DexError:
                        continue
        return sorted(set(out))

    def _definitions(self, cls, name, params, ret):
        want = None if params is None else "(" + "".join(params) + ")"
        for key, apps in self.methods.items():
            dcls, mname, mdesc = key
            if mname != name or (dcls != cls and dcls not in self.supers.get(cls, [])):
                continue
            if want is not None and not mdesc.startswith(want):
                continue
            if ret is not None and not mdesc.endswith(")" + ret):
                continue
            yield key, apps


def match_libraries(dexes: list[DexFile], profiles: tuple[StoredProfile, ...],
                    specs: tuple[ApiSpec, ...]) -> LibraryMatch:
    """Match every profile against the app; never raises for bad input (errors are listed)."""
    t0 = time.perf_counter()
    app = AppIndex(dexes)
    out = LibraryMatch()
    per_class: dict[str, list[ClassMatch]] = {}
    triggered = []
    for sp in profiles:
        m = ProfileMatcher(app, sp, specs)
        try:
            m.run()
        except Exception as exc:  # noqa: BLE001 - a bad profile or class costs its matches only
            out.errors.append(f"library profile {sp.label}: matching failed ({type(exc).__name__}: {exc})")
            continue
        if not m.triggered:
            continue
        triggered.append(sp.label)
        prof = sp.profile()
        for cm in m.classes.values():
            per_class.setdefault(cm.app, []).append(cm)
            out.supers.setdefault(cm.original, prof.supers(cm.original))
        for key, mm in m.methods.items():
            lst = out.methods.setdefault(key, [])
            if mm not in lst:
                lst.append(mm)
    for a, cms in per_class.items():
        best = max(cms, key=lambda c: c.score)
        same = [c for c in cms if c.library == best.library and c.original == best.original
                and c.score >= best.score - VERSION_TIE]
        out.classes[a] = LibraryHit(best.library, _range([c.version for c in same]), best.score, best.original)
        if best.original != a:
            out.renamed.setdefault(best.original, []).append(a)
    out.errors += app.errors
    out.stats = {"profiles": len(profiles), "triggered": triggered, "classes_read": app.classes_read,
                 "matched": len(out.classes), "renamed": sum(len(v) for v in out.renamed.values()),
                 "seconds": round(time.perf_counter() - t0, 4)}
    return out


def _range(versions: list[str]) -> str:
    vs = sorted(set(versions), key=_version_key)
    return vs[0] if len(vs) == 1 else f"{vs[0]} - {vs[-1]}"


def _version_key(v: str):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in v.replace("-", ".").split(".")]
