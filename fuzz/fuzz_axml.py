"""Fuzz the binary AndroidManifest.xml (AXML) decoder and the resources.arsc table.

First byte 0: the input is a manifest -> portaudit.inputs.android.appinfo.parse_manifest(data).
First byte 1: the input is a resources.arsc -> parse_manifest(real manifest that refers to a
resource, data), which builds the ResourceTable and resolves references through it.
Contract: only InputError may come out, and no note reports a contained exception.
"""

from __future__ import annotations

import sys
import zipfile
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "axml", "axml"


@cache
def resource_manifest() -> bytes:
    """A real manifest whose android:debuggable is a resource reference (@bool/...)."""
    apk = H.FIXTURES / "android" / "apk_debuggable_resource" / "app.apk"
    with zipfile.ZipFile(apk) as zf:
        return zf.read("AndroidManifest.xml")


def test_one_input(data: bytes) -> None:
    from portaudit.errors import InputError
    from portaudit.inputs.android.appinfo import parse_manifest

    if not data:
        return
    mode, body = data[0] & 1, data[1:]
    try:
        if mode == 0:
            _info, notes = parse_manifest(body)
        else:
            _info, notes = parse_manifest(resource_manifest(), body)
    except InputError:
        return
    H.check_messages(notes, "parse_manifest notes")


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.inputs.android.axml", "portaudit.inputs.android.arsc",
                                        "portaudit.inputs.android.appinfo"])
