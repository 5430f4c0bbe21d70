"""The scan command end to end: config, inline suppressions, baselines, exit codes, console
width, rules / explain, and docs/rules.md kept current."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from portaudit import inputs
from portaudit import rules as rules_mod
from portaudit.cli import main
from portaudit.cli.rules import rules_markdown

from .conftest import JAVA, source_facts, write_source_tree

ROOT = Path(__file__).resolve().parents[2]
DEMO_APK = ROOT / "src" / "portaudit" / "samples" / "demo.apk"


def invoke(*args, cwd=None):
    runner = CliRunner()
    res = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return res


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A source tree on disk, scanned through the real CLI.  The source front end is another
    area's work; here its analyzer is replaced by one returning model facts for the tree so
    that config / suppression / baseline handling of *source* findings runs for real."""
    root = write_source_tree(tmp_path)
    java = {"text": JAVA}

    def analyze(target, options):
        return source_facts(Path(target.path), java["text"])

    monkeypatch.setattr(inputs, "analyzer_for",
                        lambda kind, _orig=inputs.analyzer_for: analyze if kind == "source" else _orig(kind))
    import portaudit.scan as scan_mod
    monkeypatch.setattr(scan_mod, "analyzer_for", inputs.analyzer_for)
    monkeypatch.chdir(tmp_path)
    return Tree(root, java)


class Tree:
    def __init__(self, root: Path, java: dict):
        self.root, self.java = root, java
        self.file = root / "src/main/java/com/example/demo/Server.java"
        self.parent = root.parent

    def write(self, text: str) -> None:
        self.file.write_text(text)
        self.java["text"] = text

    def __fspath__(self):
        return str(self.root)

    def __str__(self):
        return str(self.root)


# -- the real demo APK ---------------------------------------------------------------

def test_demo_apk_end_to_end_all_formats(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("scan", DEMO_APK, "--format", "json", "--no-config")
    assert res.exit_code == 1
    data = json.loads(res.stdout)
    rules = {f["rule"] for f in data["findings"]}
    assert {"listener-all-interfaces", "listener-loopback-unchecked", "debuggable-build"} <= rules
    for fmt, name in (("sarif", "r.sarif"), ("html", "r.html")):
        res = invoke("scan", DEMO_APK, "--format", fmt, "-o", tmp_path / name, "--no-config")
        assert res.exit_code == 1 and res.stdout == ""
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == rules
    assert all(r["locations"][0]["logicalLocations"] for r in results if r["ruleId"] != "debuggable-build")
    html = (tmp_path / "r.html").read_text()
    assert html.count('class="finding ') == len(data["findings"])
    assert "ShareServer" in html and "<svg" in html


def test_demo_apk_console_fits_80_columns():
    res = invoke("scan", DEMO_APK, "--no-config", "-v", "--width", "80")
    lines = res.stdout.splitlines()
    assert any("listener-all-interfaces" in ln for ln in lines)
    assert any(ln.strip().startswith(">") for ln in lines)  # evidence line
    assert any(ln.strip().startswith("fix:") for ln in lines)  # verbose
    assert max(map(len, lines)) <= 80, max(lines, key=len)
    assert lines.index("  HIGH (2)") < lines.index("  MEDIUM (3)")


def test_quiet_hides_clean_targets_and_evidence(tmp_path):
    clean = tmp_path / "empty-dir"
    clean.mkdir()
    res = invoke("scan", DEMO_APK, "--no-config", "-q")
    assert res.exit_code == 1
    assert "listener-all-interfaces" in res.stdout
    assert not any(ln.strip().startswith(">") for ln in res.stdout.splitlines())
    assert res.stderr == ""


def test_write_baseline_then_baseline_suppresses_everything(tmp_path):
    base = tmp_path / "baseline.json"
    res = invoke("scan", DEMO_APK, "--no-config", "--write-baseline", base, "-f", "json")
    assert res.exit_code == 0  # writing a baseline accepts the findings
    data = json.loads(base.read_text())
    n = len(json.loads(res.stdout)["findings"])
    assert len(data["findings"]) == n
    entry = data["findings"][0]
    assert {"fingerprint", "rule", "target", "message", "location"} <= entry.keys()
    res = invoke("scan", DEMO_APK, "--no-config", "--baseline", base, "-f", "sarif")
    assert res.exit_code == 0
    assert f"{n} finding(s) suppressed by baseline" in res.stderr
    results = json.loads(res.stdout)["runs"][0]["results"]
    assert len(results) == n and all(r["suppressions"][0]["kind"] == "external" for r in results)
    # dropping one entry brings exactly that finding back
    dropped = data["findings"].pop(0)
    base.write_text(json.dumps(data))
    res = invoke("scan", DEMO_APK, "--no-config", "--baseline", base, "-f", "json")
    back = json.loads(res.stdout)["findings"]
    assert [f["fingerprint"] for f in back] == [dropped["fingerprint"]]
    assert res.exit_code == (1 if back[0]["severity"] != "info" else 0)


@pytest.mark.parametrize("content, line, what", [
    ('{"findings": [\n  {"fingerprint": "abc"},\n  {"fingerprint": \n}', 4, "invalid JSON"),
    ('{"findings": [\n  {"fingerprint": "abc"},\n  {"rule": "x"}\n]}', 3, "no fingerprint"),
    ('[1, 2', 1, "invalid JSON"),
    ('{"something": 1}', 1, "not a portaudit baseline"),
])
def test_corrupt_baseline_is_a_clear_error_with_file_and_line(tmp_path, content, line, what):
    base = tmp_path / "bad-baseline.json"
    base.write_text(content)
    res = invoke("scan", DEMO_APK, "--no-config", "--baseline", base)
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"{base}:{line}:" in err and what in err


def test_missing_baseline_is_an_error(tmp_path):
    res = invoke("scan", DEMO_APK, "--no-config", "--baseline", tmp_path / "nope.json")
    assert res.exit_code == 2 and "nope.json: baseline file not found" in res.stderr


# -- configuration -----------------------------------------------------------------

def test_config_disable_severity_override_and_fail_on(tmp_path, monkeypatch):
    cfg = tmp_path / ".portaudit.toml"
    cfg.write_text('disable = ["debuggable-build"]\nfail-on = "high"\n\n[severity]\n'
                   '"listener-all-interfaces" = "medium"\n')
    monkeypatch.chdir(tmp_path)  # found from the working directory upwards
    res = invoke("scan", DEMO_APK, "-f", "json")
    found = json.loads(res.stdout)["findings"]
    assert "debuggable-build" not in {f["rule"] for f in found}
    allif = [f for f in found if f["rule"] == "listener-all-interfaces"]
    assert allif and all(f["severity"] == "medium" for f in allif)
    assert res.exit_code == 0  # nothing left at "high"
    res = invoke("scan", DEMO_APK, "-f", "json", "--fail-on", "medium")  # the CLI wins
    assert res.exit_code == 1


def test_pyproject_config_found_from_scanned_path_upwards(tmp_path, monkeypatch):
    project = tmp_path / "proj"
    (project / "apps").mkdir(parents=True)
    apk = project / "apps" / "demo.apk"
    apk.write_bytes(DEMO_APK.read_bytes())
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.portaudit]\nallowed-ports = [8080, 8765]\nallowed-sdks = []\n')
    monkeypatch.chdir(tmp_path)
    res = invoke("scan", apk, "-f", "json")
    found = json.loads(res.stdout)["findings"]
    allowed = [f for f in found if f.get("listener") and f["listener"]["port"] in (8080, 8765)]
    assert len(allowed) == 2
    assert all(f["severity"] == "info" and "allowed by configuration" in f["allowed"] for f in allowed)
    (project / "pyproject.toml").write_text(
        '[tool.portaudit]\nallowed-ports = [8080, 8765]\nallowed = "drop"\n')
    found = json.loads(invoke("scan", apk, "-f", "json").stdout)["findings"]
    assert not [f for f in found if f.get("listener") and f["listener"]["port"] in (8080, 8765)]


@pytest.mark.parametrize("body, line, message", [
    # issue 15: this typo used to turn every rule off and pass ("no findings", exit 0)
    ('[tool.portaudit]\nenable = ["listener-all-interface"]\n', 2,
     "unknown rule id 'listener-all-interface' in 'enable' (did you mean 'listener-all-interfaces'?)"),
    ('[tool.portaudit]\ndisable = [\n  "webview-debuging",\n]\n', 3,
     "unknown rule id 'webview-debuging' in 'disable' (did you mean 'webview-debugging'?)"),
    ('[tool.portaudit]\nfail-on = "high"\nfial-on = "low"\n', 3, "unknown key 'fial-on' (did you mean 'fail-on'?)"),
    ('[tool.portaudit]\nfrobnicate = 1\n', 2, "unknown key 'frobnicate'; known keys: enable, disable"),
    ('[tool.portaudit.severity]\nlistener-all-interface = "low"\n', 2, "unknown rule id 'listener-all-interface'"),
    ('[tool.portaudit]\nenable = []\n', 2, "'enable' must be a non-empty list of rule ids"),
    ('[tool.portaudit]\nenable = ["webview-debugging"]\ndisable = ["webview-debugging"]\n', 3,
     "turn every rule off"),
])
def test_unknown_rule_ids_and_keys_in_config_are_errors_with_file_line_and_hint(tmp_path, body, line, message):
    cfg = tmp_path / "custom.toml"
    cfg.write_text(body)
    for extra in ([], ["-q"]):  # -q (both pre-commit hooks use it) does not hide it
        res = invoke("scan", DEMO_APK, "--config", cfg, "-f", "json", *extra)
        assert res.exit_code == 2 and res.stdout == ""
        (err,) = res.stderr.strip().splitlines()
        assert err.startswith(f"portaudit: error: {cfg}:{line}: ") and message in err, err


@pytest.mark.parametrize("content, line, what", [
    ('[tool.portaudit]\nenable = ["a",\nfail-on = "high"\n', 3, "invalid TOML"),
    ('[tool.portaudit]\nfail-on = "urgent"\n', 2, "'fail-on' must be one of"),
    ('[tool.portaudit]\nallowed-ports = ["http"]\n', 2, "'allowed-ports' must be"),
    ('[tool.portaudit.severity]\n"debuggable-build" = "bad"\n', 2, "severity of 'debuggable-build'"),
    ('[tool.portaudit]\nexclude = "x"\nallowed = "ignore"\n', 3, "'allowed' must be"),
])
def test_corrupt_config_is_a_clear_error_with_file_and_line(tmp_path, content, line, what):
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text(content)
    res = invoke("scan", DEMO_APK, "--config", cfg)
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"{cfg}:{line}:" in err and what in err


# -- source findings: exclude globs, inline suppressions, fixes ------------------------

def test_inline_suppression_in_source(tree):
    res = invoke("scan", tree, "-f", "sarif")
    assert res.exit_code == 1
    assert "1 finding(s) suppressed by inline comments" in res.stderr
    results = json.loads(res.stdout)["runs"][0]["results"]
    live = [r for r in results if "suppressions" not in r]
    gone = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in live] == ["listener-all-interfaces"]
    assert [r["ruleId"] for r in gone] == ["listener-loopback-unchecked"]
    assert gone[0]["suppressions"][0] == {"kind": "inSource", "status": "accepted",
                                          "justification": "only the test harness connects"}
    assert live[0]["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "127.0.0.1"
    res = invoke("scan", tree, "-f", "json", "--no-inline-suppressions")
    assert len(json.loads(res.stdout)["findings"]) == 2


def test_inline_suppression_on_the_same_line_wildcard_and_unknown_ids(tree):
    java = JAVA.replace('8080));', '8080)); // portaudit: ignore[*] demo only')
    java = java.replace("ignore[listener-loopback-unchecked]", "ignore[listener-loopback-uncheked]")
    path = tree.file
    tree.write(java)
    res = invoke("scan", tree, "-f", "json")
    found = json.loads(res.stdout)["findings"]
    assert [f["rule"] for f in found] == ["listener-loopback-unchecked"]  # the misspelt id does not hide it
    shown = path.relative_to(tree.parent).as_posix()  # relative to the project root (the working directory)
    assert (f"{shown}:13: unknown rule id 'listener-loopback-uncheked' in suppression (did you mean "
            "'listener-loopback-unchecked'?)") in res.stderr


def test_exclude_globs(tree):
    (tree.parent / ".portaudit.toml").write_text('exclude = ["src/main/java/com/**"]\n')
    res = invoke("scan", tree, "-f", "json")
    assert json.loads(res.stdout)["findings"] == [] and res.exit_code == 0
    (tree.parent / ".portaudit.toml").write_text('exclude = ["**/other/**"]\n')
    res = invoke("scan", tree, "-f", "json")
    assert len(json.loads(res.stdout)["findings"]) == 1


def test_source_baseline_survives_inserted_lines(tree, tmp_path):
    base = tmp_path / "b.json"
    assert invoke("scan", tree, "--write-baseline", base).exit_code == 0
    java = "// new header\n// more\n" + JAVA
    tree.write(java)
    res = invoke("scan", tree, "--baseline", base, "-f", "json")
    assert json.loads(res.stdout)["findings"] == [] and res.exit_code == 0
    tree.write(java.replace('"0.0.0.0", 8080', '"0.0.0.0", 9999'))
    res = invoke("scan", tree, "--baseline", base, "-f", "json")
    back = json.loads(res.stdout)["findings"]
    assert len(back) == 1 and "9999" in back[0]["evidence"] and res.exit_code == 1


# -- rules, explain, docs ----------------------------------------------------------

def test_rules_and_explain():
    res = invoke("rules")
    assert res.exit_code == 0
    assert [ln.split()[0] for ln in res.stdout.splitlines()] == [c.id for c in rules_mod.ALL]
    data = json.loads(invoke("rules", "--format", "json").stdout)
    assert {d["id"] for d in data} == set(rules_mod.BY_ID)
    assert all(d["what"] and d["why"] and d["fix"] for d in data)
    res = invoke("explain", "webview-debugging")
    assert res.exit_code == 0 and "## Fix" in res.stdout and "CWE-489" in res.stdout
    res = invoke("explain", "webview-debuging")
    assert res.exit_code == 2 and "did you mean 'webview-debugging'" in res.stderr


def test_docs_rules_md_is_generated_and_current():
    committed = (ROOT / "docs" / "rules.md").read_text()
    assert committed == rules_markdown(), "docs/rules.md is stale: run scripts/gen-rules-doc"
    for cls in rules_mod.ALL:
        assert f"## {cls.id}" in committed
    proc = subprocess.run([sys.executable, "-m", "portaudit", "rules", "--format", "markdown"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    assert proc.stdout == committed
    proc = subprocess.run([str(ROOT / "scripts" / "gen-rules-doc"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_ci_files_are_valid():
    import yaml  # noqa: PLC0415
    wf = yaml.safe_load((ROOT / "examples" / "github-actions.yml").read_text())
    steps = [s for job in wf["jobs"].values() for s in job["steps"]]
    upload = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")]
    assert upload and upload[0]["with"]["sarif_file"]
    assert any("--output sarif:" in str(s.get("run", "")) for s in steps)
    assert wf["jobs"]["portaudit"]["permissions"]["security-events"] == "write"
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["id"] == "portaudit" and hooks[0]["entry"].startswith("portaudit scan")


# -- the real source front end (no stand-in analyzer) ---------------------------------

REAL_JAVA = '''package org.acme.share;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

public class Server {
    void start() throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress("0.0.0.0", 8080));
    }

    void local() throws Exception {
        // portaudit: ignore[listener-loopback-unchecked] only the test harness connects
        ServerSocket t = new ServerSocket(9090, 50, InetAddress.getLoopbackAddress());
    }

    void other() throws Exception {
        ServerSocket u = new ServerSocket(7070); // portaudit: ignore[*] kiosk build only
        // portaudit: ignore[listener-all-interface] misspelt
        ServerSocket v = new ServerSocket(6060);
    }
}
'''


def test_source_tree_end_to_end_with_the_real_front_end(tmp_path, monkeypatch):
    src = tmp_path / "repo" / "src" / "org" / "acme" / "share"
    src.mkdir(parents=True)
    (src / "Server.java").write_text(REAL_JAVA)
    monkeypatch.chdir(tmp_path / "repo")
    res = invoke("scan", ".", "-f", "sarif", "--no-config")
    assert res.exit_code == 1
    assert "2 finding(s) suppressed by inline comments" in res.stderr
    assert "Server.java:20: unknown rule id 'listener-all-interface' in suppression" in res.stderr
    results = json.loads(res.stdout)["runs"][0]["results"]
    live = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: r for r in results if "suppressions" not in r}
    gone = {r["locations"][0]["physicalLocation"]["region"]["startLine"]: r for r in results if "suppressions" in r}
    assert sorted(live) == [10, 21] and sorted(gone) == [15, 19]
    assert gone[15]["ruleId"] == "listener-loopback-unchecked"
    assert gone[19]["suppressions"][0]["justification"] == "kiosk build only"
    first = live[10]
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "src/org/acme/share/Server.java", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["snippet"]["text"].startswith('s.bind(new InetSocketAddress("0.0.0.0", 8080))')
    change = first["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"] == loc["artifactLocation"]
    d = change["replacements"][0]["deletedRegion"]
    assert REAL_JAVA.splitlines()[9][d["startColumn"] - 1:d["endColumn"] - 1] == "0.0.0.0"
    # console: the evidence line of a source finding, 80 columns
    res = invoke("scan", ".", "--no-config", "--width", "80")
    assert '> s.bind(new InetSocketAddress("0.0.0.0", 8080));' in res.stdout
    assert max(map(len, res.stdout.splitlines())) <= 80


def test_flow_end_to_end_and_origin_chains_are_distinct_findings(tree, tmp_path, monkeypatch):
    """One API call reached from two callers (two origin chains, as the front ends record them in
    listener.flow): two findings with distinct fingerprints, each with its flow in every format."""
    from portaudit.model import Hop, Location

    base = source_facts(Path(tree.root), JAVA)
    lst = next(x for x in base.listeners if x.port == 9090)
    rel = lst.location.file
    chains = []
    for caller_line, note in ((3, "port 9090 from Main.main"), (4, "port 9090 from Boot.run")):
        chains.append(type(lst)(**{**lst.__dict__, "flow": [
            Hop("api", lst.location), Hop("caller", Location(file=rel, line=caller_line, column=1), note)]}))
    base.listeners = [x for x in base.listeners if x.port != 9090] + chains

    def analyze(target, options):  # the fixture's stand-in analyzer, now with flows
        base.target = target
        return base

    import portaudit.scan as scan_mod
    monkeypatch.setattr(scan_mod, "analyzer_for", lambda kind: analyze)
    out = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "sarif", "html")}
    res = invoke("scan", tree, "--no-inline-suppressions", "--width", "200",
                 *[a for fmt, p in out.items() for a in ("-o", f"{fmt}:{p}")])
    data = json.loads(out["json"].read_text())
    mine = [f for f in data["findings"] if f["listener"]["port"] == 9090]
    assert len(mine) == 2 and len({f["fingerprint"] for f in mine}) == 2
    assert sorted(f["listener"]["flow"][1]["note"] for f in mine) == ["port 9090 from Boot.run",
                                                                     "port 9090 from Main.main"]
    assert "<- caller: app/src/main/java/com/example/demo/Server.java:3:1 (port 9090 from Main.main)" in res.stdout
    sarif = [r for r in json.loads(out["sarif"].read_text())["runs"][0]["results"] if r["properties"]["port"] == 9090]
    assert sorted(r["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] for r in sarif) == [3, 4]
    assert all(r["codeFlows"][0]["threadFlows"][0]["locations"][-1]["location"]["message"]["text"].startswith("api:")
               for r in sarif)
    html = out["html"].read_text()
    assert html.count('<ol class="flow">') == 2 and "port 9090 from Boot.run" in html
