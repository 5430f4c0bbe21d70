"""Turn the paths a user names into targets, by file content first and a real extension second.

Directories are walked iteratively (no recursion, so any depth is safe) down to
``limits.max_walk_depth`` levels; what lies deeper, a folder that cannot be listed, or an archive
inside a folder that holds no app code (``gradle-wrapper.jar``) is a note on the folder's source
target (or one line on stderr when it has none), never an error: notes do not fail a run.
A path named twice is scanned once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from ..model import Target
from ..options import Options

log = logging.getLogger("portaudit")

ZIP_KINDS = {".apk": "apk", ".aab": "aab", ".apks": "apks", ".xapk": "xapk", ".apkm": "apks",
             ".jar": "jar", ".zip": "zip", ".ipa": "ipa"}
SOURCE_SUFFIXES = {
    ".java", ".kt", ".kts", ".swift", ".m", ".mm", ".h", ".hh", ".hpp", ".dart", ".js", ".jsx",
    ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".c", ".cc", ".cpp", ".cxx", ".py", ".go",
    ".entitlements", ".plist",
}
SOURCE_NAMES = {"AndroidManifest.xml", "Info.plist"}
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache",
             ".pytest_cache", ".gradle", ".idea"}

# libfoo.so, libfoo.so.1, libfoo.so.1.2.3: a real shared-object name (README.so.md is not one)
_SO_NAME = re.compile(r"\.so(\.\d+)*$")
_MACHO_MAGICS = {b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"}
_FAT_MAGICS = {b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"}


def sniff(path: Path, head: bytes) -> str | None:
    """The kind of a file from its first bytes (and its name for zip containers)."""
    suffix = path.suffix.lower()
    if head.startswith(b"dex\n"):
        return "dex"
    if head.startswith(b"\x7fELF"):
        return "elf"
    if head[:4] in _MACHO_MAGICS:
        return "macho"
    if head[:4] in _FAT_MAGICS and len(head) >= 8:
        # 0xCAFEBABE is also a Java class file; a fat header has a small arch count.
        nfat = int.from_bytes(head[4:8], "big")
        if 0 < nfat < 32:
            return "macho"
    if head.startswith(b"PK"):
        return ZIP_KINDS.get(suffix, "zip")
    if suffix in ZIP_KINDS:  # damaged container: let its analyzer say what is wrong
        return ZIP_KINDS[suffix]
    if suffix == ".dex":
        return "dex"
    if _SO_NAME.search(path.name):
        return "elf"
    if is_source_file(path):
        return "source"
    return None


def is_source_file(path: Path) -> bool:
    return path.suffix.lower() in SOURCE_SUFFIXES or path.name in SOURCE_NAMES


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(64)


def discover(paths: list[str], options: Options) -> Iterator[Target]:
    """Yield one target per app / binary file, and one ``source`` target per directory
    holding source files (or per source file named directly)."""
    named: set[str] = set()
    for raw in paths:
        p = Path(raw)
        if not os.path.lexists(p):
            yield Target(path=raw, kind="missing", errors=["no such file or directory"])
            continue
        real = os.path.realpath(p)
        if real in named:  # the same file or folder named twice (or through a symlink)
            continue
        named.add(real)
        if p.is_dir():
            found = 0
            for target in _walk(p, options):
                found += 1
                yield target
            if not found:  # a wrong folder must not pass silently as "0 findings"
                yield Target(path=raw, kind="empty",
                             errors=["no app, binary or source file found in this directory"])
            continue
        if not _regular(p):
            yield Target(path=raw, kind="unreadable", errors=["not a regular file (FIFO, socket or device)"])
            continue
        try:
            kind = sniff(p, _read_head(p))
        except OSError as exc:
            yield Target(path=raw, kind="unreadable", errors=[f"cannot read: {exc.strerror or exc}"])
            continue
        if kind is None:
            yield Target(path=raw, kind="unknown",
                         errors=["not a recognised app, binary or source file"])
            continue
        yield Target(path=raw, kind=kind)


def _walk(root: Path, options: Options) -> Iterator[Target]:
    """Depth-first, in name order, with an explicit stack."""
    has_source = False
    notes: list[str] = []
    seen_dirs: set[tuple[int, int]] = set()
    limit = options.limits.max_walk_depth
    stack: list[tuple[str, int]] = [(str(root), 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            st = os.stat(folder)
        except OSError as exc:
            notes.append(f"{_shown(root, folder)}: cannot list: {exc.strerror or exc}")
            continue
        if (st.st_dev, st.st_ino) in seen_dirs:  # symlink loop
            continue
        seen_dirs.add((st.st_dev, st.st_ino))
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Target(path=folder, kind="unreadable", errors=[f"cannot list: {exc.strerror or exc}"])
            continue
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=options.follow_symlinks)
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in SKIP_DIRS:
                    subdirs.append(entry.path)
                continue
            fp = Path(entry.path)
            if entry.is_symlink() and not options.follow_symlinks:
                continue
            if is_source_file(fp):
                has_source = True
                continue
            target = _file_target(root, fp, notes)
            if target is not None:
                yield target
        if subdirs and depth >= limit:
            notes.append(f"{_shown(root, folder)}: {len(subdirs)} folder(s) more than {limit} levels deep "
                         "not searched (--limit max_walk_depth)")
            continue
        stack.extend((d, depth + 1) for d in reversed(subdirs))
    if has_source:
        yield Target(path=str(root), kind="source", notes=notes)
    else:
        for note in notes:
            log.warning("warning: %s: %s", root, note)


def _file_target(root: Path, fp: Path, notes: list[str]) -> Target | None:
    """The target for one file found in a folder, or None (a note says why when it matters)."""
    if not _regular(fp):  # FIFOs, sockets, devices: opening a FIFO would block the scan for ever
        return None
    try:
        head = _read_head(fp)
    except OSError as exc:  # said once on stderr and in targets[].errors, never skipped silently
        return Target(path=str(fp), kind="unreadable", errors=[f"cannot read: {exc.strerror or exc}"])
    kind = sniff(fp, head)
    if not kind or kind == "source":
        return None
    if kind in ("zip", "jar") and not _zip_may_hold_app(fp, kind):
        if kind == "jar":  # build-tool and library jars (gradle-wrapper.jar): no DEX, nothing to scan
            notes.append(f"{_shown(root, str(fp))}: JAR without DEX (Java bytecode only); skipped")
        return None
    return Target(path=str(fp), kind=kind)


def _shown(root: Path, path: str) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return path


def _regular(path: Path) -> bool:
    """A regular file (after symlinks), or one we cannot stat (reading it then says why)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True


def _zip_may_hold_app(path: Path, kind: str = "zip") -> bool:
    """Inside a directory only zips that look like apps are taken (a named .zip always is); a JAR
    only with DEX (or an APK) inside, since its native libraries alone are not analysed."""
    import zipfile

    wanted = (".dex", ".apk") if kind == "jar" else (".dex", ".apk", ".so")
    try:
        with zipfile.ZipFile(path) as zf:
            for n in zf.namelist()[:5000]:
                if n.endswith(wanted) or (kind != "jar" and n.startswith("Payload/")):
                    return True
    except Exception:  # noqa: BLE001 - hostile zips make zipfile raise NotImplementedError, EOFError...
        return True  # damaged: let the analyzer report it (never stop discovery of the other files)
    return False


def sha256_file(path: str) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size
