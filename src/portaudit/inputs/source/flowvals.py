"""Source-only helpers around the shared value domain (:mod:`portaudit.values`).

Two shapes exist only while one file is being read and never leave it: :class:`Seq` (a tuple or
list literal) and :class:`Record` (an object / dict / struct literal); they hold syntax nodes that
the handlers read.  :class:`Via` marks a host that went through an address-producing API
(``InetAddress.getByName(host)``): what a null or empty host means there is applied once the host
is known, which may be only after a caller in another file has been found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, overload

from ...model import Bind
from ...values import (HOST_SEMANTICS, Addr, Const, FromConfig, FromField, FromParam, FromReturn, NullMeaning,
                       OneOf, SockAddr, Unknown, Value, host_value, one_of)

SYMBOLIC = (FromParam, FromField, FromReturn)
Symbolic = FromParam | FromField | FromReturn  # a value still to be resolved through the project


@dataclass(frozen=True, eq=False)
class Seq(Value):
    items: tuple[Any, ...]  # syntax nodes


@dataclass(frozen=True, eq=False)
class Record(Value):
    pairs: tuple[tuple[str, Any], ...]  # (key, value node)

    def get(self, key: str) -> Any:
        for k, v in self.pairs:
            if k == key:
                return v
        return None

    def keys(self) -> set[str]:
        return {k for k, _ in self.pairs}


@dataclass(frozen=True)
class JoinParam(FromParam):
    """A parameter whose callers' arguments are joined into one value instead of giving one listener
    each (the parameter of a setter that writes a field read by the listener)."""


@dataclass(frozen=True)
class Via(Value):
    api: str  # a key of values.HOST_SEMANTICS
    inner: Value


# What a null / empty host means for address producers of other languages, by their own documentation.
SOURCE_SEMANTICS: dict[str, NullMeaning] = {
    **HOST_SEMANTICS,
    # Go net.Listen: "If the host in the address parameter is empty or a literal unspecified IP
    # address, Listen listens on all available unicast and anycast IP addresses of the local system."
    "go.net.Listen": NullMeaning(None, Bind.ALL.value, "Go net.Listen documentation"),
    # asyncio loop.create_server: "If host is an empty string or None, all interfaces are assumed"
    "python.asyncio.create_server": NullMeaning(Bind.ALL.value, Bind.ALL.value,
                                                "Python docs, loop.create_server"),
    # NanoHTTPD.start(): "myServerSocket.bind(hostname != null ? new InetSocketAddress(hostname, myPort)
    # : new InetSocketAddress(myPort))" -- null is the wildcard, a name is resolved (so "" is loopback).
    "NanoHTTPD(String,int)": NullMeaning(Bind.ALL.value, Bind.LOOPBACK.value,
                                         "NanoHTTPD.start(): hostname null -> new InetSocketAddress(port)"),
}


def settle(v: Value) -> Value:
    """A setting joined with constants is that setting with the constants as its default
    (``addr = "127.0.0.1:7171"; if len(os.Args) > 1 { addr = os.Args[1] }``)."""
    if not isinstance(v, OneOf):
        return v
    cfg = [o for o in v.options if isinstance(o, FromConfig) and o.default is None]
    rest = [o for o in v.options if o not in cfg]
    if len(cfg) == 1 and rest and all(isinstance(o, (Const, Addr)) for o in rest):
        return FromConfig(cfg[0].source, cfg[0].key, one_of(rest))
    return v


def meaning(key: str | None) -> NullMeaning | None:
    return SOURCE_SEMANTICS.get(key) if key else None


def named(bind: Bind, literal: str | None, note: str | None = None) -> Addr:
    return Addr(bind, literal, note)


def apply_via(v: Value) -> Value:
    """Resolve every :class:`Via` whose inner value is known now."""
    if isinstance(v, Via):
        inner = apply_via(v.inner)
        m = SOURCE_SEMANTICS.get(v.api)
        if isinstance(inner, Const) and (inner.value is None or inner.value == ""):
            if m is None:
                return Unknown(f"a {'null' if inner.value is None else 'empty'} host given to {v.api}, "
                               "whose meaning depends on an overload that was not resolved")
            return host_value(inner.value, m)
        if isinstance(inner, OneOf):
            return one_of(apply_via(Via(v.api, o)) for o in inner.options)
        if isinstance(inner, FromConfig) and inner.default is not None:
            return FromConfig(inner.source, inner.key, apply_via(Via(v.api, inner.default)))
        if isinstance(inner, (Const, Addr, Unknown, FromConfig)):
            return inner
        return Via(v.api, inner)
    if isinstance(v, OneOf):
        return one_of(apply_via(o) for o in v.options)
    if isinstance(v, SockAddr):
        return SockAddr(apply_via(v.host), apply_via(v.port))
    if isinstance(v, FromConfig) and v.default is not None:
        return FromConfig(v.source, v.key, apply_via(v.default))
    return v


@overload
def portable(v: Value) -> Value: ...
@overload
def portable(v: None) -> None: ...


def portable(v: Value | None) -> Value | None:
    """The value without file-local parts (a tuple or record literal holds syntax nodes): what may
    leave the file's process."""
    if v is None:
        return None
    if isinstance(v, Seq):
        return Unknown("a tuple or list value")
    if isinstance(v, Record):
        return Unknown("an object or record value")
    if isinstance(v, OneOf):
        return one_of(portable(o) or o for o in v.options)
    if isinstance(v, SockAddr):
        return SockAddr(portable(v.host) or v.host, portable(v.port) or v.port)
    if isinstance(v, Via):
        return Via(v.api, portable(v.inner) or v.inner)
    if isinstance(v, FromConfig) and v.default is not None:
        return FromConfig(v.source, v.key, portable(v.default))
    return v


def strip_via(v: Value) -> Value:
    """The value with any remaining :class:`Via` removed (its inner value is not known: the
    producer's null meaning does not matter then)."""
    v = apply_via(v)
    if isinstance(v, Via):
        return strip_via(v.inner)
    if isinstance(v, OneOf):
        return one_of(strip_via(o) for o in v.options)
    if isinstance(v, SockAddr):
        return SockAddr(strip_via(v.host), strip_via(v.port))
    return v


def leaves(v: Value | None) -> Iterator[Symbolic]:
    """The symbolic parts of a value (parameters, fields, method results) still to be resolved."""
    if v is None:
        return
    if isinstance(v, SYMBOLIC):
        yield v
    elif isinstance(v, OneOf):
        for o in sorted(v.options, key=repr):
            yield from leaves(o)
    elif isinstance(v, SockAddr):
        yield from leaves(v.host)
        yield from leaves(v.port)
    elif isinstance(v, Via):
        yield from leaves(v.inner)
    elif isinstance(v, FromConfig) and v.default is not None:
        yield from leaves(v.default)


def substitute(v: Value | None, fn: Callable[[Value], Value | None]) -> Value | None:
    """``v`` with each symbolic leaf ``x`` replaced by ``fn(x)`` (kept when it returns None)."""
    if v is None:
        return None
    if isinstance(v, SYMBOLIC):
        got = fn(v)
        return v if got is None else got
    if isinstance(v, OneOf):
        return one_of(substitute(o, fn) or o for o in v.options)
    if isinstance(v, SockAddr):
        return SockAddr(substitute(v.host, fn) or v.host, substitute(v.port, fn) or v.port)
    if isinstance(v, Via):
        return Via(v.api, substitute(v.inner, fn) or v.inner)
    if isinstance(v, FromConfig) and v.default is not None:
        return FromConfig(v.source, v.key, substitute(v.default, fn))
    return v


def split_sockaddr(v: Value | None) -> tuple[Value | None, Value | None]:
    """(host, port) of a socket-address value; options that are socket addresses are split
    option by option."""
    if v is None:
        return None, None
    if isinstance(v, SockAddr):
        return v.host, v.port
    socks = [o for o in v.options if isinstance(o, SockAddr)] if isinstance(v, OneOf) else []
    if isinstance(v, OneOf) and len(socks) == len(v.options):
        return one_of(o.host for o in socks), one_of(o.port for o in socks)
    return v, None


def const_str(v: Value | None) -> str | None:
    """The string of a constant (or of a configurable value's default)."""
    if isinstance(v, FromConfig):
        v = v.default
    if isinstance(v, Const) and isinstance(v.value, str):
        return v.value
    return None


def const_int(v: Value | None) -> int | None:
    if isinstance(v, Const) and isinstance(v.value, int) and not isinstance(v.value, bool):
        return v.value
    if isinstance(v, Const) and isinstance(v.value, str) and v.value.strip().isdigit():
        return int(v.value.strip())
    return None


def is_true(v: Value | None) -> bool | None:
    """True / False when the value is that boolean (or 1 / 0), else None."""
    if isinstance(v, FromConfig):
        v = v.default
    if isinstance(v, Const):
        if isinstance(v.value, bool):
            return v.value
        if isinstance(v.value, int):
            return v.value != 0
    if isinstance(v, OneOf):
        got = {is_true(o) for o in v.options}
        if len(got) == 1:
            return got.pop()
    return None


def map_options(v: Value, fn: Callable[[Value], Value]) -> Value:
    """``fn`` applied to each option of a OneOf (or to the value itself)."""
    if isinstance(v, OneOf):
        return one_of(fn(o) for o in v.options)
    return fn(v)


def unknown_reason(v: Value) -> str | None:
    return v.reason if isinstance(v, Unknown) else None


__all__ = ["Addr", "Const", "FromConfig", "FromField", "FromParam", "FromReturn", "OneOf", "Record", "Seq",
           "SockAddr", "Unknown", "Value", "Via", "apply_via", "const_int", "const_str", "is_true", "leaves",
           "map_options", "meaning", "named", "one_of", "split_sockaddr", "strip_via", "substitute"]
