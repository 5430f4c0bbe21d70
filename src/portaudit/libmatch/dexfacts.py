"""ClassFacts from a class defined in a DEX file (the same facts as ``jvmfacts``)."""

from __future__ import annotations

import struct

from ..inputs.dex.opcodes import boundaries, decode
from ..inputs.dex.parser import NO_INDEX, DexError, DexFile, read_uleb
from .facts import (
    BRANCHES, CASTS, INVOKES, NEWS, READS, REF_INVOKE, REF_NEW, REF_READ, REF_TYPE, REF_WRITE, SHAPE,
    SWITCHES, THROWS, WRITES, ClassFacts, MethodFacts, keep_int,
)

ACC_STATIC = 0x0008
ACC_INTERFACE = 0x0200
ACC_ABSTRACT = 0x0400

_INVOKE = frozenset((*range(0x6E, 0x73), *range(0x74, 0x79)))
_INVOKE_OTHER = frozenset((0xFA, 0xFB, 0xFC, 0xFD))  # polymorphic / custom (invokedynamic)
_IGET = range(0x52, 0x59)
_IPUT = range(0x59, 0x60)
_SGET = range(0x60, 0x67)
_SPUT = range(0x67, 0x6E)
_CONST_INT = {0x12: 0, 0x13: 0, 0x14: 0, 0x15: 16, 0x16: 0, 0x17: 0, 0x18: 0, 0x19: 48}


def class_facts(dex: DexFile, cd: int) -> ClassFacts:
    """Facts of class_def ``cd``.  Raises DexError on a malformed class."""
    cls_idx, access, super_idx, if_off, _src, _ann, data_off, _sv = dex.class_def(cd)
    name = dex.type_desc(cls_idx)
    sup = dex.type_desc(super_idx) if super_idx != NO_INDEX else None
    interfaces = tuple(dex.type_desc(t) for t in _type_list(dex, if_off))
    fields, methods = _class_data(dex, data_off)
    return ClassFacts(
        name=name,
        interface=bool(access & ACC_INTERFACE),
        abstract=bool(access & ACC_ABSTRACT),
        super=sup,
        interfaces=interfaces,
        fields=tuple(fields),
        methods=tuple(_method(dex, midx, acc, code_off) for midx, acc, code_off in methods),
    )


def _type_list(dex: DexFile, off: int) -> list[int]:
    if not off:
        return []
    data = dex.data
    if off + 4 > len(data):
        raise DexError(f"type list offset {off:#x} outside the file")
    (n,) = struct.unpack_from("<I", data, off)
    if off + 4 + 2 * n > len(data):
        raise DexError(f"type list at {off:#x} overruns the file")
    return list(struct.unpack_from(f"<{n}H", data, off + 4))


def _class_data(dex: DexFile, off: int):
    """(fields [(name, type, static)], methods [(method idx, access flags, code offset)])."""
    if not off:
        return [], []
    data = dex.data
    if off >= len(data):
        raise DexError(f"class_data offset {off:#x} outside the file")
    counts = []
    pos = off
    for _ in range(4):
        v, pos = read_uleb(data, pos)
        counts.append(v)
    if sum(counts) > len(data):
        raise DexError(f"class_data at {off:#x} declares too many members")
    fields = []
    for k in (0, 1):
        idx = 0
        for _ in range(counts[k]):
            d, pos = read_uleb(data, pos)
            acc, pos = read_uleb(data, pos)
            idx += d
            _cls, fname, ftype = dex.field_ref(idx)
            fields.append((fname, ftype, bool(acc & ACC_STATIC)))
    methods = []
    for k in (2, 3):
        idx = 0
        for _ in range(counts[k]):
            d, pos = read_uleb(data, pos)
            acc, pos = read_uleb(data, pos)
            code, pos = read_uleb(data, pos)
            idx += d
            methods.append((idx, acc, code))
    return fields, methods


def _method(dex: DexFile, midx: int, access: int, code_off: int) -> MethodFacts:
    _cls, name, params, ret = dex.method_ref(midx)
    desc = "(" + "".join(params) + ")" + ret
    static = bool(access & ACC_STATIC)
    if not code_off:
        return MethodFacts(name, desc, static, False)
    insns = dex.code_item(code_off).insns
    strings: list[str] = []
    refs: list[tuple[str, str, str, str]] = []
    ints: list[int] = []
    shape = [0] * len(SHAPE)
    for pc, _w in boundaries(insns):
        op = insns[pc] & 0xFF
        if op == 0 and insns[pc]:
            continue  # switch / array payload
        if op in _INVOKE:
            shape[INVOKES] += 1
            _o, _a, b, _c, _r = decode(insns, pc)
            cls, mname, mparams, mret = dex.method_ref(b)
            refs.append((REF_INVOKE, cls, mname, "(" + "".join(mparams) + ")" + mret))
        elif op in _INVOKE_OTHER:
            shape[INVOKES] += 1
        elif op in _IGET or op in _SGET or op in _IPUT or op in _SPUT:
            _o, _a, b, c, _r = decode(insns, pc)
            fidx = c if op < 0x60 else b
            cls, fname, ftype = dex.field_ref(fidx)
            if op in _IGET or op in _SGET:
                shape[READS] += 1
                refs.append((REF_READ, cls, fname, ftype))
            else:
                shape[WRITES] += 1
                refs.append((REF_WRITE, cls, fname, ftype))
        elif op == 0x1A or op == 0x1B:
            _o, _a, b, _c, _r = decode(insns, pc)
            strings.append(dex.string(b))
        elif op in _CONST_INT:
            _o, _a, b, _c, _r = decode(insns, pc)
            v = b << _CONST_INT[op]
            if keep_int(v):
                ints.append(v)
        elif 0xD0 <= op <= 0xE2:  # binop/lit16 and binop/lit8: the JVM pushes the literal
            _o, _a, _b, c, _r = decode(insns, pc)
            if keep_int(c):
                ints.append(c)
        elif 0x32 <= op <= 0x3D:
            shape[BRANCHES] += 1
        elif op in (0x2B, 0x2C):
            shape[SWITCHES] += 1
        elif op == 0x27:
            shape[THROWS] += 1
        elif op == 0x22:
            shape[NEWS] += 1
            _o, _a, b, _c, _r = decode(insns, pc)
            refs.append((REF_NEW, dex.type_desc(b), "", ""))
        elif op in (0x1F, 0x20):
            shape[CASTS] += 1
            _o, _a, b, c, _r = decode(insns, pc)
            refs.append((REF_TYPE, dex.type_desc(b if op == 0x1F else c), "", ""))
        elif op == 0x1C:
            _o, _a, b, _c, _r = decode(insns, pc)
            refs.append((REF_TYPE, dex.type_desc(b), "", ""))
        elif op in (0x23, 0x24, 0x25):
            _o, _a, b, c, _r = decode(insns, pc)
            t = dex.type_desc(c if op == 0x23 else b)
            if "L" in t:
                refs.append((REF_TYPE, t, "", ""))
    return MethodFacts(name, desc, static, True, tuple(strings), tuple(refs), tuple(ints), tuple(shape))
