"""The public test suites of the rules portaudit replaces: portaudit reports what they expect, and more
(the address class, the port, the specific / loopback binds they stay silent on)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from portaudit import rules

from .helpers import compare, expectations, scan

REFERENCE = Path(__file__).parent / "reference"


def _bandit_expected_issues(test_functional: Path) -> int:
    """The number of issues Bandit's own functional test expects for examples/binding.py."""
    tree = ast.parse(test_functional.read_text())
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef) and fn.name == "test_binding":
            for node in ast.walk(fn):
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "expect":
                    expect = ast.literal_eval(node.value)
                    return sum(expect["SEVERITY"].values())
    raise AssertionError("test_binding not found in bandit's functional tests")


def test_bandit_b104_examples(source_inputs):
    bandit = source_inputs / "bandit"
    example = bandit / "examples" / "binding.py"
    expected = _bandit_expected_issues(bandit / "tests" / "functional" / "test_functional.py")
    facts = scan(example)
    all_if = [x for x in facts.listeners if x.bind.value == "all-interfaces"]
    assert len(all_if) == expected == 1
    lines = example.read_text().splitlines()
    assert "'0.0.0.0'" in lines[all_if[0].location.line - 1]
    assert all_if[0].port == 31137
    # more than B104: the specific-interface bind is reported with its class
    specific = [x for x in facts.listeners if x.bind.value == "specific"]
    assert [(x.address, x.port) for x in specific] == [("192.168.0.1", 8080)]
    findings = {f.rule for f in rules.evaluate(facts)}
    assert {"listener-all-interfaces", "listener-specific-interface"} <= findings


@pytest.mark.parametrize("name", ["codeql_equivalent_bind_all.py", "gosec_equivalent_g102.go"])
def test_equivalent_cases(name):
    path = REFERENCE / name
    facts = scan(path)
    assert compare(path, facts) == []
    _, _, ref = expectations(path)
    got = {x.location.line: x for x in facts.listeners}
    for line in ref:  # everything the reference rule flags, portaudit flags as all-interfaces
        assert got[line].bind.value == "all-interfaces"
    extra = set(got) - ref  # what portaudit says in addition
    assert extra and all(got[line].bind.value in ("loopback", "specific") for line in extra)


def test_equivalent_files_are_labelled():
    for p in REFERENCE.glob("*_equivalent_*"):
        head = p.read_text().splitlines()[0]
        assert re.search(r"Equivalent cases .*not a copy", head + " " + p.read_text().splitlines()[1])
