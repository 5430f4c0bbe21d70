"""Fuzz the property-list consumers: iOS Info.plist / entitlements / provisioning profiles.

* portaudit.inputs.ios.profile_entitlements(data) (documented: never raises);
* whatever plistlib makes of the input goes through the typed Info.plist reader
  (ios.plist.typed_info_plist), ios._app_info (its AppInfo must serialise to JSON),
  ios._bundle_binaries and, for a dict, ios._apply_entitlements (hostile values of any type);
* the source input's config reader (Info.plist and .entitlements in a tree) on the input.
Contract: nothing raises; plistlib's own errors on garbage are the callers' business (they
catch them and say "not a valid property list").
"""

from __future__ import annotations

import atexit
import json
import plistlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "plist", "plist"
_TMP: Path | None = None


class _Arc:
    def __init__(self, names):
        self._names = names

    def names(self):
        return self._names


def test_one_input(data: bytes) -> None:
    global _TMP
    from portaudit.inputs import ios
    from portaudit.inputs.ios.plist import typed_info_plist
    from portaudit.inputs.source import config, walk
    from portaudit.model import Facts, Target

    ios.profile_entitlements(data)
    try:
        val = plistlib.loads(data)
    except Exception:  # noqa: BLE001 - plistlib's own errors: the callers catch them
        val = None
    info = typed_info_plist(val, "Payload/A.app/Info.plist")
    json.dumps(ios._app_info(info, "Payload/A.app/Info.plist").to_dict())  # typed facts: always serialisable
    ios._bundle_binaries(_Arc(["Payload/A.app/A", "Payload/A.app/Frameworks/X.framework/X"]),
                         "Payload/A.app", info)
    if isinstance(val, dict):
        facts = Facts(target=Target(path="A.ipa", kind="ipa"))
        ios._apply_entitlements(facts, val, "entitlements", "A")
    if _TMP is None:
        _TMP = H.tmpdir()
        atexit.register(H.cleanup, _TMP)
    files = []
    for name in ("Info.plist", "App.entitlements"):
        p = _TMP / name
        p.write_bytes(data)
        files.append(walk.SrcFile(p, name, "config", "app"))
    _app, notes = config.read_configs(files, _TMP)
    H.check_messages([n for n in notes if "not parse" not in n], "read_configs")  # plistlib's own errors, named by type


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.inputs.ios", "portaudit.inputs.source.config"])
