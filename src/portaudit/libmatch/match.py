"""Matching an app's classes to library profiles, only where it can matter for listeners.

For each profile whose anchors are in the app (a needed class by its own name, or enough of
the needed classes' string constants), the *needed* profile classes (``needed.py``) are looked
for:

1. **by name** - the class is in the app unrenamed; its similarity to the profile class is
   the match confidence (how close the app's copy is to this version);
2. **by strings** - the app classes whose code loads one of the profile class's string
   constants are candidates, scored by ``features.class_similarity``; a candidate is accepted
   at ``T_SEED`` with at least ``MIN_EVIDENCE`` of features, one app class per profile class;
3. **by links** - from an accepted pair, the app superclass, interfaces and the classes its
   matched methods reference at the same positions are candidates for the corresponding
   profile classes, accepted at the lower ``T_LINKED`` (the structure vouches for them).

Then the methods of each matched class are paired (``assign_methods``); methods without code
(interfaces, abstract methods) take the name that an implementing matched class gives them,
since an obfuscator renames a method and its overrides alike.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from ..catalog import ApiSpec
from .appindex import AppIndex
from .features import class_similarity, is_platform
from .needed import needed_classes
from .profile import Profile
from .store import StoredProfile

T_SEED = 0.6
T_LINKED = 0.45
T_METHOD = 0.5
MIN_EVIDENCE = 8.0
CANDIDATE_SHARE = 0.5  # of the most strings any app class shares with the profile class
MAX_CANDIDATES = 25  # app classes scored per profile class
MIN_ANCHOR_HITS = 2
ANCHOR_SHARE = 0.1  # of a profile's anchor strings, for the library to count as maybe present


@dataclass(frozen=True)
class ClassMatch:
    app: str  # descriptor in the app
    original: str  # descriptor in the library
    library: str
    version: str
    score: float  # similarity to the profile class, in [0, 1]
    how: str  # "name" | "strings" | "link"


@dataclass(frozen=True)
class MethodMatch:
    app_class: str
    name: str
    desc: str


class ProfileMatcher:
    """Matches one profile against one app."""

    def __init__(self, app: AppIndex, stored: StoredProfile, specs: tuple[ApiSpec, ...]):
        self.app = app
        self.stored = stored
        self.specs = specs
        self.classes: dict[str, ClassMatch] = {}  # app descriptor -> match
        self.by_original: dict[str, list[str]] = {}  # profile descriptor -> app descriptors
        self.methods: dict[tuple[str, str, str], MethodMatch] = {}
        self._pairs: dict[tuple[str, str], tuple] = {}
        self.triggered = False

    # ---- trigger ---------------------------------------------------------------------------

    def present(self) -> bool:
        a = self.stored.anchors
        if self.app.defines_any(a.get("classes", [])):
            return True
        strings = a.get("strings", [])
        need = max(MIN_ANCHOR_HITS, math.ceil(ANCHOR_SHARE * len(strings)))
        return len(strings) >= need and self.app.strings_present(strings, need) >= need

    # ---- matching --------------------------------------------------------------------------

    def run(self) -> None:
        if not self.present():
            return
        self.triggered = True
        prof = self.stored.profile()
        # the header lists them (computed with the catalogue when the profile was built)
        needed = {c for c in self.stored.anchors.get("classes", ()) if c in prof.classes} \
            or needed_classes(prof, self.specs)
        self._named(prof, needed)
        self._seeded(prof, needed)
        self._linked(prof, needed)
        self._map_methods(prof)

    def _accept(self, a: str, p: str, score: float, how: str, pairs) -> None:
        self.classes[a] = ClassMatch(a, p, self.stored.name, self.stored.version, round(score, 3), how)
        self.by_original.setdefault(p, []).append(a)
        self._pairs[(a, p)] = pairs

    def _named(self, prof: Profile, needed: set[str]) -> None:
        for p in sorted(needed):
            fa = self.app.features(p)
            if fa is None:
                continue
            sc = class_similarity(fa, prof.features(p))
            self._accept(p, p, sc.score, "name", sc.pairs)

    def _seeded(self, prof: Profile, needed: set[str]) -> None:
        todo = [p for p in sorted(needed) if p not in self.by_original]
        want: dict[str, set[str]] = {}
        for p in todo:
            for m in prof.classes[p].methods:
                for s in m.strings:
                    want.setdefault(s, set()).add(p)
        users = self.app.string_users(set(want))
        shared: dict[str, Counter[str]] = {}  # profile class -> app class -> strings in common
        for s, classes in users.items():
            for p in want[s]:
                shared.setdefault(p, Counter()).update(classes)
        scored = []
        for p, counts in shared.items():
            fp = prof.features(p)
            top = max(counts.values())
            # the app classes that share the most of p's strings, or near it: others cannot be p
            best = sorted((a for a in counts if counts[a] >= top * CANDIDATE_SHARE), key=lambda a: (-counts[a], a))
            for a in best[:MAX_CANDIDATES]:
                if a in self.classes:
                    continue
                fa = self.app.features(a)
                if fa is None or fa.evidence < MIN_EVIDENCE:
                    continue
                sc = class_similarity(fa, fp)
                if sc.score >= T_SEED:
                    scored.append((sc.score, a, p, sc.pairs))
        self._take(scored, "strings")

    def _take(self, scored: list, how: str) -> None:
        """Accept the best pairs first, each app class once and each profile class once."""
        scored.sort(key=lambda t: (-t[0], t[1], t[2]))
        for score, a, p, pairs in scored:
            if a in self.classes or p in self.by_original:
                continue
            self._accept(a, p, score, how, pairs)

    def _linked(self, prof: Profile, needed: set[str]) -> None:
        done: set[tuple[str, str]] = set()
        while True:
            scored = []
            for a, cm in list(self.classes.items()):
                for ca, cp in self._links(prof, a, cm.original):
                    if (ca, cp) in done or ca in self.classes or cp in self.by_original or cp not in needed:
                        continue
                    done.add((ca, cp))
                    fa = self.app.features(ca)
                    if fa is None:
                        continue
                    sc = class_similarity(fa, prof.features(cp))
                    if sc.score >= T_LINKED:
                        scored.append((sc.score, ca, cp, sc.pairs))
            if not scored:
                return
            self._take(scored, "link")

    def _links(self, prof: Profile, a: str, p: str):
        """(app class, profile class) pairs that the matched pair (a, p) vouches for."""
        fa = self.app.facts(a)
        fp = prof.classes[p]
        if fa is None:
            return
        if fa.super and fp.super in prof.classes and not is_platform(fa.super):
            yield fa.super, fp.super
        lib_if_a = [i for i in fa.interfaces if not is_platform(i)]
        lib_if_p = [i for i in fp.interfaces if i in prof.classes]
        for ia in lib_if_a:
            for ip in lib_if_p:
                yield ia, ip
        for i, j, s in self._pairs.get((a, p), ()):
            if s < T_METHOD:
                continue
            ra, rp = fa.methods[i].refs, fp.methods[j].refs
            if len(ra) != len(rp):
                continue
            for (ka, oa, _na, _da), (kp, op, _np, _dp) in zip(ra, rp, strict=True):
                if ka == kp and op in prof.classes and not is_platform(oa) and oa.startswith("L"):
                    yield oa, op

    # ---- methods ---------------------------------------------------------------------------

    def _map_methods(self, prof: Profile) -> None:
        for (a, p), pairs in self._pairs.items():
            if a == p:
                continue  # same name: the method names are the library's own
            fa = self.app.features(a)
            fp = prof.features(p)
            if fa is None:
                continue
            for i, j, s in pairs:
                am, pm = fa.methods[i], fp.methods[j]
                unique = sum(1 for m in fp.methods if m.group == pm.group) == 1
                if s >= T_METHOD or unique:
                    self.methods[(p, pm.name, pm.desc)] = MethodMatch(a, am.name, am.desc)
        self._inherit_abstract(prof)

    def _inherit_abstract(self, prof: Profile) -> None:
        """A method without code takes the app name of a matched implementation in a subclass
        (a renaming is consistent across overrides); this also settles look-alike abstract
        methods (``bind`` / ``unbind`` of an interface) that descriptors alone cannot tell apart."""
        for p, apps in self.by_original.items():
            if p in apps:
                continue
            for pm in prof.classes[p].methods:
                if pm.has_code:
                    continue
                impl = self._implementation(prof, p, pm.name, pm.desc)
                if impl is not None:
                    for a in apps:
                        self.methods[(p, pm.name, pm.desc)] = MethodMatch(a, impl.name, impl.desc)

    def _implementation(self, prof: Profile, p: str, name: str, desc: str) -> MethodMatch | None:
        todo = list(prof.subclasses.get(p, ()))
        seen: set[str] = set()
        while todo:
            s = todo.pop(0)
            if s in seen:
                continue
            seen.add(s)
            mm = self.methods.get((s, name, desc))
            pm = prof.classes[s].method(name, desc)
            if mm is not None and pm is not None and pm.has_code:
                return mm
            todo += prof.subclasses.get(s, ())
        return None
