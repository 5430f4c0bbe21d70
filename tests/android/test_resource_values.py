"""Ports and addresses read from resources: the DEX engine gets the app's resources.arsc.

Fixture: tests/fixtures/android/res_port (javac + dx + aapt2, scripts/build-fixtures).  Server.java
binds ``getResources().getInteger(R.integer.server_port)`` on
``InetAddress.getByName(ctx.getString(R.string.server_host))``; res/values/values.xml gives 8089 and
"0.0.0.0".  The resource ids in R.java are checked against aapt2's own dump of the APK."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.e2e.conftest import portaudit

CASE = Path(__file__).resolve().parents[1] / "fixtures" / "android" / "res_port"
APK = CASE / "app.apk"


def _listener(path: Path) -> dict:
    run = portaudit("scan", path, "-f", "json")
    assert "Traceback" not in run.stderr
    (finding,) = [f for f in run.json()["findings"] if f.get("listener")]
    return finding


def test_r_java_ids_are_the_ids_aapt2_assigned():
    if not shutil.which("aapt2"):
        pytest.fail("aapt2 is needed (scripts/apt-packages.txt)")
    dump = subprocess.run(["aapt2", "dump", "resources", str(APK)], capture_output=True, text=True,
                          check=True).stdout
    assigned = {name: int(rid, 16) for rid, name in re.findall(r"resource (0x[0-9a-f]{8}) (\S+)", dump)}
    r_java = (CASE / "src" / "fx" / "res_port" / "R.java").read_text()
    declared = {f"{kind}/{name}": int(value, 16) for kind, name, value in
                re.findall(r"class (\w+) \{\s*public static final int (\w+) = (0x[0-9a-f]+);", r_java)}
    assert declared and declared == assigned


@pytest.mark.parametrize("app", ["app.apk", "app.aab"])  # resources.arsc, and base/resources.pb
def test_port_and_address_come_from_the_resource_table(app):
    finding = _listener(CASE / app)
    lst = finding["listener"]
    assert (finding["rule"], lst["bind"], lst["address"], lst["port"]) == \
        ("listener-all-interfaces", "all-interfaces", "0.0.0.0", 8089)
    assert "R.integer 'server_port'" in lst["configurable"]
    assert "R.string('server_host', default 0.0.0.0)" in lst["flow"][0]["note"]


def test_the_dex_alone_cannot_know_them(tmp_path):
    dex = tmp_path / "classes.dex"
    with zipfile.ZipFile(APK) as z:
        dex.write_bytes(z.read("classes.dex"))
    lst = _listener(dex)["listener"]
    assert (lst["bind"], lst["address"], lst["port"]) == ("unknown", None, None)


@pytest.mark.parametrize("keep", [0, 12, 200, 400])
def test_a_damaged_table_gives_unknown_never_a_guess(tmp_path, keep):
    # derived from the real APK: resources.arsc cut after `keep` bytes
    bad = tmp_path / "cut.apk"
    with zipfile.ZipFile(APK) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, data[:keep] if info.filename == "resources.arsc" else data)
    lst = _listener(bad)["listener"]
    assert lst["port"] in (None, 8089) and lst["address"] in (None, "0.0.0.0")
    if lst["port"] is None:
        assert lst["bind"] in ("unknown", "all-interfaces")
