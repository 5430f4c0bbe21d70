"""A directory of real apps and binaries beside hostile files derived from them, scanned by the CLI.

One ``portaudit scan DIR --format json`` run (a subprocess, as a user runs it) must:
* print no traceback;
* give every fatal file exactly one clear, one-line error, also logged on stderr with its path;
* give no file an internal error, a multi-line message or the same message twice;
* scan every good file fully: its findings equal those of scanning it alone.
"""

from __future__ import annotations

import pytest

from . import corpus
from .helpers import cli_scan, finding_keys


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    groups = corpus.build(d)
    report, stderr, code = cli_scan(d)
    by_name = {t["path"].rsplit("/", 1)[-1]: t for t in report["targets"]}
    return d, groups, report, stderr, code, by_name


def test_no_traceback(scanned):
    _d, _g, _r, stderr, code, _ = scanned
    assert "Traceback" not in stderr, stderr[-3000:]
    # README "Exit codes": 2 for inputs that could not be analysed, never 3 (an internal error)
    assert code == 2, f"exit code {code}"


def test_every_file_is_a_target(scanned):
    _d, groups, _r, _e, _c, by_name = scanned
    for group, names in groups.items():
        for n in names:
            assert n in by_name, f"{group} file {n} missing from the report"


def test_fatal_files_get_exactly_one_clear_error(scanned):
    d, groups, _r, stderr, _c, by_name = scanned
    assert len(groups["fatal"]) >= 12
    for n in groups["fatal"]:
        errs = by_name[n]["errors"]
        assert len(errs) == 1, (n, errs)
        msg = errs[0]
        assert msg and "\n" not in msg and len(msg) < 400, (n, msg)
        assert not msg.startswith("internal error"), (n, msg)
        assert f"{d / n}: " in stderr, f"{n}: not named on stderr"


def test_limit_errors_say_which_limit(scanned):
    _d, _g, _r, _e, _c, by_name = scanned
    assert "zip bomb" in by_name["bad-zip-bomb.apk"]["errors"][0]
    assert "nested deeper than 3" in by_name["bad-nested-too-deep.apks"]["errors"][0]
    assert by_name["bad-empty.apk"]["errors"] == ["empty file"]


def test_no_internal_errors_anywhere(scanned):
    _d, _g, report, _e, _c, _ = scanned
    for t in report["targets"]:
        for msg in t["errors"] + t["notes"]:
            assert not msg.startswith("internal error"), (t["path"], msg)
            assert "\n" not in msg, (t["path"], msg)
        assert len(t["errors"]) == len(set(t["errors"])), (t["path"], "repeated error", t["errors"][:3])


def test_good_files_fully_scanned(scanned):
    d, groups, report, _e, _c, by_name = scanned
    assert len(groups["good"]) >= 6
    for n in groups["good"]:
        assert by_name[n]["errors"] == [], (n, by_name[n]["errors"])
    for n in groups["good"]:
        path = str(d / n)
        alone, _stderr, _code = cli_scan(path)
        want = finding_keys(alone, path)
        assert want, f"{n}: the good inputs all have findings"
        assert finding_keys(report, path) == want, n


def test_in_process_scan_agrees_with_isolated_scan(scanned):
    """--no-isolate (everything in one process) reports the same errors and findings per file."""
    d, _groups, report, _e, _c, by_name = scanned
    inproc, stderr, _code = cli_scan(d, args=("--no-isolate",))
    assert "Traceback" not in stderr, stderr[-3000:]
    other = {t["path"].rsplit("/", 1)[-1]: t for t in inproc["targets"]}
    assert set(other) == set(by_name)
    for n, t in by_name.items():
        assert other[n]["errors"] == t["errors"], n
        assert finding_keys(inproc, t["path"]) == finding_keys(report, t["path"]), n
