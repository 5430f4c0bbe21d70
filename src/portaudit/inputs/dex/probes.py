"""Free-port probes: not listeners.

``new ServerSocket(0)`` whose only uses in the method are reading the port the system picked
(``getLocalPort()``) and closing it (``close()``, Kotlin's ``use { it.localPort }`` which ends in
``CloseableKt.closeFinally``) asks the system for a free port number and gives the socket back at
once: nothing is served on it.  It is counted in the engine's stats, not reported as a listener.
A socket that is also accepted on, stored, returned or passed anywhere else is a listener.
"""

from __future__ import annotations

from ...values import Const, Value
from .callsites import CallSite
from .context import Context
from .guards import _server_value, contains
from .parser import DexError

_PROBE_USES = {"getLocalPort", "close", "closeFinally", "setReuseAddress", "getLocalSocketAddress", "addSuppressed",
               "$closeResource"}


def free_port_probe(ctx: Context, site: CallSite, args: list[Value | None]) -> str | None:
    """A description of the probe when the call is one, else None."""
    spec = site.spec
    if spec.transport != "tcp" or spec.port is None or not spec.classes[0].startswith("java.net."):
        return None
    port = args[spec.port] if spec.port < len(args) else None
    if port != Const(0):
        return None
    server = _server_value(ctx, site, args)
    f = ctx.site_flow(site)
    if server is None or f is None:
        return None
    insns = f.code.insns
    dex = ctx.dexes[site.dex]
    read_port = False
    for pc in f.pcs:
        if pc == site.pc or not f.reached(pc):
            continue
        op = insns[pc] & 0xFF
        if 0x6E <= op <= 0x72 or 0x74 <= op <= 0x78:
            vals = f.regs_at(pc)
            if not any(contains(v, server) for v in vals):
                continue
            try:
                name = dex.method_ref(insns[pc + 1])[1]
            except DexError:
                return None
            if name not in _PROBE_USES:
                return None
            read_port |= name == "getLocalPort"
        elif (0x59 <= op <= 0x5F or 0x67 <= op <= 0x6D or op == 0x11) and contains(f.operand_at(pc), server):
            return None  # stored or returned: it lives on
    if not read_port:
        return None
    return f"{spec.id} with port 0, only its local port read and closed in the same method (a free-port probe)"
