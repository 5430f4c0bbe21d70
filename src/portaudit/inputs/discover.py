"""Turn the paths a user names into targets, by file content first and name second."""

from __future__ import annotations

import hashlib
import logging
import os
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
    if suffix == ".so" or ".so." in path.name:
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
    for raw in paths:
        p = Path(raw)
        if not os.path.lexists(p):
            yield Target(path=raw, kind="missing", errors=["no such file or directory"])
            continue
        if p.is_dir():
            found = 0
            for target in _walk(p, options):
                found += 1
                yield target
            if not found:  # a wrong folder must not pass silently as "0 findings"
                log.warning("warning: %s: no app, binary or source file found in this directory", raw)
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
    has_source = False
    seen_dirs: set[tuple[int, int]] = set()
    unlistable: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=unlistable.append,
                                                followlinks=options.follow_symlinks):
        try:
            st = os.stat(dirpath)
            key = (st.st_dev, st.st_ino)
        except OSError:
            continue
        if key in seen_dirs:  # symlink loop
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            fp = Path(dirpath, name)
            if fp.is_symlink() and not options.follow_symlinks:
                continue
            if is_source_file(fp):
                has_source = True
                continue
            if not _regular(fp):  # FIFOs, sockets, devices: opening a FIFO would block the scan for ever
                continue
            try:
                head = _read_head(fp)
            except OSError as exc:  # said once on stderr and in targets[].errors, never skipped silently
                yield Target(path=str(fp), kind="unreadable", errors=[f"cannot read: {exc.strerror or exc}"])
                continue
            kind = sniff(fp, head)
            if kind and kind != "source":
                if kind == "zip" and not _zip_may_hold_app(fp):
                    continue
                yield Target(path=str(fp), kind=kind)
    for exc in unlistable:
        yield Target(path=str(exc.filename or root), kind="unreadable",
                     errors=[f"cannot list: {exc.strerror or exc}"])
    if has_source:
        yield Target(path=str(root), kind="source")


def _regular(path: Path) -> bool:
    """A regular file (after symlinks), or one we cannot stat (reading it then says why)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True


def _zip_may_hold_app(path: Path) -> bool:
    """Inside a directory only zips that look like apps are taken (a named .zip always is)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            for n in zf.namelist()[:5000]:
                if n.endswith((".dex", ".apk", ".so")) or n.startswith("Payload/"):
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
