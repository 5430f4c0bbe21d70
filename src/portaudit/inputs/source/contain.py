"""Run one unit of work per file in forked children, with a time limit per file and a memory limit.

A parser can backtrack for minutes in native code (tree-sitter-kotlin does, docs/hardening.md) or
build a tree of a gigabyte for a few megabytes of generated code; neither a signal handler nor a
``MemoryError`` reaches it there.  So files are analysed in child processes: a child inherits the
parent's loaded grammars and compiled queries (``fork``, no start-up cost), gets an address-space
limit, and works through its share of the files, announcing each one before it starts and sending
each result as soon as it has it.  The parent kills a child whose current file overruns its time; a
child that dies (out of memory, a native crash) costs a note for the file it was on.  Either way a
new child takes over the rest of that share.  Up to ``workers`` children run at once, which is also
the parallelism of the source front end.

Where ``fork`` does not exist the work runs in this process, without limits.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import pickle
import select
import signal
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any

# Address space a child may use on top of what it inherits from the parent.  The largest source
# file read (limits.max_source_file_bytes, 4 MiB) parses in about 150 MB.
FILE_MEMORY_BYTES = 768 * 1024**2

_HEAD = struct.Struct("<cIQ")  # kind (b"S" start / b"R" result), item index, payload length


class Failed:
    """What a child that did not deliver a result left behind (a note for the file)."""

    def __init__(self, note: str):
        self.note = note


def _vm_size() -> int:
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _limit_memory(extra: int) -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    base = _vm_size()
    if not base or extra <= 0:
        return
    want = base + extra
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft == resource.RLIM_INFINITY or want < soft:
        resource.setrlimit(resource.RLIMIT_AS, (want, hard))


class _Child:
    def __init__(self, queue: list[int], fn: Callable[[Any], Any], items: list[Any], memory: int):
        self.queue = queue  # item indexes still to do, in order
        self.buf = b""
        self.current: int | None = None
        self.started = 0.0
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: compute, send, leave without running the parent's clean-up
            try:
                os.close(r)
                signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the parent's deadline is the parent's
                faulthandler.disable()  # a crash here is the parent's one-line note, not a dump on stderr
                _limit_memory(memory)
                for i in queue:
                    _send(w, b"S", i, b"")
                    _send(w, b"R", i, _dump(_compute(fn, items[i], memory)))
            finally:
                os._exit(0)
        os.close(w)
        self.fd, self.pid = r, pid

    def kill(self) -> None:
        _kill(self.fd, self.pid)


def _compute(fn: Callable[[Any], Any], item: Any, memory: int) -> tuple[str, Any]:
    try:
        return ("ok", fn(item))
    except MemoryError:
        return ("failed", f"over the memory limit of {memory // 1024**2} MiB for one file")
    except Exception as exc:  # noqa: BLE001 - a bug in the analysis: contained to this file
        return ("failed", f"internal error ({type(exc).__name__}: {exc})")


def _dump(result: tuple[str, Any]) -> bytes:
    try:
        return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - a result that cannot be sent is a bug: say so for this file
        return pickle.dumps(("failed", f"internal error (result not sendable: {type(exc).__name__})"))


def _send(fd: int, kind: bytes, index: int, payload: bytes) -> None:
    view = memoryview(_HEAD.pack(kind, index, len(payload)) + payload)
    while view:
        view = view[os.write(fd, view):]


def run(items: Iterable[Any], fn: Callable[[Any], Any], *, seconds: float, workers: int = 1,
        memory: int | None = None) -> list[Any]:
    """``[fn(item) for item in items]`` in forked children: ``seconds`` of wall time per item and
    ``memory`` bytes of extra address space per child; an item that fails gives a :class:`Failed`."""
    items = list(items)
    memory = FILE_MEMORY_BYTES if memory is None else memory
    if not hasattr(os, "fork") or seconds <= 0:
        return [fn(x) for x in items]
    results: list[Any] = [None] * len(items)
    done = [False] * len(items)
    n = max(1, min(workers, len(items)))
    queues = [list(range(k, len(items), n)) for k in range(n)]  # items come largest first: deal them out
    children: dict[int, _Child] = {}
    try:
        for q in queues:
            if q:
                c = _Child(q, fn, items, memory)
                children[c.fd] = c
        while children:
            now = time.monotonic()
            waits = [c.started + seconds - now for c in children.values() if c.current is not None]
            ready, _, _ = select.select(list(children), [], [], max(0.0, min(waits)) if waits else None)
            for fd in ready:
                c = children[fd]
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    c.buf += chunk
                    _drain(c, results, done)
                    continue
                del children[fd]
                c.kill()
                _drain(c, results, done)
                if c.current is not None and not done[c.current]:
                    results[c.current] = Failed("the analysis crashed on this file (out of memory?)")
                    done[c.current] = True
                _restart(c, children, fn, items, memory, done)
            now = time.monotonic()
            for fd, c in list(children.items()):
                if c.current is not None and not done[c.current] and now >= c.started + seconds:
                    del children[fd]
                    c.kill()
                    results[c.current] = Failed(f"the parser did not finish within {seconds:g}s (malformed file?)")
                    done[c.current] = True
                    _restart(c, children, fn, items, memory, done)
    finally:  # an exception here (the target's deadline) must not leave children behind
        for c in children.values():
            c.kill()
    return results


def _drain(c: _Child, results: list[Any], done: list[bool]) -> None:
    while len(c.buf) >= _HEAD.size:
        kind, index, size = _HEAD.unpack_from(c.buf)
        if len(c.buf) < _HEAD.size + size:
            return
        payload = c.buf[_HEAD.size:_HEAD.size + size]
        c.buf = c.buf[_HEAD.size + size:]
        if kind == b"S":
            c.current, c.started = index, time.monotonic()
            continue
        status, value = pickle.loads(payload)
        results[index] = Failed(value) if status == "failed" else value
        done[index] = True
        c.current = None


def _restart(c: _Child, children: dict[int, _Child], fn: Callable[[Any], Any], items: list[Any], memory: int,
             done: list[bool]) -> None:
    rest = [i for i in c.queue if not done[i]]
    if rest:
        nc = _Child(rest, fn, items, memory)
        children[nc.fd] = nc


def _kill(fd: int, pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    with contextlib.suppress(OSError):
        os.close(fd)
