"""What is read: test/sample code, vendored/build folders, .gitignore, shebang scripts."""

from __future__ import annotations

from pathlib import Path

from .helpers import scan

SERVER = 'import socket\ns = socket.socket()\ns.bind(("0.0.0.0", {port}))\n'


def _write(root: Path, rel: str, port: int) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(SERVER.format(port=port))


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    _write(root, "app/server.py", 1001)
    _write(root, "tests/test_server.py", 1002)
    _write(root, "app/test_helper.py", 1003)
    _write(root, "samples/demo.py", 1004)
    _write(root, "node_modules/lib/index.py", 1005)
    _write(root, "build/generated.py", 1006)
    _write(root, "ignored/secret.py", 1007)
    _write(root, "app/cache.py", 1008)
    (root / ".gitignore").write_text("ignored/\ncache.py\n")
    return root


def ports(facts) -> set[int]:
    return {x.port for x in facts.listeners}


def test_default_policy_skips_tests_vendored_and_ignored(tmp_path):
    facts = scan(_tree(tmp_path))
    assert ports(facts) == {1001}
    assert any("test/sample" in n and "--include-tests" in n for n in facts.target.notes)
    st = facts.stats["source"]
    assert st["skipped_tests"] == 3 and st["skipped_vendored"] == 2 and st["skipped_ignored"] == 2


def test_include_tests(tmp_path):
    assert ports(scan(_tree(tmp_path), include_tests=True)) == {1001, 1002, 1003, 1004}


def test_include_vendored_marks_library_origin(tmp_path):
    facts = scan(_tree(tmp_path), include_vendored=True)
    assert ports(facts) == {1001, 1005, 1006}
    origin = {x.port: x.origin.kind for x in facts.listeners}
    assert origin == {1001: "app", 1005: "library", 1006: "library"}


def test_extensionless_node_script_is_read(tmp_path):
    root = tmp_path / "pkg"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "serve").write_text("#!/usr/bin/env node\nrequire('http').createServer().listen(8123);\n")
    (root / "bin" / "notes").write_text("listen(1) but not a script\n")
    facts = scan(root)
    assert [(x.location.file, x.port, x.bind.value) for x in facts.listeners] == [
        ("bin/serve", 8123, "all-interfaces")]


def test_test_code_is_recognised_by_build_layout(tmp_path):
    """Gradle / Kotlin Multiplatform source sets (src/test, src/jvmTest, src/androidUnitTest), Xcode
    test targets (AppTests/, AppUITests/), testutils/ and __tests__/ are test code; src/main and a
    package named ``test`` below a JVM source root are not."""
    root = tmp_path / "proj"
    kt = "import java.net.ServerSocket\nfun f() {{ ServerSocket({port}) }}\n"
    for rel, port in [("app/src/main/kotlin/com/x/Main.kt", 2001), ("app/src/jvmTest/kotlin/T.kt", 2002),
                      ("app/src/androidUnitTest/kotlin/U.kt", 2003), ("app/src/test/java/V.kt", 2004),
                      ("shared/testutils/W.kt", 2005), ("web/__tests__/X.kt", 2006),
                      ("ios/AppTests/Y.kt", 2007), ("ios/AppUITests/Z.kt", 2008),
                      ("app/src/main/kotlin/com/x/test/Helper.kt", 2009)]:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(kt.format(port=port))
    assert ports(scan(root)) == {2001, 2009}
    assert ports(scan(root, include_tests=True)) == set(range(2001, 2010))
