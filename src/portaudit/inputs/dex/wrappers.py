"""Wrappers and their callers: where a listener's address and port come from.

A method whose parameter reaches a listener API is a wrapper.  Its callers are found in every DEX
file (also through an app subclass or superclass reference), the argument is evaluated at each
one, and a caller that is itself a wrapper is followed in turn, to :data:`MAX_DEPTH` levels.
Each distinct chain of calls is one :class:`Origin`, so one API call site gives one listener per
origin, each with its own flow.  Kotlin default-argument bridges (``f$default(..., int mask,
Object)``) are interpreted again with each of their callers' arguments, so the mask picks either
the caller's value or the default the bridge fills in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...model import Hop
from ...values import Unknown, Value
from .callsites import CallSite
from .context import Context
from .dataflow import MethodFlow
from .follow import Follow, has_param, map_params, show, subst
from .parser import DexError
from .program import MethodBody

MAX_DEPTH = 5  # wrapper levels followed outwards from the API call
MAX_ORIGINS = 32  # origins reported for one API call site


@dataclass
class Origin:
    """One way the values reach the API call: the values, the chain of calls (innermost first),
    and the hops that decided the values (field writes, returns, configuration reads)."""

    roles: dict[str, Value | None]
    chain: list[Hop] = field(default_factory=list)
    hops: list[Hop] = field(default_factory=list)
    via: str | None = None  # the wrapper holding the API call (smali form), when callers were followed


def origins(ctx: Context, follow: Follow, site: CallSite, roles: dict[str, Value | None]) -> list[Origin]:
    hops: list[Hop] = []
    resolved = {r: follow.resolve(v, hops) for r, v in roles.items()}
    body = ctx.program.method(*ctx.method_ref(site.dex, site.method_idx))
    out = _expand(ctx, follow, Origin(resolved, [], hops), body, 0)
    for o in out:  # the outermost call of a chain is the caller, the others are wrapper calls
        for i, h in enumerate(o.chain):
            h.role = "caller" if i == len(o.chain) - 1 else "wrapper"
    return out


def _expand(ctx: Context, follow: Follow, o: Origin, body: MethodBody | None, depth: int) -> list[Origin]:
    if not any(has_param(v) for v in o.roles.values()):
        return [o]
    if body is None:
        return [_stop(o, "a parameter of a method that is not in the app")]
    sig = body.sig()
    via = o.via or sig
    if depth >= MAX_DEPTH:
        return [_stop(o, f"parameter of {sig}: callers more than {MAX_DEPTH} levels up are not followed", via)]
    calls = ctx.callers(body)
    if not calls:
        return [_stop(o, f"parameter of {sig}, no caller found", o.via)]
    out: list[Origin] = []
    for cs in calls:
        for outer, args, bridge in _through_bridge(ctx, cs):
            hops = list(o.hops)
            roles = {r: follow.resolve(subst(v, args), hops) for r, v in o.roles.items()}
            hop = Hop("caller", ctx.site_location(outer), _note(roles))
            nxt = Origin(roles, [*o.chain, *bridge, hop], hops, via)
            caller = ctx.program.method(*ctx.method_ref(outer.dex, outer.method_idx))
            out.extend(_expand(ctx, follow, nxt, caller, depth + 1))
            if len(out) >= MAX_ORIGINS:
                return out[:MAX_ORIGINS]
    return out


def _stop(o: Origin, reason: str, via: str | None = None) -> Origin:
    """The origin as far as it could be followed: parameters left become unknown with ``reason``."""
    roles = {r: _unknown_params(v, reason) for r, v in o.roles.items()}
    return Origin(roles, o.chain, o.hops, via if via is not None else o.via)


def _unknown_params(v: Value | None, reason: str) -> Value | None:
    return map_params(v, lambda _p: Unknown(reason)) if has_param(v) else v


def _note(roles: dict[str, Value | None]) -> str:
    return ", ".join(f"{r} {show(v)}" for r, v in sorted(roles.items()) if v is not None)


def _through_bridge(ctx: Context, cs: CallSite) -> list[tuple[CallSite, list[Value | None], list[Hop]]]:
    """(call site, argument values, extra hops) to continue from.  A call inside a Kotlin
    ``f$default(p..., int mask, Object marker)`` bridge continues from each caller of the bridge,
    with the bridge interpreted on that caller's arguments."""
    dex = ctx.dexes[cs.dex]
    try:
        bcls, bname, bparams, bret = dex.method_ref(cs.method_idx)
    except DexError:
        return [(cs, ctx.args_at(cs), [])]
    if not bname.endswith("$default") or bparams[-2:] != ("I", "Ljava/lang/Object;"):
        return [(cs, ctx.args_at(cs), [])]
    bridge = ctx.program.method(bcls, bname, bparams, bret)
    outer = ctx.callers(bridge) if bridge is not None else []
    if not outer:
        return [(cs, ctx.args_at(cs), [])]
    out = []
    for oc in outer:
        try:
            flow = MethodFlow(dex, dex.code_item(cs.code_off), ctx.sig(cs.dex, cs.method_idx),
                              interest={cs.pc}, params=ctx.args_at(oc), resources=ctx.resources,
                              final_static=ctx.final_static)
        except DexError:
            continue
        out.append((oc, flow.regs_at(cs.pc), [Hop("wrapper", ctx.site_location(cs), "Kotlin default-argument bridge")]))
    return out


