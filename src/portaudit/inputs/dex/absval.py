"""Abstract values of the DEX engine: :mod:`portaudit.values` plus what only bytecode needs.

The shared kinds (``Const``, ``Addr``, ``SockAddr``, ``OneOf``, ``Unknown``, ``FromParam``,
``FromField``, ``FromReturn``, ``FromConfig``) keep their meaning.  The engine adds:

``New(desc, pc)``        an object allocated by ``new-instance`` whose constructor has not run yet
``Obj(desc, site)``      an object of a known type (``site``: its ``new-instance`` pc, or -1)
``Bytes(data)``          a ``byte[]`` with known contents
``DebugFlag()``          derived from a debug flag (``BuildConfig.DEBUG``, ``FLAG_DEBUGGABLE``)
``AppFlags()``           ``ApplicationInfo.flags``
``HostOf(host, api)``    the address that ``api`` makes of a host value that is not known yet
                         (``InetAddress.getByName(p)``, ``new InetSocketAddress(p, port)``); it
                         becomes an ``Addr`` once ``host`` is a constant, with ``api``'s meaning
                         of null and ""
``UnixName(name, ns)``   an ``android.net.LocalSocketAddress`` (namespace ABSTRACT, FILESYSTEM or RESERVED)
``Call(method, args)``   a ``FromReturn`` that keeps the argument values, so the callee can be
                         followed and two calls on the same object compare equal
``FieldRead(...)``       a ``FromField`` that keeps the field reference and the object read from

A register holding ``None`` knows nothing (no reason to give).  Values nest (a ``Call`` of a
``Call``) only to :data:`MAX_DEPTH`; deeper ones become ``None`` so loops reach a fixpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...values import (
    HOST_SEMANTICS,
    Addr,
    Const,
    FromConfig,
    FromField,
    FromParam,
    FromReturn,
    OneOf,
    SockAddr,
    Unknown,
    Value,
    describe,
    host_value,
    one_of,
)

MAX_DEPTH = 4


@dataclass(frozen=True)
class New(Value):
    desc: str
    pc: int


@dataclass(frozen=True)
class Obj(Value):
    desc: str
    site: int = -1


@dataclass(frozen=True)
class Bytes(Value):
    data: tuple[int, ...]


@dataclass(frozen=True)
class DebugFlag(Value):
    pass


@dataclass(frozen=True)
class AppFlags(Value):
    pass


DBG = DebugFlag()
FLAGS = AppFlags()


@dataclass(frozen=True)
class UnixName(Value):
    """An ``android.net.LocalSocketAddress``: a name in a namespace (ABSTRACT, FILESYSTEM, RESERVED)."""

    name: Value
    namespace: str


@dataclass(frozen=True)
class HostOf(Value):
    host: Value
    api: str  # a key of values.HOST_SEMANTICS


@dataclass(frozen=True)
class Call(FromReturn):
    args: tuple[Value | None, ...] = ()
    static: bool = False
    depth: int = field(default=1, compare=False)


@dataclass(frozen=True)
class FieldRead(FromField):
    ref: str = ""  # "Lcom/x/Srv;->host:Ljava/lang/String;"
    obj: Value | None = None  # the object read from (None for a static field)
    static: bool = True


def depth(v: Value | None) -> int:
    if isinstance(v, Call):
        return v.depth
    if isinstance(v, (SockAddr,)):
        return 1 + max(depth(v.host), depth(v.port))
    if isinstance(v, HostOf):
        return 1 + depth(v.host)
    if isinstance(v, FieldRead):
        return 1 + depth(v.obj)
    return 0


def call(method: str, args: list[Value | None], static: bool) -> Call | None:
    d = 1 + max((depth(a) for a in args), default=0)
    if d > MAX_DEPTH:
        args = [a if depth(a) < MAX_DEPTH else None for a in args]
        d = MAX_DEPTH
    return Call(method, tuple(args), static, d)


def field_read(ref: str, obj: Value | None, static: bool) -> FieldRead:
    if obj is not None and depth(obj) >= MAX_DEPTH:
        obj = None
    return FieldRead(dotted_field(ref), "field not resolved", ref, obj, static)


def dotted_field(ref: str) -> str:
    """``Lcom/x/Srv;->host:Ljava/lang/String;`` -> ``com.x.Srv.host``."""
    cls, _, rest = ref.partition("->")
    return f"{dotted(cls)}.{rest.split(':', 1)[0]}"


def dotted(desc: str) -> str:
    if desc.startswith("L") and desc.endswith(";"):
        return desc[1:-1].replace("/", ".")
    return desc


def join(a: Value | None, b: Value | None) -> Value | None:
    """The value at a merge of two paths (None: nothing known)."""
    if a is b or a == b:
        return a
    if a is None or b is None:
        return None
    return one_of((a, b))


# ---- host values -----------------------------------------------------------------------------


def host_of(h: Value | None, api: str) -> Value | None:
    """The address ``api`` gives for host value ``h`` (a String host name or an InetAddress).

    A constant becomes an :class:`Addr` under the API's meaning of null and "" (values.HOST_SEMANTICS);
    an address stays itself; an alternative maps each option; anything not known yet is kept as
    :class:`HostOf` so it can be resolved at a caller (never a bind class by default)."""
    if h is None:
        return None
    if isinstance(h, Addr | Unknown):
        return h
    if isinstance(h, Const):
        v = h.value
        if v is None or isinstance(v, str):
            return host_value(v, HOST_SEMANTICS[api])
        return Unknown(f"host is the constant {v!r}")
    if isinstance(h, OneOf):
        return one_of(host_of(o, api) or Unknown("an alternative host is not known") for o in h.options)
    if isinstance(h, HostOf):
        return h
    if isinstance(h, FromConfig):
        d = host_of(h.default, api) if h.default is not None else None
        return FromConfig(h.source, h.key, d)
    return HostOf(h, api)


def host_reason(v: HostOf) -> str:
    return describe(v.host, "host of the address")


__all__ = [
    "AppFlags", "Bytes", "Call", "DBG", "DebugFlag", "FLAGS", "FieldRead", "FromParam", "HostOf", "New", "Obj",
    "call", "depth", "dotted", "dotted_field", "field_read", "host_of", "host_reason", "join",
]
