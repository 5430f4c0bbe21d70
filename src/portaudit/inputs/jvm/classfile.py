"""A small, bounds-checked reader of JVM class files (JVMS chapter 4).

``parse_class(data)`` returns a :class:`ClassFile` with its constant pool, fields, methods and
their ``Code`` attributes; :func:`instructions` decodes a method's bytecode into
:class:`Instruction` records (opcode, constant-pool or local index, literal, branch targets).
Every read is checked against the end of the buffer: a damaged file raises
:class:`ClassFormatError` with one line saying what is wrong, never ``IndexError`` or
``struct.error``.  Nothing here knows about listeners or libraries.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

MAGIC = 0xCAFEBABE

# access flags (JVMS 4.1, 4.5, 4.6)
ACC_PUBLIC = 0x0001
ACC_PRIVATE = 0x0002
ACC_PROTECTED = 0x0004
ACC_STATIC = 0x0008
ACC_FINAL = 0x0010
ACC_SYNCHRONIZED = 0x0020
ACC_VOLATILE = 0x0040
ACC_BRIDGE = 0x0040
ACC_NATIVE = 0x0100
ACC_INTERFACE = 0x0200
ACC_ABSTRACT = 0x0400
ACC_SYNTHETIC = 0x1000
ACC_ANNOTATION = 0x2000
ACC_ENUM = 0x4000

# constant pool tags (JVMS 4.4)
CONSTANT_Utf8 = 1
CONSTANT_Integer = 3
CONSTANT_Float = 4
CONSTANT_Long = 5
CONSTANT_Double = 6
CONSTANT_Class = 7
CONSTANT_String = 8
CONSTANT_Fieldref = 9
CONSTANT_Methodref = 10
CONSTANT_InterfaceMethodref = 11
CONSTANT_NameAndType = 12
CONSTANT_MethodHandle = 15
CONSTANT_MethodType = 16
CONSTANT_Dynamic = 17
CONSTANT_InvokeDynamic = 18
CONSTANT_Module = 19
CONSTANT_Package = 20

_ENTRY_SIZE = {
    CONSTANT_Integer: 4, CONSTANT_Float: 4, CONSTANT_Long: 8, CONSTANT_Double: 8,
    CONSTANT_Class: 2, CONSTANT_String: 2, CONSTANT_Fieldref: 4, CONSTANT_Methodref: 4,
    CONSTANT_InterfaceMethodref: 4, CONSTANT_NameAndType: 4, CONSTANT_MethodHandle: 3,
    CONSTANT_MethodType: 2, CONSTANT_Dynamic: 4, CONSTANT_InvokeDynamic: 4, CONSTANT_Module: 2,
    CONSTANT_Package: 2,
}


class ClassFormatError(Exception):
    """The bytes are not a well-formed class file; the message says what and where."""


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int = 0):
        self.data = data
        self.pos = pos

    def take(self, n: int, what: str) -> bytes:
        end = self.pos + n
        if n < 0 or end > len(self.data):
            raise ClassFormatError(f"{what} at offset {self.pos} runs past the end ({len(self.data)} bytes)")
        b = self.data[self.pos:end]
        self.pos = end
        return b

    def u1(self, what: str) -> int:
        return self.take(1, what)[0]

    def u2(self, what: str) -> int:
        return int.from_bytes(self.take(2, what), "big")

    def u4(self, what: str) -> int:
        return int.from_bytes(self.take(4, what), "big")


@dataclass(frozen=True)
class MemberRef:
    """A Fieldref / Methodref / InterfaceMethodref: owner class (internal name), name, descriptor."""

    owner: str
    name: str
    descriptor: str
    interface: bool = False


class ConstantPool:
    """The constant pool: raw entries by index, decoded on access."""

    def __init__(self, data: bytes, entries: list[tuple[int, int] | None]):
        self._data = data
        self._entries = entries  # index -> (tag, offset of the entry's body) or None
        self._utf8: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def tag(self, i: int) -> int:
        e = self._entry(i)
        return e[0]

    def _entry(self, i: int) -> tuple[int, int]:
        e = self._entries[i] if 0 < i < len(self._entries) else None
        if e is None:
            raise ClassFormatError(f"constant pool index {i} is not a valid entry")
        return e

    def _expect(self, i: int, *tags: int) -> int:
        tag, off = self._entry(i)
        if tag not in tags:
            raise ClassFormatError(f"constant pool entry {i} has tag {tag}, expected {tags}")
        return off

    def _u2(self, off: int) -> int:
        return int.from_bytes(self._data[off:off + 2], "big")

    def utf8(self, i: int) -> str:
        s = self._utf8.get(i)
        if s is None:
            off = self._expect(i, CONSTANT_Utf8)
            n = self._u2(off)
            s = decode_modified_utf8(self._data[off + 2:off + 2 + n])
            self._utf8[i] = s
        return s

    def class_name(self, i: int) -> str:
        """Internal name (``java/lang/String``, or an array descriptor) of a Class entry."""
        return self.utf8(self._u2(self._expect(i, CONSTANT_Class)))

    def string(self, i: int) -> str:
        return self.utf8(self._u2(self._expect(i, CONSTANT_String)))

    def name_and_type(self, i: int) -> tuple[str, str]:
        off = self._expect(i, CONSTANT_NameAndType)
        return self.utf8(self._u2(off)), self.utf8(self._u2(off + 2))

    def member(self, i: int) -> MemberRef:
        off = self._expect(i, CONSTANT_Fieldref, CONSTANT_Methodref, CONSTANT_InterfaceMethodref)
        tag = self._entry(i)[0]
        name, desc = self.name_and_type(self._u2(off + 2))
        return MemberRef(self.class_name(self._u2(off)), name, desc, tag == CONSTANT_InterfaceMethodref)

    def invoke_dynamic(self, i: int) -> tuple[int, str, str]:
        """(bootstrap method index, name, descriptor) of an InvokeDynamic / Dynamic entry."""
        off = self._expect(i, CONSTANT_InvokeDynamic, CONSTANT_Dynamic)
        name, desc = self.name_and_type(self._u2(off + 2))
        return self._u2(off), name, desc

    def literal(self, i: int) -> int | float | str:
        """The value of an Integer / Float / Long / Double / String entry."""
        tag, off = self._entry(i)
        d = self._data
        if tag == CONSTANT_Integer:
            return struct.unpack_from(">i", d, off)[0]
        if tag == CONSTANT_Float:
            return struct.unpack_from(">f", d, off)[0]
        if tag == CONSTANT_Long:
            return struct.unpack_from(">q", d, off)[0]
        if tag == CONSTANT_Double:
            return struct.unpack_from(">d", d, off)[0]
        if tag == CONSTANT_String:
            return self.string(i)
        raise ClassFormatError(f"constant pool entry {i} (tag {tag}) is not a literal")


def decode_modified_utf8(raw: bytes) -> str:
    """JVM "modified UTF-8" (NUL as C0 80, supplementary characters as surrogate pairs)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    out: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        b = raw[i]
        if b < 0x80:
            out.append(b)
            i += 1
        elif b & 0xE0 == 0xC0 and i + 1 < n:
            out.append(((b & 0x1F) << 6) | (raw[i + 1] & 0x3F))
            i += 2
        elif b & 0xF0 == 0xE0 and i + 2 < n:
            out.append(((b & 0x0F) << 12) | ((raw[i + 1] & 0x3F) << 6) | (raw[i + 2] & 0x3F))
            i += 3
        else:
            out.append(0xFFFD)
            i += 1
    units = struct.pack(f"<{len(out)}H", *out)
    return units.decode("utf-16-le", errors="replace")


@dataclass(frozen=True)
class ExceptionHandler:
    start_pc: int
    end_pc: int
    handler_pc: int
    catch_type: str | None  # internal name, None for "any" (finally)


@dataclass(frozen=True)
class Code:
    max_stack: int
    max_locals: int
    bytecode: bytes
    handlers: tuple[ExceptionHandler, ...]


@dataclass(frozen=True)
class Field:
    access: int
    name: str
    descriptor: str
    constant: int | float | str | None  # ConstantValue attribute


@dataclass(frozen=True)
class Method:
    access: int
    name: str
    descriptor: str
    code: Code | None

    @property
    def is_static(self) -> bool:
        return bool(self.access & ACC_STATIC)


@dataclass(frozen=True)
class ClassFile:
    major: int
    minor: int
    access: int
    name: str  # internal name: io/netty/bootstrap/ServerBootstrap
    super_name: str | None  # None only for java/lang/Object and module-info
    interfaces: tuple[str, ...]
    fields: tuple[Field, ...]
    methods: tuple[Method, ...]
    pool: ConstantPool

    @property
    def is_interface(self) -> bool:
        return bool(self.access & ACC_INTERFACE)


def parse_class(data: bytes) -> ClassFile:
    """Parse one class file.  Raises ClassFormatError on anything malformed."""
    data = bytes(data)
    r = _Reader(data)
    if r.u4("magic") != MAGIC:
        raise ClassFormatError("not a class file (bad magic)")
    minor = r.u2("minor version")
    major = r.u2("major version")
    if not 45 <= major <= 70:
        raise ClassFormatError(f"unsupported class file major version {major}")
    count = r.u2("constant pool count")
    entries: list[tuple[int, int] | None] = [None] * max(count, 1)
    i = 1
    while i < count:
        tag = r.u1(f"constant pool tag {i}")
        if tag == CONSTANT_Utf8:
            body = r.pos
            n = r.u2(f"utf8 length of constant {i}")
            r.take(n, f"utf8 constant {i}")
            entries[i] = (tag, body)
            i += 1
            continue
        size = _ENTRY_SIZE.get(tag)
        if size is None:
            raise ClassFormatError(f"constant pool entry {i} has unknown tag {tag}")
        entries[i] = (tag, r.pos)
        r.take(size, f"constant pool entry {i}")
        i += 2 if tag in (CONSTANT_Long, CONSTANT_Double) else 1
    pool = ConstantPool(data, entries)
    access = r.u2("access flags")
    name = pool.class_name(r.u2("this_class"))
    sup = r.u2("super_class")
    super_name = pool.class_name(sup) if sup else None
    n_if = r.u2("interfaces count")
    interfaces = tuple(pool.class_name(r.u2("interface index")) for _ in range(n_if))
    fields = tuple(_field(r, pool) for _ in range(r.u2("fields count")))
    methods = tuple(_method(r, pool) for _ in range(r.u2("methods count")))
    for _ in range(r.u2("class attributes count")):
        r.u2("attribute name")
        r.take(r.u4("attribute length"), "class attribute")
    return ClassFile(major, minor, access, name, super_name, interfaces, fields, methods, pool)


def _field(r: _Reader, pool: ConstantPool) -> Field:
    access = r.u2("field access flags")
    name = pool.utf8(r.u2("field name"))
    desc = pool.utf8(r.u2("field descriptor"))
    constant = None
    for _ in range(r.u2("field attributes count")):
        aname = pool.utf8(r.u2("field attribute name"))
        body = r.take(r.u4("field attribute length"), f"attribute {aname} of field {name}")
        if aname == "ConstantValue" and len(body) == 2:
            constant = pool.literal(int.from_bytes(body, "big"))
    return Field(access, name, desc, constant)


def _method(r: _Reader, pool: ConstantPool) -> Method:
    access = r.u2("method access flags")
    name = pool.utf8(r.u2("method name"))
    desc = pool.utf8(r.u2("method descriptor"))
    code = None
    for _ in range(r.u2("method attributes count")):
        aname = pool.utf8(r.u2("method attribute name"))
        body = r.take(r.u4("method attribute length"), f"attribute {aname} of method {name}")
        if aname == "Code":
            code = _code(body, pool, name)
    return Method(access, name, desc, code)


def _code(body: bytes, pool: ConstantPool, where: str) -> Code:
    r = _Reader(body)
    max_stack = r.u2(f"max_stack of {where}")
    max_locals = r.u2(f"max_locals of {where}")
    n = r.u4(f"code length of {where}")
    if not 0 < n <= 65535:
        raise ClassFormatError(f"code length {n} of {where} is out of range")
    bytecode = r.take(n, f"code of {where}")
    handlers = []
    for _ in range(r.u2(f"exception table length of {where}")):
        s, e, h, t = (r.u2("exception table entry") for _ in range(4))
        handlers.append(ExceptionHandler(s, e, h, pool.class_name(t) if t else None))
    return Code(max_stack, max_locals, bytecode, tuple(handlers))


# ---- bytecode ---------------------------------------------------------------------------------

# operand bytes after the opcode; -1: variable (tableswitch, lookupswitch, wide)
_OPERANDS = [0] * 256
for _op in (0x10, 0x12, 0x15, 0x16, 0x17, 0x18, 0x19, 0x36, 0x37, 0x38, 0x39, 0x3A, 0xA9, 0xBC):
    _OPERANDS[_op] = 1  # bipush, ldc, xload, xstore, ret, newarray
for _op in (0x11, 0x13, 0x14, 0x84, *range(0x99, 0xA9), 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8,
            0xBB, 0xBD, 0xC0, 0xC1, 0xC6, 0xC7):
    _OPERANDS[_op] = 2  # sipush, ldc_w, ldc2_w, iinc, branches, field/method refs, new, anewarray, casts
_OPERANDS[0xC5] = 3  # multianewarray
_OPERANDS[0xB9] = 4  # invokeinterface
_OPERANDS[0xBA] = 4  # invokedynamic
_OPERANDS[0xC8] = 4  # goto_w
_OPERANDS[0xC9] = 4  # jsr_w
for _op in (0xAA, 0xAB, 0xC4):
    _OPERANDS[_op] = -1
for _op in range(0xCA, 0x100):
    _OPERANDS[_op] = -2  # reserved / undefined

BRANCH_OPS = frozenset((*range(0x99, 0xA9), 0xC6, 0xC7, 0xC8, 0xC9))
INVOKE_OPS = frozenset((0xB6, 0xB7, 0xB8, 0xB9, 0xBA))
FIELD_OPS = frozenset((0xB2, 0xB3, 0xB4, 0xB5))

LDC, LDC_W, LDC2_W = 0x12, 0x13, 0x14
BIPUSH, SIPUSH = 0x10, 0x11
IINC = 0x84
ICONST_M1, ICONST_5 = 0x02, 0x08
LCONST_0, LCONST_1 = 0x09, 0x0A
TABLESWITCH, LOOKUPSWITCH, WIDE = 0xAA, 0xAB, 0xC4
GOTO, GOTO_W = 0xA7, 0xC8
NEW, NEWARRAY, ANEWARRAY, MULTIANEWARRAY = 0xBB, 0xBC, 0xBD, 0xC5
ATHROW, CHECKCAST, INSTANCEOF = 0xBF, 0xC0, 0xC1
MONITORENTER = 0xC2
GETSTATIC, PUTSTATIC, GETFIELD, PUTFIELD = 0xB2, 0xB3, 0xB4, 0xB5
INVOKEVIRTUAL, INVOKESPECIAL, INVOKESTATIC, INVOKEINTERFACE, INVOKEDYNAMIC = 0xB6, 0xB7, 0xB8, 0xB9, 0xBA


@dataclass(frozen=True)
class Instruction:
    pc: int
    opcode: int
    index: int | None = None  # constant pool index, local variable index or newarray type
    value: int | None = None  # bipush / sipush / iconst literal, iinc increment
    targets: tuple[int, ...] = ()  # absolute branch / switch targets (default first for switches)


def instructions(bytecode: bytes) -> Iterator[Instruction]:
    """Decode bytecode in order.  Raises ClassFormatError on a truncated or undefined instruction."""
    r = _Reader(bytecode)
    n = len(bytecode)
    while r.pos < n:
        pc = r.pos
        op = r.u1("opcode")
        k = _OPERANDS[op]
        if k == -2:
            raise ClassFormatError(f"undefined opcode {op:#x} at pc {pc}")
        if k == 0:
            if ICONST_M1 <= op <= ICONST_5:
                yield Instruction(pc, op, value=op - 0x03)
            else:
                yield Instruction(pc, op)
        elif op in (TABLESWITCH, LOOKUPSWITCH):
            r.take((4 - (r.pos % 4)) % 4, f"switch padding at pc {pc}")
            default = pc + _s32(r.u4(f"switch default at pc {pc}"))
            targets = [default]
            if op == TABLESWITCH:
                low = _s32(r.u4("tableswitch low"))
                high = _s32(r.u4("tableswitch high"))
                if high < low or high - low > n:
                    raise ClassFormatError(f"tableswitch at pc {pc} has bad bounds {low}..{high}")
                targets += [pc + _s32(r.u4("tableswitch offset")) for _ in range(high - low + 1)]
            else:
                npairs = _s32(r.u4("lookupswitch npairs"))
                if not 0 <= npairs <= n:
                    raise ClassFormatError(f"lookupswitch at pc {pc} has bad pair count {npairs}")
                for _ in range(npairs):
                    r.u4("lookupswitch match")
                    targets.append(pc + _s32(r.u4("lookupswitch offset")))
            yield Instruction(pc, op, targets=tuple(targets))
        elif op == WIDE:
            inner = r.u1(f"wide opcode at pc {pc}")
            idx = r.u2(f"wide index at pc {pc}")
            if inner == 0x84:
                yield Instruction(pc, inner, index=idx, value=_s16(r.u2("wide iinc")))
            else:
                yield Instruction(pc, inner, index=idx)
        else:
            raw = r.take(k, f"operands of opcode {op:#x} at pc {pc}")
            if op in BRANCH_OPS:
                off = _s32(int.from_bytes(raw, "big")) if k == 4 else _s16(int.from_bytes(raw, "big"))
                yield Instruction(pc, op, targets=(pc + off,))
            elif op == BIPUSH:
                yield Instruction(pc, op, value=_s8(raw[0]))
            elif op == SIPUSH:
                yield Instruction(pc, op, value=_s16(int.from_bytes(raw, "big")))
            elif op == 0x84:  # iinc
                yield Instruction(pc, op, index=raw[0], value=_s8(raw[1]))
            elif k == 1:
                yield Instruction(pc, op, index=raw[0])
            else:
                yield Instruction(pc, op, index=int.from_bytes(raw[:2], "big"))


def _s8(v: int) -> int:
    return v - 0x100 if v & 0x80 else v


def _s16(v: int) -> int:
    return v - 0x10000 if v & 0x8000 else v


def _s32(v: int) -> int:
    return v - 0x1_0000_0000 if v & 0x8000_0000 else v


def split_descriptor(desc: str) -> tuple[tuple[str, ...], str]:
    """``(ILjava/lang/String;)V`` -> (("I", "Ljava/lang/String;"), "V")."""
    if not desc.startswith("(") or ")" not in desc:
        raise ClassFormatError(f"bad method descriptor {desc!r}")
    body, ret = desc[1:].split(")", 1)
    params: list[str] = []
    i = 0
    while i < len(body):
        j = i
        while j < len(body) and body[j] == "[":
            j += 1
        if j >= len(body):
            raise ClassFormatError(f"bad method descriptor {desc!r}")
        if body[j] == "L":
            k = body.find(";", j)
            if k < 0:
                raise ClassFormatError(f"bad method descriptor {desc!r}")
            j = k
        params.append(body[i:j + 1])
        i = j + 1
    return tuple(params), ret
