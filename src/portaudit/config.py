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
    min-confidence = "low"                 # default for --min-confidence
    include = ["app/**"]                   # only findings in these paths (globs, like --include)
    baseline = "portaudit-baseline.json"   # default for --baseline (relative to this file)

    [tool.portaudit.severity]        # per-rule severity overrides
    debuggable-build = "medium"

Every key and every rule id is checked against the schema below (:data:`SCHEMA`): an unknown key,
an unknown rule id or a wrong type raises :class:`ConfigError` naming the file and the line, with a
``did you mean`` hint when a known name is close.  A configuration that would check nothing
(``enable = []``) is an error too.
"""

from __future__ import annotations

import difflib
import fnmatch
import logging
import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import ConfigError
from .model import Confidence, Finding, Severity

log = logging.getLogger("portaudit")

CONFIG_NAMES = (".portaudit.toml", "pyproject.toml")
_SEVERITIES = [s.label for s in Severity]
_CONFIDENCES = [c.label for c in Confidence]
# key -> what its value must be (the message of the error when it is not)
SCHEMA: dict[str, str] = {
    "enable": "a non-empty list of rule ids",
    "disable": "a list of rule ids",
    "exclude": "a list of glob strings",
    "include": "a list of glob strings",
    "allowed-sdks": "a list of strings",
    "allowed-ports": "a list of port numbers (0-65535)",
    "allowed": '"downgrade" or "drop"',
    "fail-on": "one of " + ", ".join([*_SEVERITIES, "never"]),
    "min-severity": "one of " + ", ".join(_SEVERITIES),
    "min-confidence": "one of " + ", ".join(_CONFIDENCES),
    "severity": "a table of rule id = severity",
    "baseline": "a file name",
}


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a known name is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


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
    min_confidence: str | None = None
    include: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    baseline: str | None = None

    # -- what the pipeline asks ---------------------------------------------------
    def rule_enabled(self, rule_id: str) -> bool:
        if self.enable is not None and rule_id not in self.enable:
            return False
        return rule_id not in self.disable

    def excluded(self, finding: Finding) -> bool:
        return bool(self.exclude) and matches_any(_paths_of(finding), self.exclude)

    def not_included(self, finding: Finding) -> bool:
        return bool(self.include) and not matches_any(_paths_of(finding), self.include)

    def allowed_reason(self, finding: Finding) -> str | None:
        sdk = finding.origin.sdk
        if sdk and any(sdk.lower() == a.lower() for a in self.allowed_sdks):
            return f"SDK {sdk} allowed by configuration"
        lst = finding.listener
        if lst is not None and lst.port is not None and lst.port in self.allowed_ports:
            return f"port {lst.port} allowed by configuration"
        return None


def _paths_of(finding: Finding) -> list[str]:
    """The paths a glob is matched against: the finding's file when it is a file of the project
    (source), and the target (the app or source folder)."""
    out = [finding.target]
    loc = finding.location
    if loc.file and loc.line is not None:
        out.insert(0, loc.file)
    return out


def matches_any(paths: Iterable[str], patterns: Iterable[str]) -> bool:
    pats = list(patterns)
    return any(_glob_match(p, pat) for p in paths for pat in pats)


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
    return _validate(table, path, text, known)


def _assigned(text: str, key: str) -> int | None:
    """The line where ``key`` is assigned (``key =`` or ``"key" =``)."""
    m = re.search(r"^\s*[\"']?" + re.escape(key) + r"[\"']?\s*=", text, re.M)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _key_line(text: str, key: str) -> int | None:
    return _assigned(text, key) or _line_of(text, key)


def _validate(table: dict[str, Any], path: Path, text: str, known: set[str]) -> Config:
    cfg = Config(path=str(path))

    def bad(key: str) -> ConfigError:
        return ConfigError(path, f"'{key}' must be {SCHEMA[key]}", _key_line(text, key))

    def str_list(key: str) -> list[str] | None:
        if key not in table:
            return None
        val = table[key]
        if isinstance(val, str):
            val = [val]
        if not isinstance(val, list) or not all(isinstance(v, str) for v in val):
            raise bad(key)
        return list(val)

    def rule_ids(key: str, ids: list[str]) -> list[str]:
        for rid in ids:
            if rid not in known:
                line = (_line_of(text, f'"{rid}"') or _line_of(text, f"'{rid}'") or _assigned(text, rid)
                        or _key_line(text, key))
                raise ConfigError(path, f"unknown rule id {rid!r} in '{key}'{did_you_mean(rid, known)}; "
                                        "`portaudit rules` lists them", line)
        return ids

    for key in table:
        if key not in SCHEMA:
            raise ConfigError(path, f"unknown key {key!r}{did_you_mean(key, SCHEMA)}; known keys: "
                                    + ", ".join(SCHEMA), _key_line(text, key))
    enable = str_list("enable")
    if enable is not None:
        if not enable:
            raise bad("enable")
        cfg.enable = rule_ids("enable", enable)
    cfg.disable = rule_ids("disable", str_list("disable") or [])
    if cfg.enable is not None and not [r for r in cfg.enable if r not in cfg.disable]:
        raise ConfigError(path, "'enable' and 'disable' together turn every rule off", _key_line(text, "disable"))
    cfg.exclude = str_list("exclude") or []
    cfg.include = str_list("include") or []
    cfg.allowed_sdks = str_list("allowed-sdks") or []
    if "allowed-ports" in table:
        ports = table["allowed-ports"]
        if not isinstance(ports, list) or not all(
                isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= 65535 for p in ports):
            raise bad("allowed-ports")
        cfg.allowed_ports = list(ports)
    if "allowed" in table:
        if table["allowed"] not in ("downgrade", "drop"):
            raise bad("allowed")
        cfg.allowed = table["allowed"]
    for key, attr, choices in (("fail-on", "fail_on", [*_SEVERITIES, "never"]),
                               ("min-severity", "min_severity", _SEVERITIES),
                               ("min-confidence", "min_confidence", _CONFIDENCES)):
        if key in table:
            if table[key] not in choices:
                raise bad(key)
            setattr(cfg, attr, table[key])
    if "severity" in table:
        sev = table["severity"]
        if not isinstance(sev, dict):
            raise bad("severity")
        for rid, level in sev.items():
            rule_ids("severity", [rid])
            if not isinstance(level, str) or level not in _SEVERITIES:
                raise ConfigError(path, f"severity of {rid!r} must be one of " + ", ".join(_SEVERITIES),
                                  _line_of(text, rid))
            cfg.severity[rid] = Severity.parse(level)
    if "baseline" in table:
        if not isinstance(table["baseline"], str) or not table["baseline"]:
            raise bad("baseline")
        cfg.baseline = str(path.parent / table["baseline"])
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
        if cfg.not_included(f):
            out.removed.append((f, "path not included by configuration"))
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
