"""Which classes of a library matter for listeners, given the catalogue.

Matching is done only where it can change a finding: the library classes the catalogue names
(``ServerBootstrap``, ``ServerConnector``, ``IoAcceptor`` ...) with their library supertypes (where
the catalogued methods are defined), and the *bind sites*: library classes whose code calls a
platform listener API (``ServerSocketChannel.bind``, ``ServerSocket.bind`` ...), where the
engine finds the library's own listener calls.
"""

from __future__ import annotations

import re

from ..catalog import ApiSpec
from .facts import REF_INVOKE
from .features import is_platform
from .profile import Profile

MIN_ANCHOR_LEN = 10
MIN_TOKEN_ANCHOR_LEN = 14


def platform_listener_methods(specs: tuple[ApiSpec, ...]) -> dict[str, set[str]]:
    """Class descriptor -> method names of the platform listener APIs in the catalogue."""
    out: dict[str, set[str]] = {}
    for s in specs:
        if s.section != "listener":
            continue
        for c in s.class_descriptors:
            if is_platform(c):
                out.setdefault(c, set()).add(s.method)
    return out


def entry_classes(profile: Profile, specs: tuple[ApiSpec, ...]) -> set[str]:
    """Catalogued library classes present in the profile, with their library supertypes."""
    out: set[str] = set()
    for s in specs:
        if s.section != "listener":
            continue
        for c in s.class_descriptors:
            if c in profile.classes:
                out.add(c)
    todo = list(out)
    while todo:
        cls = profile.classes[todo.pop()]
        for sup in (cls.super, *cls.interfaces):
            if sup is not None and sup in profile.classes and sup not in out:
                out.add(sup)
                todo.append(sup)
    return out


def bind_site_classes(profile: Profile, specs: tuple[ApiSpec, ...]) -> set[str]:
    plat = platform_listener_methods(specs)
    out = set()
    for c in profile.classes.values():
        for m in c.methods:
            if any(k == REF_INVOKE and n in plat.get(o, ()) for k, o, n, _d in m.refs):
                out.add(c.name)
                break
    return out


def needed_classes(profile: Profile, specs: tuple[ApiSpec, ...]) -> set[str]:
    return entry_classes(profile, specs) | bind_site_classes(profile, specs)


def anchors(profile: Profile, specs: tuple[ApiSpec, ...]) -> dict[str, list[str]]:
    """What tells, without reading the profile body, that the library may be in an app: the
    names of the needed classes (unobfuscated copies) and their distinctive string constants
    (obfuscators rename classes, not strings)."""
    needed = sorted(needed_classes(profile, specs))
    strings = sorted({s for c in needed for m in profile.classes[c].methods for s in m.strings if distinctive(s)})
    return {"classes": needed, "strings": strings}


_COMMON_PREFIXES = ("java.", "javax.", "os.", "sun.", "user.", "line.", "file.", "http.", "https.")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.$]+")


def distinctive(s: str) -> bool:
    """A string constant unlikely to be in unrelated code: a message (with a space) of some
    length, or a longer token that is not a plain identifier; JDK system property names
    (``java.version``) and single words (``localAddress``) are everywhere."""
    if len(s) < MIN_ANCHOR_LEN or s.startswith(_COMMON_PREFIXES):
        return False
    return " " in s or (len(s) >= MIN_TOKEN_ANCHOR_LEN and not _IDENTIFIER.fullmatch(s))
