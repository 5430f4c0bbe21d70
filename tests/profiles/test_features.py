"""The features survive the JVM -> Dalvik translation, and are identifier-free.

Oracle: dx itself.  tests/.cache/profiles/netty/plain/classes.dex.jar is dx's translation of
Debian's Netty jars; the facts read from each class file (jvmfacts) and from dx's DEX for the
same class (dexfacts) must agree on what the features are made of.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from portaudit.inputs.dex.parser import DexFile
from portaudit.inputs.jvm import iter_class_files, parse_class
from portaudit.libmatch import dexfacts, jvmfacts
from portaudit.libmatch.facts import THROWS
from portaudit.libmatch.features import class_features, class_similarity, is_platform, type_token

JARS = [Path("/usr/share/java") / f"netty-{n}.jar" for n in ("transport", "common", "buffer", "resolver")]


@pytest.fixture(scope="module")
def pairs(built):
    jvm = {}
    for jar in JARS:
        for _n, data in iter_class_files(jar):
            c = jvmfacts.class_facts(parse_class(data))
            jvm[c.name] = c
    out = []
    with zipfile.ZipFile(built / "netty" / "plain" / "classes.dex.jar") as z:
        for n in sorted(x for x in z.namelist() if x.endswith(".dex")):
            dex = DexFile(z.read(n), n)
            for cd in range(dex.class_defs_size):
                d = dexfacts.class_facts(dex, cd)
                if d.name in jvm:
                    out.append((jvm[d.name], d))
    return out


def test_strings_and_references_are_the_same_in_class_files_and_dex(pairs):
    assert len(pairs) > 900  # the four Netty jars hold 952 classes (unzip -l)
    methods = 0
    for j, d in pairs:
        assert (j.super, j.interfaces, j.interface) == (d.super, d.interfaces, d.interface), d.name
        assert sorted(j.fields) == sorted(d.fields), d.name
        for dm in d.methods:
            jm = j.method(dm.name, dm.desc)
            assert jm is not None, (d.name, dm.name)
            assert sorted(jm.strings) == sorted(dm.strings), (d.name, dm.name)
            assert sorted(jm.refs) == sorted(dm.refs), (d.name, dm.name)
            methods += 1
    assert methods > 10_000


def test_shape_and_literals_mostly_agree(pairs):
    """dx keeps one register for a repeated constant and may merge throws: literals are compared
    as sets and throws are the one count allowed to differ."""
    total = ints_same = shape_same = 0
    for j, d in pairs:
        for dm in d.methods:
            jm = j.method(dm.name, dm.desc)
            total += 1
            ints_same += set(jm.ints) == set(dm.ints)
            shape_same += all(a == b for k, (a, b) in enumerate(zip(jm.shape, dm.shape, strict=True)) if k != THROWS)
    assert ints_same / total > 0.99 and shape_same / total > 0.99


def test_every_class_matches_its_own_dex_translation_best(pairs):
    """Features of a DEX class are closest to its own class file among classes of its group."""
    sample = pairs[::25]
    feats = {j.name: class_features(j) for j, _d in pairs}
    for _j, d in sample:
        fd = class_features(d)
        own = class_similarity(fd, feats[d.name]).score
        assert own > 0.95, d.name


def test_type_tokens_keep_platform_names_only():
    me = "Lio/netty/bootstrap/ServerBootstrap;"
    assert type_token("Ljava/net/SocketAddress;", me) == "Ljava/net/SocketAddress;"
    assert type_token("Landroid/net/LocalServerSocket;", me) == "Landroid/net/LocalServerSocket;"
    assert type_token("Lio/netty/channel/ChannelFuture;", me) == "X"
    assert type_token(me, me) == "@"
    assert type_token("[" + me, me) == "[@"
    assert type_token("S", me) == "S"  # the primitive short stays itself
    # javax packages shipped inside apps can be renamed: not platform
    assert not is_platform("Ljavax/servlet/http/HttpServlet;") and not is_platform("Ljavax/jmdns/JmDNS;")
    assert is_platform("Ljavax/net/ssl/SSLServerSocket;")
