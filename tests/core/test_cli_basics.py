"""The CLI's contract: exit codes, stdout for machine output, stderr for diagnostics."""

import json
import subprocess
import sys


def _run(*args):
    return subprocess.run([sys.executable, "-m", "portaudit", *args], capture_output=True, text=True)


def test_usage_error_exits_2_with_one_line():
    p = _run("scan")
    assert p.returncode == 2
    assert "Missing argument" in p.stderr
    p = _run("scan", "x.apk", "--format", "nope")
    assert p.returncode == 2


def test_missing_and_unknown_inputs_fail_cleanly(tmp_path):
    junk = tmp_path / "notes.bin"
    junk.write_bytes(b"\x00\x01 not an app")
    p = _run("scan", str(tmp_path / "missing.apk"), str(junk), "--format", "json")
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    data = json.loads(p.stdout)
    errors = {t["path"]: t["errors"] for t in data["targets"]}
    assert errors[str(tmp_path / "missing.apk")] == ["no such file or directory"]
    assert "not a recognised" in errors[str(junk)][0]
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 2 and all(ln.startswith("portaudit: ") for ln in lines)


def test_explain_and_rules():
    p = _run("rules")
    assert p.returncode == 0 and "listener-all-interfaces" in p.stdout
    p = _run("explain", "listener-all-interfaces")
    assert p.returncode == 0 and "## Fix" in p.stdout and "MASWE-0051" in p.stdout
    p = _run("explain", "no-such-rule")
    assert p.returncode == 2


def test_limit_option_is_applied_and_validated(tmp_path):
    from pathlib import Path

    apk = Path(__file__).resolve().parents[2] / "src" / "portaudit" / "samples" / "demo.apk"
    p = _run("scan", str(apk), "--format", "json", "--limit", "max_entry_bytes=1k")
    data = json.loads(p.stdout)
    assert p.returncode == 2, p.stderr
    assert "classes.dex" in " ".join(data["targets"][0]["errors"])
    p = _run("scan", str(apk), "--limit", "no_such=3")
    assert p.returncode == 2 and "unknown limit" in p.stderr


def test_set_limit_parses_suffixes():
    from portaudit.options import Limits, set_limit

    lim = Limits()
    set_limit(lim, "max_entry_bytes=2M")
    set_limit(lim, "max-ratio=50")
    assert lim.max_entry_bytes == 2 * 1024**2 and lim.max_ratio == 50.0
