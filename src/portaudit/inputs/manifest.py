"""AndroidManifest.xml (binary AXML, or aapt2 protobuf in AABs) -> :class:`AppInfo`.

A small tolerant parser written for hostile inputs rather than a general XML
decoder.  It follows what Android's own ``ResXMLTree`` and package parser rely
on, not what the file claims about itself:

* ``android:`` attributes are recognised by their **resource id** (the resource
  map chunk), like the framework does, so renamed / emptied attribute names and
  odd namespaces do not hide ``debuggable``; names are the fallback.
* the string pool's declared count is clamped to what fits in its chunk;
  unreadable strings become ``""`` instead of failing the file;
* chunk sizes that are wrong (zero-size end-namespace nodes, junk between
  elements, unknown chunk types) are skipped by resynchronising on the next
  plausible chunk header;
* attribute start / size fields in a start-element chunk are honoured when sane
  and replaced by the standard 20 / 20 otherwise.

``resources.arsc`` is read just enough to resolve a reference to a value
(``@bool/x`` for ``android:debuggable``) and to a name (``@xml/nsc``).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from ..errors import InputError
from ..model import AppInfo

# android: attribute resource ids (frameworks/base/core/res/res/values/public.xml)
R_NAME = 0x01010003
R_DEBUGGABLE = 0x0101000F
R_EXPORTED = 0x01010010
R_VERSION_CODE = 0x0101021B
R_VERSION_NAME = 0x0101021C
R_CLEARTEXT = 0x010104EC
R_NSC = 0x01010527
R_MIN_SDK = 0x0101020C
R_TARGET_SDK = 0x01010270
ANDROID_NS = "http://schemas.android.com/apk/res/android"

_BY_NAME = {"name": R_NAME, "debuggable": R_DEBUGGABLE, "exported": R_EXPORTED,
            "versionCode": R_VERSION_CODE, "versionName": R_VERSION_NAME,
            "usesCleartextTraffic": R_CLEARTEXT, "networkSecurityConfig": R_NSC,
            "minSdkVersion": R_MIN_SDK, "targetSdkVersion": R_TARGET_SDK}

# Res_value data types
T_NULL, T_REFERENCE, T_ATTRIBUTE, T_STRING = 0x00, 0x01, 0x02, 0x03
T_INT_DEC, T_INT_HEX, T_INT_BOOLEAN = 0x10, 0x11, 0x12

_MAX_JUNK = 1 << 20
_KNOWN_CHUNKS = {0x0001, 0x0180, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}
COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")


@dataclass
class Value:
    """A typed attribute value (``kind``: "string", "bool", "int", "ref", "null", "other")."""

    kind: str
    data: object

    def __str__(self) -> str:
        if self.kind == "ref":
            return f"@0x{self.data:08x}"
        if self.kind == "bool":
            return "true" if self.data else "false"
        return str(self.data)


@dataclass
class Attr:
    ns: str
    name: str
    res_id: int | None
    value: Value


@dataclass
class Element:
    tag: str
    attrs: list[Attr] = field(default_factory=list)
    children: list[Element] = field(default_factory=list)

    def get(self, res_id: int) -> Value | None:
        """An android: attribute by resource id, falling back to its name."""
        for a in self.attrs:
            if a.res_id == res_id:
                return a.value
        want = next((k for k, v in _BY_NAME.items() if v == res_id), None)
        for a in self.attrs:
            if a.res_id is None and a.name == want and a.ns in (ANDROID_NS, "", "android"):
                return a.value
        if want:
            for a in self.attrs:  # odd namespace, no resource id: last resort
                if a.res_id is None and a.name == want:
                    return a.value
        return None

    def get_plain(self, name: str) -> Value | None:
        for a in self.attrs:
            if a.name == name and not a.ns and a.res_id is None:
                return a.value
        for a in self.attrs:
            if a.name == name:
                return a.value
        return None

    def iter(self, tag: str):
        for c in self.children:
            if c.tag == tag:
                yield c


# --------------------------------------------------------------------- string pool
def _read_string_pool(data: bytes, off: int) -> list[str]:
    """Strings of a ResStringPool chunk at ``off``; tolerant of lying counts/sizes."""
    if off + 28 > len(data):
        return []
    _type, hsize, size, count, _styles, flags, str_start, _style_start = struct.unpack_from(
        "<HHIIIIII", data, off)
    end = min(off + size, len(data)) if size >= 28 else len(data)
    max_count = max(0, (end - off - hsize) // 4) if hsize >= 28 else max(0, (end - off - 28) // 4)
    count = min(count, max_count, 1_000_000)
    base = off + (hsize if 28 <= hsize < size else 28)
    utf8 = bool(flags & (1 << 8))
    sdata = off + str_start
    out: list[str] = []
    for i in range(count):
        (so,) = struct.unpack_from("<I", data, base + 4 * i)
        p = sdata + so
        try:
            out.append(_read_string(data, p, utf8, end if end > p else len(data)))
        except (IndexError, struct.error, ValueError):
            out.append("")
    return out


def _read_string(data: bytes, p: int, utf8: bool, end: int) -> str:
    if utf8:
        n = data[p]
        p += 1
        if n & 0x80:
            p += 1
        blen = data[p]
        p += 1
        if blen & 0x80:
            blen = ((blen & 0x7F) << 8) | data[p]
            p += 1
        raw = data[p:min(p + blen, len(data))]
        return raw.decode("utf-8", errors="replace")
    (n,) = struct.unpack_from("<H", data, p)
    p += 2
    if n & 0x8000:
        (lo,) = struct.unpack_from("<H", data, p)
        n = ((n & 0x7FFF) << 16) | lo
        p += 2
    raw = data[p:min(p + 2 * n, len(data))]
    return raw.decode("utf-16-le", errors="replace")


# --------------------------------------------------------------------- AXML
class AXML:
    """Parsed binary XML: the root element plus notes about anything odd."""

    def __init__(self, data: bytes):
        self.notes: list[str] = []
        self.strings: list[str] = []
        self.res_ids: list[int] = []
        self.root: Element | None = None
        # An attribute takes 20 bytes, so a file holds at most len/20 of them; elements that claim
        # more read overlapping bytes again and again (quadratic work): stop there.
        self._attrs_left = len(data) // 20 + 64
        self._parse(data)

    def _s(self, idx: int) -> str:
        if 0 <= idx < len(self.strings):
            return self.strings[idx]
        return ""

    def _parse(self, data: bytes) -> None:
        if len(data) < 8:
            raise InputError("AndroidManifest.xml is too short to be binary XML")
        if data[:1] == b"<" or data[:5] == b"\xef\xbb\xbf<?":
            raise InputError("AndroidManifest.xml is plain-text XML, not compiled binary XML")
        typ, hsize, _size = struct.unpack_from("<HHI", data, 0)
        if typ != 0x0003:
            self.notes.append(f"unexpected AXML file type 0x{typ:04x}")
        pos = 8 if hsize != 8 or typ != 0x0003 else hsize
        stack: list[Element] = []
        roots: list[Element] = []
        n = len(data)
        junk = 0
        while pos + 8 <= n:
            ctype, chsize, csize = struct.unpack_from("<HHI", data, pos)
            if ctype == 0x0101 and csize < 8:  # zero-size end-namespace trick
                self.notes.append("end-namespace chunk with a wrong size")
                pos += 24
                continue
            if not (8 <= chsize <= csize) or pos + csize > n or (
                    ctype not in _KNOWN_CHUNKS and not self._lands_on_chunk(data, pos + csize)):
                pos += 1
                junk += 1
                if junk > _MAX_JUNK:
                    self.notes.append("too much junk between chunks; rest of the file ignored")
                    break
                continue
            body_end = min(pos + csize, n)
            if ctype == 0x0001:
                if not self.strings:
                    self.strings = _read_string_pool(data, pos)
                    declared = struct.unpack_from("<I", data, pos + 8)[0] if pos + 12 <= n else 0
                    if declared != len(self.strings):
                        self.notes.append(
                            f"string pool declares {declared} strings, {len(self.strings)} readable")
            elif ctype == 0x0180:
                cnt = (body_end - pos - chsize) // 4
                self.res_ids = list(struct.unpack_from(f"<{cnt}I", data, pos + chsize)) if cnt > 0 else []
            elif ctype == 0x0102:
                el = self._start_element(data, pos, chsize, body_end)
                if el is not None:
                    if stack:
                        stack[-1].children.append(el)
                    else:
                        roots.append(el)
                    stack.append(el)
            elif ctype == 0x0103:
                if stack:
                    stack.pop()
            elif ctype in (0x0100, 0x0101, 0x0104):
                pass
            else:
                self.notes.append(f"unknown chunk type 0x{ctype:04x}")
            pos += max(csize, chsize)
        if junk:
            self.notes.append(f"{junk} bytes of junk between chunks skipped")
        if not roots:
            raise InputError("AndroidManifest.xml: no XML element could be decoded (garbage AXML)")
        self.root = next((r for r in roots if r.tag == "manifest"), roots[0])

    @staticmethod
    def _lands_on_chunk(data: bytes, pos: int) -> bool:
        if pos == len(data):
            return True
        if pos + 8 > len(data):
            return False
        t, h, sz = struct.unpack_from("<HHI", data, pos)
        return t in _KNOWN_CHUNKS and 8 <= h <= sz

    def _start_element(self, data: bytes, pos: int, hsize: int, end: int) -> Element | None:
        ext = pos + hsize
        if ext + 20 > end:
            return None
        _ns_i, name_i, a_start, a_size, a_count = struct.unpack_from("<iiHHH", data, ext)
        if a_size < 20:
            self.notes.append("start element with a wrong attribute size")
            a_size = 20
        a_start = max(a_start, 20)
        el = Element(tag=self._s(name_i))
        p = ext + a_start
        for _ in range(a_count):
            if p + 20 > len(data):
                if p + 20 > end:
                    self.notes.append(f"element <{el.tag}> attributes run past its chunk")
                break
            if self._attrs_left <= 0:
                if self._attrs_left == 0:
                    self.notes.append("elements claim more attributes than the file holds; the rest ignored")
                    self._attrs_left = -1
                break
            self._attrs_left -= 1
            a_ns, a_name, a_raw, _vsize, _res0, vtype, vdata = struct.unpack_from("<iiiHBBI", data, p)
            p += a_size
            rid = self.res_ids[a_name] if 0 <= a_name < len(self.res_ids) else None
            if rid == 0:
                rid = None
            el.attrs.append(Attr(ns=self._s(a_ns), name=self._s(a_name), res_id=rid,
                                 value=self._value(vtype, vdata, a_raw)))
        return el

    def _value(self, vtype: int, vdata: int, raw: int) -> Value:
        if vtype == T_STRING:
            return Value("string", self._s(vdata))
        if vtype == T_INT_BOOLEAN:
            return Value("bool", vdata != 0)
        if vtype in (T_INT_DEC, T_INT_HEX):
            return Value("int", vdata)
        if vtype == T_REFERENCE:
            return Value("ref", vdata)
        if vtype == T_NULL:
            if raw >= 0:
                return Value("string", self._s(raw))
            return Value("null", None)
        if raw >= 0:
            return Value("string", self._s(raw))
        return Value("other", vdata)


# --------------------------------------------------------------------- resources.arsc
class ResourceTable:
    """Just enough of resources.arsc: value and name of a resource id."""

    def __init__(self, data: bytes):
        self.values: dict[int, list[Value]] = {}
        self.names: dict[int, str] = {}
        self.strings: list[str] = []
        # Type chunks are only indexed here and decoded on the first lookup of their
        # (package, type): a framework-sized table has thousands, a manifest needs one or two.
        self._pending: dict[tuple[int, int], list[tuple]] = {}
        self.damaged = False
        self._parse(data)

    def _parse(self, data: bytes) -> None:
        if len(data) < 12:
            return
        _t, hsize, size = struct.unpack_from("<HHI", data, 0)
        pos = hsize if 8 <= hsize < 64 else 12
        end = min(size, len(data)) if size >= 12 else len(data)
        while pos + 8 <= end:
            ctype, chsize, csize = struct.unpack_from("<HHI", data, pos)
            if csize < 8 or chsize < 8:
                break
            if ctype == 0x0001 and not self.strings:
                self.strings = _read_string_pool(data, pos)
            elif ctype == 0x0200:
                self._package(data, pos, chsize, min(pos + csize, end))
            pos += csize

    def _package(self, data: bytes, pos: int, hsize: int, end: int) -> None:
        pkg_id = struct.unpack_from("<I", data, pos + 8)[0]
        type_str_off, _last_type, key_str_off = struct.unpack_from("<III", data, pos + 268)
        type_names = _read_string_pool(data, pos + type_str_off) if type_str_off else []
        key_names = _read_string_pool(data, pos + key_str_off) if key_str_off else []
        p = pos + hsize
        while p + 8 <= end:
            ctype, chsize, csize = struct.unpack_from("<HHI", data, p)
            if csize < 8 or chsize < 8:
                break
            if ctype == 0x0201 and p + 9 <= end:
                type_id = data[p + 8]
                self._pending.setdefault((pkg_id, type_id), []).append(
                    (data, p, chsize, min(p + csize, end), pkg_id, type_names, key_names))
            p += csize

    def _load(self, rid: int) -> None:
        for args in self._pending.pop(((rid >> 24) & 0xFF, (rid >> 16) & 0xFF), ()):
            try:
                self._type(*args)
            except (struct.error, IndexError, ValueError):
                self.damaged = True  # a broken type chunk resolves nothing; the manifest still reads

    def _type(self, data, pos, hsize, end, pkg_id, type_names, key_names) -> None:
        type_id, flags, _res1, count, entries_start = struct.unpack_from("<BBHII", data, pos + 8)
        cfg_size = struct.unpack_from("<I", data, pos + 20)[0]
        cfg = bytes(data[pos + 24:pos + 20 + cfg_size]) if cfg_size >= 4 else b""
        default_cfg = not any(cfg)
        tname = type_names[type_id - 1] if 0 < type_id <= len(type_names) else f"type{type_id}"
        off_tab = pos + hsize
        count = min(count, 65536)
        width = 2 if flags & 0x02 and not flags & 0x01 else 4
        count = min(count, max(0, (end - off_tab) // width))  # the offset table lies inside the chunk
        pairs: list[tuple[int, int]] = []
        if flags & 0x01:  # sparse: (uint16 index, uint16 offset/4)
            for i in range(count):
                idx, o = struct.unpack_from("<HH", data, off_tab + 4 * i)
                pairs.append((idx, o * 4))
        elif flags & 0x02:  # 16-bit offsets
            for i in range(count):
                (o,) = struct.unpack_from("<H", data, off_tab + 2 * i)
                if o != 0xFFFF:
                    pairs.append((i, o * 4))
        else:
            for i in range(count):
                (o,) = struct.unpack_from("<I", data, off_tab + 4 * i)
                if o != 0xFFFFFFFF:
                    pairs.append((i, o))
        for idx, o in pairs:
            e = pos + entries_start + o
            if e + 8 > end:
                continue
            esize, eflags, key = struct.unpack_from("<HHI", data, e)
            rid = (pkg_id << 24) | (type_id << 16) | idx
            if rid not in self.names:
                kname = key_names[key] if key < len(key_names) else f"0x{rid:08x}"
                self.names[rid] = f"@{tname}/{kname}"
            if eflags & 0x0001:  # complex (bag) entry
                continue
            if eflags & 0x0008:  # compact entry: type in flags high byte, data in key
                val = (eflags >> 8, key)
            else:
                if e + esize + 8 > end:
                    continue
                _vs, _r, vtype, vdata = struct.unpack_from("<HBBI", data, e + esize)
                val = (vtype, vdata)
            v = self._mk(*val)
            lst = self.values.setdefault(rid, [])
            if default_cfg:
                lst.insert(0, v)
            else:
                lst.append(v)

    def _mk(self, vtype: int, vdata: int) -> Value:
        if vtype == T_INT_BOOLEAN:
            return Value("bool", vdata != 0)
        if vtype == T_REFERENCE:
            return Value("ref", vdata)
        if vtype == T_STRING:
            return Value("string", self.strings[vdata] if vdata < len(self.strings) else "")
        if vtype in (T_INT_DEC, T_INT_HEX):
            return Value("int", vdata)
        return Value("other", vdata)

    def resolve(self, rid: int, depth: int = 0) -> Value | None:
        self._load(rid)
        vals = self.values.get(rid)
        if not vals or depth > 8:
            return None
        v = vals[0]
        if v.kind == "ref":
            return self.resolve(v.data, depth + 1) or v
        return v

    def name(self, rid: int) -> str | None:
        self._load(rid)
        return self.names.get(rid)


# --------------------------------------------------------------------- protobuf (aapt2)
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


def _fields(b: bytes):
    """(field number, wire type, value) of one protobuf message; value is int or bytes."""
    p = 0
    n = len(b)
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
        elif fno == 4:  # XmlAttribute: ns=1 name=2 value=3 resource_id=5 compiled_item=6
            ns = name = raw = ""
            rid = None
            item = None
            for f2, w2, v2 in _fields(v):
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
            el.attrs.append(Attr(ns=ns, name=name, res_id=rid, value=item or Value("string", raw)))
        elif fno == 5:  # XmlNode: element=1
            for f2, w2, v2 in _fields(v):
                if f2 == 1 and w2 == 2:
                    el.children.append(_pb_element(v2, depth + 1))
    return el


def parse_proto_manifest(data: bytes) -> Element:
    try:
        for fno, wt, v in _fields(data):
            if fno == 1 and wt == 2:
                return _pb_element(v)
    except (ValueError, IndexError) as exc:
        raise InputError(f"AndroidManifest.xml (protobuf) is corrupt: {exc}") from None
    raise InputError("AndroidManifest.xml (protobuf) holds no element")


# --------------------------------------------------------------------- AppInfo
def _as_bool(v: Value | None) -> bool | None:
    if v is None:
        return None
    if v.kind == "bool":
        return bool(v.data)
    if v.kind == "int":
        return v.data != 0
    if v.kind == "string":
        s = str(v.data).strip().lower()
        if s in ("true", "false"):
            return s == "true"
    return None


def _text(v: Value | None) -> str | None:
    if v is None or v.kind == "null":
        return None
    return str(v.data) if v.kind != "ref" else str(v)


def _resolve_bool(v: Value | None, table: ResourceTable | None) -> tuple[bool | None, str | None]:
    """(value, source) for a boolean attribute that may be a literal or a reference."""
    if v is None:
        return None, None
    if v.kind == "ref":
        if table is not None:
            r = table.resolve(v.data)
            b = _as_bool(r)
            if b is not None:
                return b, "resource"
        return None, "resource (unresolved)"
    b = _as_bool(v)
    return b, "literal" if b is not None else "unparsed"


def _component_name(pkg: str | None, name: str | None) -> str | None:
    if not name:
        return None
    if name.startswith(".") and pkg:
        return pkg + name
    if "." not in name and pkg:
        return f"{pkg}.{name}"
    return name


def app_info(root: Element, table: ResourceTable | None = None, manifest_path: str = "AndroidManifest.xml",
             notes: list[str] | None = None) -> AppInfo:
    """AppInfo from a decoded manifest tree (binary or protobuf)."""
    info = AppInfo(platform="android")
    info.extra["manifest_path"] = manifest_path
    if root.tag != "manifest":
        (notes if notes is not None else []).append(f"manifest root element is <{root.tag}>")
    pv = root.get_plain("package")
    info.package = _text(pv) or None
    split = _text(root.get_plain("split"))
    if split:
        info.extra["split"] = split
    vc = root.get(R_VERSION_CODE)
    if vc is not None:
        info.version_code = str(vc.data) if vc.kind != "ref" else _text(vc)
    vn = root.get(R_VERSION_NAME)
    if vn is not None and vn.kind == "ref" and table is not None:
        r = table.resolve(vn.data)
        vn = r if r is not None and r.kind == "string" else vn
    info.version_name = _text(vn)
    perms = []
    for tag in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
        for el in root.iter(tag):
            n = _text(el.get(R_NAME))
            if n:
                perms.append(n)
    info.uses_internet = "android.permission.INTERNET" in perms
    info.extra["permissions"] = sorted(set(perms))
    sdk = next(root.iter("uses-sdk"), None)
    target_sdk = None
    if sdk is not None:
        for key, rid in (("min_sdk", R_MIN_SDK), ("target_sdk", R_TARGET_SDK)):
            v = sdk.get(rid)
            if v is not None and v.kind == "int":
                info.extra[key] = v.data
            elif v is not None and v.kind == "string" and str(v.data).isdigit():
                info.extra[key] = int(v.data)
        target_sdk = info.extra.get("target_sdk", info.extra.get("min_sdk"))
    app = next(root.iter("application"), None)
    if app is not None:
        dv = app.get(R_DEBUGGABLE)
        info.debuggable, info.debuggable_source = _resolve_bool(dv, table)
        if dv is None:
            info.debuggable = False
            info.debuggable_source = "absent"
        else:
            info.extra["debuggable_evidence"] = f'android:debuggable="{dv}"'
            if dv.kind == "ref" and table is not None and table.name(dv.data):
                info.extra["debuggable_evidence"] += f" ({table.name(dv.data)})"
        ct, _src = _resolve_bool(app.get(R_CLEARTEXT), table)
        info.cleartext = ct
        nsc = app.get(R_NSC)
        if nsc is not None:
            if nsc.kind == "ref":
                info.network_security_config = (table.name(nsc.data) if table else None) or str(nsc)
            else:
                info.network_security_config = _text(nsc)
        for el in app.children:
            if el.tag not in COMPONENT_TAGS:
                continue
            exp = _as_bool(el.get(R_EXPORTED))
            ev = el.get(R_EXPORTED)
            if exp is None and ev is not None and ev.kind == "ref" and table is not None:
                exp = _as_bool(table.resolve(ev.data))
            has_filter = any(c.tag == "intent-filter" for c in el.children)
            # Providers were exported by default up to API 16 (targetSdkVersion < 17).
            old_provider = el.tag == "provider" and target_sdk is not None and target_sdk < 17
            if exp or (ev is None and (has_filter or old_provider)):
                name = _component_name(info.package, _text(el.get(R_NAME)))
                info.exported.append(f"{el.tag}:{name or '?'}")
    else:
        info.debuggable = False
        info.debuggable_source = "absent"
    return info


def parse_manifest(data: bytes, arsc: bytes | None = None, manifest_path: str = "AndroidManifest.xml",
                   proto: bool = False) -> tuple[AppInfo, list[str]]:
    """AppInfo and notes from manifest bytes (binary AXML, or aapt2 protobuf if ``proto``)."""
    notes: list[str] = []
    table = None
    if arsc:
        try:
            table = ResourceTable(arsc) if not proto else None
        except (struct.error, IndexError, ValueError) as exc:
            notes.append(f"resources.arsc unreadable ({exc})")
    if proto:
        root = parse_proto_manifest(data)
    else:
        try:
            ax = AXML(data)
        except (struct.error, IndexError) as exc:
            raise InputError(f"{manifest_path}: garbage binary XML ({exc})") from None
        notes.extend(f"{manifest_path}: {n}" for n in ax.notes)
        root = ax.root
    info = app_info(root, table, manifest_path, notes)
    return info, notes


class ProtoResourceTable(ResourceTable):
    """resources.pb (aapt2 ResourceTable proto) for AAB reference resolution."""

    def __init__(self, data: bytes):
        self.values = {}
        self.names = {}
        self.strings = []
        self._pending = {}
        self.damaged = False
        try:
            self._parse_pb(data)
        except (ValueError, IndexError):
            pass

    def _parse_pb(self, data: bytes) -> None:
        for fno, wt, pkg in _fields(data):
            if fno != 2 or wt != 2:
                continue
            pid = 0
            types = []
            for f2, w2, v2 in _fields(pkg):
                if f2 == 1 and w2 == 2:
                    pid = next((v for f, w, v in _fields(v2) if f == 1 and w == 0), 0)
                elif f2 == 3 and w2 == 2:
                    types.append(v2)
            for t in types:
                tid = 0
                tname = ""
                entries = []
                for f3, w3, v3 in _fields(t):
                    if f3 == 1 and w3 == 2:
                        tid = next((v for f, w, v in _fields(v3) if f == 1 and w == 0), 0)
                    elif f3 == 2 and w3 == 2:
                        tname = v3.decode("utf-8", "replace")
                    elif f3 == 3 and w3 == 2:
                        entries.append(v3)
                for e in entries:
                    eid = 0
                    ename = ""
                    vals = []
                    for f4, w4, v4 in _fields(e):
                        if f4 == 1 and w4 == 2:
                            eid = next((v for f, w, v in _fields(v4) if f == 1 and w == 0), 0)
                        elif f4 == 2 and w4 == 2:
                            ename = v4.decode("utf-8", "replace")
                        elif f4 == 6 and w4 == 2:  # ConfigValue { config=1; value=2 }
                            cfg = b""
                            val = None
                            for f5, w5, v5 in _fields(v4):
                                if f5 == 1 and w5 == 2:
                                    cfg = v5
                                elif f5 == 2 and w5 == 2:
                                    for f6, w6, v6 in _fields(v5):  # Value { item=4 }
                                        if f6 == 4 and w6 == 2:
                                            val = _pb_item(v6)
                            if val is not None:
                                if cfg:
                                    vals.append(val)
                                else:
                                    vals.insert(0, val)
                    rid = (pid << 24) | (tid << 16) | eid
                    self.names[rid] = f"@{tname}/{ename}"
                    if vals:
                        self.values[rid] = vals


def parse_proto_manifest_info(data: bytes, resources_pb: bytes | None,
                              manifest_path: str) -> tuple[AppInfo, list[str]]:
    notes: list[str] = []
    table = ProtoResourceTable(resources_pb) if resources_pb else None
    root = parse_proto_manifest(data)
    return app_info(root, table, manifest_path, notes), notes
