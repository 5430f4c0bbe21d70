"""Profiles as files: build, store, read back, damaged inputs, the CLI, and the shipped set.

Oracles: the Debian jars themselves (``unzip -l`` class counts, their sha256), the JDK's javap
for member names, and the format description in libmatch/profile.py.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from portaudit.cli import main
from portaudit.libmatch import open_profile, shipped
from portaudit.libmatch import profile as P

J = Path("/usr/share/java")
MINA = J / "mina2-core.jar"

pytestmark = pytest.mark.skipif(not MINA.is_file(), reason="needs libmina2-java (scripts/apt-packages.txt)")


def _class_entries(jar: Path) -> int:
    with zipfile.ZipFile(jar) as z:
        return sum(1 for n in z.namelist() if n.endswith(".class") and not n.startswith("META-INF/")
                   and not n.endswith("module-info.class"))


def test_build_save_load_round_trip(tmp_path):
    prof = P.build([MINA], "Apache MINA", "2.2.1")
    assert len(prof.classes) == _class_entries(MINA)  # oracle: the jar's own entry list
    out = tmp_path / "mina.profile"
    size = P.save(prof, out)
    assert size == out.stat().st_size
    back = P.load(out)
    assert back.name == "Apache MINA" and back.version == "2.2.1"
    assert back.classes == prof.classes
    # javap -p shows AbstractIoAcceptor declares bind(SocketAddress) with code
    m = back.classes["Lorg/apache/mina/core/service/AbstractIoAcceptor;"].method("bind", "(Ljava/net/SocketAddress;)V")
    assert m is not None and m.has_code


def test_the_header_is_read_without_the_body(tmp_path):
    prof = P.build([MINA], "Apache MINA", "2.2.1")
    prof.anchors = {"classes": ["Lx;"], "strings": ["some string"]}
    data = P.dumps(prof)
    head = P.read_header(data[: len(data) // 3] + b"garbage")  # the body is never inflated
    assert head["library"] == {"name": "Apache MINA", "version": "2.2.1"}
    assert head["anchors"]["strings"] == ["some string"]


def test_damaged_and_foreign_profiles_are_one_line_errors(tmp_path):
    prof = P.build([MINA], "Apache MINA", "2.2.1")
    data = P.dumps(prof)
    cases = {
        "truncated": data[: len(data) // 2],
        "not gzip": b"PK\x03\x04" + data[4:],
        "other format": gzip.compress(b'{"format": "something-else"}\n{}\n'),
        "future version": gzip.compress(json.dumps({"format": P.FORMAT, "version": 99}).encode() + b"\n{}\n"),
        "damaged body": gzip.compress(gzip.decompress(data).split(b"\n")[0] + b'\n{"strings": [], "classes": [[5]]}\n'),
    }
    for what, blob in cases.items():
        f = tmp_path / "x.profile"
        f.write_bytes(blob)
        with pytest.raises(P.ProfileError) as ei:
            open_profile(f).profile()
        assert "\n" not in str(ei.value) and "x.profile" in str(ei.value), what


def test_cli_build_show_and_match(tmp_path, built):
    out = tmp_path / "mina.profile"
    r = CliRunner().invoke(main, ["profile", "build", str(MINA), "--name", "Apache MINA", "--version", "2.2.1",
                                  "-o", str(out)])
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    assert info["bytes"] == out.stat().st_size and info["classes"] == _class_entries(MINA)
    assert info["anchor_classes"] > 0  # NioSocketAcceptor calls ServerSocketChannel.bind (javap)
    r = CliRunner().invoke(main, ["profile", "show", str(out)])
    assert json.loads(r.output)["library"] == {"name": "Apache MINA", "version": "2.2.1"}
    app = built / "mina" / "obf" / "classes.dex.jar"
    r = CliRunner().invoke(main, ["profile", "match", str(app), "--profile", str(out)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    originals = {c["original"] for c in doc["classes"]}
    # oracle: mapping.txt of that build renames NioSocketAcceptor (the app calls it)
    assert "Lorg/apache/mina/transport/socket/nio/NioSocketAcceptor;" in originals
    r = CliRunner().invoke(main, ["profile", "build", str(tmp_path / "missing.jar"), "--name", "x",
                                  "--version", "1", "-o", str(out)])
    assert r.exit_code == 2


def test_a_class_file_that_is_not_one_names_the_entry(tmp_path):
    bad = tmp_path / "bad.jar"
    with zipfile.ZipFile(MINA) as src, zipfile.ZipFile(bad, "w") as dst:
        name = next(n for n in src.namelist() if n.endswith(".class"))
        dst.writestr(name, src.read(name)[:50])
    with pytest.raises(P.ProfileError) as ei:
        P.build([bad], "x", "1")
    assert name in str(ei.value) and "\n" not in str(ei.value)


def test_shipped_profiles_come_from_the_installed_debian_jars():
    """Each shipped profile names its source jars and their sha256; these are the jars
    tests/profiles/shipped.sh builds from (scripts/build-fixtures --check rebuilds the bytes)."""
    names = {sp.name for sp in shipped()}
    assert {"Netty", "Jetty", "Apache MINA"} <= names
    for sp in shipped():
        for src in sp.header["sources"]:
            jar = J / src["file"]
            if jar.is_file():
                assert hashlib.sha256(jar.read_bytes()).hexdigest() == src["sha256"], src["file"]
        assert sp.anchors["classes"], sp.label  # every shipped library has a listener path


def test_a_damaged_profile_costs_its_matches_only(built, tmp_path):
    """A profile whose body is damaged: one error line naming it, the scan goes on with the
    other profiles (the Netty listeners keep their ports: oracle observed.json)."""
    from portaudit.inputs.dex import analyze_dex
    from portaudit.libmatch import StoredProfile

    from .conftest import dex_blobs

    good = [sp for sp in shipped() if sp.name == "Netty"][0]
    head = gzip.decompress(good.data).split(b"\n")[0]
    bad = StoredProfile("broken.profile", good.header, gzip.compress(head + b"\n{not json\n"))
    res = analyze_dex(dex_blobs(built / "netty" / "obf" / "classes.dex.jar"), profiles=(bad, good))
    assert [e for e in res.errors if "broken.profile" in e and "\n" not in e]
    assert sorted(lst.port for lst in res.listeners) == [18080, 18081]


def test_two_versions_that_fit_equally_give_a_version_range(built, tmp_path):
    """Two profiles of one library built from the same jar (so equally close to the app's copy)
    name the library once with the range of their versions."""
    from portaudit.inputs.dex import analyze_dex

    from .conftest import dex_blobs

    stored = []
    for v in ("2.2.1", "2.2.0"):
        prof = P.build([MINA], "Apache MINA", v)
        prof.anchors = [sp for sp in shipped() if sp.name == "Apache MINA"][0].anchors
        P.save(prof, tmp_path / f"mina-{v}.profile")
        stored.append(open_profile(tmp_path / f"mina-{v}.profile"))
    res = analyze_dex(dex_blobs(built / "mina" / "obf" / "classes.dex.jar"), profiles=tuple(stored))
    assert {lst.origin.version for lst in res.listeners} == {"2.2.0 - 2.2.1"}
    assert {lst.origin.sdk for lst in res.listeners} == {"Apache MINA"}


def test_matching_stops_at_its_class_budget(built, monkeypatch):
    """Past MAX_CLASSES_READ app classes, matching stops with one error line; the engine still
    reports what it finds without the library, and nothing that contradicts the app's source
    (NettyApp.java: bind(18080) on all interfaces, bind("127.0.0.1", 18081)); what it cannot tie
    to the app stays unknown."""
    from portaudit.inputs.dex import analyze_dex
    from portaudit.libmatch import appindex

    from .conftest import dex_blobs

    monkeypatch.setattr(appindex, "MAX_CLASSES_READ", 1)
    res = analyze_dex(dex_blobs(built / "netty" / "obf" / "classes.dex.jar"))
    assert [e for e in res.errors if "library matching stopped after reading 1 classes" in e]
    assert res.listeners
    oracle = {18080: "all-interfaces", 18081: "loopback"}  # NettyApp.java
    for lst in res.listeners:
        if lst.port is None:
            assert lst.bind.value == "unknown" and lst.reason, lst
        else:
            assert lst.bind.value == oracle[lst.port], lst
