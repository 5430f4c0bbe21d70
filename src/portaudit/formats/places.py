"""Where a finding is best shown in a code-review tool.

A source finding is its file and line.  A bytecode finding has a class and a method but no line;
when the report holds the source tree the app was built from, the class's ``.java`` / ``.kt``
file is found by the path its package declares by convention (``com/example/Server.java``) and
the line is the method's declaration, found by name (or the class's).  Otherwise the app or
library file is the best artifact there is.
"""

from __future__ import annotations

import os
import re

from ..model import Location
from ..report import Report

SOURCE_EXT = (".java", ".kt")


class ClassFiles:
    """Java / Kotlin files of the report's source trees, by their project-relative path."""

    def __init__(self, report: Report):
        self.report = report
        self.index: dict[str, str] | None = None

    def _build(self) -> dict[str, str]:
        index: dict[str, str] = {}
        root = self.report.root or os.getcwd()
        for t in self.report.targets:
            if t.kind != "source" or t.errors:
                continue
            top = self.report.disk_path(t.path)
            if not os.path.isdir(top):
                continue
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.endswith(SOURCE_EXT):
                        full = os.path.join(dirpath, name)
                        rel = os.path.relpath(full, root).replace(os.sep, "/")
                        index.setdefault(os.path.relpath(full, top).replace(os.sep, "/"), rel)
        return index

    def find(self, class_name: str) -> str | None:
        if self.index is None:
            self.index = self._build() if any(t.kind == "source" for t in self.report.targets) else {}
        stem = class_name.split("$", 1)[0].replace(".", "/")
        for suffix, rel in self.index.items():
            for ext in SOURCE_EXT:
                if suffix == stem + ext or suffix.endswith("/" + stem + ext):
                    return rel
        return None


def declaration_line(lines: list[str], loc: Location) -> int | None:
    """The line that declares the location's method (or its class), found by name."""
    simple = (loc.class_ or "").rsplit(".", 1)[-1].split("$")[-1]
    name = (loc.method or "").split("(", 1)[0]
    if name == "<init>":
        name = simple
    patterns = []
    if name and name != "<clinit>":
        patterns.append(re.compile(r"(?:\bfun\s+|[\w>\]]\s+|^\s*)" + re.escape(name) + r"\s*\([^;]*$"))
    patterns.append(re.compile(r"\b(?:class|object|interface)\s+" + re.escape(simple) + r"\b"))
    for pat in patterns:
        for no, text in enumerate(lines, 1):
            if pat.search(text) and not text.lstrip().startswith(("//", "*", "return ", "new ")):
                return no
    return None
