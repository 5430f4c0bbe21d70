"""The abstract values every front end computes for a listener's address and port.

One small, typed domain shared by the bytecode engine (DEX), the source front ends and the native
readers, so that the same code means the same verdict whatever form it reaches portaudit in.

A value is one of:

``Const(v)``            a constant: int, str, bool, bytes, or ``None`` for the null literal
``Addr(bind, literal)`` an address already classified (``InetAddress.getLoopbackAddress()``, ``INADDR_ANY``)
``SockAddr(host, port)``  a socket address whose parts are values
``OneOf(options)``      one of several values, chosen by a branch, a setting or several writes
``Unknown(reason)``     not determined; the reason says why, for the user
``FromParam(i, ...)``   the i-th parameter of the enclosing function (resolved at each caller)
``FromField(f, ...)``   a field whose writes could not all be read
``FromReturn(m)``       the result of a method that was not (or could not be) followed
``FromConfig(...)``     a configuration read (``SharedPreferences.getInt(key, default)``,
                        ``System.getProperty``, an environment variable, a resource) with its default

**Unknown stays unknown.**  :func:`bind_of` turns a host/address value into a bind class.  Only a
constant or an classified address gives a definite class; every other value gives
``Bind.UNKNOWN`` with a reason, never all-interfaces or loopback by default.  What ``null`` or
``""`` mean is a property of the API that receives them, so callers pass that API's
:class:`NullMeaning` (from :data:`HOST_SEMANTICS`, or the catalogue entry of the listener API).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import Bind

# How many alternatives a OneOf keeps before it becomes Unknown (a value chosen among more
# options than this is, for the user, "computed").
MAX_OPTIONS = 8


class Value:
    """Base of every abstract value (frozen dataclasses: hashable, compared by value)."""

    __slots__ = ()


@dataclass(frozen=True)
class Const(Value):
    value: int | str | bool | bytes | None


NULL = Const(None)


@dataclass(frozen=True)
class Addr(Value):
    bind: Bind
    literal: str | None = None
    note: str | None = None  # e.g. "InetAddress.getByName(null) is the loopback address"


@dataclass(frozen=True)
class SockAddr(Value):
    host: Value
    port: Value


@dataclass(frozen=True)
class OneOf(Value):
    options: frozenset[Value]


@dataclass(frozen=True)
class Unknown(Value):
    reason: str


@dataclass(frozen=True)
class FromParam(Value):
    index: int
    name: str | None = None
    function: str | None = None  # the function or method whose parameter it is


@dataclass(frozen=True)
class FromField(Value):
    field: str  # "com.example.Srv.host" (dotted) or the source text of the field
    reason: str = "field not resolved"


@dataclass(frozen=True)
class FromReturn(Value):
    method: str


@dataclass(frozen=True)
class FromConfig(Value):
    source: str  # "SharedPreferences.getInt", "System.getProperty", "environment", "R.integer"
    key: str | None = None
    default: Value | None = None  # the default written in the code, if any

    def describe(self) -> str:
        k = f" {self.key!r}" if self.key else ""
        return f"configurable at run time ({self.source}{k})"


def one_of(values: Iterable[Value]) -> Value:
    """The join of several values: a single one stays itself; nested OneOf are flattened; an
    Unknown among them makes the whole Unknown (with its reason); too many options -> Unknown."""
    flat: set[Value] = set()
    for v in values:
        if isinstance(v, OneOf):
            flat |= v.options
        else:
            flat.add(v)
    if not flat:
        return Unknown("no value reaches this point")
    unknown = sorted((v for v in flat if isinstance(v, Unknown)), key=lambda u: u.reason)
    if unknown:
        return unknown[0]
    if len(flat) == 1:
        return next(iter(flat))
    if len(flat) > MAX_OPTIONS:
        return Unknown(f"one of more than {MAX_OPTIONS} values")
    return OneOf(frozenset(flat))


# ---- host strings and what null / "" mean per API -------------------------------------------


@dataclass(frozen=True)
class NullMeaning:
    """What an API does with a null host/address and with the empty host string.

    ``null`` / ``empty``: a Bind value, ``"unbound"`` (no socket is bound, e.g. ``DatagramSocket(null)``),
    ``"error"`` (the API throws: not a listener), or ``None`` when the API gives the value no special
    meaning (the empty string is then a host name like any other)."""

    null: str | None
    empty: str | None = None
    source: str = ""  # where this is documented


# The semantics of the address-producing APIs that both front ends evaluate.  Each entry cites the
# documentation (or the code) that fixes it.  Listener APIs carry their own null meaning in the
# catalogue (catalog/android_apis.toml, catalog/source/apis.toml).
HOST_SEMANTICS: dict[str, NullMeaning] = {
    # Javadoc of InetAddress.getByName: "If the host is null or host.length() is equal to zero, then
    # an InetAddress representing an address of the loopback interface is returned."
    "java.net.InetAddress.getByName(String)": NullMeaning(Bind.LOOPBACK.value, Bind.LOOPBACK.value,
                                                          "javadoc InetAddress.getByName"),
    "java.net.InetAddress.getAllByName(String)": NullMeaning(Bind.LOOPBACK.value, Bind.LOOPBACK.value,
                                                             "javadoc InetAddress.getAllByName"),
    # Javadoc of InetSocketAddress(InetAddress, int): "A null address will assign the wildcard address."
    "java.net.InetSocketAddress(InetAddress,int)": NullMeaning(Bind.ALL.value, None,
                                                               "javadoc InetSocketAddress(InetAddress,int)"),
    # InetSocketAddress(String, int): "IllegalArgumentException - if ... the hostname parameter is
    # null"; a non-null host name is resolved with InetAddress.getByName, so "" is loopback.
    "java.net.InetSocketAddress(String,int)": NullMeaning("error", Bind.LOOPBACK.value,
                                                          "javadoc InetSocketAddress(String,int); "
                                                          "OpenJDK resolves it with InetAddress.getByName"),
    # Python socket: "For IPv4 addresses, two special forms are accepted instead of a host address:
    # '' represents INADDR_ANY" (library/socket.html, socket families); None is a TypeError.
    "python.socket.bind": NullMeaning("error", Bind.ALL.value, "Python docs, socket families"),
    # Node.js net.Server.listen: "If host is omitted, the server will accept connections on the
    # unspecified IPv6 address (::) when IPv6 is available, or the unspecified IPv4 address (0.0.0.0)
    # otherwise."  null / undefined / "" are treated as omitted (lib/net.js: `if (!options.host)`).
    "node.net.Server.listen": NullMeaning(Bind.ALL.value, Bind.ALL.value, "Node.js docs server.listen"),
}

_ALL_TEXT = {"0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0", "::0", "0", "*", "0.0.0.0/0", "::/0"}
_LOOPBACK_TEXT = {"localhost", "ip6-localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1", "localhost.localdomain",
                  "::ffff:127.0.0.1"}


def classify_literal(host: str) -> tuple[Bind, str]:
    """A non-empty host text as written in code -> (bind class, literal kept as written).

    ``"0.0.0.0"``, ``"::"``, ``"*"`` are the wildcard; ``localhost``, ``127.0.0.0/8`` and ``::1`` are
    loopback; anything else (an interface address, a host name) is a specific address."""
    t = host.strip()
    low = t.lower()
    if low in _ALL_TEXT:
        return Bind.ALL, t
    if low in _LOOPBACK_TEXT or low.startswith("127.") or low.startswith("::ffff:127."):
        return Bind.LOOPBACK, t
    return Bind.SPECIFIC, t


def classify_bytes(raw: bytes) -> tuple[Bind, str | None]:
    """An address given as its 4 or 16 bytes (``InetAddress.getByAddress``, ``in_addr``)."""
    if len(raw) == 4:
        lit = ".".join(str(x) for x in raw)
        if not any(raw):
            return Bind.ALL, lit
        return (Bind.LOOPBACK if raw[0] == 127 else Bind.SPECIFIC), lit
    if len(raw) == 16:
        if not any(raw):
            return Bind.ALL, "::"
        if not any(raw[:15]) and raw[15] == 1:
            return Bind.LOOPBACK, "::1"
        return Bind.SPECIFIC, ":".join(f"{raw[i] << 8 | raw[i + 1]:x}" for i in range(0, 16, 2))
    return Bind.SPECIFIC, None


def host_value(text: str | None, meaning: NullMeaning) -> Value:
    """The address a host argument gives under an API's null/empty semantics."""
    if text is None:
        return _special(meaning.null, "null", meaning)
    if text == "" and meaning.empty is not None:
        return _special(meaning.empty, '""', meaning)
    if text == "":
        return Unknown("empty host name")
    bind, lit = classify_literal(text)
    return Addr(bind, lit)


def _special(kind: str | None, what: str, meaning: NullMeaning) -> Value:
    if kind is None:
        return Unknown(f"a {what} host has no documented meaning here")
    if kind in ("error", "unbound"):
        return Unknown(f"a {what} host makes this call fail or leaves the socket unbound ({meaning.source})")
    note = f"a {what} host is the {kind} address ({meaning.source})" if meaning.source else None
    return Addr(Bind(kind), None, note)


@dataclass(frozen=True)
class Verdict:
    """What a host/address value means for the user: one bind class, a literal, a reason for
    unknowns, and every outcome when a branch chooses."""

    bind: Bind
    literal: str | None = None
    reason: str | None = None
    alternatives: tuple[str, ...] = field(default_factory=tuple)


def bind_of(value: Value | None, meaning: NullMeaning | None = None, what: str = "address") -> Verdict:
    """The bind verdict of an address value.  ``meaning`` says what a null / empty host means for
    the API that received it (None: the API gives null no meaning, so it is unknown)."""
    if value is None:
        return Verdict(Bind.UNKNOWN, reason=f"{what} is not known")
    if isinstance(value, OneOf):
        outs = [bind_of(v, meaning, what) for v in value.options]
        kinds = {o.bind for o in outs}
        if Bind.UNKNOWN in kinds:
            why = sorted(o.reason for o in outs if o.bind is Bind.UNKNOWN and o.reason)
            return Verdict(Bind.UNKNOWN, reason=why[0] if why else f"{what} is not known")
        if len(kinds) == 1:
            lits = {o.literal for o in outs}
            return Verdict(kinds.pop(), lits.pop() if len(lits) == 1 else None)
        return Verdict(Bind.CONDITIONAL, alternatives=tuple(sorted(k.value for k in kinds)))
    if isinstance(value, Addr):
        return Verdict(value.bind, value.literal, value.note)
    if isinstance(value, FromConfig) and value.default is not None:
        dv = bind_of(value.default, meaning, what)
        return Verdict(dv.bind, dv.literal, f"{what} is {value.describe()}; the default is shown", dv.alternatives)
    if isinstance(value, SockAddr):
        return bind_of(value.host, meaning, what)
    if isinstance(value, Const):
        v = value.value
        if v is None or v == "":
            if meaning is None:
                return Verdict(Bind.UNKNOWN, reason=f"a {'null' if v is None else 'empty'} {what} "
                                                    "with no documented meaning for this API")
            return bind_of(host_value(v, meaning), None, what)
        if isinstance(v, str):
            if v.startswith(("\0", "@")):
                return Verdict(Bind.UNIX, "@" + v.lstrip("\0@"))
            b, lit = classify_literal(v)
            return Verdict(b, lit)
        if isinstance(v, bytes):
            b, lit2 = classify_bytes(v)
            return Verdict(b, lit2)
        return Verdict(Bind.UNKNOWN, reason=f"{what} is the constant {v!r}")
    return Verdict(Bind.UNKNOWN, reason=describe(value, what))


def describe(value: Value, what: str = "value") -> str:
    """The user-facing reason why ``value`` is not a constant."""
    if isinstance(value, Unknown):
        return value.reason
    if isinstance(value, FromParam):
        fn = f" of {value.function}" if value.function else ""
        nm = f" {value.name}" if value.name else f" {value.index}"
        return f"{what} is parameter{nm}{fn}, with no caller that gives it a constant"
    if isinstance(value, FromField):
        return f"{what} comes from field {value.field}: {value.reason}"
    if isinstance(value, FromReturn):
        return f"{what} is the result of {value.method}"
    if isinstance(value, FromConfig):
        return f"{what} is {value.describe()}"
    return f"{what} is not a constant"


def port_of(value: Value | None) -> int | None:
    """A port number when the value is one known int (or its digits), else None.  A configurable
    value (``getInt("port", 2121)``) gives its default: that is the port unless someone changes the
    setting, and :func:`config_of` says that it can change."""
    if isinstance(value, SockAddr):
        return port_of(value.port)
    if isinstance(value, FromConfig):
        return port_of(value.default) if value.default is not None else None
    if isinstance(value, Const):
        v = value.value
        if isinstance(v, bool):
            return None
        if isinstance(v, int) and 0 <= v <= 65535:
            return v
        if isinstance(v, str) and v.isdigit() and int(v) <= 65535:
            return int(v)
    if isinstance(value, OneOf):
        ports = {port_of(v) for v in value.options}
        if len(ports) == 1:
            return ports.pop()
    return None


def config_of(value: Value | None) -> FromConfig | None:
    """The configuration read behind a value (directly, in a socket address, or in one option)."""
    if isinstance(value, FromConfig):
        return value
    if isinstance(value, SockAddr):
        return config_of(value.host) or config_of(value.port)
    if isinstance(value, OneOf):
        for v in sorted(value.options, key=repr):
            c = config_of(v)
            if c is not None:
                return c
    return None
