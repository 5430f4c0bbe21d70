"""lib/<abi>/*.so collection and the hand-off to the native analyzer."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from portaudit.inputs.android import read_container
from portaudit.options import Limits
from portaudit.scan import run

from .conftest import FIXTURES, entries_of, rezip


@pytest.fixture(scope="module")
def zmq_so(third_party: Path) -> bytes:
    libs = sorted((third_party / "pyzmq").rglob("_zmq*.so"))
    if not libs:
        pytest.fail("the pyzmq Android wheel is missing: run scripts/fetch-third-party")
    return libs[0].read_bytes()


@pytest.fixture(scope="module")
def apk_with_libs(tmp_path_factory, zmq_so: bytes, examples: Path) -> Path:
    fake = dict(entries_of(examples / "signing" / "apksig" / "golden-aligned-in.apk"))["lib/armeabi/fake.so"]
    p = tmp_path_factory.mktemp("libs") / "withlibs.apk"
    p.write_bytes(rezip(entries_of(FIXTURES / "resdebug.apk") + [
        ("lib/arm64-v8a/libzmq.so", zmq_so),
        ("lib/armeabi/fake.so", fake),  # a 6-byte text file named .so (from apksig's golden APKs)
        ("assets/lib/x86/libhidden.so", zmq_so),  # not extracted by the package manager
    ]))
    return p


def test_libs_collected_by_abi_folder(apk_with_libs: Path, zmq_so: bytes):
    out, _ = read_container(str(apk_with_libs), "apk", Limits())
    assert [(n, len(b)) for n, b in out.libs] == [("lib/arm64-v8a/libzmq.so", len(zmq_so))]
    assert any("lib/armeabi/fake.so: not an ELF file (6 bytes)" in n for n in out.notes)
    assert out.errors == []


def test_nested_split_labels(tmp_path: Path, apk_with_libs: Path):
    p = tmp_path / "bundle.apks"
    p.write_bytes(rezip([("splits/base-master.apk", (FIXTURES / "resdebug.apk").read_bytes()),
                         ("splits/base-arm64_v8a.apk", apk_with_libs.read_bytes())]))
    out, _ = read_container(str(p), "apks", Limits())
    assert [n for n, _ in out.libs] == ["splits/base-arm64_v8a.apk!lib/arm64-v8a/libzmq.so"]
    assert [n for n, _ in out.dexes] == ["splits/base-master.apk!classes.dex",
                                         "splits/base-arm64_v8a.apk!classes.dex"]


def test_native_results_reach_the_facts(apk_with_libs: Path):
    """Through the real pipeline: with the native analyzer installed its facts and errors are
    merged; without it a note says the libraries were not analysed."""
    report = run([str(apk_with_libs)])
    (t,) = report.targets
    (facts,) = report.facts
    assert facts.stats["native_libs"] == 1
    try:
        nat = importlib.import_module("portaudit.inputs.native")
        has = hasattr(nat, "scan_elf")
    except ModuleNotFoundError:
        has = False
    if has:
        label = "lib/arm64-v8a/libzmq.so"
        native = [x for x in facts.listeners + facts.debug if (x.location.file or "").startswith(label)]
        errs = [e for e in t.errors if e.startswith(label)]
        assert native or errs, ([x.location for x in facts.listeners], t.errors)
        assert all(e.startswith(label) for e in t.errors if ".so" in e)
    else:
        assert any("native analyzer not installed: 1 native libraries" in n for n in t.notes)
    # the DEX listener is there either way
    assert any(li.port == 8080 for li in facts.listeners)


def test_native_crash_is_contained(apk_with_libs: Path, monkeypatch):
    """A crash in one library's analysis becomes an error naming that library; the rest goes on."""
    import types

    import portaudit.inputs.native as nat_pkg  # namespace or real package

    def boom(label, data, limits):
        raise RuntimeError("simulated analyzer crash")

    monkeypatch.setattr(nat_pkg, "scan_elf", boom, raising=False)
    report = run([str(apk_with_libs)])
    (t,) = report.targets
    assert "lib/arm64-v8a/libzmq.so: native analysis failed (RuntimeError: simulated analyzer crash)" in t.errors
    assert any(li.port == 8080 for li in report.facts[0].listeners)
    assert isinstance(nat_pkg, types.ModuleType)


def test_frida_gadget_config_reaches_the_native_analyzer(tmp_path: Path):
    """lib/<abi>/libfrida-gadget.config.so is JSON, not ELF, yet it is what makes the gadget listen:
    it must not be dropped by the non-ELF filter."""
    nat = importlib.import_module("portaudit.inputs.native")
    assert hasattr(nat, "scan_elf")
    cfg = b'{"interaction": {"type": "listen", "address": "0.0.0.0", "port": 27042}}'
    p = tmp_path / "gadget.apk"
    p.write_bytes(rezip(entries_of(FIXTURES / "resdebug.apk") + [("lib/arm64-v8a/libfrida-gadget.config.so", cfg)]))
    report = run([str(p)])
    (facts,) = report.facts
    assert report.targets[0].errors == []
    got = [(x.location.file, x.port) for x in facts.listeners if x.location.file.startswith("lib/")]
    assert got == [("lib/arm64-v8a/libfrida-gadget.config.so", 27042)]
