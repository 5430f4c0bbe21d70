"""Dalvik opcode table: mnemonic, format, width; and a decoder for one instruction."""

from __future__ import annotations

_WIDTH = {"10x": 1, "12x": 1, "11n": 1, "11x": 1, "10t": 1,
          "20t": 2, "22x": 2, "21t": 2, "21s": 2, "21h": 2, "21c": 2, "23x": 2, "22b": 2,
          "22t": 2, "22s": 2, "22c": 2,
          "30t": 3, "32x": 3, "31i": 3, "31t": 3, "31c": 3, "35c": 3, "3rc": 3,
          "45cc": 4, "4rcc": 4, "51l": 5}

_TABLE: list[tuple[str, str]] = [("unused", "10x")] * 256


def _set(op: int, name: str, fmt: str) -> None:
    _TABLE[op] = (name, fmt)


for _op, _n, _f in [
    (0x00, "nop", "10x"), (0x01, "move", "12x"), (0x02, "move/from16", "22x"), (0x03, "move/16", "32x"),
    (0x04, "move-wide", "12x"), (0x05, "move-wide/from16", "22x"), (0x06, "move-wide/16", "32x"),
    (0x07, "move-object", "12x"), (0x08, "move-object/from16", "22x"), (0x09, "move-object/16", "32x"),
    (0x0A, "move-result", "11x"), (0x0B, "move-result-wide", "11x"), (0x0C, "move-result-object", "11x"),
    (0x0D, "move-exception", "11x"), (0x0E, "return-void", "10x"), (0x0F, "return", "11x"),
    (0x10, "return-wide", "11x"), (0x11, "return-object", "11x"),
    (0x12, "const/4", "11n"), (0x13, "const/16", "21s"), (0x14, "const", "31i"), (0x15, "const/high16", "21h"),
    (0x16, "const-wide/16", "21s"), (0x17, "const-wide/32", "31i"), (0x18, "const-wide", "51l"),
    (0x19, "const-wide/high16", "21h"), (0x1A, "const-string", "21c"), (0x1B, "const-string/jumbo", "31c"),
    (0x1C, "const-class", "21c"), (0x1D, "monitor-enter", "11x"), (0x1E, "monitor-exit", "11x"),
    (0x1F, "check-cast", "21c"), (0x20, "instance-of", "22c"), (0x21, "array-length", "12x"),
    (0x22, "new-instance", "21c"), (0x23, "new-array", "22c"), (0x24, "filled-new-array", "35c"),
    (0x25, "filled-new-array/range", "3rc"), (0x26, "fill-array-data", "31t"), (0x27, "throw", "11x"),
    (0x28, "goto", "10t"), (0x29, "goto/16", "20t"), (0x2A, "goto/32", "30t"),
    (0x2B, "packed-switch", "31t"), (0x2C, "sparse-switch", "31t"),
    (0xFA, "invoke-polymorphic", "45cc"), (0xFB, "invoke-polymorphic/range", "4rcc"),
    (0xFC, "invoke-custom", "35c"), (0xFD, "invoke-custom/range", "3rc"),
    (0xFE, "const-method-handle", "21c"), (0xFF, "const-method-type", "21c"),
]:
    _set(_op, _n, _f)

for _i, _n in enumerate(["cmpl-float", "cmpg-float", "cmpl-double", "cmpg-double", "cmp-long"]):
    _set(0x2D + _i, _n, "23x")
for _i, _n in enumerate(["eq", "ne", "lt", "ge", "gt", "le"]):
    _set(0x32 + _i, "if-" + _n, "22t")
    _set(0x38 + _i, "if-" + _n + "z", "21t")
_SUF = ["", "-wide", "-object", "-boolean", "-byte", "-char", "-short"]
for _i, _suf in enumerate(_SUF):
    _set(0x44 + _i, "aget" + _suf, "23x")
    _set(0x4B + _i, "aput" + _suf, "23x")
    _set(0x52 + _i, "iget" + _suf, "22c")
    _set(0x59 + _i, "iput" + _suf, "22c")
    _set(0x60 + _i, "sget" + _suf, "21c")
    _set(0x67 + _i, "sput" + _suf, "21c")
for _i, _n in enumerate(["virtual", "super", "direct", "static", "interface"]):
    _set(0x6E + _i, "invoke-" + _n, "35c")
    _set(0x74 + _i, "invoke-" + _n + "/range", "3rc")
for _i, _n in enumerate(["neg-int", "not-int", "neg-long", "not-long", "neg-float", "neg-double",
                         "int-to-long", "int-to-float", "int-to-double", "long-to-int", "long-to-float",
                         "long-to-double", "float-to-int", "float-to-long", "float-to-double",
                         "double-to-int", "double-to-long", "double-to-float", "int-to-byte",
                         "int-to-char", "int-to-short"]):
    _set(0x7B + _i, _n, "12x")
_BIN = ["add", "sub", "mul", "div", "rem", "and", "or", "xor", "shl", "shr", "ushr"]
_BINF = ["add", "sub", "mul", "div", "rem"]
_binops = ([f"{o}-int" for o in _BIN] + [f"{o}-long" for o in _BIN]
           + [f"{o}-float" for o in _BINF] + [f"{o}-double" for o in _BINF])
for _i, _n in enumerate(_binops):
    _set(0x90 + _i, _n, "23x")
    _set(0xB0 + _i, _n + "/2addr", "12x")
for _i, _n in enumerate(["add-int", "rsub-int", "mul-int", "div-int", "rem-int", "and-int", "or-int", "xor-int"]):
    _set(0xD0 + _i, _n + "/lit16", "22s")
for _i, _n in enumerate(["add-int", "rsub-int", "mul-int", "div-int", "rem-int", "and-int", "or-int",
                         "xor-int", "shl-int", "shr-int", "ushr-int"]):
    _set(0xD8 + _i, _n + "/lit8", "22b")

NAMES = [t[0] for t in _TABLE]
FORMATS = [t[1] for t in _TABLE]
WIDTHS = [_WIDTH[t[1]] for t in _TABLE]

INVOKE_35C = range(0x6E, 0x73)
INVOKE_3RC = range(0x74, 0x79)


def insn_width(insns, pc: int) -> int:
    """Width in code units of the instruction (or payload) at ``pc``; 0 if it overruns."""
    u = insns[pc]
    op = u & 0xFF
    n = len(insns)
    if op == 0 and u:
        ident = u >> 8
        if ident == 1 and pc + 1 < n:  # packed-switch-payload
            w = insns[pc + 1] * 2 + 4
        elif ident == 2 and pc + 1 < n:  # sparse-switch-payload
            w = insns[pc + 1] * 4 + 2
        elif ident == 3 and pc + 3 < n:  # fill-array-data-payload
            ew = insns[pc + 1]
            size = insns[pc + 2] | (insns[pc + 3] << 16)
            w = (size * ew + 1) // 2 + 4
        else:
            w = 1
    else:
        w = WIDTHS[op]
    return w if pc + w <= n else 0


def boundaries(insns):
    """Yield (pc, width) for each instruction of a linear sweep; stops at an overrun."""
    pc = 0
    n = len(insns)
    while pc < n:
        w = insn_width(insns, pc)
        if not w:
            return
        yield pc, w
        pc += w


def _s(v: int, bits: int) -> int:
    return v - (1 << bits) if v & (1 << (bits - 1)) else v


def decode(insns, pc: int):
    """(op, a, b, c, regs) for the instruction at pc.

    * ``a``/``b``/``c`` hold the operands in format order (registers, index, literal or
      branch offset), ``regs`` the register list of 35c / 3rc / 45cc / 4rcc formats.
    """
    u = insns[pc]
    op = u & 0xFF
    fmt = FORMATS[op]
    hi = u >> 8
    a = b = c = None
    regs = None
    if fmt == "10x":
        pass
    elif fmt == "12x":
        a, b = hi & 0xF, hi >> 4
    elif fmt == "11n":
        a, b = hi & 0xF, _s(hi >> 4, 4)
    elif fmt in ("11x",):
        a = hi
    elif fmt == "10t":
        a = _s(hi, 8)
    elif fmt == "20t":
        a = _s(insns[pc + 1], 16)
    elif fmt == "22x":
        a, b = hi, insns[pc + 1]
    elif fmt == "21t" or fmt == "21s":
        a, b = hi, _s(insns[pc + 1], 16)
    elif fmt == "21h" or fmt == "21c":
        a, b = hi, insns[pc + 1]
    elif fmt == "23x":
        v = insns[pc + 1]
        a, b, c = hi, v & 0xFF, v >> 8
    elif fmt == "22b":
        v = insns[pc + 1]
        a, b, c = hi, v & 0xFF, _s(v >> 8, 8)
    elif fmt in ("22t", "22s"):
        a, b, c = hi & 0xF, hi >> 4, _s(insns[pc + 1], 16)
    elif fmt == "22c":
        a, b, c = hi & 0xF, hi >> 4, insns[pc + 1]
    elif fmt == "30t":
        a = _s(insns[pc + 1] | (insns[pc + 2] << 16), 32)
    elif fmt == "32x":
        a, b = insns[pc + 1], insns[pc + 2]
    elif fmt in ("31i", "31t"):
        a, b = hi, _s(insns[pc + 1] | (insns[pc + 2] << 16), 32)
    elif fmt == "31c":
        a, b = hi, insns[pc + 1] | (insns[pc + 2] << 16)
    elif fmt in ("35c", "45cc"):
        count = hi >> 4
        g = hi & 0xF
        v = insns[pc + 2]
        allr = [v & 0xF, (v >> 4) & 0xF, (v >> 8) & 0xF, v >> 12, g]
        regs = allr[: min(count, 5)]
        b = insns[pc + 1]
    elif fmt in ("3rc", "4rcc"):
        first = insns[pc + 2]
        regs = list(range(first, first + hi))
        b = insns[pc + 1]
    elif fmt == "51l":
        a = hi
        b = insns[pc + 1] | (insns[pc + 2] << 16) | (insns[pc + 3] << 32) | (insns[pc + 4] << 48)
        b = _s(b, 64)
    return op, a, b, c, regs
