"""Scanning a corpus: find the apps, skip those already stored, scan the rest in parallel, store
each one as it completes.

Executors (all give the same store content):

* ``InProcess``: sequential, in this process (debugging; only the SIGALRM soft time limit);
* ``LocalPool(n)``: ``n`` guarded child processes (default: one per core);
* ``DaskExecutor``: a Dask ``LocalCluster`` started here, or an existing scheduler; each Dask
  worker thread drives its own guarded child process.

Only this process writes the store (one transaction per app), so a run can be killed at any
moment and resumed.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import internal_error
from ..formats.text import safe
from ..inputs.discover import discover, sha256_file, sniff
from ..options import Options
from .store import Store, StoreError
from .worker import GuardedWorker, config_to_options, dask_scan, failed_result, hard_timeout_for, scan_one

log = logging.getLogger("portaudit")

DEFAULT_MEMORY_MB = 4096


class CorpusError(Exception):
    """A run-level problem (bad list file, cluster unreachable...).  One-line message."""


# -- inputs ---------------------------------------------------------------------------------------
def is_list_file(path: str) -> bool:
    """A regular file that is not an app: a list of paths, one per line."""
    p = Path(path)
    if not p.is_file():
        return False
    try:
        with open(p, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    if sniff(p, head[:64]) not in (None, "source"):
        return False
    return b"\0" not in head


def read_list_file(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            lines = [ln.rstrip("\r\n") for ln in fh]
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read the list file ({exc.strerror or exc})") from None
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in inputs:
        if is_list_file(item):
            out.extend(read_list_file(item))
        else:
            out.append(item)
    return out


# -- executors ------------------------------------------------------------------------------------
Task = dict[str, Any]


class InProcess:
    name = "in-process"

    def __init__(self, config: dict[str, Any]):
        self.config = config
        self.options = config_to_options(config)

    def results(self, tasks: Iterator[Task]) -> Iterator[dict[str, Any]]:
        for task in tasks:
            yield scan_one(task, self.options, worker=f"pid{os.getpid()}")

    def close(self) -> None:
        pass


class LocalPool:
    """``n`` threads, each driving one guarded child process."""

    def __init__(self, config: dict[str, Any], jobs: int, stderr: Any = None):
        import subprocess

        self.config = config
        self.jobs = max(1, jobs)
        self.name = f"local pool of {self.jobs}"
        self._stderr = subprocess.DEVNULL if stderr is None else stderr
        self._local = threading.local()
        self._workers: list[GuardedWorker] = []
        self._lock = threading.Lock()
        self._pool = cf.ThreadPoolExecutor(self.jobs, thread_name_prefix="portaudit-corpus")
        self._hard = hard_timeout_for(config)

    def _run(self, task: Task) -> dict[str, Any]:
        w = getattr(self._local, "worker", None)
        if w is None:
            with self._lock:
                w = GuardedWorker(self.config, name=f"local-{len(self._workers)}", stderr=self._stderr)
                self._workers.append(w)
            self._local.worker = w
        return w.run(task, self._hard)

    def results(self, tasks: Iterator[Task]) -> Iterator[dict[str, Any]]:
        pending: set[cf.Future] = set()
        window = self.jobs * 2
        tasks = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                pending.add(self._pool.submit(self._run, task))
            if not pending:
                return
            done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                yield fut.result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        for w in list(self._workers):
            w.stop()


class DaskExecutor:
    """A Dask LocalCluster (``local_workers``) or an existing scheduler (``address``)."""

    def __init__(self, config: dict[str, Any], *, local_workers: int | None = None,
                 address: str | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:  # the "corpus" extra is not installed
            raise CorpusError("Dask execution needs the Python package distributed, which is not installed: "
                              "pip install 'portaudit[corpus]'") from None
        self.config = config
        self.cluster = None
        try:
            if address:
                self.client = Client(address, timeout="10s")
                self.name = f"Dask scheduler {address}"
            else:
                self.cluster = LocalCluster(
                    n_workers=local_workers or 1, threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address=None, silence_logs=logging.CRITICAL,
                    memory_limit=0)  # the guarded children enforce memory per app
                self.client = Client(self.cluster)
                self.name = f"Dask LocalCluster of {local_workers}"
        except (OSError, TimeoutError) as exc:
            self.close()
            where = address or "a local cluster"
            raise CorpusError(f"cannot connect to {where}: {exc}") from None

    def results(self, tasks: Iterator[Task]) -> Iterator[dict[str, Any]]:
        from distributed import as_completed

        nthreads = sum(self.client.nthreads().values()) or 1
        window = nthreads * 2
        futures: dict[Any, Task] = {}
        ac = as_completed()
        tasks = iter(tasks)

        def submit_more():
            while len(futures) < window:
                task = next(tasks, None)
                if task is None:
                    return
                fut = self.client.submit(dask_scan, task, self.config, pure=False,
                                         key=f"portaudit-{task['sha256']}-{time.monotonic_ns()}")
                futures[fut] = task
                ac.add(fut)

        submit_more()
        while futures:
            fut = next(ac)
            task = futures.pop(fut)
            try:
                res = fut.result()
            except Exception as exc:  # worker lost (KilledWorker), serialisation...
                res = failed_result(task, f"Dask task failed ({type(exc).__name__}: {exc})", "worker", 0.0)
            fut.release()
            yield res
            submit_more()

    def close(self) -> None:
        for obj in (getattr(self, "client", None), self.cluster):
            if obj is not None:
                with contextlib.suppress(Exception):
                    obj.close()


# -- progress -------------------------------------------------------------------------------------
@dataclass
class RunStats:
    total: int = 0  # inputs found
    total_bytes: int = 0
    scanned: int = 0  # analysed in this run
    skipped: int = 0  # already in the store (or a duplicate of one seen in this run)
    duplicates: int = 0
    errors: int = 0  # apps / inputs with errors in this run
    input_errors: int = 0  # inputs that never became an app (missing, empty, over the size limit)
    bytes_done: int = 0
    findings: int = 0
    started: float = field(default_factory=time.monotonic)
    executor: str = ""

    @property
    def completed(self) -> int:
        return self.scanned + self.skipped + self.input_errors

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def rate(self) -> tuple[float, float]:
        el = max(self.elapsed, 1e-9)
        return self.scanned / el, self.bytes_done / el / 1e6

    def summary(self) -> str:
        aps, mbs = self.rate()
        return (f"{self.scanned} app(s) scanned, {self.skipped} already stored or duplicate, "
                f"{self.errors} with errors ({self.input_errors} unusable input(s)), "
                f"{self.findings} finding(s) in {self.elapsed:.1f}s "
                f"({aps:.2f} apps/s, {mbs:.2f} MB/s, {self.executor})")


class Progress:
    """What the runner reports; the CLI subclasses it with a rich progress bar."""

    def start(self, stats: RunStats) -> None: ...
    def update(self, stats: RunStats) -> None: ...
    def finish(self, stats: RunStats) -> None: ...


class RichProgress(Progress):
    def __init__(self, console=None):
        from rich.console import Console

        self.console = console or Console(stderr=True)
        self._p = None
        self._task = None

    def start(self, stats: RunStats) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
        from rich.progress import Progress as P

        self._p = P(
            TextColumn("[bold]corpus"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[aps]:.1f} apps/s"), TextColumn("{task.fields[mbs]:.1f} MB/s"),
            TextColumn("ETA"), TimeRemainingColumn(),
            TextColumn("[red]{task.fields[errors]} errors"), TextColumn("{task.fields[skipped]} skipped"),
            console=self.console, transient=False, refresh_per_second=4)
        self._p.start()
        self._task = self._p.add_task("scan", total=stats.total, aps=0.0, mbs=0.0, errors=0, skipped=0)

    def update(self, stats: RunStats) -> None:
        if self._p is None:
            return
        aps, mbs = stats.rate()
        self._p.update(self._task, completed=stats.completed, aps=aps, mbs=mbs, errors=stats.errors,
                       skipped=stats.skipped)

    def finish(self, stats: RunStats) -> None:
        if self._p is not None:
            self.update(stats)
            self._p.stop()
            self._p = None


# -- the run --------------------------------------------------------------------------------------
APP_KINDS = ("apk", "aab", "apks", "xapk", "jar", "zip", "dex", "ipa", "elf", "macho")


def make_executor(config: dict[str, Any], *, jobs: int | None = None, in_process: bool = False,
                  dask_local: int | None = None, scheduler: str | None = None, worker_stderr: Any = None):
    if scheduler:
        return DaskExecutor(config, address=scheduler)
    if dask_local:
        return DaskExecutor(config, local_workers=dask_local)
    if in_process:
        return InProcess(config)
    return LocalPool(config, jobs or os.cpu_count() or 1, stderr=worker_stderr)


def scan_corpus(
    inputs: Iterable[str],
    db: str | Store,
    *,
    options: Options | None = None,
    jobs: int | None = None,
    in_process: bool = False,
    dask_local: int | None = None,
    scheduler: str | None = None,
    memory_mb: int = DEFAULT_MEMORY_MB,
    retry_errors: bool = False,
    kinds: Iterable[str] | None = None,
    progress: Progress | None = None,
    max_page_count: int | None = None,
    argv: str = "",
    worker_stderr: Any = None,
    on_result: Callable[[dict[str, Any]], None] | None = None,
) -> RunStats:
    """Scan every app named by ``inputs`` (files, directories, list files) into the store ``db``.

    Raises :class:`StoreError` (store unusable, disk full: the store stays consistent) or
    :class:`CorpusError`.  Per-app problems never raise: they are rows in ``errors``.
    """
    options = options or Options()
    progress = progress or Progress()
    wanted = set(kinds or APP_KINDS)
    own_store = isinstance(db, str)
    store = Store(db, max_page_count=max_page_count) if isinstance(db, str) else db
    executor = None
    stats = RunStats()
    try:
        store.begin_run(argv)
        targets = []
        for t in discover(expand_inputs(inputs), options):
            if t.kind == "source" and "source" not in wanted:
                log.info("%s: source trees are not part of a corpus scan, skipped", t.path)
                continue
            if not t.errors and t.kind not in wanted:
                continue
            targets.append(t)
        sizes: dict[str, os.stat_result | None] = {}
        for t in targets:
            try:
                sizes[t.path] = os.stat(t.path) if not t.errors else None
            except OSError:
                sizes[t.path] = None
        stats.total = len(targets)
        stats.total_bytes = sum(st.st_size for st in sizes.values() if st is not None)
        known = store.known_paths()
        done = store.done_sha256(include_errors=not retry_errors)
        stored = store.done_sha256() if retry_errors else done
        inflight: dict[str, list[tuple[str, int | None, int | None]]] = {}
        config_ = _config(options, memory_mb)
        max_bytes = options.limits.max_file_bytes

        def hashed(t):
            st = sizes.get(t.path)
            if t.errors or st is None or st.st_size == 0 or st.st_size > max_bytes:
                return t, st, None, None
            kp = known.get(safe(t.path))  # the store keeps names escaped (formats.text.safe)
            if kp and kp[1] == st.st_size and kp[2] == st.st_mtime_ns and kp[0] in done:
                return t, st, kp[0], None
            try:
                return t, st, sha256_file(t.path)[0], None
            except OSError as exc:
                return t, st, None, f"cannot read: {exc.strerror or exc}"

        def tasks() -> Iterator[Task]:
            # hashing happens here, in order, while the workers chew on the tasks already handed out
            # (hashlib releases the GIL; threads were tried and only added GIL ping-pong)
            for t in targets:
                t, st, sha, err = hashed(t)
                msg = err or (t.errors[0] if t.errors else None)
                if msg is None and st is None:
                    msg = "cannot read: file vanished"
                elif msg is None and st.st_size == 0:
                    msg = "empty file"
                elif msg is None and st.st_size > max_bytes:
                    msg = f"file is {st.st_size} bytes, over the limit of {max_bytes}"
                if msg is not None:
                    store.record_input_error(t.path, msg)
                    stats.errors += 1
                    stats.input_errors += 1
                    progress.update(stats)
                    continue
                entry = (t.path, st.st_size, st.st_mtime_ns)
                if sha in done:
                    store.add_paths(sha, [entry])
                    stats.skipped += 1
                    progress.update(stats)
                    continue
                if sha in inflight:
                    inflight[sha].append(entry)
                    stats.skipped += 1
                    stats.duplicates += 1
                    progress.update(stats)
                    continue
                inflight[sha] = []
                yield {"path": t.path, "kind": t.kind, "sha256": sha, "size": st.st_size,
                       "mtime_ns": st.st_mtime_ns}

        executor = make_executor(config_, jobs=jobs, in_process=in_process, dask_local=dask_local,
                                 scheduler=scheduler, worker_stderr=worker_stderr)
        stats.executor = executor.name
        progress.start(stats)
        try:
            for res in executor.results(tasks()):
                extra = inflight.pop(res["sha256"], [])
                try:
                    store.record(res, extra, replace=retry_errors and res["sha256"] in stored)
                except StoreError:
                    raise
                except Exception as exc:  # noqa: BLE001 - one app's odd data costs that app only
                    log.error("%s: %s", res["path"], internal_error(exc, "while storing"))
                    store.record_input_error(res["path"], internal_error(exc, "while storing"), stage="store")
                    stats.errors += 1
                    progress.update(stats)
                    continue
                done.add(res["sha256"])
                stats.scanned += 1
                stats.bytes_done += res.get("size") or 0
                stats.findings += len(res["findings"])
                if res["errors"]:
                    stats.errors += 1
                    for e in res["errors"]:
                        log.info("%s: %s", res["path"], e["message"])
                if on_result:
                    on_result(res)
                progress.update(stats)
        finally:
            progress.finish(stats)
    finally:
        if executor is not None:
            executor.close()
        if own_store:
            store.close()
    return stats


def _config(options: Options, memory_mb: int) -> dict[str, Any]:
    from .worker import options_to_config

    return options_to_config(options, memory_mb=memory_mb)


__all__ = [
    "APP_KINDS",
    "CorpusError",
    "Progress",
    "RichProgress",
    "RunStats",
    "StoreError",
    "expand_inputs",
    "is_list_file",
    "make_executor",
    "scan_corpus",
]
