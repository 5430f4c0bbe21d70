"""Hostile source inputs (issue 14, source rows): each beside a good file; the good file's listener is
still found and the odd one is a note, never a traceback or a lost tree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from portaudit import scan as pipeline
from portaudit.model import Target
from portaudit.options import Limits, Options

from .helpers import scan

ROOT = Path(__file__).resolve().parents[2]
GOOD = 'import socket\ns = socket.socket()\ns.bind(("0.0.0.0", 7001))\n'
NUL_JAVA = (b"import java.net.ServerSocket;\n/* a stray \x00 byte */\n"
            b"class Nul { void f() throws Exception { new ServerSocket(7100); } }\n")


def _cli(path: Path, *args: str) -> tuple[int, dict, str]:
    p = subprocess.run([sys.executable, "-m", "portaudit", "scan", str(path), "-f", "json", *args],
                       capture_output=True, cwd=ROOT, check=False)
    return p.returncode, json.loads(p.stdout), p.stderr.decode("utf-8", "replace")


def _ports(doc: dict) -> set[int]:
    return {f["listener"]["port"] for f in doc["findings"] if "listener" in f}


def test_a_nul_byte_does_not_hide_a_source_file(tmp_path):
    """javac compiles a file with a NUL byte in a comment (checked here with the JDK's javac), so the
    listener in it is real: new ServerSocket(7100) listens on every interface (javadoc)."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "Nul.java").write_bytes(NUL_JAVA)
    (tree / "good.py").write_text(GOOD)
    if shutil.which("javac"):
        out = subprocess.run(["javac", "-d", str(tmp_path / "classes"), str(tree / "Nul.java")],
                             capture_output=True, check=False)
        assert out.returncode == 0, out.stderr
    rc, doc, err = _cli(tree)
    assert rc == 1 and "Traceback" not in err
    assert _ports(doc) == {7001, 7100}
    assert any(n == "Nul.java: 1 NUL byte(s) read as spaces" for n in doc["targets"][0]["notes"])


def test_a_name_that_is_not_utf8_does_not_stop_the_tree(tmp_path):
    """A Java file named B\\xff.java (bytes that are not UTF-8) beside a good file."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "good.py").write_text(GOOD)
    name = os.fsdecode(b"B\xff.java")
    (tree / name).write_text("class B { void f() throws Exception { new java.net.ServerSocket(7200); } }\n")
    rc, doc, err = _cli(tree)
    assert rc == 1 and "Traceback" not in err
    assert _ports(doc) == {7001, 7200}
    assert doc["targets"][0]["errors"] == []


def test_a_thousand_folders_deep_is_a_note(tmp_path):
    """The source walk is iterative: 1,000 nested folders are a note, the good file is scanned.
    (Through the pipeline from the target on: discovery of a directory is not this front end's.)"""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "good.py").write_text(GOOD)
    fd = os.open(tree, os.O_RDONLY)
    try:
        for _ in range(1000):
            os.mkdir("d", dir_fd=fd)
            nxt = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        with open(os.open("deep.py", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as fh:
            fh.write(GOOD.replace("7001", "7002"))
    finally:
        os.close(fd)
    try:
        facts = pipeline.analyze_target(Target(str(tree), "source"), Options())
        assert facts.target.errors == []
        assert {x.port for x in facts.listeners} == {7001}
        assert any("nested deeper than" in n for n in facts.target.notes)
    finally:
        _remove_deep(tree / "d")


def _remove_deep(top: Path) -> None:
    """Remove a chain of nested folders without recursion (shutil.rmtree, and so pytest's clean-up
    of tmp_path, recurses once per level)."""
    chain = [top]
    while (chain[-1] / "d").is_dir():
        chain.append(chain[-1] / "d")
    for d in reversed(chain):
        for f in d.iterdir():
            if f.is_file():
                f.unlink()
        d.rmdir()


def test_a_file_that_takes_too_long_is_a_note(tmp_path, monkeypatch):
    """Every language has the per-file time limit (a forked child per file): one file made to take
    60 s is cut at the limit, the other is scanned."""
    from portaudit.inputs.source import detect

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "good.py").write_text(GOOD)
    (tree / "slow.py").write_text(GOOD.replace("7001", "7003"))
    real_run = detect.FileScan.run

    def slow_run(self):
        if self.rel == "slow.py":
            time.sleep(60)
        return real_run(self)

    monkeypatch.setattr(detect.FileScan, "run", slow_run)
    start = time.monotonic()
    facts = scan(tree, limits=Limits(max_parse_seconds=1.0))
    assert time.monotonic() - start < 30  # the 60 s file was stopped, not waited for
    assert {x.port for x in facts.listeners} == {7001}
    assert "slow.py: skipped: the parser did not finish within 1s (malformed file?)" in facts.target.notes


def test_a_file_that_needs_too_much_memory_is_a_note(tmp_path, monkeypatch):
    """The per-file memory limit: with a budget of 24 MiB above the parent, a 2 MB Python file (its
    tree-sitter tree alone is larger) becomes a note; the small good file is scanned."""
    from portaudit.inputs.source import contain

    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "good.py").write_text(GOOD)
    big = "import socket\ns = socket.socket()\n" + "".join(f"x{i} = (({i}, {i}), [{i}])\n" for i in range(90000))
    (tree / "big.py").write_text(big + 's.bind(("0.0.0.0", 7004))\n')
    monkeypatch.setattr(contain, "FILE_MEMORY_BYTES", 24 * 1024**2)
    facts = scan(tree)
    assert {x.port for x in facts.listeners} == {7001}
    note = next(n for n in facts.target.notes if n.startswith("big.py:"))
    assert "memory" in note
