"""Source trees: the same listener facts from Java, Kotlin, Swift, Objective-C, Dart, JS/TS, C/C++,
Python and Go, plus AndroidManifest.xml / Info.plist / .entitlements in the tree.

``analyze(target, options)`` walks ``target.path`` (a directory or one file), skips what
should be skipped (see :mod:`.walk`), parses candidate files with tree-sitter (in a
process pool for big trees) and returns :class:`~portaudit.model.Facts`.
One bad file never fails the tree: it becomes a line in ``target.notes``.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import pickle
import select
import signal
import stat
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ...model import Facts, Origin, Target
from ...options import Options
from . import config, walk

# Below this many candidate files (those that pass the keyword pre-filter) a process pool costs more
# than it saves: measured by benchmarks/bench_source.py on 2 CPUs (see docs/source.md).
PARALLEL_MIN_FILES = 96

log = logging.getLogger("portaudit")


def analyze(target: Target, options: Options) -> Facts:
    start = time.perf_counter()
    root = Path(target.path)
    facts = Facts(target=target)
    files, notes, stats = walk.collect(root, options)
    target.notes.extend(notes)
    code = [f for f in files if f.kind == "code"]
    configs = [f for f in files if f.kind == "config"]
    jobs = [(str(f.path), f.rel, f.lang, f.origin, options.limits.max_source_file_bytes) for f in code]
    results = _run(jobs, options)
    parsed = 0
    for rel, res in results:
        listeners, debug, file_notes, was_parsed = res
        parsed += was_parsed
        for n in file_notes:
            target.notes.append(f"{rel}: {n}")
            if n.startswith("cannot read"):  # an unreadable input gets its line on stderr (README "Bad input")
                log.warning("warning: %s: %s", root / rel if root.is_dir() else root, n)
        facts.listeners.extend(listeners)
        facts.debug.extend(debug)
    app, cfg_notes = config.read_configs(configs, root)
    facts.app = app
    target.notes.extend(cfg_notes)
    # -- hook (inputs/daemons): tor / v2ray / shadowsocks / privoxy / pdnsd configurations in the tree
    #    and torrc / privoxy directives in code strings
    from .. import daemons
    facts.listeners.extend(daemons.scan_tree(root, [f.path for f in code], target.notes))
    facts.listeners.sort(key=lambda x: (x.location.file or "", x.location.line or 0, x.location.column or 0))
    facts.debug.sort(key=lambda x: (x.location.file or "", x.location.line or 0))
    stats.update({"files_parsed": parsed, "files_candidate": len(code), "config_files": len(configs),
                  "seconds": round(time.perf_counter() - start, 4)})
    facts.stats["source"] = stats
    return facts


def _run(jobs: list[tuple], options: Options) -> list[tuple[str, tuple]]:
    """Pre-filter every file here (cheap: a read and a few byte searches), then parse the candidates:
    in this process for small trees, in a process pool (largest files first) for big ones."""
    results: list[tuple[str, tuple]] = []
    candidates: list[tuple] = []
    for job in jobs:
        early = _precheck(*job)
        if early is None:
            candidates.append(job)
        else:
            results.append((job[1], early))
    workers = max(1, min(os.cpu_count() or 1, 8))
    nested = multiprocessing.current_process().daemon  # a daemonic pool worker may not have children
    limit = options.limits.max_parse_seconds
    if options.limits.timeout_seconds:
        limit = min(limit, options.limits.timeout_seconds / 2)
    job_fn = functools.partial(_scan_job, limit)
    if len(candidates) < PARALLEL_MIN_FILES or workers == 1 or nested or \
            os.environ.get("PORTAUDIT_SOURCE_SEQUENTIAL"):
        results += [(j[1], job_fn(j)) for j in candidates]
    else:
        candidates.sort(key=lambda j: -_size(j[0]))
        try:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                results += list(zip((j[1] for j in candidates), pool.map(job_fn, candidates, chunksize=1)))
        except (OSError, RuntimeError):  # no process pool available here: do it in this process
            results += [(j[1], job_fn(j)) for j in candidates]
    return results


# tree-sitter-kotlin can backtrack for minutes in native code on some malformed files, where no
# signal can interrupt it (docs/hardening.md): such files are parsed in a forked child with a time
# limit, so one file costs a note instead of the whole tree.
CONTAINED_LANGS = {"kotlin"}


def _contained(job: tuple, seconds: float) -> tuple:
    """scan_file(*job) in a forked child; a note instead of a result past ``seconds``."""
    if not hasattr(os, "fork") or seconds <= 0:
        return scan_file(*job)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: compute, send, leave without running the parent's clean-up
        try:
            os.close(r)
            data = pickle.dumps(scan_file(*job), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(w, view):]
        finally:
            os._exit(0)
    os.close(w)
    chunks: list[bytes] = []
    finished = False
    try:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([r], [], [], left)
            if ready:
                chunk = os.read(r, 1 << 16)
                if not chunk:
                    finished = True
                    break
                chunks.append(chunk)
    finally:
        os.close(r)
        if not finished:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)
    if not finished:
        return [], [], [f"skipped: the parser did not finish within {seconds:g}s (malformed file?)"], 0
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - the child died before sending a whole result
        return [], [], ["skipped: the parser crashed on this file"], 0


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _scan_job(seconds: float, job: tuple) -> tuple:
    if job[2] in CONTAINED_LANGS:
        return _contained(job, seconds)
    return scan_file(*job)


def _precheck(path: str, rel: str, lang: str, origin_kind: str, max_bytes: int):
    """The result for a file that needs no parsing (skipped, unreadable, no catalogue keyword), else None."""
    from .detect import worth_parsing

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO named x.py would block the read for ever
            return [], [], ["skipped: not a regular file"], 0
        size = os.path.getsize(path)
        if size > max_bytes:
            return [], [], [f"skipped: {size} bytes, over the source file limit of {max_bytes}"], 0
        with open(path, "rb") as fh:
            src = fh.read()
    except OSError as exc:
        return [], [], [f"cannot read: {exc.strerror or exc}"], 0
    if b"\0" in src[:8192]:
        return [], [], ["skipped: binary content (NUL bytes) in a source file"], 0
    if not worth_parsing(src, lang):
        return [], [], [], 0
    return None


def scan_file(path: str, rel: str, lang: str, origin_kind: str, max_bytes: int):
    """(listeners, debug services, notes, parsed 0/1) for one file; never raises."""
    from .detect import FileScan

    early = _precheck(path, rel, lang, origin_kind, max_bytes)
    if early is not None:
        return early
    try:
        with open(path, "rb") as fh:
            src = fh.read()
    except OSError as exc:
        return [], [], [f"cannot read: {exc.strerror or exc}"], 0
    notes = []
    try:
        src.decode("utf-8")
    except UnicodeDecodeError as exc:
        notes.append(f"invalid UTF-8 at byte {exc.start}; scanned with replacement characters")
        src = src.decode("utf-8", "replace").encode("utf-8")
    try:
        scan = FileScan(rel, lang, src, Origin(kind=origin_kind))
        if scan.root.has_error:
            bad = _error_fraction(scan.root)
            if bad > 0.5:
                return [], [], notes + [f"does not parse as {lang} ({bad:.0%} of it is syntax errors); skipped"], 1
            notes.append(f"syntax errors in {lang} parse; scanned the parts that parse")
        scan.run()
        return scan.listeners, scan.debug, notes + scan.notes, 1
    except RecursionError:
        return [], [], notes + ["nests too deeply to analyse"], 1
    except Exception as exc:  # noqa: BLE001 - contain a bug to this one file
        return [], [], notes + [f"internal error ({type(exc).__name__}: {exc}); file skipped"], 1


def _error_fraction(root) -> float:
    total = max(1, root.end_byte - root.start_byte)
    bad = 0
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "ERROR" or n.is_missing:
            bad += n.end_byte - n.start_byte
            continue
        if n.has_error:
            stack.extend(n.children)
    return bad / total
