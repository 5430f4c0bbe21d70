"""The shipped CI examples are safe to copy and do what they say (issue 15):
examples/github-actions.yml passes zizmor (PyPI) with its most demanding persona, and the hook
definitions of .pre-commit-hooks.yaml run through `pre-commit try-repo` on a sample repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / "examples" / "github-actions.yml"
BIN = Path(sys.executable).parent


def _zizmor(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "zizmor"), "--offline", "--persona", "pedantic", "--format", "plain", str(path)],
                          capture_output=True, text=True, timeout=120)


def test_zizmor_finds_nothing_in_the_github_actions_example():
    proc = _zizmor(WORKFLOW)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout + proc.stderr


def test_zizmor_guard_flags_what_the_example_used_to_do(tmp_path):
    """The shapes zizmor reported in the old example: unpinned actions, persisted credentials,
    an expression expanded inside `run:`."""
    old = tmp_path / "old.yml"
    old.write_text("""name: old
on: [push]
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - id: scan
        run: echo "status=1" >> "$GITHUB_OUTPUT"
      - run: echo "exit ${{ steps.scan.outputs.status }}"
""")
    proc = _zizmor(old)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    for audit in ("unpinned-uses", "artipacked", "template-injection"):
        assert audit in out, (audit, out)


def test_the_example_is_structured_as_documented():
    wf = yaml.safe_load(WORKFLOW.read_text())
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    for s in steps:
        if "uses" in s:
            assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", s["uses"]), s["uses"]  # pinned to a commit
        if str(s.get("uses", "")).startswith("actions/checkout@"):
            assert s["with"]["persist-credentials"] is False
        assert "${{" not in s.get("run", ""), s  # values reach the shell through env: only
        assert not re.search(r"pip install (-\S+ )*portaudit\b", s.get("run", "")), s  # never by package name
    assert wf["permissions"] == {}
    job = wf["jobs"]["portaudit"]
    assert job["permissions"] == {"contents": "read", "security-events": "write"}
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    scan = next(s for s in steps if s.get("id") == "scan")
    assert f"--output sarif:{upload['with']['sarif_file']}" in scan["run"]


# -- pre-commit ---------------------------------------------------------------------------------

SERVER = """package demo;

import java.net.InetSocketAddress;
import java.net.ServerSocket;

public class Server {
    void start() throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress("0.0.0.0", 8080));
    }
}
"""
CLEAN = """package demo;

public class Clean {
    int twice(int x) { return 2 * x; }
}
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
                            GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid"))


@pytest.fixture(scope="module")
def hook_home(tmp_path_factory) -> Path:
    """One pre-commit cache for the module: the hook's environment (portaudit installed from this
    checkout by pre-commit itself) is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(sample: Path, hook: str, home: Path, *files: str) -> subprocess.CompletedProcess:
    args = ["--files", *files] if files else ["--all-files"]
    return subprocess.run([str(BIN / "pre-commit"), "try-repo", str(ROOT), hook, "--verbose", *args],
                          cwd=sample, capture_output=True, text=True, timeout=1200,
                          env=dict(os.environ, PRE_COMMIT_HOME=str(home),
                                   PIP_CONSTRAINT=str(ROOT / "scripts" / "constraints.txt")))


@pytest.mark.slow
def test_pre_commit_hooks_run_through_try_repo(tmp_path, hook_home):
    if shutil.which("git") is None:
        pytest.fail("git is needed to test the pre-commit hooks")
    sample = tmp_path / "sample"
    (sample / "src" / "demo").mkdir(parents=True)
    (sample / "src" / "demo" / "Server.java").write_text(SERVER)
    (sample / "src" / "demo" / "Clean.java").write_text(CLEAN)
    _git(sample, "init", "-q")
    _git(sample, "add", ".")
    _git(sample, "commit", "-q", "-m", "sample")
    # the staged-files hook: the file with the wildcard bind fails (Server.java line 9), the clean one passes
    bad = _try_repo(sample, "portaudit", hook_home, "src/demo/Server.java")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "listener-all-interfaces" in bad.stdout and "src/demo/Server.java:9" in bad.stdout
    good = _try_repo(sample, "portaudit", hook_home, "src/demo/Clean.java")
    assert good.returncode == 0, good.stdout + good.stderr
    # the whole-tree hook finds the same listener
    tree = _try_repo(sample, "portaudit-tree", hook_home)
    assert tree.returncode == 1 and "src/demo/Server.java:9" in tree.stdout, tree.stdout
    # a typo in the project's configuration fails the hook (it used to turn every rule off and pass)
    (sample / ".portaudit.toml").write_text('enable = ["listener-all-interface"]\n')
    typo = _try_repo(sample, "portaudit-tree", hook_home)
    assert typo.returncode != 0  # pre-commit reports any non-zero hook exit (portaudit's is 2) as a failure
    assert "did you mean 'listener-all-interfaces'" in typo.stdout + typo.stderr
