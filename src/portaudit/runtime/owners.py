"""Whose listener is it?  The owner a linked run ties static findings to.

* :class:`Package`: an Android package on a device (``scan app.apk --device``,
  ``device --package P --apk app.apk``): the process's package list names it.
* :class:`CodeTree`: the processes of this host whose code lives under the scanned
  paths (``scan PATH... --host``).  A process belongs when, read from
  ``/proc/PID`` (psutil elsewhere), one of these lies under a path:

  1. its executable (``exe``): a Go or C program built into the tree;
  2. an argument of its command line that names an existing file or folder, read
     relative to the process's working directory: the script of an interpreter
     (``python3 server/srv.py``, ``node web.js``), ``-jar app.jar``, a ``-cp`` /
     ``--class-path`` / ``-classpath`` entry (``java -cp build Srv``);
  3. ``python -m pkg.mod``: the module's file or package folder, under the working
     directory;
  4. a file it has mapped (``/proc/PID/maps``): a shared library or JAR of the tree.

  The working directory alone does not make a process belong (a shell or an
  unrelated server started from the tree).  A process whose details cannot be read
  (another user's, without root) does not belong, and the run says how many were
  unreadable.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..model.runtime import RuntimeListener

CLASSPATH_FLAGS = ("-cp", "-classpath", "--class-path")


@dataclass
class Package:
    """The listeners of one Android package."""

    name: str

    @property
    def label(self) -> str:
        return self.name

    def belongs(self, lst: RuntimeListener) -> str | None:
        p = lst.process
        return "package" if p and p.package and self.name in p.package.split(",") else None

    def to_link(self) -> dict:
        return {"package": self.name}


@dataclass
class ProcessView:
    """What is known of one process (read once)."""

    pid: int
    exe: str | None = None
    cmdline: list[str] = field(default_factory=list)
    cwd: str | None = None
    maps: list[str] = field(default_factory=list)
    readable: bool = True


def read_process(pid: int, proc: str = "/proc") -> ProcessView:
    """exe, cmdline, cwd and mapped files of ``pid``; ``readable`` False when they cannot be read."""
    view = ProcessView(pid=pid)
    base = Path(proc) / str(pid)
    if base.is_dir():
        try:
            view.cmdline = [a for a in (base / "cmdline").read_bytes().decode("utf-8", "surrogateescape")
                            .split("\0") if a]
        except OSError:
            view.readable = False
            return view
        for name in ("exe", "cwd"):
            try:
                setattr(view, name, os.readlink(base / name))
            except OSError:
                view.readable = False
        try:
            view.maps = _mapped(base / "maps")
        except OSError:
            view.readable = False
        return view
    try:  # not Linux: psutil
        import psutil

        p = psutil.Process(pid)
        view.cmdline, view.exe, view.cwd = p.cmdline(), p.exe() or None, p.cwd() or None
        view.maps = [m.path for m in p.memory_maps()] if hasattr(p, "memory_maps") else []
    except Exception:  # noqa: BLE001 - psutil.Error, AccessDenied, NoSuchProcess: not readable
        view.readable = False
    return view


def _mapped(path: Path) -> list[str]:
    out = set()
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        for line in fh:
            parts = line.split(None, 5)
            if len(parts) == 6 and parts[5].startswith("/"):
                out.add(parts[5].rstrip("\n").removesuffix(" (deleted)"))
    return sorted(out)


def _under(path: str | None, roots: list[Path]) -> Path | None:
    if not path:
        return None
    try:
        p = Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    for root in roots:
        if p == root or root in p.parents:
            return root
    return None


def _arg_paths(view: ProcessView) -> Iterable[tuple[str, str]]:
    """(why, path) for every argument that can name a file, relative to the working directory."""
    args = view.cmdline[1:]
    cwd = view.cwd or "/"
    for i, arg in enumerate(args):
        prev = args[i - 1] if i else ""
        if prev in CLASSPATH_FLAGS:
            for entry in arg.split(os.pathsep):
                if entry:
                    yield f"class path {entry}", os.path.join(cwd, entry)
            continue
        if prev == "-m" and arg and not arg.startswith("-"):
            rel = arg.replace(".", os.sep)
            for cand in (rel + ".py", rel):
                yield f"module {arg}", os.path.join(cwd, cand)
            continue
        if arg.startswith("-"):
            continue
        yield f"argument {arg}", os.path.join(cwd, arg)


def code_in(view: ProcessView, roots: list[Path]) -> str | None:
    """Why the process's code is under one of ``roots`` ("executable build/srv", ...), else None."""
    if not view.readable and not view.cmdline:
        return None
    if _under(view.exe, roots):
        return f"executable {view.exe}"
    for why, path in _arg_paths(view):
        # a plain argument counts when it is a file (a script, a JAR); a folder only as a class path
        # entry or a -m package ("--directory ." of a file server started in the tree is not its code)
        plain_ok = not why.startswith("argument ") or os.path.isfile(path)
        if plain_ok and os.path.exists(path) and _under(path, roots):
            return why
    for path in view.maps:
        if _under(path, roots):
            return f"mapped file {path}"
    return None


@dataclass
class CodeTree:
    """The processes of this host whose code lives under ``paths``."""

    paths: list[str]
    proc: str = "/proc"
    roots: list[Path] = field(init=False)
    why: dict[int, str | None] = field(default_factory=dict, init=False)  # pid -> reason, None = not ours
    unreadable: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self.roots = [Path(p).resolve() for p in self.paths]

    @property
    def label(self) -> str:
        return ", ".join(self.paths)

    def belongs(self, lst: RuntimeListener) -> str | None:
        pid = lst.process.pid if lst.process else None
        if pid is None:
            return None
        if pid not in self.why:
            view = read_process(pid, self.proc)
            self.unreadable += 0 if view.readable else 1
            self.why[pid] = code_in(view, self.roots)
        return self.why[pid]

    def to_link(self) -> dict:
        return {"code": self.label}
