"""An independent oracle for DEX tests: Debian's ``dexdump -d`` (package ``dexdump``).

Tests derive the values they expect from its disassembly (call sites, offsets, the constants a
register holds, field reads and writes) instead of copying the engine's own output.
"""

from __future__ import annotations

import re
import subprocess
from functools import lru_cache
from pathlib import Path

_HEADER = re.compile(r"\|\[[0-9a-f]+\] (\S+)\.([^.:]+):(\(\S*)$")
_INSN = re.compile(r"\|([0-9a-f]{4}): (.*?)(?: // .*)?$")


class Disassembly:
    """Methods of one DEX as dexdump prints them: (dotted class, "name(sig)ret") -> [(pc, text)]."""

    def __init__(self, text: str):
        self.methods: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self._invokes: list[tuple[str, str, str, int, str]] | None = None
        cur: list[tuple[int, str]] | None = None
        for line in text.splitlines():
            h = _HEADER.search(line)
            if h:
                cur = self.methods.setdefault((h.group(1), f"{h.group(2)}{h.group(3)}"), [])
                continue
            m = _INSN.search(line)
            if m and cur is not None:
                cur.append((int(m.group(1), 16), m.group(2).strip()))

    def code(self, cls: str, method: str) -> list[tuple[int, str]]:
        return self.methods[(cls, method)]

    def calls(self, ref: str) -> list[tuple[str, str, int, str]]:
        """Every invoke of ``ref`` (``Lpkg/Cls;.name:(params)`` or a shorter prefix, dexdump's
        form): (class, method, pc, text)."""
        if self._invokes is None:
            self._invokes = [(tgt.group(0), cls, meth, pc, text) for (cls, meth), body in self.methods.items()
                             for pc, text in body if text.startswith("invoke")
                             for tgt in [re.search(r"L[^;{}]+;\.[^:]+:\([^)]*\)\S*", text)] if tgt]
        return [(cls, meth, pc, text) for tgt, cls, meth, pc, text in self._invokes if ref in tgt]


@lru_cache(maxsize=8)
def disassemble(path: Path) -> Disassembly:
    r = subprocess.run(["dexdump", "-d", str(path)], capture_output=True, text=True, errors="replace")
    assert r.returncode == 0, f"dexdump failed on {path}: {r.stderr[-400:]}"
    return Disassembly(r.stdout)


def registers(text: str) -> list[str]:
    """The registers of an invoke: ``{v1, v2}`` -> ["v1", "v2"] (range form expanded)."""
    inner = text[text.index("{") + 1: text.index("}")]
    rng = re.fullmatch(r"v(\d+)\s*\.\.\s*v(\d+)", inner.strip())
    if rng:
        return [f"v{i}" for i in range(int(rng[1]), int(rng[2]) + 1)]
    return [r.strip() for r in inner.split(",") if r.strip()]


def last_write(body: list[tuple[int, str]], pc: int, reg: str) -> tuple[int, str] | None:
    """The last instruction before ``pc`` (in file order) that writes ``reg``: enough for the
    straight-line code these tests look at."""
    for p, text in reversed([x for x in body if x[0] < pc]):
        op, _, rest = text.partition(" ")
        if rest.split(",", 1)[0].strip() == reg and not op.startswith(("invoke", "if-", "iput", "sput", "aput",
                                                                       "return", "throw", "fill-array")):
            return p, text
    return None


def const_of(body: list[tuple[int, str]], pc: int, reg: str) -> int | str | None:
    """The literal a ``const*`` / ``const-string`` wrote into ``reg`` last before ``pc``."""
    w = last_write(body, pc, reg)
    if w is None:
        return None
    text = w[1]
    m = re.match(r"const(?:/\d+|/high16)?\s+v\d+, #int (-?\d+)", text)
    if m:
        return int(m.group(1))
    m = re.match(r'const-string(?:/jumbo)?\s+v\d+, "(.*)"$', text)
    return m.group(1) if m else None


def smali(text: str) -> str:
    """dexdump's ``Lc;.m:(I)V`` and register list in smali's ``Lc;->m(I)V`` form (range kept as
    ``{vA .. vB}``)."""
    text = re.sub(r";\.([^:]+):\(", r";->\1(", text)
    regs = registers(text)
    if len(regs) > 1 and "/range" in text.split(" ", 1)[0]:
        text = text[: text.index("{")] + f"{{{regs[0]} .. {regs[-1]}}}" + text[text.index("}") + 1:]
    return text
