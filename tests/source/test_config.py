"""AndroidManifest.xml / Info.plist / .entitlements in a source tree, and the rules they feed."""

from __future__ import annotations

import shutil
from pathlib import Path

from portaudit import rules
from portaudit.model import Target

from .helpers import scan

CONFIG = Path(__file__).parent / "cases" / "config"


def _tree(tmp_path: Path, *names: str) -> Path:
    root = tmp_path / "app"
    root.mkdir()
    for n in names:
        shutil.copy(CONFIG / n, root / n)
    return root


def test_android_manifest_facts(tmp_path):
    facts = scan(_tree(tmp_path, "AndroidManifest.xml"))
    app = facts.app
    assert app.platform == "android" and app.package == "com.example.app"
    assert app.debuggable is True and app.debuggable_source == "literal"
    assert app.cleartext is True and app.uses_internet is True
    assert app.exported == [".Main"]
    found = {f.rule for f in rules.evaluate(facts)}
    assert "debuggable-build" in found


def test_info_plist_and_entitlements(tmp_path):
    facts = scan(_tree(tmp_path, "Info.plist", "App.entitlements"))
    app = facts.app
    assert app.platform == "ios" and app.package == "com.example.app"
    assert app.extra["NSLocalNetworkUsageDescription"] == "Find the printer on your Wi-Fi"
    assert app.extra["NSBonjourServices"] == ["_http._tcp"]
    assert app.extra["NSAllowsLocalNetworking"] is True
    assert app.debuggable is True and app.debuggable_source == "entitlements"
    found = {f.rule: f for f in rules.evaluate(facts)}
    assert {"ios-local-network", "ios-ats-local-networking", "debuggable-build"} <= set(found)
    assert found["ios-local-network"].severity.label == "info"
    assert "_http._tcp" in found["ios-local-network"].message


def test_main_manifest_is_the_launcher_module(tmp_path):
    root = tmp_path / "proj"
    lib = root / "library" / "src" / "main"
    app = root / "app" / "src" / "main"
    debug = root / "app" / "src" / "debug"
    for d in (lib, app, debug):
        d.mkdir(parents=True)
    (lib / "AndroidManifest.xml").write_text(
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.lib">'
        '<application/></manifest>')
    shutil.copy(CONFIG / "AndroidManifest.xml", app / "AndroidManifest.xml")
    (debug / "AndroidManifest.xml").write_text(
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android">'
        '<application android:debuggable="false"/></manifest>')
    facts = scan(root)
    assert facts.app.package == "com.example.app"
    assert facts.app.extra["manifest_path"] == "app/src/main/AndroidManifest.xml"
    assert any("also present" in n and "library/src/main/AndroidManifest.xml" in n for n in facts.target.notes)


def test_broken_config_is_a_note(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    (root / "AndroidManifest.xml").write_text("<manifest><application")
    (root / "Info.plist").write_bytes(b"\x00\x01 not a plist")
    facts = scan(root)
    assert facts.app is None
    assert any("AndroidManifest.xml" in n and "parse" in n for n in facts.target.notes)
    assert any("Info.plist" in n for n in facts.target.notes)
    assert facts.target.errors == []


def test_both_platforms_keep_ios_under_extra(tmp_path):
    facts = scan(_tree(tmp_path, "AndroidManifest.xml", "Info.plist"))
    assert facts.app.platform == "android"
    assert facts.app.extra["ios"]["extra"]["NSBonjourServices"] == ["_http._tcp"]
    assert "ios-local-network" in {f.rule for f in rules.evaluate(facts)}
    assert isinstance(facts.target, Target)
