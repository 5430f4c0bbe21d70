"""From a listener API call to what the user is told: bind class, address, port, why.

The catalogue entry (``catalog/android_apis.toml``) says which argument holds the address, host,
socket address, port or socket name ("roles"), what a null / empty address means for that API,
and the library's default when no argument gives it.  Handlers fill roles that are not arguments:
``setters`` (``connector.setHost(h); connector.setPort(p)``, ``bootstrap.localAddress(...).bind()``)
and ``kotlin_default`` (the mask of a ``f$default`` bridge picks the library's defaults).

Every bind verdict goes through :func:`portaudit.values.bind_of`: a value that is not known gives
``unknown`` with its reason, never all-interfaces or loopback by default.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...catalog import ApiSpec
from ...model import Bind
from ...values import (
    Addr,
    Const,
    FromConfig,
    NullMeaning,
    OneOf,
    SockAddr,
    Unknown,
    Value,
    bind_of,
    config_of,
    describe,
    one_of,
    port_of,
)
from .absval import Call, Obj, UnixName, dotted, host_of
from .callsites import CallSite
from .context import Context
from .follow import parse_sig, show
from .libraries import library_root
from .parser import DexError

ROLES = ("port", "address", "host", "sockaddr", "name")


@dataclass
class Facts:
    bind: Bind
    address: str | None = None
    port: int | None = None
    reason: str | None = None
    alternatives: list[str] = field(default_factory=list)
    configurable: str | None = None


def is_static_call(ctx: Context, s: CallSite) -> bool:
    return ctx.dexes[s.dex].data[s.code_off + 16 + 2 * s.pc] in (0x71, 0x77)


def roles_at(ctx: Context, site: CallSite, args: list[Value | None]) -> dict[str, Value | None]:
    """The values of the entry's roles at a call site, handlers applied."""
    spec: ApiSpec = site.spec
    roles = {r: (args[i] if i < len(args) else None) for r in ROLES if (i := getattr(spec, r)) is not None}
    if spec.handler == "kotlin_default":
        _kotlin_defaults(spec, args, roles)
    elif spec.handler == "setters":
        for role, setter in spec.setters:
            roles[role] = _setter_value(ctx, site, args, role, setter)
    return roles


def _kotlin_defaults(spec: ApiSpec, args: list[Value | None], roles: dict[str, Value | None]) -> None:
    mask = args[spec.mask] if spec.mask is not None and spec.mask < len(args) else None
    defaults = dict(spec.defaults)
    for role in list(roles):
        i = getattr(spec, role)
        if role not in defaults or i is None:
            continue
        if not (isinstance(mask, Const) and isinstance(mask.value, int)):
            roles[role] = Unknown(f"the default-argument mask of {spec.method} is not a constant")
        elif mask.value & (1 << i):
            roles[role] = Const(defaults[role])


def _setter_value(ctx: Context, site: CallSite, args: list[Value | None], role: str, setter: str) -> Value:
    """What the setter calls on the API call's object give ``role``: in the same method (same
    receiver), or along the builder chain the receiver was made by."""
    static = is_static_call(ctx, site)
    recv = None if static else (args[0] if args else None)
    found: list[Value] = []
    chain = recv
    while isinstance(chain, Call):  # bootstrap.group(..).localAddress(8080).bind()
        cls, name, params, _ret = parse_sig(chain.method)
        if name == setter:
            found.append(_from_setter(role, params, list(chain.args[1:])))
        chain = chain.args[0] if chain.args and not chain.static else None
    sites = _setter_sites(ctx, site.spec, setter)
    here = [s for s in sites if s.dex == site.dex and s.code_off == site.code_off]
    for s in here:
        sargs = ctx.args_at(s)
        s_static = is_static_call(ctx, s)
        if not s_static and (recv is None or not sargs or sargs[0] != recv):
            continue
        params = parse_sig(ctx.sig(s.dex, s.target))[2]
        found.append(_from_setter(role, params, sargs if s_static else sargs[1:]))
    if found:
        return one_of(found)
    if role in ("host", "address") and (not sites or _stays_here(ctx, site, recv)):
        # no call of the setter anywhere in the app, or none can reach this object: the default
        return Const(None)
    if sites:
        where = ", ".join(ctx.site_location(s).short() for s in sites[:3])
        return Unknown(f"{setter}(...) is called at {where}, on an object not tied to this call")
    return Unknown(f"no {setter}(...) call gives this object its address")


def _stays_here(ctx: Context, site: CallSite, recv: Value | None) -> bool:
    """Whether the object ``recv`` is created in the method of ``site`` and never leaves it for app
    code (stored in a field, returned, or passed to an app method), so no setter elsewhere can
    reach it.  Handing it to the library itself (``server.addConnector(c)``) keeps it here."""
    if not isinstance(recv, Obj) or recv.site < 0:
        return False
    f = ctx.site_flow(site)
    if f is None:
        return False
    insns = f.code.insns
    dex = ctx.dexes[site.dex]
    for pc in f.pcs:
        op = insns[pc] & 0xFF
        if (0x59 <= op <= 0x5F or 0x67 <= op <= 0x6D or op == 0x11) and f.operand_at(pc) == recv:
            return False
        if (0x6E <= op <= 0x72 or 0x74 <= op <= 0x78) and recv in f.regs_at(pc):
            try:
                cls = dex.method_ref(insns[pc + 1])[0]
            except DexError:
                return False
            if ctx.program.defined(cls) and library_root(site.spec) is not None \
                    and not dotted(cls).startswith(library_root(site.spec) or ""):
                return False
    return True


def _setter_sites(ctx: Context, spec: ApiSpec, setter: str) -> list[CallSite]:
    refs = []
    for c in spec.class_descriptors:
        for d in ctx.dexes:
            try:
                t = d.find_type(c)
                for mi in d.methods_of_class(t) if t is not None else ():
                    _c, name, params, ret = d.method_ref(mi)
                    if name == setter:
                        refs.append((c, name, params, ret))
                if ctx.libraries:  # the setter under renamed names (library profiles, docs/profiles.md)
                    refs += [d.method_ref(mi) for mi in ctx.libraries.method_ids(d, c, setter, None, None)]
            except DexError:
                continue
    return ctx.calls_to(sorted(set(refs)), ("setter", setter)) if refs else []


def _from_setter(role: str, params: tuple[str, ...], args: list[Value | None]) -> Value:
    """The role value one setter call gives (``localAddress(int)`` / ``(String, int)`` /
    ``(InetAddress, int)`` / ``(SocketAddress)`` for socket addresses)."""
    a = [x if x is not None else Unknown("not a constant") for x in args]
    if role != "sockaddr":
        return a[0] if a else Unknown("setter without an argument")
    if params == ("I",):
        return SockAddr(Addr(Bind.ALL), a[0])
    if params == ("Ljava/lang/String;", "I"):
        return SockAddr(host_of(a[0], "java.net.InetSocketAddress(String,int)") or a[0], a[1])
    if params == ("Ljava/net/InetAddress;", "I"):
        return SockAddr(host_of(a[0], "java.net.InetSocketAddress(InetAddress,int)") or a[0], a[1])
    if len(params) == 1 and a:
        return a[0]
    return Unknown(f"a setter with parameters ({', '.join(dotted(p) for p in params)}) is not read")


# ---- the verdict ---------------------------------------------------------------------------


def meaning(spec: ApiSpec) -> NullMeaning:
    null = spec.null if spec.null in ("all-interfaces", "loopback", "specific", "unbound", "error") else None
    return NullMeaning(null, spec.empty, f"catalogue entry {spec.id}")


def facts(spec: ApiSpec, roles: dict[str, Value | None]) -> Facts | None:
    """The listener facts of one origin; None when the call opens no listening socket
    (``new DatagramSocket((SocketAddress) null)``: unbound)."""
    if spec.name is not None:
        return _unix(roles.get("name"))
    port_v: Value | None = roles.get("port")
    if "sockaddr" in roles:
        v = roles["sockaddr"]
        null_kind = spec.null
        if isinstance(v, Const) and v.value is None:
            if null_kind == "unbound":
                return None
            if null_kind in ("all-interfaces", "loopback"):
                return Facts(Bind(null_kind), port=0, reason=f"a null socket address: the {null_kind} address and an "
                                                              f"ephemeral port (catalogue entry {spec.id})")
            return Facts(Bind.UNKNOWN, reason=f"a null socket address makes {spec.id} fail")
        host_v, port_v = _split(v)
        verdict = bind_of(host_v, None, "address")
    elif "address" in roles:
        verdict = bind_of(roles["address"], meaning(spec), "address")
    elif "host" in roles:
        verdict = bind_of(roles["host"], meaning(spec), "host")
    else:
        if spec.default in (None, "unbound", "error"):
            return None
        verdict = bind_of(Addr(Bind(spec.default)))
    has_port = "port" in roles or "sockaddr" in roles
    port = port_of(port_v) if has_port else spec.default_port
    reason = verdict.reason
    if verdict.bind is not Bind.UNKNOWN and port is None and has_port:
        reason = _port_reason(port_v)
    cfg = config_of(port_v) or next((c for r in ("host", "address", "sockaddr") if (c := config_of(roles.get(r)))),
                                    None)
    return Facts(verdict.bind, verdict.literal, port, reason, list(verdict.alternatives), _configurable(cfg, port_v))


# developer.android.com LocalSocketAddress.Namespace: ABSTRACT (Linux abstract namespace), FILESYSTEM
# (a path), RESERVED (a socket in /dev/socket/, made by init)
_NAMESPACE_PREFIX = {"ABSTRACT": "@", "FILESYSTEM": "", "RESERVED": "/dev/socket/"}


def _unix(v: Value | None) -> Facts:
    """A UNIX-domain socket name: ``LocalServerSocket(String)`` is in the abstract namespace;
    ``LocalSocketAddress(name[, namespace])`` says its namespace (ABSTRACT by default)."""
    namespace = "ABSTRACT"
    if isinstance(v, UnixName):
        namespace, v = v.namespace, v.name
    if isinstance(v, Const) and isinstance(v.value, str) and namespace in _NAMESPACE_PREFIX:
        prefix = _NAMESPACE_PREFIX[namespace]
        return Facts(Bind.UNIX, prefix + v.value.lstrip("@\0") if prefix == "@" else prefix + v.value)
    if namespace not in _NAMESPACE_PREFIX:
        return Facts(Bind.UNIX, reason="the namespace of the socket address is not known")
    return Facts(Bind.UNIX, reason=describe(v, "socket name") if v is not None else "socket name is not known")


def _split(v: Value | None) -> tuple[Value | None, Value | None]:
    """(host, port) of a socket-address value (each option of a OneOf)."""
    if isinstance(v, SockAddr):
        return v.host, v.port
    socks = [o for o in v.options if isinstance(o, SockAddr)] if isinstance(v, OneOf) else []
    if isinstance(v, OneOf) and len(socks) == len(v.options):
        return one_of(o.host for o in socks), one_of(o.port for o in socks)
    return v, v


def _port_reason(v: Value | None) -> str:
    if isinstance(v, OneOf):
        ports = sorted({p for o in v.options if (p := port_of(o)) is not None})
        if ports and all(port_of(o) is not None for o in v.options):
            return "port is one of " + ", ".join(map(str, ports))
    if v is None:
        return "port is not known"
    return describe(v, "port")


def _configurable(cfg: FromConfig | None, port_v: Value | None) -> str | None:
    if cfg is None:
        return None
    what = "port" if cfg is config_of(port_v) else "address"
    shown = (f"; the default {show(cfg.default)} is shown" if cfg.default is not None
             else "; it has no default in the code")
    return f"{what}: {cfg.describe()}{shown}"
