"""The source listener catalogue (``catalog/source/apis.toml``): schema, loading, handler registry.

Each ``[[api]]`` names an API, the languages it applies to, the handler that reads its arguments
and the types it belongs to; each handler is a function in one of the language-family modules
(:mod:`.jvm`, :mod:`.js`, :mod:`.python`, :mod:`.go`, :mod:`.dart`, :mod:`.apple`, :mod:`.c`),
registered with :func:`handler`.  The catalogue is checked when it is loaded: an unknown key, a
value of the wrong type or an unknown handler name is an error (:class:`CatalogError`), so a typo
cannot silently turn an entry off.
"""

from __future__ import annotations

import functools
import importlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ...model import Bind

LANGS = ("java", "kotlin", "swift", "objc", "dart", "javascript", "typescript", "tsx", "c", "cpp", "python", "go")
FAMILY_MODULES = ("common", "jvm", "js", "python", "go", "dart", "apple", "c")
KINDS = ("call", "new", "super", "supertype", "message")
BINDS = ("all-interfaces", "loopback", "unknown", "required")
NULLS = ("all-interfaces", "loopback", "error", "none")


class CatalogError(ValueError):
    """The source catalogue does not follow its schema."""


@dataclass(frozen=True)
class Handler:
    name: str
    fn: Callable[..., Any]
    options: dict[str, type]  # handler-specific catalogue keys and their types


HANDLERS: dict[str, Handler] = {}


def handler(name: str, **options: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(scan, spec, call) -> list[Draft] | None`` as the handler ``name``; ``options``
    are the extra catalogue keys it reads (name -> type).  None means "not this API"."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        if name in HANDLERS and HANDLERS[name].fn is not fn:
            raise CatalogError(f"handler {name!r} registered twice")
        HANDLERS[name] = Handler(name, fn, dict(options))
        return fn
    return deco


# key -> (type, required); types: str, int, bool, list (of str)
COMMON_KEYS: dict[str, tuple[type, bool]] = {
    "id": (str, True),  # reported as Listener.api
    "langs": (list, True),  # tree-sitter languages
    "names": (list, True),  # last segment of the callee; "<init>" for constructors / super(...)
    "handler": (str, True),
    "transport": (str, False),  # tcp | udp | unix
    "classes": (list, False),  # the receiver / constructed class must be one of these or a subtype
    "modules": (list, False),  # the callee must come from one of these modules (imports)
    "match": (str, False),  # regex the whole callee text must match
    "kinds": (list, False),  # call kinds
    "host": (int, False), "port": (int, False),  # argument indexes (0-based, receiver not counted)
    "host_label": (str, False), "port_label": (str, False),  # keyword / named argument labels
    "default": (str, False),  # bind class when no address is given
    "default_doc": (str, False),  # where the library fixes that default (docs or code)
    "default_port": (int, False),
    "null": (str, False),  # what a null / None / nil host means
    "null_doc": (str, False),
    "requires": (str, False),  # regex a file must contain for this API to be possible there
    "fix": (str, False),  # what to change at this call
}


@dataclass(frozen=True)
class Spec:
    id: str
    langs: tuple[str, ...]
    names: tuple[str, ...]
    handler: str
    transport: str = "tcp"
    classes: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    match: re.Pattern[str] | None = None
    kinds: tuple[str, ...] | None = None
    host: int | None = None
    port: int | None = None
    host_label: str | None = None
    port_label: str | None = None
    default: str = "unknown"
    default_doc: str | None = None
    default_port: int | None = None
    null: str = "none"
    null_doc: str | None = None
    requires: str | None = None
    fix: str | None = None
    options: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def default_bind(self) -> Bind:
        return {"all-interfaces": Bind.ALL, "loopback": Bind.LOOPBACK}.get(self.default, Bind.UNKNOWN)

    def opt(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


def _check(raw: dict[str, Any], where: str) -> None:
    hname = raw.get("handler")
    if not isinstance(hname, str) or hname not in HANDLERS:
        raise CatalogError(f"{where}: unknown handler {hname!r} (known: {', '.join(sorted(HANDLERS))})")
    allowed = dict(COMMON_KEYS)
    allowed.update({k: (t, False) for k, t in HANDLERS[hname].options.items()})
    for key, value in raw.items():
        if key not in allowed:
            raise CatalogError(f"{where}: unknown key {key!r} for handler {hname!r}")
        typ = allowed[key][0]
        if typ is int and isinstance(value, bool) or not isinstance(value, typ):
            raise CatalogError(f"{where}: {key} must be {typ.__name__}, got {type(value).__name__}")
        if typ is list and isinstance(value, list) and not all(isinstance(x, str) for x in value):
            raise CatalogError(f"{where}: {key} must be a list of strings")
    for key, (_t, required) in allowed.items():
        if required and key not in raw:
            raise CatalogError(f"{where}: missing {key!r}")
    bad = [lang for lang in raw["langs"] if lang not in LANGS]
    if bad:
        raise CatalogError(f"{where}: unknown language(s) {bad}")
    for key, choices in (("transport", ("tcp", "udp", "unix")), ("default", BINDS), ("null", NULLS)):
        if key in raw and raw[key] not in choices:
            raise CatalogError(f"{where}: {key} must be one of {choices}, got {raw[key]!r}")
    for k in raw.get("kinds", ()):
        if k not in KINDS:
            raise CatalogError(f"{where}: unknown call kind {k!r}")
    if raw.get("default") in ("all-interfaces", "loopback") and not raw.get("default_doc"):
        raise CatalogError(f"{where}: a default bind needs default_doc (where the library fixes it)")
    for key in ("match", "requires"):
        if key in raw:
            try:
                re.compile(raw[key])
            except re.error as exc:
                raise CatalogError(f"{where}: {key} is not a regular expression ({exc})") from None


def load_handlers() -> None:
    for mod in FAMILY_MODULES:
        importlib.import_module(f"{__package__}.{mod}")


def parse(data: dict[str, Any]) -> tuple[Spec, ...]:
    """The specs of a parsed catalogue document (raises CatalogError)."""
    load_handlers()
    unknown_top = set(data) - {"api", "class", "factory"}
    if unknown_top:
        raise CatalogError(f"unknown section(s) {sorted(unknown_top)}")
    parse_classes(data)
    parse_factories(data)
    out = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("api", [])):
        where = f"[[api]] #{i + 1} ({raw.get('id', '?')})"
        _check(raw, where)
        key = raw["id"] + "|" + ",".join(raw["langs"])
        if key in seen:
            raise CatalogError(f"{where}: duplicate id for the same languages")
        seen.add(key)
        opts = {k: v for k, v in raw.items() if k not in COMMON_KEYS}
        out.append(Spec(
            id=raw["id"], langs=tuple(raw["langs"]), names=tuple(raw["names"]), handler=raw["handler"],
            transport=raw.get("transport", "tcp"), classes=tuple(raw.get("classes", ())),
            modules=tuple(raw.get("modules", ())),
            match=re.compile(raw["match"]) if raw.get("match") else None,
            kinds=tuple(raw["kinds"]) if raw.get("kinds") else None,
            host=raw.get("host"), port=raw.get("port"), host_label=raw.get("host_label"),
            port_label=raw.get("port_label"), default=raw.get("default", "unknown"),
            default_doc=raw.get("default_doc"), default_port=raw.get("default_port"),
            null=raw.get("null", "none"), null_doc=raw.get("null_doc"), requires=raw.get("requires"),
            fix=raw.get("fix"), options=opts,
        ))
    return tuple(out)


def parse_classes(data: dict[str, Any]) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """``[[class]]`` entries: library classes, their library supertypes and their fluent methods
    (methods that return the object itself), so that a subclass of a library subclass and a builder
    chain are still recognised.  Keys: ``name``, ``supers``, ``fluent``, ``doc``."""
    supers: dict[str, tuple[str, ...]] = {}
    fluent: dict[str, tuple[str, ...]] = {}
    for i, raw in enumerate(data.get("class", [])):
        where = f"[[class]] #{i + 1}"
        extra = set(raw) - {"name", "supers", "fluent", "doc"}
        if extra or not isinstance(raw.get("name"), str) or not isinstance(raw.get("doc"), str) \
                or not all(isinstance(raw.get(k, []), list) for k in ("supers", "fluent")):
            raise CatalogError(f"{where}: keys are name (str), supers (list), fluent (list), doc (str)"
                               + (f"; unknown {sorted(extra)}" if extra else ""))
        supers[raw["name"]] = tuple(raw.get("supers", ()))
        fluent[raw["name"]] = tuple(raw.get("fluent", ()))
    return supers, fluent


def parse_factories(data: dict[str, Any]) -> dict[str, str]:
    """``[[factory]]`` entries: a library method (``Class.method``) and the class it returns."""
    out: dict[str, str] = {}
    for i, raw in enumerate(data.get("factory", [])):
        if set(raw) != {"call", "returns", "doc"} or not all(isinstance(v, str) for v in raw.values()):
            raise CatalogError(f"[[factory]] #{i + 1}: keys are exactly call, returns, doc (strings)")
        out[raw["call"]] = raw["returns"]
    return out


@functools.cache
def _document() -> dict[str, Any]:
    with resources.files("portaudit.catalog").joinpath("source/apis.toml").open("rb") as fh:
        return tomllib.load(fh)


@functools.cache
def catalogue() -> tuple[Spec, ...]:
    return parse(_document())


@functools.cache
def library_supers() -> dict[str, tuple[str, ...]]:
    return parse_classes(_document())[0]


@functools.cache
def fluent_methods() -> dict[str, tuple[str, ...]]:
    return parse_classes(_document())[1]


@functools.cache
def factories() -> dict[str, str]:
    return parse_factories(_document())


@functools.cache
def known_classes() -> frozenset[str]:
    """Every library class the catalogue names (to resolve ``import a.b.*`` and find app subclasses)."""
    out = set(library_supers()) | {c for sup in library_supers().values() for c in sup}
    out |= set(factories().values()) | {c.rsplit(".", 1)[0] for c in factories()}
    for s in catalogue():
        if any(lang in ("java", "kotlin") for lang in s.langs):
            out |= set(s.classes)
    return frozenset(c for c in out if "." in c)


@functools.cache
def index(lang: str) -> dict[str, tuple[Spec, ...]]:
    idx: dict[str, list[Spec]] = {}
    for s in catalogue():
        if lang in s.langs:
            for n in s.names:
                idx.setdefault(n, []).append(s)
    return {k: tuple(v) for k, v in idx.items()}


def simple(name: str) -> str:
    return name.rsplit(".", 1)[-1].rsplit("$", 1)[-1]


@functools.cache
def _triggers(lang: str | None) -> tuple[tuple[tuple[bytes, ...], re.Pattern[bytes]], ...]:
    """Per API: literal anchors (one must occur: a cheap ``in`` test) and the regex that confirms."""
    out = []
    for s in catalogue():
        if lang is not None and lang not in s.langs:
            continue
        if s.requires:
            rx = s.requires
            anchors = tuple(sorted({a.encode() for a in re.findall(r"[A-Za-z_]{4,}", rx)}))
        else:
            names = sorted({simple(n) for n in s.names if n != "<init>"} | {simple(c) for c in s.classes
                                                                            if "<init>" in s.names})
            rx = r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\s*[(:<{]"
            anchors = tuple(n.encode() for n in names)
        out.append((anchors, re.compile(rx.encode())))
    out.append(((b"DebuggingEnabled",), re.compile(b"DebuggingEnabled")))
    if lang in (None, "go"):  # a Go listen function used as a value (var listen = net.Listen)
        out.append(((b"Listen",), re.compile(rb"\b(?:net|http|tls)\.Listen\w*\b(?!\s*\()")))
    return tuple(out)


@functools.cache
def _combined(lang: str | None) -> tuple[tuple[bytes, ...], re.Pattern[bytes]]:
    """Every anchor of the language, and one regex that is the union of the confirming ones."""
    triggers = _triggers(lang)
    anchors = tuple(sorted({a for t in triggers for a in t[0]}))
    return anchors, re.compile(b"|".join(b"(?:" + t[1].pattern + b")" for t in triggers))


def worth_parsing(src: bytes, lang: str | None = None, extra: tuple[bytes, ...] = ()) -> bool:
    """Does the file contain anything a catalogue API needs?  ``extra``: more literal anchors (the
    names of the project's own subclasses of catalogue classes).  Files that match nothing are never
    parsed."""
    if any(a in src for a in extra):
        return True
    anchors, rx = _combined(lang)
    if not any(a in src for a in anchors):
        return False
    return rx.search(src) is not None
