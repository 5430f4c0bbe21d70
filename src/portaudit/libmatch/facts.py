"""What a class looks like, read the same way from a JVM class file and from a DEX class.

``ClassFacts`` / ``MethodFacts`` still carry identifiers (class, method and field names, as
descriptors); ``features.py`` turns them into identifier-free features.  Keeping the raw facts
(rather than only the features) lets a profile map a renamed method back to its original name
and descriptor, and lets the abstraction change without rebuilding profiles.

Only facts that survive the JVM -> Dalvik translation by dx are collected (docs/profiles.md):
string constants, member and type references in code order, integer literals, and counts of
instructions that dx maps one to one (invokes, conditional branches, switches, throws,
new-instance, field reads and writes, casts).
"""

from __future__ import annotations

from dataclasses import dataclass

# indices into MethodFacts.shape
SHAPE = ("invokes", "branches", "switches", "throws", "news", "reads", "writes", "casts")
INVOKES, BRANCHES, SWITCHES, THROWS, NEWS, READS, WRITES, CASTS = range(len(SHAPE))

# reference kinds in MethodFacts.refs
REF_INVOKE = "i"  # (kind, owner, name, method descriptor)
REF_READ = "g"  # (kind, owner, name, field type)
REF_WRITE = "p"
REF_NEW = "n"  # (kind, type, "", "")
REF_TYPE = "t"  # check-cast / instance-of / const-class / arrays: (kind, type, "", "")

# small integer literals carry no information (booleans, null, indices, increments)
_BORING_INTS = frozenset((-1, 0, 1, 2, 3))
MAX_INT_LITERAL = 1 << 16  # larger values are mostly float / double bit patterns in DEX


def keep_int(v: int) -> bool:
    return v not in _BORING_INTS and -MAX_INT_LITERAL <= v <= MAX_INT_LITERAL


@dataclass(frozen=True, slots=True)
class MethodFacts:
    name: str
    desc: str  # "(params)ret" in descriptor syntax
    static: bool
    has_code: bool
    strings: tuple[str, ...] = ()
    refs: tuple[tuple[str, str, str, str], ...] = ()
    ints: tuple[int, ...] = ()
    shape: tuple[int, ...] = (0,) * len(SHAPE)


@dataclass(frozen=True, slots=True)
class ClassFacts:
    name: str  # descriptor, "Lio/netty/bootstrap/ServerBootstrap;"
    interface: bool
    abstract: bool
    super: str | None  # descriptor or None
    interfaces: tuple[str, ...]
    fields: tuple[tuple[str, str, bool], ...]  # (name, type descriptor, static)
    methods: tuple[MethodFacts, ...]

    def method(self, name: str, desc: str) -> MethodFacts | None:
        for m in self.methods:
            if m.name == name and m.desc == desc:
                return m
        return None


def internal_to_desc(name: str) -> str:
    """``java/lang/String`` -> ``Ljava/lang/String;``; array descriptors are returned unchanged."""
    return name if name.startswith("[") else "L" + name + ";"
