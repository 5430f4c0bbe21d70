"""ClassFacts from a JVM class file (``inputs/jvm/classfile``)."""

from __future__ import annotations

from ..inputs.jvm import classfile as cf
from .facts import (
    BRANCHES, CASTS, INVOKES, NEWS, READS, REF_INVOKE, REF_NEW, REF_READ, REF_TYPE, REF_WRITE, SHAPE,
    SWITCHES, THROWS, WRITES, ClassFacts, MethodFacts, internal_to_desc, keep_int,
)

_BRANCH = frozenset((*range(0x99, 0xA7), 0xC6, 0xC7))
_INVOKE = frozenset((cf.INVOKEVIRTUAL, cf.INVOKESPECIAL, cf.INVOKESTATIC, cf.INVOKEINTERFACE))


def class_facts(c: cf.ClassFile) -> ClassFacts:
    fields = tuple((f.name, f.descriptor, bool(f.access & cf.ACC_STATIC)) for f in c.fields)
    methods = tuple(_method(c, m) for m in c.methods)
    return ClassFacts(
        name=internal_to_desc(c.name),
        interface=c.is_interface,
        abstract=bool(c.access & cf.ACC_ABSTRACT),
        super=internal_to_desc(c.super_name) if c.super_name else None,
        interfaces=tuple(internal_to_desc(i) for i in c.interfaces),
        fields=fields,
        methods=methods,
    )


def _pool_index(ins: cf.Instruction) -> int:
    """The constant-pool index of an instruction that names one (cf.instructions sets it for every such opcode)."""
    if ins.index is None:
        raise cf.ClassFormatError(f"opcode {ins.opcode:#x} at pc {ins.pc} has no constant-pool index")
    return ins.index


def _method(c: cf.ClassFile, m: cf.Method) -> MethodFacts:
    static = m.is_static
    if m.code is None:
        return MethodFacts(m.name, m.descriptor, static, False)
    pool = c.pool
    strings: list[str] = []
    refs: list[tuple[str, str, str, str]] = []
    ints: list[int] = []
    shape = [0] * len(SHAPE)
    for ins in cf.instructions(m.code.bytecode):
        op = ins.opcode
        if op in _INVOKE:
            shape[INVOKES] += 1
            r = pool.member(_pool_index(ins))
            refs.append((REF_INVOKE, internal_to_desc(r.owner), r.name, r.descriptor))
        elif op == cf.INVOKEDYNAMIC:
            shape[INVOKES] += 1
        elif op in (cf.GETFIELD, cf.GETSTATIC):
            shape[READS] += 1
            r = pool.member(_pool_index(ins))
            refs.append((REF_READ, internal_to_desc(r.owner), r.name, r.descriptor))
        elif op in (cf.PUTFIELD, cf.PUTSTATIC):
            shape[WRITES] += 1
            r = pool.member(_pool_index(ins))
            refs.append((REF_WRITE, internal_to_desc(r.owner), r.name, r.descriptor))
        elif op in (cf.LDC, cf.LDC_W, cf.LDC2_W):
            tag = pool.tag(_pool_index(ins))
            if tag == cf.CONSTANT_String:
                strings.append(pool.string(_pool_index(ins)))
            elif tag in (cf.CONSTANT_Integer, cf.CONSTANT_Long):
                v = pool.literal(_pool_index(ins))
                if isinstance(v, int) and keep_int(v):
                    ints.append(v)
            elif tag == cf.CONSTANT_Class:
                refs.append((REF_TYPE, internal_to_desc(pool.class_name(_pool_index(ins))), "", ""))
        elif op in (cf.BIPUSH, cf.SIPUSH, cf.IINC) or cf.ICONST_M1 <= op <= cf.ICONST_5:
            if ins.value is not None and keep_int(ins.value):
                ints.append(ins.value)
        elif op in _BRANCH:
            shape[BRANCHES] += 1
        elif op in (cf.TABLESWITCH, cf.LOOKUPSWITCH):
            shape[SWITCHES] += 1
        elif op == cf.ATHROW:
            shape[THROWS] += 1
        elif op == cf.NEW:
            shape[NEWS] += 1
            refs.append((REF_NEW, internal_to_desc(pool.class_name(_pool_index(ins))), "", ""))
        elif op in (cf.CHECKCAST, cf.INSTANCEOF):
            shape[CASTS] += 1
            refs.append((REF_TYPE, internal_to_desc(pool.class_name(_pool_index(ins))), "", ""))
        elif op in (cf.ANEWARRAY, cf.MULTIANEWARRAY):
            t = pool.class_name(_pool_index(ins))
            t = "[" + internal_to_desc(t) if op == cf.ANEWARRAY else t
            if "L" in t:  # like DEX new-array: only arrays of references are type uses
                refs.append((REF_TYPE, t, "", ""))
    return MethodFacts(m.name, m.descriptor, static, True, tuple(strings), tuple(refs), tuple(ints), tuple(shape))
