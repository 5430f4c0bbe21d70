"""Scanning one app, and the guarded worker process that does it.

:func:`scan_one` runs the library pipeline (``analyze_target`` + ``rules.evaluate``) on one file and
returns a plain, JSON-serialisable dict (what the store records).  It never raises.

:class:`GuardedWorker` keeps one child process (``python -m portaudit.corpus.worker``) that scans
apps sent to it one at a time over a pipe.  The child limits its own address space
(``RLIMIT_AS``) so a hostile app ends in a ``MemoryError`` (recorded as an error) instead of the
machine swapping, and keeps the per-target soft time limit (SIGALRM, from ``analyze_target``); the
parent kills the child if it overruns a hard deadline or dies (segfault in a native parser, OOM
kill) and records that as the app's error, then starts a fresh child for the next app.  The same
class is used by the local pool (one per pool thread) and inside Dask workers (one per worker
thread), where analysis cannot run in the main thread and so has no SIGALRM.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from .. import __version__, rules
from ..model import Target
from ..options import Limits, Options
from ..scan import analyze_target
from .store import finding_row

_MB = 1024 * 1024


# -- options over the wire ------------------------------------------------------------------------
def options_to_config(options: Options, *, memory_mb: int = 0) -> dict[str, Any]:
    return {"limits": dict(vars(options.limits)), "rules": options.rules, "memory_mb": memory_mb,
            "follow_symlinks": options.follow_symlinks}


def config_to_options(config: dict[str, Any]) -> Options:
    limits = Limits(**{k: v for k, v in (config.get("limits") or {}).items() if hasattr(Limits, k)})
    return Options(limits=limits, rules=config.get("rules"),
                   follow_symlinks=bool(config.get("follow_symlinks")))


# -- peak memory ----------------------------------------------------------------------------------
def _reset_peak_rss() -> bool:
    try:  # Linux: writing 5 resets VmHWM (peak RSS) of this process
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_rss_kb() -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        import resource

        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    except Exception:  # pragma: no cover - non-POSIX
        return None


def set_memory_limit(memory_mb: int) -> None:
    """Limit this process's address space (no-op when 0 or unsupported)."""
    if not memory_mb or memory_mb <= 0:
        return
    try:
        import resource

        limit = int(memory_mb) * _MB
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - non-Linux
        pass


# -- one app --------------------------------------------------------------------------------------
def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


def _sort_key(row: dict[str, Any]) -> tuple:
    return tuple("" if row.get(k) is None else str(row.get(k)) for k in
                 ("rule", "file", "class", "method", "offset", "line", "column", "api", "port",
                  "fingerprint", "message"))


def scan_one(task: dict[str, Any], options: Options, worker: str = "") -> dict[str, Any]:
    """Analyse one app.  ``task`` has path, kind, and the sha256/size/mtime_ns the parent saw."""
    path, kind = task["path"], task["kind"]
    _reset_peak_rss()
    t0, c0 = time.perf_counter(), time.process_time()
    target = Target(path=path, kind=kind)
    errors: list[dict[str, str]] = []
    findings: list[dict[str, Any]] = []
    analysed = False
    package = version = version_code = None
    t1 = t0
    try:
        facts = analyze_target(target, options)
        t1 = time.perf_counter()
        errors += [{"message": e, "stage": "memory" if e.startswith("out of memory") else
                    "timeout" if "time limit" in e else "analyze"} for e in target.errors]
        if facts.app is not None:
            package, version, version_code = facts.app.package, facts.app.version_name, facts.app.version_code
        # "partial" (errors, but something was analysed) vs "error" (nothing usable)
        analysed = bool(facts.app is not None or facts.listeners or facts.debug or facts.sdks
                        or (facts.stats.get("dex_files") or 0) > 0)
        try:
            found = rules.evaluate(facts, options.rules)
            findings = sorted((finding_row(f.to_dict()) for f in found), key=_sort_key)
        except Exception as exc:  # a rule bug: contain it, keep the target
            errors.append({"message": f"internal error in rules ({type(exc).__name__}: {exc}); please report it",
                           "stage": "rules"})
    except MemoryError:
        errors.append({"message": "out of memory while analysing (worker memory limit)", "stage": "memory"})
    except Exception as exc:  # analyze_target contains everything; this is belt and braces
        errors.append({"message": f"internal error ({type(exc).__name__}: {exc}); please report it",
                       "stage": "analyze"})
    t2 = time.perf_counter()
    sha = task.get("sha256") or target.sha256
    if task.get("sha256") and target.sha256 and target.sha256 != task["sha256"]:
        errors.append({"message": "file changed while the corpus was being scanned", "stage": "input"})
    return {
        "path": path,
        "kind": kind,
        "sha256": sha,
        "size": task.get("size") if task.get("size") is not None else target.size,
        "mtime_ns": task.get("mtime_ns"),
        "package": package,
        "version": version,
        "version_code": version_code,
        "seconds": round(t2 - t0, 4),
        "tool_version": __version__,
        "scanned_at": _now(),
        "analysed": analysed,
        "findings": findings,
        "errors": errors,
        "timings": {
            "analyze_s": round(t1 - t0, 4),
            "rules_s": round(t2 - t1, 4),
            "total_s": round(t2 - t0, 4),
            "cpu_s": round(time.process_time() - c0, 4),
            "peak_rss_kb": _peak_rss_kb(),  # since the reset above (Linux), else the process peak
            "worker": worker,
        },
    }


def failed_result(task: dict[str, Any], message: str, stage: str, seconds: float, worker: str = "") -> dict[str, Any]:
    """The record of an app whose worker was killed or died."""
    return {
        "path": task["path"], "kind": task["kind"], "sha256": task.get("sha256"), "size": task.get("size"),
        "mtime_ns": task.get("mtime_ns"), "package": None, "version": None, "version_code": None,
        "seconds": round(seconds, 4), "tool_version": __version__, "scanned_at": _now(), "analysed": False,
        "findings": [], "errors": [{"message": message, "stage": stage}],
        "timings": {"analyze_s": None, "rules_s": None, "total_s": round(seconds, 4), "cpu_s": None,
                    "peak_rss_kb": None, "worker": worker},
    }


# -- the guarded child process --------------------------------------------------------------------
class GuardedWorker:
    """One child process scanning apps one at a time, killed and replaced when it misbehaves."""

    def __init__(self, config: dict[str, Any], name: str = "", stderr: Any = subprocess.DEVNULL):
        self.config = config
        self.name = name or f"w{id(self) & 0xffff:x}"
        self.stderr = stderr
        self.proc: subprocess.Popen | None = None
        self._buf = b""

    def _start(self) -> None:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "portaudit.corpus.worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, env=env,
            start_new_session=False)
        self._buf = b""
        self._send(self.config)

    def _send(self, obj: Any) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(obj).encode() + b"\n")
        self.proc.stdin.flush()

    def _read_line(self, deadline: float) -> bytes | None:
        """One line from the child, or None on EOF / deadline."""
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    def run(self, task: dict[str, Any], hard_timeout: float | None) -> dict[str, Any]:
        start = time.monotonic()
        try:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            self._send(task)
        except (BrokenPipeError, OSError) as exc:
            self.stop()
            return failed_result(task, f"could not start a scan worker ({exc})", "worker", 0.0, self.name)
        deadline = start + hard_timeout if hard_timeout else float("inf")
        line = self._read_line(deadline)
        elapsed = time.monotonic() - start
        if line is not None:
            try:
                result = json.loads(line)
                if result.pop("_restart", False):  # the child ends itself after a MemoryError
                    self.stop()
                result["timings"]["worker"] = f"{self.name} {result['timings'].get('worker') or ''}".strip()
                return result
            except (ValueError, KeyError, TypeError):
                self.stop()
                return failed_result(task, "scan worker sent an unreadable result", "worker", elapsed, self.name)
        # deadline or EOF: the child is stuck or gone
        assert self.proc is not None
        rc = self.proc.poll()
        if rc is None and time.monotonic() < deadline:  # EOF: the child is exiting
            try:
                rc = self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                rc = None
        if rc is None:  # still running past the hard deadline
            self.stop()
            return failed_result(task, f"time limit of {hard_timeout:g}s per app exceeded (worker killed)",
                                 "timeout", elapsed, self.name)
        self.proc = None
        if rc < 0:
            try:
                signame = signal.Signals(-rc).name
            except ValueError:
                signame = f"signal {-rc}"
            why = " (out of memory?)" if -rc == signal.SIGKILL else ""
            msg = f"scan worker died with {signame}{why}"
        else:
            msg = f"scan worker exited with status {rc}"
        return failed_result(task, msg, "worker", elapsed, self.name)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
        except Exception:
            pass
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream:
                    stream.close()
            except Exception:
                pass


def hard_timeout_for(config: dict[str, Any]) -> float | None:
    soft = float((config.get("limits") or {}).get("timeout_seconds") or 0)
    if soft <= 0:
        return None
    return soft * 1.5 + 10.0  # the child's own SIGALRM fires first; this catches a stuck C call


# -- Dask entry point (runs inside a Dask worker process) ------------------------------------------
_local = threading.local()


def dask_scan(task: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """Scan one app inside a Dask worker through a per-thread guarded child process."""
    worker: GuardedWorker | None = getattr(_local, "worker", None)
    if worker is None or worker.config != config:
        if worker is not None:
            worker.stop()
        try:
            from distributed import get_worker

            name = str(get_worker().address)
        except Exception:
            name = f"dask-{os.getpid()}"
        worker = GuardedWorker(config, name=f"{name}/{threading.get_ident() & 0xffff:x}")
        _local.worker = worker
    return worker.run(task, hard_timeout_for(config))


# -- the child ------------------------------------------------------------------------------------
def _child_main() -> int:
    # Ctrl-C in the terminal reaches the whole process group: the parent decides what to do (it
    # stops the workers); a child must not turn the interrupt into a bogus per-app error.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    proto = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to stderr, never into the protocol
    sys.stdout = sys.stderr
    stdin = sys.stdin.buffer
    first = stdin.readline()
    if not first:
        return 0
    config = json.loads(first)
    set_memory_limit(int(config.get("memory_mb") or 0))
    options = config_to_options(config)
    name = f"pid{os.getpid()}"
    for line in stdin:
        if not line.strip():
            continue
        task = json.loads(line)
        result = scan_one(task, options, worker=name)
        restart = any(e.get("stage") == "memory" for e in result["errors"])
        result["_restart"] = restart
        try:
            data = json.dumps(result).encode()
        except MemoryError:
            data = json.dumps(failed_result(task, "out of memory while writing the result", "memory",
                                            result.get("seconds") or 0.0, name)).encode()
        proto.write(data + b"\n")
        proto.flush()
        if restart:
            return 0  # start afresh after a MemoryError: the heap may be fragmented or half-built
    return 0


if __name__ == "__main__":
    try:
        sys.exit(_child_main())
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
