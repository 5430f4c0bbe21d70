"""Profiles on disk: the shipped set (``catalog/profiles/*.profile``) and user files.

Only the header (library, sources, anchors) is read when a profile is opened; the body is
inflated and parsed the first time a scan finds the library's anchors.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .profile import Profile, ProfileError, loads, read_header


@dataclass
class StoredProfile:
    label: str
    header: dict
    data: bytes = field(repr=False)
    _profile: Profile | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return str(self.header["library"]["name"])

    @property
    def version(self) -> str:
        return str(self.header["library"]["version"])

    @property
    def anchors(self) -> dict[str, list[str]]:
        return self.header.get("anchors") or {}

    def profile(self) -> Profile:
        if self._profile is None:
            self._profile = loads(self.data, self.label)
        return self._profile


def open_profile(path: Path) -> StoredProfile:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ProfileError(f"{path}: {exc.strerror or exc}") from None
    return StoredProfile(str(path), read_header(data, str(path)), data)


@functools.cache
def shipped() -> tuple[StoredProfile, ...]:
    """The profiles shipped with portaudit, by file name."""
    root = resources.files("portaudit.catalog").joinpath("profiles")
    out = []
    if root.is_dir():
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".profile"):
                data = entry.read_bytes()
                out.append(StoredProfile(entry.name, read_header(data, entry.name), data))
    return tuple(out)
