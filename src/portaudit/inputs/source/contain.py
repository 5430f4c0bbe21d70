"""Run one unit of work per file in a forked child with a time and a memory limit.

A parser can backtrack for minutes in native code (tree-sitter-kotlin does, docs/hardening.md) or
build a tree of a gigabyte for a few megabytes of generated code; neither a signal handler nor a
``MemoryError`` reaches it there.  So every file is analysed in a child process: the child inherits
the parent's loaded grammars and compiled queries (``fork``, no start-up cost), gets an address-space
limit, computes, sends a pickled result through a pipe and leaves.  The parent kills a child that
overruns its time; a child that dies (out of memory, a native crash) costs a note.  Up to
``workers`` children run at once, which is also the parallelism of the source front end.

Where ``fork`` does not exist the work runs in this process, without limits.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable, Iterable
from typing import Any

# Address space a child may use on top of what it inherits from the parent.  The largest source
# file read (limits.max_source_file_bytes, 4 MiB) parses in about 150 MB.
FILE_MEMORY_BYTES = 768 * 1024**2


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


class Failed:
    """What a child that did not deliver a result left behind (a note for the file)."""

    def __init__(self, note: str):
        self.note = note


def run(items: Iterable[Any], fn: Callable[[Any], Any], *, seconds: float, workers: int = 1,
        memory: int | None = None) -> list[Any]:
    """``[fn(item) for item in items]``, each in a forked child with ``seconds`` of wall time and
    ``memory`` bytes of extra address space; a child that fails gives a :class:`Failed`."""
    items = list(items)
    memory = FILE_MEMORY_BYTES if memory is None else memory
    if not hasattr(os, "fork") or seconds <= 0:
        return [fn(x) for x in items]
    results: list[Any] = [None] * len(items)
    running: dict[int, tuple[int, int, float, list[bytes]]] = {}  # fd -> (index, pid, deadline, chunks)
    todo = list(range(len(items)))
    todo.reverse()
    try:
        while todo or running:
            while todo and len(running) < max(1, workers):
                i = todo.pop()
                fd, pid = _start(fn, items[i], memory)
                running[fd] = (i, pid, time.monotonic() + seconds, [])
            wait = max(0.0, min(d for _, _, d, _ in running.values()) - time.monotonic())
            ready, _, _ = select.select(list(running), [], [], wait)
            for fd in ready:
                i, pid, deadline, chunks = running[fd]
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    chunks.append(chunk)
                    continue
                del running[fd]
                os.close(fd)
                status = os.waitpid(pid, 0)[1]
                results[i] = _decode(b"".join(chunks), status)
            now = time.monotonic()
            for fd, (i, pid, deadline, _chunks) in list(running.items()):
                if now >= deadline:
                    del running[fd]
                    _kill(fd, pid)
                    results[i] = Failed(f"the parser did not finish within {seconds:g}s (malformed file?)")
    finally:  # an exception here (the target's deadline) must not leave children behind
        for fd, (_i, pid, _d, _c) in running.items():
            _kill(fd, pid)
    return results


def _start(fn: Callable[[Any], Any], item: Any, memory: int) -> tuple[int, int]:
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: compute, send, leave without running the parent's clean-up
        try:
            os.close(r)
            signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the parent's deadline is the parent's
            _limit_memory(memory)
            try:
                out: Any = ("ok", fn(item))
            except MemoryError:
                out = ("failed", f"over the memory limit of {memory // 1024**2} MiB for one file")
            except Exception as exc:  # noqa: BLE001 - a bug in the analysis: contained to this file
                out = ("failed", f"internal error ({type(exc).__name__}: {exc})")
            data = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
        finally:
            os._exit(0)
    os.close(w)
    return r, pid


def _decode(data: bytes, status: int) -> Any:
    try:
        kind, value = pickle.loads(data)
    except Exception:  # noqa: BLE001 - the child died before sending a whole result
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        why = f"signal {sig}" if sig else f"exit status {os.WEXITSTATUS(status)}"
        return Failed(f"the analysis crashed on this file ({why}; out of memory?)")
    return Failed(value) if kind == "failed" else value


def _kill(fd: int, pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass
