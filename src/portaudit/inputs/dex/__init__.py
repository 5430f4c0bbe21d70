"""The DEX engine: targeted call-site search, constant propagation, wrappers, guards.

``analyze_dex`` takes every DEX file of one app (label, bytes) and returns listeners,
debug services, SDKs present and per-file errors.  See docs/dex.md.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ... import catalog
from ...catalog import ApiSpec
from ...model import Bind, DebugService, Listener, Location, Origin
from ...options import Limits
from .callsites import CallSite, Searcher, resolve_spec
from .dataflow import DBG, MethodFlow, Program, get_by_name
from .opcodes import NAMES, decode
from .parser import DexError, DexFile

if TYPE_CHECKING:
    from ...libmatch import LibraryMatch

__all__ = ["DexError", "DexFile", "DexResult", "analyze_dex", "raw_call_sites"]

# packages treated as library code when the app package is unknown
_LIBRARY_PREFIXES = (
    "android.", "androidx.", "com.android.", "com.google.", "kotlin.", "kotlinx.", "java.", "javax.",
    "okhttp3.", "okio.", "retrofit2.", "io.reactivex.", "rx.", "dagger.", "org.apache.", "org.json.",
    "com.squareup.", "io.netty.", "org.eclipse.jetty.", "fi.iki.elonen.", "org.nanohttpd.",
    "com.koushikdutta.", "org.java_websocket.", "io.ktor.", "com.facebook.", "com.bumptech.",
    "org.jetbrains.", "com.fasterxml.", "com.google.android.exoplayer", "org.intellij.",
)


@dataclass
class DexResult:
    listeners: list[Listener] = field(default_factory=list)
    debug: list[DebugService] = field(default_factory=list)
    sdks: list[Origin] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def dotted(desc: str) -> str:
    if desc.startswith("L") and desc.endswith(";"):
        return desc[1:-1].replace("/", ".")
    return desc


def _top(desc: str) -> str:
    d = desc.removesuffix(";")
    return d.split("$", 1)[0]


def _parse_all(dexes, limits: Limits, errors: list[str]) -> list[DexFile]:
    out = []
    for label, data in dexes:
        try:
            if len(data) > limits.max_dex_bytes:
                errors.append(f"{label}: DEX is {len(data)} bytes, over the limit of {limits.max_dex_bytes}")
                continue
            out.append(DexFile(data, label))
        except DexError as exc:
            errors.append(f"{label}: {exc}")
        except Exception as exc:  # noqa: BLE001 - never let a hostile file escape
            errors.append(f"{label}: unreadable DEX ({type(exc).__name__}: {exc})")
    return out


def _site_calls(parsed: list[DexFile], searchers: list[Searcher], specs, errors: list[str],
                libraries=None) -> list[CallSite]:
    sites: list[CallSite] = []
    for dex, srch in zip(parsed, searchers):
        try:
            targets: dict[int, object] = {}
            for spec in specs:
                for mi in resolve_spec(dex, spec, libraries):
                    targets.setdefault(mi, spec)
            sites.extend(srch.search(targets))
        except DexError as exc:
            errors.append(f"{dex.label}: {exc}")
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{dex.label}: call-site search failed ({type(exc).__name__}: {exc})")
    return sites


def raw_call_sites(dexes: list[tuple[str, bytes]]) -> list[tuple[str, str, str, str, int]]:
    """Every call site of every catalogue method, before any interpretation.

    Returns (label, dotted caller class, caller "name(params)ret", catalogue id, pc).
    """
    errors: list[str] = []
    parsed = _parse_all(dexes, Limits(), errors)
    searchers = [Searcher(d, i) for i, d in enumerate(parsed)]
    out = []
    for s in _site_calls(parsed, searchers, catalog.android_apis(), errors):
        d = parsed[s.dex]
        try:
            cls, name, params, ret = d.method_ref(s.method_idx)
        except DexError:
            continue
        out.append((s.label, dotted(cls), f"{name}({''.join(params)}){ret}", s.spec.id, s.pc))
    return out


def render_invoke(dex: DexFile, code, pc: int) -> str:
    try:
        op, _a, b, _c, regs = decode(code.insns, pc)
        target = dex.method_str(b)
    except (DexError, IndexError):
        return "?"
    name = NAMES[op]
    if name.endswith("/range") and regs:
        rl = f"{{v{regs[0]} .. v{regs[-1]}}}"
    else:
        rl = "{" + ", ".join(f"v{r}" for r in regs or []) + "}"
    return f"{name} {rl}, {target}"


class _Engine:
    def __init__(self, parsed: list[DexFile], app_package: str | None, errors: list[str], limits: Limits,
                 libraries: "LibraryMatch | None" = None):
        self.dexes = parsed
        self.libraries = libraries
        self.app_package = app_package
        self.errors = errors
        self.limits = limits
        self.prog = Program(parsed)
        self.searchers = [Searcher(d, i) for i, d in enumerate(parsed)]
        self.flows: dict[tuple[int, int], MethodFlow | None] = {}
        self.deadline = time.monotonic() + limits.timeout_seconds
        self.decoded_flows = 0
        self.pending: dict[tuple[int, int], set[int]] = {}
        self.setter_sites: dict[tuple, list[CallSite]] = {}
        self.roots_used: tuple[str, ...] = ()

    # ---- helpers ---------------------------------------------------------------

    def flow(self, dex_i: int, code_off: int, pc: int) -> MethodFlow | None:
        """The fixpoint of a method, keeping the state before ``pc`` (recomputed with the union
        of the pcs asked for when a new one comes: states are only kept where needed)."""
        key = (dex_i, code_off)
        f = self.flows.get(key)
        if f is not None and pc in f.interest:
            return f
        if f is None and key in self.flows:
            return None  # failed before
        want = (set(f.interest) if f is not None else set()) | {pc} | self.pending.get(key, set())
        f = None
        if time.monotonic() < self.deadline:
            try:
                code = self.dexes[dex_i].code_item(code_off)
                f = MethodFlow(self.prog, self.dexes[dex_i], code, interest=want)
                self.decoded_flows += 1
            except DexError as exc:
                self.errors.append(f"{self.dexes[dex_i].label}: {exc}")
            except Exception as exc:  # noqa: BLE001
                self.errors.append(f"{self.dexes[dex_i].label}: method at {code_off:#x} not analysed "
                                   f"({type(exc).__name__}: {exc})")
        self.flows[key] = f
        return f

    def args_at(self, site: CallSite):
        f = self.flow(site.dex, site.code_off, site.pc)
        if f is None:
            return [], [None], None
        code = f.code
        try:
            _op, _a, _b, _c, regs = decode(code.insns, site.pc)
        except IndexError:
            return [], [None], None
        st = f.state_at(site.pc)
        return [f._get(st, r) for r in regs or []], st, f

    def method_info(self, site: CallSite) -> tuple[str, str, tuple[str, ...], str]:
        return self.dexes[site.dex].method_ref(site.method_idx)

    def location(self, site: CallSite) -> tuple[Location, str]:
        dex = self.dexes[site.dex]
        cls, name, params, ret = dex.method_ref(site.method_idx)
        try:
            ev = render_invoke(dex, dex.code_item(site.code_off), site.pc)
        except DexError:
            ev = None
        loc = Location(file=site.label, class_=dotted(cls), method=f"{name}({''.join(params)}){ret}",
                       offset=site.pc)
        return loc, ev

    def original(self, cls_desc: str) -> str:
        """The library's own name of a class that library matching found renamed."""
        return self.libraries.original_class(cls_desc) if self.libraries else cls_desc

    def origin(self, cls_desc: str, spec: ApiSpec | None = None) -> Origin:
        o = self._origin(cls_desc)
        hit = self.libraries.library(cls_desc) if self.libraries else None
        if hit is not None:  # inside a matched library (renamed or not)
            pkg = o.package if o.sdk == hit.name else dotted(hit.original).rsplit(".", 1)[0]
            return Origin(kind="library", sdk=hit.name, package=pkg, version=hit.version, confidence=hit.confidence)
        api = self.libraries.api_library(spec.class_descriptors) if self.libraries and spec else None
        if api is not None:  # the code calling a matched library's API: its kind stays, the library is named
            return Origin(kind=o.kind, sdk=api.name, package=o.package, version=api.version,
                          confidence=api.confidence)
        return o

    def _origin(self, cls_desc: str) -> Origin:
        d = dotted(cls_desc)
        hit = catalog.sdk_for_class(d)
        sdk, prefix = (hit[0].name, hit[1]) if hit else (None, None)
        if self.app_package:
            ap = self.app_package
            if d == ap or d.startswith(ap + "."):
                return Origin(kind="app", sdk=sdk, package=prefix)
            return Origin(kind="library", sdk=sdk, package=prefix or d.rsplit(".", 1)[0])
        if hit or d.startswith(_LIBRARY_PREFIXES) or _top(cls_desc) in self.library_classes:
            return Origin(kind="library", sdk=sdk, package=prefix or d.rsplit(".", 1)[0])
        return Origin(kind="app")

    # ---- main --------------------------------------------------------------------

    def run(self) -> DexResult:
        res = DexResult(errors=self.errors)
        specs = catalog.android_apis()
        sites = _site_calls(self.dexes, self.searchers, specs, self.errors, self.libraries)
        listener_specs = [s for s in specs if s.section == "listener"]
        self.library_classes = set()
        lib_simple = set()
        for s in listener_specs:
            if s.method == "<init>" and not s.classes[0].startswith(("java.", "javax.", "android.")):
                for d in s.class_descriptors:
                    self.library_classes.add(_top(d))
                if s.simple_name:
                    lib_simple.add(s.simple_name)
        self.lib_simple = lib_simple

        for s in sites:
            if s.spec.section in ("listener", "debug", "guard"):
                self.pending.setdefault((s.dex, s.code_off), set()).add(s.pc)
        guards = self._guards([s for s in sites if s.spec.section == "guard"])
        lsites = [s for s in sites if s.spec.section == "listener"]
        lib_used = self._libraries_used(lsites)
        for site in lsites:
            if time.monotonic() > self.deadline:
                self.errors.append("DEX analysis stopped: time limit reached")
                break
            try:
                res.listeners.extend(self._listener(site, guards, lib_used))
            except DexError as exc:
                self.errors.append(f"{site.label}: {exc}")
            except Exception as exc:  # noqa: BLE001
                self.errors.append(f"{site.label}: call site not analysed ({type(exc).__name__}: {exc})")
        for site in sites:
            if site.spec.section != "debug":
                continue
            try:
                res.debug.append(self._debug(site))
            except DexError as exc:
                self.errors.append(f"{site.label}: {exc}")
            except Exception as exc:  # noqa: BLE001
                self.errors.append(f"{site.label}: debug call not analysed ({type(exc).__name__}: {exc})")
        res.sdks = self._sdks()
        res.stats = {
            "dex_files": len(self.dexes),
            "classes": sum(d.class_defs_size for d in self.dexes),
            "methods": sum(d.method_ids_size for d in self.dexes),
            "call_sites": len(sites),
            "methods_swept": sum(s.decoded for s in self.searchers),
            "methods_interpreted": self.decoded_flows,
        }
        return res

    # ---- libraries -------------------------------------------------------------

    def _lib_of(self, cls_desc: str) -> str | None:
        top = _top(self.original(cls_desc))
        if top in self.library_classes:
            return top
        simple = top.rsplit("/", 1)[-1]
        if simple in self.lib_simple:
            return top
        return None

    def _libraries_used(self, lsites: list[CallSite]) -> set[str]:
        """Library classes whose entry point (constructor) is called from outside the library.

        Also sets ``roots_used``: the package roots of server libraries (``io.netty.``) whose
        catalogued entry point (any method: ``ServerBootstrap.bind``, ``ServerConnector.setPort``,
        ``IoAcceptor.bind``) is called from code outside that root."""
        used = set()
        roots: set[str] = set()
        for s in lsites:
            root = _library_root(s.spec)
            if root:
                try:
                    caller = dotted(self.original(self.dexes[s.dex].method_ref(s.method_idx)[0]))
                except DexError:
                    caller = root
                if not caller.startswith(root):
                    roots.add(root)
        self.roots_used = tuple(sorted(roots))
        for s in lsites:
            spec = s.spec
            if spec.method != "<init>":
                continue
            try:
                target_cls = self.dexes[s.dex].method_ref(s.target)[0]
                caller_cls = self.dexes[s.dex].method_ref(s.method_idx)[0]
            except DexError:
                continue
            lib = self._lib_of(target_cls)
            if lib and self._lib_of(caller_cls) != lib:
                used.add(lib)
        return used

    # ---- guards ------------------------------------------------------------------

    def _guards(self, gsites: list[CallSite]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for s in gsites:
            try:
                cls = self.dexes[s.dex].method_ref(s.method_idx)[0]
            except DexError:
                continue
            name = s.spec.method
            if name == "setNeedClientAuth":
                args, _st, _f = self.args_at(s)
                if not (len(args) > 1 and args[1] == ("i", 1)):
                    continue
            out.setdefault(_top(cls), set()).add(name)
        return out

    # ---- listeners -----------------------------------------------------------------

    def _listener(self, site: CallSite, guards, lib_used) -> list[Listener]:
        spec: ApiSpec = site.spec
        dex = self.dexes[site.dex]
        cls, name, params, ret = dex.method_ref(site.method_idx)
        lib = self._lib_of(cls)
        if lib and lib in lib_used:
            return []  # library internals; the app's call of the library entry point is reported
        if dotted(self.original(cls)).startswith(self.roots_used):
            return []  # inside a server library whose entry point (bind, setPort, ...) the app calls
        args, _st, _f = self.args_at(site)
        loc, ev = self.location(site)
        g = sorted(guards.get(_top(cls), ()))
        if spec.extra.get("host_setter") and spec.host is None and spec.address is None:
            hv = self._setter_host(site, spec, args)
            if hv is not None:  # connector.setHost("127.0.0.1") next to connector.setPort(p)
                args = [*args, hv]
                spec = dataclasses.replace(spec, host=len(args) - 1)
        base = resolve_listener(spec, args)
        if base is None:
            return []
        if not base.pop("params"):
            return [self._make(spec, base, loc, ev, g, cls, None)]
        # one level of wrapper: evaluate the parameter at each caller
        wrapper = f"{cls}->{name}({''.join(params)}){ret}"
        callers = self._callers(cls, name, params, ret)
        out = []
        for cs in callers:
            self.pending.setdefault((cs.dex, cs.code_off), set()).add(cs.pc)
        for cs in callers:
            cargs, _cst, _cf = self.args_at(cs)
            outer = self._default_bridge_callers(cs)
            if outer:  # Kotlin f$default(args..., mask, marker): evaluate it per caller of the bridge
                for oc, dargs in outer:
                    r = resolve_listener(spec, [_subst(a, dargs) for a in args])
                    if r is None:
                        continue
                    r.pop("params")
                    ocls = self.dexes[oc.dex].method_ref(oc.method_idx)[0]
                    oloc, oev = self.location(oc)
                    gg = sorted(set(g) | guards.get(_top(ocls), set()))
                    out.append(self._make(spec, r, oloc, oev, gg, ocls, wrapper))
                continue
            sub = [_subst(a, cargs) for a in args]
            r = resolve_listener(spec, sub)
            if r is None:
                continue
            r.pop("params")
            ccls = self.dexes[cs.dex].method_ref(cs.method_idx)[0]
            cloc, cev = self.location(cs)
            gg = sorted(set(g) | guards.get(_top(ccls), set()))
            out.append(self._make(spec, r, cloc, cev, gg, ccls, wrapper))
        if not callers:
            r = dict(base)
            if r["bind"] == Bind.UNKNOWN or r.get("port_param"):
                r["reason"] = f"parameter of {wrapper}, no caller found"
            out.append(self._make(spec, r, loc, ev, g, cls, None))
        return out

    def _default_bridge_callers(self, cs: CallSite) -> list[tuple[CallSite, list]]:
        """When ``cs`` (a call of a wrapper) sits in a Kotlin default-argument bridge
        ``f$default(p..., int mask, Object marker)``, the bridge's own callers, each with the
        arguments the bridge passes to the wrapper when run with that caller's arguments (the
        mask folds the ``(mask & bit) == 0`` tests).  Empty when ``cs`` is not in such a bridge
        or the bridge has no caller."""
        dex = self.dexes[cs.dex]
        bcls, bname, bparams, bret = dex.method_ref(cs.method_idx)
        if not bname.endswith("$default") or bparams[-2:] != ("I", "Ljava/lang/Object;"):
            return []
        outer = self._callers(bcls, bname, bparams, bret)
        for oc in outer:
            self.pending.setdefault((oc.dex, oc.code_off), set()).add(oc.pc)
        out = []
        for oc in outer:
            oargs, _st, _f = self.args_at(oc)
            try:
                flow = MethodFlow(self.prog, dex, dex.code_item(cs.code_off), interest={cs.pc}, params=oargs)
                _op, _a, _b, _c, regs = decode(flow.code.insns, cs.pc)
            except (DexError, IndexError):
                continue
            st = flow.state_at(cs.pc)
            out.append((oc, [flow._get(st, r) for r in regs or []]))
        return out

    def _setter_host(self, site: CallSite, spec: ApiSpec, args: list):
        """The host given to the catalogue's ``host_setter`` (``ServerConnector.setHost(String)``)
        on the same receiver in the same method as a port setter; None when there is no such call
        or the calls disagree."""
        setter = spec.extra["host_setter"]
        dex = self.dexes[site.dex]
        key = (site.dex, setter, spec.id)
        hits = self.setter_sites.get(key)
        if hits is None:
            idxs: list[int] = []
            for c in spec.class_descriptors:
                try:
                    idxs += dex.find_method(c, setter, ("Ljava/lang/String;",), "V")
                    if self.libraries:
                        idxs += self.libraries.method_ids(dex, c, setter, ("Ljava/lang/String;",), "V")
                except DexError:
                    pass
            hits = self.searchers[site.dex].search({m: "host-setter" for m in idxs}) if idxs else []
            self.setter_sites[key] = hits
        hits = [h for h in hits if h.code_off == site.code_off]
        if not hits:
            return None
        for h in hits:
            self.pending.setdefault((h.dex, h.code_off), set()).add(h.pc)
        recv = args[0] if args else None
        vals = set()
        for h in hits:
            hargs, _st, _f = self.args_at(h)
            if recv is not None and hargs and hargs[0] is not None and hargs[0] != recv:
                continue
            vals.add(hargs[1] if len(hargs) > 1 else None)
        if len(vals) != 1:
            return None
        return vals.pop()

    def _make(self, spec, r, loc, ev, guards, cls, via) -> Listener:
        return Listener(api=spec.id, transport=spec.transport or "tcp", bind=r["bind"], location=loc,
                        address=r["address"], port=r["port"], reason=r["reason"],
                        alternatives=r["alternatives"], guards=list(guards), origin=self.origin(cls, spec),
                        via=via, evidence=ev)

    def _callers(self, cls, name, params, ret) -> list[CallSite]:
        out = []
        for i, d in enumerate(self.dexes):
            try:
                idxs = d.find_method(cls, name, params, ret)
                if idxs:
                    out.extend(self.searchers[i].search({m: ("wrapper", cls, name) for m in idxs}))
            except DexError as exc:
                self.errors.append(f"{d.label}: {exc}")
        return out

    # ---- debug services -----------------------------------------------------------

    def _debug(self, site: CallSite) -> DebugService:
        spec = site.spec
        dex = self.dexes[site.dex]
        cls = dex.method_ref(site.method_idx)[0]
        args, st, _f = self.args_at(site)
        loc, ev = self.location(site)
        polarity = st[-1] if st else None
        enabled: bool | None = True
        detail = None
        gated = polarity is not None
        if spec.flag is not None:
            v = args[spec.flag] if spec.flag < len(args) else None
            if v == DBG:
                enabled, gated, detail = None, True, "argument follows the debug flag"
            elif v and v[0] == "i":
                enabled = bool(v[1])
            else:
                enabled = None
                detail = _why(v, "argument")
        kind = spec.kind or "debug"
        return DebugService(kind=kind, enabled=enabled, location=loc, gated=gated, origin=self.origin(cls),
                            evidence=ev, detail=detail)

    # ---- SDKs --------------------------------------------------------------------------

    def _sdks(self) -> list[Origin]:
        out = []
        for sdk in catalog.sdks():
            for prefix in sdk.prefixes:
                desc = "L" + prefix.replace(".", "/")
                hit = False
                for d in self.dexes:
                    try:
                        if d.has_class_with_prefix(desc):
                            hit = True
                            break
                    except DexError as exc:
                        self.errors.append(f"{d.label}: {exc}")
                if hit:
                    out.append(Origin(kind="library", sdk=sdk.name, package=prefix.rstrip(".")))
                    break
        return out


def _library_root(spec: ApiSpec) -> str | None:
    """The package root (``io.netty.``) of the server library a listener spec belongs to:
    ``library_prefix`` in the catalogue, else the prefix of its SDK (``sdks.toml``); None for
    platform APIs (java., javax., android.)."""
    if spec.classes[0].startswith(("java.", "javax.", "android.")):
        return None
    root = spec.extra.get("library_prefix")
    if root:
        return root
    hit = catalog.sdk_for_class(spec.classes[0])
    return hit[1] + "." if hit else None


# ---- resolution of a call site's arguments into bind / address / port ---------------------

def _subst(v, cargs):
    if v is None:
        return None
    t = v[0]
    if t == "p":
        return cargs[v[1]] if v[1] < len(cargs) else None
    if t == "sa":
        return ("sa", _subst(v[1], cargs), _subst(v[2], cargs))
    if t == "phi":
        return ("phi", frozenset(_subst(x, cargs) for x in v[1]))
    if t == "gbn":
        return get_by_name(_subst(v[1], cargs))
    return v


def _has_param(v) -> bool:
    if v is None:
        return False
    t = v[0]
    if t == "p":
        return True
    if t == "sa":
        return _has_param(v[1]) or _has_param(v[2])
    if t == "gbn":
        return _has_param(v[1])
    if t == "phi":
        return any(_has_param(x) for x in v[1])
    return False


def _why(v, what: str = "address") -> str:
    if v is None:
        return f"{what} is not a constant"
    t = v[0]
    if t == "gbn":
        return _why(v[1], f"host name of the {what}")
    if t == "p":
        return f"{what} is a method parameter"
    if t == "f":
        return f"{what} comes from field {v[1]}"
    if t == "c":
        return f"{what} is the value from method call {v[1]}"
    if t in ("o", "n"):
        return f"{what} is an object of type {v[1]}"
    if t == "s":
        return f"{what} is the string {v[1]!r}"
    return f"{what} is not a constant"


def _addr_kind(v, null_kind=Bind.ALL.value):
    """-> (kind, literal, reason); kind is a Bind value or 'unknown'."""
    if v is None:
        return "unknown", None, _why(v)
    t = v[0]
    if t == "i" and v[1] == 0:
        return null_kind, None, None
    if t == "a":
        return v[1], v[2], v[3]  # v[3]: a note (getLocalHost, getByName(null))
    if t == "s":  # a host string
        from .dataflow import classify_host

        k, lit = classify_host(v[1])
        return k, lit, None
    return "unknown", None, _why(v)


def _classify(v, null_kind=Bind.ALL.value):
    """-> (Bind, address, reason, alternatives)."""
    if v is not None and v[0] == "phi":
        outs = [_addr_kind(x, null_kind) for x in v[1]]
        kinds = sorted({o[0] for o in outs})
        if len(kinds) == 1:
            k = kinds[0]
            lits = {o[1] for o in outs}
            return Bind(k), (lits.pop() if len(lits) == 1 else None), outs[0][2], []
        return Bind.CONDITIONAL, None, None, kinds
    k, lit, reason = _addr_kind(v, null_kind)
    return Bind(k), lit, reason, []


def _port(v):
    if v and v[0] == "i":
        return v[1]
    return None


def resolve_listener(spec: ApiSpec, args: list) -> dict | None:
    """Bind / address / port of one call (None: not a listener, e.g. ``DatagramSocket(null)``)."""

    def arg(i):
        return args[i] if i is not None and i < len(args) else None

    params = False
    port_v = arg(spec.port) if spec.port is not None else None
    port = _port(port_v) if spec.port is not None else spec.default_port
    reason = None
    alts: list[str] = []
    address = None
    if spec.name is not None:
        v = arg(spec.name)
        params = _has_param(v)
        if v and v[0] == "s":
            bind, address = Bind.UNIX, "@" + v[1]
        else:
            bind, reason = Bind.UNIX, _why(v, "socket name")
        return {"bind": bind, "address": address, "port": None, "reason": reason, "alternatives": [],
                "params": params, "port_param": False}
    if spec.sockaddr is not None:
        v = arg(spec.sockaddr)
        params = _has_param(v)
        if v == ("i", 0):
            if spec.null_unbound:
                return None
            bind, port = Bind.ALL, 0
        elif v and v[0] == "sa":
            bind, address, reason, alts = _classify(v[1])
            port = _port(v[2])
            port_v = v[2]
        elif v and v[0] == "phi" and all(x and x[0] == "sa" for x in v[1]):
            bind, address, reason, alts = _classify(("phi", frozenset(x[1] for x in v[1])))
            ports = {_port(x[2]) for x in v[1]}
            port = ports.pop() if len(ports) == 1 else None
        else:
            bind, reason = Bind.UNKNOWN, _why(v)
            port = None
    elif spec.address is not None:
        v = arg(spec.address)
        params = _has_param(v)
        bind, address, reason, alts = _classify(v)
    elif spec.host is not None:
        v = arg(spec.host)
        params = _has_param(v)
        bind, address, reason, alts = _classify(v)
    else:
        d = spec.default
        if d in (None, "unbound"):
            return None
        bind = Bind(d)
    port_param = (spec.port is not None or spec.sockaddr is not None) and _has_param(port_v)
    params = params or port_param
    if reason is None and port is None and (spec.port is not None or spec.sockaddr is not None):
        reason = _why(port_v, "port")
    return {"bind": bind, "address": address, "port": port, "reason": reason, "alternatives": alts,
            "params": params, "port_param": port_param}


def analyze_dex(dexes: list[tuple[str, bytes]], *, app_package: str | None = None,
                limits: Limits | None = None, profiles=None) -> DexResult:
    """Analyse every DEX file of one app together.  Never raises for bad input.

    ``profiles``: library profiles to match (``libmatch``); None means the shipped set, ()
    turns matching off."""
    t0 = time.perf_counter()
    limits = limits or Limits()
    errors: list[str] = []
    parsed = _parse_all(dexes, limits, errors)
    libraries = None
    try:
        from ...libmatch import match_libraries, shipped  # libmatch reads DEX files with this package's parser

        libraries = match_libraries(parsed, shipped() if profiles is None else tuple(profiles), catalog.android_apis())
        errors += libraries.errors
    except Exception as exc:  # noqa: BLE001 - matching is an aid: the engine runs without it
        errors.append(f"library matching failed ({type(exc).__name__}: {exc})")
    try:
        res = _Engine(parsed, app_package, errors, limits, libraries).run()
    except Exception as exc:  # noqa: BLE001 - last resort: report, never raise
        res = DexResult(errors=errors)
        errors.append(f"DEX analysis failed ({type(exc).__name__}: {exc})")
    if libraries is not None:
        res.stats["libraries"] = libraries.stats
    res.stats["seconds"] = round(time.perf_counter() - t0, 4)
    res.errors = list(dict.fromkeys(res.errors))  # one bad string offset is met at every call site
    return res
