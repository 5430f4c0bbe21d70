"""Console output: grouped by target and severity, evidence line, 80 columns, quiet / verbose."""

from __future__ import annotations

import re

from portaudit.formats import console

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_grouped_by_target_then_severity_with_evidence(sample):
    text = console.render(sample, width=80)
    lines = text.splitlines()
    heads = [i for i, ln in enumerate(lines) if ln and not ln.startswith(" ")]
    # one header per target in report order, then the summary
    assert [lines[i].split("  [")[0] for i in heads[:-1]] == [t.path for t in sample.targets]
    apk = lines[heads[1]:heads[2]]
    sev = [ln.strip() for ln in apk if re.fullmatch(r"  (HIGH|MEDIUM|LOW|INFO) \(\d+\)", ln)]
    assert sev == ["HIGH (2)", "MEDIUM (1)", "LOW (1)"]
    assert "      at classes2.dex!com.example.demo.HttpServer.start(int)@0x1a" in apk
    # the flow of the listener's value, one line per hop after the API call (conftest.apk_facts)
    wide = console.render(sample, width=140).splitlines()
    at = wide.index("      at classes2.dex!com.example.demo.HttpServer.start(int)@0x1a")
    assert wide[at + 1:at + 3] == [
        "      <- wrapper: classes2.dex!com.example.demo.HttpServer.start(int)@0x1a (port parameter p0)",
        "      <- caller: classes.dex!com.example.demo.MainActivity.onCreate(Bundle)@0x30 (port = 8888)"]
    assert "      > invoke-direct {v0, v1}, Ljava/net/ServerSocket;-><init>(I)V" in apk
    src = lines[heads[0]:heads[1]]
    assert '      > s.bind(new InetSocketAddress("0.0.0.0", 8080));' in src
    assert "error: truncated zip: central directory missing" in text
    summary = " ".join(ln.strip() for ln in text.split("\n\n")[-1].splitlines())
    n = {s: sum(1 for f in sample.findings if f.severity.label == s) for s in ("high", "medium", "low", "info")}
    assert summary == (f"4 target(s), {len(sample.findings)} finding(s): {n['high']} high, {n['medium']} medium, "
                       f"{n['low']} low, {n['info']} info; 1 target(s) with errors")


def test_every_line_fits_80_columns_in_all_modes(sample):
    for kw in ({}, {"verbose": True}, {"quiet": True}, {"verbose": True, "color": True}):
        text = ANSI.sub("", console.render(sample, width=80, **kw))
        assert max(len(ln) for ln in text.splitlines()) <= 80, kw
        assert not any(ln.endswith(" ") for ln in text.splitlines()), kw


def test_quiet_and_verbose(sample):
    quiet = console.render(sample, width=80, quiet=True)
    verbose = console.render(sample, width=80, verbose=True)
    assert "> " not in quiet and "fix: " not in quiet
    assert verbose.count("fix: ") == len(sample.findings)
    assert "fingerprint " + sample.findings[0].fingerprint in verbose.replace("\n        ", " ")
    assert "listener: tcp bind all-interfaces port 8080" in verbose


def test_color_output_has_styles(sample):
    text = console.render(sample, width=80, color=True)
    assert "\x1b[" in text
    assert ANSI.sub("", text).splitlines()[0] == ANSI.sub("", console.render(sample, width=80)).splitlines()[0]


def test_paths_and_locations_are_never_broken(sample):
    """Wrapping happens at spaces only: a location longer than the line overflows instead of being cut."""
    for width in (40, 60, 80):
        lines = console.render(sample, width=width, verbose=True).splitlines()
        for f in sample.findings:
            shown = console.where(f.location, f.target)
            assert any(shown in ln for ln in lines), (width, shown)
        assert any("app/src/main/java/com/example/demo/Server.java:" in ln for ln in lines)


def test_width_defaults_to_the_terminal_else_100(sample, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    text = console.render(sample, verbose=True)  # not a terminal here: 100 columns
    assert 90 < max(len(ln) for ln in text.splitlines()) <= 100
    monkeypatch.setenv("COLUMNS", "132")  # what shutil.get_terminal_size reads first
    assert 100 < max(len(ln) for ln in console.render(sample, verbose=True).splitlines()) <= 132


def test_control_characters_are_escaped(sample):
    from dataclasses import replace

    evil = "x\x1b]0;pwned\x07\x1b[2J\r\nportaudit: other.apk: forged\x9b31m\x7f"
    f = replace(sample.findings[0], message=evil, evidence=evil)
    report = type(sample)(targets=sample.targets, facts=sample.facts, findings=[f])
    text = console.render(report, width=200)
    assert not any(c in text for c in "\x1b\x07\r\x9b\x7f")
    assert "x\\x1b]0;pwned\\x07\\x1b[2J\\r\\nportaudit: other.apk: forged\\x9b31m\\x7f" in text
    assert not any(ln.startswith("portaudit:") for ln in text.splitlines())  # no forged line


def test_jvm_descriptors_are_shortened():
    assert console.short_method("<init>(Ljava/lang/String;I[B)V") == "<init>(String, int, byte[])"
    assert console.short_method("run()V") == "run()"
    assert console.short_method("plain") == "plain"
