"""What a language family knows beyond the generic resolver: how its callees are resolved (types,
imports), what its fields and configuration calls mean, which calls reach a function.

One :class:`Family` subclass per family module (:mod:`.jvm`, :mod:`.js`, :mod:`.python`, :mod:`.go`,
:mod:`.dart`, :mod:`.apple`, :mod:`.c`), registered for its languages with :func:`register`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...model import Location
from ...values import Value
from . import lang as L

if TYPE_CHECKING:
    from .catalog import Spec
    from .detect import FileScan


@dataclass(frozen=True)
class FnInfo:
    """A function or method whose parameter reaches a listener: what is needed to find its callers
    in any file of the tree."""

    id: str
    file: str
    lang: str
    name: str  # as called ("start", "<init>" for a constructor)
    owner: str | None  # class (fully qualified for the JVM) or module that declares it
    params: tuple[str, ...]
    defaults: tuple[Value | None, ...]
    location: Location
    kind: str = "function"  # function | method | ctor
    static: bool = False
    private: bool = False
    offset: int = 0  # leading parameters that callers do not pass (Python self / cls)
    note: str | None = None  # why callers may be outside the tree (exported, gomobile ...)
    types: tuple[str | None, ...] = ()  # declared parameter types (JVM), to tell overloads apart


@dataclass(frozen=True)
class FieldRef:
    """A field (or module-level variable) whose writes must be collected."""

    id: str
    owner: str  # class (fully qualified) or module
    name: str
    file: str  # declaring file ("" when not known)
    lang: str
    private: bool = False


@dataclass(frozen=True)
class CallRef:
    """A call whose result is a value on the way (a getter of another file)."""

    id: str
    owner: str | None  # the callee's class / module, as resolved at the call
    name: str
    args: tuple[Value, ...]
    location: Location
    lang: str


@dataclass
class Caller:
    """One call of a function, with its arguments by parameter index."""

    location: Location
    args: dict[int, Value]
    text: str
    symbols: dict[str, Any] = field(default_factory=dict)
    hops: list[Any] = field(default_factory=list)


@dataclass
class FieldFacts:
    """What a file knows about one field: its declaration (where it is declared) and its writes."""

    declared: bool = False
    final: bool = False
    initializer: Value | None = None
    init_location: Location | None = None
    writes: list[tuple[Value, Location, str]] = field(default_factory=list)  # (value, where, how)
    ctor_only: bool = True  # every write is in a constructor / initializer of the owner
    symbols: dict[str, Any] = field(default_factory=dict)


class Family:
    """The defaults: callees resolved by name inside one file (languages without type knowledge)."""

    name = "generic"
    langs: tuple[str, ...] = ()

    # -- matching catalogue entries ---------------------------------------------------
    def call_names(self, scan: "FileScan", call: L.Call) -> tuple[str, ...]:
        """The catalogue names this call may be (a constructor call is also ``<init>``)."""
        return (call.name,)

    def type_ok(self, scan: "FileScan", spec: "Spec", call: L.Call) -> bool:
        """Does the callee belong to the entry's classes / modules?"""
        return not spec.modules or any(scan.imports_module(m) for m in spec.modules)

    # -- values -------------------------------------------------------------------------
    def name_value(self, scan: "FileScan", node: Any, name: str, qual: str, depth: int,
                   seen: frozenset) -> Value | None:
        return None

    def unresolved_name(self, scan: "FileScan", node: Any, name: str, qual: str) -> Value | None:
        return None

    def call_value(self, scan: "FileScan", call: L.Call, depth: int, seen: frozenset) -> Value | None:
        return None

    # -- functions and callers ----------------------------------------------------------
    def function_id(self, scan: "FileScan", fn: L.Function) -> tuple[str, str | None, str, str]:
        """(id, owner, name as called, kind) of a function node."""
        return f"{scan.rel}::{fn.name}@{fn.node.start_byte}", scan.rel, fn.name, "function"

    def calls_function(self, scan: "FileScan", call: L.Call, fn: FnInfo) -> bool:
        """Does ``call`` (in this file) call ``fn``?  By default: an unqualified call of the same
        name in the declaring file, not shadowed."""
        return fn.file == scan.rel and call.receiver_text in ("", "this", "self", "cls", "super", "Self")

    def callee_of(self, scan: "FileScan", call: L.Call) -> FnInfo | CallRef | None:
        """The function of this file that ``call`` calls, when it is one (to follow its result); a
        family that resolves calls across files may name another file's method (a CallRef)."""
        if call.receiver_text not in ("", "this", "self"):
            return None
        for fn in scan.functions_named(call.name):
            return scan.fn_info(fn)
        return None

    def fn_extra(self, scan: "FileScan", fn: L.Function) -> dict[str, Any]:
        """More FnInfo fields for a function (static, private, note)."""
        return {}

    def extra_calls(self, scan: "FileScan") -> list[L.Call]:
        """Calls the name query cannot see (a listen function held in a variable)."""
        return []

    def candidate_calls(self, scan: "FileScan", fn: FnInfo) -> list[L.Call]:
        """Calls of this file that may call ``fn`` (checked one by one with :meth:`calls_function`)."""
        return scan.calls_named(fn.name)

    def field_facts(self, scan: "FileScan", ref: FieldRef) -> FieldFacts:
        """The declaration and the writes of a field seen in this file."""
        return FieldFacts()

    def returns_of(self, scan: "FileScan", ref: CallRef) -> tuple[Value, Location] | None:
        """The value a method of this file returns for the call ``ref``."""
        return None

    def origin_of(self, scan: "FileScan", node: Any) -> Any:
        return scan.origin

    def after(self, scan: "FileScan") -> None:
        """Facts found outside calls (assignments of debug switches)."""


FAMILIES: dict[str, Family] = {}
GENERIC = Family()


def register(fam: Family) -> Family:
    for lang in fam.langs:
        FAMILIES[lang] = fam
    return fam


def family_of(lang: str) -> Family:
    return FAMILIES.get(lang, GENERIC)


def word(name: str) -> re.Pattern[bytes]:
    return re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
