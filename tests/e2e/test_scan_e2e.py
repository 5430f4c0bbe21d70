"""``portaudit scan`` end to end, as a user runs it: every input kind, every format, mixed and
broken inputs, exit codes, and the consistency of the JSON contract across kinds."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .conftest import DEMO_APK, IOS, NATIVE, REAL_DEX, ROOT, SOURCE_CASES, portaudit, truncated_copy

SO = NATIVE / "libserver_arm64_O0.so"
IPA = IOS / "App.ipa"
KINDS = {"apk": DEMO_APK, "elf": SO, "ipa": IPA, "source": SOURCE_CASES / "python"}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """One run over apk + so + ipa + source dir (with manifest and plists) + a broken apk + a missing path."""
    tmp = tmp_path_factory.mktemp("mixed")
    broken = truncated_copy(DEMO_APK, tmp / "broken.apk", 3000)
    paths = [DEMO_APK, SO, IPA, SOURCE_CASES / "python", SOURCE_CASES / "config", broken, tmp / "missing.apk"]
    return paths, portaudit("scan", *paths, "-f", "json")


def test_mixed_inputs_one_stderr_line_per_bad_input_and_the_rest_scanned(mixed):
    paths, run = mixed
    assert run.code == 2, run.stderr  # README "Exit codes": a target that could not be analysed
    lines = run.stderr_lines()
    assert len(lines) == 2, run.stderr
    assert any("broken.apk: " in ln for ln in lines) and any("missing.apk: no such file" in ln for ln in lines)
    data = run.json()
    by_path = {t["path"]: t for t in data["targets"]}
    assert {t["kind"] for t in data["targets"]} >= {"apk", "elf", "ipa", "source"}
    for t in data["targets"]:
        bad = t["path"].endswith(("broken.apk", "missing.apk"))
        assert bool(t["errors"]) == bad, t
    scanned = {f["target"] for f in data["findings"]}
    # paths are relative to the project root (the git root of the first path, here this checkout)
    assert {p.relative_to(ROOT).as_posix() for p in paths[:5]} <= scanned, by_path.keys()


LOCATION_FIELDS = {
    # which location fields each kind fills (README "JSON output")
    "bytecode": {"file", "class", "method", "offset"},
    "source": {"file", "line", "column"},
    "native": {"file", "function", "offset"},
}


def _shape(f, kind):
    loc = f["location"]
    if kind == "apk" and loc["class"]:
        return "bytecode"
    if kind == "source":
        return "source"
    if kind in ("elf", "ipa", "macho") and loc["function"]:
        return "native"
    return None


def test_json_contract_keys_are_consistent_across_kinds(mixed):
    _, run = mixed
    data = run.json()
    assert set(data) >= {"tool", "targets", "findings", "apps"}
    kinds = {t["path"]: t["kind"] for t in data["targets"]}
    for t in data["targets"]:
        assert set(t) >= {"path", "kind", "sha256", "errors", "notes", "seconds"}
    seen_shapes = set()
    for f in data["findings"]:
        assert set(f) >= {"rule", "severity", "confidence", "message", "target", "location", "origin", "ids",
                          "fix", "evidence", "fingerprint"}, f
        assert set(f["location"]) >= {"file", "line", "column", "class", "method", "offset", "function",
                                      "snippet"}
        assert set(f["origin"]) >= {"kind", "sdk"} and set(f["ids"]) >= {"maswe_beta", "maswe", "cwe", "masvs"}
        assert f["fix"] and f["evidence"] and f["fingerprint"], f
        about_listener = f["rule"].startswith(("listener-", "local-socket"))
        assert ("listener" in f) == about_listener, f["rule"]
        if about_listener:
            assert set(f["listener"]) >= {"api", "transport", "bind", "address", "port", "reason",
                                          "alternatives", "guards", "via"}
        shape = _shape(f, kinds[f["target"]])
        if shape:
            seen_shapes.add(shape)
            missing = {k for k in LOCATION_FIELDS[shape] if f["location"][k] in (None, "")}
            assert not missing, (f["rule"], f["target"], missing)
    assert seen_shapes == set(LOCATION_FIELDS)


def test_source_config_findings_point_at_their_line():
    """Manifest and plist findings in a source tree carry the line and column of the key, like
    every other source finding (they had only the file, so code scanning could not annotate them)."""
    cfg = SOURCE_CASES / "config"
    data = portaudit("scan", cfg, "-f", "json").json()
    rules = {("debuggable-build", "AndroidManifest.xml"): "android:debuggable",
             ("debuggable-build", "App.entitlements"): "get-task-allow",
             ("ios-ats-local-networking", "Info.plist"): "NSAllowsLocalNetworking",
             ("ios-local-network", "Info.plist"): "NSLocalNetworkUsageDescription"}
    found = {(f["rule"], os.path.basename(f["location"]["file"])): f for f in data["findings"]}
    assert set(found) == set(rules)
    for rule, key in rules.items():
        loc = found[rule]["location"]
        assert loc["line"] and loc["column"], (rule, loc)
        assert loc["file"] == (cfg / rule[1]).relative_to(ROOT).as_posix()  # relative to the project root
        text = (ROOT / loc["file"]).read_text().splitlines()[loc["line"] - 1]
        assert text[loc["column"] - 1:].startswith(key), (rule, text)


def test_findings_are_ordered_by_line_number_not_as_text():
    data = portaudit("scan", SOURCE_CASES / "python", "-f", "json").json()
    by_rule: dict[tuple, list[int]] = {}
    for f in data["findings"]:
        by_rule.setdefault((f["severity"], f["rule"], f["location"]["file"]), []).append(f["location"]["line"])
    assert any(max(v) >= 100 and min(v) < 100 for v in by_rule.values())  # the case that sorted wrongly
    for key, lines in by_rule.items():
        assert lines == sorted(lines), key


def test_ipv6_wildcard_is_bracketed_in_messages():
    run = portaudit("scan", SO, SOURCE_CASES / "python", "-f", "json")
    msgs = [f["message"] for f in run.json()["findings"] if (f.get("listener") or {}).get("address") == "::"]
    assert msgs, "fixtures hold IPv6 wildcard listeners"
    for m in msgs:
        assert "[::]:" in m and ":::" not in m, m


def test_native_evidence_names_the_call_on_its_first_line():
    """The console shows the first evidence line: it must be the call, never a prologue instruction."""
    data = portaudit("scan", SO, IPA, "-f", "json").json()
    checked = 0
    for f in data["findings"]:
        if not f["location"]["function"] or f["location"]["offset"] is None:
            continue
        first = f["evidence"].splitlines()[0]
        assert not first.startswith("0x"), (f["rule"], first)
        assert f"{f['location']['offset']:#x}" in first and f["location"]["function"] in first, first
        checked += 1
    assert checked >= 10


def test_native_location_shows_the_address_with_at_not_plus(tmp_path):
    """``fn+0x16fc`` reads as 16fc bytes into fn; the number is the call's address in the image."""
    run = portaudit("scan", SO)
    at_lines = [ln.strip() for ln in run.stdout.splitlines() if ln.strip().startswith("at ")]
    native = [ln for ln in at_lines if "libserver_arm64_O0.so!" in ln]
    assert native and all("@0x" in ln and "+0x" not in ln for ln in native), native
    sarif = tmp_path / "r.sarif"
    portaudit("scan", SO, "-f", "sarif", "-o", sarif)
    names = [ll["fullyQualifiedName"] for r in json.loads(sarif.read_text())["runs"][0]["results"]
             for loc in r["locations"] for ll in loc.get("logicalLocations", [])]
    assert names and all("+0x" not in n for n in names), names


def test_bare_dex_error_names_the_file_once(tmp_path):
    bad = truncated_copy(REAL_DEX, tmp_path / "cut.dex", 50)
    run = portaudit("scan", bad, DEMO_APK)
    assert run.code == 2
    (line,) = run.stderr_lines()
    assert line.count("cut.dex") == 1 and "bad DEX header" in line, line


def test_exit_codes_fail_on_min_severity_and_quiet(tmp_path):
    clean = NATIVE / "libclient_x86.so"
    assert portaudit("scan", clean).code == 0
    assert portaudit("scan", DEMO_APK).code == 1
    assert portaudit("scan", clean, "--fail-on", "info").code == 0
    assert portaudit("scan", SOURCE_CASES / "config", "--fail-on", "high").code == 1  # debuggable
    assert portaudit("scan", SOURCE_CASES / "config", "--min-severity", "high", "--fail-on", "info",
                     "-f", "json").json()["findings"][0]["severity"] == "high"
    only_info = portaudit("scan", SOURCE_CASES / "config", "--min-severity", "info", "--fail-on", "high",
                          "--config", ROOT / "tests" / "e2e" / "no-debuggable.toml")
    assert only_info.code == 0, only_info.stdout + only_info.stderr
    broken = truncated_copy(DEMO_APK, tmp_path / "b.apk", 2000)
    assert portaudit("scan", broken).code == 2
    assert portaudit("scan", DEMO_APK, "--fail-on", "nope").code == 2
    quiet = portaudit("scan", DEMO_APK, clean, "-q")
    assert "> " not in quiet.stdout and "libclient_x86" not in quiet.stdout and quiet.stderr == ""
    verbose = portaudit("scan", DEMO_APK, "-v")
    assert "fix: " in verbose.stdout and "fingerprint " in verbose.stdout


def test_console_fits_80_columns_for_every_kind():
    run = portaudit("scan", *KINDS.values(), SOURCE_CASES / "config", NATIVE / "libfrida-gadget.so")
    long = [ln for ln in run.stdout.splitlines() if len(ln) > 80]
    assert not long, long


def test_jobs_and_isolation_give_the_same_findings():
    paths = [DEMO_APK, NATIVE, IPA, SOURCE_CASES / "java"]

    def key(run):
        return sorted((f["fingerprint"], f["message"], json.dumps(f["location"])) for f in run.json()["findings"])

    runs = [portaudit("scan", *paths, "-f", "json", *opts) for opts in
            ([], ["--jobs", "2"], ["--no-isolate"], ["--no-isolate", "--jobs", "2"])]
    assert all(r.code == 1 for r in runs)
    assert key(runs[0]) and all(key(r) == key(runs[0]) for r in runs[1:])


def test_limit_applies_and_unknown_limit_is_a_usage_error():
    run = portaudit("scan", DEMO_APK, SO, "--limit", f"max_file_bytes={os.path.getsize(SO) + 1}", "-f", "json")
    assert run.code == 2  # a target that could not be analysed ...
    assert any(f["target"].endswith(SO.name) for f in run.json()["findings"])  # ... and the .so still scanned
    (line,) = run.stderr_lines()
    assert "demo.apk" in line and "over the limit" in line
    bad = portaudit("scan", DEMO_APK, "--limit", "nope=1")
    assert bad.code == 2 and "unknown limit 'nope'" in bad.stderr


# -- directories ----------------------------------------------------------------------

def test_directory_with_apps_sources_and_symlink_loops(tmp_path):
    (tmp_path / "app" / "src").mkdir(parents=True)
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "up").symlink_to("..")
    (tmp_path / "loop" / "self").symlink_to(".")
    (tmp_path / "demo.apk").write_bytes(DEMO_APK.read_bytes())
    (tmp_path / "app" / "src" / "servers.py").write_bytes((SOURCE_CASES / "python" / "servers.py").read_bytes())
    run = portaudit("scan", tmp_path, "-f", "json", timeout=120)
    assert run.code == 1 and run.stderr == ""
    kinds = sorted(t["kind"] for t in run.json()["targets"])
    assert kinds == ["apk", "source"]


def test_empty_directory_is_said_on_stderr(tmp_path):
    run = portaudit("scan", tmp_path)
    assert run.code == 2  # a wrong folder must not pass a CI job
    (line,) = run.stderr_lines()
    assert str(tmp_path) in line and "no app, binary or source file" in line


def test_unreadable_files_and_folders_each_get_a_line(tmp_path):
    tree = tmp_path / "tree"
    (tree / "src").mkdir(parents=True)
    (tree / "secret").mkdir()
    (tree / "demo.apk").write_bytes(DEMO_APK.read_bytes())
    (tree / "locked.apk").write_bytes(DEMO_APK.read_bytes())
    (tree / "secret" / "lib.so").write_bytes(SO.read_bytes())
    (tree / "src" / "servers.py").write_bytes((SOURCE_CASES / "python" / "servers.py").read_bytes())
    (tree / "src" / "locked.py").write_bytes((SOURCE_CASES / "python" / "servers.py").read_bytes())
    for p in (tree / "locked.apk", tree / "src" / "locked.py", tree / "secret"):
        p.chmod(0)
    try:
        run = portaudit("scan", tree, "-f", "json", drop_read_override=True)
        assert run.code == 2, run.stderr
        lines = run.stderr_lines()
        for name, problem in (("locked.apk", "cannot read"), ("locked.py", "cannot read"),
                              ("secret", "cannot list")):
            hits = [ln for ln in lines if f"{name}: {problem}" in ln]
            assert len(hits) == 1, (name, lines)
        data = run.json()
        errors = {os.path.basename(t["path"]): t["errors"] for t in data["targets"] if t["errors"]}
        assert set(errors) == {"locked.apk", "secret"}, errors
        assert any(f["target"].endswith("demo.apk") for f in data["findings"])
        # a named unreadable file is a per-target error, not a usage error that stops the run
        named = portaudit("scan", tree / "locked.apk", DEMO_APK, drop_read_override=True)
        assert named.code == 2 and "demo.apk" in named.stdout
        assert named.stderr_lines() == [f"portaudit: {tree / 'locked.apk'}: cannot read: Permission denied"]
    finally:
        for p in (tree / "locked.apk", tree / "src" / "locked.py", tree / "secret"):
            p.chmod(0o755)


def test_target_notes_are_visible_in_the_console(tmp_path):
    tree = tmp_path / "t"
    tree.mkdir()
    (tree / "servers.py").write_bytes((SOURCE_CASES / "python" / "servers.py").read_bytes())
    (tree / "blob.py").write_bytes(b"import socket\n\0" + SO.read_bytes()[:256])  # binary with a .py name
    plain = portaudit("scan", tree)
    assert "1 note(s)" in plain.stdout
    verbose = portaudit("scan", tree, "-v")
    assert "note: blob.py: skipped: binary content" in verbose.stdout


# -- host ----------------------------------------------------------------------------

@pytest.fixture()
def wildcard6_listener():
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.bind(("::", 0))
    s.listen()
    yield s.getsockname()[1]
    s.close()


def test_host_wording_matches_static_and_inventory_fits_80_columns(wildcard6_listener):
    port = wildcard6_listener
    run = portaudit("host", "-f", "json", "--no-firewall")
    mine = [f for f in run.json()["findings"] if (f.get("listener") or {}).get("port") == port]
    assert mine and mine[0]["message"].startswith(f"listens on all interfaces: tcp [::]:{port}")
    assert {"process", "origin", "ids", "fix", "fingerprint", "evidence"} <= set(mine[0])
    console = portaudit("host", "--no-firewall")
    assert f"[::]:{port}" in console.stdout
    long = [ln for ln in console.stdout.splitlines() if len(ln) > 80]
    assert not long, long


def test_host_inventory_shortens_a_long_unix_path_to_80_columns():
    # a path far wider than the terminal, within the 107 bytes of sun_path (unix(7))
    short = Path(tempfile.mkdtemp(prefix="pa-"))
    path = short / ("s" * (100 - len(str(short)) - 1 - 5) + ".sock")
    assert len(str(path)) == 100
    with contextlib.ExitStack() as cleanup, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        cleanup.callback(shutil.rmtree, short)
        s.bind(str(path))
        s.listen()
        console = portaudit("host", "--no-firewall")
        as_json = portaudit("host", "--no-firewall", "-f", "json")
    assert not [ln for ln in console.stdout.splitlines() if len(ln) > 80]
    assert any("…" in ln and ln.split()[1].endswith("s.sock") for ln in console.stdout.splitlines()
               if ln.startswith("  unix"))
    assert str(path) in as_json.stdout  # the machine output keeps the whole path


def test_host_unwritable_output_is_one_line_and_exit_2(tmp_path):
    run = portaudit("host", "--no-firewall", "-o", tmp_path / "no" / "such" / "dir.txt")
    assert run.code == 2
    target = tmp_path / "no" / "such" / "dir.txt"
    assert run.stderr_lines() == [f"portaudit: error: {target}: cannot write: No such file or directory"]


# -- rules / explain / help -------------------------------------------------------------

def test_rules_columns_are_aligned():
    lines = portaudit("rules").stdout.splitlines()
    cols = {ln.index(ln.split()[1], len(ln.split()[0])) for ln in lines}
    assert len(cols) == 1, lines


def test_explain_header_fits_80_columns_and_format_is_documented():
    out = portaudit("explain", "listener-all-interfaces").stdout
    head = out.split("## What")[0].splitlines()
    assert all(len(ln) <= 80 for ln in head), head
    assert "MASVS-PLATFORM-1" in out
    help_text = portaudit("explain", "--help").stdout
    assert "json:" in help_text


@pytest.mark.parametrize("cmd", [[], ["scan"], ["rules"], ["explain"], ["host"], ["device"], ["corpus"],
                                 ["corpus", "scan"], ["corpus", "stats"], ["corpus", "export"]])
def test_every_command_has_help_with_every_option_documented(cmd):
    run = portaudit(*cmd, "--help")
    assert run.code == 0 and run.stdout.startswith("Usage: portaudit")
    opts = run.stdout.split("Options:", 1)[1].split("Commands:")[0]
    entries = re.split(r"\n(?=  -)", opts.strip("\n"))
    assert entries
    for entry in entries:  # "  -x, --name TYPE   help..." with the help on the line or wrapped below
        lines = entry.splitlines()
        assert re.search(r"\S {2,}\S", lines[0].strip()) or len(lines) > 1, entry


def test_version():
    run = portaudit("--version")
    from portaudit import __version__
    assert run.code == 0 and run.stdout.strip() == f"portaudit, version {__version__}"


def test_sarif_of_every_kind_validates(tmp_path):
    """One SARIF log holding bytecode, native, iOS, source (with config files) and broken inputs."""
    from tests.formats.conftest import multitool, node_tools

    sarif = tmp_path / "all.sarif"
    broken = truncated_copy(DEMO_APK, tmp_path / "broken.apk", 3000)
    run = portaudit("scan", DEMO_APK, SO, IPA, SOURCE_CASES / "config", SOURCE_CASES / "python", broken,
                    "-f", "sarif", "-o", sarif, cwd=tmp_path)
    assert run.code == 2  # the broken APK
    out = tmp_path / "check.sarif"
    proc = subprocess.run([multitool(), "validate", "--rule-kind", "Sarif;Gh", str(sarif), "-o", str(out),
                           "--log", "ForceOverwrite"],
                          check=False, capture_output=True, text=True, timeout=300, cwd=node_tools())
    results = json.loads(out.read_text())["runs"][0].get("results", [])
    assert not [r for r in results if r.get("level", "warning") == "error"], proc.stdout
    assert {r["ruleId"] for r in results} <= {"SARIF2005", "SARIF2017"}, proc.stdout
    log = json.loads(sarif.read_text())["runs"][0]
    regions = [r["locations"][0]["physicalLocation"].get("region") for r in log["results"]
               if r["ruleId"] in ("debuggable-build", "ios-ats-local-networking")
               and r["properties"]["target"].endswith("config")]
    assert regions and all(reg and reg.get("startLine") for reg in regions), regions
    assert len(log["invocations"][0]["toolExecutionNotifications"]) == 1


def test_ios_debuggable_entitlements_beside_an_android_manifest_are_reported(tmp_path):
    """A tree with both apps: the iOS get-task-allow must not vanish behind a release Android manifest."""
    tree = tmp_path / "cfg"
    tree.mkdir()
    for f in (SOURCE_CASES / "config").iterdir():
        (tree / f.name).write_bytes(f.read_bytes())
    manifest = tree / "AndroidManifest.xml"
    manifest.write_text(manifest.read_text().replace('android:debuggable="true"', 'android:debuggable="false"'))
    data = portaudit("scan", tree, "-f", "json", "--root", tree).json()
    (dbg,) = [f for f in data["findings"] if f["rule"] == "debuggable-build"]
    assert dbg["location"]["file"] == "App.entitlements" and dbg["location"]["line"] == 5
    assert "get-task-allow" in dbg["message"] and "entitlements" in dbg["message"]


def test_sdk_findings_name_their_evidence():
    dex = ROOT / "tests" / "fixtures" / "android" / "sdk_facebook" / "classes.dex"
    data = portaudit("scan", dex, "-f", "json").json()
    (sdk,) = [f for f in data["findings"] if f["rule"] == "sdk-opens-port"]
    assert sdk["evidence"] and "ServerSocket" in sdk["evidence"], sdk


def test_scan_device_failure_is_said_on_stderr():
    """`scan app.apk --device` with no device attached: the device error gets its stderr line
    (it was only in the report), and the static findings are still reported."""
    from tests.runtime.adb_double import AdbDouble

    double = AdbDouble(serial="", outputs={})  # an adb server that lists no device
    try:
        env_run = subprocess.run(
            [sys.executable, "-m", "portaudit", "scan", str(DEMO_APK), "--device", "-q"],
            check=False, capture_output=True, text=True, timeout=120, cwd=ROOT,
            env=dict(os.environ, ADB_SERVER_SOCKET=f"tcp:127.0.0.1:{double.port}", PYTHONPATH=str(ROOT / "src")))
    finally:
        double.close()
    assert env_run.returncode == 2  # the device target could not be read
    lines = [ln for ln in env_run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "device:" in lines[0] and "no device" in lines[0], env_run.stderr
    assert "listener-all-interfaces" in env_run.stdout


def test_objc_integer_bool_literal_turns_webview_inspection_on():
    """`[view setInspectable:1]` (the iOS fixture's source) is YES: the source scan must agree with
    the binary scan of the same code, which reports it as switched on."""
    src = ROOT / "tests" / "fixtures" / "ios" / "src"
    data = portaudit("scan", src, IPA, "-f", "json").json()
    hits = [f for f in data["findings"] if f["rule"] == "webview-debugging"]
    from_source = [f for f in hits if f["location"]["file"] == (src / "server.m").relative_to(ROOT).as_posix()]
    from_binary = [f for f in hits if f["target"] == IPA.relative_to(ROOT).as_posix()]
    assert from_source and from_binary
    assert {f["message"] for f in from_source} == {f["message"] for f in from_binary}
    assert all("unconditionally" in f["message"] for f in from_source)


def test_fifos_in_a_directory_do_not_hang_the_scan(tmp_path):
    """A named pipe called pipe.apk (or x.py) used to block discovery in open() for ever."""
    (tmp_path / "demo.apk").write_bytes(DEMO_APK.read_bytes())
    os.mkfifo(tmp_path / "pipe.apk")
    os.mkfifo(tmp_path / "fifo.py")
    run = portaudit("scan", tmp_path, tmp_path / "pipe.apk", "-f", "json", timeout=120)
    assert run.code == 2
    (line,) = run.stderr_lines()
    assert "pipe.apk: not a regular file" in line
    data = run.json()
    assert any(f["target"].endswith("demo.apk") for f in data["findings"])
    (src,) = [t for t in data["targets"] if t["kind"] == "source"]
    assert any("fifo.py: skipped: not a regular file" in n for n in src["notes"])
