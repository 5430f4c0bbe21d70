"""Whose code a call site is in: the app's own, or a library (maybe a known SDK).

App code is every package of the app: the manifest package and every other package that no SDK
signature (``catalog/sdks.toml``) claims, so an app's second package (``com.example.core`` next
to ``com.example.app``) is app code.  A class is library code only when an SDK signature says so
(``com.facebook.ads.`` -> Facebook Audience Network, ``io.netty.`` -> Netty, ``androidx.``...).
The manifest package always wins: an app whose own package happens to lie under an SDK prefix is
still the app.
"""

from __future__ import annotations

from ... import catalog
from ...model import Origin
from .absval import dotted


def origin_of(cls_desc: str, app_package: str | None) -> Origin:
    d = dotted(cls_desc)
    if app_package and (d == app_package or d.startswith(app_package + ".")):
        return Origin(kind="app")
    hit = catalog.sdk_for_class(d)
    if hit is not None:
        return Origin(kind="library", sdk=hit[0].name, package=hit[1])
    return Origin(kind="app")
