"""Every resource limit of portaudit.options.Limits is configurable and, when hit on a real
input, ends in one clear error (or note) that says which limit."""

from __future__ import annotations

import shutil
import time

import pytest

from portaudit.options import Limits, Options

from . import mutate as M
from .helpers import analyze, assert_no_internal_error

DEMO = M.DEMO_APK
DEX = M.FIXTURES / "android" / "ss_port" / "classes.dex"
APKS = M.FIXTURES / "android" / "split_bundle" / "app.apks"
SO = M.FIXTURES / "native" / "bin" / "libserver_arm64_O2.so"
MACHO = M.FIXTURES / "ios" / "bin" / "App"


def _opts(**kw) -> Options:
    return Options(limits=Limits(**kw))


@pytest.mark.parametrize("path", [DEMO, DEX, SO, MACHO], ids=lambda p: p.name)
def test_file_size_limit(path):
    facts = analyze(path, options=_opts(max_file_bytes=100))
    assert len(facts.target.errors) == 1 and "over the limit of 100" in facts.target.errors[0]


def test_entry_count_limit():
    facts = analyze(DEMO, options=_opts(max_entries=3))
    assert len(facts.target.errors) == 1, facts.target.errors
    assert "over the limit of 3" in facts.target.errors[0] or "over 3 entries" in facts.target.errors[0]


def test_entry_size_limit_names_the_entry():
    facts = analyze(DEMO, options=_opts(max_entry_bytes=1000))
    assert facts.target.errors and "classes.dex" in facts.target.errors[0], facts.target.errors
    assert "limit of 1000" in facts.target.errors[0]
    assert_no_internal_error(facts)


def test_total_decompressed_limit():
    facts = analyze(DEMO, options=_opts(max_total_bytes=3000))
    assert any("total decompressed size" in e for e in facts.target.errors), facts.target.errors


def test_dex_size_limit():
    facts = analyze(DEX, options=_opts(max_dex_bytes=200))
    assert facts.target.errors == [f"DEX is {DEX.stat().st_size} bytes, over the limit of 200"]


def test_dex_size_limit_inside_an_apk_keeps_the_manifest():
    facts = analyze(DEMO, options=_opts(max_dex_bytes=200))
    assert facts.target.errors and "limit of 200" in facts.target.errors[0], facts.target.errors
    assert_no_internal_error(facts)


def test_depth_limit():
    facts = analyze(APKS, options=_opts(max_depth=0))
    assert len(facts.target.errors) == 1 and "nested deeper than 0" in facts.target.errors[0]
    assert analyze(APKS, options=_opts(max_depth=1)).listeners


def test_ratio_limit_is_configurable(tmp_path):
    """A real deflated run of zeros: over the default 200:1, under a limit of 2000:1."""
    p = tmp_path / "bomb.apk"
    p.write_bytes(M.zip_bomb(DEMO.read_bytes(), mib=8))
    facts = analyze(p)
    assert facts.target.errors and "compression ratio over 200:1" in facts.target.errors[0]
    relaxed = analyze(p, options=_opts(max_ratio=2000.0))
    assert not any("compression ratio" in e for e in relaxed.target.errors), relaxed.target.errors
    assert_no_internal_error(relaxed)


def test_source_file_size_limit(tmp_path):
    src = M.ROOT / "tests" / "source" / "cases" / "java" / "Servers.java"
    shutil.copy(src, tmp_path / "Servers.java")
    facts = analyze(tmp_path, kind="source", options=_opts(max_source_file_bytes=10))
    assert not facts.listeners
    assert any("over the source file limit of 10" in n for n in facts.target.notes), facts.target.notes
    assert analyze(tmp_path, kind="source").listeners


def test_time_limit_is_not_swallowed_by_a_per_file_catch_all(tmp_path, monkeypatch):
    """The per-target deadline must end the target even when it fires inside code that contains
    per-file failures (here: the source front end's catch-all around one file's scan).

    Each file's scan is made slow with a sleep (a stand-in for a pathological file); the deadline
    is 0.5 s; twelve files would take 3.6 s.  The target must end with the time-limit error,
    not with an "internal error (LimitExceeded ...)" note for one file and no deadline after it.
    """
    from portaudit.inputs.source import detect

    src = (M.ROOT / "tests" / "source" / "cases" / "java" / "Servers.java").read_bytes()
    for i in range(12):
        (tmp_path / f"S{i}.java").write_bytes(src)
    real_run = detect.FileScan.run

    def slow_run(self):
        time.sleep(0.3)
        return real_run(self)

    monkeypatch.setattr(detect.FileScan, "run", slow_run)
    monkeypatch.setenv("PORTAUDIT_SOURCE_SEQUENTIAL", "1")
    facts = analyze(tmp_path, kind="source", options=_opts(timeout_seconds=0.5))
    assert any(e.startswith("time limit of 0.5s") for e in facts.target.errors), (facts.target.errors,
                                                                                  facts.target.notes[:3])
    assert not any("LimitExceeded" in n for n in facts.target.notes), facts.target.notes[:3]
