"""aapt2's protobuf formats (Android App Bundles): the manifest (``XmlNode``) and ``resources.pb``.

A small protobuf reader (varints and length-delimited fields only) decodes ``XmlNode`` /
``XmlElement`` / ``XmlAttribute`` (namespace, name, value, ``resource_id``, ``compiled_item``:
reference, string, boolean or integer primitive) into the same :class:`~.axml.Element` tree as
binary XML, and ``resources.pb`` into a table with the interface of :class:`~.arsc.ResourceTable`.
Field numbers are those of aapt2's ``Resources.proto`` / ``ResourcesInternal.proto``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from ...errors import InputError
from .arsc import ResourceTable
from .axml import Attr, Element
from .resvalue import Value


def _varint(b: bytes, p: int) -> tuple[int, int]:
    shift = 0
    out = 0
    while True:
        if p >= len(b) or shift > 63:
            raise ValueError("truncated varint")
        c = b[p]
        p += 1
        out |= (c & 0x7F) << shift
        if not c & 0x80:
            return out, p
        shift += 7


def _fields(b: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of one protobuf message; value is int or bytes."""
    p = 0
    n = len(b)
    v: int | bytes
    while p < n:
        key, p = _varint(b, p)
        fno, wt = key >> 3, key & 7
        if wt == 0:
            v, p = _varint(b, p)
        elif wt == 1:
            v = int.from_bytes(b[p:p + 8], "little")
            p += 8
        elif wt == 2:
            ln, p = _varint(b, p)
            if p + ln > n:
                raise ValueError("truncated field")
            v = b[p:p + ln]
            p += ln
        elif wt == 5:
            v = int.from_bytes(b[p:p + 4], "little")
            p += 4
        else:
            raise ValueError(f"unsupported wire type {wt}")
        yield fno, wt, v


def _pb_item(b: bytes) -> Value | None:
    """aapt.pb.Item -> Value (ref=1, str=2, raw_str=3, prim=7)."""
    for fno, wt, v in _fields(b):
        if wt != 2:
            continue
        if fno == 1:  # Reference { type=1; id=2; name=3 }
            rid = 0
            for f2, w2, v2 in _fields(v):
                if f2 == 2 and w2 == 0:
                    rid = v2
            return Value("ref", rid)
        if fno in (2, 3):  # String / RawString { value=1 }
            for f2, w2, v2 in _fields(v):
                if f2 == 1 and w2 == 2:
                    return Value("string", v2.decode("utf-8", "replace"))
            return Value("string", "")
        if fno == 7:  # Primitive
            for f2, w2, v2 in _fields(v):
                if f2 == 8:
                    return Value("bool", bool(v2))
                if f2 in (6, 7) and w2 == 0:
                    return Value("int", v2)
            return Value("other", None)
    return None


def _pb_element(b: bytes, depth: int = 0) -> Element:
    """aapt.pb.XmlElement: namespace_uri=2, name=3, attribute=4, child=5 (XmlNode)."""
    if depth > 200:
        raise InputError("AndroidManifest.xml (protobuf) nests too deeply")
    el = Element(tag="")
    for fno, wt, v in _fields(b):
        if wt != 2:
            continue
        if fno == 3:
            el.tag = v.decode("utf-8", "replace")
        elif fno == 4:
            el.attrs.append(_pb_attribute(v))
        elif fno == 5:  # XmlNode: element=1
            for f2, w2, v2 in _fields(v):
                if f2 == 1 and w2 == 2:
                    el.children.append(_pb_element(v2, depth + 1))
    return el


def _pb_attribute(b: bytes) -> Attr:
    """aapt.pb.XmlAttribute: ns=1 name=2 value=3 resource_id=5 compiled_item=6."""
    ns = name = raw = ""
    rid = None
    item = None
    for f2, w2, v2 in _fields(b):
        if f2 == 1 and w2 == 2:
            ns = v2.decode("utf-8", "replace")
        elif f2 == 2 and w2 == 2:
            name = v2.decode("utf-8", "replace")
        elif f2 == 3 and w2 == 2:
            raw = v2.decode("utf-8", "replace")
        elif f2 == 5 and w2 == 0:
            rid = v2 or None
        elif f2 == 6 and w2 == 2:
            item = _pb_item(v2)
    return Attr(ns=ns, name=name, res_id=rid, value=item or Value("string", raw))


def parse_proto_manifest(data: bytes) -> Element:
    try:
        for fno, wt, v in _fields(data):
            if fno == 1 and wt == 2:
                return _pb_element(v)
    except (ValueError, IndexError) as exc:
        raise InputError(f"AndroidManifest.xml (protobuf) is corrupt: {exc}") from None
    raise InputError("AndroidManifest.xml (protobuf) holds no element")


class ProtoResourceTable(ResourceTable):
    """resources.pb (aapt2 ResourceTable proto) for AAB reference resolution."""

    def __init__(self, data: bytes):
        self.values = {}
        self.names = {}
        self.strings = []
        self._pending = {}
        self.damaged = False
        with contextlib.suppress(ValueError, IndexError):
            self._parse_pb(data)

    def _parse_pb(self, data: bytes) -> None:
        """ResourceTable { package=2 } -> Package { package_id=1; type=3 }."""
        for fno, wt, pkg in _fields(data):
            if fno != 2 or wt != 2:
                continue
            pid = 0
            types = []
            for f2, w2, v2 in _fields(pkg):
                if f2 == 1 and w2 == 2:
                    pid = _id(v2)
                elif f2 == 3 and w2 == 2:
                    types.append(v2)
            for t in types:
                self._pb_type(pid, t)

    def _pb_type(self, pid: int, t: bytes) -> None:
        """Type { type_id=1; name=2; entry=3 }"""
        tid = 0
        tname = ""
        entries = []
        for f3, w3, v3 in _fields(t):
            if f3 == 1 and w3 == 2:
                tid = _id(v3)
            elif f3 == 2 and w3 == 2:
                tname = v3.decode("utf-8", "replace")
            elif f3 == 3 and w3 == 2:
                entries.append(v3)
        for e in entries:
            self._entry(pid, tid, tname, e)

    def _entry(self, pid: int, tid: int, tname: str, e: bytes) -> None:
        """Entry { entry_id=1; name=2; config_value=6 }; the default configuration's value first."""
        eid = 0
        ename = ""
        vals: list[Value] = []
        for f4, w4, v4 in _fields(e):
            if f4 == 1 and w4 == 2:
                eid = _id(v4)
            elif f4 == 2 and w4 == 2:
                ename = v4.decode("utf-8", "replace")
            elif f4 == 6 and w4 == 2:
                cfg, val = _config_value(v4)
                if val is not None:
                    if cfg:
                        vals.append(val)
                    else:
                        vals.insert(0, val)
        rid = (pid << 24) | (tid << 16) | eid
        self.names[rid] = f"@{tname}/{ename}"
        if vals:
            self.values[rid] = vals


def _id(b: bytes) -> int:
    """PackageId / TypeId / EntryId { id=1 }"""
    return next((v for f, w, v in _fields(b) if f == 1 and w == 0), 0)


def _config_value(b: bytes) -> tuple[bytes, Value | None]:
    """ConfigValue { config=1; value=2 } with Value { item=4 }."""
    cfg = b""
    val = None
    for f5, w5, v5 in _fields(b):
        if f5 == 1 and w5 == 2:
            cfg = v5
        elif f5 == 2 and w5 == 2:
            for f6, w6, v6 in _fields(v5):
                if f6 == 4 and w6 == 2:
                    val = _pb_item(v6)
    return cfg, val
