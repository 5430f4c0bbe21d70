"""Safe probes of live listeners: fingerprints (``--probe``) and reachability (``--reach``).

Safety contract: connections go only to (a) listeners the inventory found, at
the address they are bound to (a wildcard listener is reached through loopback),
or through ``adb forward`` for a device, and (b) addresses the user named with
``--target``; ``--reach ADDRESS`` connects only to ADDRESS at the ports of the
inventory's TCP listeners.  Handshakes only, a timeout on every operation, a
deadline per service, a byte limit per connection and a concurrency limit.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..model import Bind
from ..model.runtime import RuntimeListener
from . import netns as _netns
from .identify import ProbeLimits, ProbeResult, identify

log = logging.getLogger("portaudit")

__all__ = [
    "ProbeLimits",
    "ProbePlan",
    "ProbeResult",
    "connect_address",
    "connectable",
    "identify",
    "probe_listeners",
    "reach",
]


def connect_address(lst: RuntimeListener) -> str | None:
    """Where to connect to reach a listener from this machine."""
    if lst.transport != "tcp" or not lst.address:
        return None
    if lst.bind is Bind.ALL:
        return "::1" if lst.family == "ipv6" else "127.0.0.1"
    return lst.address


@dataclass
class ProbePlan:
    """One service to fingerprint: connect to host:port (maybe a forwarded port) on behalf of ``listener``."""

    listener: RuntimeListener
    host: str
    port: int
    label: str


def _worker_init(ns: str | None) -> None:
    if ns:
        _netns.enter(ns)


def probe_listeners(plans: list[ProbePlan], limits: ProbeLimits | None = None, concurrency: int = 8,
                    netns: str | None = None,
                    on_result: Callable[[ProbePlan, ProbeResult], None] | None = None) -> list[ProbeResult]:
    """Fingerprint every planned service (at most ``concurrency`` at a time); results land on the listeners."""
    limits = limits or ProbeLimits()
    results: list[ProbeResult] = []
    lock = threading.Lock()

    def one(plan: ProbePlan) -> ProbeResult:
        res = identify(plan.host, plan.port, limits)
        with lock:
            plan.listener.probe = {**res.to_dict(), "via": plan.label}
            results.append(res)
        if on_result:
            on_result(plan, res)
        return res

    if not plans:
        return results
    with ThreadPoolExecutor(max_workers=max(1, concurrency), initializer=_worker_init,
                            initargs=(netns,)) as pool:
        list(pool.map(one, plans))
    return results


def plan_host(listeners: Iterable[RuntimeListener]) -> list[ProbePlan]:
    plans: list[ProbePlan] = []
    seen: set[tuple[str, int]] = set()
    for lst in listeners:
        host = connect_address(lst)
        if host is None or lst.port is None or lst.state not in ("LISTEN", "NAMED"):
            continue
        if (host, lst.port) in seen:
            continue
        seen.add((host, lst.port))
        plans.append(ProbePlan(lst, host, lst.port, f"{host}:{lst.port}"))
    return plans


def connectable(pairs: list[tuple[str, int]], timeout: float = 2.0, concurrency: int = 16,
                netns: str | None = None) -> list[str | None]:
    """For each (address, port): None when a TCP connection is accepted, else why not.  A plain
    connect and close: nothing is sent."""

    def one(pair: tuple[str, int]) -> str | None:
        try:
            with socket.create_connection(pair, timeout=timeout):
                return None
        except ConnectionRefusedError:
            return "connection refused"
        except TimeoutError:
            return f"no answer within {timeout:g}s (filtered or no such host?)"
        except OSError as exc:
            return exc.strerror or str(exc)

    if not pairs:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(concurrency, len(pairs))), initializer=_worker_init,
                            initargs=(netns,)) as pool:
        return list(pool.map(one, pairs))


def reach(listeners: Iterable[RuntimeListener], address: str, timeout: float = 2.0, concurrency: int = 16,
          netns: str | None = None) -> None:
    """Connect to ``address`` at the port of every TCP listener; record whether it was accepted."""
    tcp = [lst for lst in listeners if lst.transport == "tcp" and lst.port and lst.state == "LISTEN"]
    origin = f"netns {netns}" if netns else "this host"

    def one(lst: RuntimeListener) -> None:
        try:
            with socket.create_connection((address, lst.port), timeout=timeout):
                accepted, detail = True, "connection accepted"
        except ConnectionRefusedError:
            accepted, detail = False, "connection refused"
        except TimeoutError:
            accepted, detail = False, f"no answer within {timeout:g}s (filtered?)"
        except OSError as exc:
            accepted, detail = False, exc.strerror or str(exc)
        lst.reach = {"from": origin, "address": address, "accepted": accepted, "detail": detail}

    if not tcp:
        return
    with ThreadPoolExecutor(max_workers=max(1, concurrency), initializer=_worker_init,
                            initargs=(netns,)) as pool:
        list(pool.map(one, tcp))
