"""Release-like apps: real Netty / Jetty / MINA code shrunk and obfuscated by ProGuard, then dx.

Built (not committed, megabytes) by tests/profiles/build.sh into tests/.cache/profiles/<app>/<variant>/;
the fixture builds them when missing.  Each variant folder holds classes.dex.jar, observed.json
(the sockets the obfuscated jar really opened when run on the JVM) and ProGuard's mapping.txt.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ..realibs.conftest import dex_blobs  # noqa: F401 - (label, bytes) of a jar's classes*.dex

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUT = ROOT / "tests" / ".cache" / "profiles"
APPS = ("netty", "jetty", "mina", "lookalike")
VARIANTS = ("plain", "obf", "repackage", "overload", "access")
OBFUSCATED = VARIANTS[1:]
# every (app, variant) built; ProGuard's optimiser only where its output runs (build.sh)
BUILDS = tuple((a, v) for a in APPS for v in VARIANTS) + (("mina", "optimize"),)
OBFUSCATED_BUILDS = tuple((a, v) for a, v in BUILDS if a != "lookalike" and v != "plain")


@pytest.fixture(scope="session")
def built() -> Path:
    if not all((OUT / a / v / "classes.dex.jar").is_file() for a, v in BUILDS):
        subprocess.run(["bash", str(HERE / "build.sh"), str(OUT)], check=True)
    return OUT


def expected(app: str) -> list[dict]:
    return json.loads((HERE / "apps" / app / "expected.json").read_text())["listeners"]


def observed(built: Path, app: str, variant: str) -> list[dict]:
    return json.loads((built / app / variant / "observed.json").read_text())


_PRIM = {"void": "V", "boolean": "Z", "byte": "B", "char": "C", "short": "S", "int": "I", "long": "J",
         "float": "F", "double": "D"}


@dataclass
class Mapping:
    """ProGuard's mapping.txt: original -> obfuscated class names, and methods per class."""

    classes: dict[str, str] = field(default_factory=dict)  # original dotted -> obfuscated dotted
    # (orig class, orig name, obf name, obf desc)
    methods: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def original(self) -> dict[str, str]:
        return {v: k for k, v in self.classes.items()}

    def desc(self, java_type: str) -> str:
        dims = java_type.count("[]")
        base = java_type.replace("[]", "")
        d = _PRIM.get(base) or "L" + self.classes.get(base, base).replace(".", "/") + ";"
        return "[" * dims + d

    def original_method(self, obf_class: str, obf_method: str) -> str | None:
        """``app.a`` + ``b(La/c;)V`` -> ``app.netty.NettyApp.startPublic`` (None if unknown)."""
        orig_cls = self.original.get(obf_class, obf_class)
        for c, name, oname, odesc in self.methods:
            if c == orig_cls and f"{oname}{odesc}" == obf_method:
                return f"{c}.{name}"
        return None


_METHOD = re.compile(r"^\s+(?:\d+:\d+:)?(\S+) ([^\s(]+)\(([^)]*)\)(?::\d+:\d+)? -> (\S+)$")


def read_mapping(path: Path) -> Mapping:
    m = Mapping()
    rows = []
    cur = None
    for line in path.read_text().splitlines():
        if not line.startswith(" ") and line.endswith(":") and " -> " in line:
            orig, obf = line[:-1].split(" -> ")
            m.classes[orig] = obf
            cur = orig
        elif cur is not None:
            g = _METHOD.match(line)
            if g:
                rows.append((cur, g.group(1), g.group(2), g.group(3), g.group(4)))
    for cls, ret, name, params, oname in rows:
        ps = [p for p in params.split(",") if p]
        m.methods.append((cls, name, oname, "(" + "".join(m.desc(p) for p in ps) + ")" + m.desc(ret)))
    return m
