"""The HTML report in a real browser (Debian's chromium driven by playwright-core): it renders,
shows every finding, runs its script without console errors, fetches nothing, and looks like a
report (screenshot kept in tests/.cache/formats/ for inspection)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageChops, ImageStat

from portaudit.formats import html
from portaudit.report import Report

from .conftest import CACHE, chromium, node_tools

OUT = CACHE / "formats"
SCRIPT = Path(__file__).with_name("browser_check.cjs")


def _browse(report_path: Path, shot: Path) -> dict:
    tools = node_tools()
    env = dict(os.environ, PLAYWRIGHT_CORE=str(tools / "node_modules" / "playwright-core"),
               CHROMIUM=chromium(), PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1")
    proc = subprocess.run(["node", str(SCRIPT), str(report_path), str(shot)], capture_output=True,
                          text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _write(report: Report, name: str, **kw) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_text(html.render(report, **kw), encoding="utf-8")
    return path


def test_html_in_chromium(sample):
    suppressed = [(sample.findings[-1], "inSource", "only the test harness connects")]
    report = Report(targets=sample.targets, facts=sample.facts, findings=sample.findings[:-1])
    path = _write(report, "report.html", suppressed=suppressed)
    text = path.read_text()
    # self-contained: no external resource references at all (the SVG namespace is not a fetch)
    refs = re.findall(r"""(?:src|href|action)\s*=\s*["']?([^"'\s>]+)""", text)
    assert all(r.startswith("#") for r in refs), refs
    assert "Content-Security-Policy" in text

    shot = OUT / "report.png"
    out = _browse(path, shot)
    assert out["consoleErrors"] == [] and out["pageErrors"] == []
    assert out["blocked"] == []
    assert out["requests"] == [path.resolve().as_uri()]
    dom = out["dom"]
    assert len(dom["findings"]) == len(report.findings)
    assert [f["fingerprint"] for f in dom["findings"]] == [
        f.fingerprint for t in report.targets for f in report.findings if f.target == t.path]
    for shown, f in zip(sorted(dom["findings"], key=lambda d: d["fingerprint"]),
                        sorted(report.findings, key=lambda f: f.fingerprint), strict=True):
        assert shown["rule"] == f.rule and shown["severity"] == f.severity.label
        assert shown["visible"]
        assert shown["fix"].startswith("Fix:") and len(shown["fix"]) > 20
        assert shown["message"].strip()
    src = next(d for d in dom["findings"] if d["rule"] == "listener-all-interfaces"
               and "Server.java" not in d["evidence"] and "s.bind(" in d["evidence"])
    assert '"0.0.0.0", 8080' in src["evidence"] and "void start()" in src["evidence"]  # context lines
    dex = next(d for d in dom["findings"] if "invoke-direct" in d["evidence"])
    assert "ServerSocket" in dex["evidence"]
    assert dom["targets"] == [t.path for t in report.targets]
    assert dom["chartBars"] >= 3 and dom["chartBox"]["w"] > 200 and dom["chartBox"]["h"] > 50
    assert dom["runtimeRows"] == 2
    counts = {s: sum(1 for f in report.findings if f.severity.label == s) for s in dom["tiles"]}
    assert dom["tiles"] == counts
    assert any("truncated zip" in e for e in dom["errors"])
    assert dom["suppressedRows"] == 1
    assert "high" not in out["visibleAfterHidingHigh"] and out["visibleAfterHidingHigh"]

    # the screenshot is a real, non-blank picture of a long page
    raw = shot.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(shot)
    img.verify()
    img = Image.open(shot).convert("RGB")
    assert img.width == 1280 and img.height > 1500
    stat = ImageStat.Stat(img)
    assert min(stat.stddev) > 20, stat.stddev  # not blank
    colors = img.resize((320, img.height // 4)).getcolors(maxcolors=1 << 20)
    assert colors is not None and len(colors) > 100
    # the severity colours of the tiles / badges are on the page
    reds = sum(n for n, (r, g, b) in colors if r > 150 and g < 80 and b < 80)
    assert reds > 50


def test_hostile_text_is_escaped_and_fetches_nothing(sample):
    evil = '<img src="http://198.51.100.7/x.png"><script>console.error("xss")</script>'
    findings = [replace(sample.findings[0], message=evil + " listens", evidence=evil)] + sample.findings[1:]
    report = Report(targets=sample.targets, facts=sample.facts, findings=findings)
    path = _write(report, "hostile.html")
    out = _browse(path, OUT / "hostile.png")
    assert out["blocked"] == [] and out["consoleErrors"] == [] and out["pageErrors"] == []
    assert out["requests"] == [path.resolve().as_uri()]
    assert any(evil in f["message"] for f in out["dom"]["findings"])


def test_empty_report_renders():
    path = _write(Report(), "empty.html")
    out = _browse(path, OUT / "empty.png")
    assert out["dom"]["findings"] == [] and out["consoleErrors"] == [] and out["pageErrors"] == []
    assert "No findings" in path.read_text()


def test_real_demo_apk_report_in_chromium(tmp_path):
    import sys  # noqa: PLC0415

    demo = Path(__file__).resolve().parents[2] / "src" / "portaudit" / "samples" / "demo.apk"
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "demo.html"
    proc = subprocess.run([sys.executable, "-m", "portaudit", "scan", str(demo), "--no-config",
                           "-f", "html", "-o", str(path)], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(subprocess.run([sys.executable, "-m", "portaudit", "scan", str(demo), "--no-config",
                                      "-f", "json"], capture_output=True, text=True).stdout)
    out = _browse(path, OUT / "demo.png")
    assert out["consoleErrors"] == [] and out["pageErrors"] == [] and out["blocked"] == []
    shown = sorted((f["rule"], f["fingerprint"]) for f in out["dom"]["findings"])
    assert shown == sorted((f["rule"], f["fingerprint"]) for f in data["findings"])
    assert any("NanoHTTPD" in f["evidence"] for f in out["dom"]["findings"])


CONTROLS = Path(__file__).with_name("browser_controls.cjs")


def _drive(report_path: Path, outdir: Path, **env_extra) -> dict:
    tools = node_tools()
    outdir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PLAYWRIGHT_CORE=str(tools / "node_modules" / "playwright-core"),
               CHROMIUM=chromium(), PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD="1", **env_extra)
    proc = subprocess.run(["node", str(CONTROLS), str(report_path), str(outdir)], capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _png(path: str) -> Image.Image:
    raw = Path(path).read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(path).convert("RGB")
    assert min(ImageStat.Stat(img).stddev) > 20, path  # not blank
    return img


def test_controls_at_real_size_in_chromium(tmp_path):
    """Issue 15: 150 targets, 500 findings.  Every control is used in a real browser; what it shows is
    checked against the report's own findings (the oracle: the model objects the page was built from)."""
    from .conftest import big_report

    report = big_report(tmp_path)
    assert len(report.targets) == 150 and len(report.findings) == 500
    path = _write(report, "big.html")
    out = _drive(path, OUT / "controls")
    assert out["consoleErrors"] == [] and out["pageErrors"] == [] and out["blocked"] == []
    print(f"150 targets / 500 findings: interactive after {out['readyMs']:.0f} ms, "
          f"initial page height {out['steps']['initial']['height']} px")  # figures for docs/ci.md
    steps = out["steps"]
    by_sev = {s: sum(1 for f in report.findings if f.severity.label == s) for s in ("high", "medium", "low", "info")}
    with_findings = len({f.target for f in report.findings})

    first = steps["initial"]
    assert first["tiles"] == by_sev and first["cards"] == 500
    assert first["sections"] == with_findings  # "hide clean targets" is on by default
    assert first["openCards"] == 0 and first["height"] < 12000  # collapsed: a page, not 79,000 px
    assert steps["clean-shown"]["sections"] == 150

    # search: the port of one listener per target (oracle: the findings whose message names it)
    hits = [f for f in report.findings if "7003" in f.message]
    assert steps["search"]["cards"] == len(hits) > 0
    assert steps["search"]["tiles"] == {s: sum(1 for f in hits if f.severity.label == s) for s in by_sev}

    assert "high" not in steps["severity"]["cardSeverities"] and steps["severity"]["tiles"]["high"] == 0
    assert steps["severity"]["cards"] == 500 - by_sev["high"]
    rule = out["filtered_rule"]
    assert set(steps["rule"]["cardRules"]) == {rule}
    assert steps["rule"]["cards"] == sum(1 for f in report.findings if f.rule == rule)
    assert steps["bind"]["cards"] == sum(1 for f in report.findings if f.listener.bind.value == out["filtered_bind"])
    assert out["filtered_origin"] == "sdk:NanoHTTPD"
    assert steps["origin"]["cards"] == sum(1 for f in report.findings if f.origin.sdk == "NanoHTTPD")
    assert steps["target"]["sections"] == 1 and steps["target"]["cards"] == 5

    assert steps["expanded"]["openCards"] == 500 and steps["expanded"]["height"] > first["height"]
    assert steps["collapsed"]["openCards"] == 0
    table = steps["table"]
    assert table["tableVisible"] and table["rows"] == 500 and table["cards"] == 0
    assert steps["table-sorted"]["rowRules"] == sorted(steps["table-sorted"]["rowRules"])
    assert steps["table-sorted"]["rowRules"] != table["rowRules"]
    per_target = steps["cards-sorted"]["cardRules"][:5]
    assert per_target == sorted(per_target)

    # screenshots of each control's effect: real pictures, and different from one another
    shots = {name: _png(s["screenshot"]) for name, s in steps.items()}
    for name in ("search", "severity", "rule", "target", "clean-shown", "expanded", "table"):
        diff = ImageChops.difference(shots["initial"], shots[name]).getbbox()
        assert diff is not None, f"the {name} screenshot looks like the initial one"
