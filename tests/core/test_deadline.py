"""The per-target time limit cannot be swallowed by an analyzer's own error handling."""

import contextlib
import time

from pathlib import Path

from portaudit import inputs
from portaudit.options import Options
from portaudit.scan import run

REAL_DEX = Path(__file__).resolve().parents[1] / "fixtures" / "android" / "ss_port" / "classes.dex"


def swallowing_analyzer(target, options):
    from portaudit.model import Facts

    for _ in range(100):
        with contextlib.suppress(Exception):  # what defensive parsers do
            time.sleep(0.05)
    return Facts(target=target)


def test_deadline_survives_except_exception(tmp_path, monkeypatch):
    monkeypatch.setitem(inputs.ANALYZERS, "dex", "tests.core.test_deadline:swallowing_analyzer")
    p = tmp_path / "slow.dex"
    p.write_bytes(REAL_DEX.read_bytes())
    opts = Options()
    opts.limits.timeout_seconds = 0.3
    start = time.monotonic()
    report = run([str(p)], opts)
    assert time.monotonic() - start < 3
    assert report.targets[0].errors == ["time limit of 0.3s per target exceeded"]
