"""Fuzz the DEX engine: portaudit.inputs.dex.DexFile (every accessor) and analyze_dex.

Contract: DexFile and its accessors raise only DexError (its docstring: "never IndexError /
struct.error"); analyze_dex never raises and none of its errors reports a contained
exception ("unreadable DEX (IndexError: ...)", "DEX analysis failed (...)").
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fuzz import _harness as H

NAME, KIND = "dex", "dex"
CAP = 200  # items walked per table


def walk(dex) -> None:
    """Touch every lazily parsed structure (bounded)."""
    from portaudit.inputs.dex import DexError

    def guarded(fn, *a):
        try:
            return fn(*a)
        except DexError:
            return None

    for i in range(min(dex.string_ids_size, CAP)):
        guarded(dex.string, i)
    for i in range(min(dex.type_ids_size, CAP)):
        guarded(dex.type_desc, i)
        guarded(dex.methods_of_class, i)
        guarded(dex.class_def_for_type, i)
    for i in range(min(dex.proto_ids_size, CAP)):
        guarded(dex.proto, i)
    for i in range(min(dex.method_ids_size, CAP)):
        guarded(dex.method_ref, i)
        guarded(dex.method_str, i)
    for i in range(min(dex.field_ids_size, CAP)):
        guarded(dex.field_ref, i)
    guarded(dex.map_items)
    guarded(dex.find_string, "Ljava/net/ServerSocket;")
    guarded(dex.find_type, "Ljava/net/ServerSocket;")
    guarded(dex.types_with_simple_name, "ServerSocket")
    guarded(dex.has_class_with_prefix, "Lcom/")
    guarded(dex.find_method, "Ljava/net/ServerSocket;", "<init>", None, None)
    cm = guarded(dex.code_map)
    guarded(dex.class_def_types)
    for cd in range(min(dex.class_defs_size, CAP)):
        guarded(dex.class_def, cd)
        guarded(dex.class_data, cd)
        guarded(dex.static_values, cd)
    if cm:
        offs = list(cm[0])[:CAP]
        for off in offs:
            code = guarded(dex.code_item, off)
            if code is not None:
                guarded(dex.tries, code)
                guarded(dex.method_for_offset, off)


def fix_file_size(data: bytes) -> bytes:
    """The header's file_size set to the real length, so mutations that insert or erase bytes
    reach the tables instead of stopping at the size check."""
    if len(data) < 0x70:
        return data
    return data[:0x20] + len(data).to_bytes(4, "little") + data[0x24:]


def test_one_input(data: bytes) -> None:
    check(data)
    fixed = fix_file_size(data)
    if fixed != data:
        check(fixed)


def check(data: bytes) -> None:
    from portaudit.inputs.dex import DexError, DexFile, analyze_dex

    try:
        dex = DexFile(data, "classes.dex")
    except DexError:
        dex = None
    if dex is not None:
        walk(dex)
    res = analyze_dex([("classes.dex", data)], app_package=None, limits=H.small_limits())
    H.check_messages(res.errors, "analyze_dex")


if __name__ == "__main__":
    H.main(NAME, KIND, test_one_input, ["portaudit.inputs.dex"])
