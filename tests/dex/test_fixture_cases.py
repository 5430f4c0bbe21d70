"""The project's Java / smali fixtures (tests/fixtures/android, built by scripts/build-fixtures):
the engine reports exactly the listeners and debug services written in each expected.json."""

from __future__ import annotations

import pytest

from portaudit.inputs.dex import analyze_dex
from tests.fixtures import diff_debug, diff_listeners, load_cases

CASES = [c for c in load_cases() if c.dex_paths]


def test_there_are_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case):
    dexes = [(p.name, p.read_bytes()) for p in case.dex_paths]
    r = analyze_dex(dexes)
    assert r.errors == []
    assert diff_listeners(case, r.listeners) == []
    assert diff_debug(case, r.debug) == []
    for lst in r.listeners:
        assert lst.evidence and lst.evidence.startswith("invoke-")
