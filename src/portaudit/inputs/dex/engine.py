"""The DEX engine's run over one app: find the catalogue's call sites, then turn each listener
call into one listener per origin (with its flow), each debug call into a debug service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ... import catalog
from ...catalog import ApiSpec
from ...model import DebugService, Hop, Listener, Origin
from ...options import Limits
from ...values import Value
from .callsites import CallSite, resolve_spec
from .context import Context
from .dataflow import Resources
from .debug import debug_service
from .follow import Follow, show
from .guards import Guards
from .libraries import Libraries, subclass_sites
from .listeners import facts, roles_at
from .origin import origin_of
from .parser import DexError, DexFile
from .probes import free_port_probe
from .wrappers import origins

if TYPE_CHECKING:
    from ...libmatch import LibraryMatch


@dataclass
class DexResult:
    listeners: list[Listener] = field(default_factory=list)
    debug: list[DebugService] = field(default_factory=list)
    sdks: list[Origin] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


def parse_all(dexes: list[tuple[str, bytes]], limits: Limits, errors: list[str]) -> list[DexFile]:
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


def catalogue_sites(ctx: Context, specs: tuple[ApiSpec, ...]) -> list[CallSite]:
    """Every call site of every catalogue method, in every DEX file."""
    sites: list[CallSite] = []
    for dex, srch in zip(ctx.dexes, ctx.searchers, strict=True):
        try:
            targets: dict[int, object] = {}
            for spec in specs:
                for mi in resolve_spec(dex, spec, ctx.libraries):
                    targets.setdefault(mi, spec)
            sites.extend(srch.search(targets))
        except DexError as exc:
            ctx.errors.append(f"{dex.label}: {exc}")
        except Exception as exc:  # noqa: BLE001
            ctx.errors.append(f"{dex.label}: call-site search failed ({type(exc).__name__}: {exc})")
    return sites


class Engine:
    def __init__(self, dexes: list[DexFile], app_package: str | None, errors: list[str], limits: Limits,
                 resources: Resources | None, libraries: LibraryMatch | None = None):
        self.ctx = Context(dexes, errors, limits, resources, libraries)
        self.app_package = app_package
        self.follow = Follow(self.ctx)
        self.probes: list[str] = []

    def run(self) -> DexResult:
        ctx = self.ctx
        res = DexResult(errors=ctx.errors)
        specs = catalog.android_apis()
        sites = catalogue_sites(ctx, specs)
        listener_specs = [s for s in specs if s.section == "listener"]
        lsites = [s for s in sites if s.spec.section == "listener"]
        platform = [s for s in lsites if s.spec.classes[0].startswith(("java.", "javax.", "android."))]
        libs = Libraries(ctx, listener_specs)
        lsites = [s for s in lsites if libs.shaded_ok(s, platform)]
        at = {(s.dex, s.code_off, s.pc) for s in lsites}
        lsites += [s for s in subclass_sites(ctx, listener_specs) if (s.dex, s.code_off, s.pc) not in at]
        libs.note_entry_points(lsites)
        guards = Guards(ctx, [s for s in sites if s.spec.section == "guard"])
        for site in lsites:
            if ctx.out_of_time():
                ctx.errors.append("DEX analysis stopped: time limit reached")
                break
            try:
                res.listeners.extend(self._listeners(site, libs, guards))
            except DexError as exc:
                ctx.errors.append(f"{site.label}: {exc}")
            except Exception as exc:  # noqa: BLE001
                ctx.errors.append(f"{site.label}: call site not analysed ({type(exc).__name__}: {exc})")
        for site in sites:
            if site.spec.section != "debug":
                continue
            try:
                cls = ctx.method_ref(site.dex, site.method_idx)[0]
                res.debug.append(debug_service(ctx, site, origin_of(cls, self.app_package, ctx.libraries)))
            except DexError as exc:
                ctx.errors.append(f"{site.label}: {exc}")
            except Exception as exc:  # noqa: BLE001
                ctx.errors.append(f"{site.label}: debug call not analysed ({type(exc).__name__}: {exc})")
        res.sdks = self._sdks()
        res.stats = {
            "dex_files": len(ctx.dexes),
            "classes": sum(d.class_defs_size for d in ctx.dexes),
            "methods": sum(d.method_ids_size for d in ctx.dexes),
            "call_sites": len(sites),
            "methods_swept": sum(s.decoded for s in ctx.searchers),
            "methods_interpreted": ctx.interpreted,
            "free_port_probes": len(self.probes),
        }
        if self.probes:
            res.stats["free_port_probe_sites"] = self.probes
        return res

    # ---- listeners ---------------------------------------------------------------------------

    def _listeners(self, site: CallSite, libs: Libraries, guards: Guards) -> list[Listener]:
        ctx = self.ctx
        spec: ApiSpec = site.spec
        cls = ctx.method_ref(site.dex, site.method_idx)[0]
        if libs.internal(cls):
            return []  # inside a server library whose entry point the app calls: reported there
        f = ctx.site_flow(site)
        if f is None:
            return []
        args = f.regs_at(site.pc)
        loc = ctx.site_location(site)
        probe = free_port_probe(ctx, site, args)
        if probe:
            self.probes.append(f"{loc.short()}: {probe}")
            return []
        roles = roles_at(ctx, site, args)
        found = guards.for_site(site, args)
        api = Hop("api", loc, f"{spec.id}: {_roles_note(roles)}")
        out = []
        for o in origins(ctx, self.follow, site, roles):
            lf = facts(spec, o.roles)
            if lf is None:
                continue
            where = ctx.method_ref(site.dex, site.method_idx)[0]
            origin = origin_of(where, self.app_package, ctx.libraries, spec)
            out.append(Listener(api=spec.id, transport=spec.transport or "tcp", bind=lf.bind, location=loc,
                                address=lf.address, port=lf.port, reason=lf.reason, alternatives=lf.alternatives,
                                guards=found, origin=origin, via=o.via, evidence=loc.snippet,
                                flow=[api, *o.chain, *_dedup(o.hops)], configurable=lf.configurable))
        return out

    # ---- SDKs --------------------------------------------------------------------------------

    def _sdks(self) -> list[Origin]:
        out = []
        for sdk in catalog.sdks():
            for prefix in sdk.prefixes:
                desc = "L" + prefix.replace(".", "/")
                hit = False
                for d in self.ctx.dexes:
                    try:
                        if d.has_class_with_prefix(desc):
                            hit = True
                            break
                    except DexError as exc:
                        self.ctx.errors.append(f"{d.label}: {exc}")
                if hit:
                    out.append(Origin(kind="library", sdk=sdk.name, package=prefix.rstrip(".")))
                    break
        return out


def _roles_note(roles: dict[str, Value | None]) -> str:
    return ", ".join(f"{r} {show(v)}" for r, v in sorted(roles.items())) or "no address argument"


def _dedup(hops: list[Hop]) -> list[Hop]:
    seen = set()
    out = []
    for h in hops:
        key = (h.role, h.location.file, h.location.class_, h.location.method, h.location.offset)
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out[:24]
