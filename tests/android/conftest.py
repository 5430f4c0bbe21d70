"""Helpers for the Android container / manifest tests: real inputs and ways to damage them."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"


@pytest.fixture(scope="session")
def examples(androguard_examples: Path) -> Path:
    return androguard_examples


@pytest.fixture(scope="session")
def hello_apk(examples: Path) -> Path:
    """A real, small, single-dex APK with a manifest."""
    return examples / "tests" / "hello-world.apk"


@pytest.fixture(scope="session")
def multidex_apk(examples: Path) -> Path:
    return examples / "tests" / "multidex" / "multidex.apk"


def all_example_apks(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.apk") if p.is_file())


def central_directory(data: bytes) -> list[dict]:
    """Central directory records (offset of each record and its fields), read with struct."""
    eocd = data.rfind(b"PK\x05\x06")
    n, _cd_size, cd_off = struct.unpack_from("<HII", data, eocd + 10)
    out = []
    pos = cd_off
    for _ in range(n):
        f = struct.unpack_from("<4sHHHHHHIIIHHHHHII", data, pos)
        out.append({"pos": pos, "flags": f[3], "method": f[4], "csize": f[8], "usize": f[9],
                    "nlen": f[10], "xlen": f[11], "klen": f[12], "lh": f[16],
                    "name": data[pos + 46:pos + 46 + f[10]].decode()})
        pos += 46 + f[10] + f[11] + f[12]
    return out


def rezip(entries: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    """A new zip (Python's zipfile) holding the given entries, duplicates allowed."""
    buf = io.BytesIO()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buf, "w", method) as zf:
            for name, content in entries:
                zf.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), content, compress_type=method)
    return buf.getvalue()


def entries_of(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]
