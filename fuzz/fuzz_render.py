"""Fuzz every output format with random findings holding random strings.

The input bytes become a report (fuzz/_make.py): targets of every kind with random paths, errors and
notes, findings with random messages, evidence, locations (source / bytecode / native), listeners
with random addresses and flows.  Every format renders it (through ``formats.render_contained``,
what the commands call).  Contract: nothing raises; JSON, SARIF and GitLab parse as JSON; JUnit parses
as XML; every output encodes as strict UTF-8; the console and HTML hold no raw control character
(tab and newline aside); no console line forges a ``portaudit:`` line.
"""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H
from fuzz._make import Reader

NAME, KIND = "render", "render"
KINDS = ("apk", "dex", "elf", "ipa", "source", "host", "missing")
_RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _location(r: Reader):
    from portaudit.model import Location

    shape = r.int(3)
    if shape == 0:
        return Location(file=r.text(), line=1 + r.int(500), column=r.int(80) or None, snippet=r.text() or None)
    if shape == 1:
        return Location(file=r.text(12) or "classes.dex", class_=r.text(), method=r.text() + "(I)V",
                        offset=r.int(4096))
    return Location(file=r.text(), function=r.text(), offset=r.int(1 << 16))


def build_report(data: bytes):
    from portaudit.baseline import assign_ids
    from portaudit.model import Bind, Confidence, Facts, Finding, Hop, Ids, Listener, Origin, Severity, Target
    from portaudit.report import Report

    r = Reader(data)
    report = Report(root="/nonexistent-fuzz-root")
    for _ in range(1 + r.int(4)):
        t = Target(path=r.text() or "t", kind=KINDS[r.int(len(KINDS))], errors=[r.text() for _ in range(r.int(3))],
                   notes=[r.text() for _ in range(r.int(3))], seconds=r.int(100) / 10)
        report.targets.append(t)
        report.facts.append(Facts(target=t))
        for _ in range(r.int(6)):
            loc = _location(r)
            listener = None
            if r.int(2):
                flow = [Hop("api", loc)] + [Hop(("wrapper", "caller", "field-write", "config")[r.int(4)], _location(r),
                                                r.text() or None) for _ in range(r.int(3))]
                listener = Listener(api=r.text() or "api", transport=("tcp", "udp", "unix")[r.int(3)],
                                    bind=list(Bind)[r.int(len(Bind))], location=loc, address=r.text() or None,
                                    port=r.int(70000) if r.int(2) else None, reason=r.text() or None,
                                    guards=[r.text() for _ in range(r.int(2))], flow=flow,
                                    configurable=r.text() or None)
            report.findings.append(Finding(
                rule=("listener-all-interfaces", "debuggable-build", "sdk-opens-port", r.text() or "x")[r.int(4)],
                severity=list(Severity)[r.int(4)], confidence=list(Confidence)[r.int(3)], message=r.text(80),
                target=t.path, location=loc, ids=Ids(maswe="MASWE-0018", cwe=[f"CWE-{r.int(2000)}"]), fix=r.text(),
                origin=Origin(kind=("app", "library")[r.int(2)], sdk=r.text() or None), listener=listener,
                evidence=r.text(80) or None, extra={r.text(8) or "k": r.text()} if r.int(4) == 0 else {}))
    assign_ids(report.findings, report.facts)
    return report


def test_one_input(data: bytes) -> None:
    from portaudit import formats

    report = build_report(data)
    suppressed = [(f, "external", "fuzz") for f in report.findings[:1]]
    for name in formats.FORMATS:
        text = formats.render_contained(name, report, suppressed=list(suppressed), width=60, verbose=True)
        text.encode("utf-8")  # strict: a lone surrogate would raise here
        if name in ("json", "sarif", "gitlab"):
            json.loads(text)
        elif name == "junit":
            ET.fromstring(text.encode("utf-8"))
        else:
            bad = _RAW.search(text)
            if bad:
                raise H.ContractViolation(f"{name}: raw control character {bad.group()!r}")
            if name == "console" and any(ln.startswith("portaudit:") for ln in text.splitlines()):
                raise H.ContractViolation("console: a line forged by a string")
        for t in report.targets:
            H.check_messages(t.errors, f"{name} target errors")  # render_contained ended no target


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.formats.console", "portaudit.formats.json",
                                        "portaudit.formats.sarif", "portaudit.formats.html",
                                        "portaudit.formats.gitlab", "portaudit.formats.junit",
                                        "portaudit.formats.text", "portaudit.baseline", "portaudit.report"])
