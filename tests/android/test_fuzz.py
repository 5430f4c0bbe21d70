"""Property-based robustness (hypothesis): mutations of real inputs only ever raise InputError.

Bounded for CI; run longer with e.g.
``HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/android/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import os
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portaudit.errors import InputError
from portaudit.inputs.android.container import Contents, collect
from portaudit.inputs.archive import Archive
from portaudit.inputs.android.appinfo import parse_manifest, parse_proto_manifest_info
from portaudit.options import Limits

from .conftest import FIXTURES

settings.register_profile("ci", max_examples=150, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

APK = (FIXTURES / "resdebug.apk").read_bytes()
with zipfile.ZipFile(FIXTURES / "resdebug.apk") as _zf:
    MANIFEST = _zf.read("AndroidManifest.xml")
    ARSC = _zf.read("resources.arsc")
with zipfile.ZipFile(FIXTURES / "resdebug.aab") as _zf:
    PROTO = _zf.read("base/manifest/AndroidManifest.xml")
    RES_PB = _zf.read("base/resources.pb")


def mutations(base: bytes):
    """Edits of a real file: byte overwrites, truncation, and inserted runs of its own bytes."""
    n = len(base)
    edit = st.tuples(st.integers(0, n - 1), st.integers(0, 255))
    return st.tuples(st.lists(edit, max_size=12), st.integers(0, n), st.integers(0, n),
                     st.integers(0, 64)).map(lambda t: _apply(base, *t))


def _apply(base: bytes, edits, cut, ins_at, ins_len) -> bytes:
    b = bytearray(base)
    for pos, val in edits:
        b[pos] = val
    if cut < len(b):
        b = b[:cut]
    if ins_len:
        b[ins_at:ins_at] = base[:ins_len]
    return bytes(b)


def _settings():
    return settings.get_profile(PROFILE)


@_settings()
@given(mutations(APK))
def test_archive_only_raises_input_error(data: bytes):
    try:
        arc = Archive(data, "")
    except InputError:
        return
    for e in arc.entries:
        with contextlib.suppress(InputError):
            arc.read(e)


@_settings()
@given(mutations(MANIFEST), st.booleans())
def test_axml_only_raises_input_error(data: bytes, with_arsc: bool):
    try:
        info, _ = parse_manifest(data, ARSC if with_arsc else None)
    except InputError:
        return
    assert info.platform == "android"


@_settings()
@given(mutations(ARSC))
def test_arsc_damage_never_breaks_the_manifest(arsc: bytes):
    info, _ = parse_manifest(MANIFEST, arsc)
    assert info.package == "com.example.portaudit.resdebug"
    assert info.debuggable in (True, False, None)


@_settings()
@given(mutations(PROTO), mutations(RES_PB))
def test_proto_manifest_only_raises_input_error(proto: bytes, res: bytes):
    with contextlib.suppress(InputError):
        parse_proto_manifest_info(proto, res, "base/manifest/AndroidManifest.xml")


@_settings()
@given(mutations(APK))
def test_container_collection_never_raises(data: bytes):
    """Past opening, every problem of a damaged APK is an error or a note on the target."""
    try:
        arc = Archive(data, "")
    except InputError:
        return
    out = Contents()
    collect(arc, "", "apk", 0, Limits(), arc.budget, out)
    assert all(isinstance(e, str) and e for e in out.errors)
