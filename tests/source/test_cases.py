"""Own test sources, one folder per language: every API and address shape, positives and negatives.
The expected facts are written on the lines themselves (see helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import compare, expectations, scan

CASES = Path(__file__).parent / "cases"
CODE = sorted(p for p in CASES.rglob("*") if p.is_file() and p.parent.name != "config")


@pytest.mark.parametrize("path", CODE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_case_file(path: Path):
    facts = scan(path)
    assert compare(path, facts) == []
    assert not facts.target.errors


def test_every_language_has_cases():
    langs = {p.parent.name for p in CODE}
    assert {"python", "go", "javascript", "typescript", "c", "cpp", "java", "kotlin", "swift", "objc",
            "dart"} <= langs
    total = sum(len(expectations(p)[0]) for p in CODE)
    assert total >= 100


def test_whole_case_tree_at_once_matches_per_file():
    facts = scan(CASES, include_tests=True)
    by_file: dict[str, int] = {}
    for lst in facts.listeners:
        by_file[lst.location.file] = by_file.get(lst.location.file, 0) + 1
    for p in CODE:
        rel = p.relative_to(CASES).as_posix()
        assert by_file.get(rel, 0) == len(expectations(p)[0]), rel


def test_location_fields_and_evidence():
    path = CASES / "python" / "servers.py"
    facts = scan(path)
    first = next(x for x in facts.listeners if x.port == 31137)
    loc = first.location
    assert loc.file == "servers.py"
    line = path.read_text().splitlines()[loc.line - 1]
    assert line[loc.column - 1:].startswith("s.bind(")
    assert loc.end_line == loc.line and loc.end_column > loc.column
    assert "31137" in loc.snippet and first.evidence == loc.snippet
    assert first.api == "python socket.bind" and first.transport == "tcp"
    assert first.origin.kind == "app"


def test_wrapper_is_reported_at_the_caller():
    facts = scan(CASES / "python" / "servers.py")
    via = [x for x in facts.listeners if x.via == "wrapper"]
    assert {(x.address, x.port) for x in via} == {("0.0.0.0", 7002), ("127.0.0.1", 7003)}


def test_conditional_names_both_outcomes():
    facts = scan(CASES / "java" / "Servers.java")
    cond = [x for x in facts.listeners if x.bind.value == "conditional"]
    assert len(cond) == 1
    assert cond[0].alternatives == ["all-interfaces", "loopback"]


def test_udp_transport_and_unix():
    facts = scan(CASES / "c" / "server.c")
    kinds = {(x.transport, x.address) for x in facts.listeners}
    assert ("udp", "0.0.0.0") in kinds
    assert ("unix", "@my_abstract") in kinds and ("unix", "/data/local/tmp/app.sock") in kinds


def test_jvm_api_ids_match_the_bytecode_catalogue():
    """A listener found in Java/Kotlin source carries the same catalogue id as the APK input's."""
    from portaudit.catalog import android_apis

    known = {s.id for s in android_apis()}
    ids = set()
    for lang in ("java", "kotlin"):
        ids |= {x.api for x in scan(CASES / lang).listeners}
    # APIs the bytecode catalogue has no entry for (yet): their ids are the source catalogue's own
    source_only = {"Javalin.start(String,int)", "Javalin.start(int)", "Netty ServerBootstrap.bind()",
                   "Spark port(int)", "Undertow.Builder.addHttpListener",
                   "android.net.LocalSocket.bind(LocalSocketAddress)"}
    assert len(ids) >= 20
    assert ids - source_only <= known, ids - source_only - known


def test_exported_go_function_says_where_its_callers_are():
    """mobile.go: Start(port) is exported by a non-main package and has no caller in the tree."""
    facts = scan(CASES / "go" / "mobile.go")
    (x,) = [x for x in facts.listeners if x.port is None]
    assert "gomobile" in x.reason and "parameter port" in x.reason
