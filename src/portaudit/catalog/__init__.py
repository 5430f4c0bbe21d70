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
    null_unbound: bool = False
    simple_name: str | None = None
    kind: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def class_descriptors(self) -> tuple[str, ...]:
        return tuple(java_to_descriptor(c) for c in self.classes)

    @property
    def param_descriptors(self) -> tuple[str, ...] | None:
        if self.params is None:
            return None
        return tuple(java_to_descriptor(p) for p in self.params)


_KNOWN = {
    "id", "class", "also_classes", "method", "params", "params_any", "transport", "port",
    "address", "host", "sockaddr", "name", "flag", "default", "default_port", "null_unbound",
    "simple_name", "kind",
}


def _spec(section: str, raw: dict[str, Any]) -> ApiSpec:
    classes = (raw["class"], *raw.get("also_classes", ()))
    params = None if raw.get("params_any") else tuple(raw.get("params", ()))
    ident = raw.get("id") or f"{raw['class']}.{raw['method']}"
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
        null_unbound=bool(raw.get("null_unbound", False)),
        simple_name=raw.get("simple_name"),
        kind=raw.get("kind"),
        extra={k: v for k, v in raw.items() if k not in _KNOWN},
    )


def _load_toml(name: str) -> dict[str, Any]:
    with resources.files(__package__).joinpath(name).open("rb") as fh:
        return tomllib.load(fh)


@functools.cache
def android_apis() -> tuple[ApiSpec, ...]:
    """Every entry of ``android_apis.toml`` (listeners, debug services, address producers, guards)."""
    data = _load_toml("android_apis.toml")
    specs: list[ApiSpec] = []
    for section in ("listener", "debug", "address", "guard"):
        for raw in data.get(section, []):
            specs.append(_spec(section, raw))
    return tuple(specs)


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


@functools.cache
def sdks() -> tuple[Sdk, ...]:
    data = _load_toml("sdks.toml")
    return tuple(
        Sdk(
            name=raw["name"],
            prefixes=tuple(raw["prefixes"]),
            ports=tuple(raw.get("ports", ())),
            listens=raw.get("listens"),
            debug=bool(raw.get("debug", False)),
            library=bool(raw.get("library", False)),
        )
        for raw in data["sdk"]
    )


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
