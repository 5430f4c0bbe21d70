"""Which files of a source tree are read: skip lists, test/sample policy, .gitignore, symlinks."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pathspec

from ...options import Options
from ..discover import SKIP_DIRS
from .lang import EXT_LANG

# Vendored, generated and build output: skipped unless options.include_vendored (then origin "library").
VENDORED_DIRS = {"node_modules", "vendor", "third_party", "third-party", "thirdparty", "Pods", "Carthage",
                 "build", "dist", ".dart_tool", "generated", "DerivedData", ".build", "bower_components",
                 "jspm_packages", ".next", ".nuxt", ".expo", "site-packages", ".cxx", "intermediates"}
# Test and sample code: skipped unless options.include_tests.
TEST_DIRS = {"test", "tests", "androidTest", "__tests__", "__test__", "testing", "sample", "samples",
             "example", "examples", "testdata", "test-data", "spec", "specs", "UITests", "Tests"}
TEST_FILE = re.compile(r"(_test\.go|^test_.*\.py|_test\.py|Tests?\.(java|kt|swift|m)|\.(test|spec)\.[jt]sx?|"
                       r"_test\.dart|Spec\.(kt|swift))$")
CONFIG_NAMES = {"AndroidManifest.xml", "Info.plist"}


@dataclass
class SrcFile:
    path: Path
    rel: str
    kind: str  # "code" | "config"
    origin: str  # "app" | "library"
    lang: str = ""


def shebang_lang(path: Path) -> str | None:
    """Language of an extension-less script from its #! line (node / python)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(128)
    except OSError:
        return None
    if not head.startswith(b"#!"):
        return None
    first = head.split(b"\n", 1)[0]
    if b"node" in first:
        return "javascript"
    if b"python" in first:
        return "python"
    return None


def lang_of(path: Path) -> str | None:
    suffix = path.suffix.lower()
    if suffix in EXT_LANG:
        return EXT_LANG[suffix]
    if not suffix:
        return shebang_lang(path)
    return None


# Below a JVM source root, "example" / "sample" are package names (com.example.app), not sample folders.
JVM_ROOTS = {"java", "kotlin", "scala", "groovy"}
PACKAGE_LIKE = {"example", "examples", "sample", "samples"}


def is_test_dir(parents: tuple[str, ...], name: str) -> bool:
    if name not in TEST_DIRS:
        return False
    return not (name in PACKAGE_LIKE and any(p in JVM_ROOTS for p in parents))


def is_test_path(rel_parts: tuple[str, ...], name: str) -> bool:
    return (any(is_test_dir(rel_parts[:i], p) for i, p in enumerate(rel_parts))
            or bool(TEST_FILE.search(name)))


def _config(name: str) -> bool:
    return name in CONFIG_NAMES or name.endswith(("-Info.plist", ".entitlements"))


def collect(root: Path, options: Options) -> tuple[list[SrcFile], list[str], dict]:
    notes: list[str] = []
    stats = {"files_seen": 0, "skipped_tests": 0, "skipped_vendored": 0, "skipped_ignored": 0}
    if root.is_file():
        name = root.name
        lang = lang_of(root)
        kind = "config" if _config(name) else ("code" if lang else None)
        if kind is None:
            return [], [f"{name}: not a supported source file"], stats
        stats["files_seen"] = 1
        return [SrcFile(root, name, kind, "app", lang or "")], notes, stats
    out: list[SrcFile] = []
    seen_dirs: set[tuple[int, int]] = set()
    ignores: list[tuple[str, pathspec.PathSpec]] = []  # (dir rel prefix, spec)
    skipped_test_dirs: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=options.follow_symlinks,
                                                onerror=lambda e: notes.append(
                                                    f"{_rel(root, Path(e.filename or '?'))}: cannot list: {e.strerror}")):
        d = Path(dirpath)
        try:
            st = os.stat(d)
        except OSError as exc:
            notes.append(f"{_rel(root, d)}: {exc.strerror or exc}")
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            notes.append(f"{_rel(root, d)}: symlink loop (directory already visited); not followed")
            dirnames[:] = []
            continue
        seen_dirs.add(key)
        rel_dir = "" if d == root else _rel(root, d)
        if ".gitignore" in filenames:
            try:
                lines = (d / ".gitignore").read_text("utf-8", "replace").splitlines()
                ignores.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
            except OSError:
                pass
        keep = []
        for name in sorted(dirnames):
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if name in SKIP_DIRS:
                continue
            if _ignored(ignores, rel + "/"):
                stats["skipped_ignored"] += 1
                continue
            if name in VENDORED_DIRS and not options.include_vendored:
                stats["skipped_vendored"] += 1
                continue
            if not options.include_tests and is_test_dir(tuple(Path(rel_dir).parts) if rel_dir else (), name):
                stats["skipped_tests"] += 1
                skipped_test_dirs.append(rel)
                continue
            keep.append(name)
        dirnames[:] = keep
        parts = tuple(Path(rel_dir).parts) if rel_dir else ()
        vendored = any(p in VENDORED_DIRS for p in parts)
        for name in sorted(filenames):
            suffix = os.path.splitext(name)[1].lower()
            cfg = _config(name)
            fp = d / name
            lang = EXT_LANG.get(suffix)
            if not cfg and lang is None:
                if suffix or name.startswith(".") or fp.is_symlink():
                    continue
                lang = shebang_lang(fp)
                if lang is None:
                    continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            stats["files_seen"] += 1
            if fp.is_symlink():
                if not options.follow_symlinks:
                    continue
                try:
                    fp.stat()
                except OSError as exc:
                    notes.append(f"{rel}: {exc.strerror or exc} (symlink); skipped")
                    continue
            if _ignored(ignores, rel):
                stats["skipped_ignored"] += 1
                continue
            if not cfg and not options.include_tests and TEST_FILE.search(name):
                stats["skipped_tests"] += 1
                continue
            out.append(SrcFile(fp, rel, "config" if cfg else "code", "library" if vendored else "app", lang or ""))
    if stats["skipped_tests"]:
        notes.append(f"{stats['skipped_tests']} test/sample files or folders skipped "
                     f"(scan them with --include-tests)")
    return out, notes, stats


def _ignored(ignores: list[tuple[str, pathspec.PathSpec]], rel: str) -> bool:
    for base, spec in ignores:
        if base:
            if not rel.startswith(base + "/"):
                continue
            sub = rel[len(base) + 1:]
        else:
            sub = rel
        if spec.match_file(sub):
            return True
    return False


def _rel(root: Path, p: Path) -> str:
    try:
        return p.relative_to(root).as_posix() or "."
    except ValueError:
        return str(p)
