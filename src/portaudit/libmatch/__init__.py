"""Recognising server libraries in (obfuscated) app bytecode by library profiles.

``match_libraries(dexes, profiles, specs)`` returns a ``LibraryMatch``, the one object the DEX
engine consults (``result.py``); ``shipped()`` is the profile set in ``catalog/profiles``.
See docs/profiles.md.
"""

from .result import LibraryHit, LibraryMatch, match_libraries
from .store import StoredProfile, open_profile, shipped

__all__ = ["LibraryHit", "LibraryMatch", "StoredProfile", "match_libraries", "open_profile", "shipped"]
