"""Server libraries in the app: matching their APIs by type, and their internal calls.

**By type.**  A catalogue entry names classes; a call reaches the entry when its method reference
names one of those classes, or an app class that extends one of them and does not define the
method itself (``class MyServer extends AsyncHttpServer``; ``myServer.listen(8080)`` references
``MyServer.listen``).  A method of the same name on an unrelated class never matches.  A shaded
copy found by simple name (``com.adtech...cache.NanoHTTPD``) counts only when the class is in the
app and opens a server socket itself (a platform listener call inside it or its inner classes).

**Internals.**  A listener call inside a server library serves the app's own call of that
library's entry point; when app code calls one (a library class's constructor, or any catalogued
method inside the library's package root), the library's internal calls are not findings.
"""

from __future__ import annotations

from ... import catalog
from ...catalog import ApiSpec
from .absval import dotted
from .callsites import CallSite
from .context import Context
from .parser import DexError

_PLATFORM = ("java.", "javax.", "android.")


def top(desc: str) -> str:
    return desc.removesuffix(";").split("$", 1)[0]


def library_root(spec: ApiSpec) -> str | None:
    """The package root (``io.netty.``) of the library a listener entry belongs to; None for
    platform APIs."""
    if spec.classes[0].startswith(_PLATFORM):
        return None
    if spec.library_prefix:
        return spec.library_prefix
    hit = catalog.sdk_for_class(spec.classes[0])
    return hit[1] + "." if hit else None


def subclass_sites(ctx: Context, specs: list[ApiSpec]) -> list[CallSite]:
    """Calls of catalogue methods through a reference to an app subclass of the catalogued class
    (the subclass inherits the method)."""
    prog = ctx.program
    out: list[CallSite] = []
    catalogued = {(c, s.method, s.param_descriptors) for s in specs for c in s.class_descriptors}
    for spec in specs:
        if spec.method == "<init>" or spec.params is None:
            continue
        params = spec.param_descriptors or ()
        refs = []
        for base in spec.class_descriptors:
            for sub in sorted(prog.subclasses(base)):
                if (sub, spec.method, spec.param_descriptors) in catalogued:
                    continue  # an entry of its own (NioDatagramAcceptor.bind is the UDP entry)
                m = prog.method(sub, spec.method, params, None)
                if m is None or m.cls not in _between(prog, sub, base):
                    refs.append((sub, spec.method, params, None))
        if refs:
            out.extend(ctx.calls_to(refs, spec))
    return out


def _between(prog, sub: str, base: str) -> set[str]:
    """The app classes from ``sub`` up to (not including) ``base``: a method defined in one of
    them overrides the library's."""
    out = set()
    for c in prog.supertypes(sub):
        if c == base:
            break
        out.add(c)
    return out


class Libraries:
    def __init__(self, ctx: Context, listener_specs: list[ApiSpec]):
        self.ctx = ctx
        self.classes: set[str] = set()  # top-level classes of library server entry points
        self.simple: set[str] = set()
        for s in listener_specs:
            if s.method == "<init>" and not s.classes[0].startswith(_PLATFORM):
                self.classes.update(top(d) for d in s.class_descriptors)
                if s.simple_name:
                    self.simple.add(s.simple_name)
        self.used: set[str] = set()
        self.roots_used: tuple[str, ...] = ()

    def lib_of(self, cls_desc: str) -> str | None:
        t = top(self.ctx.original(cls_desc))
        if t in self.classes or t.rsplit("/", 1)[-1] in self.simple:
            return t
        return None

    def shaded_ok(self, site: CallSite, platform_sites: list[CallSite]) -> bool:
        """A simple-name match (``.../NanoHTTPD``) outside the catalogued classes counts only
        when that class is in the app and calls a platform listener API itself."""
        spec = site.spec
        if not spec.simple_name:
            return True
        try:
            target_cls = self.ctx.method_ref(site.dex, site.target)[0]
        except DexError:
            return False
        if target_cls in spec.class_descriptors:
            return True
        if not self.ctx.program.defined(target_cls):
            return False
        t = top(target_cls)
        for s in platform_sites:
            try:
                if top(self.ctx.method_ref(s.dex, s.method_idx)[0]) == t:
                    return True
            except DexError:
                continue
        return False

    def note_entry_points(self, lsites: list[CallSite]) -> None:
        """Which libraries the app itself enters (see the module docstring)."""
        roots: set[str] = set()
        for s in lsites:
            root = library_root(s.spec)
            if root:
                try:
                    caller = dotted(self.ctx.original(self.ctx.method_ref(s.dex, s.method_idx)[0]))
                except DexError:
                    caller = root
                if not caller.startswith(root):
                    roots.add(root)
        self.roots_used = tuple(sorted(roots))
        for s in lsites:
            if s.spec.method != "<init>":
                continue
            try:
                target_cls = self.ctx.method_ref(s.dex, s.target)[0]
                caller_cls = self.ctx.method_ref(s.dex, s.method_idx)[0]
            except DexError:
                continue
            lib = self.lib_of(target_cls)
            if lib and self.lib_of(caller_cls) != lib:
                self.used.add(lib)

    def internal(self, cls_desc: str) -> bool:
        """A call inside a library whose entry point the app calls (reported there instead)."""
        lib = self.lib_of(cls_desc)
        if lib and lib in self.used:
            return True
        return dotted(self.ctx.original(cls_desc)).startswith(self.roots_used) if self.roots_used else False
