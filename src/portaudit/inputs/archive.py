"""Hardened, in-memory zip reading for APK / AAB / APKS / JAR containers.

Written on top of the central directory (like Android's libziparchive), not on
:mod:`zipfile`, because malware tampers with zip structures precisely so that
ordinary readers fail while Android still installs the app:

* local headers that disagree with the central directory (sizes, method, name
  length): the central directory wins; the local header only tells where the
  data starts, and if it is unusable other plausible data offsets are tried;
* unknown compression methods on entries that are really stored: treated as
  stored when compressed and uncompressed sizes agree (deflate is tried otherwise);
* the "encrypted" flag set on entries that are not encrypted: ignored (Android
  does not support zip encryption and ignores the bit);
* duplicate entry names: the first central-directory entry is the one returned by
  :meth:`Archive.find`; all are listed, and the duplication is reported as a note;
* bytes before the archive (self-extracting stubs, APK signing tricks) or after it;
* a missing or truncated central directory: entries are recovered by scanning
  local headers.

Nothing is ever written to disk: entry names (which may contain ``../``,
absolute paths or backslashes, reported as notes) are only labels.  Inflation
is streaming and stops at the configured limits; declared sizes are never
trusted.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from ..errors import InputError, LimitExceeded
from ..options import Limits

_EOCD_SIG = b"PK\x05\x06"
_EOCD64_LOC_SIG = b"PK\x06\x07"
_EOCD64_SIG = b"PK\x06\x06"
_CD_SIG = b"PK\x01\x02"
_LH_SIG = b"PK\x03\x04"
_CHUNK = 1 << 16
_IN_CHUNK = 1 << 18  # compressed bytes fed per step
_OUT_CHUNK = 1 << 22  # decompressed bytes produced per step (limits are checked after each)
_RATIO_FLOOR = 1 << 20  # ratio checks start once an entry inflates past 1 MiB


class Budget:
    """Decompressed bytes used so far by one target (shared by nested archives)."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.used = 0

    def charge(self, n: int, label: str) -> None:
        self.used += n
        if self.used > self.limits.max_total_bytes:
            raise LimitExceeded(
                f"{label}: total decompressed size exceeds the limit of {self.limits.max_total_bytes} bytes")


@dataclass
class ZipEntry:
    name: str
    method: int
    flags: int
    compressed_size: int
    uncompressed_size: int
    crc: int
    header_offset: int  # local header offset (already shifted for prefix bytes)
    index: int  # position in the central directory (or in the local-header scan)
    cd_name_len: int = 0
    cd_extra_len: int = 0
    from_local_scan: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/") and self.uncompressed_size == 0


def unsafe_name(name: str) -> str | None:
    """Why ``name`` would be dangerous as a file system path (None if harmless)."""
    if "\\" in name:
        return "backslash in name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    parts = name.split("/")
    if ".." in parts:
        return "parent-directory component"
    if "\x00" in name:
        return "NUL byte in name"
    return None


def _decode_name(raw: bytes) -> str:
    # Android decodes entry names as UTF-8 whatever the flag says.
    return raw.decode("utf-8", errors="replace")


class Archive:
    """A zip archive held in memory (``bytes`` or an ``mmap``)."""

    def __init__(self, data, label: str, limits: Limits | None = None, budget: Budget | None = None):
        self.data = data
        self.label = label
        self.limits = limits or Limits()
        self.budget = budget or Budget(self.limits)
        self.notes: list[str] = []
        self.entries: list[ZipEntry] = []
        self._by_name: dict[str, ZipEntry] = {}
        self.duplicates: dict[str, int] = {}
        self.damage: str | None = None  # set when the central directory was missing or truncated
        self._parse()

    # ------------------------------------------------------------------ parsing
    def _parse(self) -> None:
        data = self.data
        size = len(data)
        if size < 22:
            if size >= 4 and data[:4] == _LH_SIG:
                self._scan_local_headers("archive is truncated (no end of central directory)")
                return
            raise InputError("not a zip archive (file too short)")
        entries = None
        problem = None
        try:
            entries = self._read_central_directory()
        except _CDError as exc:
            problem = str(exc)
        if entries is None:
            self._scan_local_headers(problem or "no end of central directory record (truncated file?)")
            return
        self._install(entries)

    def _find_eocd(self) -> int | None:
        data = self.data
        size = len(data)
        start = max(0, size - 22 - 0xFFFF)
        pos = size - 22
        # Take the last EOCD whose comment length reaches exactly (or at least into) the file end.
        candidates = []
        while pos >= start:
            pos = data.rfind(_EOCD_SIG, start, pos + 4)
            if pos < 0:
                break
            candidates.append(pos)
            pos -= 1
        if not candidates:
            return None
        for i, cand in enumerate(candidates):
            (_, _disk, _cd_disk, _n_disk, _n_total, cd_size, _cd_off, clen) = struct.unpack_from(
                "<4sHHHHIIH", data, cand)
            if cand + 22 + clen <= size and cd_size <= cand:
                if i:
                    self.notes.append(f"{i} invalid end-of-central-directory records after the one used")
                return cand
        return candidates[0]

    def _read_central_directory(self) -> list[ZipEntry] | None:
        data = self.data
        eocd = self._find_eocd()
        if eocd is None:
            return None
        (_, _disk, _cd_disk, _n_disk, n_total, cd_size, cd_off, clen) = struct.unpack_from(
            "<4sHHHHIIH", data, eocd)
        eocd_start = eocd
        if n_total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_off == 0xFFFFFFFF:
            loc = eocd - 20
            if loc >= 0 and data[loc:loc + 4] == _EOCD64_LOC_SIG:
                (off64,) = struct.unpack_from("<Q", data, loc + 8)
                if off64 + 56 <= len(data) and data[off64:off64 + 4] == _EOCD64_SIG:
                    n_total, cd_size, cd_off = struct.unpack_from("<QQQ", data, off64 + 32)
                    eocd_start = off64
        if eocd + 22 + clen != len(data):
            trailing = len(data) - (eocd + 22 + clen)
            if trailing > 0:
                self.notes.append(f"{trailing} bytes after the end of the archive")
        # Bytes before the archive: the central directory ends where the EOCD starts.
        shift = eocd_start - cd_size - cd_off
        if shift < 0 or cd_off + shift < 0:
            raise _CDError("central directory offset points outside the file")
        if shift > 0:
            self.notes.append(f"{shift} bytes before the start of the archive")
        pos = cd_off + shift
        if n_total > self.limits.max_entries:
            raise LimitExceeded(f"{self.label}: {n_total} entries, over the limit of {self.limits.max_entries}")
        entries: list[ZipEntry] = []
        end = cd_off + shift + cd_size
        while pos + 46 <= end and data[pos:pos + 4] == _CD_SIG:
            (_, _vmade, _vneed, flags, method, _t, _d, crc, csize, usize, nlen, xlen, klen, _dstart,
             _iattr, _eattr, lh_off) = struct.unpack_from("<4sHHHHHHIIIHHHHHII", data, pos)
            raw = bytes(data[pos + 46:pos + 46 + nlen])
            if len(raw) != nlen:
                break
            if csize == 0xFFFFFFFF or usize == 0xFFFFFFFF or lh_off == 0xFFFFFFFF:
                csize, usize, lh_off = self._zip64_extra(
                    bytes(data[pos + 46 + nlen:pos + 46 + nlen + xlen]), csize, usize, lh_off)
            entries.append(ZipEntry(
                name=_decode_name(raw), method=method, flags=flags, compressed_size=csize,
                uncompressed_size=usize, crc=crc, header_offset=lh_off + shift, index=len(entries),
                cd_name_len=nlen, cd_extra_len=xlen))
            if len(entries) > self.limits.max_entries:
                raise LimitExceeded(f"{self.label}: over {self.limits.max_entries} entries")
            pos += 46 + nlen + xlen + klen
        if len(entries) < n_total:
            if not entries:
                raise _CDError(f"central directory is truncated or damaged (0 of {n_total} entries readable)")
            self.damage = f"central directory is truncated: {len(entries)} of {n_total} entries readable"
            self.notes.append(self.damage)
            extra = self._recover_missing(entries)
            entries.extend(extra)
        elif n_total != len(entries) and n_total != 0xFFFF:
            self.notes.append(f"end of central directory declares {n_total} entries, {len(entries)} found")
        return entries

    @staticmethod
    def _zip64_extra(extra: bytes, csize: int, usize: int, off: int) -> tuple[int, int, int]:
        p = 0
        while p + 4 <= len(extra):
            hid, hlen = struct.unpack_from("<HH", extra, p)
            body = extra[p + 4:p + 4 + hlen]
            if hid == 1:
                q = 0
                vals = []
                while q + 8 <= len(body):
                    vals.append(struct.unpack_from("<Q", body, q)[0])
                    q += 8
                it = iter(vals)
                if usize == 0xFFFFFFFF:
                    usize = next(it, usize)
                if csize == 0xFFFFFFFF:
                    csize = next(it, csize)
                if off == 0xFFFFFFFF:
                    off = next(it, off)
                break
            p += 4 + hlen
        return csize, usize, off

    def _recover_missing(self, known: list[ZipEntry]) -> list[ZipEntry]:
        """Entries missing from a truncated central directory, taken from local headers."""
        names = {e.name for e in known}
        found = self._local_entries()
        extra = [e for e in found if e.name not in names]
        for i, e in enumerate(extra):
            e.index = len(known) + i
        return extra

    def _local_entries(self) -> list[ZipEntry]:
        data = self.data
        out: list[ZipEntry] = []
        pos = data.find(_LH_SIG, 0)
        while pos >= 0 and pos + 30 <= len(data):
            (_, _ver, flags, method, _t, _d, crc, csize, usize, nlen, xlen) = struct.unpack_from(
                "<4sHHHHHIIIHH", data, pos)
            raw = bytes(data[pos + 30:pos + 30 + nlen])
            if len(raw) == nlen and nlen > 0:
                out.append(ZipEntry(
                    name=_decode_name(raw), method=method, flags=flags, compressed_size=csize,
                    uncompressed_size=usize, crc=crc, header_offset=pos, index=len(out),
                    cd_name_len=nlen, cd_extra_len=xlen, from_local_scan=True))
                if len(out) > self.limits.max_entries:
                    raise LimitExceeded(f"{self.label}: over {self.limits.max_entries} entries")
                step = 30 + nlen + xlen + (csize if not flags & 8 else 0)
                nxt = pos + max(step, 4)
            else:
                nxt = pos + 4
            pos = data.find(_LH_SIG, nxt)
        return out

    def _scan_local_headers(self, why: str) -> None:
        entries = self._local_entries()
        if not entries:
            raise InputError(f"not a zip archive or damaged beyond repair ({why})")
        self.damage = f"{why}; {len(entries)} entries recovered from local headers"
        self.notes.append(self.damage)
        self._install(entries)

    def _install(self, entries: list[ZipEntry]) -> None:
        self.entries = entries
        for e in entries:
            if e.name in self._by_name:
                self.duplicates[e.name] = self.duplicates.get(e.name, 1) + 1
                continue
            self._by_name[e.name] = e
        for name, n in self.duplicates.items():
            self.notes.append(f"duplicate entry name {name!r} ({n} copies); the first is used")
        unsafe = [(e.name, why) for e in entries if (why := unsafe_name(e.name))]
        for name, why in unsafe[:20]:
            self.notes.append(f"unsafe entry name {name!r} ({why}); never used as a path")
        if len(unsafe) > 20:
            self.notes.append(f"{len(unsafe) - 20} more unsafe entry names")
        if any(e.flags & 1 for e in entries):
            self.notes.append("entries flagged as encrypted; flag ignored (Android ignores it)")

    # ---------------------------------------------------------------- reading
    def names(self) -> list[str]:
        return [e.name for e in self.entries]

    def find(self, name: str) -> ZipEntry | None:
        return self._by_name.get(name)

    def read_name(self, name: str) -> bytes:
        e = self.find(name)
        if e is None:
            raise KeyError(name)
        return self.read(e)

    def _data_offsets(self, e: ZipEntry) -> list[int]:
        """Plausible starts of an entry's data, most trusted first."""
        data = self.data
        h = e.header_offset
        offs: list[int] = []
        if h >= 0 and h + 30 <= len(data):
            if data[h:h + 4] == _LH_SIG:
                nlen, xlen = struct.unpack_from("<HH", data, h + 26)
                offs.append(h + 30 + nlen + xlen)
                offs.append(h + 30 + e.cd_name_len + xlen)
            offs.append(h + 30 + e.cd_name_len + e.cd_extra_len)
            offs.append(h + 30 + e.cd_name_len)
        return list(dict.fromkeys(o for o in offs if o <= len(data)))  # in order, each once

    def local_header_problems(self, e: ZipEntry) -> list[str]:
        """How the local header of ``e`` disagrees with its central directory entry."""
        data = self.data
        h = e.header_offset
        if e.from_local_scan:
            return []
        if h < 0 or h + 30 > len(data) or data[h:h + 4] != _LH_SIG:
            return ["no local header at the recorded offset"]
        (_, _v, flags, method, _t, _d, _crc, csize, usize, nlen, _xlen) = struct.unpack_from(
            "<4sHHHHHIIIHH", data, h)
        out = []
        if method != e.method:
            out.append(f"compression method {method} vs {e.method}")
        if not flags & 8:
            if csize != e.compressed_size and csize != 0xFFFFFFFF:
                out.append(f"compressed size {csize} vs {e.compressed_size}")
            if usize != e.uncompressed_size and usize != 0xFFFFFFFF:
                out.append(f"uncompressed size {usize} vs {e.uncompressed_size}")
        if nlen != e.cd_name_len:
            out.append(f"name length {nlen} vs {e.cd_name_len}")
        elif bytes(data[h + 30:h + 30 + nlen]).decode("utf-8", "replace") != e.name:
            out.append("name differs")
        return out

    def read(self, e: ZipEntry, max_bytes: int | None = None) -> bytes:
        """The decompressed content of ``e``, within the limits (raises LimitExceeded)."""
        limit = self.limits.max_entry_bytes if max_bytes is None else min(max_bytes, self.limits.max_entry_bytes)
        label = f"{self.label}!{e.name}" if self.label else e.name
        problems = self.local_header_problems(e)
        if problems:
            note = f"{e.name}: local header disagrees with the central directory ({', '.join(problems)})"
            if note not in self.notes:
                self.notes.append(note)
        last_err = "no data"
        csize = e.compressed_size
        fallback: bytes | None = None
        for off in self._data_offsets(e):
            if e.from_local_scan and e.flags & 8 and e.method == 8:
                avail = len(self.data) - off
            else:
                avail = min(csize, len(self.data) - off)
                if avail < csize:
                    last_err = f"data truncated ({avail} of {csize} bytes present)"
                    if e.method == 0 or (e.method != 8 and csize == e.uncompressed_size):
                        continue
            methods = self._methods_to_try(e)
            for m in methods:
                try:
                    out = self._extract(off, avail, m, limit, label)
                except _DataError as exc:
                    last_err = str(exc)
                    continue
                if not e.from_local_scan and (zlib.crc32(out) & 0xFFFFFFFF) != e.crc:
                    # Maybe the wrong data offset or method: try the others, keep this as a fallback.
                    if fallback is None:
                        fallback = out
                    last_err = "CRC mismatch"
                    continue
                if m != e.method:
                    self._note(f"{e.name}: compression method {e.method} read as "
                               f"{'stored' if m == 0 else 'deflate'}")
                if len(out) != e.uncompressed_size and not e.from_local_scan:
                    self._note(f"{e.name}: {len(out)} bytes, central directory says {e.uncompressed_size}")
                self.budget.charge(len(out), label)
                return out
        if fallback is not None:
            self._note(f"{e.name}: CRC mismatch (content used as found)")
            self.budget.charge(len(fallback), label)
            return fallback
        if not self._data_offsets(e):
            last_err = f"local header offset {e.header_offset} is outside the file"
        raise InputError(f"{label}: cannot read entry ({last_err})")

    def peek(self, e: ZipEntry, n: int = 4) -> bytes:
        """The first ``n`` bytes of an entry (to recognise what it is), b"" when unreadable.  Only
        as much is inflated as those bytes need; nothing is charged to the budget or checked
        against the CRC (the entry is read in full, with every check, if it is used)."""
        offs = self._data_offsets(e)
        if not offs:
            return b""
        off = offs[0]
        avail = max(0, min(e.compressed_size, len(self.data) - off))
        if e.method != 8:
            return bytes(self.data[off:off + min(n, avail)])
        d = zlib.decompressobj(-15)
        try:
            return d.decompress(bytes(self.data[off:off + min(avail, 4096)]), n)
        except zlib.error:
            return b""

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @staticmethod
    def _methods_to_try(e: ZipEntry) -> list[int]:
        if e.method == 0:
            return [0] if e.compressed_size == e.uncompressed_size else [0, 8]
        if e.method == 8:
            return [8, 0] if e.compressed_size == e.uncompressed_size else [8]
        # Unknown method: Android reads such entries as stored; try deflate too.
        return [0, 8] if e.compressed_size == e.uncompressed_size else [8, 0]

    def _extract(self, off: int, avail: int, method: int, limit: int, label: str) -> bytes:
        data = self.data
        if method == 0:
            if avail > limit:
                raise LimitExceeded(f"{label}: entry is {avail} bytes, over the limit of {limit}")
            return bytes(data[off:off + avail])
        d = zlib.decompressobj(-15)
        with memoryview(data) as view:
            parts: list[bytes] = []
            produced = 0
            consumed = 0
            pos = off
            end = off + avail
            try:
                while pos < end and not d.eof:
                    chunk = view[pos:min(end, pos + _IN_CHUNK)]
                    try:
                        pos += len(chunk)
                        consumed += len(chunk)
                        buf: memoryview | bytes | None = chunk
                        while buf and not d.eof:
                            out = d.decompress(buf, min(limit + 1 - produced, _OUT_CHUNK))
                            produced += len(out)
                            parts.append(out)
                            self._check(produced, consumed, limit, label)
                            buf = d.unconsumed_tail
                    finally:
                        buf = None
                        chunk.release()  # so an mmap can be closed while an exception unwinds
                while not d.eof and produced <= limit:
                    out = d.flush()
                    if not out:
                        break
                    produced += len(out)
                    parts.append(out)
                    self._check(produced, consumed, limit, label)
            except zlib.error as exc:
                raise _DataError(f"corrupt compressed data: {exc}") from None
            if not d.eof:
                raise _DataError("compressed data is truncated")
            return b"".join(parts)

    def _check(self, produced: int, consumed: int, limit: int, label: str) -> None:
        if produced > limit:
            raise LimitExceeded(f"{label}: decompressed size exceeds the limit of {limit} bytes")
        if produced > _RATIO_FLOOR and produced > self.limits.max_ratio * max(consumed, 1):
            raise LimitExceeded(
                f"{label}: compression ratio over {self.limits.max_ratio:g}:1 (zip bomb?)")
        if self.budget.used + produced > self.limits.max_total_bytes:
            raise LimitExceeded(
                f"{label}: total decompressed size exceeds the limit of {self.limits.max_total_bytes} bytes")


class _CDError(Exception):
    pass


class _DataError(Exception):
    pass
