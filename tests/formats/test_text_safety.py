"""Text from inputs made safe where it is rendered (formats/text.py), and the regressions the
renderer fuzzer (fuzz/fuzz_render.py) found."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from portaudit import formats
from portaudit.formats import text
from portaudit.formats.sarif import uri
from portaudit.suppress import SourceLines


@pytest.mark.parametrize("raw, shown", [
    ("host\ud800name", "host\\ud800name"),          # a lone surrogate (legal MUTF-8 in a DEX string)
    ("B\udcff.java", "B\\xff.java"),               # byte 0xff of a non-UTF-8 file name (surrogateescape)
    ("plain", "plain"),
])
def test_safe_keeps_everything_as_valid_utf8(raw, shown):
    assert text.safe(raw) == shown
    text.safe(raw).encode("utf-8")


def test_oneline_escapes_what_a_terminal_obeys():
    # ESC ] title BEL, CSI clear, CR LF, C1 CSI (0x9b), DEL, NUL; tab is kept
    raw = "a\x1b]0;t\x07b\x1b[2J\r\nportaudit: x\x9b31m\x7f\x00\tz"
    assert text.oneline(raw) == "a\\x1b]0;t\\x07b\\x1b[2J\\r\\nportaudit: x\\x9b31m\\x7f\\x00\tz"


def test_clean_walks_json_like_values():
    assert text.clean({"k\ud800": ["x\udcfe", 1, None, {"n": 2.5}]}) == {"k\\ud800": ["x\\xfe", 1, None, {"n": 2.5}]}


def test_sarif_uri_is_relative_and_percent_encoded_byte_by_byte():
    assert uri("tree/B\udcff.java") == "tree/B%FF.java"
    # found by fuzz/fuzz_render.py: a lone surrogate that is not a smuggled byte made os.fsencode raise
    assert uri("x\ud800.java") == "x%ED%A0%80.java"


def test_source_lines_of_a_name_with_a_nul_byte_is_none():
    # found by fuzz/fuzz_render.py: os.path.getsize raises ValueError (not OSError) on a NUL byte
    assert SourceLines().lines("a\x00b.java") is None


def test_a_rule_id_with_control_characters_is_escaped_everywhere(sample):
    # found by fuzz/fuzz_render.py: the console printed the rule id raw
    f = replace(sample.findings[0], rule="x\x0fy\x1b[2J")
    report = type(sample)(targets=sample.targets, facts=sample.facts, findings=[f], root=sample.root)
    console = formats.render("console", report, width=100)
    assert "x\\x0fy\\x1b[2J" in console and "\x0f" not in console and "\x1b" not in console
    assert json.loads(formats.render("json", report))["findings"][0]["rule"] == "x\x0fy\x1b[2J"  # data, as JSON escapes
