"""A cheap outline of every Java / Kotlin file of a tree (no parse): package, imports, declared classes
and the supertypes they name.  Enough to know, before any file is parsed, where a class is declared
and which classes of the app descend from a library class (``class Web extends MyBase``,
``class MyBase extends NanoHTTPD``), and to resolve a type name of one file to a fully-qualified one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PACKAGE = re.compile(rb"^[ \t]*package[ \t]+([\w.]+)", re.M)
_IMPORT = re.compile(rb"^[ \t]*import[ \t]+(static[ \t]+)?([\w.]+?)(\.\*)?(?:[ \t]+as[ \t]+(\w+))?[ \t]*;?[ \t]*$",
                     re.M)
_DECL = re.compile(rb"\b(class|interface|enum|record|object)[ \t]+([A-Za-z_]\w*)")
_COMMENTS = re.compile(rb"//[^\n]*|/\*.*?\*/", re.S)
_STRINGS = re.compile(rb'"(?:\\.|[^"\\\n])*"')

JAVA_LANG = {"Object", "String", "Integer", "Long", "Boolean", "Thread", "Runnable", "System", "Math",
             "Exception", "RuntimeException", "Throwable", "Iterable", "Number", "Character", "Byte", "Short",
             "Double", "Float", "StringBuilder", "Class", "Enum", "Record", "AutoCloseable"}


@dataclass
class ClassOutline:
    fqn: str
    file: str
    lang: str
    super_names: list[str]  # as written: simple or dotted, generics removed


@dataclass
class FileOutline:
    file: str
    lang: str
    package: str = ""
    imports: dict[str, str] = field(default_factory=dict)  # simple name (or alias) -> fqn
    wildcards: list[str] = field(default_factory=list)  # packages imported with .*
    classes: list[ClassOutline] = field(default_factory=list)
    functions: set[str] = field(default_factory=set)  # Kotlin top-level function names


def outline(rel: str, lang: str, src: bytes) -> FileOutline:
    text = _STRINGS.sub(b'""', _COMMENTS.sub(b"", src.replace(b"\r\n", b"\n").replace(b"\r", b"\n")))
    out = FileOutline(rel, lang)
    m = _PACKAGE.search(text)
    if m:
        out.package = m.group(1).decode("ascii", "replace")
    for m in _IMPORT.finditer(text):
        if m.group(1):
            continue  # static imports name members, not types
        name = m.group(2).decode("ascii", "replace")
        if m.group(3):
            out.wildcards.append(name)
        else:
            alias = (m.group(4) or b"").decode("ascii", "replace") or name.rsplit(".", 1)[-1]
            out.imports[alias] = name
    for m in _DECL.finditer(text):
        if m.group(1) == b"object" and lang != "kotlin":
            continue
        name = m.group(2).decode("ascii", "replace")
        supers = _supers(text, m.end(), lang)
        fqn = f"{out.package}.{name}" if out.package else name
        out.classes.append(ClassOutline(fqn, rel, lang, supers))
    if lang == "kotlin":
        for m in re.finditer(rb"^fun[ \t]+(?:<[^>]*>[ \t]*)?(?:[\w.]+\.)?([A-Za-z_]\w*)[ \t]*\(", text, re.M):
            out.functions.add(m.group(1).decode("ascii", "replace"))
    return out


def _supers(text: bytes, pos: int, lang: str) -> list[str]:
    """The supertypes written after a class name at ``pos`` (up to the body or the line end)."""
    i, n = pos, len(text)
    header = bytearray()
    depth = 0
    while i < n:
        c = text[i:i + 1]
        if c in (b"(", b"<"):
            depth += 1
        elif c in (b")", b">"):
            depth = max(0, depth - 1)
        elif depth == 0 and (c in (b"{", b";", b"=") or (
                c == b"\n" and lang == "kotlin" and not header.rstrip().endswith((b":", b","))
                and b":" in header and _next_nonspace(text, i) not in (b",", b":", b"{"))):
            break
        header += c if depth == 0 else b" "
        i += 1
    h = header.decode("ascii", "replace")
    if lang == "kotlin":
        if ":" not in h:
            return []
        h = h.split(":", 1)[1].split(" where ", 1)[0]
        parts = h.split(",")
    else:
        parts = []
        m = re.search(r"\bextends\s+(.*?)(\bimplements\b|$)", h, re.S)
        if m:
            parts += m.group(1).split(",")
        m = re.search(r"\bimplements\s+(.*)$", h, re.S)
        if m:
            parts += m.group(1).split(",")
    out = []
    for p in parts:
        p = re.sub(r"\s+by\s+.*$", "", p.strip())
        p = p.split("(", 1)[0].strip()
        if re.fullmatch(r"[A-Za-z_][\w.]*", p):
            out.append(p)
    return out


def _next_nonspace(text: bytes, i: int) -> bytes:
    while i < len(text) and text[i:i + 1] in (b" ", b"\t", b"\n", b"\r"):
        i += 1
    return text[i:i + 1]


class Outline:
    """The outline of every JVM file of a tree: class -> declaration, class -> supertypes."""

    def __init__(self, files: list[FileOutline], library: dict[str, tuple[str, ...]],
                 known: set[str] | frozenset[str] = frozenset()):
        self.files = {f.file: f for f in files}
        self.classes: dict[str, ClassOutline] = {}
        self.by_simple: dict[str, list[str]] = {}
        self.packages: dict[str, set[str]] = {}
        self.functions: dict[str, list[tuple[str, str]]] = {}  # Kotlin top-level fun -> [(package, file)]
        self.library = library
        self.known = set(known) | set(library) | {c for sup in library.values() for c in sup}
        for f in files:
            for c in f.classes:
                self.classes.setdefault(c.fqn, c)
                self.by_simple.setdefault(c.fqn.rsplit(".", 1)[-1], []).append(c.fqn)
                self.packages.setdefault(f.package, set()).add(c.fqn.rsplit(".", 1)[-1])
            for fn in f.functions:
                self.functions.setdefault(fn, []).append((f.package, f.file))
        self._supers: dict[str, tuple[str, ...]] = {}

    def resolve(self, name: str, f: FileOutline | None, package: str = "", imports: dict[str, str] | None = None,
                wildcards: list[str] | None = None) -> str:
        """A type name as written in a file -> its fully-qualified name (the name itself when unknown)."""
        if f is not None:
            package, imports, wildcards = f.package, f.imports, f.wildcards
        imports = imports or {}
        head, _, rest = name.partition(".")
        if head in imports:
            return imports[head] + ("." + rest if rest else "")
        if rest and head[:1].islower():
            return name  # already qualified
        same = f"{package}.{head}" if package else head
        if same in self.classes:
            return same + ("." + rest if rest else "")
        for w in wildcards or []:
            cand = f"{w}.{head}"
            if cand in self.classes or cand in self.known:
                return cand + ("." + rest if rest else "")
        if head in JAVA_LANG:
            return "java.lang." + name
        return name

    def supertypes(self, fqn: str) -> tuple[str, ...]:
        """Direct supertypes (fully qualified where they can be resolved)."""
        if fqn in self._supers:
            return self._supers[fqn]
        out: tuple[str, ...] = ()
        c = self.classes.get(fqn)
        if c is not None:
            f = self.files.get(c.file)
            out = tuple(self.resolve(s, f) for s in c.super_names)
        elif fqn in self.library:
            out = self.library[fqn]
        self._supers[fqn] = out
        return out

    def ancestors(self, fqn: str, limit: int = 32) -> list[str]:
        """``fqn`` and every supertype above it (breadth first, cycles cut)."""
        seen = [fqn]
        i = 0
        while i < len(seen) and len(seen) < limit:
            for s in self.supertypes(seen[i]):
                if s not in seen:
                    seen.append(s)
            i += 1
        return seen

    def is_subtype(self, fqn: str, targets: tuple[str, ...] | set[str]) -> bool:
        return any(a in targets for a in self.ancestors(fqn))

    def descendants_of(self, targets: set[str]) -> set[str]:
        """Classes of the app that descend from one of ``targets``."""
        return {c for c in self.classes if c not in targets and self.is_subtype(c, targets)}
