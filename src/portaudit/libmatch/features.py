"""Identifier-free features of classes and methods, and their similarity.

A type is kept by name only when it is a *platform* type (``java.*``, ``android.*``, ...): an
obfuscator cannot rename those.  Every other type becomes ``X``, or ``@`` when it is the class
being described.  A method is described by its abstracted descriptor (its *group*), a bag of
weighted tokens (string constants, platform calls / fields / types, abstracted library calls and
field accesses, integer literals) and the counts of instructions that dx translates one to one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .facts import REF_INVOKE, REF_NEW, REF_READ, REF_TYPE, REF_WRITE, ClassFacts, MethodFacts

PLATFORM_PREFIXES = ("Ljava/", "Landroid/", "Ldalvik/", "Lsun/", "Ljdk/", "Lorg/w3c/dom/", "Lorg/xml/sax/",
                     "Lorg/json/", "Ljavax/net/", "Ljavax/crypto/", "Ljavax/security/", "Ljavax/sql/",
                     "Ljavax/xml/parsers/", "Ljavax/xml/transform/", "Ljavax/xml/namespace/", "Ljavax/xml/xpath/",
                     "Ljavax/xml/validation/", "Ljavax/xml/datatype/", "Ljavax/xml/stream/", "Ljavax/management/",
                     "Ljavax/naming/", "Ljavax/script/", "Ljavax/microedition/")
# (other javax packages - servlet, jmdns, inject, annotation ... - ship as ordinary jars inside
# apps, and so can be renamed)

SELF = "@"  # the class being described
OTHER = "X"  # any other non-platform class

W_STRING = 3.0
W_PLATFORM = 2.0
W_LIBRARY = 1.0
W_INT = 1.0
W_SHAPE = 0.25  # per unit of instruction counts, for evidence only
MAX_METHODS = 2000  # an app class with more is none of a library's classes (and pairing would be quadratic)


def is_platform(desc: str) -> bool:
    return desc.lstrip("[").startswith(PLATFORM_PREFIXES)


def type_token(desc: str, self_desc: str) -> str:
    """Primitive and platform types as they are; the described class as @; any other class X."""
    dims = len(desc) - len(desc.lstrip("["))
    base = desc[dims:]
    if not base.startswith("L") or is_platform(base):
        return desc
    return "[" * dims + (SELF if base == self_desc else OTHER)


def split_desc(desc: str) -> tuple[list[str], str]:
    """``(ILjava/lang/String;)V`` -> (["I", "Ljava/lang/String;"], "V")."""
    body, ret = desc[1:].split(")", 1)
    out: list[str] = []
    i = 0
    while i < len(body):
        j = i
        while body[j] == "[":
            j += 1
        if body[j] == "L":
            j = body.index(";", j)
        out.append(body[i:j + 1])
        i = j + 1
    return out, ret


def desc_tokens(desc: str, self_desc: str) -> tuple[str, ...]:
    params, ret = split_desc(desc)
    return (*(type_token(p, self_desc) for p in params), "->", type_token(ret, self_desc))


@dataclass(frozen=True, slots=True)
class MethodFeatures:
    name: str  # as in the input (original in a profile, maybe renamed in an app)
    desc: str
    group: tuple  # (static, constructor kind, has code, abstracted descriptor with @ folded into X)
    exact: tuple[str, ...]  # abstracted descriptor keeping @
    bag: dict[str, float]
    shape: tuple[int, ...]
    evidence: float


def method_features(m: MethodFacts, self_desc: str) -> MethodFeatures:
    exact = desc_tokens(m.desc, self_desc)
    folded = tuple(t.replace(SELF, OTHER) for t in exact)
    kind = m.name if m.name in ("<init>", "<clinit>") else ""
    group = (m.static, kind, m.has_code, folded)
    bag: defaultdict[str, float] = defaultdict(float)
    for s in set(m.strings):
        bag["s:" + s] = W_STRING
    for v in set(m.ints):
        bag[f"i:{v}"] = W_INT
    for kind_, owner, name, desc in m.refs:
        if kind_ == REF_INVOKE:
            if is_platform(owner):
                bag[f"c:{owner}->{name}{desc}"] += W_PLATFORM
            else:
                o = SELF if owner == self_desc else OTHER
                bag["l:" + o + "." + " ".join(desc_tokens(desc, self_desc))] += W_LIBRARY
        elif kind_ in (REF_READ, REF_WRITE):
            if is_platform(owner):
                bag[f"{kind_}:{owner}.{name}:{desc}"] += W_PLATFORM
            else:
                o = SELF if owner == self_desc else OTHER
                bag[f"{kind_}:{o}:{type_token(desc, self_desc)}"] += W_LIBRARY
        elif kind_ in (REF_NEW, REF_TYPE):
            bag[f"{kind_}:{type_token(owner, self_desc)}"] += W_PLATFORM if is_platform(owner) else W_LIBRARY / 2
    evidence = sum(bag.values()) + W_SHAPE * min(sum(m.shape), 40)
    return MethodFeatures(m.name, m.desc, group, exact, dict(bag), m.shape, evidence)


@dataclass(frozen=True, slots=True)
class ClassFeatures:
    name: str
    interface: bool
    super: str  # token
    interfaces: tuple[str, ...]  # sorted tokens
    fields: tuple[tuple[bool, str], ...]  # sorted (static, type token)
    methods: tuple[MethodFeatures, ...]
    evidence: float


def class_features(c: ClassFacts) -> ClassFeatures:
    me = c.name
    methods = tuple(method_features(m, me) for m in c.methods)
    return ClassFeatures(
        name=me,
        interface=c.interface,
        super=type_token(c.super, me) if c.super else "-",
        interfaces=tuple(sorted(type_token(i, me) for i in c.interfaces)),
        fields=tuple(sorted((s, type_token(t, me)) for _n, t, s in c.fields)),
        methods=methods,
        evidence=sum(m.evidence for m in methods) + 0.5 * len(c.fields),
    )


# ---- similarity ------------------------------------------------------------------------------

def bag_similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Weighted Jaccard of two token bags (1.0 for two empty bags)."""
    if not a and not b:
        return 1.0
    inter = union = 0.0
    for k, va in a.items():
        vb = b.get(k, 0.0)
        inter += min(va, vb)
        union += max(va, vb)
    for k, vb in b.items():
        if k not in a:
            union += vb
    return inter / union if union else 1.0


def shape_similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    tot = sum(a) + sum(b)
    if not tot:
        return 1.0
    return 1.0 - sum(abs(x - y) for x, y in zip(a, b, strict=True)) / tot


def method_similarity(a: MethodFeatures, p: MethodFeatures) -> float:
    """Similarity of two methods of the same group, in [0, 1]."""
    s = 0.8 * bag_similarity(a.bag, p.bag) + 0.2 * shape_similarity(a.shape, p.shape)
    if a.exact != p.exact:
        s *= 0.7
    return s


def assign_methods(a: ClassFeatures, p: ClassFeatures) -> list[tuple[int, int, float]]:
    """One-to-one pairs (app method index, profile method index, similarity), greedily by
    similarity within each descriptor group."""
    by_group: dict[tuple, list[int]] = {}
    for j, m in enumerate(p.methods):
        by_group.setdefault(m.group, []).append(j)
    pairs: list[tuple[float, int, int]] = []
    for i, m in enumerate(a.methods):
        for j in by_group.get(m.group, ()):
            pairs.append((method_similarity(m, p.methods[j]), i, j))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_a: set[int] = set()
    used_p: set[int] = set()
    out = []
    for s, i, j in pairs:
        if i in used_a or j in used_p:
            continue
        used_a.add(i)
        used_p.add(j)
        out.append((i, j, s))
    return out


def _containment(a: tuple, p: tuple) -> float:
    """Share of ``a``'s items (a multiset) found in ``p``: shrinking only removes members."""
    if not a:
        return 1.0
    cp = Counter(p)
    hit = 0
    for x, n in Counter(a).items():
        hit += min(n, cp.get(x, 0))
    return hit / len(a)


@dataclass(frozen=True, slots=True)
class ClassScore:
    score: float  # similarity in [0, 1]
    evidence: float  # how much of the app class there was to compare
    pairs: tuple[tuple[int, int, float], ...]  # app method, profile method, similarity


def class_similarity(a: ClassFeatures, p: ClassFeatures) -> ClassScore:
    if a.interface != p.interface or len(a.methods) > MAX_METHODS:
        return ClassScore(0.0, a.evidence, ())
    pairs = assign_methods(a, p)
    tot = sum(1.0 + m.evidence for m in a.methods)
    got = sum((1.0 + a.methods[i].evidence) * s for i, _j, s in pairs)
    meth = got / tot if tot else 1.0
    hier = 0.5 * (a.super == p.super) + 0.5 * _containment(a.interfaces, p.interfaces)
    fields = _containment(a.fields, p.fields)
    score = 0.7 * meth + 0.15 * hier + 0.15 * fields
    return ClassScore(score, a.evidence, tuple(pairs))
