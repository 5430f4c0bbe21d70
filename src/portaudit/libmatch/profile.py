"""Library profiles: the facts of every class of a library, as data.

A profile is built once from the library's own bytecode (JAR, AAR or DEX) and stored as gzip-
compressed JSON lines (``FORMAT`` / ``VERSION`` below).  The first line, the *header*, is small
and is all a scan reads unless the library may be present::

    {"format": "portaudit-library-profile", "version": 1,
     "library": {"name": "Netty", "version": "4.1.48"},
     "sources": [{"file": "netty-transport-4.1.48.Final.jar", "sha256": "...", "classes": 720}],
     "anchors": {"classes": [...], "strings": [...]}}

The second line is the class hierarchy, in name order::

    [[name, flags, super, [interfaces]], ...]

and then one line per class, in the same order, parsed only when matching asks for that class::

    [name, flags, super, [interfaces], [[field, type, static]],
     [[method, descriptor, flags, [strings], [[kind, owner, name, type]], [ints], [shape]]]]

Names are descriptors (``Lio/netty/bootstrap/ServerBootstrap;``); ``super`` is null for none.
Class flags: 1 interface, 2 abstract.  Method flags: 1 static, 2 has code.  Reference kinds:
``i`` invoke, ``g`` field read, ``p`` field write, ``n`` new, ``t`` other type use.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..inputs.dex.parser import DexError, DexFile
from ..inputs.jvm import ClassFormatError, JarError, iter_class_files, parse_class
from . import dexfacts, jvmfacts
from .facts import ClassFacts, MethodFacts
from .features import ClassFeatures, class_features

FORMAT = "portaudit-library-profile"
VERSION = 1
MAX_PROFILE_BYTES = 64 * 1024 * 1024  # inflated
MAX_HEADER_BYTES = 4 * 1024 * 1024


class ProfileError(Exception):
    """A profile (or a library input) cannot be read; the message names the problem."""


@dataclass
class Profile:
    name: str
    version: str
    classes: Mapping[str, ClassFacts]
    sources: list[dict] = field(default_factory=list)
    anchors: dict[str, list[str]] = field(default_factory=dict)
    _features: dict[str, ClassFeatures] = field(default_factory=dict, repr=False)

    def features(self, desc: str) -> ClassFeatures:
        f = self._features.get(desc)
        if f is None:
            f = self._features[desc] = class_features(self.classes[desc])
        return f

    def hierarchy(self, name: str) -> tuple[str | None, tuple[str, ...]]:
        h = getattr(self.classes, "hierarchy", None)
        if h is not None:
            return h(name)
        c = self.classes[name]
        return c.super, c.interfaces

    @cached_property
    def subclasses(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for name in self.classes:
            sup, ifs = self.hierarchy(name)
            for s in (sup, *ifs):
                if s is not None and s in self.classes:
                    out.setdefault(s, []).append(name)
        return out

    def supers(self, desc: str) -> list[str]:
        """The library superclasses of ``desc``, nearest first."""
        out: list[str] = []
        c = self.classes.get(desc)
        while c is not None and c.super is not None and c.super in self.classes and c.super not in out:
            out.append(c.super)
            c = self.classes[c.super]
        return out


# ---- building --------------------------------------------------------------------------------

def build(inputs: list[Path], name: str, version: str) -> Profile:
    """A profile of every class in ``inputs`` (JAR, AAR, directory of class files, or DEX)."""
    classes: dict[str, ClassFacts] = {}
    sources = []
    for p in inputs:
        n0 = len(classes)
        for facts in _read_input(p):
            classes.setdefault(facts.name, facts)
        sources.append({"file": p.name, "sha256": _sha256(p), "classes": len(classes) - n0})
    if not classes:
        raise ProfileError("no classes found in " + ", ".join(p.name for p in inputs))
    return Profile(name, version, classes, sources)


def _read_input(p: Path):
    if not p.exists():
        raise ProfileError(f"{p}: no such file")
    head = p.read_bytes()[:8] if p.is_file() else b""
    if head.startswith(b"dex\n"):
        yield from _dex_classes(p.name, p.read_bytes())
        return
    try:
        if p.is_file() and zipfile.is_zipfile(p):
            with zipfile.ZipFile(p) as z:
                dexes = sorted(n for n in z.namelist() if n.endswith(".dex") and "/" not in n)
                for n in dexes:
                    yield from _dex_classes(f"{p.name}!{n}", z.read(n))
                if dexes:
                    return
        for entry, data in iter_class_files(p):
            try:
                yield jvmfacts.class_facts(parse_class(data))
            except ClassFormatError as exc:
                raise ProfileError(f"{p.name}!{entry}: {exc}") from None
    except JarError as exc:
        raise ProfileError(str(exc)) from None


def _dex_classes(label: str, data: bytes):
    try:
        dex = DexFile(data, label)
        for cd in range(dex.class_defs_size):
            yield dexfacts.class_facts(dex, cd)
    except DexError as exc:
        raise ProfileError(f"{label}: {exc}") from None


def _sha256(p: Path) -> str:
    if p.is_dir():
        return ""
    return hashlib.sha256(p.read_bytes()).hexdigest()


# ---- storing ---------------------------------------------------------------------------------

def dumps(profile: Profile) -> bytes:
    header = {"format": FORMAT, "version": VERSION,
              "library": {"name": profile.name, "version": profile.version},
              "sources": profile.sources, "anchors": profile.anchors}
    classes = [profile.classes[n] for n in sorted(profile.classes)]
    hierarchy = [[c.name, _flags(c), c.super, list(c.interfaces)] for c in classes]
    lines: list[Any] = [header, hierarchy]  # one JSON value per line: the header, then lists
    for c in classes:
        methods = [[m.name, m.desc, (1 if m.static else 0) | (2 if m.has_code else 0), list(m.strings),
                    [list(r) for r in m.refs], list(m.ints), list(m.shape)] for m in c.methods]
        lines.append([c.name, _flags(c), c.super, list(c.interfaces),
                      [[n, ty, int(st)] for n, ty, st in c.fields], methods])
    raw = b"".join(json.dumps(x, separators=(",", ":"), ensure_ascii=False).encode() + b"\n" for x in lines)
    return gzip.compress(raw, compresslevel=9, mtime=0)


def _flags(c: ClassFacts) -> int:
    return (1 if c.interface else 0) | (2 if c.abstract else 0)


def _inflate(data: bytes, label: str, limit: int) -> bytes:
    try:
        return zlib.decompressobj(wbits=31).decompress(data, limit + 1)  # gzip container
    except zlib.error as exc:
        raise ProfileError(f"{label}: not a gzip-compressed profile ({exc})") from None


def _header(line: bytes, label: str) -> dict:
    try:
        head = json.loads(line)
    except ValueError as exc:
        raise ProfileError(f"{label}: damaged profile header ({exc})") from None
    if not isinstance(head, dict) or head.get("format") != FORMAT:
        raise ProfileError(f"{label}: not a portaudit library profile")
    if head.get("version") != VERSION:
        raise ProfileError(f"{label}: profile format version {head.get('version')}, this portaudit reads {VERSION}")
    return head


def read_header(data: bytes, label: str = "profile") -> dict:
    """The header line only (inflating no further than its end)."""
    d = zlib.decompressobj(wbits=31)
    buf = b""
    pos = 0
    try:
        while b"\n" not in buf and pos < len(data) and len(buf) <= MAX_HEADER_BYTES:
            buf += d.decompress(data[pos:pos + 4096], MAX_HEADER_BYTES + 1 - len(buf))
            while d.unconsumed_tail and b"\n" not in buf and len(buf) <= MAX_HEADER_BYTES:
                buf += d.decompress(d.unconsumed_tail, MAX_HEADER_BYTES + 1 - len(buf))
            pos += 4096
    except zlib.error as exc:
        raise ProfileError(f"{label}: not a gzip-compressed profile ({exc})") from None
    if b"\n" not in buf:
        raise ProfileError(f"{label}: profile header missing or over {MAX_HEADER_BYTES} bytes")
    return _header(buf.split(b"\n", 1)[0], label)


def loads(data: bytes, label: str = "profile") -> Profile:
    raw = _inflate(data, label, MAX_PROFILE_BYTES)
    if len(raw) > MAX_PROFILE_BYTES:
        raise ProfileError(f"{label}: profile inflates past {MAX_PROFILE_BYTES} bytes")
    lines = raw.split(b"\n")
    head = _header(lines[0], label)
    try:
        hierarchy = json.loads(lines[1]) if len(lines) > 1 else None
        if not isinstance(hierarchy, list) or len(lines) < len(hierarchy) + 2:
            raise ProfileError(f"{label}: damaged profile (class lines missing)")
        entries = {h[0]: (str(h[2]) if h[2] is not None else None, tuple(map(str, h[3])), lines[2 + i])
                   for i, h in enumerate(hierarchy)}
        lib = head["library"]
        return Profile(str(lib["name"]), str(lib["version"]), LazyClasses(entries, label),
                       list(head.get("sources", [])), dict(head.get("anchors", {})))
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise ProfileError(f"{label}: damaged profile ({type(exc).__name__}: {exc})") from None


class LazyClasses(Mapping):
    """The classes of a loaded profile, each parsed from its own line when first asked for
    (a scan needs a few dozen of a library's classes)."""

    def __init__(self, entries: dict[str, tuple[str | None, tuple[str, ...], bytes]], label: str):
        self._entries = entries  # name -> (super, interfaces, the class's JSON line)
        self._label = label
        self._done: dict[str, ClassFacts] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        return iter(self._entries)

    def __contains__(self, name) -> bool:
        return name in self._entries

    def __getitem__(self, name: str) -> ClassFacts:
        c = self._done.get(name)
        if c is None:
            line = self._entries[name][2]
            try:
                c = _class(json.loads(line))
                if c.name != name:
                    raise ValueError(f"line holds {c.name}")
            except (ValueError, TypeError, IndexError, KeyError) as exc:
                raise ProfileError(f"{self._label}: damaged class {name} ({type(exc).__name__}: {exc})") from None
            self._done[name] = c
        return c

    def hierarchy(self, name: str) -> tuple[str | None, tuple[str, ...]]:
        """(superclass, interfaces) without parsing the class."""
        sup, ifs, _line = self._entries[name]
        return sup, ifs


def _class(raw: list) -> ClassFacts:
    name, flags, sup, ifs, fields, methods = raw
    ms = tuple(MethodFacts(str(mn), str(md), bool(mf & 1), bool(mf & 2), tuple(map(str, strs)),
                           tuple((str(k), str(o), str(n), str(d)) for k, o, n, d in refs), tuple(ints), tuple(shape))
               for mn, md, mf, strs, refs, ints, shape in methods)
    return ClassFacts(str(name), bool(flags & 1), bool(flags & 2), None if sup is None else str(sup),
                      tuple(map(str, ifs)), tuple((str(n), str(ty), bool(st)) for n, ty, st in fields), ms)


def save(profile: Profile, path: Path) -> int:
    data = dumps(profile)
    path.write_bytes(data)
    return len(data)


def load(path: Path) -> Profile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"{path}: {exc.strerror or exc}") from None
    return loads(data, str(path))
