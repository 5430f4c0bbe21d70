"""`com/example/...` below a Java source root is a package, not a sample folder."""

import json
import subprocess
import sys

SRC = """package com.example.demo;
import java.net.ServerSocket;
class S { void go() throws Exception { new ServerSocket(8080); } }
"""


def test_example_package_is_scanned_but_examples_folder_is_not(tmp_path):
    app = tmp_path / "app" / "src" / "main" / "java" / "com" / "example" / "demo"
    app.mkdir(parents=True)
    (app / "S.java").write_text(SRC)
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "S.java").write_text(SRC)
    p = subprocess.run([sys.executable, "-m", "portaudit", "scan", str(tmp_path), "-f", "json",
                        "--root", str(tmp_path)], capture_output=True, text=True)
    data = json.loads(p.stdout)
    files = [f["location"]["file"] for f in data["findings"]]
    assert files == ["app/src/main/java/com/example/demo/S.java"]
    assert any("skipped" in n for n in data["targets"][0]["notes"])
