"""A crash, hang or runaway allocation in one target is contained; the others are scanned."""

import pytest

from pathlib import Path

from portaudit import inputs, isolate
from portaudit.options import Options
from portaudit.scan import run

REAL_DEX = Path(__file__).resolve().parents[1] / "fixtures" / "android" / "ss_port" / "classes.dex"

pytestmark = pytest.mark.skipif(not isolate.available(), reason="needs fork (POSIX)")


@pytest.fixture
def crashy_kind(monkeypatch):
    monkeypatch.setitem(inputs.ANALYZERS, "dex", "tests.core.crashy:analyze")


def _files(tmp_path, *names):
    paths = []
    for n in names:
        p = tmp_path / n
        p.write_bytes(REAL_DEX.read_bytes())  # a real DEX: only its kind matters here
        paths.append(str(p))
    return paths


def test_segfault_is_reported_and_batch_goes_on(tmp_path, crashy_kind):
    paths = _files(tmp_path, "good1.dex", "segv.dex", "good2.dex")
    opts = Options(isolate=True, jobs=2)
    report = run(paths, opts)
    errors = {t.path.rsplit("/", 1)[-1]: t.errors for t in report.targets}
    assert errors["good1.dex"] == [] and errors["good2.dex"] == []
    assert len(errors["segv.dex"]) == 1 and "SIGSEGV" in errors["segv.dex"][0]
    assert [t.path for t in report.targets] == paths  # input order kept


def test_hang_is_killed_after_the_time_limit(tmp_path, crashy_kind):
    paths = _files(tmp_path, "hang.dex", "good.dex")
    opts = Options(isolate=True)
    opts.limits.timeout_seconds = 0.5
    report = run(paths, opts)
    errors = {t.path.rsplit("/", 1)[-1]: t.errors for t in report.targets}
    assert "time limit" in errors["hang.dex"][0]
    assert errors["good.dex"] == []


def test_memory_limit_contains_a_runaway_allocation(tmp_path, crashy_kind):
    paths = _files(tmp_path, "hog.dex", "good.dex")
    opts = Options(isolate=True)
    opts.limits.max_memory_bytes = 1024**3
    report = run(paths, opts)
    errors = {t.path.rsplit("/", 1)[-1]: t.errors for t in report.targets}
    assert "out of memory" in errors["hog.dex"][0]
    assert errors["good.dex"] == []
