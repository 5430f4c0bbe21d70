"""Listeners in one native image (ELF or Mach-O): call sites, recovered sockaddrs, embedded servers."""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from ...model import Bind, DebugService, Listener, Location, Origin
from . import go
from .callsites import CallSite, call_sites
from .catalog import catalog
from .emulate import Emulator
from .machine import SUPPORTED, State, U
from .image import Image

MAX_FUNCTION_BYTES = 64 * 1024  # emulate at most this much code before a call site
WINDOW_BYTES = 512  # when the function start is unknown
MAX_CALLER_SEARCHES = 32  # one-level caller resolution: searches per image


@dataclass(frozen=True)
class ListenerSpec:
    """One ``[[listener]]`` of the catalogue (see catalog/native.toml for the meaning of each key)."""

    name: str
    api: str
    kind: str
    arg: int = 1
    host_arg: int = 1
    port_arg: int = 1
    transport: str | None = None
    default: str | None = None
    default_bind: str | None = None  # what the library binds when the address is not given
    default_address: str | None = None
    default_port: int | None = None
    restricted_by: tuple[str, ...] = ()  # symbols through which the default can be narrowed
    source: str | None = None
    fix: str | None = None
    options_arg: int | None = None
    options: str | None = None
    fields: str | None = None


@functools.cache
def listener_specs() -> dict[str, ListenerSpec]:
    out = {}
    for raw in catalog().get("listener", []):
        raw = dict(raw)
        raw["restricted_by"] = tuple(raw.get("restricted_by", ()))
        out[raw["name"]] = ListenerSpec(**raw)
    return out


@functools.cache
def _string_regex() -> tuple[re.Pattern, dict[bytes, dict]]:
    needles: dict[bytes, dict] = {}
    for srv in catalog().get("server", []):
        for s in srv.get("strings", []):
            needles[s.encode("latin-1")] = srv
    pat = re.compile(b"|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))
    return pat, needles


AF = {"linux": {1: "unix", 2: "inet", 10: "inet6"}, "darwin": {1: "unix", 2: "inet", 30: "inet6"}}


def _family(img: Image, bs: list) -> tuple[int | None, object]:
    if img.platform == "darwin":
        b = bs[1]
        return (b, None) if isinstance(b, int) else (None, b)
    if isinstance(bs[0], int) and isinstance(bs[1], int):
        return bs[0] | (bs[1] << 8), None
    return None, bs[0] if not isinstance(bs[0], int) else bs[1]


def explain(v, fn: str) -> str:
    """A human reason for an unknown value."""
    if not (isinstance(v, tuple) and len(v) == 2 and v[0] == "u" and isinstance(v[1], str)):
        return "comes from a value that is not a constant (a pointer or a register)"
    why = v[1]
    if why.startswith("param:"):
        return f"comes from parameter {int(why[6:]) + 1} of {fn}"
    if why.startswith("socket#"):
        return "comes from a socket() call"
    if why.startswith("caller's stack"):
        return f"comes from a stack-passed parameter of {fn}"
    return f"comes from {why}"


def decode_sockaddr(img: Image, emu: Emulator, st, ptr, fn: str) -> dict:
    """bind / address / port / family (or a reason) from the sockaddr a call receives."""
    if ptr[0] == "u":
        return {"bind": Bind.UNKNOWN, "reason": "the sockaddr pointer " + explain(ptr, fn)}
    if ptr[0] not in ("s", "c"):
        return {"bind": Bind.UNKNOWN, "reason": "the sockaddr pointer could not be followed"}
    where = emu.addr_of(ptr, 0)
    bs = emu.load_bytes(st, where, 110)
    fam, why = _family(img, bs)
    famname = AF.get(img.platform, AF["linux"]).get(fam) if fam is not None else None
    static = " (static data)" if ptr[0] == "c" else ""
    if famname is None:
        if fam is None:
            return {"bind": Bind.UNKNOWN, "reason": "the address family " + explain(why, fn)}
        return {"bind": Bind.UNKNOWN, "reason": f"unrecognised address family {fam}{static}"}
    if famname == "unix":
        path = bytearray()
        for b in bs[2:]:
            if not isinstance(b, int):
                if not path or path == b"\0":
                    return {"bind": Bind.UNIX, "family": "unix", "address": None,
                            "reason": "the socket path " + explain(b, fn)}
                break
            if b == 0 and path:
                if path[0] != 0:
                    break
                # abstract names may contain NULs only as padding: stop at the first one after the name
                break
            path.append(b)
        name = bytes(path)
        text = "@" + name[1:].decode("utf-8", "replace") if name.startswith(b"\0") else name.decode("utf-8", "replace")
        return {"bind": Bind.UNIX, "family": "unix", "address": text or None}
    port_b = bs[2:4]
    port = (port_b[0] << 8 | port_b[1]) if all(isinstance(b, int) for b in port_b) else None
    out: dict = {"family": famname, "port": port}
    if port is None:
        out["port_reason"] = "the port " + explain(next(b for b in port_b if not isinstance(b, int)), fn)
    ab = bs[4:8] if famname == "inet" else bs[8:24]
    if not all(isinstance(b, int) for b in ab):
        unknown = next(b for b in ab if not isinstance(b, int))
        out.update(bind=Bind.UNKNOWN, reason="the address " + explain(unknown, fn))
        return out
    ip = ipaddress.ip_address(bytes(ab))
    out["address"] = str(ip)
    if ip.is_unspecified:
        out["bind"] = Bind.ALL
    elif ip.is_loopback:
        out["bind"] = Bind.LOOPBACK
    else:
        out["bind"] = Bind.SPECIFIC
    if static:
        out["note"] = "sockaddr read from static data" + (
            " (writable: may change at run time)" if img.writable(ptr[1]) else "")
    return out


def classify_host(host: str | None) -> tuple[Bind, str | None]:
    if host is None or host in ("", "*", "0.0.0.0", "::", "[::]", "0"):
        return Bind.ALL, (host or None)
    h = host.strip("[]")
    if h == "localhost":
        return Bind.LOOPBACK, h
    try:
        ip = ipaddress.ip_address(h)
    except ValueError:
        return Bind.UNKNOWN, h
    if ip.is_unspecified:
        return Bind.ALL, h
    return (Bind.LOOPBACK if ip.is_loopback else Bind.SPECIFIC), h


_URL = re.compile(r"^(?:(?P<scheme>[a-z]+)://)?(?:(?P<host>\[[0-9a-fA-F:.]+\]|[^:/]*):)?(?P<port>\d{1,5})(?:[/?].*)?$")


class ListenString(NamedTuple):
    """A listen string such as ``"8000"``, ``"tcp://127.0.0.1:8000"``, ``"udp://:53"``."""

    bind: Bind
    address: str | None  # None: the string names no host (only a port)
    port: int | None
    transport: str | None  # "udp" for a udp:// scheme
    problem: str | None = None  # why the string was not understood


def parse_url_listen(text: str) -> ListenString:
    m = _URL.match(text.strip())
    if not m:
        return ListenString(Bind.UNKNOWN, None, None, None, f"unrecognised listen string {text!r}")
    host = m.group("host")
    transport = "udp" if (m.group("scheme") or "").startswith("udp") else None
    if host is None:
        return ListenString(Bind.UNKNOWN, None, int(m.group("port")), transport)
    bind, addr = classify_host(host)
    return ListenString(bind, addr, int(m.group("port")), transport)


@dataclass(frozen=True)
class Site:
    """A call site run through the emulator: the state at the call and where it is."""

    start: int | None  # the calling function (None: only a window before the call was run)
    site: CallSite
    emu: Emulator
    st: State
    fn: str
    loc: Location
    evidence: str
    args: list
    origin: Origin


@dataclass(frozen=True)
class Verdict:
    """What a library call binds, as far as the call site tells."""

    bind: Bind = Bind.UNKNOWN
    address: str | None = None
    port: int | None = None
    transport: str | None = None
    reason: str | None = None
    notes: tuple[str, ...] = ()  # extra evidence lines (the listen string, the options read)
    configurable: str | None = None
    defaulted: bool = False  # the address was not given: the library's default applies


def restrictors_present(img: Image, names: tuple[str, ...]) -> list[str]:
    """Which of ``names`` (symbols, Swift mangled-name prefixes, ObjC selectors or strings) the binary has."""
    out = []
    for name in names:
        if name.startswith("$s"):
            hit = any(i.startswith(name) for i in img.imports) or img.has_symbol(name)
        else:
            needle = name.encode() + b"\0"
            data = img.data
            hit = img.has_symbol(name) or any(bytes(data[o:o + n]).find(needle) >= 0 for o, n in img.data_ranges)
        if hit:
            out.append(name)
    return out


def with_default(img: Image, default_bind: str | None, restricted_by: tuple[str, ...], v: Verdict,
                 default_address: str | None = None) -> Verdict:
    """Apply the library's default address when the call did not give one: the default holds when
    nothing in the binary can narrow it, otherwise the address stays unknown (with the reason)."""
    if not v.defaulted or default_bind is None:
        return v
    present = restrictors_present(img, restricted_by)
    if present:
        why = f"{v.reason}; this binary uses {', '.join(present)}, which can narrow it (not followed)"
        return Verdict(Bind.UNKNOWN, None, v.port, v.transport, why, v.notes, v.configurable, True)
    checked = f"; none of {', '.join(restricted_by)} is in this binary" if restricted_by else ""
    bind = Bind.LOOPBACK if default_bind == "loopback" else (Bind.ALL if default_bind == "all-interfaces"
                                                               else Bind.UNKNOWN)
    return Verdict(bind, default_address if bind is not Bind.UNKNOWN else None, v.port, v.transport,
                   f"{v.reason}{checked}", v.notes, v.configurable, True)


KIND_HANDLERS: dict[str, Callable[[Scanner, Site, ListenerSpec], Verdict]] = {}


def handles(kind: str) -> Callable:
    """Register the resolver of one ``kind`` of catalogue listener."""
    def register(fn: Callable) -> Callable:
        KIND_HANDLERS[kind] = fn
        return fn
    return register


def _port_of(v) -> int | None:
    return v[1] & 0xFFFF if v[0] == "c" else None


def _unresolved(sc: Scanner, ctx: Site, spec: ListenerSpec) -> Verdict:
    """opaque: the call site is reported; the address is the library's default (or unknown)."""
    return Verdict(transport=spec.transport, reason=spec.default, port=spec.default_port,
                   defaulted=spec.default_bind is not None)


@handles("port")
def _port_only(sc: Scanner, ctx: Site, spec: ListenerSpec) -> Verdict:
    return Verdict(transport=spec.transport, reason=spec.default, port=_port_of(ctx.args[spec.port_arg]),
                   defaulted=spec.default_bind is not None)


@handles("host_port")
def _host_port(sc: Scanner, ctx: Site, spec: ListenerSpec) -> Verdict:
    h = ctx.emu.cstring(ctx.st, ctx.args[spec.host_arg])
    port = _port_of(ctx.args[spec.port_arg])
    if h is None:
        return Verdict(port=port, transport=spec.transport,
                       reason="the host " + explain(ctx.args[spec.host_arg], ctx.fn))
    bind, addr = classify_host(h.decode("utf-8", "replace"))
    return Verdict(bind, addr, port, spec.transport, None if bind is not Bind.UNKNOWN else f"host {addr!r}")


@handles("url")
def _url(sc: Scanner, ctx: Site, spec: ListenerSpec) -> Verdict:
    s = ctx.emu.cstring(ctx.st, ctx.args[spec.arg])
    if s is None:
        return Verdict(transport=spec.transport, reason="the listen string " + explain(ctx.args[spec.arg], ctx.fn))
    text = s.decode("utf-8", "replace")
    u = parse_url_listen(text)
    notes = (f"listen string {text!r}",)
    transport = spec.transport or u.transport
    if u.problem:
        return Verdict(transport=transport, reason=u.problem, notes=notes)
    if u.address is None and spec.default_bind is not None:  # only a port: the library's default address
        return Verdict(port=u.port, transport=transport, reason=spec.default, notes=notes, defaulted=True)
    return Verdict(u.bind, u.address, u.port, transport, spec.default if u.bind is Bind.ALL else None, notes)


class Scanner:
    """Everything about one image."""

    def __init__(self, img: Image, label: str):
        self.img = img
        self.label = label
        self.listeners: list[Listener] = []
        self.debug: list[DebugService] = []
        self.notes: list[str] = []
        self.origins: list[Origin] = []

    def fn_name(self, start: int | None) -> str:
        if start is None:
            return "?"
        return self.img.function_name(start) or f"sub_{start:x}"

    def run(self) -> None:
        img = self.img
        self.notes.extend(f"{self.label}: {n}" for n in img.notes)
        self.go = None
        if ".go.buildinfo" in img.sections or ".gopclntab" in img.sections or go.BUILDINFO_MAGIC in (
                img.data if isinstance(img.data, bytes) else bytes(img.data)):
            self.go = go.analyse(self, catalog().get("go_listener", []))
        specs = listener_specs()
        wanted = set(specs) | {"listen", "socket"}
        if img.arch not in SUPPORTED:
            hits = sorted(n for n in img.imports if n in specs or n == "listen")
            if hits:
                for n in hits:
                    self.listeners.append(Listener(
                        api=specs[n].api if n in specs else "libc listen", transport="tcp", bind=Bind.UNKNOWN,
                        location=Location(file=self.label, function=n), reason=f"{img.arch} code is not disassembled "
                        f"(imports {n})", evidence=f"import {n}"))
            self._signatures()
            return
        sites = call_sites(img, wanted) if img.imports & wanted else []
        by_fn: dict[int | None, list[CallSite]] = {}
        for s in sites:
            by_fn.setdefault(img.function_start(s.addr), []).append(s)
        bind_fns = {f for f, ss in by_fn.items() if any(s.target != "listen" and s.target != "socket" for s in ss)}
        go_named = bool(getattr(self.go, "pclntab", None))
        for start, ss in by_fn.items():
            if go_named and go.is_std(self.fn_name(start)):
                continue  # Go's own libc trampolines (darwin syscall package): the Go analysis speaks for them
            has_socket = any(s.target == "socket" for s in ss)
            interesting = [s for s in ss if s.target in specs
                           or (s.target == "listen" and start not in bind_fns and has_socket)]
            if not interesting:
                continue
            for site in interesting:
                try:
                    self._site(start, site)
                except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError,
                        RecursionError) as exc:  # one odd call site must not lose the rest of the file
                    self.notes.append(f"{self.label}: call site {site.addr:#x} ({site.target}) not analysed "
                                      f"({type(exc).__name__})")
        # imports present but no call site found (indirect use through a function pointer, a stub we missed)
        seen = {lst.api for lst in self.listeners}
        for n in sorted(img.imports & set(specs)):
            if go_named:  # Go (darwin) imports bind for its syscall package
                break
            if specs[n].api not in seen and not any(s.target == n for s in sites):
                self.listeners.append(Listener(
                    api=specs[n].api, transport=specs[n].transport or "tcp", bind=Bind.UNKNOWN,
                    location=Location(file=self.label, function=n),
                    reason=(f"{n} is imported; the code is encrypted (decrypt first)"
                            if img.encrypted else
                            f"{n} is imported but no direct call site was found (called through a pointer?)"),
                    evidence=f"import {n}"))
        self._signatures()

    # -- one call site -------------------------------------------------------------
    def _site(self, start: int | None, site: CallSite) -> None:
        ctx = self.run_to(start, site)
        if site.target == "listen":
            self._listen_site(ctx, site)
            return
        spec = listener_specs()[site.target]
        if spec.kind == "sockaddr":
            self._sockaddr_site(ctx, site, spec)
            return
        handler = KIND_HANDLERS.get(spec.kind, _unresolved)
        verdict = with_default(self.img, spec.default_bind, spec.restricted_by, handler(self, ctx, spec),
                               spec.default_address)
        self.add_verdict(ctx, site.target, spec.api, verdict, spec.fix)

    def run_to(self, start: int | None, site: CallSite) -> Site:
        """Emulate the calling function (or a window before the call) up to the call."""
        img = self.img
        param_regs = True
        if start is None or site.addr - start > MAX_FUNCTION_BYTES:
            seg_lo = next((c.vaddr for c in img.code if c.vaddr <= site.addr < c.vaddr + c.vsize), site.addr)
            begin = max(site.addr - WINDOW_BYTES, seg_lo)
            param_regs = False
        else:
            begin = start
        thumb = site.thumb or (img.arch == "arm" and start is not None and img.is_thumb_function(start))
        emu = Emulator(img, thumb)
        st = emu.run(begin, site.addr, param_regs=param_regs)
        fn = self.fn_name(start) if param_regs else f"sub_{begin:x}?"
        return Site(start=start if param_regs else None, site=site, emu=emu, st=st, fn=fn,
                    loc=Location(file=self.label, function=fn, offset=site.addr),
                    evidence=_evidence(st, site, img), args=emu.args(st, 7), origin=self._origin_for(fn))

    def _listen_site(self, ctx: Site, site: CallSite) -> None:
        fd = ctx.args[0]
        sock = ctx.st.regs.get(fd[1]) if fd[0] == "u" and fd[1].startswith("socket#") else None
        if sock is None:
            return  # the socket was bound elsewhere (or we cannot tell): bind sites speak for it
        dom = sock[0][1] if sock[0][0] == "c" else None
        fam = AF.get(self.img.platform, AF["linux"]).get(dom) if dom is not None else None
        if fam == "unix":
            return
        self.listeners.append(Listener(
            api="libc listen", transport="tcp", bind=Bind.ALL, location=ctx.loc,
            address="::" if fam == "inet6" else "0.0.0.0", port=0,
            reason="listen() on a socket that was never bound: the kernel binds an ephemeral port on all interfaces",
            origin=ctx.origin,
            evidence=f"listen(fd) on an unbound socket at {site.addr:#x} in {ctx.fn}\n{ctx.evidence}"))

    def _sockaddr_site(self, ctx: Site, site: CallSite, spec: ListenerSpec) -> None:
        img, st, fn = self.img, ctx.st, ctx.fn
        res = decode_sockaddr(img, ctx.emu, st, ctx.args[spec.arg], fn)
        why = res.get("reason") or ""
        if (res.get("bind") is Bind.UNKNOWN and ctx.start is not None and "parameter" in why
                and "pointer" not in why and self._through_callers(ctx.start, site, spec, fn, ctx.loc, ctx.origin,
                                                                   res)):
            return
        transport = spec.transport
        fd = ctx.args[0]
        sock = st.regs.get(fd[1]) if fd[0] == "u" and fd[1].startswith("socket#") else None
        if transport is None and sock is not None and sock[1][0] == "c":
            transport = {1: "tcp", 2: "udp", 5: "tcp"}.get(sock[1][1] & 0xF)
        if res.get("family") == "unix" or res.get("bind") is Bind.UNIX:
            transport = "unix"
        note = res.get("note")
        if transport is None:
            transport = "tcp"
            note = "; ".join(filter(None, [note, "transport assumed tcp (socket type not visible)"]))
        reason = res.get("reason") or res.get("port_reason")
        if res.get("reason") and res.get("port_reason"):
            reason = f"{res['reason']}; {res['port_reason']}"
        fam = {"inet": "AF_INET", "inet6": "AF_INET6", "unix": "AF_UNIX"}.get(res.get("family") or "", "AF_?")
        where = res.get("address") or "?"
        if fam != "AF_UNIX":
            if fam == "AF_INET6":
                where = f"[{where}]"
            where = f"{where}:{'?' if res.get('port') is None else res['port']}"
        head = f"{site.target}(fd, {{{fam}, {where}}}) at {site.addr:#x} in {fn}"
        self.listeners.append(Listener(
            api=spec.api, transport=transport, bind=res["bind"], location=ctx.loc, address=res.get("address"),
            port=res.get("port"), reason=reason, origin=ctx.origin,
            evidence=head + "\n" + ctx.evidence + (f"\n; {note}" if note else "")))

    def add_verdict(self, ctx: Site, call: str, api: str, v: Verdict, fix: str | None = None) -> None:
        """A listener from a resolved (or unresolved) library call; the first evidence line names it."""
        shown = "?" if v.address is None else (f"[{v.address}]" if ":" in v.address else v.address)
        head = f"{call}({shown}:{'?' if v.port is None else v.port}) at {ctx.site.addr:#x} in {ctx.fn}"
        extra = "".join(f"\n; {line}" for line in v.notes)
        tail = f"\nfix: {fix}" if fix else ""
        self.listeners.append(Listener(
            api=api, transport=v.transport or "tcp", bind=v.bind, location=ctx.loc, address=v.address,
            port=v.port, reason=v.reason, origin=ctx.origin, configurable=v.configurable,
            evidence=head + "\n" + ctx.evidence + extra + tail))

    def _through_callers(self, start: int, site: CallSite, spec: ListenerSpec, fn: str, loc: Location,
                         origin: Origin, unresolved: dict) -> bool:
        """One level of wrapper: the address is a parameter; re-run the function with the constant
        arguments of each direct caller in the same binary.  True when at least one caller resolved."""
        img = self.img
        self._caller_budget = getattr(self, "_caller_budget", MAX_CALLER_SEARCHES) - 1
        if self._caller_budget < 0:  # each search scans the code again: bounded per image
            return False
        key = start | 1 if img.arch == "arm" and img.is_thumb_function(start) else start
        saved = dict(img.stubs)
        img.stubs[start] = f"\0fn:{start:x}"
        if key != start:
            img.stubs[key] = f"\0fn:{start:x}"
        try:
            # direct calls, and calls through the PLT when the function is exported (preemptible)
            callers = call_sites(img, {f"\0fn:{start:x}", fn})[:16]
        finally:
            img.stubs.clear()
            img.stubs.update(saved)
        resolved = False
        seen: set[tuple] = set()
        for c in callers:
            cstart = img.function_start(c.addr)
            if cstart is None or c.addr - cstart > MAX_FUNCTION_BYTES or cstart == start:
                continue
            cthumb = c.thumb or (img.arch == "arm" and img.is_thumb_function(cstart))
            cemu = Emulator(img, cthumb)
            cst = cemu.run(cstart, c.addr)
            cargs = cemu.args(cst, 6)
            if not any(a[0] == "c" for a in cargs):
                continue
            thumb = site.thumb or (img.arch == "arm" and img.is_thumb_function(start))
            emu = Emulator(img, thumb)
            st = emu.run(start, site.addr, args=cargs)
            args = emu.args(st, 7)
            res = decode_sockaddr(img, emu, st, args[spec.arg], fn)
            if res.get("bind") is Bind.UNKNOWN:
                continue
            caller = self.fn_name(cstart)
            k = (res.get("bind"), res.get("address"), res.get("port"))
            if k in seen:
                continue
            seen.add(k)
            resolved = True
            fd = args[0]
            sock = st.regs.get(fd[1]) if fd[0] == "u" and fd[1].startswith("socket#") else None
            transport = spec.transport or (
                {1: "tcp", 2: "udp", 5: "tcp"}.get(sock[1][1] & 0xF) if sock and sock[1][0] == "c" else None)
            if res.get("bind") is Bind.UNIX:
                transport = "unix"
            head = (f"{site.target}(fd, {{{res.get('address')}:{res.get('port')}}}) at {site.addr:#x} in {fn}, "
                    f"called from {caller} at {c.addr:#x} with constant arguments")
            self.listeners.append(Listener(
                api=spec.api, transport=transport or "tcp", bind=res["bind"], location=loc,
                address=res.get("address"), port=res.get("port"), origin=origin,
                via=f"{caller}@{c.addr:#x}",
                evidence=head + "\n" + _evidence(cst, CallSite(c.addr, fn), img, 6) + "\n" + _evidence(st, site, img)))
        return resolved

    def _origin_for(self, fn: str) -> Origin:
        for srv in catalog().get("server", []):
            for p in srv.get("function_prefixes", []):
                if fn.startswith(p):
                    return Origin(kind="library", sdk=srv["name"], package=p)
        return Origin()

    # -- embedded servers --------------------------------------------------------------
    def _signatures(self) -> None:
        img = self.img
        _pat, needles = _string_regex()
        found: dict[str, tuple[dict, str]] = {}
        data = img.data if isinstance(img.data, bytes) else bytes(img.data)
        hits: dict[str, list[str]] = {}
        for needle, srv in needles.items():
            min_hits = srv.get("min_strings", 1)
            if len(hits.get(srv["name"], ())) >= min_hits:
                continue
            if any(data.find(needle, off, off + size) >= 0 for off, size in img.data_ranges):
                hits.setdefault(srv["name"], []).append(needle.decode("latin-1").strip("\0"))
        by_name = {srv["name"]: srv for srv in catalog().get("server", [])}
        for name, got in hits.items():
            srv = by_name[name]
            if len(got) >= srv.get("min_strings", 1):
                found[name] = (srv, ", ".join(repr(g) for g in got))
        for srv in catalog().get("server", []):
            for s in srv.get("symbols", []):
                if img.has_symbol(s.lstrip("_")):
                    found.setdefault(srv["name"], (srv, f"symbol {s}"))
            base = self.label.rsplit("/", 1)[-1]
            for fnm in srv.get("file_names", []):
                if fnm in base:
                    found.setdefault(srv["name"], (srv, f"file name {base}"))
        for name, (srv, why) in sorted(found.items()):
            kind = srv.get("kind", "library")
            self.origins.append(Origin(kind="library", sdk=name, package=self.label))
            if kind == "debug" and srv.get("debug_kind") == "frida-gadget":
                self._frida(srv, why)
            elif kind == "listener" and not (srv.get("go") and getattr(getattr(self, "go", None), "pclntab", None)):
                self.listeners.append(Listener(
                    api=srv["api"], transport="tcp", bind=Bind.UNKNOWN,
                    location=Location(file=self.label, function=srv["api"].split()[-1]),
                    reason=srv.get("reason"), origin=Origin(kind="library", sdk=name), evidence=f"strings {why}"))

    def _frida(self, srv: dict, why: str) -> None:
        data = self.img.data
        cfg = None
        for off, size in self.img.data_ranges:
            cfg = cfg or find_gadget_config(bytes(data[off:off + min(size, 64 * 1024 * 1024)]))
        self.add_frida(cfg, why, srv.get("default_listen", "127.0.0.1:27042"))

    def add_frida(self, cfg: dict | None, why: str, default: str = "127.0.0.1:27042") -> None:
        inter = (cfg or {}).get("interaction") or {}
        typ = inter.get("type", "listen") if cfg else "listen"
        detail = "embedded configuration" if cfg else "no configuration seen: the gadget's default is to listen"
        if typ != "listen":
            self.debug.append(DebugService(kind="frida-gadget", enabled=True, location=Location(file=self.label),
                                           origin=Origin(kind="library", sdk="frida-gadget"), evidence=why,
                                           detail=f"interaction type {typ!r} (does not listen)"))
            return
        host, _, port = default.rpartition(":")
        addr = str(inter.get("address", host))
        port_n = int(inter.get("port", port)) if str(inter.get("port", port)).isdigit() else None
        bind, a = classify_host(addr)
        loc = Location(file=self.label, function="frida-gadget")
        self.debug.append(DebugService(kind="frida-gadget", enabled=True, location=loc,
                                       origin=Origin(kind="library", sdk="frida-gadget"), evidence=why,
                                       detail=f"listens on {addr}:{port_n} ({detail})"))
        self.listeners.append(Listener(api="frida-gadget listen", transport="tcp", bind=bind, location=loc,
                                       address=a, port=port_n, origin=Origin(kind="library", sdk="frida-gadget"),
                                       evidence=f"{why}; {detail}"))


_GADGET_CFG = re.compile(rb'\{\s*"interaction"\s*:\s*\{[^{}]{0,2000}\}[^{}]{0,2000}\}')


def find_gadget_config(data: bytes) -> dict | None:
    m = _GADGET_CFG.search(data)
    if not m:
        return None
    try:
        return json.loads(m.group(0).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _evidence(st, site: CallSite, img: Image, n: int = 10) -> str:
    lines = [f"{a:#x}: {t}" for a, t in st.trace[-n:]]
    lines.append(f"{site.addr:#x}: call {site.target}")
    return "\n".join(lines)


__all__ = ["Scanner", "U", "decode_sockaddr", "find_gadget_config", "parse_url_listen"]
