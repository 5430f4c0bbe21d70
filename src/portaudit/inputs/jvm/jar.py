"""Class files inside a JAR, an AAR (its ``classes.jar`` and ``libs/*.jar``), or a folder."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

MAX_CLASS_BYTES = 8 * 1024 * 1024
MAX_ENTRIES = 200_000


class JarError(Exception):
    """The archive cannot be read; the message names the problem."""


def iter_class_files(path: str | Path) -> Iterator[tuple[str, bytes]]:
    """(entry name, bytes) of every ``*.class`` (``module-info`` and multi-release copies
    under ``META-INF/versions`` skipped) of a JAR, AAR or directory, in name order."""
    p = Path(path)
    if p.is_dir():
        for f in sorted(p.rglob("*.class")):
            rel = f.relative_to(p).as_posix()
            if _wanted(rel):
                yield rel, f.read_bytes()
        return
    try:
        with zipfile.ZipFile(p) as z:
            yield from _from_zip(z, p.name, depth=0)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise JarError(f"{p.name}: not a readable JAR/AAR ({exc})") from None


def _wanted(name: str) -> bool:
    return name.endswith(".class") and not name.startswith("META-INF/") and not name.endswith("module-info.class")


def _from_zip(z: zipfile.ZipFile, label: str, depth: int) -> Iterator[tuple[str, bytes]]:
    infos = z.infolist()
    if len(infos) > MAX_ENTRIES:
        raise JarError(f"{label}: {len(infos)} entries, over the limit of {MAX_ENTRIES}")
    for info in sorted(infos, key=lambda i: i.filename):
        name = info.filename
        if depth == 0 and (name == "classes.jar" or (name.startswith("libs/") and name.endswith(".jar"))):
            # an AAR: the code is in classes.jar (and bundled libs/*.jar)
            with zipfile.ZipFile(io.BytesIO(_read(z, info, label, 64 * MAX_CLASS_BYTES))) as inner:
                yield from _from_zip(inner, f"{label}!{name}", depth + 1)
        elif _wanted(name):
            yield name, _read(z, info, label, MAX_CLASS_BYTES)


def _read(z: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limit: int) -> bytes:
    if info.file_size > limit:
        raise JarError(f"{label}: entry {info.filename} is {info.file_size} bytes, over the limit of {limit}")
    with z.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise JarError(f"{label}: entry {info.filename} inflates past {limit} bytes")
    return data
