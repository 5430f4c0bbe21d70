"""Swift listener APIs (``catalog/ios.toml`` ``[[swift_listener]]``), recognised by mangled name.

Swift calls a function of another module through its mangled symbol (``$s7Network10NWListenerC5using2on
...KcfC`` is ``NWListener.init(using:on:)``), so the imports name the API and its argument labels;
each import is matched to the catalogue entry with the longest prefix (and its suffix: ``fC`` is an
allocating initialiser).  At each call site the emulator gives the arguments in Swift's registers (the
same as C's for these: ``NWEndpoint.Port`` is a ``UInt16`` in the second register).  The library's
default address holds unless the binary uses one of the APIs that can narrow it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ...model import Bind, Listener, Location
from ..native.callsites import call_sites
from ..native.catalog import catalog
from ..native.scan import Scanner, Verdict, with_default

MAX_FUNCTION_BYTES = 64 * 1024


@dataclass(frozen=True)
class SwiftSpec:
    prefix: str
    api: str
    transport: str
    source: str
    fix: str
    default: str
    suffix: str = ""
    port_arg: int | None = None
    default_bind: str | None = None
    default_address: str | None = None
    default_port: int | None = None
    restricted_by: tuple[str, ...] = ()


@functools.cache
def specs() -> tuple[SwiftSpec, ...]:
    out = [SwiftSpec(**dict(raw, restricted_by=tuple(raw.get("restricted_by", ()))))
           for raw in catalog().get("swift_listener", [])]
    return tuple(sorted(out, key=lambda s: -len(s.prefix)))  # the longest prefix wins


def spec_for(symbol: str) -> SwiftSpec | None:
    return next((s for s in specs() if symbol.startswith(s.prefix) and symbol.endswith(s.suffix)), None)


def listeners(sc: Scanner) -> list[Listener]:
    img = sc.img
    matched = {name: spec for name in img.imports if name.startswith("$s") and (spec := spec_for(name))}
    if not matched:
        return []
    before = len(sc.listeners)
    sites = call_sites(img, set(matched)) if img.arch in ("arm64", "x86_64") and not img.encrypted else []
    for site in sites:
        start = img.function_start(site.addr)
        if start is None or site.addr - start > MAX_FUNCTION_BYTES:
            continue
        spec = matched[site.target]
        ctx = sc.run_to(start, site)
        port = spec.default_port
        if spec.port_arg is not None:
            p = ctx.emu.args(ctx.st, spec.port_arg + 1)[spec.port_arg]
            port = p[1] & 0xFFFF if p[0] == "c" else None
        v = Verdict(port=port, transport=spec.transport, reason=spec.default, defaulted=True)
        v = with_default(img, spec.default_bind, spec.restricted_by, v, spec.default_address)
        sc.add_verdict(ctx, spec.api.split()[-1], spec.api, v, spec.fix)
    called = {s.target for s in sites}
    for name, spec in sorted(matched.items()):
        if name in called:
            continue
        why = ("the code is encrypted (decrypt first)" if img.encrypted
               else "imported but no direct call site was found")
        sc.listeners.append(Listener(
            api=spec.api, transport=spec.transport, bind=Bind.UNKNOWN, location=Location(file=sc.label, function=name),
            reason=f"{spec.default}; {why}", evidence=f"import {name}\nfix: {spec.fix}"))
    return sc.listeners[before:]
