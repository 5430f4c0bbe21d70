"""Data files describing listener APIs, SDKs and well-known ports, loaded once."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

_PRIMITIVES = {
    "void": "V",
    "boolean": "Z",
    "byte": "B",
    "short": "S",
    "char": "C",
    "int": "I",
    "long": "J",
    "float": "F",
    "double": "D",
}


def java_to_descriptor(name: str) -> str:
    """``java.lang.String`` -> ``Ljava/lang/String;``, ``int`` -> ``I``, ``byte[]`` -> ``[B``."""
    dims = 0
    while name.endswith("[]"):
        dims += 1
        name = name[:-2]
    base = _PRIMITIVES.get(name) or "L" + name.replace(".", "/") + ";"
    return "[" * dims + base


def descriptor_to_java(desc: str) -> str:
    dims = 0
    while desc.startswith("["):
        dims += 1
        desc = desc[1:]
    if desc.startswith("L") and desc.endswith(";"):
        base = desc[1:-1].replace("/", ".")
    else:
        base = {v: k for k, v in _PRIMITIVES.items()}.get(desc, desc)
    return base + "[]" * dims


class CatalogError(ValueError):
    """A catalogue file does not follow its schema (an unknown key, handler or value)."""


# What the engine does with a null / "" address argument, or with no address at all.
BIND_WORDS = {"all-interfaces", "loopback", "specific", "unbound", "error"}
# Engine handlers an entry may ask for (see android_apis.toml): an unknown name is an error.
HANDLERS = {
    "setters",  # the address / port come from setter calls on the same object (``setters``)
    "kotlin_default",  # a Kotlin ``f$default`` bridge: a set bit of the ``mask`` argument means the default
}


@dataclass(frozen=True)
class ApiSpec:
    """One method of the listener / debug catalogue (see ``android_apis.toml``)."""

    id: str
    section: str  # "listener" | "debug" | "address" | "guard"
    classes: tuple[str, ...]  # dotted names, first is the main one
    method: str
    params: tuple[str, ...] | None  # None = any signature
    transport: str | None = None
    port: int | None = None
    address: int | None = None
    host: int | None = None
    sockaddr: int | None = None
    name: int | None = None
    flag: int | None = None
    default: str | None = None
    default_port: int | None = None
    null: str | None = None  # what a null address / host / socket address means for this API
    empty: str | None = None  # what an empty host string means
    simple_name: str | None = None
    kind: str | None = None
    handler: str | None = None
    setters: tuple[tuple[str, str], ...] = ()  # (role, setter method name): role host | address | sockaddr | port
    mask: int | None = None  # kotlin_default: index of the int mask argument
    defaults: tuple[tuple[str, Any], ...] = ()  # kotlin_default: role -> the library's default value
    library_prefix: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def class_descriptors(self) -> tuple[str, ...]:
        return tuple(java_to_descriptor(c) for c in self.classes)

    @property
    def param_descriptors(self) -> tuple[str, ...] | None:
        if self.params is None:
            return None
        return tuple(java_to_descriptor(p) for p in self.params)

    @property
    def null_unbound(self) -> bool:
        return self.null == "unbound"


_COMMON = {"id", "class", "also_classes", "method", "params", "params_any"}
# The schema: every key a section may use.  Anything else is a typo and an error at load.
SCHEMA: dict[str, set[str]] = {
    "listener": _COMMON | {"transport", "port", "address", "host", "sockaddr", "name", "default", "default_port",
                           "null", "empty", "simple_name", "handler", "setters", "mask", "defaults",
                           "library_prefix"},
    "debug": _COMMON | {"kind", "flag"},
    "address": _COMMON | {"result", "note", "from_string", "from_bytes", "from_address"},
    "guard": _COMMON | {"kind"},
}
_INDEX_KEYS = ("port", "address", "host", "sockaddr", "name", "flag", "mask")
_SETTER_ROLES = {"host", "address", "sockaddr", "port"}


def _check(section: str, raw: dict[str, Any], where: str) -> None:
    unknown = set(raw) - SCHEMA[section]
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for k in ("class", "method"):
        if not isinstance(raw.get(k), str):
            raise CatalogError(f"{where}: '{k}' is required (a string)")
    if "params" in raw and not (isinstance(raw["params"], list) and all(isinstance(p, str) for p in raw["params"])):
        raise CatalogError(f"{where}: 'params' must be a list of Java type names")
    for k in _INDEX_KEYS:
        if k in raw and not (isinstance(raw[k], int) and not isinstance(raw[k], bool) and raw[k] >= 0):
            raise CatalogError(f"{where}: '{k}' must be an argument index (an int >= 0)")
    for k in ("default", "null", "empty"):
        if k in raw and raw[k] not in BIND_WORDS:
            raise CatalogError(f"{where}: '{k}' = {raw[k]!r} is not one of {sorted(BIND_WORDS)}")
    if "transport" in raw and raw["transport"] not in {"tcp", "udp", "unix"}:
        raise CatalogError(f"{where}: transport {raw['transport']!r} is not tcp, udp or unix")
    handler = raw.get("handler")
    if handler is not None and handler not in HANDLERS:
        raise CatalogError(f"{where}: unknown handler {handler!r} (known: {', '.join(sorted(HANDLERS))})")
    if "setters" in raw:
        st = raw["setters"]
        if handler != "setters" or not isinstance(st, dict) or not st or set(st) - _SETTER_ROLES:
            raise CatalogError(f"{where}: 'setters' needs handler = \"setters\" and roles from {sorted(_SETTER_ROLES)}")
    if handler == "setters" and "setters" not in raw:
        raise CatalogError(f"{where}: handler \"setters\" needs a 'setters' table")
    if handler == "kotlin_default" and ("mask" not in raw or not isinstance(raw.get("defaults"), dict)):
        raise CatalogError(f"{where}: handler \"kotlin_default\" needs 'mask' and a 'defaults' table")


def _spec(section: str, raw: dict[str, Any], where: str = "android_apis.toml") -> ApiSpec:
    _check(section, raw, where)
    classes = (raw["class"], *raw.get("also_classes", ()))
    params = None if raw.get("params_any") else tuple(raw.get("params", ()))
    ident = raw.get("id") or f"{raw['class']}.{raw['method']}"
    extra: dict[str, Any] = {k: raw[k] for k in ("result", "note", "from_string", "from_bytes", "from_address")
                             if k in raw}
    return ApiSpec(
        id=ident,
        section=section,
        classes=tuple(classes),
        method=raw["method"],
        params=params,
        transport=raw.get("transport"),
        port=raw.get("port"),
        address=raw.get("address"),
        host=raw.get("host"),
        sockaddr=raw.get("sockaddr"),
        name=raw.get("name"),
        flag=raw.get("flag"),
        default=raw.get("default"),
        default_port=raw.get("default_port"),
        null=raw.get("null"),
        empty=raw.get("empty"),
        simple_name=raw.get("simple_name"),
        kind=raw.get("kind"),
        handler=raw.get("handler"),
        setters=tuple(sorted(raw.get("setters", {}).items())),
        mask=raw.get("mask"),
        defaults=tuple(sorted(raw.get("defaults", {}).items())),
        library_prefix=raw.get("library_prefix"),
        extra=extra,
    )


def _load_toml(name: str) -> dict[str, Any]:
    with resources.files(__package__).joinpath(name).open("rb") as fh:
        return tomllib.load(fh)


def load_android_apis(data: dict[str, Any], name: str = "android_apis.toml") -> tuple[ApiSpec, ...]:
    """Validate and read a parsed catalogue (every section, every entry, against :data:`SCHEMA`)."""
    unknown = set(data) - set(SCHEMA)
    if unknown:
        raise CatalogError(f"{name}: unknown section(s) {', '.join(sorted(unknown))}")
    specs: list[ApiSpec] = []
    for section in ("listener", "debug", "address", "guard"):
        for i, raw in enumerate(data.get(section, [])):
            where = f"{name}: [[{section}]] #{i + 1} ({raw.get('id') or raw.get('class', '?')})"
            specs.append(_spec(section, raw, where))
    ids = [s.id for s in specs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise CatalogError(f"{name}: duplicate id(s) {', '.join(dup)}")
    return tuple(specs)


@functools.cache
def android_apis() -> tuple[ApiSpec, ...]:
    """Every entry of ``android_apis.toml`` (listeners, debug services, address producers, guards)."""
    return load_android_apis(_load_toml("android_apis.toml"))


def android_section(section: str) -> tuple[ApiSpec, ...]:
    return tuple(s for s in android_apis() if s.section == section)


@dataclass(frozen=True)
class Sdk:
    name: str
    prefixes: tuple[str, ...]
    ports: tuple[int, ...] = ()
    listens: str | None = None
    debug: bool = False
    library: bool = False  # a general-purpose server library rather than an SDK known to open ports


_SDK_KEYS = {"name", "prefixes", "ports", "listens", "debug", "library"}


def load_sdks(data: dict[str, Any], name: str = "sdks.toml") -> tuple[Sdk, ...]:
    """Validate and read a parsed SDK catalogue (an unknown key is an error)."""
    out = []
    for i, raw in enumerate(data.get("sdk", [])):
        where = f"{name}: [[sdk]] #{i + 1} ({raw.get('name', '?')})"
        unknown = set(raw) - _SDK_KEYS
        if unknown:
            raise CatalogError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        if not isinstance(raw.get("name"), str) or not raw.get("prefixes"):
            raise CatalogError(f"{where}: 'name' and 'prefixes' are required")
        if not all(isinstance(p, str) and p.endswith(".") for p in raw["prefixes"]):
            raise CatalogError(f"{where}: every prefix is a package name ending with '.'")
        out.append(Sdk(name=raw["name"], prefixes=tuple(raw["prefixes"]), ports=tuple(raw.get("ports", ())),
                       listens=raw.get("listens"), debug=bool(raw.get("debug", False)),
                       library=bool(raw.get("library", False))))
    return tuple(out)


@functools.cache
def sdks() -> tuple[Sdk, ...]:
    return load_sdks(_load_toml("sdks.toml"))


@functools.cache
def _prefix_index() -> tuple[tuple[str, Sdk], ...]:
    pairs = [(p, s) for s in sdks() for p in s.prefixes]
    pairs.sort(key=lambda p: -len(p[0]))  # longest prefix wins
    return tuple(pairs)


def sdk_for_class(dotted: str) -> tuple[Sdk, str] | None:
    """The SDK a dotted class name belongs to, and the prefix that matched."""
    for prefix, sdk in _prefix_index():
        if dotted.startswith(prefix):
            return sdk, prefix.rstrip(".")
    return None


@functools.cache
def well_known_ports() -> dict[int, str]:
    data = _load_toml("ports.toml")
    return {int(k): v for k, v in data["ports"].items()}
