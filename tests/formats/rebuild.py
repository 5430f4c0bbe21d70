"""Rebuild the demo app with the project's real toolchain (scripts/build-fixtures' functions:
javac -> dx -> aapt2 -> zipalign -> apksigner), optionally with edited sources, to test that
fingerprints survive a rebuild and unrelated code changes."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "portaudit" / "samples" / "demo-app"
WORK = ROOT / "tests" / ".cache" / "formats-rebuild"  # under ROOT: the build script wants relative paths


def _build_fixtures():
    loader = importlib.machinery.SourceFileLoader("portaudit_build_fixtures", str(ROOT / "scripts" / "build-fixtures"))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = sys.modules.get(loader.name)
    if mod is None:
        mod = importlib.util.module_from_spec(spec)
        sys.modules[loader.name] = mod
        loader.exec_module(mod)
    return mod


def rebuild_demo(name: str, edit: Callable[[Path], None] | None = None) -> Path:
    """Copy the demo app's sources to a scratch case, apply ``edit(src_root)``, build, return the APK."""
    bf = _build_fixtures()
    bf.check_tools()
    dx = bf.ensure_dx()
    case_dir = WORK / name
    if case_dir.exists():
        shutil.rmtree(case_dir)
    shutil.copytree(DEMO, case_dir, ignore=shutil.ignore_patterns("*.dex", "*.apk"))
    if edit:
        edit(case_dir / "src" / "org" / "portaudit" / "demo")
    cfg = bf.tomllib.loads((case_dir / "build.toml").read_text())
    for spec in cfg.get("apk", []):
        spec["dest"] = spec["name"]  # keep the output inside the scratch case
    case = bf.Case(name, case_dir, cfg, cfg.get("dex") or [{"name": "classes.dex", "java": "src"}])
    out = WORK / (name + "-out")
    shutil.rmtree(out, ignore_errors=True)
    with tempfile.TemporaryDirectory(dir=WORK) as work:
        work = Path(work)
        bf.build_dex([case], work, out, dx)
        ks = bf.make_keystore(work)
        bf.build_apks(case, work, out, ks)
    apk = out / case.rel / "demo.apk"
    assert apk.is_file(), apk
    return apk
