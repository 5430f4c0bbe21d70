"""Probes and --reach contact only listeners the inventory found, or targets the user named."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from .conftest import run_cli
from .services import HttpServer

from portaudit.probe import ProbeLimits
from portaudit.runtime import procnet
from portaudit.live import RuntimeOptions, host_report


@pytest.fixture
def proc_only(request):
    """A copy of the real /proc/net tables keeping only the rows of the given ports: the inventory sees
    the test's own servers and nothing else on this machine (so nothing else is ever probed)."""
    made = []

    def build(*ports):
        base = Path(tempfile.mkdtemp(prefix="pa-safety-"))
        made.append(base)
        (base / "net").mkdir()
        for name in procnet.ALL_FILES:
            lines = Path(f"/proc/net/{name}").read_text().splitlines(keepends=True)
            keep = lines[:1] + [ln for ln in lines[1:] if name != "unix" and any(
                ln.split()[1].endswith(f":{p:04X}") for p in ports)]
            (base / "net" / name).write_text("".join(keep))
        return str(base)

    yield build
    for b in made:
        shutil.rmtree(b, ignore_errors=True)


class _Counting(HttpServer):
    def __init__(self):
        super().__init__()
        self.hits = 0
        orig = self.httpd.get_request

        def counting():
            r = orig()
            self.hits += 1
            return r

        self.httpd.get_request = counting


def test_probe_and_reach_skip_listeners_not_in_the_inventory(proc_only):
    seen, hidden = _Counting(), _Counting()
    try:
        proc = proc_only(seen.port)
        opts = RuntimeOptions(probe=True, reach="127.0.0.1", firewall=False,
                              limits=ProbeLimits(timeout=0.5, deadline=3))
        report = host_report(opts, proc=proc)
    finally:
        seen.close()
        hidden.close()
    ports = {r.port for r in report.facts[0].runtime}
    assert ports == {seen.port}
    assert [r.probe["protocol"] for r in report.facts[0].runtime] == ["http"]
    assert report.facts[0].runtime[0].reach["accepted"] is True
    assert seen.hits >= 2  # probed and reached
    assert hidden.hits == 0  # never contacted


def test_named_target_is_probed_even_when_not_listed(proc_only):
    named, other = _Counting(), _Counting()
    try:
        proc = proc_only()
        opts = RuntimeOptions(targets=[f"127.0.0.1:{named.port}"], firewall=False,
                              limits=ProbeLimits(timeout=0.5, deadline=3))
        report = host_report(opts, proc=proc)
    finally:
        named.close()
        other.close()
    probed = [r for r in report.facts[0].runtime if r.probe]
    assert [(r.port, r.state, r.probe["protocol"]) for r in probed] == [(named.port, "NAMED", "http")]
    assert named.hits >= 1 and other.hits == 0


def test_without_probe_nothing_is_contacted():
    srv = _Counting()
    try:
        run = run_cli("host", "--format", "json", "--no-firewall")
        data = json.loads(run.stdout)
    finally:
        srv.close()
    assert any(r["port"] == srv.port for r in data["runtime"])
    assert srv.hits == 0
    assert all("probe" not in r for r in data["runtime"])
