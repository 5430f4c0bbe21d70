"""Which files of a source tree are read: skip lists, test/sample policy, .gitignore, symlinks.

The walk is iterative (a stack, not recursion), so a tree nested a thousand folders deep costs a
note, not a ``RecursionError``.  Names are kept as the operating system gives them: on POSIX a
name that is not UTF-8 arrives as ``str`` with surrogate escapes (``os.fsdecode``) and is kept that
way; turning it into display text is the renderers' job.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pathspec

from ...options import Options
from ..discover import SKIP_DIRS
from .lang import EXT_LANG

# Deeper than this, folders are not descended into (a note says where).
MAX_DEPTH = 128

# Vendored, generated and build output: skipped unless options.include_vendored (then origin "library").
VENDORED_DIRS = {"node_modules", "vendor", "third_party", "third-party", "thirdparty", "Pods", "Carthage",
                 "build", "dist", ".dart_tool", "generated", "DerivedData", ".build", "bower_components",
                 "jspm_packages", ".next", ".nuxt", ".expo", "site-packages", ".cxx", "intermediates"}
# Test and sample code, recognised by build layout: skipped unless options.include_tests.
TEST_DIRS = {"test", "tests", "androidTest", "__tests__", "__test__", "testing", "sample", "samples",
             "example", "examples", "testdata", "test-data", "spec", "specs", "UITests", "Tests",
             "testutils", "testutil", "test-utils", "test_utils", "testFixtures", "__mocks__"}
# Gradle / Kotlin Multiplatform source sets: src/test, src/jvmTest, src/androidUnitTest, src/commonTest ...
GRADLE_TEST_SET = re.compile(r"^(test|[a-z][A-Za-z0-9]*Test)$")
# Xcode test targets: MyAppTests/, MyAppUITests/
XCODE_TEST_TARGET = re.compile(r"^[A-Za-z0-9_.-]+(UI)?Tests$")
TEST_FILE = re.compile(r"(_test\.go|^test_.*\.py|_test\.py|Tests?\.(java|kt|swift|m)|\.(test|spec)\.[jt]sx?|"
                       r"_test\.dart|Spec\.(kt|swift))$")
CONFIG_NAMES = {"AndroidManifest.xml", "Info.plist"}
SETTINGS_NAMES = {"build.gradle", "build.gradle.kts"}


@dataclass
class SrcFile:
    path: Path
    rel: str
    kind: str  # "code" | "config" | "settings"
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
    if any(p in JVM_ROOTS for p in parents) and name in PACKAGE_LIKE | {"test", "tests", "testing"}:
        return False  # com.example.test is a package name below src/main/java
    if name in TEST_DIRS:
        return True
    if parents and parents[-1] == "src" and GRADLE_TEST_SET.match(name):
        return True
    return bool(XCODE_TEST_TARGET.match(name))


def is_test_path(rel_parts: tuple[str, ...], name: str) -> bool:
    return (any(is_test_dir(rel_parts[:i], p) for i, p in enumerate(rel_parts))
            or bool(TEST_FILE.search(name)))


def _config(name: str) -> bool:
    return name in CONFIG_NAMES or name.endswith(("-Info.plist", ".entitlements"))


def _settings(parts: tuple[str, ...], name: str) -> bool:
    """Build and resource files whose values code can read: Gradle build files (buildConfigField)
    and Android value resources (res/values*/*.xml: R.integer, R.string)."""
    if name in SETTINGS_NAMES:
        return True
    return (name.endswith(".xml") and len(parts) >= 2 and parts[-1].startswith("values")
            and parts[-2] == "res")


class _Walk:
    def __init__(self, root: Path, options: Options):
        self.root = root
        self.options = options
        self.notes: list[str] = []
        self.stats = {"files_seen": 0, "skipped_tests": 0, "skipped_vendored": 0, "skipped_ignored": 0}
        self.out: list[SrcFile] = []
        self.seen_dirs: set[tuple[int, int]] = set()
        self.ignores: list[tuple[str, pathspec.PathSpec]] = []  # (dir rel prefix, spec)
        self.too_deep = 0

    def run(self) -> None:
        # (directory, its path relative to the root as parts); popped last-in first-out, pushed in
        # reverse name order, so the files come out in the same sorted order as a recursive walk.
        stack: list[tuple[Path, tuple[str, ...]]] = [(self.root, ())]
        while stack:
            d, parts = stack.pop()
            subdirs = self._visit(d, parts)
            for name in reversed(subdirs):
                stack.append((d / name, parts + (name,)))
        if self.too_deep:
            self.notes.append(f"{self.too_deep} folder(s) nested deeper than {MAX_DEPTH} levels; not read")
        if self.stats["skipped_tests"]:
            self.notes.append(f"{self.stats['skipped_tests']} test/sample files or folders skipped "
                              f"(scan them with --include-tests)")

    def _visit(self, d: Path, parts: tuple[str, ...]) -> list[str]:
        rel_dir = "/".join(parts)
        try:
            st = os.stat(d)
            key = (st.st_dev, st.st_ino)
            if key in self.seen_dirs:
                self.notes.append(f"{rel_dir or '.'}: symlink loop (directory already visited); not followed")
                return []
            self.seen_dirs.add(key)
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.notes.append(f"{rel_dir or '.'}: cannot list: {exc.strerror or exc}")
            return []
        names = {e.name for e in entries}
        if ".gitignore" in names:
            try:
                lines = (d / ".gitignore").read_text("utf-8", "replace").splitlines()
                self.ignores.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
            except OSError:
                pass
        subdirs = []
        for e in entries:
            try:
                is_dir = e.is_dir(follow_symlinks=self.options.follow_symlinks)
            except OSError:
                is_dir = False
            if is_dir:
                if self._keep_dir(parts, e.name, rel_dir):
                    if len(parts) + 1 > MAX_DEPTH:
                        self.too_deep += 1
                    else:
                        subdirs.append(e.name)
            else:
                self._file(d, parts, rel_dir, e)
        return subdirs

    def _keep_dir(self, parts: tuple[str, ...], name: str, rel_dir: str) -> bool:
        rel = f"{rel_dir}/{name}" if rel_dir else name
        if name in SKIP_DIRS:
            return False
        if _ignored(self.ignores, rel + "/"):
            self.stats["skipped_ignored"] += 1
            return False
        if name in VENDORED_DIRS and not self.options.include_vendored:
            self.stats["skipped_vendored"] += 1
            return False
        if not self.options.include_tests and is_test_dir(parts, name):
            self.stats["skipped_tests"] += 1
            return False
        return True

    def _file(self, d: Path, parts: tuple[str, ...], rel_dir: str, e: os.DirEntry) -> None:
        name = e.name
        suffix = os.path.splitext(name)[1].lower()
        cfg = _config(name)
        settings = not cfg and _settings(parts, name)
        fp = d / name
        lang = EXT_LANG.get(suffix)
        if not cfg and not settings and lang is None:
            if suffix or name.startswith(".") or e.is_symlink():
                return
            lang = shebang_lang(fp)
            if lang is None:
                return
        rel = f"{rel_dir}/{name}" if rel_dir else name
        self.stats["files_seen"] += 1
        if e.is_symlink():
            if not self.options.follow_symlinks:
                return
            try:
                fp.stat()
            except OSError as exc:
                self.notes.append(f"{rel}: {exc.strerror or exc} (symlink); skipped")
                return
        if _ignored(self.ignores, rel):
            self.stats["skipped_ignored"] += 1
            return
        if not cfg and not settings and not self.options.include_tests and TEST_FILE.search(name):
            self.stats["skipped_tests"] += 1
            return
        vendored = any(p in VENDORED_DIRS for p in parts)
        kind = "config" if cfg else ("settings" if settings else "code")
        self.out.append(SrcFile(fp, rel, kind, "library" if vendored else "app", lang or ""))


def collect(root: Path, options: Options) -> tuple[list[SrcFile], list[str], dict]:
    if root.is_file():
        name = root.name
        lang = lang_of(root)
        kind = "config" if _config(name) else ("code" if lang else None)
        stats = {"files_seen": 0, "skipped_tests": 0, "skipped_vendored": 0, "skipped_ignored": 0}
        if kind is None:
            return [], [f"{name}: not a supported source file"], stats
        stats["files_seen"] = 1
        return [SrcFile(root, name, kind, "app", lang or "")], [], stats
    w = _Walk(root, options)
    w.run()
    return w.out, w.notes, w.stats


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
