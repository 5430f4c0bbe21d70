"""Debug services: ``WebView.setWebContentsDebuggingEnabled(x)`` and debug SDK initialisation.

``enabled`` is True / False for a constant argument, None otherwise (with the reason).  ``gated``:
the call is only reached on one side of a test of ``BuildConfig.DEBUG`` or
``ApplicationInfo.flags & FLAG_DEBUGGABLE``, or its argument is derived from them.
"""

from __future__ import annotations

from ...model import DebugService, Origin
from ...values import Const, describe
from .absval import DBG
from .callsites import CallSite
from .context import Context


def debug_service(ctx: Context, site: CallSite, origin: Origin) -> DebugService:
    spec = site.spec
    f = ctx.site_flow(site)
    st = f.state_at(site.pc) if f is not None else []
    args = f.regs_at(site.pc) if f is not None else []
    polarity = st[-1] if st else None
    enabled: bool | None = True
    detail = None
    gated = polarity is not None
    if spec.flag is not None:
        v = args[spec.flag] if spec.flag < len(args) else None
        if v == DBG:
            enabled, gated, detail = None, True, "argument follows the debug flag"
        elif isinstance(v, Const) and isinstance(v.value, int):
            enabled = bool(v.value)
        else:
            enabled = None
            detail = describe(v, "argument") if v is not None else "argument is not a constant"
    loc = ctx.site_location(site)
    return DebugService(kind=spec.kind or "debug", enabled=enabled, location=loc, gated=gated, origin=origin,
                        evidence=loc.snippet, detail=detail)
