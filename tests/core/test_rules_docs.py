"""Every rule carries its documentation and identifiers."""

import re

import pytest

from portaudit import rules
from portaudit.model import Confidence, Severity


def test_rules_are_discovered_and_unique():
    ids = [r.id for r in rules.ALL]
    assert len(ids) == len(set(ids))
    assert {"listener-all-interfaces", "listener-loopback-unchecked", "listener-specific-interface",
            "listener-unresolved-address", "local-socket-unchecked", "debuggable-build",
            "webview-debugging", "sdk-opens-port"} <= set(ids)


@pytest.mark.parametrize("rule", rules.ALL, ids=lambda r: r.id)
def test_rule_has_what_why_fix(rule):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.id)
    assert rule.title() and not rule.title().startswith("##")
    for section in ("what", "why", "fix"):
        assert len(rule.sections().get(section, "")) > 40, f"{rule.id}: {section} missing"
    assert isinstance(rule.severity, Severity)
    assert isinstance(rule.confidence, Confidence)
    assert rule.ids.maswe and rule.ids.cwe and rule.ids.masvs
