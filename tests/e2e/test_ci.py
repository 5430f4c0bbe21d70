"""What a CI job relies on, through the real command (issue 15): exit codes, the configuration
check, stable identity across invocation forms, baselines, the options shared with semgrep and
Bandit, and a scripted CI run that behaves as the README says.

The source files are real Java, read by the real source front end; each expected finding is named
by the line of Java that makes it (the oracle is the source text itself)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import DEMO_APK, NATIVE, portaudit

SERVER = """package org.acme.share;

import java.net.InetSocketAddress;
import java.net.ServerSocket;

public class Server {
    void start() throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress("0.0.0.0", 8080));
    }

    void twice() throws Exception {
        ServerSocket a = new ServerSocket(7000);
    }

    void again() throws Exception {
        ServerSocket a = new ServerSocket(7000);
    }
}
"""
# a new listener added later in the CI story
OTHER = """package org.acme.share;

import java.net.ServerSocket;

public class Other {
    void open() throws Exception {
        ServerSocket o = new ServerSocket(9999);
    }
}
"""
CLEAN_SO = NATIVE / "libclient_x86.so"  # a client library: no listener (tests/fixtures/native/src)


def _line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


@pytest.fixture
def repo(tmp_path) -> Path:
    """A git work tree with one Java file at app/src/org/acme/share/Server.java."""
    root = tmp_path / "repo"
    src = root / "app" / "src" / "org" / "acme" / "share"
    src.mkdir(parents=True)
    (src / "Server.java").write_text(SERVER)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


SERVER_REL = "app/src/org/acme/share/Server.java"


def _findings(run) -> list[dict]:
    return run.json()["findings"]


# -- exit codes (README "Exit codes") ---------------------------------------------------------

def test_exit_codes(tmp_path, repo):
    (tmp_path / "empty").mkdir()
    bad_cfg = tmp_path / "typo.toml"
    bad_cfg.write_text('[tool.portaudit]\nenable = ["listener-all-interface"]\n')
    cases = [
        (0, [CLEAN_SO]),                                           # no finding
        (1, [DEMO_APK]),                                           # findings at or above low
        (0, [DEMO_APK, "--fail-on", "never"]),
        (2, [DEMO_APK, tmp_path / "build" / "missing.apk"]),       # a wrong path in a workflow
        (2, [tmp_path / "empty"]),                                 # a folder with nothing to scan
        (2, [DEMO_APK, "--config", bad_cfg]),                      # a typo in the configuration
        (2, [DEMO_APK, "--baseline", tmp_path / "nope.json"]),     # a missing baseline
    ]
    for code, args in cases:
        run = portaudit("scan", *args)
        assert run.code == code, (args, run.stderr)
        assert "Traceback" not in run.stderr
        assert portaudit("scan", *args, "--exit-zero").code == 0, args
    # a wrong command line stays 2, even with --exit-zero
    assert portaudit("scan", DEMO_APK, "--exit-zero", "--fail-on", "sometimes").code == 2
    assert portaudit("scan", DEMO_APK, "--exit-zero", "--exclude-rule", "no-such-rule").code == 2
    # notes about skipped files inside a tree do not count: a gradle wrapper JAR (no DEX) is one
    wrapper = repo / "gradle" / "wrapper"
    wrapper.mkdir(parents=True)
    import zipfile
    with zipfile.ZipFile(wrapper / "gradle-wrapper.jar", "w") as zf:  # a JAR holding Java classes only
        zf.writestr("org/gradle/wrapper/GradleWrapperMain.class", b"\xca\xfe\xba\xbe" + b"\0" * 60)
    run = portaudit("scan", repo, "--fail-on", "never", "-f", "json", "-v")
    assert run.code == 0, run.stderr
    (src,) = run.json()["targets"]
    assert src["kind"] == "source" and not src["errors"]
    assert any("gradle-wrapper.jar: JAR without DEX" in n for n in src["notes"]), src["notes"]


def test_internal_error_has_its_own_exit_code_and_the_rest_is_written(tmp_path, monkeypatch):
    """A bug in one analyser (simulated: the DEX analyser raises) ends that target with one error
    line; the APK's findings are still written in every format; exit 3 (README)."""
    from click.testing import CliRunner

    from portaudit import inputs
    from portaudit.cli import main

    monkeypatch.setitem(inputs.ANALYZERS, "elf", "tests.e2e.test_ci:_broken_analyzer")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["scan", str(DEMO_APK), str(CLEAN_SO), "--no-isolate", "-o", f"json:{out}",
                                    "-f", "console"])
    assert res.exit_code == 3, res.output
    data = json.loads(out.read_text())
    so = next(t for t in data["targets"] if t["path"].endswith(CLEAN_SO.name))
    assert so["errors"] == ["internal error (KeyError: 'simulated bug'); please report it"]
    assert any(f["rule"] == "listener-all-interfaces" for f in data["findings"])  # the APK's results
    assert res.stderr.count("internal error") == 1 and "Traceback" not in res.stderr


def _broken_analyzer(target, options):
    raise KeyError("simulated bug")


# -- stable identity --------------------------------------------------------------------------

def _identity(run) -> list[tuple]:
    return sorted((f["rule"], f["target"], f["location"]["file"], f["location"]["line"], f["fingerprint"])
                  for f in _findings(run))


def test_paths_and_fingerprints_do_not_depend_on_how_the_code_was_named(repo):
    app = repo / "app"
    forms = {
        "scan .": portaudit("scan", ".", "-f", "json", cwd=repo),
        "scan app": portaudit("scan", "app", "-f", "json", cwd=repo),
        "scan file": portaudit("scan", SERVER_REL, "-f", "json", cwd=repo),
        "from a subfolder": portaudit("scan", "src/org/acme/share/Server.java", "-f", "json", cwd=app),
        "absolute": portaudit("scan", repo / SERVER_REL, "-f", "json", cwd=repo.parent),
    }
    locs = {name: sorted((f["location"]["file"], f["location"]["line"], f["fingerprint"]) for f in _findings(r))
            for name, r in forms.items()}
    first = locs["scan ."]
    # Server.java's listeners: the bind on "0.0.0.0" and the two ServerSocket(7000) lines
    lines = [i for i, ln in enumerate(SERVER.splitlines(), 1) if "s.bind(" in ln or "ServerSocket(7000)" in ln]
    assert [(f, ln) for f, ln, _ in first] == [(SERVER_REL, i) for i in lines] and len(lines) == 3
    assert all(v == first for v in locs.values()), locs
    # two findings on different lines of one file (the same code line twice) do not share a fingerprint
    fps = [fp for _, _, fp in first]
    assert len(set(fps)) == len(fps) == 3


def test_overlapping_paths_give_no_duplicate_findings(repo):
    once = portaudit("scan", ".", "-f", "json", cwd=repo)
    twice = portaudit("scan", ".", "app", SERVER_REL, SERVER_REL, "-f", "json", cwd=repo)
    key = [(f["rule"], f["location"]["file"], f["location"]["line"]) for f in _findings(twice)]
    assert len(key) == len(set(key))
    assert sorted(key) == sorted((f["rule"], f["location"]["file"], f["location"]["line"]) for f in _findings(once))


def test_root_option_and_fallback_to_the_working_directory(tmp_path):
    tree = tmp_path / "plain" / "svc"
    tree.mkdir(parents=True)
    (tree / "Server.java").write_text(SERVER)
    rel = {f["location"]["file"] for f in _findings(portaudit("scan", "svc", "-f", "json", cwd=tree.parent))}
    assert rel == {"svc/Server.java"}  # no git: the working directory is the root
    rel = {f["location"]["file"] for f in _findings(portaudit("scan", tree, "-f", "json", "--root", tree))}
    assert rel == {"Server.java"}


# -- baselines --------------------------------------------------------------------------------

def test_a_baseline_that_suppresses_nothing_says_so_even_with_quiet(repo, tmp_path):
    base = tmp_path / "other-baseline.json"
    base.write_text(json.dumps({"findings": [{"fingerprint": "0" * 32}]}))
    run = portaudit("scan", ".", "--baseline", base, "-q", cwd=repo)
    assert run.code == 1
    (line,) = run.stderr_lines()
    assert line == (f"portaudit: warning: baseline {base} suppressed nothing: none of its 1 fingerprint(s) "
                    "matches a finding (written for other code, or under another --root?)")


def test_write_baseline_keeps_the_justification_fields(repo):
    base = repo / ".portaudit-baseline.json"
    assert portaudit("scan", ".", "--write-baseline", base, cwd=repo).code == 0
    data = json.loads(base.read_text())
    data["findings"][0]["justification"] = "kiosk build only, reviewed 2024-05"
    data["findings"][0]["owner"] = "alice"
    base.write_text(json.dumps(data))
    assert portaudit("scan", ".", "--write-baseline", base, cwd=repo).code == 0
    again = json.loads(base.read_text())["findings"]
    kept = [e for e in again if e.get("justification")]
    assert len(kept) == 1 and kept[0]["owner"] == "alice"
    assert kept[0]["fingerprint"] == data["findings"][0]["fingerprint"]
    assert len(again) == len(data["findings"])


# -- options shared with semgrep / Bandit (README "Options you know") --------------------------

def test_include_exclude_exclude_rule_and_min_confidence(repo):
    (repo / "app" / "src" / "org" / "acme" / "share" / "Other.java").write_text(OTHER)
    other = "app/src/org/acme/share/Other.java"

    def files(*args):
        return sorted({f["location"]["file"] for f in _findings(portaudit("scan", ".", "-f", "json", *args, cwd=repo))})

    assert files() == [other, SERVER_REL]
    assert files("--include", "**/Other.java") == [other]
    assert files("--exclude", "**/Other.java") == [SERVER_REL]
    assert files("--exclude", "app/src/org/**") == []
    rules = {f["rule"] for f in _findings(portaudit("scan", ".", "-f", "json", cwd=repo))}
    assert "listener-all-interfaces" in rules
    dropped = {f["rule"] for f in _findings(portaudit("scan", ".", "-f", "json", "--exclude-rule",
                                                      "listener-all-interfaces", cwd=repo))}
    assert dropped == rules - {"listener-all-interfaces"}
    confs = {f["confidence"] for f in _findings(portaudit("scan", DEMO_APK, "-f", "json"))}
    high = {f["confidence"] for f in _findings(portaudit("scan", DEMO_APK, "-f", "json", "--min-confidence", "high"))}
    assert high == {"high"} and confs >= {"high"}
    bad = portaudit("scan", ".", "--exclude-rule", "listener-all-interface", cwd=repo)
    assert bad.code == 2 and "did you mean 'listener-all-interfaces'" in bad.stderr


def test_several_outputs_from_one_run(tmp_path):
    sarif, html, js = tmp_path / "r.sarif", tmp_path / "r.html", tmp_path / "r.json"
    run = portaudit("scan", DEMO_APK, "-o", f"sarif:{sarif}", "-o", f"html:{html}", "--output", f"json:{js}")
    assert run.code == 1
    assert "listener-all-interfaces" in run.stdout  # stdout keeps the console report
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert html.read_text().startswith("<!DOCTYPE html>")
    n = len(json.loads(js.read_text())["findings"])
    assert len(json.loads(sarif.read_text())["runs"][0]["results"]) == n
    plain = portaudit("scan", DEMO_APK, "-f", "json", "-o", tmp_path / "plain.json")
    assert plain.stdout == "" and len(json.loads((tmp_path / "plain.json").read_text())["findings"]) == n


# -- the scripted CI run (issue 15 "Done when") ---------------------------------------------------

def test_scripted_ci_run_behaves_as_the_readme_says(repo):
    (repo / ".portaudit.toml").write_text('fail-on = "medium"\nbaseline = ".portaudit-baseline.json"\n')
    base = repo / ".portaudit-baseline.json"
    # 1. accept today's findings
    first = portaudit("scan", ".", "--write-baseline", base, cwd=repo)
    assert first.code == 0 and base.exists()
    # 2. the same code passes, whichever way it is named (a workflow's folder, the pre-commit hook's files)
    for args, cwd in (((".",), repo), (("app",), repo), ((SERVER_REL,), repo),
                      (("src/org/acme/share/Server.java",), repo / "app")):
        run = portaudit("scan", "--quiet", *args, cwd=cwd)
        assert run.code == 0, (args, run.stdout, run.stderr)
    # 3. a new listener fails the job, and only it is reported
    (repo / "app" / "src" / "org" / "acme" / "share" / "Other.java").write_text(OTHER)
    other = "app/src/org/acme/share/Other.java"
    for args, cwd in (((".",), repo), (("app",), repo), ((SERVER_REL, other), repo),
                      (("src/org/acme/share/Other.java",), repo / "app")):
        run = portaudit("scan", "--quiet", "-f", "json", *args, cwd=cwd)
        assert run.code == 1, (args, run.stderr)
        assert [(f["location"]["file"], f["location"]["line"]) for f in _findings(run)] == \
            [(other, _line(OTHER, "new ServerSocket(9999)"))], args
    # 4. a typo in the configuration fails the job with file, line and a hint (not "no findings")
    (repo / ".portaudit.toml").write_text('fail-on = "medium"\nenable = ["listener-all-interface"]\n')
    run = portaudit("scan", "--quiet", ".", cwd=repo)
    assert run.code == 2
    assert run.stderr_lines() == [f"portaudit: error: {repo / '.portaudit.toml'}:2: unknown rule id "
                                  "'listener-all-interface' in 'enable' (did you mean 'listener-all-interfaces'?); "
                                  "`portaudit rules` lists them"]
    # 5. a missing path fails the job
    (repo / ".portaudit.toml").write_text('fail-on = "medium"\nbaseline = ".portaudit-baseline.json"\n')
    run = portaudit("scan", "--quiet", ".", "app/build/outputs/apk/release/app-release.apk", cwd=repo)
    assert run.code == 2
    assert run.stderr_lines() == ["portaudit: app/build/outputs/apk/release/app-release.apk: no such file or directory"]


def test_a_renderer_failing_on_one_target_costs_only_that_target(tmp_path, monkeypatch):
    """A bug in one format's code for one target's finding (simulated: SARIF's result builder raises on
    the native library's findings) ends that target with one error line, in every output of the run;
    the APK's results are written everywhere; exit 3."""
    from click.testing import CliRunner

    from portaudit.cli import main
    from portaudit.formats import sarif

    real = sarif._Builder.result

    def broken(self, finding):
        if finding.target.endswith(".so"):
            raise ValueError("simulated rendering bug")
        return real(self, finding)

    monkeypatch.setattr(sarif._Builder, "result", broken)
    so = NATIVE / "libserver_arm64_O0.so"  # has listener findings (tests/fixtures/native/src)
    out = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "sarif", "html")}
    res = CliRunner().invoke(main, ["scan", str(DEMO_APK), str(so), "--no-isolate", "-f", "console",
                                    *[a for fmt, p in out.items() for a in ("-o", f"{fmt}:{p}")]])
    assert res.exit_code == 3, res.output
    data = json.loads(out["json"].read_text())
    lib = next(t for t in data["targets"] if t["path"].endswith(so.name))
    assert lib["errors"] == ["internal error while writing the sarif report (ValueError: simulated rendering bug); "
                             "please report it"]
    assert not [f for f in data["findings"] if f["target"] == lib["path"]]  # dropped from every output ...
    results = json.loads(out["sarif"].read_text())["runs"][0]["results"]
    apk = [f for f in data["findings"] if f["target"].endswith("demo.apk")]
    assert apk and len(results) == len(apk)  # ... and the APK's findings are in every output
    assert "simulated rendering bug" in out["html"].read_text() and "simulated rendering bug" in res.stdout
    assert [ln for ln in res.stderr.splitlines() if "internal error" in ln] == [
        f"portaudit: {lib['path']}: {lib['errors'][0]}"]


def test_source_tree_discovery_skips_build_jars_and_markdown_named_like_libraries(repo):
    """Issue 15: 71 of 93 targets of a real tree were errors because of gradle-wrapper.jar; a
    Markdown file named README.so.md was read as ELF.  Discovery goes by magic bytes and real
    extensions: a text file is not a library, a JAR of Java classes is a note."""
    import zipfile

    (repo / "docs").mkdir()
    (repo / "docs" / "README.so.md").write_text("# how to build libfoo.so\n")
    (repo / "libs").mkdir()
    with zipfile.ZipFile(repo / "libs" / "helper.jar", "w") as zf:  # Java classes only, no DEX
        zf.writestr("a/B.class", b"\xca\xfe\xba\xbe" + b"\0" * 60)
    run = portaudit("scan", ".", "-f", "json", "-v", cwd=repo)
    assert run.code == 1, run.stderr  # Server.java's findings; no target error
    targets = run.json()["targets"]
    assert [(t["path"], t["kind"], t["errors"]) for t in targets] == [(".", "source", [])]
    assert any(n.startswith("libs/helper.jar: JAR without DEX") for n in targets[0]["notes"])
    named = portaudit("scan", repo / "docs" / "README.so.md", cwd=repo)  # named directly: said, not guessed
    assert named.code == 2 and "not a recognised app, binary or source file" in named.stderr


def test_include_tests_reports_test_code(repo):
    test_dir = repo / "app" / "src" / "test" / "org" / "acme"
    test_dir.mkdir(parents=True)
    (test_dir / "OtherTest.java").write_text(OTHER.replace("class Other", "class OtherTest"))
    rel = "app/src/test/org/acme/OtherTest.java"
    without = {f["location"]["file"] for f in _findings(portaudit("scan", ".", "-f", "json", cwd=repo))}
    with_tests = {f["location"]["file"] for f in _findings(portaudit("scan", ".", "-f", "json", "--include-tests",
                                                                     cwd=repo))}
    assert rel not in without and rel in with_tests  # the ServerSocket(9999) of OTHER, in test code
