"""C server libraries whose address and port are not one argument: how each is read at the call.

* civetweb ``mg_start(callbacks, user_data, options)``: ``options`` is a NULL-terminated array of
  name / value strings; ``listening_ports`` is a comma-separated list of ``[addr:]port[s|r]``
  (``+port``: IPv4 and IPv6), ``"8080"`` when absent.  ``mg_start2(init, error)`` reads the same
  array from ``init->configuration_options`` (``struct mg_init_data``: three pointers).
* libmicrohttpd ``MHD_start_daemon(flags, port, apc, apc_cls, dh, dh_cls, ...)``: variadic
  ``(option, value)`` pairs ended by ``MHD_OPTION_END``; ``MHD_OPTION_SOCK_ADDR`` gives a
  ``struct sockaddr *``.  On Linux ABIs (AArch64, x86-64, ARM EABI, i386) variadic arguments are
  passed like the others, so they are the call's arguments from the seventh on.

The handlers are registered in :data:`.scan.KIND_HANDLERS` by :func:`.scan.handles`.
"""

from __future__ import annotations

from ...model import Bind
from .scan import ListenerSpec, Scanner, Site, Verdict, classify_host, decode_sockaddr, explain, handles

MAX_OPTIONS = 64  # name / value pairs read from one option array

# microhttpd.h (Debian libmicrohttpd-dev 0.9.75): enum MHD_OPTION and enum MHD_FLAG
MHD_OPTION_END = 0
MHD_OPTION_SOCK_ADDR = 6
MHD_OPTION_ARRAY = 15
# "followed by two arguments / TWO pointers": NOTIFY_COMPLETED, URI_LOG_CALLBACK, EXTERNAL_LOGGER,
# UNESCAPE_CALLBACK, DIGEST_AUTH_RANDOM, NOTIFY_CONNECTION, GNUTLS_PSK_CRED_HANDLER
MHD_OPTIONS_WITH_TWO_VALUES = {4, 7, 13, 16, 17, 27, 30}
MHD_USE_IPv6 = 16
_NO_OPTIONS_ARG = "the catalogue entry does not say which argument holds the options"


def _options(ctx: Site, ptr) -> tuple[dict[str, str], str | None]:
    """name -> value of a NULL-terminated ``const char *options[]``, or why it could not be read."""
    emu, st = ctx.emu, ctx.st
    if ptr[0] not in ("s", "c"):
        return {}, "the options array " + explain(ptr, ctx.fn)
    out: dict[str, str] = {}
    for i in range(MAX_OPTIONS):
        name = emu.load(st, emu.addr_of(ptr, 2 * i * emu.ptr), emu.ptr)
        if name == ("c", 0):
            return out, None
        value = emu.load(st, emu.addr_of(ptr, (2 * i + 1) * emu.ptr), emu.ptr)
        n, v = emu.cstring(st, name), emu.cstring(st, value)
        if n is None or v is None:
            return out, f"option {i + 1} of the options array " + explain(name if n is None else value, ctx.fn)
        out[n.decode("utf-8", "replace")] = v.decode("utf-8", "replace")
    return out, f"more than {MAX_OPTIONS} options"


def _listening_ports(text: str) -> list[tuple[Bind, str | None, int | None, str | None]]:
    """civetweb's listening_ports: "8080", "127.0.0.1:8080", "[::1]:8443s", "+8080", "8080,8443s"."""
    out: list[tuple[Bind, str | None, int | None, str | None]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        part = part.rstrip("sr")  # s: TLS, r: redirect to TLS
        dual = part.startswith("+")
        host, _, port = part.lstrip("+").rpartition(":")
        if not port.isdigit():
            out.append((Bind.UNKNOWN, None, None, f"unrecognised listening_ports entry {part!r}"))
            continue
        bind, addr = classify_host(host or None)
        if not host:  # civetweb: no address = INADDR_ANY; "+port" = in6addr_any, dual stack
            addr = "::" if dual else "0.0.0.0"
        out.append((bind, addr, int(port), None))
    return out


def _civetweb(sc: Scanner, ctx: Site, spec: ListenerSpec, ptr) -> Verdict:
    opts, problem = _options(ctx, ptr)
    if problem and "listening_ports" not in opts:
        return Verdict(transport=spec.transport, reason=problem)
    if "listening_ports" not in opts:
        return Verdict(port=spec.default_port, transport=spec.transport, defaulted=True,
                       reason=f"{spec.default}; the options do not set listening_ports",
                       configurable="civetweb listening_ports (absent: \"8080\")")
    ports = _listening_ports(opts["listening_ports"])
    note = f"listening_ports = {opts['listening_ports']!r}"
    first = ports[0] if ports else (Bind.UNKNOWN, None, None, "empty listening_ports")
    bind, addr, port, problem = first
    if len(ports) > 1:
        note += f" ({len(ports)} listeners; the first is reported)"
    return Verdict(bind, addr, port, spec.transport, problem or (spec.default if bind is Bind.ALL else None),
                   (note,), configurable="civetweb listening_ports")


@handles("civetweb_options")
def _civetweb_options(sc: Scanner, ctx: Site, spec: ListenerSpec) -> Verdict:
    if spec.options_arg is None:
        return Verdict(transport=spec.transport, reason=_NO_OPTIONS_ARG)
    return _civetweb(sc, ctx, spec, ctx.args[spec.options_arg])


@handles("struct")
def _struct(sc: Scanner, ctx: Site, spec: ListenerSpec) -> Verdict:
    """A structure argument; ``fields`` names its layout (only layouts fixed by the library's ABI)."""
    if spec.fields != "civetweb_init_data":  # struct mg_init_data { callbacks; user_data; configuration_options; }
        return Verdict(transport=spec.transport, reason=f"layout {spec.fields!r} is not known")
    init = ctx.args[spec.arg]
    if init[0] not in ("s", "c"):
        return Verdict(transport=spec.transport, reason="the mg_init_data pointer " + explain(init, ctx.fn))
    opts = ctx.emu.load(ctx.st, ctx.emu.addr_of(init, 2 * ctx.emu.ptr), ctx.emu.ptr)
    return _civetweb(sc, ctx, spec, opts)


@handles("mhd_options")
def _mhd_options(sc: Scanner, ctx: Site, spec: ListenerSpec) -> Verdict:
    emu, st = ctx.emu, ctx.st
    flags, port = emu.arg(st, 0, 4), emu.arg(st, spec.port_arg, 2)
    port_n = port[1] & 0xFFFF if port[0] == "c" else None
    first = spec.options_arg
    if first is None:
        return Verdict(port=port_n, transport=spec.transport, reason=_NO_OPTIONS_ARG)
    i = first
    while i < first + 2 * MAX_OPTIONS:
        opt = emu.arg(st, i, 4)  # enum MHD_OPTION: an int
        if opt[0] != "c":
            return Verdict(port=port_n, transport=spec.transport,
                           reason=f"option {(i - first) // 2 + 1} " + explain(opt, ctx.fn))
        if opt[1] & 0xFFFFFFFF == MHD_OPTION_END:
            break
        if opt[1] & 0xFFFFFFFF == MHD_OPTION_SOCK_ADDR:  # its port replaces the port argument
            res = decode_sockaddr(sc.img, emu, st, emu.arg(st, i + 1), ctx.fn)
            return Verdict(res.get("bind", Bind.UNKNOWN), res.get("address"), res.get("port"),
                           spec.transport, res.get("reason") or res.get("port_reason"), ("MHD_OPTION_SOCK_ADDR",))
        if opt[1] & 0xFFFFFFFF == MHD_OPTION_ARRAY:
            return Verdict(port=port_n, transport=spec.transport,
                           reason="the options continue in an MHD_OPTION_ARRAY (not followed)")
        i += 3 if opt[1] & 0xFFFFFFFF in MHD_OPTIONS_WITH_TWO_VALUES else 2
    else:
        return Verdict(port=port_n, transport=spec.transport, reason="the options list is not ended where it "
                       "could be read")
    v6 = flags[0] == "c" and bool(flags[1] & MHD_USE_IPv6)
    return Verdict(port=port_n, transport=spec.transport, defaulted=True,
                   reason=f"{spec.default}; no MHD_OPTION_SOCK_ADDR in the options" + (" (MHD_USE_IPv6)" if v6 else ""),
                   configurable="libmicrohttpd MHD_OPTION_SOCK_ADDR (absent: every interface)")
