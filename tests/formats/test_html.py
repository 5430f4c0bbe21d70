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

from PIL import Image, ImageStat

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
                        sorted(report.findings, key=lambda f: f.fingerprint)):
        assert shown["rule"] == f.rule and shown["severity"] == f.severity.label
        assert shown["visible"]
        assert shown["fix"].startswith("Fix:") and len(shown["fix"]) > 20
        assert shown["message"].strip()
    src = next(d for d in dom["findings"] if d["rule"] == "listener-all-interfaces" and "Server.java" not in d["evidence"]
               and "s.bind(" in d["evidence"])
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
