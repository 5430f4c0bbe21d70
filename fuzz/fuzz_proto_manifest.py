"""Fuzz the aapt2 protobuf manifest of App Bundles (base/manifest/AndroidManifest.xml) and resources.pb.

First byte 0: parse_proto_manifest_info(data, None); 1: parse_proto_manifest_info(real manifest, data).
Contract: only InputError may come out.
"""

from __future__ import annotations

import sys
import zipfile
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "proto_manifest", "proto_manifest"
PATH = "base/manifest/AndroidManifest.xml"


@cache
def real_manifest() -> bytes:
    with zipfile.ZipFile(H.FIXTURES / "android" / "aab_proto" / "app.aab") as zf:
        return zf.read(PATH)


def test_one_input(data: bytes) -> None:
    from portaudit.errors import InputError
    from portaudit.inputs.android.appinfo import parse_proto_manifest_info

    if not data:
        return
    mode, body = data[0] & 1, data[1:]
    try:
        if mode == 0:
            _info, notes = parse_proto_manifest_info(body, None, PATH)
        else:
            _info, notes = parse_proto_manifest_info(real_manifest(), body, PATH)
    except InputError:
        return
    H.check_messages(notes, "parse_proto_manifest_info notes")


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.inputs.android.aapt2_proto", "portaudit.inputs.android.appinfo"])
