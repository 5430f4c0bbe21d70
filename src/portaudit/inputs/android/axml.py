"""Android binary XML (AXML, ``AndroidManifest.xml`` in an APK) -> an element tree.

A small tolerant parser written for hostile inputs rather than a general XML decoder.  It
follows what Android's own ``ResXMLTree`` and package parser rely on, not what the file claims
about itself:

* ``android:`` attributes are recognised by their **resource id** (the resource map chunk), like
  the framework does, so renamed / emptied attribute names and odd namespaces do not hide
  ``debuggable``; names are the fallback.
* the string pool's declared count is clamped to what fits in its chunk (:mod:`.resvalue`);
* chunk sizes that are wrong (zero-size end-namespace nodes, junk between elements, unknown
  chunk types) are skipped by resynchronising on the next plausible chunk header;
* attribute start / size fields in a start-element chunk are honoured when sane and replaced by
  the standard 20 / 20 otherwise;
* a document reads at most len/20 attributes in all (an attribute takes 20 bytes), so elements
  that claim more cannot make the work quadratic.

The same :class:`Element` tree is built from aapt2's protobuf manifests (:mod:`.aapt2_proto`).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from ...errors import InputError
from .resvalue import (T_INT_BOOLEAN, T_INT_DEC, T_INT_HEX, T_NULL, T_REFERENCE, T_STRING, Value,
                       read_string_pool)

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

_MAX_JUNK = 1 << 20
_KNOWN_CHUNKS = {0x0001, 0x0180, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}


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


class AXML:
    """Parsed binary XML: the root element plus notes about anything odd."""

    def __init__(self, data: bytes):
        self.notes: list[str] = []
        self.strings: list[str] = []
        self.res_ids: list[int] = []
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
            self._chunk(data, ctype, pos, chsize, min(pos + csize, n), stack, roots)
            pos += max(csize, chsize)
        if junk:
            self.notes.append(f"{junk} bytes of junk between chunks skipped")
        if not roots:
            raise InputError("AndroidManifest.xml: no XML element could be decoded (garbage AXML)")
        self.root: Element = next((r for r in roots if r.tag == "manifest"), roots[0])

    def _chunk(self, data: bytes, ctype: int, pos: int, chsize: int, body_end: int, stack: list[Element],
               roots: list[Element]) -> None:
        """One well-formed chunk: the string pool, the resource map, or an element start / end."""
        if ctype == 0x0001:
            if not self.strings:
                self.strings = read_string_pool(data, pos)
                declared = struct.unpack_from("<I", data, pos + 8)[0] if pos + 12 <= len(data) else 0
                if declared != len(self.strings):
                    self.notes.append(
                        f"string pool declares {declared} strings, {len(self.strings)} readable")
        elif ctype == 0x0180:
            cnt = (body_end - pos - chsize) // 4
            self.res_ids = list(struct.unpack_from(f"<{cnt}I", data, pos + chsize)) if cnt > 0 else []
        elif ctype == 0x0102:
            el = self._start_element(data, pos, chsize, body_end)
            if el is not None:
                (stack[-1].children if stack else roots).append(el)
                stack.append(el)
        elif ctype == 0x0103:
            if stack:
                stack.pop()
        elif ctype not in (0x0100, 0x0101, 0x0104):  # namespaces, CDATA: nothing to keep
            self.notes.append(f"unknown chunk type 0x{ctype:04x}")

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
