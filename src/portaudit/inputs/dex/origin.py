"""Whose code a call site is in: the app's own, or a library (maybe a known SDK).

App code is every package of the app: the manifest package and every other package that no SDK
signature (``catalog/sdks.toml``) claims, so an app's second package (``com.example.core`` next
to ``com.example.app``) is app code.  A class is library code only when an SDK signature says so
(``com.facebook.ads.`` -> Facebook Audience Network, ``io.netty.`` -> Netty, ``androidx.``...).
The manifest package always wins: an app whose own package happens to lie under an SDK prefix is
still the app.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ... import catalog
from ...catalog import ApiSpec
from ...model import Origin
from .absval import dotted

if TYPE_CHECKING:
    from ...libmatch import LibraryMatch


def origin_of(cls_desc: str, app_package: str | None, libraries: LibraryMatch | None = None,
              spec: ApiSpec | None = None) -> Origin:
    """With matched library profiles (docs/profiles.md): code inside a matched library, renamed or
    not, is that library's (with version and confidence); the app's call into a matched library's
    API keeps its kind and names the library."""
    o = _by_name(cls_desc, app_package)
    hit = libraries.library(cls_desc) if libraries else None
    if hit is not None:
        pkg = o.package if o.sdk == hit.name else dotted(hit.original).rsplit(".", 1)[0]
        return Origin(kind="library", sdk=hit.name, package=pkg, version=hit.version, confidence=hit.confidence)
    api = libraries.api_library(spec.class_descriptors) if libraries and spec else None
    if api is not None:
        return Origin(kind=o.kind, sdk=api.name, package=o.package, version=api.version, confidence=api.confidence)
    return o


def _by_name(cls_desc: str, app_package: str | None) -> Origin:
    d = dotted(cls_desc)
    if app_package and (d == app_package or d.startswith(app_package + ".")):
        return Origin(kind="app")
    hit = catalog.sdk_for_class(d)
    if hit is not None:
        return Origin(kind="library", sdk=hit[0].name, package=hit[1])
    return Origin(kind="app")
