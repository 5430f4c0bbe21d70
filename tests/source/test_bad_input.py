"""Bad files in a tree: one note per file, the rest still scanned, never an error for the tree."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from .helpers import scan

GOOD = 'import socket\ns = socket.socket()\ns.bind(("0.0.0.0", 7001))\n'


def _notes_for(facts, name: str) -> list[str]:
    return [n for n in facts.target.notes if n.startswith(name + ":")]


def test_bad_files_become_notes(tmp_path):
    root = tmp_path / "tree"
    root.mkdir()
    (root / "good.py").write_text(GOOD)
    # a file that does not parse as its language (the tail of a real C file in a .py)
    real_c = (Path(__file__).parent / "cases" / "c" / "server.c").read_text()
    (root / "garbage.py").write_text("s.bind(" + "}{)(][" * 200 + real_c[-400:])
    # a binary (the running Python interpreter, a real ELF) with a source extension
    shutil.copy(os.path.realpath(sys.executable), root / "binary.go")
    # invalid UTF-8 (Latin-1 in a comment) but still a listener
    (root / "latin1.py").write_bytes(b"# caf\xe9\n" + GOOD.replace("7001", "7002").encode())
    # generated file over the size limit
    (root / "huge.js").write_text("require('net').createServer().listen(7003);\n" + "//x\n" * 5000)
    # a symlink loop (directory) and a self-referencing file link
    (root / "loop").mkdir()
    os.symlink("..", root / "loop" / "up")
    os.symlink("self.py", root / "self.py")
    facts = scan(root, follow_symlinks=True, limits=_limits(10_000))
    ports = {x.location.file: x.port for x in facts.listeners}
    assert ports["good.py"] == 7001 and ports["latin1.py"] == 7002
    assert "huge.js" not in ports and "binary.go" not in ports
    assert any("parse" in n for n in _notes_for(facts, "garbage.py"))
    assert any("binary" in n for n in _notes_for(facts, "binary.go"))
    assert any("UTF-8" in n for n in _notes_for(facts, "latin1.py"))
    assert any("over the source file limit" in n for n in _notes_for(facts, "huge.js"))
    assert any("symlink loop" in n for n in facts.target.notes)
    assert any(n.startswith("self.py:") for n in facts.target.notes)
    assert facts.target.errors == []


def test_truncated_real_source_still_reports_what_parses(tmp_path):
    src = (Path(__file__).parent / "cases" / "java" / "Servers.java").read_text()
    cut = src[: src.index("new DatagramSocket(5353)")]
    (tmp_path / "Cut.java").write_text(cut)
    facts = scan(tmp_path / "Cut.java")
    assert {x.port for x in facts.listeners} >= {8080, 8081, 8082}
    assert any("syntax errors" in n for n in facts.target.notes)


def _limits(max_source: int):
    from portaudit.options import Limits

    return Limits(max_source_file_bytes=max_source)
