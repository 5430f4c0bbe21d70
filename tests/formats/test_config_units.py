"""Configuration, suppression-marker and baseline parsing in isolation."""

from __future__ import annotations

import pytest

from portaudit import baseline, config, suppress
from portaudit.config import ConfigError


@pytest.mark.parametrize("path, pattern, hit", [
    ("vendor/x/Server.java", "vendor", True),
    ("vendor/x/Server.java", "vendor/", True),
    ("vendor/x/Server.java", "vendor/**", True),
    ("src/test/A.java", "**/test/**", True),
    ("test/A.java", "**/test/**", True),
    ("src/main/A.java", "**/test/**", False),
    ("/abs/apps/demo.apk", "apps/*.apk", True),
    ("src/main/A.java", "*.kt", False),
    ("src/main/A.kt", "*.kt", True),
])
def test_exclude_globs(path, pattern, hit):
    assert config._glob_match(path, pattern) is hit


def test_find_config_prefers_portaudit_toml_and_skips_foreign_pyproject(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert config.find_config([str(tmp_path / "a" / "b")], cwd=str(tmp_path / "a" / "b")) is None or \
        config.find_config([str(tmp_path / "a" / "b")], cwd=str(tmp_path / "a" / "b")).parent != tmp_path / "a"
    (tmp_path / "pyproject.toml").write_text('[tool.portaudit]\nfail-on = "high"\n')
    assert config.find_config([str(tmp_path / "a" / "b")]) == tmp_path / "pyproject.toml"
    (tmp_path / ".portaudit.toml").write_text('fail-on = "medium"\n')
    found = config.find_config([str(tmp_path / "a" / "b")])
    assert found == tmp_path / ".portaudit.toml"
    assert config.load_config(found).fail_on == "medium"


def test_pyproject_without_table_gives_defaults(tmp_path):
    p = tmp_path / "pyproject.toml"
    p.write_text('[project]\nname = "x"\n')
    cfg = config.load_config(p)
    assert cfg.enable is None and cfg.disable == [] and cfg.exclude == []


def test_config_error_message_is_one_line_with_line_number(tmp_path):
    p = tmp_path / ".portaudit.toml"
    p.write_text('fail-on = "high"\nexclude = [\n"a",\n')
    with pytest.raises(ConfigError) as exc:
        config.load_config(p)
    assert str(exc.value).startswith(f"{p}:") and exc.value.line and "\n" not in str(exc.value)


@pytest.mark.parametrize("line, parsed", [
    ("// portaudit: ignore[listener-all-interfaces] demo only", (["listener-all-interfaces"], "demo only")),
    ("# portaudit: ignore[a, b]", (["a", "b"], "")),
    ("/* portaudit:ignore[*] vendor code */", (["*"], "vendor code")),
    ("<!-- portaudit: ignore[x] - reason -->", (["x"], "reason")),
    ("// portaudit ignore[x]", None),
    ("nothing here", None),
])
def test_suppression_markers(line, parsed):
    assert suppress.parse_line(line) == parsed


def test_baseline_accepts_a_bare_list_and_rejects_garbage(tmp_path):
    p = tmp_path / "b.json"
    p.write_text('["aa", "bb"]')
    assert baseline.load(p) == {"aa", "bb"}
    p.write_bytes(b"\xff\xfe{")
    with pytest.raises(ConfigError, match="not UTF-8"):
        baseline.load(p)
