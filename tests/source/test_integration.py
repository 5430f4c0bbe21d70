"""The source input through the whole pipeline (CLI, JSON contract), parallel parsing, grammars."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import tree_sitter

import portaudit.inputs.source as source_input

from .helpers import scan

CASES = Path(__file__).parent / "cases"
ROOT = Path(__file__).resolve().parents[2]


def test_cli_json_on_a_tree():
    out = subprocess.run([sys.executable, "-m", "portaudit", "scan", str(CASES / "go"), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode in (0, 1), out.stderr
    doc = json.loads(out.stdout)
    (target,) = doc["targets"]
    assert target["kind"] == "source" and target["errors"] == []
    listeners = [f for f in doc["findings"] if "listener" in f]
    assert listeners
    f = next(f for f in listeners if f["listener"]["port"] == 8080)
    assert f["rule"] == "listener-all-interfaces"
    assert f["listener"]["api"] == "go net.Listen" and f["listener"]["bind"] == "all-interfaces"
    # paths are relative to the project root (this checkout's git root, the working directory here)
    assert f["location"]["file"] == "tests/source/cases/go/servers.go"
    assert f["location"]["line"] > 0 and f["location"]["column"] > 0
    assert f["origin"]["kind"] == "app" and f["ids"]["maswe_beta"] == "MASWE-0051"


def test_parallel_equals_sequential(monkeypatch):
    monkeypatch.setenv("PORTAUDIT_SOURCE_SEQUENTIAL", "1")
    seq = scan(CASES, include_tests=True)
    monkeypatch.delenv("PORTAUDIT_SOURCE_SEQUENTIAL")
    monkeypatch.setattr(source_input, "_workers", lambda: 4)
    par = scan(CASES, include_tests=True)

    def key(f):
        return [(x.location.file, x.location.line, x.bind.value, x.address, x.port,
                 [h.to_dict() for h in x.flow]) for x in f.listeners]

    assert key(par) == key(seq) and len(key(seq)) > 50


@pytest.mark.parametrize("name", ["java", "kotlin", "swift", "objc", "dart", "javascript", "typescript",
                                  "c", "cpp", "python", "go"])
def test_grammar_loads_with_this_tree_sitter(name):
    mod = importlib.import_module(f"tree_sitter_{name}")
    fn = mod.language_typescript if name == "typescript" else mod.language
    parser = tree_sitter.Parser(tree_sitter.Language(fn()))
    assert parser.parse(b"x").root_node is not None
