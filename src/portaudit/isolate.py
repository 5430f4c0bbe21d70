"""Run each target's analysis in a forked child process.

A crash in native code (LIEF, tree-sitter, capstone) or a runaway allocation
then ends only that child: the target gets a one-line error and the rest of the
batch goes on.  Children are forked (POSIX), so nothing is re-imported; the
result comes back pickled through a pipe.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import signal
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from .model import Facts, Finding, Target
from .options import Options

Work = Callable[[Target, Options], tuple[Facts, list[Finding]]]


def available() -> bool:
    return hasattr(os, "fork") and "fork" in mp.get_all_start_methods()


def _child(conn: Connection, work: Work, target: Target, options: Options) -> None:
    try:
        import faulthandler

        faulthandler.disable()  # a crash is reported by the parent, not dumped by the child
        limit = options.limits.max_memory_bytes
        if limit:
            import resource

            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        result = work(target, options)
        payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        conn.send_bytes(payload)
    except BaseException as exc:  # noqa: BLE001 - report anything to the parent
        target.errors.append(f"internal error ({type(exc).__name__}: {exc}); please report it")
        with contextlib.suppress(Exception):  # the parent is gone or the pipe is broken: nobody to tell
            conn.send_bytes(pickle.dumps((Facts(target=target), [])))
    finally:
        conn.close()
        os._exit(0)


def _describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"analyser crashed ({name}) on this file; the rest of the scan went on"
    return f"analyser process ended unexpectedly (exit code {code})"


def run_isolated(work: Work, targets: list[Target], options: Options) -> Iterator[tuple[Facts, list[Finding]]]:
    """Yield (facts, findings) per target, in input order, running up to ``options.jobs`` children."""
    ctx = mp.get_context("fork")
    grace = 10.0
    timeout = options.limits.timeout_seconds
    pending = list(enumerate(targets))
    running: dict[Connection, tuple[int, Target, BaseProcess, float, list[bytes]]] = {}
    done: dict[int, tuple[Facts, list[Finding]]] = {}
    next_out = 0
    while pending or running:
        while pending and len(running) < max(1, options.jobs):
            idx, target = pending.pop(0)
            recv, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_child, args=(send, work, target, options), daemon=True)
            child.start()
            send.close()
            running[recv] = (idx, target, child, time.monotonic(), [])
        ready = wait(list(running), timeout=0.5)
        now = time.monotonic()
        for conn in list(running):
            idx, target, proc, started, buf = running[conn]
            result = None
            if conn in ready:
                try:
                    result = pickle.loads(conn.recv_bytes())
                except (EOFError, OSError):
                    proc.join(5)
                    target.errors.append(_describe_exit(proc.exitcode))
                    result = (Facts(target=target), [])
                except pickle.UnpicklingError:
                    target.errors.append("internal error (result could not be read back); please report it")
                    result = (Facts(target=target), [])
            elif timeout and now - started > timeout + grace:
                proc.kill()
                target.errors.append(f"time limit of {timeout:g}s per target exceeded (analysis killed)")
                target.seconds = round(now - started, 4)
                result = (Facts(target=target), [])
            if result is not None:
                conn.close()
                proc.join(5)
                if proc.is_alive():
                    proc.kill()
                done[idx] = result
                del running[conn]
        while next_out in done:
            yield done.pop(next_out)
            next_out += 1
