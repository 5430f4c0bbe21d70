"""`pip install portaudit` from a wheel built from this checkout (not an editable install) works:
a fresh virtual environment, the wheel and its declared runtime dependencies only (pinned by
scripts/constraints.txt), then `portaudit scan` on the demo APK the package ships.  Without the
corpus extra, corpus mode says which package is missing in one line."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)],
                   check=True, capture_output=True, timeout=600)
    (wheel,) = dist.glob("portaudit-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                    "-c", str(ROOT / "scripts" / "constraints.txt"), str(wheel)],
                   check=True, capture_output=True, timeout=900)
    return wheel, venv


def test_wheel_declares_only_runtime_imports(installed):
    wheel, _ = installed
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        msg = Parser().parsestr(zf.read(meta).decode())
        names = zf.namelist()
    requires = msg.get_all("Requires-Dist") or []
    runtime = {r.split(";")[0].split("[")[0].split(">")[0].split("=")[0].strip().lower() for r in requires
               if "extra ==" not in r}
    # never imported by the package (grep of src/portaudit): not runtime dependencies
    assert not runtime & {"lief", "apkinspector", "dask", "matplotlib", "pyarrow"}, runtime
    corpus = {r.split(";")[0].split("[")[0].split(">")[0].strip().lower()
              for r in requires if "extra == \"corpus\"" in r}
    assert corpus == {"dask", "matplotlib", "pyarrow"}
    # the package data the scan needs travels in the wheel
    for data in ("portaudit/samples/demo.apk", "portaudit/catalog/android_apis.toml",
                 "portaudit/formats/templates/report.html.j2", "portaudit/formats/templates/style.css",
                 "portaudit/formats/templates/report.js"):
        assert data in names, data


def test_installed_wheel_scans_the_demo_apk(installed, tmp_path):
    _, venv = installed
    exe = venv / "bin" / "portaudit"
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import portaudit, os; print(os.path.dirname(portaudit.__file__))"],
                           capture_output=True, text=True, check=True, cwd=tmp_path).stdout.strip()
    assert where.startswith(str(venv))  # the installed copy, not this checkout
    apk = Path(where) / "samples" / "demo.apk"
    proc = subprocess.run([str(exe), "scan", str(apk), "-f", "json", "--no-config"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stderr  # the demo app's findings (src/portaudit/samples/demo-app/expected.json)
    rules = {f["rule"] for f in json.loads(proc.stdout)["findings"]}
    assert {"listener-all-interfaces", "listener-loopback-unchecked", "debuggable-build"} <= rules
    html = tmp_path / "r.html"
    proc = subprocess.run([str(exe), "scan", str(apk), "-o", f"html:{html}", "-o", f"sarif:{tmp_path / 'r.sarif'}"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 1 and "ShareServer" in html.read_text()


def test_corpus_mode_without_the_extra_is_one_clear_line(installed, tmp_path):
    _, venv = installed
    proc = subprocess.run([str(venv / "bin" / "portaudit"), "corpus", "scan",
                           str(ROOT / "src" / "portaudit" / "samples"), "--db", str(tmp_path / "c.sqlite"),
                           "--dask-local", "1"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["portaudit: Dask execution needs the Python package distributed, which is "
                                        "not installed: pip install 'portaudit[corpus]'"]
