"""Resource values for the engine: ``getResources().getInteger(R.integer.port)`` reads an id that
javac inlined; the app's resources.arsc says what it is (the default configuration's value)."""

from __future__ import annotations

import struct
from collections.abc import Callable

from ..manifest import ResourceTable

Lookup = Callable[[int], tuple[str | None, int | str | bool | None]]


def resource_lookup(arsc: bytes | None) -> Lookup | None:
    """id -> (``@integer/port``, value) from resources.arsc bytes; None without a readable table."""
    if not arsc:
        return None
    try:
        table = ResourceTable(arsc)
    except (struct.error, IndexError, ValueError):
        return None

    def lookup(rid: int) -> tuple[str | None, int | str | bool | None]:
        v = table.resolve(rid)
        value = v.data if v is not None and v.kind in ("int", "string", "bool") else None
        return table.name(rid), value  # type: ignore[return-value]

    return lookup
