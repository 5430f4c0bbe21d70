"""Project configuration: ``[tool.portaudit]`` in ``pyproject.toml`` or a ``.portaudit.toml``.

Looked up from the first scanned path upwards, then from the working directory
upwards (``.portaudit.toml`` wins over ``pyproject.toml`` in the same folder; a
``pyproject.toml`` without a ``[tool.portaudit]`` table is skipped), or given
explicitly with ``--config FILE``.  Keys (all optional)::

    [tool.portaudit]                 # in .portaudit.toml the table header is optional
    enable = ["listener-all-interfaces"]   # only these rules (default: all)
    disable = ["webview-debugging"]        # never these rules
    exclude = ["vendor/**", "**/test/**"]  # globs on the finding's file and the target path
    allowed-sdks = ["Flipper"]             # findings in these SDKs' code ...
    allowed-ports = [8080, 5037]           # ... or on these ports ...
    allowed = "downgrade"                  # ... become "info" ("downgrade", default) or vanish ("drop")
    fail-on = "medium"                     # default for --fail-on
    min-severity = "info"                  # default for --min-severity
    baseline = "portaudit-baseline.json"   # default for --baseline (relative to this file)

    [tool.portaudit.severity]        # per-rule severity overrides
    debuggable-build = "medium"

Problems a user must fix (bad TOML, wrong types) raise :class:`ConfigError` naming
the file and the line; unknown keys and unknown rule ids are warnings.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from .model import Finding, Severity

log = logging.getLogger("portaudit")

CONFIG_NAMES = (".portaudit.toml", "pyproject.toml")
_KNOWN_KEYS = {
    "enable", "disable", "exclude", "allowed-sdks", "allowed-ports", "allowed", "fail-on",
    "min-severity", "severity", "baseline",
}
_SEVERITIES = [s.label for s in Severity]


class ConfigError(Exception):
    """A configuration or baseline file that cannot be used.  ``str()`` is one line:
    ``FILE:LINE: problem``."""

    def __init__(self, path: str | os.PathLike, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


@dataclass
class Config:
    path: str | None = None  # the file it came from (None = defaults)
    enable: list[str] | None = None
    disable: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    allowed_sdks: list[str] = field(default_factory=list)
    allowed_ports: list[int] = field(default_factory=list)
    allowed: str = "downgrade"
    fail_on: str | None = None
    min_severity: str | None = None
    severity: dict[str, Severity] = field(default_factory=dict)
    baseline: str | None = None
    warnings: list[str] = field(default_factory=list)

    # -- what the pipeline asks ---------------------------------------------------
    def rule_enabled(self, rule_id: str) -> bool:
        if self.enable is not None and rule_id not in self.enable:
            return False
        return rule_id not in self.disable

    def excluded(self, finding: Finding) -> bool:
        if not self.exclude:
            return False
        candidates = []
        if finding.location.file:
            candidates.append(finding.location.file)
        candidates.append(finding.target)
        return any(_glob_match(c, pat) for c in candidates for pat in self.exclude)

    def allowed_reason(self, finding: Finding) -> str | None:
        sdk = finding.origin.sdk
        if sdk and any(sdk.lower() == a.lower() for a in self.allowed_sdks):
            return f"SDK {sdk} allowed by configuration"
        lst = finding.listener
        if lst is not None and lst.port is not None and lst.port in self.allowed_ports:
            return f"port {lst.port} allowed by configuration"
        return None


def _glob_match(path: str, pattern: str) -> bool:
    """``fnmatch`` on POSIX paths where a pattern also matches any parent folder
    (``vendor`` and ``vendor/`` exclude everything below ``vendor``) and ``**/``
    may match nothing (``**/test/**`` matches ``test/a.java``)."""
    p = path.replace(os.sep, "/")
    while p.startswith("./"):
        p = p[2:]
    pat = pattern.replace(os.sep, "/").rstrip("/")
    variants = {pat}
    if pat.startswith("**/"):
        variants.add(pat[3:])
    parts = PurePosixPath(p).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for v in variants:
        if fnmatch.fnmatchcase(p, v):
            return True
        if any(fnmatch.fnmatchcase(pre, v) for pre in prefixes):
            return True
        # a relative pattern also matches at any depth below an absolute target path
        if not v.startswith(("/", "*")) and fnmatch.fnmatchcase(p, "*/" + v):
            return True
    return False


# -- finding and parsing -----------------------------------------------------------

def find_config(start_paths: Iterable[str] = (), cwd: str | None = None) -> Path | None:
    """The configuration file that applies to a scan of ``start_paths``, or None."""
    starts: list[Path] = []
    for p in start_paths:
        path = Path(p)
        if not path.exists():
            continue
        starts.append(path.resolve() if path.is_dir() else path.resolve().parent)
        break
    starts.append(Path(cwd or os.getcwd()).resolve())
    seen: set[Path] = set()
    for start in starts:
        for folder in (start, *start.parents):
            if folder in seen:
                break
            seen.add(folder)
            for name in CONFIG_NAMES:
                candidate = folder / name
                if not candidate.is_file():
                    continue
                if name == "pyproject.toml" and not _has_tool_table(candidate):
                    continue
                return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return re.search(r"^\s*\[\s*tool\.portaudit\s*[\].]", text, re.M) is not None


def _line_of(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return None


_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def load_config(path: str | os.PathLike, known_rules: Iterable[str] | None = None) -> Config:
    """Parse one configuration file.  Raises :class:`ConfigError` for unusable files."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(path, "configuration file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, f"cannot read configuration: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_LINE.search(msg)
        line = int(m.group(1)) if m else None
        if line is None and "end of document" in msg:
            line = max(1, len(text.splitlines()))
        msg = _TOML_LINE.sub("", msg).replace("(at end of document)", "at the end of the file").strip()
        raise ConfigError(path, "invalid TOML: " + msg, line) from None
    if path.name == "pyproject.toml" or "tool" in data:
        table = data.get("tool", {}).get("portaudit")
        if table is None:
            return Config(path=str(path))
    else:
        table = data
    if not isinstance(table, dict):
        raise ConfigError(path, "[tool.portaudit] must be a table", _line_of(text, "portaudit"))
    if known_rules is None:
        from . import rules as rules_mod

        known_rules = rules_mod.BY_ID
    known = set(known_rules)
    cfg = Config(path=str(path))

    def warn(message: str, needle: str | None = None) -> None:
        line = _line_of(text, needle) if needle else None
        where = f"{path}:{line}" if line else str(path)
        cfg.warnings.append(f"{where}: {message}")

    def bad(key: str, expected: str) -> ConfigError:
        return ConfigError(path, f"'{key}' must be {expected}", _line_of(text, key))

    def str_list(key: str) -> list[str] | None:
        if key not in table:
            return None
        val = table[key]
        if isinstance(val, str):
            val = [val]
        if not isinstance(val, list) or not all(isinstance(v, str) for v in val):
            raise bad(key, "a list of strings")
        return list(val)

    def check_rules(key: str, ids: list[str]) -> list[str]:
        for rid in ids:
            if rid not in known:
                warn(f"unknown rule id {rid!r} in '{key}' (see `portaudit rules`)", rid)
        return ids

    for key in table:
        if key not in _KNOWN_KEYS:
            warn(f"unknown key {key!r} ignored", key)
    enable = str_list("enable")
    if enable is not None:
        cfg.enable = check_rules("enable", enable)
    cfg.disable = check_rules("disable", str_list("disable") or [])
    cfg.exclude = str_list("exclude") or []
    cfg.allowed_sdks = str_list("allowed-sdks") or []
    if "allowed-ports" in table:
        ports = table["allowed-ports"]
        if not isinstance(ports, list) or not all(
                isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= 65535 for p in ports):
            raise bad("allowed-ports", "a list of port numbers (0-65535)")
        cfg.allowed_ports = list(ports)
    if "allowed" in table:
        if table["allowed"] not in ("downgrade", "drop"):
            raise bad("allowed", '"downgrade" or "drop"')
        cfg.allowed = table["allowed"]
    for key, attr in (("fail-on", "fail_on"), ("min-severity", "min_severity")):
        if key in table:
            if table[key] not in _SEVERITIES:
                raise bad(key, "one of " + ", ".join(_SEVERITIES))
            setattr(cfg, attr, table[key])
    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise bad("severity", "a table of rule id = severity")
        for rid, level in sev.items():
            if not isinstance(level, str) or level not in _SEVERITIES:
                raise ConfigError(path, f"severity of {rid!r} must be one of " + ", ".join(_SEVERITIES),
                                  _line_of(text, rid))
            if rid not in known:
                warn(f"unknown rule id {rid!r} in 'severity' (see `portaudit rules`)", rid)
            cfg.severity[rid] = Severity.parse(level)
    if "baseline" in table:
        if not isinstance(table["baseline"], str):
            raise bad("baseline", "a file name")
        cfg.baseline = str((path.parent / table["baseline"]))
    return cfg


# -- applying it to findings -----------------------------------------------------

@dataclass
class Filtered:
    """What :func:`apply` kept and what it removed (with why)."""

    kept: list[Finding]
    removed: list[tuple[Finding, str]] = field(default_factory=list)


def apply(findings: Iterable[Finding], cfg: Config) -> Filtered:
    """Rules on/off, excluded paths, allowed SDKs / ports and severity overrides."""
    out = Filtered(kept=[])
    for f in findings:
        if not cfg.rule_enabled(f.rule):
            out.removed.append((f, "rule disabled by configuration"))
            continue
        if cfg.excluded(f):
            out.removed.append((f, "path excluded by configuration"))
            continue
        if f.rule in cfg.severity:
            f = replace(f, severity=cfg.severity[f.rule])
        reason = cfg.allowed_reason(f)
        if reason:
            if cfg.allowed == "drop":
                out.removed.append((f, reason))
                continue
            extra = dict(f.extra)
            extra["allowed"] = reason
            f = replace(f, severity=Severity.INFO, extra=extra,
                        message=f"{f.message} [{reason}]")
        out.kept.append(f)
    return out


def describe(cfg: Config) -> dict[str, Any]:
    """A short summary for verbose output."""
    return {k: v for k, v in {
        "file": cfg.path, "enable": cfg.enable, "disable": cfg.disable, "exclude": cfg.exclude,
        "allowed-sdks": cfg.allowed_sdks, "allowed-ports": cfg.allowed_ports,
        "severity": {k: v.label for k, v in cfg.severity.items()},
    }.items() if v}
